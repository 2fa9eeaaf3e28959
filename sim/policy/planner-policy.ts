import type { PlannerDecision, PlannerObservation, PlannerPolicy } from '../contracts/planner-views.js';
import { markDefined, policyName } from './made-by-define.js';

export interface PlannerModule {
  readonly kind: 'planner';
  readonly name: string;
  /** Fresh decision function for one replay. */
  instantiate(): PlannerPolicy;
}

/**
 * Defines an autoscaling planner from `decide(observation)` (called at every tick with a frozen
 * PlannerObservation; answer `{ workers }`, or `{ prefill, decode }` for a disaggregated cluster),
 * or from `create()` returning one (for a planner that keeps state across ticks).
 */
export function definePlanner(def: { name?: string } & ({ decide(obs: PlannerObservation): PlannerDecision } | { create(): { decide(obs: PlannerObservation): PlannerDecision } })): PlannerModule {
  const name = policyName(def.name, 'planner');
  return markDefined(Object.freeze({
    kind: 'planner' as const,
    name,
    instantiate: (): PlannerPolicy => {
      const fns = 'create' in def ? def.create() : def;
      return { name, decide: (obs) => fns.decide(obs) };
    },
  }));
}
