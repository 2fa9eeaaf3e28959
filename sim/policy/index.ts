/**
 * The policy API: what a candidate module may import. A candidate's default export is made by one of
 * the define* functions; it sees only the frozen, plain-number views documented here.
 */
export { defineRouter, type RouterFns, type RouterPolicy, type RouterRequestView, type RouterWorkerView } from './router-policy.js';
export { PolicyDecisionError } from '../contracts/policy-error.js';
export { dynamoKvCost } from '../router/dynamo-cost.js';
export { KV_ROUTER_DEFAULTS, type KvRouterConfig } from '../router/router-config.js';
export { definePlanner, type PlannerModule } from './planner-policy.js';
export type { PlannerDecision, PlannerObservation, PoolView, WorkerLoadView, PassModel, PassesView } from '../contracts/planner-views.js';
export { dynamoLoadPolicy, dynamoSlaPolicy, staticPolicy } from '../planner/builtin-policies.js';
export { defineEviction, type EvictionBlockView, type EvictionFns, type EvictionModule } from './eviction-policy.js';
