import { describe, expect, it } from 'vitest';
import { generateClosedLoop, type ClosedLoopOptions } from '../../sim/workload/closed-loop.js';
import { checkWorkload } from '../../sim/workload/workload.js';
import { runReplay } from '../../sim/replay.js';
import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { resolveKvRouterConfig } from '../../sim/router/router-config.js';
import { createRooflineModel } from '../../sim/timing/roofline.js';

const base: ClosedLoopOptions = { clients: 8, requestsPerClient: 5, isl: 1024, osl: 128, islJitter: 0, launchIntervalMs: 0, turnaroundMs: 0, seed: 3 };

function replay(opts: typeof base, frontendMs = 0): { ttft: number[]; tpotMean: number } {
  const w = generateClosedLoop(opts);
  const res = runReplay(w, {
    frontendMs,
    workers: 1, engine: resolveEngineArgs({ block_size: 16, num_gpu_blocks: 100_000 }),
    timing: createRooflineModel({ gpu: 'h200_sxm', model: 'llama-3.1-8b', tp: 1, weightDtype: 'bf16', kvDtype: 'bf16' }),
    router: 'round_robin', routerConfig: resolveKvRouterConfig({}), seed: 1, arrivalSpeedupRatio: 1, concurrency: null, gpusPerWorker: 1,
  });
  const ttft = Array.from(res.requests.firstTokenMs, (t, i) => t - res.requests.arrivalMs[i]!);
  return { ttft, tpotMean: res.report.mean_tpot_ms! };
}
const std = (xs: number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

describe('closed-loop benchmark workload', () => {
  it('is N sessions of fresh prompts whose later turns follow at once (or after the turnaround)', () => {
    const w = generateClosedLoop({ ...base, turnaroundMs: 2, launchIntervalMs: 5 });
    expect(checkWorkload(w)).toBeNull();
    expect(w.sessions).toBe(8);
    expect(w.count).toBe(40);
    expect(new Set(w.contentIds).size).toBe(w.contentIds.length); // no prefix shared
    const firsts = Array.from({ length: 8 }, (_, s) => w.timeMs[w.sessionStart[s]!]!).sort((a, b) => a - b);
    expect(firsts).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    for (let s = 0; s < 8; s++) {
      for (let i = w.sessionStart[s]! + 1; i < w.sessionStart[s + 1]!; i++) expect(w.timeMs[i]).toBeGreaterThanOrEqual(0), expect(w.timeMs[i]).toBeLessThanOrEqual(4);
    }
  });

  it('with random launches, every client starts somewhere in the window, not on a grid', () => {
    const w = generateClosedLoop({ ...base, clients: 100, launchIntervalMs: 10, randomLaunch: true });
    const firsts = Array.from({ length: 100 }, (_, s) => w.timeMs[w.sessionStart[s]!]!);
    expect(Math.min(...firsts)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...firsts)).toBeLessThan(1000);
    expect(firsts.filter((t) => Number.isInteger(t / 10)).length).toBeLessThan(5);
    const gaps = [...firsts].sort((a, b) => a - b).slice(1).map((t, i, a) => t - (i === 0 ? Math.min(...firsts) : a[i - 1]!));
    expect(Math.max(...gaps)).toBeGreaterThan(20); // independent phases leave gaps and clusters
    expect(generateClosedLoop({ ...base, clients: 100, launchIntervalMs: 10, randomLaunch: true })).toEqual(w);
  });

  it('jitters prompt lengths by about the asked share and never output lengths; the same seed gives the same workload', () => {
    const w = generateClosedLoop({ ...base, clients: 200, islJitter: 0.01 });
    const isl = Array.from(w.inputLength);
    expect(std(isl) / 1024).toBeGreaterThan(0.007);
    expect(std(isl) / 1024).toBeLessThan(0.013);
    expect(new Set(w.outputLength).size).toBe(1);
    expect(generateClosedLoop({ ...base, clients: 200, islJitter: 0.01 })).toEqual(w);
    expect(generateClosedLoop({ ...base, clients: 200, islJitter: 0.01, seed: 4 }).inputLength).not.toEqual(w.inputLength);
  });

  it('draws ISL and OSL from [R × L, L] as benchmark_serving --random-range-ratio does, and the clients drift apart', () => {
    const w = generateClosedLoop({ ...base, clients: 400, rangeRatio: 0.8 });
    const isl = Array.from(w.inputLength), osl = Array.from(w.outputLength);
    expect(Math.min(...isl)).toBeGreaterThanOrEqual(819);
    expect(Math.max(...isl)).toBeLessThanOrEqual(1024);
    expect(Math.min(...osl)).toBeGreaterThanOrEqual(102);
    expect(Math.max(...osl)).toBeLessThanOrEqual(128);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(isl) / 1024).toBeCloseTo(0.9, 1);
    expect(mean(osl) / 128).toBeCloseTo(0.9, 1);
    expect(new Set(osl).size).toBeGreaterThan(20);
    expect(generateClosedLoop({ ...base, clients: 400, rangeRatio: 1 }).outputLength.every((x) => x === 128)).toBe(true);
    // a burst start no longer repeats: later rounds' TTFTs differ
    const later = replay({ ...base, rangeRatio: 0.8 }).ttft.filter((_, i) => i % 5 !== 0);
    expect(std(later)).toBeGreaterThan(1);
  });

  it('runs in lockstep when all clients start at once with exact lengths, and not when they launch spread out', () => {
    const lockstep = replay(base);
    // every round but the first: all eight prompts are prefilled in one pass, so they share one TTFT
    const later = lockstep.ttft.filter((_, i) => i % 5 !== 0);
    expect(std(later)).toBeLessThan(1e-6);
    const spread = replay({ ...base, launchIntervalMs: 40, turnaroundMs: 2, islJitter: 0.005 });
    expect(std(spread.ttft)).toBeGreaterThan(1);
    // prefills no longer pile up: the mean TTFT is well below the lockstep one
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(spread.ttft)).toBeLessThan(0.6 * mean(lockstep.ttft));
  });

  it('a front-end time delays what the engine sees and adds to TTFT, not to TPOT', () => {
    const one = { ...base, clients: 1, requestsPerClient: 3 };
    const a = replay(one), b = replay(one, 7);
    for (let i = 0; i < 3; i++) expect(b.ttft[i]! - a.ttft[i]!).toBeCloseTo(7, 6);
    expect(b.tpotMean).toBeCloseTo(a.tpotMean, 9);
  });

  it('rejects bad options by name', () => {
    expect(() => generateClosedLoop({ ...base, clients: 0 })).toThrow(/clients must be a positive integer/);
    expect(() => generateClosedLoop({ ...base, islJitter: 1 })).toThrow(/islJitter must be in \[0, 1\)/);
    expect(() => generateClosedLoop({ ...base, turnaroundMs: -1 })).toThrow(/turnaroundMs must be finite and >= 0/);
    expect(() => generateClosedLoop({ ...base, rangeRatio: 0 })).toThrow(/rangeRatio must be in \(0, 1\]/);
  });
});
