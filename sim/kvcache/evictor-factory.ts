import type { EvictionModule } from '../contracts/eviction-views.js';
import { LineageEvictor, LruEvictor, type EvictionName, type Evictor } from './evictor.js';
import { PriorityEvictor } from './priority-evictor.js';

/** The built-in evictor `name`, or a policy module's priority order when one is given. */
export function createEvictor(name: EvictionName, capacity: number, policy: EvictionModule | null = null): Evictor {
  if (policy !== null) return new PriorityEvictor(capacity, policy.instantiate(), policy.name);
  return name === 'lineage' ? new LineageEvictor(capacity) : new LruEvictor(capacity);
}
