import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { heldOutScenarios, pickMetrics, searchScenarios, type Objective, type ScenarioMetrics } from '../../objectives/objective.js';
import { meansOf, type ScenarioSamples } from '../../objectives/paired.js';
import { replicaOf, type Scenario } from '../../objectives/scenario.js';
import type { SandboxEvaluator } from '../bench/evaluator.js';
import type { Proposer } from '../propose/proposer.js';
import { BASELINE_ID, RunLogWriteError, type LedgerEntry, type RunLog } from '../runlog/run-log.js';
import type { RunStatus } from '../runlog/run-status.js';
import { Archive } from './archive.js';
import { PauseGate } from './pause-gate.js';
import type { Budgets, InFlight, Phase, SearchEvent, StopReason } from './search-events.js';
import { StructureTuner } from './structure-tuner.js';

export interface SearchOptions {
  objective: Objective;
  runDir: string;
  resume: boolean;
  seed: number;
  parallel: number;
  /** Candidates in the whole run (a resumed run counts those it already has). */
  budgetIterations?: number;
  /** Minutes of this invocation. */
  budgetMinutes?: number;
  /** Stop starting candidates once LLM calls have cost this much (US dollars) or used this many tokens. */
  budgetUsd?: number;
  budgetTokens?: number;
  /** Proposer calls in flight at once (LLM rate limits), apart from the evaluation parallelism. */
  proposeParallel?: number;
  proposer: Proposer;
  evaluator: Pick<SandboxEvaluator, 'evaluateSource'> & { close?(): void };
  /** One progress line per message and per candidate outcome (the caller timestamps and prints it). */
  log?: (line: string) => void;
  /** Every event, as it happens (the dashboard's feed). */
  onEvent?: (e: SearchEvent) => void;
  /** Aborting stops proposing; candidates in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Pausing stops new candidates from starting until resumed. */
  pause?: PauseGate;
}

export type Timings = NonNullable<LedgerEntry['timings']>;
export type EvalFailure = { kind: string; text: string };
export const noTimings = (): Timings => ({ evaluations: 0, cached: 0, wallMs: 0, bundleMs: 0, compileMs: 0, runMs: 0 });

export function codeHash(source: string): string {
  // whitespace-insensitive: a reformatted copy is the same candidate
  return createHash('sha256').update(source.replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16);
}

/** A candidate's behaviour on the probe: its metrics on replica 0 of the first search scenario. */
export function probeFingerprint(samples: ScenarioSamples, probe: string): string {
  const m = samples[probe] ?? {};
  return JSON.stringify(Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]![0]])));
}

/**
 * What the steps of a search share: the objective and its scenarios, the archive of accepted
 * candidates, the structure tuner, what was tried and how it behaved, the counts, the run log, and
 * the reporting (events, progress lines, the status file other processes follow).
 */
export class SearchRun {
  readonly o: Objective;
  readonly t0 = Date.now();
  readonly search: Scenario[];
  readonly held: Scenario[];
  /** Where candidates notionally live (beside the baseline: their imports resolve there). */
  readonly notional: string;
  readonly archive: Archive;
  readonly tuner = new StructureTuner();
  /** Code hashes of every candidate tried. */
  readonly seen = new Set<string>();
  /** Probe fingerprint → the first candidate that behaved so. */
  readonly behaviours = new Map<string, string>();
  readonly recentFailures: string[] = [];
  /** Number of the next candidate id. */
  next = 1;
  readonly counts = { evaluated: 0, accepted: 0, rejected: 0, failed: 0 };
  readonly spent = { tokens: 0, usd: 0 };
  readonly budgets: Budgets;
  readonly proposeLimit: <T>(f: () => Promise<T>) => Promise<T>;
  readonly gate: PauseGate;
  readonly inFlight = new Map<string, InFlight>();
  log!: RunLog;
  state: RunStatus['state'] = 'running';
  stoppedBy: StopReason = 'iterations';
  /** Proposals in a row that repeated code already tried: past EXHAUSTED_STREAK the proposer has nothing new. */
  dupStreak = 0;
  /** A write of the run log that failed (a full or read-only disk): the search stops and reports it. */
  writeFailure: RunLogWriteError | null = null;
  /** Commits touch one worktree: one at a time. */
  commitChain: Promise<void> = Promise.resolve();
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private statusWritten = 0;

  constructor(readonly opt: SearchOptions) {
    this.o = opt.objective;
    this.search = searchScenarios(this.o);
    this.held = heldOutScenarios(this.o);
    this.notional = this.o.baseline;
    this.archive = new Archive(this.o);
    this.proposeLimit = pLimit(Math.max(1, opt.proposeParallel ?? opt.parallel));
    this.gate = opt.pause ?? new PauseGate();
    this.budgets = { iterations: opt.budgetIterations ?? null, minutes: opt.budgetMinutes ?? null, usd: opt.budgetUsd ?? null, tokens: opt.budgetTokens ?? null };
  }

