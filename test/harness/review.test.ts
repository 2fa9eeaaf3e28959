import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunLog } from '../../harness/runlog/run-log.js';
import { cli } from '../helpers/cli.js';
import { objective as o, source, source1, source2, metrics as m } from '../helpers/run-fixture.js';

/** The same numbers on every scenario, with p95 TTFT (the first metric) scaled. */
const metrics = (p95: number) => m(p95, 300);

let parent: string, dir: string;

// a real run (git history, ledger, front) built without the simulator
beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'ts-review-'));
  dir = join(parent, 'run-a');
  const log = await RunLog.create(dir, { objective: o.name, seed: 1, proposer: 'mutate', objectiveSpec: o, createdAt: '2025-01-02T03:04:05.000Z' }, { id: 'baseline', source, message: 'baseline' });
  log.record({ id: 'baseline', parent: null, status: 'accepted', commit: await log.commitOf('baseline'), metrics: metrics(800), proposer: 'baseline', description: o.baseline, atMs: 1 });
  const c1 = await log.commitCandidate('c0001', 'baseline', source1, 'c0001: halve decode');
  log.record({ id: 'c0001', parent: 'baseline', status: 'accepted', commit: c1, metrics: metrics(700), proposer: 'mutate', description: 'halve decode', tokens: 100, usd: 0.01, atMs: 2 });
  log.record({ id: 'c0002', parent: 'c0001', status: 'rejected', reason: 'dominated', metrics: metrics(900), proposer: 'mutate', description: 'worse', tokens: 50, usd: 0.005, atMs: 3 });
  log.record({ id: 'c0003', parent: 'baseline', status: 'failed', reason: 'typecheck', proposer: 'mutate', atMs: 4 });
  const c4 = await log.commitCandidate('c0004', 'c0001', source2, 'c0004: weigh prefill');
  log.record({ id: 'c0004', parent: 'c0001', status: 'accepted', commit: c4, metrics: metrics(720), proposer: 'mutate', description: 'weigh prefill', atMs: 5 });
  log.writeFront([{ id: 'c0001', commit: c1, metrics: metrics(700) }, { id: 'c0004', commit: c4, metrics: metrics(720) }]);
  mkdirSync(join(parent, '.cache'));
  mkdirSync(join(parent, 'not-a-run'));
});

describe('twinsearch review with seed replicas', () => {
  it('shows each change with its 95 % interval and the paired test\'s confidence, held-out scenarios too', async () => {
    const d = join(mkdtempSync(join(tmpdir(), 'ts-review-rep-')), 'run');
    const scen = [...o.search, ...o.heldOut];
    const rep = (p95: number[], mean: number[]) => Object.fromEntries(scen.map((sc) => [sc, { p95_ttft_ms: p95, mean_ttft_ms: mean, output_throughput_tok_s: p95.map(() => 1000), mean_tpot_ms: p95.map(() => 20) }]));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const means = (p95: number[], mean: number[]) => Object.fromEntries(scen.map((sc) => [sc, { p95_ttft_ms: avg(p95), mean_ttft_ms: avg(mean), output_throughput_tok_s: 1000, mean_tpot_ms: 20 }]));
    const log = await RunLog.create(d, { objective: o.name, seed: 1, proposer: 'mutate', objectiveSpec: o, createdAt: '2025-01-02T03:04:05.000Z' }, { id: 'baseline', source, message: 'baseline' });
    const bp = [800, 808, 792, 800, 804, 796, 800, 800], bm = [300, 303, 297, 300, 300, 300, 301, 299];
    log.record({ id: 'baseline', parent: null, status: 'accepted', commit: await log.commitOf('baseline'), metrics: means(bp, bm), samples: rep(bp, bm), proposer: 'baseline', description: o.baseline, atMs: 1 });
    const cp = [720, 727, 713, 720], cm = [301, 296, 304, 299];
    const c1 = await log.commitCandidate('c0001', 'baseline', source1, 'c0001: halve decode');
    log.record({ id: 'c0001', parent: 'baseline', status: 'accepted', commit: c1, metrics: means(cp, cm), samples: rep(cp, cm), proposer: 'mutate', description: 'halve decode', atMs: 2 });
    const r = cli(['review', d]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/conversation-8x-poly\np95_ttft_ms\s+800\.00 → 720\.00\s+−10\.0% ±\d\.\d\s+better\s+\+\d+\.\d/);
    expect(r.out).toMatch(/\nmean_ttft_ms\s+300\.00 → 300\.00\s+\+0\.0% ±\d\.\d\s+within noise\s+[+−]\d\.\d/);
    for (const line of r.out.split('\n').filter((l) => !/^[-+ ]/.test(l))) expect(line.length, line).toBeLessThanOrEqual(80); // diff lines are the code's
    expect(r.out).toMatch(/\[held out\]\np95_ttft_ms\s+800\.00 → 720\.00\s+−10\.0% ±/);
  });
});

