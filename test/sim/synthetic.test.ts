import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSynthetic, type SyntheticOptions } from '../../sim/workload/synthetic.js';
import { checkWorkload, type Workload } from '../../sim/workload/workload.js';

const base: SyntheticOptions = { requests: 50, isl: 1000, osl: 100, arrival: { kind: 'fixed', intervalMs: 10 } };

const ids = (w: Workload, i: number): number[] => Array.from(w.contentIds.subarray(w.contentStart[i], w.contentStart[i + 1]));

describe('generateSynthetic', () => {
  it('produces requests × turns requests in valid shape', () => {
    const w = generateSynthetic({ ...base, turnsPerSession: 3 });
    expect(checkWorkload(w)).toBeNull();
    expect(w.count).toBe(150);
    expect(w.sessions).toBe(50);
    expect(w.sessionStart[1]).toBe(3);
    expect(w.blockSize).toBe(64);
    expect(w.sourceLine.every((l) => l === 0)).toBe(true);
    expect(w.name).toMatch(/^synthetic\(/);
  });

  it('fixed lengths without std; first-turn prompt is ceil(isl/bs) blocks', () => {
    const w = generateSynthetic(base);
    expect(w.inputLength.every((n) => n === 1000)).toBe(true);
    expect(w.outputLength.every((n) => n === 100)).toBe(true);
    expect(w.contentStart[1]).toBe(16);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const opts: SyntheticOptions = { ...base, islStd: 200, oslStd: 30, arrival: { kind: 'poisson', ratePerSec: 5 }, sharedPrefixRatio: 0.5, numPrefixGroups: 3, seed: 7 };
    const a = generateSynthetic(opts);
    const b = generateSynthetic(opts);
    expect(b).toEqual(a);
    const c = generateSynthetic({ ...opts, seed: 8 });
    expect(Array.from(c.inputLength)).not.toEqual(Array.from(a.inputLength));
    expect(Array.from(c.timeMs)).not.toEqual(Array.from(a.timeMs));
  });

  it('samples normal lengths clamped to >= 1', () => {
    const w = generateSynthetic({ ...base, requests: 4000, isl: 500, islStd: 100, osl: 3, oslStd: 10 });
    const mean = w.inputLength.reduce((s, n) => s + n, 0) / w.count;
    expect(Math.abs(mean - 500)).toBeLessThan(10);
    expect(new Set(w.inputLength).size).toBeGreaterThan(100);
    expect(Math.min(...w.outputLength)).toBe(1);
    expect(checkWorkload(w)).toBeNull();
  });

  describe('prefix groups', () => {
    // 1000 tokens / 64 = 16 blocks; 16 × 0.3 = 4.8 -> 5 shared blocks
    const w = generateSynthetic({ ...base, requests: 200, sharedPrefixRatio: 0.3, numPrefixGroups: 4 });
    const prompts = Array.from({ length: w.count }, (_, i) => ids(w, i));
    const byGroup = new Map<number, number[][]>(); // sessions keyed by their first id
    for (const p of prompts) byGroup.set(p[0]!, [...(byGroup.get(p[0]!) ?? []), p]);

    it('uses every group, and sessions of a group share exactly the first round(blocks × ratio) blocks', () => {
      expect(byGroup.size).toBe(4);
      for (const members of byGroup.values()) {
        expect(members.length).toBeGreaterThan(1);
        for (const p of members) expect(p.slice(0, 5)).toEqual(members[0]!.slice(0, 5));
      }
    });

    it('gives each group its own prefix content (unlike Dynamo, whose groups collapse)', () => {
      const prefixIds = [...byGroup.values()].map((m) => m[0]!.slice(0, 5));
      const all = prefixIds.flat();
      expect(new Set(all).size).toBe(all.length);
    });

    it('makes every non-prefix block unique everywhere', () => {
      const tails = prompts.flatMap((p) => p.slice(5));
      const prefixes = new Set(prompts.flatMap((p) => p.slice(0, 5)));
      expect(new Set(tails).size).toBe(tails.length);
      expect(tails.some((id) => prefixes.has(id))).toBe(false);
    });

    it('shares nothing at ratio 0 and whole prompts at ratio 1', () => {
      const none = generateSynthetic({ ...base, sharedPrefixRatio: 0 });
      expect(new Set(none.contentIds).size).toBe(none.contentIds.length);
      const all = generateSynthetic({ ...base, sharedPrefixRatio: 1, numPrefixGroups: 1 });
      for (let i = 1; i < all.count; i++) expect(ids(all, i)).toEqual(ids(all, 0));
    });
  });

  describe('arrivals', () => {
    it('fixed: session s at s × interval', () => {
      const w = generateSynthetic({ ...base, arrival: { kind: 'fixed', intervalMs: 250 } });
      for (let s = 0; s < w.sessions; s++) expect(w.timeMs[w.sessionStart[s]!]).toBe(s * 250);
    });

    it('burst: everything at 0', () => {
      const w = generateSynthetic({ ...base, arrival: { kind: 'burst' } });
      expect(w.timeMs.every((t) => t === 0)).toBe(true);
    });

    it('poisson: starts at 0, increases, mean gap 1000/rate', () => {
      const w = generateSynthetic({ ...base, requests: 5000, arrival: { kind: 'poisson', ratePerSec: 10 } });
      expect(w.timeMs[0]).toBe(0);
      for (let i = 1; i < w.count; i++) expect(w.timeMs[i]! > w.timeMs[i - 1]!).toBe(true);
      const meanGap = w.timeMs[w.count - 1]! / (w.count - 1);
      expect(Math.abs(meanGap - 100)).toBeLessThan(5);
    });
  });

  it('multi-turn: each turn reuses the previous full blocks, then adds previous output + new tokens', () => {
    const w = generateSynthetic({ ...base, requests: 3, isl: 100, osl: 50, turnsPerSession: 3, interTurnDelayMs: 2000, sharedPrefixRatio: 0.5, numPrefixGroups: 2 });
    expect(checkWorkload(w)).toBeNull();
    for (let s = 0; s < 3; s++) {
      const i = w.sessionStart[s]!;
      // turn 0: 100 tokens = 2 blocks; turn 1: 1 full block (64) + 50 + 100 = 214; turn 2: 3 full blocks (192) + 150 = 342
      expect(Array.from(w.inputLength.subarray(i, i + 3))).toEqual([100, 214, 342]);
      expect(Array.from(w.timeMs.subarray(i + 1, i + 3))).toEqual([2000, 2000]);
      const [t0, t1, t2] = [ids(w, i), ids(w, i + 1), ids(w, i + 2)];
      expect([t0.length, t1.length, t2.length]).toEqual([2, 4, 6]);
      expect(t1.slice(0, 1)).toEqual(t0.slice(0, 1));
      expect(t2.slice(0, 3)).toEqual(t1.slice(0, 3));
      const fresh = [...t1.slice(1), ...t2.slice(3)];
      expect(fresh.some((id) => t0.includes(id))).toBe(false);
    }
    // the new blocks of later turns belong to no other session
    const later = [1, 2].flatMap((t) => [0, 1, 2].flatMap((s) => ids(w, w.sessionStart[s]! + t).slice(t === 1 ? 1 : 3)));
    expect(new Set(later).size).toBe(later.length);
  });

  it.each<[string, Partial<SyntheticOptions> & Record<string, unknown>, RegExp]>([
    ['requests', { requests: 0 }, /requests must be an integer >= 1, got 0/],
    ['isl', { isl: 1.5 }, /isl must be an integer/],
    ['osl', { osl: -1 }, /osl must be an integer/],
    ['islStd', { islStd: -1 }, /islStd must be a finite number >= 0/],
    ['oslStd', { oslStd: NaN }, /oslStd/],
    ['sharedPrefixRatio', { sharedPrefixRatio: 1.2 }, /sharedPrefixRatio must be a finite number in 0\.\.1/],
    ['numPrefixGroups', { sharedPrefixRatio: 0.5, numPrefixGroups: 0 }, /numPrefixGroups must be >= 1 when sharedPrefixRatio > 0/],
    ['turnsPerSession', { turnsPerSession: 0 }, /turnsPerSession/],
    ['interTurnDelayMs', { interTurnDelayMs: -5 }, /interTurnDelayMs/],
    ['blockSize', { blockSize: 0 }, /blockSize/],
    ['seed', { seed: -1 }, /seed must be an integer in 0\.\.4294967295/],
    ['arrival kind', { arrival: { kind: 'gamma' } as never }, /arrival\.kind must be 'fixed', 'poisson' or 'burst'/],
    ['arrival interval', { arrival: { kind: 'fixed', intervalMs: -1 } }, /arrival\.intervalMs/],
    ['arrival rate', { arrival: { kind: 'poisson', ratePerSec: 0 } }, /arrival\.ratePerSec must be a finite number > 0/],
    ['arrival missing', { arrival: undefined as never }, /arrival must be/],
    ['unknown option', { sharedPrefix: 0.5 }, /unknown option 'sharedPrefix'/],
  ])('rejects bad %s', (_name, patch, message) => {
    expect(() => generateSynthetic({ ...base, ...patch } as SyntheticOptions)).toThrow(message);
  });

  it('accepts numPrefixGroups 0 when nothing is shared', () => {
    expect(generateSynthetic({ ...base, numPrefixGroups: 0 }).count).toBe(50);
  });

  it('stays pure: no Node APIs, Math.random or Date in sim/', () => {
    const src = readFileSync('sim/workload/synthetic.ts', 'utf8');
    expect(src).not.toMatch(/Math\.random|\bDate\b|from 'node:|from '\.\.\/\.\.\//);
  });
});
