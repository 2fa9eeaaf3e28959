import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { BASELINE_ID, type LedgerEntry } from '../runlog/run-log.js';
import { failureKind, rejectionKind, type Budgets, type FrontMember, type InFlight, type SearchEvent, type StopReason } from '../search/search-events.js';
import { plotAxes, type PlotAxes } from './plot-axes.js';

export interface FeedItem {
  atMs: number;
  kind: 'accepted' | 'rejected' | 'failed' | 'info' | 'warning';
  text: string;
}

export interface PlotPoint {
  id: string;
  x: number;
  y: number;
}

export interface TimingTotals {
  /** Sandboxed evaluations, cache hits included. */
  evaluations: number;
  cached: number;
  wallMs: number;
  bundleMs: number;
  compileMs: number;
  runMs: number;
  /** Candidates whose timings are known, and their summed wall time from proposal to verdict. */
  candidates: number;
  candidateMs: number;
}

export type RunState = 'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'not running';

/**
 * Everything the dashboard shows, built from search events (a live search) or from a run directory
 * (`twinsearch watch`): one model, two sources. Mutated in place; `version` says when it changed.
 */
export interface DashboardState {
  version: number;
  runDir: string;
  spec: Objective | undefined;
  axes: PlotAxes | undefined;
  proposer: string;
  seed: number | undefined;
  parallel: number;
  budgets: Budgets;
  /** Start of the current (or last) invocation of the search. */
  startedAtMs: number;
  pausedMs: number;
  pausedSinceMs: number | null;
  state: RunState;
  stoppedBy: StopReason | undefined;
  /** When the invocation ended (the clock stops there). */
  endedAtMs: number | null;
  counts: { evaluated: number; accepted: number; rejected: number; failed: number };
  failedByKind: Map<string, number>;
  rejectedByKind: Map<string, number>;
  tokens: number;
  usd: number;
  inFlight: Map<string, InFlight>;
  /** Finish times of the candidates of this invocation (the rate). */
  doneTimes: number[];
  /** Accepted candidates (the baseline too), by id: descriptions and parents for the front table. */
  accepted: Map<string, LedgerEntry>;
  baseline: ScenarioMetrics | undefined;
  points: PlotPoint[];
  front: FrontMember[];
  newest: string | undefined;
  feed: FeedItem[];
  timings: TimingTotals;
}

const FEED_CAP = 200;

export function initialState(runDir: string, spec: Objective | undefined): DashboardState {
  return {
    version: 0, runDir, spec, axes: spec ? plotAxes(spec) : undefined, proposer: '?', seed: undefined, parallel: 1,
    budgets: { iterations: null, minutes: null, usd: null, tokens: null }, startedAtMs: Date.now(), pausedMs: 0, pausedSinceMs: null,
    state: 'starting', stoppedBy: undefined, endedAtMs: null, counts: { evaluated: 0, accepted: 0, rejected: 0, failed: 0 }, failedByKind: new Map(), rejectedByKind: new Map(),
    tokens: 0, usd: 0, inFlight: new Map(), doneTimes: [], accepted: new Map(), baseline: undefined, points: [], front: [], newest: undefined, feed: [],
    timings: { evaluations: 0, cached: 0, wallMs: 0, bundleMs: 0, compileMs: 0, runMs: 0, candidates: 0, candidateMs: 0 },
  };
}

function bump(m: Map<string, number>, k: string | undefined): void {
  if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
}

function pushFeed(s: DashboardState, item: FeedItem): void {
  s.feed.push(item);
  if (s.feed.length > FEED_CAP * 2) s.feed.splice(0, s.feed.length - FEED_CAP);
}

/** The one-line summary of a ledger entry in the feed (the live search gives its own). */
function entrySummary(e: LedgerEntry): string {
  const what = e.description ? ` ${e.description}` : '';
  if (e.status === 'accepted') return `${e.id} accepted${what}${e.commit ? ` → ${e.commit.slice(0, 8)}` : ''}`;
  if (e.status === 'rejected') return `${e.id} rejected: ${e.reason ?? '?'}${what ? ` (${what.trim()})` : ''}`;
  return `${e.id} failed [${failureKind(e)}]${what}: ${(e.reason ?? '?').split('\n')[0]}`;
}

