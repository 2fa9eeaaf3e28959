import type { PassModel, PlannerDecision, PlannerObservation, PlannerPolicy, PoolView, WorkerLoadView } from '../contracts/planner-views.js';

const current = (o: PlannerObservation): number => o.workers.active + o.workers.starting;
const size = (p: PoolView): number => p.active + p.starting;

/** Keeps the worker counts it starts with. */
export const staticPolicy: PlannerPolicy = {
  name: 'static',
  decide: (o) => (o.mode === 'agg' ? { workers: current(o) } : { prefill: size(o.prefill!), decode: size(o.decode!) }),
};

/**
 * +1 if any worker's load is over `up` (or at it, for `inclusive`), −1 if every worker's load is under
 * `down` (or at it) and the pool is above its minimum.
 */
function step(n: number, min: number, workers: readonly WorkerLoadView[], load: (w: WorkerLoadView) => number, up: number, down: number, inclusive = false): number {
  if (workers.length === 0) return n;
  let anyOver = false, allUnder = true;
  for (const w of workers) {
    const x = load(w);
    if (inclusive ? x >= up : x > up) anyOver = true;
    if (!(inclusive ? x <= down : x < down)) allUnder = false;
  }
  if (anyOver) return n + 1;
  if (allUnder && n > min) return n - 1;
  return n;
}

/** A pass's time by the model, clamped like Dynamo's predictions. */
function passMs(m: PassModel, prefill: number, attention: number, decodeKv: number): number {
  return Math.max(1e-6, m.intercept + m.perPrefillToken * prefill + m.perAttentionWork * attention + m.perDecodeKvToken * decodeKv);
}

/** Time to prefill one prompt of `tokens` (uncached) in pass-sized chunks next to `decodeKv` decode tokens. */
function promptMs(m: PassModel, tokens: number, chunk: number, decodeKv: number): number {
  let ms = 0;
  for (let start = 0; start < tokens; start += chunk) {
    const end = Math.min(tokens, start + chunk);
    ms += passMs(m, end - start, end * end - start * start, decodeKv);
  }
  return ms;
}

/**
 * TTFT of a request arriving now at a worker with `queued` prompt tokens waiting: the queue (as mean
 * prompts) and then the request itself, each prefilled in chunks.
 */
function ttftMs(m: PassModel, queued: number, isl: number, hit: number, chunk: number, decodeKv: number): number {
  const eff = Math.max(1, isl * (1 - hit));
  return (queued * (1 - hit) / eff + 1) * promptMs(m, eff, chunk, decodeKv);
}

/**
 * Dynamo's load-based planner in "easy mode" (aggregated): per routable worker, load = (running +
 * queued decode context + queued prefill tokens) / KV capacity. One more worker if any load is over
 * the up threshold, one fewer if every load is under the down threshold (throughput target: 1.0 / 0.6;
 * latency target: 0.4 / 0.1). Observes only while no worker is starting, as Dynamo does.
 */
export function dynamoLoadPolicy(target: 'throughput' | 'latency'): PlannerPolicy {
  const up = target === 'throughput' ? 1.0 : 0.4;
  const down = target === 'throughput' ? 0.6 : 0.1;
  // disaggregated prefill: queued prompt tokens over KV capacity; up past 1.0 / 0.1, down under 0.1 / at 0
  const pUp = target === 'throughput' ? 1.0 : 0.1;
  const pDown = target === 'throughput' ? 0.1 : 0;
  const decodeLoad = (w: WorkerLoadView): number => (w.runningKvTokens + w.queuedDecodeKvTokens) / w.capacityKvTokens;
  return {
    name: 'dynamo-load',
    decide(o): PlannerDecision {
      if (o.mode === 'disagg') {
        const p = o.prefill!, d = o.decode!;
        const prefill = !o.loadTick || p.starting > 0 ? size(p)
          : step(size(p), o.workers.min, p.perWorker, (w) => w.queuedPrefillTokens / w.capacityKvTokens, pUp, pDown, true);
        const decode = !o.loadTick || d.starting > 0 ? size(d) : step(size(d), o.workers.min, d.perWorker, decodeLoad, up, down);
        return { prefill, decode };
      }
      const n = current(o);
      if (!o.loadTick || o.workers.starting > 0) return { workers: n };
      return { workers: step(n, o.workers.min, o.perWorker, (w) => decodeLoad(w) + w.queuedPrefillTokens / w.capacityKvTokens, up, down) };
    },
  };
}

/**
 * Dynamo's SLA planner (aggregated). At load ticks it estimates, per routable worker, the TTFT of a
 * request arriving now (its queued prefill plus a mean prompt, minus the cache hit share, cut into
 * pass-sized chunks priced by the fitted pass-time model) and takes its ITL over the window (the mean
 * pass its tokens waited for; Dynamo estimates it from the model, which on long-context traffic
 * misses how long prefill chunks stall decoding): one more worker if every worker misses a target,
 * one fewer if, with one worker fewer (load × n/(n−1)), every worker would stay under 80% of both on
 * DOWN_OBSERVATIONS consecutive load ticks. At throughput ticks it sizes a lower bound from the arrival rate and the largest
 * batch one worker can serve within the targets. No decision while a worker is starting or before
 * the pass-time model is fitted.
 */
