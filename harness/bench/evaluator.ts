import { readBoundedText } from '../io/bounded-read.js';
import { DEFAULT_MAX_SOURCE_BYTES } from '../sandbox/bundle.js';
import { pathToFileURL } from 'node:url';
import { EvaluationSupervisor, type SupervisorOptions } from '../sandbox/supervisor.js';
import { sandboxInput } from '../sandbox/scenario.js';
import { EvaluationCache } from '../sandbox/eval-cache.js';
import type { SandboxTimings } from '../sandbox/result.js';
import type { Scenario } from '../../objectives/scenario.js';
import type { Report } from '../../sim/metrics/report.js';
import { isPolicyModule, NOT_A_POLICY, type PolicyModule } from '../../sim/policy/policy-module.js';
import { runReplay } from '../../sim/replay.js';
import { buildReplayConfig } from '../../sim/scenario-config.js';
import { scenarioInputs } from '../scenario/scenario-workload.js';

export type PolicyKind = 'router' | 'planner' | 'eviction';

/** One candidate on one scenario: its report, or a readable failure. */
export type Evaluation =
  | { ok: true; report: Report; wallMs: number; timings?: SandboxTimings; cached?: boolean }
  | { ok: false; kind: string; message: string };

/** Runs candidates on scenarios. */
export interface Evaluator {
  /** The policy kind a candidate file defines (throws a readable Error if it is not a policy module). */
  kindOf(file: string): Promise<PolicyKind>;
  evaluate(file: string, scenario: Scenario): Promise<Evaluation>;
}

/** Imports the candidate into this process (trusted code: your own heuristics, the baselines). */
export class InProcessEvaluator implements Evaluator {
  private readonly modules = new Map<string, PolicyModule>();

  private async load(file: string): Promise<PolicyModule> {
    let m = this.modules.get(file);
    if (!m) {
      const d = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
      if (!isPolicyModule(d)) throw new Error(`${file}: ${NOT_A_POLICY}`);
      m = d;
      this.modules.set(file, m);
    }
    return m;
  }

  async kindOf(file: string): Promise<PolicyKind> {
    return (await this.load(file)).kind;
  }

  async evaluate(file: string, scenario: Scenario): Promise<Evaluation> {
    try {
      const policy = await this.load(file);
      if (policy.kind !== scenario.kind) return { ok: false, kind: 'wrong-kind', message: `${file}: the module defines a ${policy.kind} policy, but scenario ${scenario.name} scores a ${scenario.kind}` };
      const { workload, spec } = scenarioInputs(scenario);
      const cfg = buildReplayConfig(spec, { [policy.kind]: policy });
      const t0 = performance.now();
      const { report } = runReplay(workload, cfg);
      return { ok: true, report, wallMs: performance.now() - t0 };
    } catch (e) {
      const err = e as Error;
      const kind = err.name === 'PolicyDecisionError' ? 'invalid-decision' : err.name === 'SimInvariantError' ? 'invariant' : 'runtime';
      return { ok: false, kind, message: err.message };
    }
  }
}

/** A candidate file, read up to the sandbox's source cap (a device such as /dev/zero never ends). */
function readCandidate(file: string): string {
  return readBoundedText(file, { what: 'candidate file', maxBytes: DEFAULT_MAX_SOURCE_BYTES });
}

/**
 * Runs each candidate in a fresh isolated-vm isolate (memory and CPU limits, frozen intrinsics, no
 * I/O) inside a supervised evaluation process (harness/sandbox/supervisor.ts), one per core: the way
 * to evaluate code you did not write. Failures come back with their kind and location; a candidate
 * that kills its process is a failure too, and the next one gets a fresh process.
 */
export class SandboxEvaluator implements Evaluator {
  private readonly supervisor: EvaluationSupervisor;

  readonly cache: EvaluationCache;

  constructor(private readonly limits: { cpuMs?: number; memoryMb?: number } = {}, cacheDir: string | null = null, supervisor: SupervisorOptions = {}) {
    this.cache = new EvaluationCache(cacheDir);
    this.supervisor = new EvaluationSupervisor(supervisor);
  }

  /** Ends the evaluation processes; evaluations running or waiting end as `cancelled`. */
  close(): void {
    this.supervisor.close();
  }

  async kindOf(file: string): Promise<PolicyKind> {
    const src = readCandidate(file);
    const kinds = new Set([...src.matchAll(/\bdefine(Router|Planner|Eviction)\s*\(/g)].map((m) => m[1]!.toLowerCase() as PolicyKind));
    if (kinds.size !== 1) throw new Error(`${file}: ${NOT_A_POLICY}`);
    return [...kinds][0]!;
  }

  async evaluate(file: string, scenario: Scenario): Promise<Evaluation> {
    return this.evaluateSource(readCandidate(file), file, scenario);
  }

  /**
   * Evaluates candidate code that need not be on disk; `file` is where it notionally lives (its
   * relative imports resolve from there, and errors name it).
   */
  async evaluateSource(source: string, file: string, scenario: Scenario): Promise<Evaluation> {
    const { workload, spec } = scenarioInputs(scenario);
    const input = sandboxInput(workload, { scenario: spec, expectKind: scenario.kind });
    const t0 = performance.now();
    const key = await this.cache.key(`${file}\0${source}`, input.spec, workload);
    let r = this.cache.get(key);
    const cached = r !== undefined;
    if (r === undefined) {
      r = await this.supervisor.run(source, file, input, this.limits);
      this.cache.set(key, r);
    }
    // the sandbox's messages carry the candidate's location already
    if (!r.ok) return { ok: false, kind: r.kind, message: r.message };
    return { ok: true, report: JSON.parse(r.reportJson) as Report, wallMs: performance.now() - t0, timings: r.timings, cached };
  }
}
