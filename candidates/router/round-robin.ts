import { defineRouter } from '../../sim/policy/index.js';

/** Round robin: the n-th request goes to worker n mod workers, whatever the load or the cache. */
export default defineRouter({
  name: 'round-robin',
  cost: (req, w) => (w.worker - (req.seq % req.routableWorkers) + req.routableWorkers) % req.routableWorkers,
});
