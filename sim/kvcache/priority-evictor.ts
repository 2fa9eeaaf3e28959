import { checkedPriority, type EvictionBlockView, type EvictionFns } from '../contracts/eviction-views.js';
import type { Evictor } from './evictor.js';

/** Per-slot facts the KV pool keeps for eviction policies. */
export interface BlockFacts {
  readonly hits: Int32Array;
  readonly lastAccess: Float64Array;
  readonly inserted: Float64Array;
  readonly depth: Int32Array;
  readonly children: Int32Array;
  now: number;
}

/**
 * Evicts by a policy's priority (lowest first, ties by the order blocks became evictable): an indexed
 * binary heap over slots so a block can leave the pool (reuse) or be re-keyed (children changed).
 */
export class PriorityEvictor implements Evictor {
  readonly tracksChildren = true;
  private readonly key: Float64Array;
  private readonly seq: Float64Array;
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private n = 0;
  private nextSeq = 0;
  facts: BlockFacts | null = null;

  constructor(capacity: number, private readonly fns: EvictionFns, private readonly name: string) {
    this.key = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  private priorityOf(slot: number): number {
    const f = this.facts!;
    const view: EvictionBlockView = Object.freeze({
      hits: f.hits[slot]!,
      lastAccessMs: f.lastAccess[slot]!,
      ageMs: f.now - f.inserted[slot]!,
      depth: f.depth[slot]!,
      cachedChildren: f.children[slot]!,
      nowMs: f.now,
    });
    return checkedPriority(this.name, this.fns, view);
  }

  insert(slot: number): void {
    this.key[slot] = this.priorityOf(slot);
    this.seq[slot] = this.nextSeq++;
    const i = this.n++;
    this.heap[i] = slot;
    this.pos[slot] = i;
    this.up(i);
  }

  remove(slot: number): void {
    const i = this.pos[slot]!;
    if (i < 0) return;
    this.pos[slot] = -1;
    const last = --this.n;
    if (i === last) return;
    const moved = this.heap[last]!;
    this.heap[i] = moved;
    this.pos[moved] = i;
    this.down(i);
    this.up(this.pos[moved]!);
  }

  popVictim(): number {
    if (this.n === 0) return -1;
    const s = this.heap[0]!;
    this.remove(s);
    return s;
  }

  childrenChanged(slot: number): void {
    const i = this.pos[slot]!;
    if (i < 0) return;
    this.key[slot] = this.priorityOf(slot);
    this.down(i);
    this.up(this.pos[slot]!);
  }

  private less(a: number, b: number): boolean {
    return this.key[a]! < this.key[b]! || (this.key[a] === this.key[b] && this.seq[a]! < this.seq[b]!);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.n && this.less(h[l]!, h[m]!)) m = l;
      if (r < this.n && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const t = h[a]!;
    h[a] = h[b]!;
    h[b] = t;
    this.pos[h[a]!] = a;
    this.pos[h[b]!] = b;
  }
}
