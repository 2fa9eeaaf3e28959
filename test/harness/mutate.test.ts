import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutate, type MutationKind } from '../../harness/propose/mutate.js';
import { typecheckCandidate } from '../../harness/sandbox/typecheck.js';
import { Prng } from '../../sim/core/prng.js';

const root = join(import.meta.dirname, '..', '..');
const file = join(root, 'candidates/router/mutant.ts');
const parent = `import { defineRouter } from '../../sim/policy/index.js';

export default defineRouter({
  name: 'weighted',
  cost: (req, w) => {
    const prefill = Math.max(req.isl / req.blockSize - 1.5 * w.overlapBlocks, 0);
    return 2 * prefill + w.activeBlocks + (w.activeRequests > 8 ? 100 : 0);
  },
});
`;
const other = readFileSync(join(root, 'candidates/router/least-loaded.ts'), 'utf8');

describe('offline mutation proposer', () => {
  it('makes every kind of edit, and the mutants still type-check', () => {
    const kinds: MutationKind[] = ['constant', 'comparison', 'arithmetic', 'min-max', 'drop-term', 'add-term', 'crossover', 'idea', 'tune'];
    for (const kind of kinds) {
      for (let seed = 0; seed < 5; seed++) {
        const m = mutate(parent, new Prng(seed), { other, kinds: [kind] })!;
        expect(m, kind).not.toBeNull();
        expect(m.kind).toBe(kind);
        expect(m.source).not.toBe(parent);
        expect(typecheckCandidate(m.source, file), `${kind}: ${m.description}\n${m.source}`).toBeNull();
      }
    }
  });

  it('adds terms to a router cost only in its units, and grafts known routing ideas once each', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const m = mutate(parent, new Prng(seed), { kinds: ['add-term'] });
      if (!m) continue;
      seen.add(m.description);
      // never an id or the clock; tokens join a block-valued sum through the block size
      expect(m.description).not.toMatch(/\.(seq|worker|nowMs)\b/);
      expect(m.description).not.toMatch(/\* req\.blockSize at line/);
      expect(m.description, 'tokens added to a block-valued cost').not.toMatch(/\.(isl|activePrefillTokens|minActivePrefillTokens) at line/);
    }
    expect([...seen].some((d) => /\/ req\.blockSize at line/.test(d))).toBe(true);
    const ideas = new Set<string>();
    let src = parent;
    for (let seed = 0; seed < 40; seed++) {
      const m = mutate(src, new Prng(seed), { kinds: ['idea'] });
      if (!m) break;
      ideas.add(m.description.split(' ')[1]!);
      src = m.source;
      expect(typecheckCandidate(src, file), m.description).toBeNull();
    }
    // each idea applies once; then nothing is left to graft
    expect([...ideas].sort()).toEqual(['imbalance-guard', 'lmetric', 'queue-cap', 'two-choices']);
    expect(mutate(src, new Prng(1), { kinds: ['idea'] })).toBeNull();
  });

  it('is reproducible from the seed and varied across seeds', () => {
    const a = mutate(parent, new Prng(7))!;
    expect(mutate(parent, new Prng(7))!.source).toBe(a.source);
    const distinct = new Set(Array.from({ length: 30 }, (_, s) => mutate(parent, new Prng(s))!.source));
    expect(distinct.size).toBeGreaterThan(15);
  });

  it('describes the change with its line', () => {
    const m = mutate(parent, new Prng(3), { kinds: ['min-max'] })!;
    expect(m.description).toBe('Math.max → Math.min at line 6');
    expect(m.source).toContain('Math.min(req.isl');
  });

  it('returns null when nothing applies', () => {
    expect(mutate(`export const x = 'a';\n`, new Prng(1))).toBeNull();
  });
});

describe('added terms use numeric fields only', () => {
  it('never adds an object or array field of the planner observation, nor a term in another unit', () => {
    const src = readFileSync(join(root, 'candidates/planner/load-threshold.ts'), 'utf8');
    const rng = new Prng(11);
    const fields = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const m = mutate(src, rng, { kinds: ['add-term'] });
      if (m) fields.add(/\* (\S+)\)?$/.exec(m.description.replace(/ at line \d+$/, ''))![1]!.replace(/\)$/, ''));
    }
    expect(fields.size).toBeGreaterThan(3);
    for (const f of fields) expect(f).not.toMatch(/^o\.(perWorker|workers|traffic|sla|engine)$/);
    expect(fields).toContain('w.queuedPrefillTokens');
    // its sums are of tokens, workers and shares: a latency in ms joins none of them
    expect(fields).not.toContain('o.traffic.p90TtftMs');
  });
});

