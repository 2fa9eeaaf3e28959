import { resolveEngineArgs, type EngineArgs, type EngineArgsInput } from './engine/engine-args.js';
import type { FaultPlan } from './cluster/pool.js';
import type { SlaBounds } from './metrics/report.js';
import { builtinPlanner, type PlannerName } from './planner/builtin-policies.js';
import type { PlannerPolicy } from './contracts/planner-views.js';
import { resolvePlannerConfig } from './planner/planner-config.js';
import type { EvictionModule } from './contracts/eviction-views.js';
import type { PlannerModule } from './policy/planner-policy.js';
import type { RouterPolicy } from './contracts/router-views.js';
import type { ReplayConfig, RouterMode } from './replay-config.js';
import { resolveKvRouterConfig } from './router/router-config.js';
import { dynamoPoly } from './timing/dynamo-poly.js';
import { createRooflineModel, type RooflineOptions } from './timing/roofline.js';
import type { TimingModel } from './timing/timing-model.js';

/**
 * A pool's hardware for the roofline timing model (createRooflineModel's options as plain data; the
 * framework follows the pool's engine), or Dynamo's polynomial.
 */
export type HardwareSpec = { timing: 'dynamo-poly' } | ({ timing: 'roofline' } & Omit<RooflineOptions, 'framework'>);

/**
 * A replay's cluster, hardware and seed as plain data: what every entry point (a shipped or user
 * scenario, the `replay` flags, a serving deployment of `validate`, the host and the sandbox alike)
 * describes, and `buildReplayConfig` — the one place — turns into the typed replay configuration.
 * The workload travels separately as typed arrays. Pure, so the host and the sandbox build the same
 * replay configuration from the same data.
 */
export interface ScenarioSpec {
  cluster: {
    /** Aggregated workers (with `disagg`: ignored, the pools say). */
    workers: number;
    /** Engine arguments with Dynamo's field names (a partial EngineArgsInput). */
    engine: Record<string, unknown>;
    router: RouterMode;
    routerConfig: Record<string, unknown>;
    /** Planner settings with Dynamo's field names; present = autoscaling. */
    planner?: Record<string, unknown>;
    /** The built-in planner to run when no planner module is evaluated (default dynamo-sla). */
    plannerPolicy?: PlannerName;
    /** Disaggregated prefill and decode pools instead of aggregated workers. */
    disagg?: {
      prefillWorkers: number;
      decodeWorkers: number;
      prefillEngine: Record<string, unknown>;
      decodeEngine: Record<string, unknown>;
      kvTransferBandwidthGBs: number | null;
      kvBytesPerToken: number | null;
      /** The prefill pool's hardware when it differs from `hardware` (which is the decode pool's). */
      prefillHardware?: HardwareSpec;
    };
    faults?: FaultPlan;
  };
  hardware: HardwareSpec;
  seed: number;
  arrivalSpeedupRatio: number;
  concurrency: number | null;
  /** Front-end time of every request, ms (see ReplayConfig.frontendMs). */
  frontendMs?: number;
  /** Goodput bounds; absent = the planner's targets when there is a planner; null = none. */
  sla?: SlaBounds | null;
  /** GPUs per worker for GPU-hours; default the hardware's tensor parallelism. */
  gpusPerWorker?: number;
  fastForward?: boolean;
}

/** Policy modules under evaluation; any left out use the scenario's built-in behaviour. */
export interface PolicyModules {
  router?: RouterPolicy;
  planner?: PlannerModule;
  eviction?: EvictionModule;
}

/** The timing model of a pool's hardware, with `framework`'s kernels and per-pass overhead. */
export function timingFor(hw: HardwareSpec, framework: RooflineOptions['framework']): TimingModel {
  if (hw.timing === 'dynamo-poly') return dynamoPoly;
  const { timing: _t, ...opts } = hw;
  return createRooflineModel({ ...opts, framework });
}

const engineOf = (e: Record<string, unknown>): EngineArgs => resolveEngineArgs(e as EngineArgsInput);

/** The replay configuration of a scenario: every argument resolved and checked, here only. */
export function buildReplayConfig(spec: ScenarioSpec, policies: PolicyModules = {}): ReplayConfig {
  const c = spec.cluster;
  const hw = spec.hardware;
  const engine = engineOf(c.engine);
  const timing = timingFor(hw, engine.engine_type);
  const tp = spec.gpusPerWorker ?? (hw.timing === 'roofline' ? hw.tp : 1);
  let planner: ReplayConfig['planner'];
  if (c.planner || policies.planner) {
    const name = c.plannerPolicy ?? 'dynamo-sla';
    const config = resolvePlannerConfig({ enable_throughput_scaling: name === 'dynamo-sla', ...(c.planner ?? {}) }, tp, engine.startup_time);
    const policy: PlannerPolicy = policies.planner ? policies.planner.instantiate() : builtinPlanner(name, config.optimization_target);
    planner = { policy, config };
  }
  const d = c.disagg;
  // planner scenarios judge latency against the planner's own targets
  const sla = spec.sla === undefined ? (planner ? { ttftMs: planner.config.ttft, tpotMs: planner.config.itl } : undefined) : spec.sla ?? undefined;
  return {
    workers: c.workers,
    engine,
    timing,
    router: c.router,
    routerConfig: resolveKvRouterConfig(c.routerConfig as Parameters<typeof resolveKvRouterConfig>[0]),
    seed: spec.seed,
    arrivalSpeedupRatio: spec.arrivalSpeedupRatio,
    concurrency: spec.concurrency,
    gpusPerWorker: tp,
    planner,
    sla,
    routerPolicy: policies.router,
    evictionPolicy: policies.eviction,
    ...(spec.frontendMs !== undefined ? { frontendMs: spec.frontendMs } : {}),
    ...(spec.fastForward !== undefined ? { fastForward: spec.fastForward } : {}),
    ...(c.faults ? { faults: c.faults } : {}),
    ...(d ? { disagg: disaggOf(d) } : {}),
  };
}

function disaggOf(d: NonNullable<ScenarioSpec['cluster']['disagg']>): NonNullable<ReplayConfig['disagg']> {
  const prefillEngine = engineOf(d.prefillEngine);
  return {
    prefillWorkers: d.prefillWorkers,
    decodeWorkers: d.decodeWorkers,
    prefillEngine,
    decodeEngine: engineOf(d.decodeEngine),
    kvTransferBandwidthGBs: d.kvTransferBandwidthGBs,
    kvBytesPerToken: d.kvBytesPerToken,
    ...(d.prefillHardware ? { prefillTiming: timingFor(d.prefillHardware, prefillEngine.engine_type) } : {}),
  };
}