  emit(e: SearchEvent): void {
    if (e.type === 'message') this.opt.log?.(e.level === 'warning' ? `warning: ${e.text}` : e.text);
    else if (e.type === 'result' && !e.past && e.entry.id !== BASELINE_ID) this.opt.log?.(e.summary);
    this.opt.onEvent?.(e);
  }

  say(text: string, level: 'info' | 'warning' = 'info'): void {
    this.emit({ type: 'message', atMs: Date.now(), level, text });
  }

  phase(id: string, parent: string, p: Phase): void {
    const cur = this.inFlight.get(id);
    this.inFlight.set(id, { id, parent, phase: p, sinceMs: cur?.sinceMs ?? Date.now() });
    this.emit({ type: 'phase', atMs: Date.now(), id, parent, phase: p });
    this.statusChanged();
  }

  writeStatus(): void {
    if (!this.log) return; // before the run directory exists
    this.statusTimer = undefined;
    this.statusWritten = Date.now();
    // the status file is written from timers too: a failure must stop the search, not escape as a crash
    try {
      this.log.writeStatus({ pid: process.pid, state: this.state, ...(this.state === 'finished' ? { stoppedBy: this.stoppedBy } : {}), startedAtMs: this.t0, updatedAtMs: this.statusWritten, proposer: this.opt.proposer.label ?? this.opt.proposer.name, parallel: this.opt.parallel, budgets: this.budgets, pausedMs: this.gate.pausedMs(), inFlight: [...this.inFlight.values()] });
    } catch (e) {
      if (!(e instanceof RunLogWriteError)) throw e;
      this.writeFailure ??= e;
    }
  }

  /** Other processes (twinsearch watch) follow the status file: at most a few writes a second, the last one never lost. */
  statusChanged(): void {
    if (this.statusTimer) return;
    const wait = Math.max(0, this.statusWritten + 250 - Date.now());
    if (wait === 0) this.writeStatus();
    else this.statusTimer = setTimeout(() => this.writeStatus(), wait);
  }

  stopStatusTimer(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
  }

  /** Records a candidate's outcome: ledger, counts, events. */
  finish(e: LedgerEntry, line: string): void {
    this.opt.proposer.observe?.(e.id, 'different'); // no-op if the probe was observed; frees what the proposer kept
    this.log.record(e);
    this.counts.evaluated++;
    this.counts[e.status]++;
    this.inFlight.delete(e.id);
    this.emit({ type: 'result', entry: e, summary: line });
    this.statusChanged();
  }

  /** A candidate stopped by Ctrl-C: no verdict, no ledger entry. */
  dropCancelled(id: string): void {
    this.inFlight.delete(id);
    this.statusChanged();
  }

  publishFront(): void {
    const front = this.archive.front().map((m) => ({ id: m.id, commit: m.commit, metrics: m.metrics }));
    this.log.writeFront(front);
    this.emit({ type: 'front', atMs: Date.now(), front });
  }

  /**
   * Runs replicas [from, to) of each scenario, appending each report's metrics to `samples` (replica
   * order) and refreshing `into` with the means; stops at the first failure.
   */
  async evalOn(id: string, source: string, scenarios: Scenario[], into: ScenarioMetrics, samples: ScenarioSamples, t: Timings, from = 0, to = this.o.seeds): Promise<EvalFailure | null> {
    for (const s of scenarios) {
      for (let i = from; i < to; i++) {
        const r = await this.opt.evaluator.evaluateSource(source, this.notional, replicaOf(s, i));
        t.evaluations++;
        if (r.ok) {
          t.wallMs += r.wallMs;
          if (r.cached) t.cached++;
          // a cache hit carries the timings of the run that filled it: not time spent now
          else if (r.timings) {
            t.bundleMs += r.timings.bundleMs;
            t.compileMs += r.timings.compileMs;
            t.runMs += r.timings.runMs;
          }
        }
        this.emit({ type: 'evaluation', atMs: Date.now(), id, scenario: s.name, ok: r.ok, cached: r.ok ? Boolean(r.cached) : false, wallMs: r.ok ? r.wallMs : 0,
          ...(r.ok && r.timings && !r.cached ? { bundleMs: r.timings.bundleMs, compileMs: r.timings.compileMs, runMs: r.timings.runMs } : {}) });
        if (!r.ok) return { kind: r.kind, text: `${r.kind} on ${s.name}${i > 0 ? ` (replica ${i})` : ''}: ${r.message}` };
        const m = pickMetrics(this.o, r.report as unknown as Record<string, unknown>);
        const byMetric = (samples[s.name] ??= {});
        for (const [k, v] of Object.entries(m)) (byMetric[k] ??= []).push(v);
      }
      into[s.name] = meansOf({ [s.name]: samples[s.name]! })[s.name]!;
    }
    return null;
  }
}
