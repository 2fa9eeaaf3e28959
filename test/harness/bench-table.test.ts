import { describe, expect, it } from 'vitest';
import { benchTable, meanEvaluation, pairedAgainstFirst, summarize, type BenchRow } from '../../harness/bench/bench-table.js';
import type { Evaluation } from '../../harness/bench/evaluator.js';
import { getScenario } from '../../objectives/scenarios/index.js';

const ev = (mean: number, p90: number, reuse: number): Evaluation =>
  ({ ok: true, wallMs: 1, report: { mean_ttft_ms: mean, p90_ttft_ms: p90, mean_tpot_ms: 10, prefix_cache_reused_ratio: reuse } as never });

describe('bench with seed replicas', () => {
  const s = getScenario('conversation-8x-poly');
  const rows: BenchRow[] = [
    { candidate: 'ref', scenario: s.name, replicas: [ev(100, 200, 0.2), ev(102, 204, 0.2), ev(98, 198, 0.2), ev(100, 201, 0.2)] },
    { candidate: 'fast', scenario: s.name, replicas: [ev(90, 200, 0.2), ev(91.8, 202, 0.2), ev(88.2, 199, 0.2), ev(90, 203, 0.2)] },
  ].map((r) => ({ ...r, result: meanEvaluation(r.replicas) }));
  const sum = summarize('router', ['ref', 'fast'], [s], rows);

  it('shows means and a paired change against the first candidate, marked only where the test calls it', () => {
    expect(rows[1]!.result.ok && rows[1]!.result.report.mean_ttft_ms).toBeCloseTo(90, 9);
    const cells = pairedAgainstFirst(sum);
    const mean = cells.find((c) => c.metric === 'mean_ttft_ms')!.difference;
    expect(mean.mean).toBeCloseTo(0.1, 9);
    expect(mean.call).toBe('better');
    expect(cells.find((c) => c.metric === 'p90_ttft_ms')!.difference.call).toBe('tie');
    const text = benchTable(sum, false);
    expect(text).toMatch(/paired over 4 seed replicas/);
    expect(text).toMatch(/fast\s+\+10\.0±\d\.\d % ✓/);
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('a failed replica stands for the candidate; one replica is shown as it is, with no paired table', () => {
    const bad: Evaluation = { ok: false, kind: 'timeout', message: 'too slow' };
    expect(meanEvaluation([ev(1, 1, 0), bad])).toBe(bad);
    const one = [{ candidate: 'ref', scenario: s.name, result: ev(1, 2, 0) }, { candidate: 'b', scenario: s.name, result: ev(2, 3, 0) }];
    const t = benchTable(summarize('router', ['ref', 'b'], [s], one), false);
    expect(t).not.toMatch(/paired/);
  });
});
