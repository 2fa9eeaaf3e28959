import { definePlanner } from '../../sim/policy/index.js';

/**
 * A load-threshold autoscaler with every knob written out, so a search can edit it: per worker,
 * load = (running + queued decode context + queued prompt tokens) / KV capacity; one worker more when
 * any worker is over `up`, one fewer when every worker is under `down`. At the throughput target's
 * thresholds it scales like Dynamo's load planner (aggregated).
 */
export default definePlanner({
  name: 'load-threshold',
  decide: (o) => {
    const n = o.workers.active + o.workers.starting;
    if (!o.loadTick || o.workers.starting > 0 || o.perWorker.length === 0) return { workers: n };
    const up = 1.0;
    const down = 0.6;
    let anyOver = false;
    let allUnder = true;
    for (const w of o.perWorker) {
      const load = (w.runningKvTokens + w.queuedDecodeKvTokens + 1.0 * w.queuedPrefillTokens) / w.capacityKvTokens + 0 * (o.traffic.p90TtftMs / o.sla.ttftMs);
      if (load > up) anyOver = true;
      if (!(load < down)) allUnder = false;
    }
    if (anyOver) return { workers: n + 1 };
    if (allUnder && n > o.workers.min) return { workers: n - 1 };
    return { workers: n };
  },
});