describe('edits that change nothing', () => {
  it('are not proposed: every mutant of the eviction seed orders some blocks differently', () => {
    // the seed writes its unused knobs as `0 * weight * field`; scaling that weight, dropping the term
    // or flipping its sign leaves every priority as it was, and a search would pay an evaluation to learn it
    const src = readFileSync(join(root, 'candidates/eviction/weighted-recency.ts'), 'utf8');
    const rng = new Prng(5);
    const views = Array.from({ length: 40 }, () => ({
      hits: rng.nextInt(6), lastAccessMs: rng.nextInt(600_000), ageMs: rng.nextInt(600_000),
      depth: rng.nextInt(40), cachedChildren: rng.nextInt(3), nowMs: 600_000,
    }));
    const priorityOf = (code: string): ((b: (typeof views)[number]) => number) =>
      new Function('b', `return ${/priority: \(b\) => ([\s\S]*?),\n\}\);/.exec(code)![1]!};`) as (b: (typeof views)[number]) => number;
    const before = views.map(priorityOf(src));
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const m = mutate(src, new Prng(seed))!;
      if (seen.has(m.source)) continue;
      seen.add(m.source);
      const after = views.map(priorityOf(m.source));
      expect(after.some((v, i) => v !== before[i]), `${m.description} changes no priority`).toBe(true);
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('idea library of planners and eviction policies', () => {
  const graftAll = (path: string): { src: string; ideas: string[] } => {
    let src = readFileSync(join(root, path), 'utf8');
    const ideas: string[] = [];
    for (let seed = 0; seed < 20; seed++) {
      const m = mutate(src, new Prng(seed), { kinds: ['idea'] });
      if (!m) break;
      ideas.push(m.description.split(' ')[1]!);
      src = m.source;
      expect(typecheckCandidate(src, join(root, path)), `${m.description}\n${src}`).toBeNull();
    }
    return { src, ideas: ideas.sort() };
  };

  it.each([
    ['candidates/planner/dynamo-sla-tuned.ts'], // decide inside create(): memory joins create's constants
    ['candidates/planner/load-threshold.ts'], // a bare decide with several exits: wrapped whole, a create() made
    ['candidates/planner/static.ts'],
  ])('grafts every planner idea once onto %s, and the result type-checks', (path) => {
    const { src, ideas } = graftAll(path);
    expect(ideas).toEqual(['hysteresis', 'idle-release', 'predictive', 'queue-based', 'sla-lead']);
    // memory across ticks lives in create(), one per replay, never at module scope
    expect(src).toMatch(/create: \(\) => \{[\s\S]*const hysteresisState = /);
    expect(src).toMatch(/create: \(\) => \{[\s\S]*const predictiveState = /);
    expect(src.split('\n').filter((l) => /^const \w+State/.test(l))).toEqual([]);
  });

  it('grafts every eviction idea once onto the tuned LRU, and the result type-checks', () => {
    expect(graftAll('candidates/eviction/lru-tuned.ts').ideas).toEqual(['cost-aware', 'frequency', 'lineage', 'tail-first']);
  });

  it('adds terms to an eviction priority in ms, with counts weighted in seconds', () => {
    const src = readFileSync(join(root, 'candidates/eviction/lru-tuned.ts'), 'utf8');
    let terms = 0;
    for (let seed = 0; seed < 100; seed++) {
      const m = mutate(src, new Prng(seed), { kinds: ['add-term'] });
      if (!m) continue;
      terms++;
      expect(m.description, 'the clock orders nothing').not.toMatch(/nowMs/);
      // a count joins a time with a weight of 1000 × the drawn one: seconds per reuse, written in ms
      if (/b\.(hits|depth|cachedChildren)/.test(m.description)) expect(m.description).toMatch(/(10|100|500|1000|2000) \* b\./);
    }
    expect(terms).toBeGreaterThan(50);
  });
});

describe('a planner idea with memory', () => {
  it('keeps it per replay: the same candidate replayed twice gives the same report, unlike its parent', async () => {
    const { InProcessEvaluator } = await import('../../harness/bench/evaluator.js');
    const { getScenario } = await import('../../objectives/scenarios/index.js');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ts-idea-'));
    try {
      const api = JSON.stringify(join(root, 'sim/policy/index.js'));
      const base = readFileSync(join(root, 'candidates/planner/dynamo-sla-tuned.ts'), 'utf8').replace(/'\.\.\/\.\.\/sim\/policy\/index\.js'/, api);
      const m = [...Array(40).keys()].map((s) => mutate(base, new Prng(s), { kinds: ['idea'] })!).find((x) => x.description.startsWith('idea hysteresis'))!;
      writeFileSync(join(dir, 'parent.ts'), base);
      writeFileSync(join(dir, 'hysteresis.ts'), m.source);
      const ev = new InProcessEvaluator();
      const s = getScenario('azure-code-autoscale-h100-llama8b');
      const a = await ev.evaluate(join(dir, 'hysteresis.ts'), s);
      const b = await ev.evaluate(join(dir, 'hysteresis.ts'), s);
      const p = await ev.evaluate(join(dir, 'parent.ts'), s);
      if (!a.ok || !b.ok || !p.ok) throw new Error('evaluation failed');
      expect(b.report).toEqual(a.report);
      expect(a.report.gpu_hours).not.toBe(p.report.gpu_hours);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