/** Consecutive load ticks that must agree before a scale-down (Dynamo's load_min_observations). */
export const DOWN_OBSERVATIONS = 5;

export function dynamoSlaPolicy(): PlannerPolicy {
  let lowerBound = 0;
  let isl = 0, osl = 0;
  let downVotes = 0;
  return {
    name: 'dynamo-sla',
    decide(o): PlannerDecision {
      if (o.traffic.completed > 0) {
        isl = o.traffic.meanIsl;
        osl = o.traffic.meanOsl;
      }
      if (o.mode === 'disagg') return disaggSla(o, isl);
      const n = current(o);
      const m = o.passModel;
      if (m === null || isl === 0 || o.workers.starting > 0) return { workers: Math.max(n, lowerBound) };
      const hit = Math.min(Math.max(o.traffic.kvHitRate, 0), 0.95);
      const mbt = o.engine.maxNumBatchedTokens;
      const ttftOf = (queued: number, kv: number): number => ttftMs(m, queued, isl, hit, mbt, kv);
      if (o.throughputTick && o.traffic.requestRate > 0) {
        const ctx = isl + osl / 2;
        const effIsl = isl * (1 - hit);
        const cap = Math.max(1, Math.min(Math.floor(o.engine.kvCapacityTokens / Math.max(1, ctx)), o.engine.maxNumSeqs, mbt - 1));
        let bestRps = 0;
        for (let bs = 1; bs <= cap; bs++) {
          const prefillPerPass = Math.min((bs * effIsl) / Math.max(1, osl), mbt);
          const itl = passMs(m, prefillPerPass, prefillPerPass * prefillPerPass, bs * ctx);
          if (itl > o.sla.itlMs || ttftOf(0, bs * ctx) > o.sla.ttftMs) break;
          bestRps = (bs * 1000) / (Math.max(1, osl) * itl);
        }
        lowerBound = bestRps > 0 ? Math.ceil(o.traffic.requestRate / bestRps) : o.workers.max;
      }
      if (!o.loadTick || o.perWorker.length === 0) return { workers: Math.max(n, lowerBound) };
      let allTtftOver = true, allItlOver = true, allUnder = true;
      // with one worker fewer, each remaining worker carries n/(n−1) of the load
      const shrink = n > 1 ? n / (n - 1) : Infinity;
      for (const w of o.perWorker) {
        const ttft = ttftOf(w.queuedPrefillTokens, w.runningKvTokens);
        // the worker's measured inter-token latency in the window; the model's mean pass if it emitted nothing
        const itl = w.windowTokens > 0 ? w.windowItlMs : passMs(m, o.passes.meanPrefillTokens, o.passes.meanAttentionWork, w.runningKvTokens + w.queuedDecodeKvTokens);
        if (!(ttft > o.sla.ttftMs)) allTtftOver = false;
        if (!(itl > o.sla.itlMs)) allItlOver = false;
        if (!(ttft * shrink < 0.8 * o.sla.ttftMs && itl * shrink < 0.8 * o.sla.itlMs)) allUnder = false;
      }
      let want = n;
      downVotes = allUnder ? downVotes + 1 : 0;
      if (allTtftOver || allItlOver) want = n + 1;
      else if (downVotes >= DOWN_OBSERVATIONS && n > o.workers.min) {
        want = n - 1;
        downVotes = 0;
      }
      return { workers: Math.max(want, lowerBound) };
    },
  };
}

/**
 * SLA scaling of a disaggregated cluster, per pool: the prefill side against the TTFT target (queued
 * prompt tokens plus a mean prompt, minus cache hits, chunked and priced by the prefill pool's model),
 * the decode side against the ITL target (a decode pass over the worker's context, by the decode
 * pool's model). A pool keeps its size while it has a worker starting or no fitted model.
 */
function disaggSla(o: PlannerObservation, isl: number): PlannerDecision {
  const p = o.prefill!, d = o.decode!;
  let prefill = size(p), decode = size(d);
  if (!o.loadTick) return { prefill, decode };
  const hit = Math.min(Math.max(o.traffic.kvHitRate, 0), 0.95);
  const pm = p.passModel, dm = d.passModel;
  if (pm !== null && isl > 0 && p.starting === 0) {
    const ttft = (w: WorkerLoadView): number => ttftMs(pm, w.queuedPrefillTokens, isl, hit, o.engine.maxNumBatchedTokens, 0);
    if (p.perWorker.every((w) => ttft(w) > o.sla.ttftMs)) prefill++;
    else if (prefill > o.workers.min && p.perWorker.every((w) => ttft(w) < 0.8 * o.sla.ttftMs)) prefill--;
  }
  if (dm !== null && d.starting === 0) {
    const itl = (w: WorkerLoadView): number => (w.windowTokens > 0 ? w.windowItlMs : passMs(dm, 0, 0, w.runningKvTokens + w.queuedDecodeKvTokens));
    if (d.perWorker.every((w) => itl(w) > o.sla.itlMs)) decode++;
    else if (decode > o.workers.min && d.perWorker.every((w) => itl(w) < 0.8 * o.sla.itlMs)) decode--;
  }
  return { prefill, decode };
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
