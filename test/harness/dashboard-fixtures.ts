import { getObjective } from '../../objectives/objectives.js';
import { initialState, reduce, type DashboardState } from '../../harness/dashboard/state.js';
import type { LedgerEntry } from '../../harness/runlog/run-log.js';

/** Dashboard states built from the search's own events, for the panel tests. */

export const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
export const spec = getObjective('router-latency');
const probe = spec.search[0]!;
const second = spec.search[1]!;

export function metrics(p95: number, mean: number, tput = 1164): LedgerEntry['metrics'] {
  return { [probe]: { p95_ttft_ms: p95, mean_ttft_ms: mean, output_throughput_tok_s: tput, mean_tpot_ms: 20 }, [second]: { p95_ttft_ms: p95 * 2, mean_ttft_ms: mean * 2, output_throughput_tok_s: tput, mean_tpot_ms: 20 } };
}

const timings = { evaluations: 2, cached: 0, wallMs: 900, bundleMs: 40, compileMs: 60, runMs: 780 };

export function started(budgets: Partial<{ iterations: number; minutes: number; usd: number; tokens: number }> = {}): DashboardState {
  const s = initialState('/runs/router-latency-test', spec);
  reduce(s, { type: 'start', atMs: T0, runDir: '/runs/router-latency-test', objective: spec.name, proposer: 'mutate', seed: 7, parallel: 2,
    budgets: { iterations: budgets.iterations ?? null, minutes: budgets.minutes ?? null, usd: budgets.usd ?? null, tokens: budgets.tokens ?? null }, resumed: false });
  return s;
}

export function withBaseline(s = started({ iterations: 10 })): DashboardState {
  const entry: LedgerEntry = { id: 'baseline', parent: null, status: 'accepted', commit: 'b'.repeat(40), metrics: metrics(775, 283), description: 'candidates/router/kv-formula.ts', atMs: T0 + 1000 };
  reduce(s, { type: 'result', entry, summary: 'baseline evaluated' });
  reduce(s, { type: 'front', atMs: T0 + 1000, front: [{ id: 'baseline', commit: entry.commit!, metrics: entry.metrics! }] });
  return s;
}

export function result(s: DashboardState, e: Partial<LedgerEntry> & { id: string; status: LedgerEntry['status'] }, atMs: number): void {
  const entry: LedgerEntry = { parent: 'baseline', atMs, startedMs: atMs - 1500, timings, ...e };
  reduce(s, { type: 'result', entry, summary: `${e.id} ${e.status === 'accepted' ? 'ACCEPTED' : e.status} ${e.reason ?? e.description ?? ''}` });
}

/** Only failures: a timeout, a type error, a proposer that gave no code. */
export function onlyFailures(): DashboardState {
  const s = withBaseline();
  result(s, { id: 'c0001', status: 'failed', kind: 'timeout', reason: 'timeout on conversation-8x-poly: CPU-time limit of 10 s exceeded', description: 'endless loop' }, T0 + 10_000);
  result(s, { id: 'c0002', status: 'failed', kind: 'type', reason: "type on conversation-8x-poly: candidate.ts(3,3): TS2322 Type 'string' is not assignable", description: 'bad type' }, T0 + 20_000);
  result(s, { id: 'c0003', status: 'failed', kind: 'proposer', reason: 'proposer: malformed response: choices' }, T0 + 30_000);
  return s;
}

/** A run with two accepted candidates on the front, rejections and a failure, one candidate in flight. */
export function busy(): DashboardState {
  const s = withBaseline(started({ iterations: 20, minutes: 10, usd: 1, tokens: 50_000 }));
  result(s, { id: 'c0001', status: 'accepted', commit: '1'.repeat(40), metrics: metrics(768, 246), description: 'dropped + w.activeBlocks at line 14', tokens: 1200, usd: 0.004 }, T0 + 10_000);
  result(s, { id: 'c0002', status: 'rejected', reason: 'clearly worse than c0001 on conversation-8x-poly (stopped early)', metrics: { [probe]: { p95_ttft_ms: 790, mean_ttft_ms: 300, output_throughput_tok_s: 1100, mean_tpot_ms: 20 } }, description: 'constant 1 → 0 at line 15', tokens: 1000, usd: 0.003 }, T0 + 20_000);
  result(s, { id: 'c0003', status: 'rejected', reason: 'duplicate code', description: 'operator + → * at line 12' }, T0 + 25_000);
  result(s, { id: 'c0004', status: 'failed', kind: 'timeout', reason: 'timeout on conversation-8x-poly: CPU-time limit', description: 'while (true)' }, T0 + 30_000);
  result(s, { id: 'c0005', status: 'accepted', commit: '5'.repeat(40), metrics: metrics(740, 260), description: 'operator * → + at line 12', tokens: 1100, usd: 0.005 }, T0 + 40_000);
  reduce(s, { type: 'front', atMs: T0 + 40_000, front: [
    { id: 'c0001', commit: '1'.repeat(40), metrics: metrics(768, 246)! },
    { id: 'c0005', commit: '5'.repeat(40), metrics: metrics(740, 260)! },
  ] });
  reduce(s, { type: 'phase', atMs: T0 + 50_000, id: 'c0006', parent: 'c0005', phase: 'proposing' });
  reduce(s, { type: 'phase', atMs: T0 + 52_000, id: 'c0006', parent: 'c0005', phase: 'probe' });
  return s;
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
