import type { ScenarioMetrics } from '../../objectives/objective.js';
import type { ScenarioSamples } from '../../objectives/paired.js';
import type { Prng } from '../../sim/core/prng.js';
import type { LedgerEntry } from '../runlog/run-log.js';
import { Archive, type Member } from './archive.js';
import { commitMessage, metricsLine } from './commit-message.js';
import { codeHash, noTimings, probeFingerprint, type EvalFailure, type SearchRun, type Timings } from './search-run.js';
import { probeScore } from './structure-tuner.js';

/**
 * One candidate's way through the search, as a small state machine: propose → duplicate gate →
 * probe → search scenarios → held-out scenarios → commit. Each step either hands the candidate on or
 * ends it with a ledger entry (or, when the search was cancelled, with nothing).
 */

/** A proposed candidate in flight: its code, where it came from, what it scored so far. */
export interface Candidate {
  readonly id: string;
  readonly parent: Member;
  readonly source: string;
  readonly description: string;
  readonly proposer: string;
  readonly tokens?: number;
  readonly usd?: number;
  readonly hash: string;
  readonly metrics: ScenarioMetrics;
  readonly samples: ScenarioSamples;
  readonly timings: Timings;
  /** The ledger fields every outcome of this candidate carries. */
  readonly rec: Omit<LedgerEntry, 'status' | 'atMs'>;
  /** The idea this candidate grafted (its structure may get a tuning budget if it loses). */
  readonly idea?: string;
  /** Its probe score against its parent (the structure tuner's signal). */
  probeScore?: number;
}

/** How a step ends a candidate: a ledger entry with its progress line, or 'cancelled' (no entry). */
export type Ended = { entry: LedgerEntry; line: string } | 'cancelled';
type Step = (run: SearchRun, c: Candidate) => Promise<Ended | null>;

const reject = (c: Candidate, reason: string, line: string, extra: Partial<LedgerEntry> = {}): Ended =>
  ({ entry: { ...c.rec, status: 'rejected', reason, ...extra, atMs: Date.now() }, line });

const failure = (run: SearchRun, c: Candidate, err: EvalFailure, extra: Partial<LedgerEntry> = {}, remember = true): Ended => {
  if (err.kind === 'cancelled') return 'cancelled';
  if (remember) run.recentFailures.push(err.text);
  return { entry: { ...c.rec, status: 'failed', kind: err.kind, reason: err.text, ...extra, atMs: Date.now() }, line: `${c.id} failed   ${c.description}: ${err.text.split('\n')[0]}` };
};

/** A losing grafted idea offers its structure to the tuner. */
const offer = (run: SearchRun, c: Candidate): void => {
  if (c.idea) run.tuner.offer(c.idea, c.source, c.probeScore!);
};

/** Picks a parent and asks the proposer for a candidate. */
export async function proposeStep(run: SearchRun, rng: Prng, id: string): Promise<Candidate | Ended> {
  const { archive, opt, o } = run;
  const startedMs = Date.now();
  const front = archive.front();
  // the parent from this candidate's island, a crossover partner from anywhere on the front
  const parent = archive.pickParent(archive.islandFront(Archive.islandOfCandidate(id)), rng.next());
  const others = front.filter((m) => m !== parent);
  const other = others.length ? others[rng.nextInt(others.length)] : undefined;
  run.phase(id, parent.id, 'proposing');
  const tune = run.tuner.next(rng.next(), id);
  const p = await run.proposeLimit(() => opt.proposer.propose({ id, objective: o, parent, front, ...(other ? { other } : {}), rng: rng.split(id), recentFailures: run.recentFailures.slice(-5), ...(opt.signal ? { signal: opt.signal } : {}), ...(tune ? { tune: { label: tune.label, source: tune.source, sigma: tune.sigma } } : {}) }));
  if (opt.signal?.aborted && !p.ok) return 'cancelled';
  run.spent.tokens += p.tokens ?? 0;
  run.spent.usd += p.usd ?? 0;
  const base = { id, parent: parent.id, proposer: p.proposer, ...(p.tokens !== undefined ? { tokens: p.tokens } : {}), ...(p.usd !== undefined ? { usd: p.usd } : {}), startedMs };
  if (!p.ok) {
    run.recentFailures.push(p.error);
    return { entry: { ...base, status: 'failed', kind: 'proposer', reason: `proposer: ${p.error}`, atMs: Date.now() }, line: `${id} failed   proposer: ${p.error}` };
  }
  const hash = codeHash(p.source);
  const timings = noTimings();
  const idea = /^idea (\S+)/.exec(p.description)?.[1];
  return {
    id, parent, source: p.source, description: p.description, proposer: p.proposer, hash, metrics: {}, samples: {}, timings,
    ...(p.tokens !== undefined ? { tokens: p.tokens } : {}), ...(p.usd !== undefined ? { usd: p.usd } : {}), ...(idea ? { idea } : {}),
    rec: { ...base, description: p.description, codeHash: hash, timings },
  };
}

/** Code already tried is not evaluated again. */
export const duplicateStep: Step = async (run, c) => {
  const repeated = run.seen.has(c.hash);
  run.dupStreak = repeated ? run.dupStreak + 1 : 0;
  if (!repeated) {
    run.seen.add(c.hash);
    return null;
  }
  run.opt.proposer.observe?.(c.id, 'same'); // code already tried: the edit led nowhere new
  const { description, codeHash: hash, timings: _t, ...base } = c.rec;
  return { entry: { ...base, status: 'rejected', reason: 'duplicate code', description, codeHash: hash, atMs: Date.now() }, line: `${c.id} rejected duplicate code (${c.description})` };
};

