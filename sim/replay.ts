import { Cluster } from './cluster/cluster.js';
import type { FaultPlan, PoolRole, PoolSpec } from './cluster/pool.js';
import { WorkloadDriver } from './cluster/workload-driver.js';
import { Prng } from './core/prng.js';
import type { Engine } from './engine/engine.js';
import { speedDivisors, type EngineArgs } from './engine/engine-args.js';
import { KvEventLog } from './contracts/kv-events.js';
import { buildPromptBlocks } from './workload/prompt-blocks.js';
import { RequestTable } from './engine/request-table.js';
import { SglangEngine } from './engine/sglang-engine.js';
import { VllmEngine } from './engine/vllm-engine.js';
import { AdmissionsOnly, Collector } from './metrics/collector.js';
import { buildReport, type Report, type SlaBounds } from './metrics/report.js';
import { KvRouter } from './router/kv-router.js';
import type { KvRouterConfig } from './router/router-config.js';
import type { RouterPolicy } from './contracts/router-views.js';
import type { EvictionModule } from './contracts/eviction-views.js';
import type { Router } from './router/router.js';
import { RandomRouter, RoundRobinRouter } from './router/simple-routers.js';
import type { TimingModel } from './timing/timing-model.js';
import type { PlannerPolicy } from './contracts/planner-views.js';
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
  /**
   * Front-end time of every request, ms: from its send (where TTFT starts) until the engines see it
   * (HTTP, tokenisation, hand-off to the engine process). Timestamp mode only; default 0.
   */
  frontendMs?: number;
  /** GPUs per worker (tensor parallelism), for GPU-seconds. */
  gpusPerWorker: number;
  sla?: SlaBounds;
  /**
   * Disaggregated prefill/decode pools instead of `workers` aggregated ones: each pool's worker
   * count and engine args (worker_type is set here), and the KV handoff's bandwidth (GB/s) and size
   * (bytes per prompt token); the handoff takes isl × bytes ÷ bandwidth.
   */
  disagg?: {
    prefillWorkers: number;
    decodeWorkers: number;
    prefillEngine: EngineArgs;
    decodeEngine: EngineArgs;
    kvTransferBandwidthGBs: number | null;
    kvBytesPerToken: number | null;
    /** Pass times of the prefill pool when its hardware or layout differs from the decode pool's (default: `timing`). */
    prefillTiming?: TimingModel;
  };
  /** A router policy module: its cost function replaces Dynamo's in the kv router (any router mode). */
  routerPolicy?: RouterPolicy;
  /** A KV eviction policy module: its priority orders evictions on every worker (vLLM engine). */
  evictionPolicy?: EvictionModule;
  /** Worker failures to inject (see FaultPlan); absent = none. */
  faults?: FaultPlan;
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
  const dis = cfg.disagg;
  if (dis) validateDisagg(cfg);
  const args = dis ? { ...dis.decodeEngine, worker_type: 'decode' as const } : cfg.engine;
  const prefillArgs = dis ? { ...dis.prefillEngine, worker_type: 'prefill' as const } : null;
  // SGLang caches tokens (page size 1 by default); the router indexes it in 64-token blocks at least,
  // since per-token block ids would be far too many.
  const blocks = buildPromptBlocks(workload, args.engine_type === 'sglang' ? Math.max(64, args.block_size) : args.block_size);
  const table = new RequestTable(workload, blocks, (prefillArgs ?? args).enable_prefix_caching);
  const plan = cfg.planner;
  // draining workers keep their slot until empty, so leave room for a full set of new ones
  const spare = cfg.faults ? cfg.faults.atMs.length + (cfg.faults.perWorkerHour > 0 ? cfg.workers : 0) : 0;
  const aggSlots = (plan ? cfg.workers + 2 * plan.config.maxWorkers : cfg.workers) + spare;
  const prefillSlots = dis ? dis.prefillWorkers + spare + (plan ? 2 * plan.config.maxWorkers : 0) : 0;
  const decodeSlots = dis ? dis.decodeWorkers + spare + (plan ? 2 * plan.config.maxWorkers : 0) : 0;
  const collector = new Collector(workload.count, dis ? prefillSlots + decodeSlots : aggSlots);
  const hidden = new AdmissionsOnly(collector);
  const driver = new WorkloadDriver(workload, cfg.arrivalSpeedupRatio, cfg.concurrency, cfg.frontendMs ?? 0);
  if (plan) {
    const counts = dis ? [dis.prefillWorkers, dis.decodeWorkers] : [cfg.workers];
    const total = counts.reduce((a, b) => a + b, 0);
    if (counts.some((n) => n < plan.config.min_endpoint) || total > plan.config.maxWorkers) {
      throw new Error(`starting workers (${counts.join(' + ')}) must be within the planner's bounds: at least ${plan.config.min_endpoint} per pool, at most ${plan.config.maxWorkers} in all`);
    }
  }
  const passSinks: (PassSink | null)[] = [null, null];
  const prefillTiming = dis?.prefillTiming ?? cfg.timing;
  const timingOf = (role: PoolRole): TimingModel => (role === 'prefill' ? prefillTiming : cfg.timing);
  const engineMaker = (a: EngineArgs, role: PoolRole) => (w: number): Engine => {
    // only the side that computes prompts publishes KV events (Dynamo: prefill workers in disagg)
    const events = (cfg.router === 'kv' || cfg.routerPolicy) && role !== 'decode' ? new KvEventLog() : null;
    const recorder = role === 'prefill' ? hidden : collector;
    let e: Engine;
    if (a.engine_type === 'vllm' || a.engine_type === 'trtllm') {
      const v = new VllmEngine(w, a, table, timingOf(role), recorder, events, cfg.evictionPolicy ?? null);
      v.fastForward = cfg.fastForward ?? true;
      e = v;
    } else if (a.engine_type === 'sglang') {
      if (cfg.evictionPolicy) throw new Error('eviction policy modules need the vllm engine (the SGLang radix cache evicts least recently used leaves)');
      const g = new SglangEngine(w, a, table, timingOf(role), recorder, events, workload, blocks);
      g.matchBeforeChunk = a.sglang.match_before_chunk;
      e = g;
    } else throw new Error(`engine_type "${a.engine_type}" is not available`);
    e.stats.sink = passSinks[role === 'decode' ? 1 : 0]!;
    return e;
  };
  const kvBlocksOf = (a: EngineArgs): number => (a.num_gpu_blocks * a.block_size) / blocks.blockSize;
  const specs: PoolSpec[] = dis
    ? [
      { role: 'prefill', initial: dis.prefillWorkers, slots: prefillSlots, makeEngine: engineMaker(prefillArgs!, 'prefill'), kvBlocks: kvBlocksOf(prefillArgs!), kvBlockSize: blocks.blockSize },
      { role: 'decode', initial: dis.decodeWorkers, slots: decodeSlots, makeEngine: engineMaker(args, 'decode'), kvBlocks: kvBlocksOf(args), kvBlockSize: blocks.blockSize },
    ]
    : [{
      role: 'agg', initial: cfg.workers, slots: aggSlots,
      makeEngine: engineMaker(args, 'agg'), kvBlocks: kvBlocksOf(args), kvBlockSize: blocks.blockSize,
    }];
  const handoffMsPerToken = dis && dis.kvBytesPerToken && dis.kvTransferBandwidthGBs ? (dis.kvBytesPerToken / (dis.kvTransferBandwidthGBs * 1e9)) * 1000 : 0;
  const cluster = new Cluster(specs, table, collector, driver, handoffMsPerToken);
  for (const pool of cluster.pools) {
    const a = pool.role === 'prefill' ? prefillArgs! : args;
    const timing = timingOf(pool.role);
    const rng = root.split(pool.role === 'agg' ? 'router' : `router-${pool.role}`);
    let router: Router;
    // a router policy module replaces the router of every pool but the decode one (any router mode)
    const custom = pool.role !== 'decode' ? cfg.routerPolicy : undefined;
    if (custom || cfg.router === 'kv') {
      const rc = routerConfigFor(pool.role, cfg.routerConfig);
      const div = speedDivisors(a).prefill;
      // a policy module's router has no prefill-time estimate
      const estimate = !custom && rc.router_prefill_load_model === 'timing' && pool.role !== 'decode'
        ? (isl: number, cached: number) => timing.prefillMs(1, isl, cached, isl * isl - cached * cached) / div
        : null;
      router = new KvRouter(rc, blocks, pool.workers, workload.inputLength, driver.arrival, passTokensOf(a), rng, estimate,
        custom ? custom.instantiate() : null, custom ? custom.name : 'kv', workload.outputLength);
    } else if (cfg.router === 'round_robin') router = new RoundRobinRouter(pool.workers);
    else if (cfg.router === 'random') router = new RandomRouter(pool.workers, rng);
    else throw new Error(`unknown router mode ${JSON.stringify(cfg.router)}`);
    cluster.setRouter(router, pool.index);
  }
  if (cfg.faults) {
    const f = cfg.faults;
    if (f.atMs.some((t) => !(t >= 0 && Number.isFinite(t)))) throw new Error('failure times must be finite and >= 0 ms');
    if (!(f.perWorkerHour >= 0 && Number.isFinite(f.perWorkerHour))) throw new Error(`failure rate must be >= 0 per worker-hour, got ${f.perWorkerHour}`);
    // with a planner, replacing capacity is the planner's job
    cluster.setFaults(plan ? { ...f, replaceAfterMs: null } : f, root.split('faults'));
  }
  const kvTokens = args.num_gpu_blocks * args.block_size;
  let planner: Planner | null = null;
  if (plan) {
    const mbt = passTokensOf(args) ?? 8192;
    planner = new Planner(cluster, plan.config, plan.policy, collector, workload.inputLength, workload.outputLength, {
      maxNumBatchedTokens: mbt,
      maxNumSeqs: args.max_num_seqs ?? Infinity,
      kvCapacityTokens: kvTokens,
    }, (pool, sample) => bootstrapPassModel(cluster.pools[pool]!.role, pool === 0 && prefillArgs ? prefillArgs : args,
      timingOf(cluster.pools[pool]!.role), mbt, sample));
    for (const pool of cluster.pools) {
      const sink = planner.sinkFor(pool.index);
      passSinks[pool.role === 'decode' ? 1 : 0] = sink;
      for (let k = 0; k < pool.workers.capacity; k++) {
        const e = cluster.engines[pool.base + k];
        if (e) e.stats.sink = sink;
      }
    }
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
    workers: dis ? dis.prefillWorkers + dis.decodeWorkers : cfg.workers,
    gpusPerWorker: cfg.gpusPerWorker,
    workerMs: cluster.pools.reduce((ms, p) => ms + p.workers.workerMs, 0),
    extra: {
      ...(planner === null ? {} : {
        scale_up_events: cluster.scaleUps,
        scale_down_events: cluster.scaleDowns,
        planner_ticks: planner.tickCount,
        max_workers: planner.maxLiveWorkers,
      }),
      ...(cfg.faults ? {
        worker_failures: cluster.failures,
        requests_migrated: cluster.migrated,
        recompute_tokens: cluster.lost.tokens,
      } : {}),
      ...(dis ? {
        num_prefill_workers: dis.prefillWorkers,
        num_decode_workers: dis.decodeWorkers,
        kv_handoffs: cluster.handoffCount,
        prefill_worker_seconds: cluster.workerMs(0) / 1000,
        decode_worker_seconds: cluster.workerMs(1) / 1000,
      } : {}),
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

/** Tokens one pass computes at most: SGLang's prefill chunk, vLLM's token budget (null: unlimited). */
function passTokensOf(a: EngineArgs): number | null {
  return a.engine_type === 'sglang' ? a.sglang.chunked_prefill_size : a.max_num_batched_tokens;
}

/** Dynamo's derived router settings per pool: prefill ignores decode load, decode ignores the cache. */
function routerConfigFor(role: PoolRole, base: KvRouterConfig): KvRouterConfig {
  if (role === 'prefill') return { ...base, router_track_active_blocks: false };
  if (role === 'decode') {
    return { ...base, overlap_score_credit: 0, router_assume_kv_reuse: false, router_track_prefill_tokens: false, router_prefill_load_model: 'none', router_queue_threshold: null };
  }
  return base;
}

function validateDisagg(cfg: ReplayConfig): void {
  const d = cfg.disagg!;
  for (const [name, n] of [['prefill workers', d.prefillWorkers], ['decode workers', d.decodeWorkers]] as const) {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`disaggregated serving needs at least one of each pool: ${name} = ${n}`);
  }
  if (d.prefillEngine.block_size !== d.decodeEngine.block_size) {
    throw new Error(`disaggregated pools need equal KV block sizes: prefill ${d.prefillEngine.block_size}, decode ${d.decodeEngine.block_size}`);
  }
  if (d.prefillEngine.engine_type !== d.decodeEngine.engine_type) {
    throw new Error(`disaggregated pools need the same engine: prefill ${d.prefillEngine.engine_type}, decode ${d.decodeEngine.engine_type}`);
  }
  if (d.kvTransferBandwidthGBs !== null && !(d.kvTransferBandwidthGBs > 0)) throw new Error(`KV transfer bandwidth must be > 0 GB/s, got ${d.kvTransferBandwidthGBs}`);
}

/**
 * Pass samples priced by the timing model, to seed a pool's pass-time regression before it has seen
 * real passes (Dynamo seeds its planner from AI Configurator the same way): prefill chunks at several
 * sizes and depths, decode batches at several sizes and contexts.
 */
function bootstrapPassModel(role: PoolRole, a: EngineArgs, timing: TimingModel, mbt: number,
  sample: (prefill: number, attention: number, decodeKv: number, ms: number) => void): void {
  const { prefill: pdiv, decode: ddiv } = speedDivisors(a);
  const total = a.num_gpu_blocks * a.block_size;
  if (role !== 'decode') {
    for (const chunk of [mbt / 16, mbt / 4, mbt / 2, mbt]) {
      for (const depth of [0, 2 * mbt, 8 * mbt]) {
        const end = depth + chunk;
        sample(chunk, end * end - depth * depth, 0, timing.prefillMs(1, end, depth, end * end - depth * depth) / pdiv);
      }
    }
  }
  if (role !== 'prefill') {
    for (const batch of [1, 8, 32]) {
      for (const ctx of [1000, 4000, 16000]) {
        const kv = Math.min(batch * ctx, total);
        sample(0, 0, batch * ctx, timing.decodeMs(batch, kv, batch * ctx, total) / ddiv);
      }
    }
  }
}
