import { markDefined, policyName } from './made-by-define.js';
import type { EvictionFns, EvictionModule } from '../contracts/eviction-views.js';

export type { EvictionBlockView, EvictionFns, EvictionModule } from '../contracts/eviction-views.js';

/** Defines a KV-cache eviction policy from a priority function, or `create()` returning one. */
export function defineEviction(def: { name?: string } & (EvictionFns | { create(): EvictionFns })): EvictionModule {
  const name = policyName(def.name, 'eviction');
  const make = 'create' in def ? () => def.create() : () => ({ priority: (def as EvictionFns).priority });
  return markDefined(Object.freeze({ kind: 'eviction' as const, name, instantiate: make }));
}
