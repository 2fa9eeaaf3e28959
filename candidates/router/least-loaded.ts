import { defineRouter } from '../../sim/policy/index.js';

/** Least loaded: the worker with the fewest active requests, then the least pending prefill; ignores the cache. */
export default defineRouter({
  name: 'least-loaded',
  cost: (_req, w) => w.activeRequests * 1e6 + w.activePrefillTokens,
});
