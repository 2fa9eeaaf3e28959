import type { FaultPlan } from './cluster/pool.js';
import type { EvictionModule } from './contracts/eviction-views.js';
import type { PlannerPolicy } from './contracts/planner-views.js';
import type { RouterPolicy } from './contracts/router-views.js';
import type { EngineArgs } from './engine/engine-args.js';
import type { SlaBounds } from './metrics/report.js';
import type { ResolvedPlannerConfig } from './planner/planner-config.js';
import type { KvRouterConfig } from './router/router-config.js';
import type { TimingModel } from './timing/timing-model.js';

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
