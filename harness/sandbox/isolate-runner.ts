/**
 * Runs a sandbox bundle in a fresh isolated-vm isolate per evaluation (needs node --no-node-snapshot).
 *
 * Order inside the isolate, each step before any candidate code:
 *   lockdown (seeded Math.random, virtual clock, frozen intrinsics) → simulator bundle → take its
 *   entry points off the global object → deep-freeze the policy API and publish it read-only →
 * then the candidate bundle (its top-level code runs here), `loadCandidate()`, and the replay.
 * Trusted, bounded steps use the sync API (about 10 ms in all, see bench:sandbox); every step that can run candidate code
 * uses the async API with the remaining CPU budget as timeout, so the host event loop stays responsive
 * and two evaluations really run in parallel. A host timer disposes the isolate if wall time runs out
 * (memory-limit thrashing, anything the per-step timeout misses). The isolate is always disposed.
 */
import v8 from 'node:v8';
import ivm from 'isolated-vm';
import { typecheckCandidate } from './typecheck.js';
import { bundleCandidate, SIM_FILENAME, CANDIDATE_FILENAME, type BundleOptions, type SandboxBundle, type SimBundle } from './bundle.js';
import { classify, classifyAbort, type ClassifyContext, type HostFacts, type ThrownInfo } from './errors.js';
import { LOCKDOWN_SOURCE } from './lockdown.js';
import { failure, type SandboxFailure, type SandboxResult } from './result.js';
import type { SandboxInput } from './scenario.js';

export interface RunOptions {
  /** Isolate heap limit, MB; default 256. */
  memoryMb?: number;
  /** CPU-time budget for the whole evaluation, ms; default 60 000. */
  cpuMs?: number;
  /** Wall-clock kill, ms; default 2 × cpuMs + 5 000. */
  wallMs?: number;
  /** Seed of the isolate's Math.random; default 1. */
  randomSeed?: number;
  /** What Date.now() and new Date() say inside the isolate (ms since the epoch); default 2026-01-01T00:00:00Z. */
  clockMs?: number;
}

export const DEFAULT_MEMORY_MB = 256;
export const DEFAULT_CPU_MS = 60_000;
export const DEFAULT_CLOCK_MS = Date.UTC(2026, 0, 1);

/**
 * isolated-vm sizes an isolate's young generation from its memory limit (4 MB at 256 MB, 16 MB from
 * 512 MB on); the simulator allocates enough short-lived objects that 4 MB costs 6-12% of replay speed.
 * The V8 flag overrides that for isolates created afterwards (the host heap already exists; 16 MB is
 * also its own default on 64-bit). Set once, before the first isolate.
 */
