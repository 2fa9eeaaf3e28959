import type { Scenario } from '../scenario.js';
import { evictionScenarios } from './eviction.js';
import { plannerScenarios } from './planner.js';
import { routerScenarios } from './router.js';

/** Every shipped scenario, by name. */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [...routerScenarios, ...plannerScenarios, ...evictionScenarios].map((s) => [s.name, s]),
);

/** The shipped scenarios of a policy kind (searched on first, held-out last). */
export function scenariosFor(kind: Scenario['kind']): Scenario[] {
  return [...SCENARIOS.values()].filter((s) => s.kind === kind).sort((a, b) => Number(a.heldOut) - Number(b.heldOut));
}

export function getScenario(name: string): Scenario {
  const s = SCENARIOS.get(name);
  if (!s) throw new Error(`unknown scenario "${name}"; shipped scenarios: ${[...SCENARIOS.keys()].join(', ')}`);
  return s;
}
