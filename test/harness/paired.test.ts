import { describe, expect, it } from 'vitest';
import { meansOf, noiseFloorOf, pairedDifference, relativeSd, Z_CRITICAL } from '../../objectives/paired.js';
import { Archive } from '../../harness/search/archive.js';
import { tiny } from '../helpers/tiny-objective.js';
import { Prng } from '../../sim/core/prng.js';

describe('paired difference over seed replicas', () => {
  it('calls a consistent change better or worse and a noisy one a tie', () => {
    const ref = [100, 102, 98, 101];
    expect(pairedDifference([90, 92, 88, 91], ref, 'min', 0.01).call).toBe('better');
    expect(pairedDifference([110, 112, 108, 111], ref, 'min', 0.01).call).toBe('worse');
    expect(pairedDifference([110, 112, 108, 111], ref, 'max', 0.01).call).toBe('better');
    // 1 % apart on average, but the pair's own spread is ±5 %: noise
    expect(pairedDifference([95, 108, 93, 103], ref, 'min', 0.01).call).toBe('tie');
  });

  it('never trusts a spread tighter than the baseline measured', () => {
    // four replicas that happen to agree to the last digit: the pair's own spread is 0
    const ref = [100, 100, 100, 100];
    const cand = [98.5, 98.5, 98.5, 98.5];
    expect(pairedDifference(cand, ref, 'min', 0).call).toBe('better');
    // the baseline moves 1 % from seed to seed: a 1.5 % difference over 4 replicas is z ≈ 2.1, a tie
    const d = pairedDifference(cand, ref, 'min', 0.01);
    expect(d.z).toBeCloseTo(0.015 / (Math.SQRT2 * 0.01 / 2), 5);
    expect(d.call).toBe('tie');
  });

  it('ignores changes below the smallest meaningful one however certain', () => {
    expect(pairedDifference([99.9, 99.9], [100, 100], 'min', 0, 0.005).call).toBe('tie');
  });

  it('rarely calls a difference between two draws of the same noise (A/A)', () => {
    const rng = new Prng(7);
    let calls = 0;
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      const draw = () => Array.from({ length: 4 }, () => 100 * (1 + 0.01 * rng.nextNormal()));
      const base = Array.from({ length: 8 }, () => 100 * (1 + 0.01 * rng.nextNormal()));
      if (pairedDifference(draw(), draw(), 'min', relativeSd(base)).call !== 'tie') calls++;
    }
    // 4 replicas make the pair's own spread a rough estimate: far heavier tails than normal (≈ 2.5e-4)
    expect(calls / trials).toBeLessThan(5e-4);
    expect(Z_CRITICAL).toBe(5);
  });

  it('summarises replicas as means and the baseline spread as the noise floor', () => {
    const s = { a: { x: [1, 2, 3], y: [10, 10, 10] } };
    expect(meansOf(s)).toEqual({ a: { x: 2, y: 10 } });
    expect(noiseFloorOf(s).a!.x).toBeCloseTo(0.5, 9);
    expect(noiseFloorOf(s).a!.y).toBe(0);
  });
});

describe('archive with replicas', () => {
  const sc = 'conversation-8x-poly';
  const member = (id: string, parent: string | null, p95: number[], mean: number[]) => {
    const samples = { [sc]: { p95_ttft_ms: p95, mean_ttft_ms: mean, mean_tpot_ms: p95.map(() => 10) } };
    return { id, parent, source: '', commit: id, samples, metrics: meansOf(samples) };
  };
  const archive = new Archive(tiny);
  archive.add(member('baseline', null, [100, 101, 99, 100, 102, 98, 100, 100], [50, 50.5, 49.5, 50, 50, 50, 50.2, 49.8]));

  it('accepts a change beyond the measured noise and rejects one inside it', () => {
    expect(archive.judge(member('c1', 'baseline', [90, 91, 89, 90], [50, 50.5, 49.5, 50]))).toEqual({ accept: true });
    expect(archive.judge(member('c2', 'baseline', [99.5, 101, 99, 100.5], [50, 50.4, 49.6, 50]))).toMatchObject({ accept: false, reason: expect.stringMatching(/measured noise/) });
    expect(archive.judge(member('c3', 'baseline', [110, 111, 109, 110], [50, 50.5, 49.5, 50]))).toMatchObject({ accept: false, reason: 'dominated by baseline' });
  });

  it('a held-out metric significantly worse than the parent is a regression', () => {
    const held = 'azure';
    const withHeld = (p95: number[]) => ({ metrics: { [held]: { p95_ttft_ms: p95[0]!, mean_ttft_ms: 1, mean_tpot_ms: 1 } }, samples: { [held]: { p95_ttft_ms: p95, mean_ttft_ms: [1, 1, 1, 1], mean_tpot_ms: [1, 1, 1, 1] } } });
    expect(archive.regressesOn(withHeld([120, 121, 119, 120]), withHeld([100, 101, 99, 100]), [held])).toMatch(/p95_ttft_ms worse on azure/);
    expect(archive.regressesOn(withHeld([100, 102, 98, 100.5]), withHeld([100, 101, 99, 100]), [held])).toBeNull();
  });
});