/** Adds a ledger entry (a finished candidate, or the baseline). `live`: finished during this invocation. */
function addEntry(s: DashboardState, e: LedgerEntry, summary: string | undefined, live: boolean): void {
  s.version++;
  s.inFlight.delete(e.id);
  if (e.status === 'accepted') s.accepted.set(e.id, e);
  if (e.id === BASELINE_ID) {
    s.baseline = e.metrics;
  } else {
    s.counts.evaluated++;
    s.counts[e.status]++;
    bump(s.failedByKind, failureKind(e));
    bump(s.rejectedByKind, rejectionKind(e));
    s.tokens += e.tokens ?? 0;
    s.usd += e.usd ?? 0;
    if (live) s.doneTimes.push(e.atMs);
    if (e.status === 'accepted') s.newest = e.id;
    if (e.timings) {
      const t = s.timings;
      t.evaluations += e.timings.evaluations;
      t.cached += e.timings.cached;
      t.wallMs += e.timings.wallMs;
      t.bundleMs += e.timings.bundleMs;
      t.compileMs += e.timings.compileMs;
      t.runMs += e.timings.runMs;
      if (e.startedMs !== undefined) {
        t.candidates++;
        t.candidateMs += e.atMs - e.startedMs;
      }
    }
  }
  const a = s.axes;
  const x = a && e.metrics?.[a.x.scenario]?.[a.x.key];
  const y = a && e.metrics?.[a.y.scenario]?.[a.y.key];
  if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) s.points.push({ id: e.id, x, y });
  if (e.id !== BASELINE_ID) pushFeed(s, { atMs: e.atMs, kind: e.status, text: summary ?? entrySummary(e) });
}

/** Applies one event of a live search. */
export function reduce(s: DashboardState, e: SearchEvent): void {
  switch (e.type) {
    case 'start':
      Object.assign(s, { runDir: e.runDir, proposer: e.proposer, seed: e.seed, parallel: e.parallel, budgets: e.budgets, startedAtMs: e.atMs, state: 'running' });
      break;
    case 'message':
      pushFeed(s, { atMs: e.atMs, kind: e.level, text: e.text });
      break;
    case 'phase':
      s.inFlight.set(e.id, { id: e.id, parent: e.parent, phase: e.phase, sinceMs: s.inFlight.get(e.id)?.sinceMs ?? e.atMs });
      break;
    case 'evaluation':
      return; // the ledger entry carries the candidate's summed timings
    case 'result':
      addEntry(s, e.entry, e.past ? undefined : e.summary, !e.past);
      return;
    case 'front':
      s.front = e.front;
      break;
    case 'paused':
      if (e.paused) s.pausedSinceMs = e.atMs;
      else if (s.pausedSinceMs !== null) {
        s.pausedMs += e.atMs - s.pausedSinceMs;
        s.pausedSinceMs = null;
      }
      if (s.state === 'running' || s.state === 'paused') s.state = e.paused ? 'paused' : 'running';
      pushFeed(s, { atMs: e.atMs, kind: 'info', text: e.paused ? 'paused: no new candidates until resumed (p)' : 'resumed' });
      break;
    case 'stopping':
      s.state = 'stopping';
      pushFeed(s, { atMs: e.atMs, kind: 'info', text: `stopping: ${s.inFlight.size} candidate(s) in flight cancelled` });
      break;
    case 'done':
      s.state = 'finished';
      s.stoppedBy = e.stoppedBy;
      s.endedAtMs = e.atMs;
      s.inFlight.clear();
      pushFeed(s, { atMs: e.atMs, kind: 'info', text: `finished (${e.stoppedBy === 'signal' ? 'stopped' : e.stoppedBy === 'exhausted' ? 'no new code to propose' : `budget: ${e.stoppedBy}`})` });
      break;
  }
  s.version++;
}

/** Candidates finished per minute, over the last five minutes of this invocation (less when younger). */
export function ratePerMinute(s: DashboardState, now: number): number {
  now = Math.min(now, s.endedAtMs ?? now);
  const windowMs = Math.min(5 * 60_000, Math.max(1, activeMs(s, now)));
  let n = 0;
  for (let i = s.doneTimes.length - 1; i >= 0 && s.doneTimes[i]! >= now - windowMs; i--) n++;
  return windowMs < 1_000 ? 0 : (n * 60_000) / windowMs;
}

/** Wall time of this invocation, pauses left out (what the minutes budget counts). */
export function activeMs(s: DashboardState, now: number): number {
  now = Math.min(now, s.endedAtMs ?? now);
  return Math.max(0, now - s.startedAtMs - s.pausedMs - (s.pausedSinceMs !== null ? now - s.pausedSinceMs : 0));
}
