import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioMetrics } from '../../objectives/objective.js';
import type { ScenarioSamples } from '../../objectives/paired.js';
import { BASELINE_ID, ledgerTotals, RunLog, type LedgerEntry } from '../runlog/run-log.js';
import { REPO_ROOT } from '../scenario/scenario-workload.js';
import { commitMessage, fromTrailer } from './commit-message.js';
import { codeHash, noTimings, type SearchRun } from './search-run.js';

/** Replicas the baseline runs: more than a candidate's, since its spread is every comparison's noise floor. */
export function baselineReplicas(o: SearchRun['o']): number {
  return Math.max(2 * o.seeds, 8);
}

/** A new run: evaluates the baseline on every scenario, creates the run directory and commits it. */
export async function startRun(run: SearchRun): Promise<void> {
  const { o, opt } = run;
  const source = readFileSync(join(REPO_ROOT, o.baseline), 'utf8');
  run.say(`evaluating the baseline ${o.baseline} on ${run.search.length + run.held.length} scenarios`);
  const metrics: ScenarioMetrics = {};
  const samples: ScenarioSamples = {};
  const err = await run.evalOn(BASELINE_ID, source, [...run.search, ...run.held], metrics, samples, noTimings(), 0, baselineReplicas(o));
  if (err) throw new Error(`the baseline ${o.baseline} failed: ${err.text}`);
  run.log = await RunLog.create(opt.runDir, { objective: o.name, seed: opt.seed, proposer: opt.proposer.name, budgets: run.budgets, objectiveSpec: o, createdAt: new Date().toISOString() },
    { id: BASELINE_ID, source, message: commitMessage(o, BASELINE_ID, { id: BASELINE_ID, parent: null, source, metrics, commit: '' }, metrics, { description: `baseline ${o.baseline}`, proposer: 'baseline' }, samples) });
  const commit = await run.log.commitOf(BASELINE_ID);
  const h = codeHash(source);
  run.seen.add(h);
  const entry: LedgerEntry = { id: BASELINE_ID, parent: null, status: 'accepted', commit, metrics, samples, proposer: 'baseline', description: o.baseline, codeHash: h, atMs: Date.now() };
  run.log.record(entry);
  run.emit({ type: 'result', entry, summary: `baseline ${o.baseline} evaluated` });
  run.archive.add({ id: BASELINE_ID, parent: null, source, metrics, samples, commit });
  run.log.lock();
}

/**
 * A resumed run: takes the lock, repairs the worktree, rebuilds the archive, what was tried and the
 * counts from the ledger, and recovers accepted candidates that reached git but not the ledger.
 */
export async function resumeRun(run: SearchRun): Promise<void> {
  const { o, opt } = run;
  const log = (run.log = RunLog.open(opt.runDir));
  // the lock first: of two resumes at once only one reconciles and writes
  log.lock();
  try {
    const repaired = await log.restoreCleanTree();
    if (repaired) run.say(`restored the run's worktree to its last commit (${repaired})`, 'warning');
    const cfg = log.config<{ objective: string; seed: number }>();
    if (cfg.objective !== o.name) throw new Error(`${opt.runDir} is a run of objective ${cfg.objective}, not ${o.name}`);
    const entries = log.ledger((m) => run.say(m, 'warning'));
    const numbered = (id: string): void => {
      const n = /^c(\d+)$/.exec(id);
      if (n) run.next = Math.max(run.next, Number(n[1]) + 1);
    };
    for (const e of entries) {
      if (e.codeHash) run.seen.add(e.codeHash);
      numbered(e.id);
      if (e.status === 'accepted' && e.metrics && e.commit) {
        run.archive.add({ id: e.id, parent: e.parent, source: await log.source(e.id), metrics: e.metrics, ...(e.samples ? { samples: e.samples } : {}), commit: e.commit });
      }
    }
    for (const g of await log.acceptedInGit()) {
      if (run.archive.get(g.id)) continue;
      const t = fromTrailer(g.message);
      if (!t) { run.say(`accepted candidate ${g.id} is in git but not in the ledger, and its commit has no metrics; left out`, 'warning'); continue; }
      const source = await log.source(g.id);
      const e: LedgerEntry = { id: g.id, parent: t.parent, status: 'accepted', reason: 'recovered from git', commit: g.commit, metrics: t.metrics, ...(t.samples ? { samples: t.samples } : {}), codeHash: codeHash(source), atMs: Date.now() };
      log.record(e);
      entries.push(e);
      run.seen.add(e.codeHash!);
      run.archive.add({ id: g.id, parent: t.parent, source, metrics: t.metrics, ...(t.samples ? { samples: t.samples } : {}), commit: g.commit });
      numbered(g.id);
      run.say(`recovered ${g.id} from git (the ledger had lost it)`);
    }
    if (!run.archive.get(BASELINE_ID)) throw new Error(`${opt.runDir}: the ledger has no baseline entry; the run cannot be resumed`);
    for (const e of entries) run.emit({ type: 'result', entry: e, summary: `${e.id} ${e.status}`, past: true });
    const { tokens, usd, ...c } = ledgerTotals(entries);
    Object.assign(run.counts, c);
    Object.assign(run.spent, { tokens, usd });
    run.say(`resumed ${opt.runDir}: ${run.counts.evaluated} candidates so far, ${run.archive.members.length} accepted, next c${String(run.next).padStart(4, '0')}`);
  } catch (e) {
    log.unlock();
    throw e;
  }
}
