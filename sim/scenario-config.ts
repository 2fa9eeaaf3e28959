import { resolveEngineArgs } from './engine/engine-args.js';
import { builtinPlanner } from './planner/builtin-policies.js';
import type { PlannerPolicy } from './contracts/planner-views.js';
import { resolvePlannerConfig } from './planner/planner-config.js';
import type { EvictionModule } from './contracts/eviction-views.js';
import type { PlannerModule } from './policy/planner-policy.js';
import type { RouterPolicy } from './contracts/router-views.js';
import type { ReplayConfig } from './replay.js';
import { resolveKvRouterConfig } from './router/router-config.js';
import { dynamoPoly } from './timing/dynamo-poly.js';
import { createRooflineModel, type RooflineOptions } from './timing/roofline.js';
import type { TimingModel } from './timing/timing-model.js';

/**
 * The cluster, hardware and seed of a scenario as plain data (objectives/scenario.ts validates it);
 * the workload travels separately as typed arrays. Pure, so the host and the sandbox build the same
 * replay configuration from the same data.
 */
export interface ScenarioSpec {
  cluster: {
    workers: number;
    engine: Record<string, unknown>;
    router: 'round_robin' | 'random' | 'kv';
    routerConfig: Record<string, unknown>;
    planner?: Record<string, unknown>;
  };
  hardware: { timing: 'dynamo-poly' } | { timing: 'roofline'; gpu: string; model: string; tp: number; weightDtype: 'bf16' | 'fp8'; kvDtype: 'bf16' | 'fp8' };
  seed: number;
  arrivalSpeedupRatio: number;
  concurrency: number | null;
}

/** Policy modules under evaluation; any left out use the scenario's built-in behaviour. */
export interface PolicyModules {
  router?: RouterPolicy;
  planner?: PlannerModule;
  eviction?: EvictionModule;
}

/** A roofline model's hardware: GPU, model, tensor parallelism and dtypes. */
export type RooflineHardware = Pick<RooflineOptions, 'gpu' | 'model' | 'tp' | 'weightDtype' | 'kvDtype'>;

/**
 * The timing model for a hardware description: the roofline model of `hw` with `framework`'s per-pass
 * overhead, or Dynamo's polynomial when hw is null. Only the listed fields of hw are read.
 */
export function timingFor(hw: RooflineHardware | null, framework: RooflineOptions['framework']): TimingModel {
  if (hw === null) return dynamoPoly;
  return createRooflineModel({ gpu: hw.gpu, model: hw.model, tp: hw.tp, weightDtype: hw.weightDtype, kvDtype: hw.kvDtype, framework });
}

export function buildReplayConfig(spec: ScenarioSpec, policies: PolicyModules = {}): ReplayConfig {
  const hw = spec.hardware;
  let timing: TimingModel = dynamoPoly;
  let tp = 1;
  const engineIn: Record<string, unknown> = { ...spec.cluster.engine };
  if (hw.timing === 'roofline') {
    tp = hw.tp;
    timing = timingFor(hw, (engineIn.engine_type as 'vllm' | 'sglang' | undefined) ?? 'vllm');
  }
  const engine = resolveEngineArgs(engineIn as Parameters<typeof resolveEngineArgs>[0]);
  let planner: ReplayConfig['planner'];
  if (spec.cluster.planner || policies.planner) {
    const config = resolvePlannerConfig({ enable_throughput_scaling: true, ...(spec.cluster.planner ?? {}) }, tp, engine.startup_time);
    const policy: PlannerPolicy = policies.planner ? policies.planner.instantiate() : builtinPlanner('dynamo-sla', config.optimization_target);
    planner = { policy, config };
  }
  return {
    workers: spec.cluster.workers,
    engine,
    timing,
    router: spec.cluster.router,
    routerConfig: resolveKvRouterConfig(spec.cluster.routerConfig as Parameters<typeof resolveKvRouterConfig>[0]),
    seed: spec.seed,
    arrivalSpeedupRatio: spec.arrivalSpeedupRatio,
    concurrency: spec.concurrency,
    gpusPerWorker: tp,
    planner,
    // planner scenarios judge latency against the planner's own targets
    sla: planner ? { ttftMs: planner.config.ttft, tpotMs: planner.config.itl } : undefined,
    routerPolicy: policies.router,
    evictionPolicy: policies.eviction,
  };
}
