import { markDefined, policyName } from './made-by-define.js';
import type { RouterFns, RouterPolicy } from '../contracts/router-views.js';

export type { RouterFns, RouterPolicy, RouterRequestView, RouterWorkerView } from '../contracts/router-views.js';

/**
 * Defines a router policy from a cost function, or from `create()` returning one (for a policy that
 * keeps state across decisions).
 */
export function defineRouter(def: { name?: string } & (RouterFns | { create(): RouterFns })): RouterPolicy {
  const name = policyName(def.name, 'router');
  const make = 'create' in def ? () => def.create() : () => ({ cost: (def as RouterFns).cost });
  return markDefined(Object.freeze({ kind: 'router' as const, name, instantiate: make }));
}
