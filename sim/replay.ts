import { Cluster } from './cluster/cluster.js';
import { WorkloadDriver } from './cluster/workload-driver.js';
import { Prng } from './core/prng.js';
import type { Engine } from './engine/engine.js';
import type { EngineArgs } from './engine/engine-args.js';
import { KvEventLog } from './engine/kv-events.js';
import { buildPromptBlocks } from './engine/prompt-blocks.js';
import { RequestTable } from './engine/request-table.js';
import { SglangEngine } from './engine/sglang-engine.js';
import { VllmEngine } from './engine/vllm-engine.js';
import { Collector } from './metrics/collector.js';
import { buildReport, type Report, type SlaBounds } from './metrics/report.js';
import { KvRouter } from './router/kv-router.js';
import type { KvRouterConfig } from './router/router-config.js';
import type { Router } from './router/router.js';
import { RandomRouter, RoundRobinRouter } from './router/simple-routers.js';
import type { TimingModel } from './timing/timing-model.js';
import type { PlannerPolicy } from './planner/observation.js';
import { Planner } from './planner/planner.js';
import type { ResolvedPlannerConfig } from './planner/planner-config.js';
import type { PassSink } from './engine/pass-stats.js';
import { checkWorkload, type Workload } from './workload/workload.js';

export type RouterMode = 'round_robin' | 'random' | 'kv';

export interface ReplayConfig {
  /** Aggregated workers (each one model replica). */
  workers: number;
  /** Resolved engine args (see resolveEngineArgs). */
  engine: EngineArgs;
  timing: TimingModel;
  router: RouterMode;
  /** Resolved KV router config (see resolveKvRouterConfig); used by the kv router. */
  routerConfig: KvRouterConfig;
  seed: number;
  /** Divides trace timestamps and inter-turn delays. */
  arrivalSpeedupRatio: number;
  /** Closed-loop cap on requests in flight; null = replay timestamps. */
  concurrency: number | null;
  /** GPUs per worker (tensor parallelism), for GPU-seconds. */
  gpusPerWorker: number;
  sla?: SlaBounds;
  /** Autoscaling: a planner policy and its resolved settings; absent = a fixed number of workers. */
  planner?: { policy: PlannerPolicy; config: ResolvedPlannerConfig };
  /** Fast-forward runs of identical decode passes (exact; off only to cross-check). Default true. */
  fastForward?: boolean;
  /** Called now and then with requests finished so far and the simulated time. */
  onProgress?: (finished: number, total: number, nowMs: number) => void;
}

export interface ReplayResult {
  report: Report;
  /** Forward passes simulated. */
  passes: number;
  /** Per request (workload order): worker it ran on (-1 if rejected), arrival, first admission, first and last token (ms; NaN if none). */
  requests: {
    worker: Int32Array;
    arrivalMs: Float64Array;
    firstAdmitMs: Float64Array;
    firstTokenMs: Float64Array;
    lastTokenMs: Float64Array;
  };
}

