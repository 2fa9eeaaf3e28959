import { requireFinite } from './policy-error.js';

/**
 * A cached, unreferenced KV block that may be evicted. Frozen plain numbers. The priority is computed
 * when the block becomes evictable and again when it gains its first or loses its last cached child.
 */
export interface EvictionBlockView {
  /** Times the block was found in the cache and reused since it was first stored. */
  readonly hits: number;
  /** When the block was last referenced (ms of simulated time). */
  readonly lastAccessMs: number;
  /** Time since the block was first stored (ms). */
  readonly ageMs: number;
  /** Position of the block in its prompt's chain: 0 for a prompt's first block. */
  readonly depth: number;
  /** Cached blocks that continue this one (its children in the prefix tree). */
  readonly cachedChildren: number;
  /** Simulated time now (ms). */
  readonly nowMs: number;
}

export interface EvictionFns {
  /** Lower priority is evicted first (ties: the block that became evictable first). */
  priority(block: EvictionBlockView): number;
}

export interface EvictionModule {
  readonly kind: 'eviction';
  readonly name: string;
  instantiate(): EvictionFns;
}

/** Calls an eviction priority function and checks the answer is a finite number. */
export function checkedPriority(name: string, fns: EvictionFns, view: EvictionBlockView): number {
  return requireFinite(name, 'priority', fns.priority(view));
}
