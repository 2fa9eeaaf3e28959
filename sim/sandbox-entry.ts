/**
 * Bundle entry for the sandbox (harness/sandbox): esbuild bundles this file with the rest of the
 * simulator into a script that runs inside a fresh isolated-vm isolate. Pure sim code: no Node APIs,
 * no I/O. The host sends a JSON scenario and the workload's typed arrays; everything else (engine args,
 * router config, timing model) is resolved here, so no object graph crosses the boundary.
 *
 * The host calls `runGuarded` (the sandbox runner takes it, with the policy API, off the global object
 * before any candidate code runs, so a candidate cannot replace it); `globalThis.__twinsearch.run` is
 * the plain `run`, for debugging and ad-hoc use.
 */
// `policy:candidate` is the candidate module. harness/sandbox/bundle.ts resolves it to a slot that is
// filled with the candidate bundle's exports once the candidate has loaded (the candidate is bundled
// separately so that the simulator bundle can be built once and cached). Its default export (made
// with defineRouter/definePlanner/defineEviction) becomes the replay's policy of that kind.
import * as candidateModule from 'policy:candidate';
import { resolveEngineArgs, type EngineArgs, type SglangArgs } from './engine/engine-args.js';
import type { KvDtype, WeightDtype } from './catalog/models.js';
import type { SlaBounds } from './metrics/report.js';
import { reportJson } from './metrics/report.js';
import { runReplay, type ReplayConfig, type RouterMode } from './replay.js';
import { resolveKvRouterConfig } from './router/router-config.js';
import type { TimingModel } from './timing/timing-model.js';
import type { Workload } from './workload/workload.js';
import { buildReplayConfig, timingFor, type PolicyModules, type ScenarioSpec } from './scenario-config.js';
import { isPolicyModule, NOT_A_POLICY } from './policy/policy-module.js';

export type SandboxTiming =
  | { kind: 'dynamo-poly' }
  | { kind: 'roofline'; gpu: string; model: string; tp: number; weightDtype: WeightDtype; kvDtype: KvDtype };

/** A replay scenario as plain JSON (what the host sends as `spec`). */
export interface SandboxScenario {
  /**
   * A shipped scenario's cluster, hardware and seed (objectives/scenario.ts): when given, the replay
   * is configured from it exactly as on the host (sim/scenario-config.ts) and the fields below other
   * than `workload` and `fastForward` are ignored.
   */
  scenario?: ScenarioSpec;
  /** The Workload's scalar fields; its arrays travel separately as typed arrays. */
  workload: { name: string; count: number; sessions: number; blockSize: number };
  workers: number;
  /** Partial (or already resolved) engine args; resolveEngineArgs is applied inside the isolate. */
  engine?: Partial<Omit<EngineArgs, 'sglang'>> & { sglang?: Partial<SglangArgs> };
  router: RouterMode;
  /** Partial KV router config (Dynamo field names); resolveKvRouterConfig is applied inside. */
  routerConfig?: Parameters<typeof resolveKvRouterConfig>[0];
  timing: SandboxTiming;
  seed: number;
  arrivalSpeedupRatio: number;
  concurrency: number | null;
  /** GPUs per worker for GPU-seconds; default the roofline tp, else 1. */
  gpusPerWorker?: number;
  sla?: SlaBounds;
  fastForward?: boolean;
}

/** The Workload's typed arrays, as the host passes them in. */
export interface WorkloadArrays {
  sessionStart: Int32Array;
  timeMs: Float64Array;
  inputLength: Int32Array;
  outputLength: Int32Array;
  contentStart: Int32Array;
  contentIds: Uint32Array;
  sourceLine: Int32Array;
}

/** The candidate's default export as the policy module of its kind (none: the built-ins decide). */
function candidatePolicies(): PolicyModules {
  const policy = (candidateModule as { default?: unknown }).default;
  if (policy === undefined) return {};
  if (!isPolicyModule(policy)) throw new TypeError(NOT_A_POLICY);
  return { [policy.kind]: policy } as PolicyModules;
}

/** Runs one replay and returns reportJson(report). Throws what the simulator throws. */
export function run(spec: string, arrays: WorkloadArrays): string {
  const s = JSON.parse(spec) as SandboxScenario;
  const workload: Workload = { ...s.workload, ...arrays };
  const policies = candidatePolicies();
  if (s.scenario) {
    const cfg = buildReplayConfig(s.scenario, policies);
    if (s.fastForward !== undefined) cfg.fastForward = s.fastForward;
    return reportJson(runReplay(workload, cfg).report);
  }
  if (policies.planner) throw new TypeError('a planner candidate needs a scenario with planner settings');
  const engine = resolveEngineArgs(s.engine ?? {});
  const timing = buildTiming(s.timing, engine);
  const cfg: ReplayConfig = {
    workers: s.workers,
    engine,
    timing,
    router: s.router,
    routerConfig: resolveKvRouterConfig(s.routerConfig ?? {}),
    seed: s.seed,
    arrivalSpeedupRatio: s.arrivalSpeedupRatio,
    concurrency: s.concurrency,
    gpusPerWorker: s.gpusPerWorker ?? (s.timing.kind === 'roofline' ? s.timing.tp : 1),
    ...(s.sla ? { sla: s.sla } : {}),
    ...(s.fastForward !== undefined ? { fastForward: s.fastForward } : {}),
    routerPolicy: policies.router,
    evictionPolicy: policies.eviction,
  };
  return reportJson(runReplay(workload, cfg).report);
}

/**
 * `run` for the host: never throws (except through isolate-level faults such as a dynamic import or a
 * timeout, which no try/catch can stop). Returns JSON: {"ok":true,"reportJson":...} or
 * {"ok":false,"error":{"name","message","stack"}}, so a thrown non-Error or an error with hostile
 * getters still arrives as plain strings.
 */
export function runGuarded(spec: string, arrays: WorkloadArrays): string {
  try {
    return JSON.stringify({ ok: true, reportJson: run(spec, arrays) });
  } catch (e) {
    return JSON.stringify({ ok: false, error: describeThrown(e) });
  }
}

function describeThrown(e: unknown): { name: string; message: string; stack: string } {
  const field = (k: 'name' | 'message' | 'stack'): string => {
    try {
      const v = (e as Record<string, unknown>)[k];
      return typeof v === 'string' ? v : '';
    } catch {
      return '';
    }
  };
  if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
    return { name: field('name') || 'Error', message: field('message'), stack: field('stack') };
  }
  let text: string;
  try { text = String(e); } catch { text = typeof e; }
  return { name: 'Thrown', message: `a non-Error value was thrown: ${text}`, stack: '' };
}

function buildTiming(t: SandboxTiming, engine: EngineArgs): TimingModel {
  if (t.kind === 'dynamo-poly') return timingFor(null, engine.engine_type);
  if (t.kind === 'roofline') return timingFor(t, engine.engine_type);
  throw new Error(`unknown timing kind ${JSON.stringify((t as { kind: unknown }).kind)}`);
}

(globalThis as { __twinsearch?: unknown }).__twinsearch = { run };
