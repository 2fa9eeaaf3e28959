import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeScore, SIGMA0, StructureTuner, TUNE_BUDGET } from '../../harness/search/structure-tuner.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { mutate } from '../../harness/propose/mutate.js';
import { Prng } from '../../sim/core/prng.js';
import { tiny } from '../helpers/tiny-objective.js';

describe('structure tuner', () => {
  it('tunes each offered structure for a budget, from its best variant, round robin', () => {
    const t = new StructureTuner();
    t.offer('guard', 'A', -0.1);
    t.offer('guard', 'A2', 0); // the same idea again: already being tuned
    t.offer('lmetric', 'L', -0.2);
    expect(t.size).toBe(2);
    expect(t.next(0.9, 'c1')).toBeUndefined(); // half the proposals stay ordinary
    const a = t.next(0.1, 'c2')!;
    expect(a.label).toBe('guard');
    expect(t.next(0.1, 'c3')!.label).toBe('lmetric');
    t.report('c2', 'A-better', 0.05);
    t.report('c3', 'L-worse', -0.5);
    expect(t.next(0.1, 'c4')!.source).toBe('A-better');
    expect(t.next(0.1, 'c5')!.source).toBe('L');
    let n = 0;
    while (t.next(0.1, `d${n}`)) n++;
    expect(n).toBe(2 * TUNE_BUDGET - 4); // both budgets used up, then nothing is left
  });

  it('scores a probe by the mean relative improvement over the parent', () => {
    const m = [{ key: 'p95', better: 'min' as const }, { key: 'thr', better: 'max' as const }];
    expect(probeScore({ p95: 90, thr: 110 }, { p95: 100, thr: 100 }, m)).toBeCloseTo(0.1, 9);
    expect(probeScore({ p95: Number.NaN, thr: 1 }, { p95: 100, thr: 100 }, m)).toBe(-Infinity);
    // feasibility first: half the cost at more constraint violation is worse than any feasible change
    expect(probeScore({ p95: 50, thr: 200 }, { p95: 100, thr: 100 }, m, { cand: 0.05, parent: 0 })).toBeCloseTo(-1.05, 9);
    expect(probeScore({ p95: 90, thr: 110 }, { p95: 100, thr: 100 }, m, { cand: 0.05, parent: 0.1 })).toBeCloseTo(0.1, 9);
  });

  it('adapts its step as a (1+1) evolution strategy: the 1/5 success rule, and wider when nothing changed', () => {
    const t = new StructureTuner();
    t.offer('guard', 'A', -0.1);
    const s = t.next(0.1, 'c1')!;
    expect(s.sigma).toBeCloseTo(SIGMA0, 9);
    t.report('c1', 'A1', 0.0); // better: keep it and step further
    expect(s.sigma).toBeCloseTo(1.5 * SIGMA0, 9);
    t.next(0.1, 'c2');
    t.report('c2', 'A2', -0.3); // worse: a smaller step, four failures undo one success
    expect(s.sigma).toBeCloseTo(1.5 * SIGMA0 * 1.5 ** -0.25, 9);
    t.next(0.1, 'c3');
    t.report('c3', 'A3', -0.1, true); // the probe saw no change: the step was too small to matter
    expect(s.sigma).toBeCloseTo(2 * 1.5 * SIGMA0 * 1.5 ** -0.25, 9);
    expect(s.source).toBe('A1');
  });

  it('the offline proposer tunes the structure it is given, not the parent', async () => {
    const structure = `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 's', cost: (req, w) => (w.activePrefillTokens > 1.5 * req.minActivePrefillTokens ? 1000000 : w.activeBlocks + 2 * w.overlapBlocks) });\n`;
    const p = await new MutationProposer().propose({ id: 'c9', objective: tiny, parent: { id: 'baseline', source: 'export default 1;\n', metrics: {} }, front: [], recentFailures: [], rng: new Prng(4), tune: { label: 'guard', source: structure } });
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.description).toMatch(/^tuning guard: /);
      expect(p.source).toContain('w.activePrefillTokens >');
      expect(p.source).not.toBe(structure);
    }
  });
});

describe('the offline proposer learns where edits change nothing', () => {
  const src = `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 's', cost: (req, w) => 2.5 * w.activeBlocks + 0.75 * w.hostOverlapBlocks });\n`;
  const onHost = (s: string): boolean => !s.includes('0.75 * w.hostOverlapBlocks'); // the host-tier weight was edited

  it('picks sites by the weight it learnt', () => {
    let host = 0;
    for (let seed = 0; seed < 400; seed++) {
      const m = mutate(src, new Prng(seed), { kinds: ['constant'], siteWeight: (site) => (site.includes('hostOverlapBlocks') ? 1 / 64 : 1) });
      if (m && onHost(m.source)) host++;
    }
    expect(host).toBeLessThan(400 * 0.05); // 1/65 expected
  });

  it('halves a site\'s weight each time an edit there behaved like an earlier candidate (or repeated code)', async () => {
    const parent = { id: 'baseline', source: src, metrics: {} };
    const p = new MutationProposer(['constant']);
    const rng = new Prng(9);
    const sites: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await p.propose({ id: `c${i}`, objective: tiny, parent, front: [], recentFailures: [], rng });
      if (!r.ok) continue;
      // a host tier nobody uses: every edit of its weight changes no route
      p.observe(`c${i}`, onHost(r.source) ? 'same' : 'different');
      sites.push(onHost(r.source) ? 'host' : 'active');
    }
    const k = sites.filter((x) => x === 'host').length;
    expect(k).toBeGreaterThan(0);
    expect(p.siteWeight('constant:0.75 * w.hostOverlapBlocks')).toBe(Math.max(1 / 64, 0.5 ** k));
    expect(p.siteWeight('constant:2.5 * w.activeBlocks')).toBe(1);
    p.observe('never-proposed', 'same'); // nothing to learn from an id it did not propose
    expect(p.siteWeight('constant:2.5 * w.activeBlocks')).toBe(1);
  });
});

describe('the offline proposer does not repeat itself', () => {
  it('draws again rather than proposing code it proposed before, and only repeats a neighbourhood it has exhausted', async () => {
    const src = `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 's', cost: (req, w) => Math.max(w.activeBlocks, w.newBlocks) });\n`;
    const parent = { id: 'baseline', source: src, metrics: {} };
    const p = new MutationProposer(['min-max']); // exactly one distinct edit exists
    const rng = new Prng(2);
    const ctx = (i: number) => ({ id: `c${i}`, objective: tiny, parent, front: [], recentFailures: [], rng });
    const first = await p.propose(ctx(1));
    const again = await p.propose(ctx(2));
    expect(first.ok && again.ok).toBe(true);
    if (first.ok && again.ok) expect(again.source).toBe(first.source); // nothing new is left: the repeat goes out to be dropped
    const q = new MutationProposer();
    const rich = { id: 'baseline', source: readFileSync(join(import.meta.dirname, '../../candidates/router/kv-tuned.ts'), 'utf8'), metrics: {} };
    const sources: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await q.propose({ ...ctx(i), parent: rich });
      if (r.ok) sources.push(r.source);
    }
    expect(sources).toHaveLength(40);
    expect(new Set(sources).size).toBe(40);
  });
});
