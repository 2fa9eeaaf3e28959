import type { EvictionModule } from './eviction-policy.js';
import type { PlannerModule } from './planner-policy.js';
import type { RouterPolicy } from './router-policy.js';

/** What a candidate module's default export is: a policy made by one of the define* functions. */
export type PolicyModule = RouterPolicy | PlannerModule | EvictionModule;

export const NOT_A_POLICY = 'the default export must be made by defineRouter, definePlanner or defineEviction';

export function isPolicyModule(x: unknown): x is PolicyModule {
  const p = x as { kind?: unknown; instantiate?: unknown } | null | undefined;
  return (p?.kind === 'router' || p?.kind === 'planner' || p?.kind === 'eviction') && typeof p.instantiate === 'function';
}
