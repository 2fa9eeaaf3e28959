import { Cluster } from './cluster/cluster.js';
import type { PoolRole, PoolSpec } from './cluster/pool.js';
import { WorkloadDriver } from './cluster/workload-driver.js';
import { KvEventLog } from './contracts/kv-events.js';
import { Prng } from './core/prng.js';
import type { Engine } from './engine/engine.js';
import { speedDivisors, type EngineArgs } from './engine/engine-args.js';
import type { PassSink } from './engine/pass-stats.js';
import { RequestTable } from './engine/request-table.js';
import { SglangEngine } from './engine/sglang-engine.js';
import { VllmEngine } from './engine/vllm-engine.js';
import { AdmissionsOnly, Collector } from './metrics/collector.js';
import { Planner } from './planner/planner.js';
import type { ReplayConfig } from './replay-config.js';
import { KvRouter } from './router/kv-router.js';
import type { KvRouterConfig } from './router/router-config.js';
import type { Router } from './router/router.js';
import { RandomRouter, RoundRobinRouter } from './router/simple-routers.js';
import type { TimingModel } from './timing/timing-model.js';
import { buildPromptBlocks, type PromptBlocks } from './workload/prompt-blocks.js';
import { checkWorkload, type Workload } from './workload/workload.js';

/** A cluster ready to run, and what the report is built from. */
export interface Assembly {
  cluster: Cluster;
  planner: Planner | null;
  collector: Collector;
  table: RequestTable;
}

/** What the assembly steps share: the configuration resolved per pool. */
interface Parts {
  workload: Workload;
  cfg: ReplayConfig;
  root: Prng;
  /** Engine args of the aggregated pool, or of the decode pool. */
  args: EngineArgs;
  /** Engine args of the prefill pool (disaggregated only). */
  prefillArgs: EngineArgs | null;
  blocks: PromptBlocks;
  table: RequestTable;
  collector: Collector;
  driver: WorkloadDriver;
  timingOf: (role: PoolRole) => TimingModel;
  /** The planner's pass samplers (prefill or aggregated side, decode side), set once the planner exists. */
  passSinks: (PassSink | null)[];
}

/** Builds the cluster `cfg` describes for `workload`: pools and engines, routers, faults, planner. */
export function assemble(workload: Workload, cfg: ReplayConfig): Assembly {
  const p = parts(workload, cfg);
  const cluster = new Cluster(poolSpecs(p), p.table, p.collector, p.driver, handoffMsPerToken(cfg));
  attachRouters(cluster, p);
  if (cfg.faults) attachFaults(cluster, p);
  const planner = cfg.planner ? attachPlanner(cluster, p) : null;
  return { cluster, planner, collector: p.collector, table: p.table };
}

/** Checks the configuration and resolves what every later step reads. */
function parts(workload: Workload, cfg: ReplayConfig): Parts {
  const problem = checkWorkload(workload);
  if (problem) throw new Error(`invalid workload ${workload.name}: ${problem}`);
  if (!(Number.isInteger(cfg.workers) && cfg.workers >= 1)) throw new Error(`workers must be an integer >= 1, got ${cfg.workers}`);
  const dis = cfg.disagg;
  if (dis) validateDisagg(cfg);
  const args = dis ? { ...dis.decodeEngine, worker_type: 'decode' as const } : cfg.engine;
  const prefillArgs = dis ? { ...dis.prefillEngine, worker_type: 'prefill' as const } : null;
  // SGLang caches tokens (page size 1 by default); the router indexes it in 64-token blocks at least,
  // since per-token block ids would be far too many.
  const blocks = buildPromptBlocks(workload, args.engine_type === 'sglang' ? Math.max(64, args.block_size) : args.block_size);
  const table = new RequestTable(workload, blocks, (prefillArgs ?? args).enable_prefix_caching);
  const collector = new Collector(workload.count, totalSlots(cfg));
  const driver = new WorkloadDriver(workload, cfg.arrivalSpeedupRatio, cfg.concurrency, cfg.frontendMs ?? 0);
  const plan = cfg.planner;
  if (plan) {
    const counts = dis ? [dis.prefillWorkers, dis.decodeWorkers] : [cfg.workers];
    const total = counts.reduce((a, b) => a + b, 0);
    if (counts.some((n) => n < plan.config.min_endpoint) || total > plan.config.maxWorkers) {
      throw new Error(`starting workers (${counts.join(' + ')}) must be within the planner's bounds: at least ${plan.config.min_endpoint} per pool, at most ${plan.config.maxWorkers} in all`);
    }
  }
  const prefillTiming = dis?.prefillTiming ?? cfg.timing;
  return {
    workload, cfg, root: new Prng(cfg.seed), args, prefillArgs, blocks, table, collector, driver,
    timingOf: (role) => (role === 'prefill' ? prefillTiming : cfg.timing), passSinks: [null, null],
  };
}

