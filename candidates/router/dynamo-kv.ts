import { defineRouter, dynamoKvCost, KV_ROUTER_DEFAULTS } from '../../sim/policy/index.js';

/** Dynamo's KV-aware router with its default settings: prefill load minus cached overlap, plus decode load. */
export default defineRouter({ name: 'dynamo-kv', cost: dynamoKvCost(KV_ROUTER_DEFAULTS) });