describe('twinsearch review (CLI process)', () => {
  it('shows each accepted candidate in order with its diff against its parent and the metric changes', () => {
    const r = cli(['review', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('4 candidates evaluated: 2 accepted, 1 rejected, 1 failed');
    expect(r.out).not.toContain('\x1b['); // not a terminal: no colors
    expect(r.out.indexOf('c0001  halve decode')).toBeGreaterThan(0);
    expect(r.out.indexOf('c0004  weigh prefill')).toBeGreaterThan(r.out.indexOf('c0001  halve decode'));
    expect(r.out).toContain('parent baseline   proposer mutate');
    expect(r.out).toContain('-export const cost = (prefill: number, decode: number) => 1.0 * prefill + decode;');
    expect(r.out).toContain('+export const cost = (prefill: number, decode: number) => 1.0 * prefill + 0.5 * decode;');
    // c0004 is diffed against c0001, its parent, not against the baseline
    expect(r.out).toContain('-export const cost = (prefill: number, decode: number) => 1.0 * prefill + 0.5 * decode;');
    expect(r.out).toContain('+export const cost = (prefill: number, decode: number) => 1.5 * prefill + 0.5 * decode;');
    expect(r.out).toMatch(/conversation-8x-poly\np95_ttft_ms\s+800\.00 → 700\.00\s+−12\.5%\s+better/);
    expect(r.out).toMatch(/conversation-8x-poly\np95_ttft_ms\s+700\.00 → 720\.00\s+\+2\.9%\s+worse/);
    expect(r.out).toMatch(/\[held out\]\n(.*\n)*?mean_ttft_ms\s+300\.00 → 300\.00\s+\+0\.0%\s+within noise/);
  });

  it('prints a Markdown report with a diff block and a table per candidate', () => {
    const r = cli(['review', dir, '--markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# twinsearch run `run-a` \(router-latency\)/);
    expect(r.out).toContain('4 candidates evaluated: 2 accepted, 1 rejected, 1 failed; 150 tokens, $0.0150.');
    expect(r.out).toContain('## c0001: halve decode');
    expect(r.out).toContain('```diff\n@@');
    expect(r.out).toContain('+export const cost = (prefill: number, decode: number) => 1.0 * prefill + 0.5 * decode;\n```');
    expect(r.out).toContain('| scenario | metric | baseline | c0001 | change (± 95 %) | confidence |\n|---|---|--:|--:|---|---|');
    // a run without seed replicas: the objective's noise margin decides, and there is no confidence to show
    expect(r.out).toContain('| conversation-8x-poly | p95_ttft_ms | 800.00 | 700.00 | −12.5% better |  |');
  });

  it('shows one candidate with --candidate, and names an unknown one with the known ids', () => {
    const r = cli(['review', dir, '--candidate', 'c0004']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('c0004  weigh prefill');
    expect(r.out).not.toContain('c0001  halve decode');
    const bad = cli(['review', dir, '--candidate', 'c0002']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(`twinsearch review: no accepted candidate c0002 in ${dir}; accepted: c0001, c0004`);
  });

  it('gives a clear error for a missing or non-run directory', () => {
    const missing = cli(['review', join(parent, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`twinsearch review: run directory not found: ${join(parent, 'nope')}`);
    const notRun = cli(['review', join(parent, 'not-a-run')]);
    expect(notRun.code).toBe(2);
    expect(notRun.err).toContain('is not a twinsearch run directory');
    expect(cli(['review']).code).toBe(2);
  });
});

describe('twinsearch runs (CLI process)', () => {
  it('lists the runs under a directory with their counts, front, best value and status', () => {
    const r = cli(['runs', parent]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(2); // header and run-a: .cache and not-a-run are skipped
    expect(lines[1]).toMatch(/^run-a\s+router-latency\s+2025-01-02 03:04\s+4\s+2\s+1\s+1\s+2\s+p95_ttft_ms 700\.00 c0001 \(−12\.5% vs baseline\)\s+stopped$/);
    const json = JSON.parse(cli(['runs', parent, '--json']).out);
    expect(json).toEqual([expect.objectContaining({
      name: 'run-a', objective: 'router-latency', evaluated: 4, accepted: 2, rejected: 1, failed: 1, front: 2, status: 'stopped',
      best: { metric: 'p95_ttft_ms', scenario: o.search[0], id: 'c0001', value: 700, baseline: 800, changePct: -12.5 },
    })]);
  });

  it('says running only while the lock names a live process', () => {
    const log = RunLog.open(dir);
    log.lock(); // this test process: alive
    try {
      expect(JSON.parse(cli(['runs', parent, '--json']).out)[0].status).toBe('running');
    } finally {
      log.unlock();
    }
    expect(JSON.parse(cli(['runs', parent, '--json']).out)[0].status).toBe('stopped');
  });

  it('explains every flag of both commands in --help', () => {
    const review = cli(['review', '--help']);
    expect(review.code).toBe(0);
    for (const f of ['--candidate ID', '--markdown', '--no-color', '--help']) expect(review.out).toContain(f);
    const runs = cli(['runs', '--help']);
    expect(runs.code).toBe(0);
    for (const f of ['--json', '--help', '[DIR]']) expect(runs.out).toContain(f);
    const top = cli(['--help']);
    expect(top.out).toMatch(/^ {2}review /m);
    expect(top.out).toMatch(/^ {2}runs /m);
    expect(cli(['nope']).err).toBe('twinsearch nope: unknown command "nope"; commands: replay, bench, search, watch, review, runs, validate');
  });
});
