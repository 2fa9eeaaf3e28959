import { resolveEngineArgs, type EngineArgs } from '../../sim/engine/engine-args.js';
import { runReplay, type ReplayConfig } from '../../sim/replay.js';
import { resolveKvRouterConfig } from '../../sim/router/router-config.js';
import { dynamoPoly } from '../../sim/timing/dynamo-poly.js';
import type { Workload } from '../../sim/workload/workload.js';

type EngineInput = Parameters<typeof resolveEngineArgs>[0];

/** Replay with test-friendly defaults (vLLM, dynamo-poly, round robin, seed 1). */
export function replay(w: Workload, opts: Partial<Omit<ReplayConfig, 'engine'>> & { engine?: EngineInput } = {}) {
  const { engine, ...rest } = opts;
  const args: EngineArgs = resolveEngineArgs(engine ?? {});
  return runReplay(w, {
    workers: 1,
    timing: dynamoPoly,
    router: 'round_robin',
    routerConfig: resolveKvRouterConfig({}),
    seed: 1,
    arrivalSpeedupRatio: 1,
    concurrency: null,
    gpusPerWorker: 1,
    ...rest,
    engine: args,
  });
}