/**
 * Worker slots per pool: the starting workers, room for a planner to double its largest cluster
 * (draining workers keep their slot until empty) and for replacements of failed workers.
 */
function slotsOf(cfg: ReplayConfig, initial: number): number {
  const plan = cfg.planner;
  const spare = cfg.faults ? cfg.faults.atMs.length + (cfg.faults.perWorkerHour > 0 ? cfg.workers : 0) : 0;
  return initial + spare + (plan ? 2 * plan.config.maxWorkers : 0);
}

function totalSlots(cfg: ReplayConfig): number {
  const dis = cfg.disagg;
  return dis ? slotsOf(cfg, dis.prefillWorkers) + slotsOf(cfg, dis.decodeWorkers) : slotsOf(cfg, cfg.workers);
}

/** The pools: one aggregated pool, or a prefill and a decode pool, each with its engine factory. */
function poolSpecs(p: Parts): PoolSpec[] {
  const { cfg, args, prefillArgs, blocks } = p;
  const dis = cfg.disagg;
  const kvBlocksOf = (a: EngineArgs): number => (a.num_gpu_blocks * a.block_size) / blocks.blockSize;
  return dis
    ? [
      { role: 'prefill', initial: dis.prefillWorkers, slots: slotsOf(cfg, dis.prefillWorkers), makeEngine: engineMaker(p, prefillArgs!, 'prefill'), kvBlocks: kvBlocksOf(prefillArgs!), kvBlockSize: blocks.blockSize },
      { role: 'decode', initial: dis.decodeWorkers, slots: slotsOf(cfg, dis.decodeWorkers), makeEngine: engineMaker(p, args, 'decode'), kvBlocks: kvBlocksOf(args), kvBlockSize: blocks.blockSize },
    ]
    : [{
      role: 'agg', initial: cfg.workers, slots: slotsOf(cfg, cfg.workers),
      makeEngine: engineMaker(p, args, 'agg'), kvBlocks: kvBlocksOf(args), kvBlockSize: blocks.blockSize,
    }];
}

/** A pool's engine factory: the engine its args name, fed by the shared request table. */
function engineMaker(p: Parts, a: EngineArgs, role: PoolRole): (w: number) => Engine {
  const { cfg } = p;
  const hidden = new AdmissionsOnly(p.collector);
  return (w) => {
    // only the side that computes prompts publishes KV events (Dynamo: prefill workers in disagg)
    const events = (cfg.router === 'kv' || cfg.routerPolicy) && role !== 'decode' ? new KvEventLog() : null;
    const recorder = role === 'prefill' ? hidden : p.collector;
    let e: Engine;
    if (a.engine_type === 'vllm' || a.engine_type === 'trtllm') {
      const v = new VllmEngine(w, a, p.table, p.timingOf(role), recorder, events, cfg.evictionPolicy ?? null);
      v.fastForward = cfg.fastForward ?? true;
      e = v;
    } else if (a.engine_type === 'sglang') {
      if (cfg.evictionPolicy) throw new Error('eviction policy modules need the vllm engine (the SGLang radix cache evicts least recently used leaves)');
      const g = new SglangEngine(w, a, p.table, p.timingOf(role), recorder, events, p.workload, p.blocks);
      g.matchBeforeChunk = a.sglang.match_before_chunk;
      e = g;
    } else throw new Error(`engine_type "${a.engine_type}" is not available`);
    e.stats.sink = p.passSinks[role === 'decode' ? 1 : 0]!;
    return e;
  };
}

