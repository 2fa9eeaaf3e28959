import type { Collector } from './collector.js';
import { sortOrder } from './radix-order.js';
import { DIST_KEYS, distOf, weightedDistOf, type Dist } from './stats.js';

/** SLA bounds for goodput: a request counts if it meets every bound given. */
export interface SlaBounds {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

/** Facts the report needs besides the collector. */
export interface ReportContext {
  inputLength: Int32Array;
  outputLength: Int32Array;
  preemptions: Int32Array;
  workers: number;
  gpusPerWorker: number;
  /** Σ over workers of the time each was alive (cold start and draining included); default workers × duration. */
  workerMs?: number;
  /** More keys to add to the report (e.g. the planner's). */
  extra?: Record<string, number>;
  sla?: SlaBounds;
}

/** Flat report with Dynamo's replay keys (and a few of ours); values are plain numbers. */
export type Report = Record<string, number>;

/**
 * Builds the report (Dynamo's TraceCollector.finish): a request counts as completed once admitted
 * and with at least one token; throughput is over the simulated duration (last token time).
 */
export function buildReport(c: Collector, ctx: ReportContext): Report {
  const n = c.n;
  const ttft = new Float64Array(n), ttst = new Float64Array(n), tpot = new Float64Array(n), e2e = new Float64Array(n);
  let nT = 0, nS = 0, nP = 0, nE = 0;
  let completed = 0, arrived = 0, rejected = 0, inTok = 0, outTok = 0, reusedTok = 0, duration = 0, preempt = 0, good = 0;
  const sla = ctx.sla;
  for (let r = 0; r < n; r++) {
    if (!Number.isNaN(c.arrival[r]!)) arrived++;
    if (c.rejected[r]) rejected++;
    if (Number.isNaN(c.firstAdmit[r]!) || c.tokens[r]! < 1) continue;
    completed++;
    inTok += ctx.inputLength[r]!;
    outTok += ctx.outputLength[r]!;
    reusedTok += c.reused[r]!;
    preempt += ctx.preemptions[r]!;
    const a = c.arrival[r]!;
    const t1 = Math.max(0, c.first[r]! - a);
    const tE = Math.max(0, c.last[r]! - a);
    ttft[nT++] = t1;
    e2e[nE++] = tE;
    if (c.last[r]! > duration) duration = c.last[r]!;
    let tp = NaN;
    if (c.tokens[r]! >= 2) {
      ttst[nS++] = c.second[r]! - c.first[r]!;
      tp = (c.last[r]! - c.first[r]!) / (c.tokens[r]! - 1);
      tpot[nP++] = tp;
    }
    if (sla && (sla.ttftMs === undefined || t1 <= sla.ttftMs) && (sla.e2eMs === undefined || tE <= sla.e2eMs)
      && (sla.tpotMs === undefined || Number.isNaN(tp) || tp <= sla.tpotMs)) good++;
  }
  c.flush();
  const gapOrder = sortOrder(c.gapValues, c.gapRuns);
  const itl = weightedDistOf(c.gapValues, c.gapCounts, c.gapRuns, undefined, gapOrder);
  // 1000/gap over every gap > 0: the tokens per second a user sees between two tokens
  const perUser = weightedDistOf(c.gapValues, c.gapCounts, c.gapRuns, (g) => (g > 0 ? 1000 / g : NaN), gapOrder);
  const durS = Math.max(duration / 1000, 1e-9);
  const rep: Report = {
    num_requests: arrived,
    completed_requests: completed,
    rejected_requests: rejected,
    total_input_tokens: inTok,
    total_output_tokens: outTok,
    duration_ms: duration,
    request_throughput_rps: completed / durS,
    input_throughput_tok_s: inTok / durS,
    output_throughput_tok_s: outTok / durS,
    total_throughput_tok_s: (inTok + outTok) / durS,
    prefix_cache_reused_ratio: inTok > 0 ? reusedTok / inTok : 0,
    num_preemptions: preempt,
    num_workers: ctx.workers,
    gpu_seconds: ctx.gpusPerWorker * (ctx.workerMs ?? ctx.workers * duration) / 1000,
  };
  rep.gpu_hours = rep.gpu_seconds! / 3600;
  rep.mean_workers = duration > 0 ? (ctx.workerMs ?? ctx.workers * duration) / duration : ctx.workers;
  if (ctx.extra) Object.assign(rep, ctx.extra);
  put(rep, 'ttft', '_ms', distOf(ttft, nT));
  put(rep, 'ttst', '_ms', distOf(ttst, nS));
  put(rep, 'tpot', '_ms', distOf(tpot, nP));
  put(rep, 'itl', '_ms', itl);
  put(rep, 'e2e_latency', '_ms', distOf(e2e, nE));
  rep.max_itl_ms = itl.max;
  put(rep, 'output_token_throughput_per_user', '', perUser);
  if (sla) {
    rep.goodput_requests = good;
    rep.goodput_rps = good / durS;
    rep.sla_attainment = completed > 0 ? good / completed : 0;
  }
  return rep;
}

function put(rep: Report, name: string, suffix: string, d: Dist): void {
  for (const k of DIST_KEYS) rep[`${k}_${name}${suffix}`] = d[k];
}

/** JSON with sorted keys, two-space indent, as Dynamo writes its report. */
export function reportJson(rep: Report): string {
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(rep).sort()) sorted[k] = rep[k]!;
  return JSON.stringify(sorted, null, 2) + '\n';
}