export function runReplay(workload: Workload, cfg: ReplayConfig): ReplayResult {
  const problem = checkWorkload(workload);
  if (problem) throw new Error(`invalid workload ${workload.name}: ${problem}`);
  if (!(Number.isInteger(cfg.workers) && cfg.workers >= 1)) throw new Error(`workers must be an integer >= 1, got ${cfg.workers}`);
  const root = new Prng(cfg.seed);
  const args = cfg.engine;
  // SGLang caches tokens (page size 1 by default); the router indexes it in 64-token blocks at least,
  // since per-token block ids would be far too many.
  const blocks = buildPromptBlocks(workload, args.engine_type === 'sglang' ? Math.max(64, args.block_size) : args.block_size);
  const table = new RequestTable(workload, blocks, args.enable_prefix_caching);
  const collector = new Collector(workload.count, cfg.workers);
  const driver = new WorkloadDriver(workload, cfg.arrivalSpeedupRatio, cfg.concurrency);
  const wantsEvents = cfg.router === 'kv';
  const plan = cfg.planner;
  if (plan && (cfg.workers < plan.config.min_endpoint || cfg.workers > plan.config.maxWorkers)) {
    throw new Error(`workers (${cfg.workers}) must be within the planner's bounds [${plan.config.min_endpoint}, ${plan.config.maxWorkers}]`);
  }
  // draining workers keep their slot until empty, so leave room for a full set of new ones
  const slots = plan ? cfg.workers + 2 * plan.config.maxWorkers : cfg.workers;
  let passSink: PassSink | null = null;
  const makeEngine = (w: number): Engine => {
    const events = wantsEvents ? new KvEventLog() : null;
    let e: Engine;
    if (args.engine_type === 'vllm') {
      const v = new VllmEngine(w, args, table, cfg.timing, collector, events);
      v.fastForward = cfg.fastForward ?? true;
      e = v;
    } else if (args.engine_type === 'sglang') {
      const g = new SglangEngine(w, args, table, cfg.timing, collector, events, workload, blocks);
      g.matchBeforeChunk = args.sglang.match_before_chunk;
      e = g;
    } else throw new Error(`engine_type "${args.engine_type}" is not available`);
    e.stats.sink = passSink;
    return e;
  };
  const kvTokens = args.num_gpu_blocks * args.block_size;
  const cluster = new Cluster(cfg.workers, slots, makeEngine, table, collector, driver, kvTokens / blocks.blockSize, blocks.blockSize);
  const ws = cluster.workers;
  let router: Router;
  if (cfg.router === 'round_robin') router = new RoundRobinRouter(ws, cluster.dispatch);
  else if (cfg.router === 'random') router = new RandomRouter(ws, root.split('router'), cluster.dispatch);
  else if (cfg.router === 'kv') {
    const timing = cfg.timing;
    const div = args.speedup_ratio > 0 ? args.speedup_ratio : 1;
    const estimate = cfg.routerConfig.router_prefill_load_model === 'timing'
      ? (isl: number, cached: number) => timing.prefillMs(1, isl, cached, isl * isl - cached * cached) / div
      : null;
    const passTokens = args.engine_type === 'sglang' ? args.sglang.chunked_prefill_size : args.max_num_batched_tokens;
    router = new KvRouter(cfg.routerConfig, blocks, ws, workload.inputLength, driver.arrival,
      passTokens, root.split('router'), cluster.dispatch, estimate);
  } else throw new Error(`unknown router mode ${JSON.stringify(cfg.router)}`);
  cluster.setRouter(router);
  let planner: Planner | null = null;
  if (plan) {
    planner = new Planner(cluster, plan.config, plan.policy, collector, workload.inputLength, workload.outputLength, {
      maxNumBatchedTokens: args.engine_type === 'sglang' ? args.sglang.chunked_prefill_size : args.max_num_batched_tokens ?? Infinity,
      maxNumSeqs: args.max_num_seqs ?? Infinity,
      kvCapacityTokens: kvTokens,
    });
    passSink = planner.passSink;
    for (const e of cluster.engines) if (e !== null) e.stats.sink = passSink;
    cluster.setAgent(planner);
    cluster.listener = planner;
  }
  if (cfg.onProgress) {
    const cb = cfg.onProgress;
    cluster.onProgress = (finished, now) => cb(finished, workload.count, now);
  }
  cluster.run();
  cluster.checkInvariants();
  const report = buildReport(collector, {
    inputLength: workload.inputLength,
    outputLength: workload.outputLength,
    preemptions: table.preemptions,
    workers: cfg.workers,
    gpusPerWorker: cfg.gpusPerWorker,
    workerMs: ws.workerMs,
    extra: planner === null ? undefined : {
      scale_up_events: cluster.scaleUps,
      scale_down_events: cluster.scaleDowns,
      planner_ticks: planner.tickCount,
      max_workers: planner.maxLiveWorkers,
    },
    sla: cfg.sla,
  });
  return {
    report,
    passes: cluster.passes,
    requests: {
      worker: table.worker,
      arrivalMs: collector.arrival,
      firstAdmitMs: collector.firstAdmit,
      firstTokenMs: collector.first,
      lastTokenMs: collector.last,
    },
  };
}