/** The disaggregated KV hand-off's time per prompt token, ms (0: immediate). */
function handoffMsPerToken(cfg: ReplayConfig): number {
  const dis = cfg.disagg;
  return dis && dis.kvBytesPerToken && dis.kvTransferBandwidthGBs ? (dis.kvBytesPerToken / (dis.kvTransferBandwidthGBs * 1e9)) * 1000 : 0;
}

/** Each pool's router: a policy module's cost in the KV router, Dynamo's KV router, or a load-blind one. */
function attachRouters(cluster: Cluster, p: Parts): void {
  const { cfg, workload } = p;
  for (const pool of cluster.pools) {
    const a = pool.role === 'prefill' ? p.prefillArgs! : p.args;
    const timing = p.timingOf(pool.role);
    const rng = p.root.split(pool.role === 'agg' ? 'router' : `router-${pool.role}`);
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
      router = new KvRouter(rc, p.blocks, pool.workers, workload.inputLength, p.driver.arrival, passTokensOf(a), rng, estimate,
        custom ? custom.instantiate() : null, custom ? custom.name : 'kv', workload.outputLength);
    } else if (cfg.router === 'round_robin') router = new RoundRobinRouter(pool.workers);
    else if (cfg.router === 'random') router = new RandomRouter(pool.workers, rng);
    else throw new Error(`unknown router mode ${JSON.stringify(cfg.router)}`);
    cluster.setRouter(router, pool.index);
  }
}

function attachFaults(cluster: Cluster, p: Parts): void {
  const f = p.cfg.faults!;
  if (f.atMs.some((t) => !(t >= 0 && Number.isFinite(t)))) throw new Error('failure times must be finite and >= 0 ms');
  if (!(f.perWorkerHour >= 0 && Number.isFinite(f.perWorkerHour))) throw new Error(`failure rate must be >= 0 per worker-hour, got ${f.perWorkerHour}`);
  // with a planner, replacing capacity is the planner's job
  cluster.setFaults(p.cfg.planner ? { ...f, replaceAfterMs: null } : f, p.root.split('faults'));
}

/** The planner: an agent on the cluster's clock that sees every pass of every engine. */
function attachPlanner(cluster: Cluster, p: Parts): Planner {
  const { args, prefillArgs, workload } = p;
  const plan = p.cfg.planner!;
  const mbt = passTokensOf(args) ?? 8192;
  const planner = new Planner(cluster, plan.config, plan.policy, p.collector, workload.inputLength, workload.outputLength, {
    maxNumBatchedTokens: mbt,
    maxNumSeqs: args.max_num_seqs ?? Infinity,
    kvCapacityTokens: args.num_gpu_blocks * args.block_size,
  }, (pool, sample) => bootstrapPassModel(cluster.pools[pool]!.role, pool === 0 && prefillArgs ? prefillArgs : args,
    p.timingOf(cluster.pools[pool]!.role), mbt, sample));
  for (const pool of cluster.pools) {
    const sink = planner.sinkFor(pool.index);
    p.passSinks[pool.role === 'decode' ? 1 : 0] = sink;
    for (let k = 0; k < pool.workers.capacity; k++) {
      const e = cluster.engines[pool.base + k];
      if (e) e.stats.sink = sink;
    }
  }
  cluster.setAgent(planner);
  cluster.listener = planner;
  return planner;
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
