import { describe, expect, it } from 'vitest';
import { meansOf, noiseFloorOf, pairedDifference, relativeSd, Z_CRITICAL } from '../../objectives/paired.js';
import { Archive } from '../../harness/search/archive.js';
import { tiny } from '../helpers/tiny-objective.js';
import { defineObjective } from '../../objectives/objective.js';
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

describe('archive: objectives that cannot be gamed', () => {
  it('planner: feasible beats infeasible; among infeasible, buying less violation with more GPU-hours is no win', () => {
    const o = defineObjective({ name: 'p', description: 'p', kind: 'planner', baseline: 'candidates/planner/dynamo-sla-tuned.ts', search: ['conversation-autoscale-h200-qwen32b-tp2'], metrics: [{ key: 'gpu_hours', better: 'min' }], constraints: [{ key: 'sla_attainment', bound: 'min', limit: 0.9 }] });
    const sc = 'conversation-autoscale-h200-qwen32b-tp2';
    const m = (id: string, gpu: number, sla: number) => {
      const samples = { [sc]: { gpu_hours: [gpu, gpu * 1.01, gpu * 0.99, gpu], sla_attainment: [sla, sla, sla, sla] } };
      return { id, parent: id === 'base' ? null : 'base', source: '', commit: id, samples, metrics: meansOf(samples) };
    };
    const infeasible = new Archive(o);
    infeasible.add(m('base', 10, 0.8));
    // the whole budget: less violation, 2.4x the GPU-hours
    expect(infeasible.judge(m('c1', 24, 0.88))).toMatchObject({ accept: false, reason: expect.stringMatching(/infeasible, and worse than base/) });
    // less violation at the same cost, or the same violation for less: progress
    expect(infeasible.judge(m('c2', 10, 0.85))).toEqual({ accept: true });
    expect(infeasible.judge(m('c3', 8, 0.8))).toEqual({ accept: true });
    // feasible at any cost beats an infeasible front
    expect(infeasible.judge(m('c4', 24, 0.92))).toEqual({ accept: true });
    const feasible = new Archive(o);
    feasible.add(m('base', 17, 0.91));
    expect(feasible.judge(m('c5', 5, 0.89))).toMatchObject({ accept: false, reason: expect.stringMatching(/^infeasible/) });
    expect(feasible.judge(m('c6', 13, 0.9))).toEqual({ accept: true });
    // held out, feasibility comes first too: meeting more of an SLA the parent misses is no regression for its cost
    const held = [sc];
    expect(feasible.regressesOn(m('c7', 20, 0.85), m('base', 10, 0.7), held)).toBeNull();
    expect(feasible.regressesOn(m('c8', 20, 0.7), m('base', 10, 0.7), held)).toMatch(/gpu_hours worse/);
    expect(feasible.regressesOn(m('c9', 5, 0.6), m('base', 10, 0.7), held)).toBe('more constraint violation');
  });

  it('router: throughput may not fall more than 1 % below the baseline\'s, whatever the latency', () => {
    const o = defineObjective({ ...tiny, constraints: [{ key: 'output_throughput_tok_s', bound: 'min', limit: 0.99, relative: true }] });
    const sc = 'conversation-8x-poly';
    const m = (id: string, p95: number, thr: number) => {
      const samples = { [sc]: { p95_ttft_ms: [p95, p95 * 1.01, p95 * 0.99, p95], mean_ttft_ms: [50, 50, 50, 50], output_throughput_tok_s: [thr, thr, thr, thr] } };
      return { id, parent: id === 'base' ? null : 'base', source: '', commit: id, samples, metrics: meansOf(samples) };
    };
    const a = new Archive(o);
    a.add(m('base', 100, 1000));
    expect(a.judge(m('c1', 60, 980))).toMatchObject({ accept: false, reason: expect.stringMatching(/^infeasible/) });
    expect(a.judge(m('c2', 60, 995))).toEqual({ accept: true });
  });
});