/** One replica of the first search scenario: drops what behaves like an earlier candidate or is clearly worse. */
export const probeStep: Step = async (run, c) => {
  const probe = run.search[0]!;
  run.phase(c.id, c.parent.id, 'probe');
  const err = await run.evalOn(c.id, c.source, [probe], c.metrics, c.samples, c.timings, 0, 1);
  if (err) return failure(run, c, err);
  // a grafted idea that loses at its first constants gets a tuning budget (structure-tuner.ts)
  const parentProbe = run.archive.probeOf(c.parent, probe.name);
  c.probeScore = probeScore(c.metrics[probe.name], parentProbe, run.o.metrics,
    { cand: run.archive.violation(c.metrics, [probe.name]), parent: run.archive.violation({ [probe.name]: parentProbe }, [probe.name]) });
  const fingerprint = probeFingerprint(c.samples, probe.name);
  const same = run.behaviours.get(fingerprint);
  run.tuner.report(c.id, c.source, c.probeScore, same !== undefined);
  run.opt.proposer.observe?.(c.id, same !== undefined ? 'same' : 'different');
  if (same) {
    offer(run, c); // constants that never bite (a cap nobody reaches) may bite once tuned
    return reject(c, `same behaviour as ${same} on ${probe.name}`, `${c.id} rejected same behaviour as ${same} (${c.description})`, { metrics: c.metrics });
  }
  run.behaviours.set(fingerprint, c.id);
  if (run.archive.clearlyWorse(c.metrics, c.parent, probe.name)) {
    offer(run, c);
    return reject(c, `clearly worse than ${c.parent.id} on ${probe.name} (stopped early)`, `${c.id} rejected early: worse than ${c.parent.id} on ${probe.name} (${c.description})`, { metrics: c.metrics });
  }
  return null;
};

/** Every replica of every search scenario, then the verdict against the front. */
export const searchScenariosStep: Step = async (run, c) => {
  const probe = run.search[0]!;
  run.phase(c.id, c.parent.id, 'scenarios');
  let err = await run.evalOn(c.id, c.source, [probe], c.metrics, c.samples, c.timings, 1, run.o.seeds);
  if (!err) err = await run.evalOn(c.id, c.source, run.search.slice(1), c.metrics, c.samples, c.timings);
  if (err) return failure(run, c, err, { metrics: c.metrics });
  const verdict = run.archive.judge(c);
  if (verdict.accept) return null;
  offer(run, c);
  return reject(c, verdict.reason, `${c.id} rejected ${verdict.reason} (${c.description})`, { metrics: c.metrics, samples: c.samples });
};

/** The held-out scenarios: an accepted candidate must not regress on them. */
export const heldOutStep: Step = async (run, c) => {
  if (!run.held.length) return null;
  run.phase(c.id, c.parent.id, 'held-out');
  const err = await run.evalOn(c.id, c.source, run.held, c.metrics, c.samples, c.timings);
  if (err) {
    const ended = failure(run, c, err, { metrics: c.metrics }, false);
    return ended === 'cancelled' ? ended : { entry: { ...ended.entry, reason: `held out: ${err.text}` }, line: `${c.id} failed on held-out: ${err.text.split('\n')[0]}` };
  }
  const regression = run.archive.regressesOn(c, c.parent, run.held.map((s) => s.name));
  if (!regression) return null;
  return reject(c, `not confirmed on held-out scenarios: ${regression} than ${c.parent.id}`, `${c.id} rejected: not confirmed on held-out scenarios, ${regression} (${c.description})`, { metrics: c.metrics, samples: c.samples });
};

/** Judged again (the front may have moved meanwhile), committed, added to the archive; one commit at a time. */
export const commitStep: Step = async (run, c) => {
  run.phase(c.id, c.parent.id, 'committing');
  const done = run.commitChain.then(async () => {
    const again = run.archive.judge(c);
    if (!again.accept) return run.finish({ ...c.rec, status: 'rejected', reason: again.reason, metrics: c.metrics, samples: c.samples, atMs: Date.now() }, `${c.id} rejected ${again.reason} (${c.description})`);
    const commit = await run.log.commitCandidate(c.id, c.parent.id, c.source, commitMessage(run.o, c.id, c.parent, c.metrics, { description: c.description, proposer: c.proposer, ...(c.tokens !== undefined ? { tokens: c.tokens } : {}), ...(c.usd !== undefined ? { usd: c.usd } : {}) }, c.samples));
    run.archive.add({ id: c.id, parent: c.parent.id, source: c.source, metrics: c.metrics, samples: c.samples, commit });
    const first = run.search[0]!.name;
    // the ledger first: a follower that sees the new front can find the member's entry
    run.finish({ ...c.rec, status: 'accepted', commit, metrics: c.metrics, samples: c.samples, atMs: Date.now() }, `${c.id} ACCEPTED ${c.description} → ${commit.slice(0, 8)}  ${first}: ${metricsLine(run.o, c.metrics[first]!)}`);
    run.publishFront();
  });
  run.commitChain = done.catch(() => undefined);
  await done;
  return null;
};

export const CANDIDATE_STEPS: readonly Step[] = [duplicateStep, probeStep, searchScenariosStep, heldOutStep, commitStep];

/** Runs one candidate through every step; records how it ended. */
export async function runCandidate(run: SearchRun, rng: Prng, id: string): Promise<void> {
  const c = await proposeStep(run, rng, id);
  if (c === 'cancelled') return run.dropCancelled(id);
  if ('entry' in c) return run.finish(c.entry, c.line);
  for (const step of CANDIDATE_STEPS) {
    const ended = await step(run, c);
    if (ended === 'cancelled') return run.dropCancelled(id);
    if (ended) return run.finish(ended.entry, ended.line);
  }
}
