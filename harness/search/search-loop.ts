import { Prng } from '../../sim/core/prng.js';
import type { ScenarioMetrics } from '../../objectives/objective.js';
import { RunLogWriteError } from '../runlog/run-log.js';
import { runCandidate } from './candidate-steps.js';
import { resumeRun, startRun } from './run-start.js';
import { probeFingerprint, SearchRun, type SearchOptions } from './search-run.js';
import type { StopReason } from './search-events.js';

export type { SearchOptions } from './search-run.js';
export { baselineReplicas } from './run-start.js';
export { codeHash } from './search-run.js';

export interface SearchSummary {
  runDir: string;
  evaluated: number;
  accepted: number;
  rejected: number;
  failed: number;
  front: { id: string; metrics: ScenarioMetrics }[];
  stoppedBy: StopReason;
  tokens: number;
  usd: number;
}

/**
 * Proposals in a row that only repeat code already tried, after which the search stops instead of
 * filling the ledger with duplicates: the proposer has exhausted what it can reach from the front.
 */
const EXHAUSTED_STREAK = 200;

/**
 * The search: pick a parent from the front, propose, gate and evaluate in the sandbox (the probe
 * scenario first, stopping early when clearly worse), judge against the front, confirm on the held-out
 * scenarios, commit. Scenarios carry fixed seeds, so every candidate is scored on exactly the workload
 * its incumbents were (paired comparison).
 */
export async function runSearch(opt: SearchOptions): Promise<SearchSummary> {
  const run = new SearchRun(opt);
  const { gate } = run;
  run.emit({ type: 'start', atMs: run.t0, runDir: opt.runDir, objective: run.o.name, proposer: opt.proposer.label ?? opt.proposer.name, seed: opt.seed, parallel: opt.parallel, budgets: run.budgets, resumed: opt.resume });
  if (opt.resume) await resumeRun(run);
  else await startRun(run);
  const probe = run.search[0]!.name;
  for (const m of run.archive.members) run.behaviours.set(m.samples ? probeFingerprint(m.samples, probe) : JSON.stringify(m.metrics[probe]), m.id);
  run.publishFront();

  const onPause = (paused: boolean): void => {
    if (run.state === 'running' || run.state === 'paused') run.state = paused ? 'paused' : 'running';
    run.emit({ type: 'paused', atMs: Date.now(), paused });
    run.statusChanged();
  };
  const onAbort = (): void => {
    // what is in flight is cancelled, not judged: it gets no ledger entry (a resume proposes afresh)
    opt.evaluator.close?.();
    run.state = 'stopping';
    run.emit({ type: 'stopping', atMs: Date.now() });
    run.statusChanged();
  };
  gate.onChange(onPause);
  if (gate.isPaused) run.state = 'paused';
  // pause/resume requests from other processes (twinsearch watch); only requests made after this start count
  let controlSeen = Date.now();
  const control = setInterval(() => {
    const c = run.log.readControl();
    if (c && c.atMs > controlSeen) {
      controlSeen = c.atMs;
      gate.set(c.paused);
    }
  }, 300);
  opt.signal?.addEventListener('abort', onAbort, { once: true });
  run.writeStatus();

  const rng = new Prng(opt.seed + run.next * 7919); // a resumed run continues with fresh draws
  // paused time is not search time
  const pastDeadline = (): boolean => opt.budgetMinutes !== undefined && Date.now() - gate.pausedMs() >= run.t0 + opt.budgetMinutes * 60_000;
  const maxIter = opt.budgetIterations ?? Infinity;
  let started = run.counts.evaluated; // budgets are of the whole run: a resumed run continues its count

  /** Why no further candidate may start, or null. */
  const stopReason = (): StopReason | 'done' | null => {
    if (opt.signal?.aborted) return 'signal';
    if (run.dupStreak >= EXHAUSTED_STREAK) return 'exhausted';
    if (run.writeFailure) return 'done';
    if (pastDeadline()) return 'minutes';
    if (started >= maxIter) return 'done';
    if (opt.budgetUsd !== undefined && run.spent.usd >= opt.budgetUsd) return 'usd';
    if (opt.budgetTokens !== undefined && run.spent.tokens >= opt.budgetTokens) return 'tokens';
    return null;
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (gate.isPaused) await gate.wait(opt.signal);
      const stop = stopReason();
      if (stop !== null) {
        if (stop !== 'done') run.stoppedBy = stop;
        return;
      }
      started++;
      const id = `c${String(run.next++).padStart(4, '0')}`;
      try {
        await runCandidate(run, rng, id);
      } catch (e) {
        // the disk, not the candidate: stop here with what is written intact (resumable)
        if (e instanceof RunLogWriteError) {
          run.writeFailure ??= e;
          return;
        }
        run.finish({ id, parent: null, status: 'failed', kind: 'internal', reason: `internal: ${(e as Error).message}`, atMs: Date.now() }, `${id} failed (internal): ${(e as Error).message}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opt.parallel) }, worker));
  } finally {
    opt.signal?.removeEventListener('abort', onAbort);
    clearInterval(control);
    run.stopStatusTimer();
    run.state = 'finished';
    run.inFlight.clear();
    run.writeStatus();
    run.log.unlock();
  }
  if (run.writeFailure) throw run.writeFailure;
  run.emit({ type: 'done', atMs: Date.now(), stoppedBy: run.stoppedBy });
  return { runDir: opt.runDir, ...run.counts, front: run.archive.front().map((m) => ({ id: m.id, metrics: m.metrics })), stoppedBy: run.stoppedBy, ...run.spent };
}
