/**
 * Bundle entry for the sandbox (harness/sandbox): esbuild bundles this file, the simulator and the
 * candidate policy module into one script that runs inside a fresh isolated-vm isolate. Pure sim code:
 * no Node APIs, no I/O. The host sends a JSON scenario and the workload's typed arrays; everything else
 * (engine args, router config, timing model) is resolved here, so no object graph crosses the boundary.
 *
 * The host calls the exported `run` (it takes it from the bundle's completion value, which the candidate
 * cannot reach); `globalThis.__twinsearch` is the same function for debugging and ad-hoc use.
 */
// POLICY HOOK: the bundler resolves this to the candidate's source (virtual module). Its default export
// (once sim/policy/ has defineRouter/definePlanner/defineEviction) is handed to runReplay as `policy`.
import * as candidateModule from 'policy:candidate';
import { resolveEngineArgs, type EngineArgs, type SglangArgs } from './engine/engine-args.js';
import type { KvDtype, WeightDtype } from './catalog/models.js';
import type { SlaBounds } from './metrics/report.js';
import { reportJson } from './metrics/report.js';
import { runReplay, type ReplayConfig, type RouterMode } from './replay.js';
import { resolveKvRouterConfig } from './router/router-config.js';
import { dynamoPoly } from './timing/dynamo-poly.js';
import { createRooflineModel } from './timing/roofline.js';
import type { TimingModel } from './timing/timing-model.js';
import type { Workload } from './workload/workload.js';

export type SandboxTiming =
  | { kind: 'dynamo-poly' }
  | { kind: 'roofline'; gpu: string; model: string; tp: number; weightDtype: WeightDtype; kvDtype: KvDtype };

/** A replay scenario as plain JSON (what the host sends as `spec`). */
export interface SandboxScenario {
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

/** Replay config once runReplay accepts a policy module (the lead adds the field; typed loosely until then). */
type SandboxReplayConfig = ReplayConfig & { policy?: unknown };

/** Runs one replay and returns reportJson(report). Throws what the simulator throws. */
export function run(spec: string, arrays: WorkloadArrays): string {
  const s = JSON.parse(spec) as SandboxScenario;
  const workload: Workload = { ...s.workload, ...arrays };
  const engine = resolveEngineArgs(s.engine ?? {});
  const timing = buildTiming(s.timing, engine);
  const cfg: SandboxReplayConfig = {
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
  };
  // POLICY HOOK: a candidate without a default export leaves the built-in policies in charge.
  const policy = (candidateModule as { default?: unknown }).default;
  if (policy !== undefined) cfg.policy = policy;
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
  if (t.kind === 'dynamo-poly') return dynamoPoly;
  if (t.kind === 'roofline') {
    return createRooflineModel({ gpu: t.gpu, model: t.model, tp: t.tp, weightDtype: t.weightDtype, kvDtype: t.kvDtype, framework: engine.engine_type });
  }
  throw new Error(`unknown timing kind ${JSON.stringify((t as { kind: unknown }).kind)}`);
}

(globalThis as { __twinsearch?: unknown }).__twinsearch = { run };
