import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { Prng } from '../../sim/core/prng.js';
import { heldOutScenarios, pickMetrics, searchScenarios, type Objective, type ScenarioMetrics } from '../../objectives/objective.js';
import { meansOf, type ScenarioSamples } from '../../objectives/paired.js';
import { replicaOf, type Scenario } from '../../objectives/scenario.js';
import type { SandboxEvaluator } from '../bench/evaluator.js';
import type { Proposer } from '../propose/proposer.js';
import { BASELINE_ID, ledgerTotals, RunLog, RunLogWriteError, type LedgerEntry } from '../runlog/run-log.js';
import { REPO_ROOT } from '../scenario/scenario-workload.js';
import { Archive, type Member } from './archive.js';
import { PauseGate } from './pause-gate.js';
import { probeScore, StructureTuner } from './structure-tuner.js';
import type { Budgets, InFlight, Phase, SearchEvent, StopReason } from './search-events.js';
import type { RunStatus } from '../runlog/run-status.js';

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

const TRAILER = 'twinsearch-metrics:';

function fromTrailer(message: string): { parent: string | null; metrics: ScenarioMetrics; samples?: ScenarioSamples } | null {
  const line = message.split('\n').find((l) => l.startsWith(TRAILER));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(TRAILER.length)) as { parent: string | null; metrics: ScenarioMetrics; samples?: ScenarioSamples };
  } catch {
    return null;
  }
}

/** A candidate's behaviour on the probe: its metrics on replica 0 of the first search scenario. */
function probeFingerprint(samples: ScenarioSamples, probe: string): string {
  const m = samples[probe] ?? {};
  return JSON.stringify(Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]![0]])));
}

/** Replicas the baseline runs: more than a candidate's, since its spread is every comparison's noise floor. */
export function baselineReplicas(o: Objective): number {
  return Math.max(2 * o.seeds, 8);
}

