import type { PlannerDecision, PlannerObservation, PlannerPolicy } from './observation.js';

const current = (o: PlannerObservation): number => o.workers.active + o.workers.starting;

/** Keeps the worker count it starts with. */
export const staticPolicy: PlannerPolicy = {
  name: 'static',
  decide: (o) => ({ workers: current(o) }),
};

/**
 * Dynamo's load-based planner in "easy mode" (aggregated): per routable worker, load = (running +
 * queued decode context + queued prefill tokens) / KV capacity. One more worker if any load is over
 * the up threshold, one fewer if every load is under the down threshold (throughput target: 1.0 / 0.6;
 * latency target: 0.4 / 0.1). Observes only while no worker is starting, as Dynamo does.
 */
export function dynamoLoadPolicy(target: 'throughput' | 'latency'): PlannerPolicy {
  const up = target === 'throughput' ? 1.0 : 0.4;
  const down = target === 'throughput' ? 0.6 : 0.1;
  return {
    name: 'dynamo-load',
    decide(o): PlannerDecision {
      const n = current(o);
      if (!o.loadTick || o.workers.starting > 0 || o.perWorker.length === 0) return { workers: n };
      let anyOver = false, allUnder = true;
      for (const w of o.perWorker) {
        const load = (w.runningKvTokens + w.queuedDecodeKvTokens + w.queuedPrefillTokens) / w.capacityKvTokens;
        if (load > up) anyOver = true;
        if (!(load < down)) allUnder = false;
      }
      if (anyOver) return { workers: n + 1 };
      if (allUnder && n > o.workers.min) return { workers: n - 1 };
      return { workers: n };
    },
  };
}

/**
 * Dynamo's SLA planner (aggregated). At load ticks it estimates, per routable worker, the TTFT of a
 * request arriving now (its queued prefill plus a mean prompt, minus the cache hit share, cut into
 * pass-sized chunks priced by the fitted pass-time model) and the ITL (a mean pass over the worker's
 * decode context): one more worker if every worker misses a target, one fewer if every worker is
 * under 80% of both. At throughput ticks it sizes a lower bound from the arrival rate and the largest
 * batch one worker can serve within the targets. No decision while a worker is starting or before
 * the pass-time model is fitted.
 */
export function dynamoSlaPolicy(): PlannerPolicy {
  let lowerBound = 0;
  let isl = 0, osl = 0;
  return {
    name: 'dynamo-sla',
    decide(o): PlannerDecision {
      const n = current(o);
      const m = o.passModel;
      if (o.traffic.completed > 0) {
        isl = o.traffic.meanIsl;
        osl = o.traffic.meanOsl;
      }
      if (m === null || isl === 0 || o.workers.starting > 0) return { workers: Math.max(n, lowerBound) };
      const wt = (prefill: number, kv: number): number => m.intercept + m.perPrefillToken * prefill + m.perDecodeKvToken * kv;
      const hit = Math.min(Math.max(o.traffic.kvHitRate, 0), 0.95);
      const mbt = o.engine.maxNumBatchedTokens;
      const ttftOf = (queued: number, kv: number): number => {
        let left = (queued + isl) * (1 - hit);
        let ms = 0;
        while (left > 0) {
          const chunk = Math.min(left, mbt);
          ms += wt(chunk, kv);
          left -= chunk;
        }
        return ms;
      };
      if (o.throughputTick && o.traffic.requestRate > 0) {
        const ctx = isl + osl / 2;
        const effIsl = isl * (1 - hit);
        const cap = Math.max(1, Math.min(Math.floor(o.engine.kvCapacityTokens / Math.max(1, ctx)), o.engine.maxNumSeqs, mbt - 1));
        let bestRps = 0;
        for (let bs = 1; bs <= cap; bs++) {
          const itl = wt(Math.min((bs * effIsl) / Math.max(1, osl), mbt), bs * ctx);
          if (itl > o.sla.itlMs || ttftOf(0, bs * ctx) > o.sla.ttftMs) break;
          bestRps = (bs * 1000) / (Math.max(1, osl) * itl);
        }
        lowerBound = bestRps > 0 ? Math.ceil(o.traffic.requestRate / bestRps) : o.workers.max;
      }
      if (!o.loadTick || o.perWorker.length === 0) return { workers: Math.max(n, lowerBound) };
      let allTtftOver = true, allItlOver = true, allUnder = true;
      for (const w of o.perWorker) {
        const ttft = ttftOf(w.queuedPrefillTokens, w.runningKvTokens);
        const itl = wt(o.passes.meanPrefillTokens, w.runningKvTokens + w.queuedDecodeKvTokens);
        if (!(ttft > o.sla.ttftMs)) allTtftOver = false;
        if (!(itl > o.sla.itlMs)) allItlOver = false;
        if (!(ttft < 0.8 * o.sla.ttftMs && itl < 0.8 * o.sla.itlMs)) allUnder = false;
      }
      let want = n;
      if (allTtftOver || allItlOver) want = n + 1;
      else if (allUnder && n > o.workers.min) want = n - 1;
      return { workers: Math.max(want, lowerBound) };
    },
  };
}

export const PLANNER_NAMES = ['static', 'dynamo-load', 'dynamo-sla'] as const;
export type PlannerName = (typeof PLANNER_NAMES)[number];

export function builtinPlanner(name: string, target: 'throughput' | 'latency'): PlannerPolicy {
  switch (name) {
    case 'static':
      return staticPolicy;
    case 'dynamo-load':
      return dynamoLoadPolicy(target);
    case 'dynamo-sla':
      return dynamoSlaPolicy();
    default:
      throw new Error(`unknown planner "${name}"; expected one of: ${PLANNER_NAMES.join(', ')}`);
  }
}