const SEMI_SPACE_MB = 16;
let heapFlagsSet = false;
function setHeapFlags(): void {
  if (heapFlagsSet) return;
  v8.setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MB}`);
  heapFlagsSet = true;
}

/** V8 code cache of the simulator bundle, produced by the first isolate that compiles it. */
const codeCache = new WeakMap<SimBundle, ivm.ExternalCopy<ArrayBuffer>>();

export type PrepareOptions = BundleOptions & { typecheck?: boolean };
export type EvaluateOptions = RunOptions & PrepareOptions & { checkDeterminism?: boolean };

/**
 * The gate before a run: size cap, bundle (syntax, import allow-list), then — with `typecheck` — the
 * type check against the policy API. The bundle it gives runs on any scenario.
 */
export async function prepareCandidate(source: string, opts: PrepareOptions = {}): Promise<{ ok: true; bundle: SandboxBundle } | SandboxFailure> {
  const b = await bundleCandidate(source, opts);
  if (!b.ok || !opts.typecheck) return b;
  return typecheckCandidate(source, opts.file) ?? b;
}

/** The whole gate (`prepareCandidate`), then the run in a fresh isolate. */
export async function evaluateCandidate(source: string, input: SandboxInput, opts: EvaluateOptions = {}): Promise<SandboxResult> {
  const b = await prepareCandidate(source, opts);
  if (!b.ok) return b;
  const r = await runBundle(b.bundle, input, opts);
  if (!opts.checkDeterminism || !r.ok) return r;
  // the isolate has no source of entropy left (seeded Math.random, fixed Date, no WeakRef/Intl/
  // Atomics); a second run in another fresh isolate checks that promise before a result is trusted
  const again = await runBundle(b.bundle, input, opts);
  if (again.ok && again.reportJson === r.reportJson) return r;
  return failure('nondeterminism', again.ok ? 'two runs of the same candidate on the same scenario gave different reports' : `a second run failed: ${again.kind}: ${again.message}`);
}

export async function runBundle(bundle: SandboxBundle, input: SandboxInput, opts: RunOptions = {}): Promise<SandboxResult> {
  const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
  const cpuMs = opts.cpuMs ?? DEFAULT_CPU_MS;
  const wallMs = opts.wallMs ?? 2 * cpuMs + 5000;
  const spec = typeof input.spec === 'string' ? input.spec : JSON.stringify(input.spec);
  const t0 = performance.now();
  setHeapFlags();
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  const ctx: ClassifyContext = { candidate: bundle.candidate, cpuMs, wallMs, memoryMb, killedByWall: false };
  const wall = setTimeout(() => {
    ctx.killedByWall = true;
    if (!isolate.isDisposed) isolate.dispose();
  }, wallMs);
  // isolated-vm's timeout bounds one step; the budget is what the isolate has not used yet
  const remaining = (): number => Math.max(1, Math.floor(cpuMs - Number(isolate.cpuTime) / 1e6));
  let candidateRunning = false;
  /** The isolate's heap (with ArrayBuffers) within 10 % of its limit: what a refused allocation leaves behind. */
  const nearMemoryLimit = (): boolean => {
    try {
      const h = isolate.getHeapStatisticsSync();
      return h.used_heap_size + h.externally_allocated_size >= 0.9 * memoryMb * 1024 * 1024;
    } catch {
      return false;
    }
  };
  /**
   * One step that may run candidate code, with the rest of the CPU budget as its timeout. If it throws
   * at the host boundary, what happened is read off the isolate and the clock (StepAborted), never
   * off the error, whose text the candidate may have written.
   */
  const step = async <T>(f: (timeout: number) => Promise<T>): Promise<T> => {
    const timeout = remaining();
    const t0 = performance.now();
    try {
      return await f(timeout);
    } catch (e) {
      const deadline = ctx.killedByWall ? 'wall' : performance.now() - t0 >= timeout - 1 ? 'cpu' : null;
      throw new StepAborted({ memoryLimit: isolate.isDisposed && !ctx.killedByWall, deadline }, hostErrorText(e));
    }
  };
  try {
    const context = isolate.createContextSync();
    const jail = context.global;
    const lockdown = isolate.compileScriptSync(LOCKDOWN_SOURCE, { filename: 'twinsearch-lockdown.js' })
      .runSync(context, { reference: true }) as ivm.Reference<(seed: number, nowMs: number) => unknown>;
    const harden = lockdown.applySync(undefined, [opts.randomSeed ?? 1, opts.clockMs ?? DEFAULT_CLOCK_MS], { result: { reference: true } }) as ivm.Reference<(o: unknown) => unknown>;

    compileSim(isolate, bundle.sim).runSync(context, { timeout: remaining() });
    const sim = jail.getSync('__twinsearchSim', { reference: true }) as ivm.Reference<Record<string, unknown>>;
    jail.deleteSync('__twinsearchSim');
    const run = sim.getSync('run', { reference: true }) as ivm.Reference<(spec: string, arrays: unknown) => string>;
    const loadCandidate = sim.getSync('loadCandidate', { reference: true }) as ivm.Reference<() => string>;
    const api = sim.getSync('policyApi', { reference: true });
    harden.applySync(undefined, [api.derefInto()]);
    context.evalClosureSync(
      `Object.defineProperty(globalThis, '__twinsearchPolicy', { value: $0, writable: false, enumerable: false, configurable: false });`,
      [api.derefInto()],
    );

    candidateRunning = true;
    let candidate: ivm.Script;
    try {
      candidate = isolate.compileScriptSync(bundle.candidate.code, { filename: CANDIDATE_FILENAME });
    } catch (e) {
      // esbuild accepted it but V8 did not (rare: e.g. a regular expression V8 rejects); V8's own words
      return failure('syntax', `${bundle.candidate.file}: ${hostErrorText(e)}`);
    }
    const compileMs = performance.now() - t0;
    // the candidate's top level: what it throws is caught inside the isolate and reported by the loader
    await step((timeout) => candidate.run(context, { timeout }));
    const loaded = parseGuarded(await step((timeout) => loadCandidate.apply(undefined, [], { timeout })));
    if (!loaded.ok) return classify(loaded.error, ctx, nearMemoryLimit());

    const t1 = performance.now();
    const arrays = new ivm.ExternalCopy(input.arrays).copyInto({ release: true, transferIn: true });
    const out = await step((timeout) => run.apply(undefined, [spec, arrays], { timeout }));
    const runMs = performance.now() - t1;
    const parsed = parseGuarded(out);
    if (!parsed.ok) return classify(parsed.error, ctx, nearMemoryLimit());
    return { ok: true, reportJson: parsed.reportJson!, timings: { bundleMs: bundle.bundleMs, compileMs, runMs } };
  } catch (e) {
    if (e instanceof StepAborted) return classifyAbort(e.facts, ctx, e.said);
    if (candidateRunning || ctx.killedByWall || isolate.isDisposed) {
      return classifyAbort({ memoryLimit: isolate.isDisposed && !ctx.killedByWall, deadline: ctx.killedByWall ? 'wall' : null }, ctx);
    }
    // before any candidate code ran: a fault of the harness or of sim/ itself, which must not pass as a candidate's
    throw new Error(`sandbox setup failed: ${hostErrorText(e)}`, { cause: e });
  } finally {
    clearTimeout(wall);
    if (!isolate.isDisposed) isolate.dispose();
  }
}

/** A step of a candidate's evaluation ended at the host boundary; `facts` say how. */
class StepAborted extends Error {
  constructor(readonly facts: HostFacts, readonly said: string) {
    super('sandbox step aborted');
  }
}

/** What the guarded entry points return (sim/sandbox-entry.ts runGuarded / loadGuarded), as JSON. */
function parseGuarded(json: unknown): { ok: true; reportJson?: string } | { ok: false; error: ThrownInfo } {
  if (typeof json !== 'string') throw new Error('sandbox: the simulator entry returned a non-string');
  return JSON.parse(json) as { ok: true; reportJson?: string } | { ok: false; error: ThrownInfo };
}

/** An error that isolated-vm or V8 raised in the host, as one bounded line. */
function hostErrorText(e: unknown): string {
  let text = 'a non-Error value';
  try {
    if (e instanceof Error) text = `${String(e.name)}: ${String(e.message)}`;
  } catch { /* keep the placeholder */ }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** isolated-vm sets these on the script at run time; its typings leave them out. */
type CachedScript = ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };

function compileSim(isolate: ivm.Isolate, sim: SimBundle): ivm.Script {
  const cachedData = codeCache.get(sim);
  if (cachedData) {
    const script = isolate.compileScriptSync(sim.code, { filename: SIM_FILENAME, cachedData }) as CachedScript;
    if (!script.cachedDataRejected) return script;
  }
  const script = isolate.compileScriptSync(sim.code, { filename: SIM_FILENAME, produceCachedData: true }) as CachedScript;
  if (script.cachedData) codeCache.set(sim, script.cachedData);
  return script;
}