export function codeHash(source: string): string {
  // whitespace-insensitive: a reformatted copy is the same candidate
  return createHash('sha256').update(source.replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16);
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** The commit message of an accepted candidate: what changed, metrics per scenario, delta against the parent. */
function commitMessage(o: Objective, id: string, parent: Member, metrics: ScenarioMetrics, e: { description: string; proposer: string; tokens?: number; usd?: number }, samples?: ScenarioSamples): string {
  const lines = [`${id}: ${e.description}`, '', `parent: ${parent.id}   proposer: ${e.proposer}${e.tokens ? `   tokens: ${e.tokens}` : ''}${e.usd ? `   cost: $${e.usd.toFixed(4)}` : ''}`, ''];
  for (const s of [...o.search, ...o.heldOut]) {
    const m = metrics[s];
    if (!m) continue;
    const p = parent.metrics[s] ?? {};
    const parts = o.metrics.map((k) => {
      const a = m[k.key]!;
      const b = p[k.key];
      const d = b !== undefined && b !== 0 ? ` (${a >= b ? '+' : ''}${(((a - b) / Math.abs(b)) * 100).toFixed(1)}%)` : '';
      return `${k.key}=${fmt(a)}${d}`;
    });
    lines.push(`${s}${o.heldOut.includes(s) ? ' [held out]' : ''}: ${parts.join('  ')}`);
  }
  // machine-readable copy: a resumed run recovers accepted candidates from git if the ledger lost them
  lines.push('', `${TRAILER} ${JSON.stringify({ parent: parent.id === id ? null : parent.id, metrics, ...(samples ? { samples } : {}) })}`);
  return lines.join('\n') + '\n';
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
  const o = opt.objective;
  const t0 = Date.now();
  const search = searchScenarios(o);
  const held = heldOutScenarios(o);
  const notional = o.baseline; // candidates notionally live beside the baseline (imports resolve there)
  const archive = new Archive(o);
  const tuner = new StructureTuner();
  const seen = new Set<string>();
  const behaviours = new Map<string, string>();
  const recentFailures: string[] = [];
  let next = 1;
  const counts = { evaluated: 0, accepted: 0, rejected: 0, failed: 0 };
  const spent = { tokens: 0, usd: 0 };
  const proposeLimit = pLimit(Math.max(1, opt.proposeParallel ?? opt.parallel));
  const gate = opt.pause ?? new PauseGate();
  const budgets: Budgets = { iterations: opt.budgetIterations ?? null, minutes: opt.budgetMinutes ?? null, usd: opt.budgetUsd ?? null, tokens: opt.budgetTokens ?? null };
  const inFlight = new Map<string, InFlight>();
  let log!: RunLog;
  let state: RunStatus['state'] = 'running';
  let stoppedBy: StopReason = 'iterations';
  /** Proposals in a row that repeated code already tried: past EXHAUSTED_STREAK the proposer has nothing new. */
  let dupStreak = 0;
  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  let statusWritten = 0;
  /** A write of the run log that failed (a full or read-only disk): the search stops and reports it. */
  let writeFailure: RunLogWriteError | null = null;
  const writeStatus = (): void => {
    if (!log) return; // before the run directory exists
    statusTimer = undefined;
    statusWritten = Date.now();
    // the status file is written from timers too: a failure must stop the search, not escape as a crash
    try {
      writeStatusNow();
    } catch (e) {
      if (!(e instanceof RunLogWriteError)) throw e;
      writeFailure ??= e;
    }
  };
  const writeStatusNow = (): void => {
    log.writeStatus({ pid: process.pid, state, ...(state === 'finished' ? { stoppedBy } : {}), startedAtMs: t0, updatedAtMs: statusWritten, proposer: opt.proposer.label ?? opt.proposer.name, parallel: opt.parallel, budgets, pausedMs: gate.pausedMs(), inFlight: [...inFlight.values()] });
  };
  // other processes (twinsearch watch) follow the status file: at most a few writes a second, the last one never lost
  const statusChanged = (): void => {
    if (statusTimer) return;
    const wait = Math.max(0, statusWritten + 250 - Date.now());
    if (wait === 0) writeStatus();
    else statusTimer = setTimeout(writeStatus, wait);
  };
  const emit = (e: SearchEvent): void => {
    if (e.type === 'message') opt.log?.(e.level === 'warning' ? `warning: ${e.text}` : e.text);
    else if (e.type === 'result' && !e.past && e.entry.id !== BASELINE_ID) opt.log?.(e.summary);
    opt.onEvent?.(e);
  };
  const say = (text: string, level: 'info' | 'warning' = 'info'): void => emit({ type: 'message', atMs: Date.now(), level, text });
  const phase = (id: string, parent: string, p: Phase): void => {
    const cur = inFlight.get(id);
    inFlight.set(id, { id, parent, phase: p, sinceMs: cur?.sinceMs ?? Date.now() });
    emit({ type: 'phase', atMs: Date.now(), id, parent, phase: p });
    statusChanged();
  };
  const onPause = (paused: boolean): void => {
    if (state === 'running' || state === 'paused') state = paused ? 'paused' : 'running';
    emit({ type: 'paused', atMs: Date.now(), paused });
    statusChanged();
  };
  const onAbort = (): void => {
    // what is in flight is cancelled, not judged: it gets no ledger entry (a resume proposes afresh)
    opt.evaluator.close?.();
    state = 'stopping';
    emit({ type: 'stopping', atMs: Date.now() });
    statusChanged();
  };

  type Timings = NonNullable<LedgerEntry['timings']>;
  type EvalFailure = { kind: string; text: string };
  /**
   * Runs replicas [from, to) of each scenario, appending each report's metrics to `samples` (replica
   * order) and refreshing `into` with the means; stops at the first failure.
   */
  const evalOn = async (id: string, source: string, scenarios: Scenario[], into: ScenarioMetrics, samples: ScenarioSamples, t: Timings, from = 0, to = o.seeds): Promise<EvalFailure | null> => {
    for (const s of scenarios) {
      for (let i = from; i < to; i++) {
        const r = await opt.evaluator.evaluateSource(source, notional, replicaOf(s, i));
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
        emit({ type: 'evaluation', atMs: Date.now(), id, scenario: s.name, ok: r.ok, cached: r.ok ? Boolean(r.cached) : false, wallMs: r.ok ? r.wallMs : 0,
          ...(r.ok && r.timings && !r.cached ? { bundleMs: r.timings.bundleMs, compileMs: r.timings.compileMs, runMs: r.timings.runMs } : {}) });
        if (!r.ok) return { kind: r.kind, text: `${r.kind} on ${s.name}${i > 0 ? ` (replica ${i})` : ''}: ${r.message}` };
        const m = pickMetrics(o, r.report as unknown as Record<string, unknown>);
        const byMetric = (samples[s.name] ??= {});
        for (const [k, v] of Object.entries(m)) (byMetric[k] ??= []).push(v);
      }
      into[s.name] = meansOf({ [s.name]: samples[s.name]! })[s.name]!;
    }
    return null;
  };
  const noTimings = (): Timings => ({ evaluations: 0, cached: 0, wallMs: 0, bundleMs: 0, compileMs: 0, runMs: 0 });
  emit({ type: 'start', atMs: t0, runDir: opt.runDir, objective: o.name, proposer: opt.proposer.label ?? opt.proposer.name, seed: opt.seed, parallel: opt.parallel, budgets, resumed: opt.resume });

  if (opt.resume) {
    log = RunLog.open(opt.runDir);
    // the lock first: of two resumes at once only one reconciles and writes
    log.lock();
    try {
      const repaired = await log.restoreCleanTree();
      if (repaired) say(`restored the run's worktree to its last commit (${repaired})`, 'warning');
      const cfg = log.config<{ objective: string; seed: number }>();
      if (cfg.objective !== o.name) throw new Error(`${opt.runDir} is a run of objective ${cfg.objective}, not ${o.name}`);
      const entries = log.ledger((m) => say(m, 'warning'));
      for (const e of entries) {
        if (e.codeHash) seen.add(e.codeHash);
        const n = /^c(\d+)$/.exec(e.id);
        if (n) next = Math.max(next, Number(n[1]) + 1);
        if (e.status === 'accepted' && e.metrics && e.commit) {
          archive.add({ id: e.id, parent: e.parent, source: await log.source(e.id), metrics: e.metrics, ...(e.samples ? { samples: e.samples } : {}), commit: e.commit });
        }
      }
      for (const g of await log.acceptedInGit()) {
        if (archive.get(g.id)) continue;
        const t = fromTrailer(g.message);
        if (!t) { say(`accepted candidate ${g.id} is in git but not in the ledger, and its commit has no metrics; left out`, 'warning'); continue; }
        const source = await log.source(g.id);
        const e: LedgerEntry = { id: g.id, parent: t.parent, status: 'accepted', reason: 'recovered from git', commit: g.commit, metrics: t.metrics, ...(t.samples ? { samples: t.samples } : {}), codeHash: codeHash(source), atMs: Date.now() };
        log.record(e);
        entries.push(e);
        seen.add(e.codeHash!);
        archive.add({ id: g.id, parent: t.parent, source, metrics: t.metrics, ...(t.samples ? { samples: t.samples } : {}), commit: g.commit });
        const n = /^c(\d+)$/.exec(g.id);
        if (n) next = Math.max(next, Number(n[1]) + 1);
        say(`recovered ${g.id} from git (the ledger had lost it)`);
      }
      if (!archive.get(BASELINE_ID)) throw new Error(`${opt.runDir}: the ledger has no baseline entry; the run cannot be resumed`);
      for (const e of entries) emit({ type: 'result', entry: e, summary: `${e.id} ${e.status}`, past: true });
      const { tokens, usd, ...c } = ledgerTotals(entries);
      Object.assign(counts, c);
      Object.assign(spent, { tokens, usd });
      say(`resumed ${opt.runDir}: ${counts.evaluated} candidates so far, ${archive.members.length} accepted, next c${String(next).padStart(4, '0')}`);
    } catch (e) {
      log.unlock();
      throw e;
    }
  } else {
    const source = readFileSync(join(REPO_ROOT, o.baseline), 'utf8');
    say(`evaluating the baseline ${o.baseline} on ${search.length + held.length} scenarios`);
    const metrics: ScenarioMetrics = {};
    const samples: ScenarioSamples = {};
    // more replicas than a candidate's: the baseline's spread is the noise floor of every comparison
    const err = await evalOn(BASELINE_ID, source, [...search, ...held], metrics, samples, noTimings(), 0, baselineReplicas(o));
    if (err) throw new Error(`the baseline ${o.baseline} failed: ${err.text}`);
    log = await RunLog.create(opt.runDir, { objective: o.name, seed: opt.seed, proposer: opt.proposer.name, budgets, objectiveSpec: o, createdAt: new Date().toISOString() },
      { id: BASELINE_ID, source, message: commitMessage(o, BASELINE_ID, { id: BASELINE_ID, parent: null, source, metrics, commit: '' }, metrics, { description: `baseline ${o.baseline}`, proposer: 'baseline' }, samples) });
    const commit = await log.commitOf(BASELINE_ID);
    const h = codeHash(source);
    seen.add(h);
    const entry: LedgerEntry = { id: BASELINE_ID, parent: null, status: 'accepted', commit, metrics, samples, proposer: 'baseline', description: o.baseline, codeHash: h, atMs: Date.now() };
    log.record(entry);
    emit({ type: 'result', entry, summary: `baseline ${o.baseline} evaluated` });
    archive.add({ id: BASELINE_ID, parent: null, source, metrics, samples, commit });
    log.lock();
  }
  for (const m of archive.members) behaviours.set(m.samples ? probeFingerprint(m.samples, search[0]!.name) : JSON.stringify(m.metrics[search[0]!.name]), m.id);
  const publishFront = (): void => {
    const front = archive.front().map((m) => ({ id: m.id, commit: m.commit, metrics: m.metrics }));
    log.writeFront(front);
    emit({ type: 'front', atMs: Date.now(), front });
  };
  publishFront();
  gate.onChange(onPause);
  if (gate.isPaused) state = 'paused';
  // pause/resume requests from other processes (twinsearch watch); only requests made after this start count
  let controlSeen = Date.now();
  const control = setInterval(() => {
    const c = log.readControl();
    if (c && c.atMs > controlSeen) {
      controlSeen = c.atMs;
      gate.set(c.paused);
    }
  }, 300);
  opt.signal?.addEventListener('abort', onAbort, { once: true });
  writeStatus();

  const rng = new Prng(opt.seed + next * 7919); // a resumed run continues with fresh draws
  // paused time is not search time
  const pastDeadline = (): boolean => opt.budgetMinutes !== undefined && Date.now() - gate.pausedMs() >= t0 + opt.budgetMinutes * 60_000;
  const maxIter = opt.budgetIterations ?? Infinity;
  let started = counts.evaluated; // budgets are of the whole run: a resumed run continues its count
  let commitChain = Promise.resolve();

  const finish = (e: LedgerEntry, line: string): void => {
    opt.proposer.observe?.(e.id, 'different'); // no-op if the probe was observed; frees what the proposer kept
    log.record(e);
    counts.evaluated++;
    counts[e.status]++;
    inFlight.delete(e.id);
    emit({ type: 'result', entry: e, summary: line });
    statusChanged();
  };

  /** A candidate stopped by Ctrl-C: no verdict, no ledger entry. */
  const dropCancelled = (id: string): void => {
    inFlight.delete(id);
    statusChanged();
  };

  const one = async (id: string): Promise<void> => {
    const startedMs = Date.now();
    const front = archive.front();
    // the parent from this candidate's island, a crossover partner from anywhere on the front
    const parent = archive.pickParent(archive.islandFront(Archive.islandOfCandidate(id)), rng.next());
    const others = front.filter((m) => m !== parent);
    const other = others.length ? others[rng.nextInt(others.length)] : undefined;
    phase(id, parent.id, 'proposing');
    const tune = tuner.next(rng.next(), id);
    const p = await proposeLimit(() => opt.proposer.propose({ id, objective: o, parent, front, ...(other ? { other } : {}), rng: rng.split(id), recentFailures: recentFailures.slice(-5), ...(opt.signal ? { signal: opt.signal } : {}), ...(tune ? { tune: { label: tune.label, source: tune.source, sigma: tune.sigma } } : {}) }));
    if (opt.signal?.aborted && !p.ok) return dropCancelled(id);
    spent.tokens += p.tokens ?? 0;
    spent.usd += p.usd ?? 0;
    const t = noTimings();
    const base = { id, parent: parent.id, proposer: p.proposer, ...(p.tokens !== undefined ? { tokens: p.tokens } : {}), ...(p.usd !== undefined ? { usd: p.usd } : {}), startedMs };
    if (!p.ok) {
      recentFailures.push(p.error);
      return finish({ ...base, status: 'failed', kind: 'proposer', reason: `proposer: ${p.error}`, atMs: Date.now() }, `${id} failed   proposer: ${p.error}`);
    }
    const h = codeHash(p.source);
    const repeated = seen.has(h);
    dupStreak = repeated ? dupStreak + 1 : 0;
    if (repeated) opt.proposer.observe?.(id, 'same'); // code already tried: the edit led nowhere new
    if (repeated) return finish({ ...base, status: 'rejected', reason: 'duplicate code', description: p.description, codeHash: h, atMs: Date.now() }, `${id} rejected duplicate code (${p.description})`);
    seen.add(h);
    const metrics: ScenarioMetrics = {};
    const samples: ScenarioSamples = {};
    const scored = { metrics, samples };
    const rec = { ...base, description: p.description, codeHash: h, timings: t };
    const failed = (err: EvalFailure, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({ ...rec, status: 'failed', kind: err.kind, reason: err.text, ...extra, atMs: Date.now() });
    const probe = search[0]!;
    phase(id, parent.id, 'probe');
    let err = await evalOn(id, p.source, [probe], metrics, samples, t, 0, 1);
    if (err?.kind === 'cancelled') return dropCancelled(id);
    if (err) {
      recentFailures.push(err.text);
      return finish(failed(err), `${id} failed   ${p.description}: ${err.text.split('\n')[0]}`);
    }
    // a grafted idea that loses at its first constants gets a tuning budget (structure-tuner.ts)
    const parentProbe = archive.probeOf(parent, probe.name);
    const score = probeScore(metrics[probe.name], parentProbe, o.metrics,
      { cand: archive.violation(metrics, [probe.name]), parent: archive.violation({ [probe.name]: parentProbe }, [probe.name]) });
    const idea = /^idea (\S+)/.exec(p.description)?.[1];
    const offer = (): void => { if (idea) tuner.offer(idea, p.source, score); };
    const fingerprint = probeFingerprint(samples, probe.name);
    const same = behaviours.get(fingerprint);
    tuner.report(id, p.source, score, same !== undefined);
    opt.proposer.observe?.(id, same !== undefined ? 'same' : 'different');
    if (same) offer(); // constants that never bite (a cap nobody reaches) may bite once tuned
    if (same) return finish({ ...rec, status: 'rejected', reason: `same behaviour as ${same} on ${probe.name}`, metrics, atMs: Date.now() }, `${id} rejected same behaviour as ${same} (${p.description})`);
    behaviours.set(fingerprint, id);
    if (archive.clearlyWorse(metrics, parent, probe.name)) {
      offer();
      return finish({ ...rec, status: 'rejected', reason: `clearly worse than ${parent.id} on ${probe.name} (stopped early)`, metrics, atMs: Date.now() }, `${id} rejected early: worse than ${parent.id} on ${probe.name} (${p.description})`);
    }
    phase(id, parent.id, 'scenarios');
    err = await evalOn(id, p.source, [probe], metrics, samples, t, 1, o.seeds);
    if (!err) err = await evalOn(id, p.source, search.slice(1), metrics, samples, t);
    if (err?.kind === 'cancelled') return dropCancelled(id);
    if (err) {
      recentFailures.push(err.text);
      return finish(failed(err, { metrics }), `${id} failed   ${p.description}: ${err.text.split('\n')[0]}`);
    }
    const verdict = archive.judge(scored);
    if (!verdict.accept) offer();
    if (!verdict.accept) return finish({ ...rec, status: 'rejected', reason: verdict.reason, metrics, samples, atMs: Date.now() }, `${id} rejected ${verdict.reason} (${p.description})`);
    if (held.length) {
      phase(id, parent.id, 'held-out');
      err = await evalOn(id, p.source, held, metrics, samples, t);
      if (err?.kind === 'cancelled') return dropCancelled(id);
      if (err) return finish({ ...failed(err, { metrics }), reason: `held out: ${err.text}` }, `${id} failed on held-out: ${err.text.split('\n')[0]}`);
      const regression = archive.regressesOn(scored, parent, held.map((s) => s.name));
      if (regression) return finish({ ...rec, status: 'rejected', reason: `not confirmed on held-out scenarios: ${regression} than ${parent.id}`, metrics, samples, atMs: Date.now() }, `${id} rejected: not confirmed on held-out scenarios, ${regression} (${p.description})`);
    }
    phase(id, parent.id, 'committing');
    // commits touch one worktree: one at a time
    const done = commitChain.then(async () => {
      const again = archive.judge(scored); // the front may have moved while this one was evaluated
      if (!again.accept) return finish({ ...rec, status: 'rejected', reason: again.reason, metrics, samples, atMs: Date.now() }, `${id} rejected ${again.reason} (${p.description})`);
      const commit = await log.commitCandidate(id, parent.id, p.source, commitMessage(o, id, parent, metrics, { description: p.description, proposer: p.proposer, ...(p.tokens !== undefined ? { tokens: p.tokens } : {}), ...(p.usd !== undefined ? { usd: p.usd } : {}) }, samples));
      archive.add({ id, parent: parent.id, source: p.source, metrics, samples, commit });
      const first = probe.name;
      const summary = o.metrics.map((k) => `${k.key}=${fmt(metrics[first]![k.key]!)}`).join(' ');
      // the ledger first: a follower that sees the new front can find the member's entry
      finish({ ...rec, status: 'accepted', commit, metrics, samples, atMs: Date.now() }, `${id} ACCEPTED ${p.description} → ${commit.slice(0, 8)}  ${first}: ${summary}`);
      publishFront();
    });
    commitChain = done.catch(() => undefined);
    await done;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (gate.isPaused) await gate.wait(opt.signal);
      if (opt.signal?.aborted) { stoppedBy = 'signal'; return; }
      if (dupStreak >= EXHAUSTED_STREAK) { stoppedBy = 'exhausted'; return; }
      if (writeFailure) return;
      if (pastDeadline()) { stoppedBy = 'minutes'; return; }
      if (started >= maxIter) return;
      if (opt.budgetUsd !== undefined && spent.usd >= opt.budgetUsd) { stoppedBy = 'usd'; return; }
      if (opt.budgetTokens !== undefined && spent.tokens >= opt.budgetTokens) { stoppedBy = 'tokens'; return; }
      started++;
      const id = `c${String(next++).padStart(4, '0')}`;
      try {
        await one(id);
      } catch (e) {
        // the disk, not the candidate: stop here with what is written intact (resumable)
        if (e instanceof RunLogWriteError) {
          writeFailure ??= e;
          return;
        }
        finish({ id, parent: null, status: 'failed', kind: 'internal', reason: `internal: ${(e as Error).message}`, atMs: Date.now() }, `${id} failed (internal): ${(e as Error).message}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opt.parallel) }, worker));
  } finally {
    opt.signal?.removeEventListener('abort', onAbort);
    clearInterval(control);
    if (statusTimer) clearTimeout(statusTimer);
    state = 'finished';
    inFlight.clear();
    writeStatus();
    log.unlock();
  }
  if (writeFailure) throw writeFailure;
  emit({ type: 'done', atMs: Date.now(), stoppedBy });
  return { runDir: opt.runDir, ...counts, front: archive.front().map((m) => ({ id: m.id, metrics: m.metrics })), stoppedBy, ...spent };
}
