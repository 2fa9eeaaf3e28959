import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { defineObjective } from '../../objectives/objective.js';
import { OBJECTIVES } from '../../objectives/objectives.js';
import { getScenario } from '../../objectives/scenarios/index.js';
import { InProcessEvaluator, SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { MutationProposer, type Proposal, type Proposer } from '../../harness/propose/proposer.js';
import { RunLog } from '../../harness/runlog/run-log.js';
import { Archive } from '../../harness/search/archive.js';
import { runSearch } from '../../harness/search/search-loop.js';
import { cli, until } from '../helpers/cli.js';
import { tiny } from '../helpers/tiny-objective.js';

const root = join(import.meta.dirname, '../..');

const quiet = () => undefined;

describe('objectives', () => {
  it('ships one per policy kind, all valid', () => {
    expect([...OBJECTIVES.values()].map((o) => o.kind).sort()).toEqual(['eviction', 'planner', 'router']);
    expect(() => defineObjective({ ...tiny, search: ['conversation-pressure-4x-poly'] })).toThrow(/scores a eviction, not a router/);
    expect(() => defineObjective({ ...tiny, search: ['no-such-scenario'] })).toThrow(/no-such-scenario/);
    expect(() => defineObjective({ ...tiny, noiseMargin: 2 })).toThrow(/noiseMargin/);
  });

  it('the router seed writes out Dynamo\'s cost and routes exactly like dynamo-kv', async () => {
    const ev = new InProcessEvaluator();
    const s = getScenario('conversation-8x-poly');
    const a = await ev.evaluate(join(root, 'candidates/router/kv-formula.ts'), s);
    const b = await ev.evaluate(join(root, 'candidates/router/dynamo-kv.ts'), s);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.report).toEqual(b.report);
  });
});

describe('archive: feasibility first, then dominance with a margin', () => {
  const m = (p95: number, mean: number, tpot = 10) => ({ 'conversation-8x-poly': { p95_ttft_ms: p95, mean_ttft_ms: mean, mean_tpot_ms: tpot } });
  const archive = new Archive(tiny);
  archive.add({ id: 'a', parent: null, source: '', metrics: m(100, 50), commit: 'x' });
  it('judges candidates against the front', () => {
    expect(archive.judge({ metrics: m(90, 50) })).toEqual({ accept: true });
    expect(archive.judge({ metrics: m(110, 40) })).toEqual({ accept: true }); // a trade-off joins the front
    expect(archive.judge({ metrics: m(110, 60) })).toMatchObject({ accept: false, reason: 'dominated by a' });
    expect(archive.judge({ metrics: m(99.8, 50) })).toMatchObject({ accept: false, reason: expect.stringMatching(/measured noise/) });
    expect(archive.judge({ metrics: m(50, 20, 60) })).toMatchObject({ accept: false, reason: expect.stringMatching(/infeasible/) });
  });
  it('an infeasible front gives way to a feasible candidate, and to a less-violating one that costs no more', () => {
    const bad = new Archive(tiny);
    bad.add({ id: 'b', parent: null, source: '', metrics: m(10, 5, 80), commit: 'x' });
    // less violation bought with latency: both count, so it is no progress
    expect(bad.judge({ metrics: m(500, 300, 60) })).toMatchObject({ accept: false, reason: expect.stringMatching(/infeasible, and worse than b/) });
    expect(bad.judge({ metrics: m(10, 5, 60) })).toEqual({ accept: true });
    expect(bad.judge({ metrics: m(500, 300, 40) })).toEqual({ accept: true }); // feasible beats infeasible
    bad.add({ id: 'c', parent: 'b', source: '', metrics: m(500, 300, 40), commit: 'y' });
    expect(bad.front().map((x) => x.id)).toEqual(['c']);
  });
  it('keeps islands of parents: a lineage the global front passed by still evolves on its island', () => {
    const a = new Archive(tiny);
    a.add({ id: 'baseline', parent: null, source: '', metrics: m(100, 50), commit: 'x' });
    a.add({ id: 'c0001', parent: 'baseline', source: '', metrics: m(90, 45), commit: 'x' }); // island 1
    a.add({ id: 'c0002', parent: 'baseline', source: '', metrics: m(80, 40), commit: 'x' }); // island 2, dominates c0001
    a.add({ id: 'c0007', parent: 'c0001', source: '', metrics: m(85, 44), commit: 'x' }); // its parent's island, 1
    expect(a.front().map((x) => x.id)).toEqual(['c0002']);
    expect(a.islandFront(1).map((x) => x.id)).toEqual(['c0007']);
    expect(a.islandFront(2).map((x) => x.id)).toEqual(['c0002']);
    expect(a.islandFront(0).map((x) => x.id)).toEqual(['baseline']);
    expect([Archive.islandOfCandidate('c0004'), Archive.islandOfCandidate('c0005')]).toEqual([1, 2]);
  });
});

describe('search loop (real sandbox, real git)', () => {
  it('commits improvements on their parents, records every candidate, and resumes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-search-')), 'run');
    const evaluator = new SandboxEvaluator({}, null);
    const lines: string[] = [];
    const s1 = await runSearch({ objective: tiny, runDir: dir, resume: false, seed: 3, parallel: 2, budgetIterations: 6, proposer: new MutationProposer(), evaluator, log: (l) => lines.push(l) });
    expect(s1.evaluated).toBe(6);
    const log = RunLog.open(dir);
    const ledger = log.ledger();
    expect(ledger).toHaveLength(7); // baseline + 6
    expect(new Set(ledger.map((e) => e.id)).size).toBe(7);
    const git = simpleGit(dir);
    for (const e of ledger.filter((x) => x.status === 'accepted' && x.parent !== null)) {
      const parent = ledger.find((p) => p.id === e.parent)!;
      expect((await git.raw(['rev-parse', `cand-${e.id}^`])).trim()).toBe(parent.commit);
      // an accepted candidate really beats its parent somewhere on the probe scenario
      const a = e.metrics!['conversation-8x-poly']!;
      const b = parent.metrics!['conversation-8x-poly']!;
      expect(a.p95_ttft_ms! < b.p95_ttft_ms! || a.mean_ttft_ms! < b.mean_ttft_ms!).toBe(true);
    }
    for (const e of ledger.filter((x) => x.status !== 'accepted')) expect(e.reason).toBeTruthy();
    const front = JSON.parse(readFileSync(join(dir, '.twinsearch/front.json'), 'utf8')) as { id: string }[];
    expect(front.length).toBeGreaterThan(0);

    const s2 = await runSearch({ objective: tiny, runDir: dir, resume: true, seed: 3, parallel: 1, budgetIterations: 8, proposer: new MutationProposer(), evaluator, log: (l) => lines.push(l) });
    expect(s2.evaluated).toBe(8);
    const after = RunLog.open(dir).ledger();
    expect(after).toHaveLength(9);
    expect(new Set(after.map((e) => e.id)).size).toBe(9);
    expect(lines.some((l) => l.startsWith('resumed'))).toBe(true);
    await expect(runSearch({ objective: { ...tiny, name: 'other' }, runDir: dir, resume: true, seed: 3, parallel: 1, budgetIterations: 1, proposer: new MutationProposer(), evaluator, log: quiet })).rejects.toThrow(/objective tiny-router/);
  });

  it('survives SIGKILL mid-run and a damaged ledger: resume loses no accepted candidate', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-kill-')), 'run');
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', join(root, 'harness/cli/main.ts'), 'search', '--objective', 'router-latency', '--budget-iterations', '200', '--parallel', '2', '--seed', '9', '--run-dir', dir], { cwd: root, stdio: 'ignore' });
    const ledgerFile = join(dir, '.twinsearch/ledger.jsonl');
    const lines = () => (existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean).length : 0);
    await until(() => lines() >= 4, 100_000, 200);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(lines()).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(dir, '.twinsearch/lock'))).toBe(true); // left by the killed process

    // damage the ledger: an accepted candidate's line becomes garbage (it is still in git)
    const git = simpleGit(dir);
    const tags = (await git.raw(['tag', '--list', 'cand-*'])).split('\n').filter(Boolean);
    const raw = readFileSync(ledgerFile, 'utf8').split('\n');
    const lastLine = raw.map((l) => l.trim() !== '').lastIndexOf(true);
    // not the last line: a damaged last line reads as torn by the crash and is skipped silently
    const nonBase = raw.findIndex((l, i) => i !== lastLine && l.includes('"status":"accepted"') && !l.includes('"id":"baseline"'));
    const victim = nonBase >= 0 ? nonBase : 0; // the baseline's line if nothing else was accepted yet
    raw[victim] = '{garbage';
    writeFileSync(ledgerFile, raw.join('\n'));

    const out: string[] = [];
    const { getObjective } = await import('../../objectives/objectives.js');
    const before = lines();
    await runSearch({ objective: getObjective('router-latency'), runDir: dir, resume: true, seed: 9, parallel: 1, budgetIterations: before + 1, proposer: new MutationProposer(), evaluator: new SandboxEvaluator({}, null), log: (l) => out.push(l) });
    const ledger = RunLog.open(dir).ledger();
    const ids = ledger.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const accepted = new Set(ledger.filter((e) => e.status === 'accepted').map((e) => `cand-${e.id}`));
    for (const t of tags) expect(accepted.has(t)).toBe(true); // nothing accepted before the kill is lost
    expect(out.some((l) => /warning: .*ledger.jsonl:\d+: not a ledger entry/.test(l))).toBe(true);
    expect(out.some((l) => /recovered (c\d+|baseline) from git/.test(l))).toBe(true);
    const front = JSON.parse(readFileSync(join(dir, '.twinsearch/front.json'), 'utf8')) as { id: string; commit: string }[];
    for (const f of front) expect((await git.raw(['rev-list', '-n', '1', `cand-${f.id}`])).trim()).toBe(f.commit);
    expect(existsSync(join(dir, '.twinsearch/lock'))).toBe(false);
  });

  it('an A/A search accepts nothing: 50 copies of the baseline that differ only in tie-breaks', async () => {
    const aa = defineObjective({ ...tiny, name: 'aa-router', search: ['shared-prefix-4x-h100-qwen32b-tp2'] });
    const base = readFileSync(join(root, aa.baseline), 'utf8');
    expect(base).toContain('+ 0.0 * w.activeRequests;');
    let k = 0;
    // equal costs are common (whole blocks); a different deterministic tie-break is a different seed
    const proposer: Proposer = { name: 'a-a', propose: async (): Promise<Proposal> => {
      k++;
      const a = (k * 7919) % 997 + 1, b = (k * 104729) % 991 + 1;
      return { ok: true, source: base.replace('+ 0.0 * w.activeRequests;', `+ 0.0 * w.activeRequests + 1e-6 * ((((w.worker + 1) * ${a} + req.seq * ${b}) % 1009) / 1009);`), description: `tie-break ${k}`, proposer: 'a-a' };
    } };
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-aa-')), 'run');
    const s = await runSearch({ objective: aa, runDir: dir, resume: false, seed: 1, parallel: 2, budgetIterations: 50, proposer, evaluator: new SandboxEvaluator({}, null), log: quiet });
    expect(s.evaluated).toBe(50);
    expect(s.accepted).toBe(0);
    const ledger = RunLog.open(dir).ledger();
    // most of them really were compared over all replicas, not dropped on the way
    const compared = ledger.filter((e) => /measured noise|dominated/.test(e.reason ?? ''));
    expect(compared.length).toBeGreaterThanOrEqual(25);
    const base0 = ledger.find((e) => e.id === 'baseline')!;
    expect(base0.samples!['shared-prefix-4x-h100-qwen32b-tp2']!.p95_ttft_ms).toHaveLength(8);
    expect(compared[0]!.samples!['shared-prefix-4x-h100-qwen32b-tp2']!.p95_ttft_ms).toHaveLength(4);
  });

  it('stops when the proposer only repeats code already tried, instead of filling the ledger', async () => {
    const aa = defineObjective({ ...tiny, name: 'stuck-router', search: ['shared-prefix-4x-h100-qwen32b-tp2'], seeds: 1 });
    const base = readFileSync(join(root, aa.baseline), 'utf8');
    const proposer: Proposer = { name: 'stuck', propose: async (): Promise<Proposal> => ({ ok: true, source: base.replace('+ 0.0 * w.activeRequests;', '+ 0.0 * w.activeRequests + 0;'), description: 'the same edit', proposer: 'stuck' }) };
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-stuck-')), 'run');
    const s = await runSearch({ objective: aa, runDir: dir, resume: false, seed: 1, parallel: 1, budgetIterations: 100_000, proposer, evaluator: new SandboxEvaluator({}, null), log: quiet });
    expect(s.stoppedBy).toBe('exhausted');
    expect(s.evaluated).toBe(201); // the first, then 200 repeats in a row
    expect(RunLog.open(dir).ledger().filter((e) => e.reason === 'duplicate code')).toHaveLength(200);
  });

  it('records hostile and malformed candidates as failures and keeps going', async () => {
    const bad = [
      `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 'spin', cost: () => { for (;;) {} } });\n`,
      `export default {{{ not typescript`,
      `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 'nan', cost: () => NaN });\n`,
      // one allocation that kills its whole process (V8 gives up before the isolate's limit acts)
      `import { defineRouter } from '../../sim/policy/index.js';\nconst big = new Array(2 ** 28).fill(0);\nexport default defineRouter({ name: 'bomb', cost: () => big.length });\n`,
    ];
    let i = 0;
    const proposer: Proposer = { name: 'hostile', propose: async (): Promise<Proposal> => ({ ok: true, source: bad[i++ % bad.length]!, description: `bad ${i}`, proposer: 'hostile' }) };
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-search-')), 'run');
    const s = await runSearch({ objective: tiny, runDir: dir, resume: false, seed: 1, parallel: 1, budgetIterations: 4, proposer, evaluator: new SandboxEvaluator({ cpuMs: 10_000 }, null), log: quiet });
    expect(s.failed).toBe(4);
    const failed = RunLog.open(dir).ledger().filter((e) => e.status === 'failed');
    const reasons = failed.map((e) => e.reason!);
    expect(reasons[0]).toMatch(/timeout|time|CPU/i);
    expect(reasons[1]).toMatch(/typecheck|syntax|expected|error/i);
    expect(reasons[2]).toMatch(/finite|NaN/i);
    // the search process lived on and named the candidate that killed its evaluation process
    expect(failed[3]).toMatchObject({ id: 'c0004', kind: 'memory', reason: expect.stringMatching(/ran out of memory and its process died/) });
  });

  it('stops within seconds when aborted: what is in flight is cancelled, not judged, and a resume goes on', async () => {
    const spin = `import { defineRouter } from '../../sim/policy/index.js';\nexport default defineRouter({ name: 'spin', cost: () => { for (;;) {} } });\n`;
    const proposer: Proposer = { name: 'slow', propose: async (): Promise<Proposal> => ({ ok: true, source: spin, description: 'spins', proposer: 'slow' }) };
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-search-')), 'run');
    const ac = new AbortController();
    const evaluator = new SandboxEvaluator({ cpuMs: 60_000 }, null);
    let abortedAt = 0;
    const s = await runSearch({
      objective: tiny, runDir: dir, resume: false, seed: 1, parallel: 1, budgetIterations: 5, proposer, evaluator, signal: ac.signal, log: quiet,
      onEvent: (e) => {
        // the candidate has been evaluating for a moment (it would spin for a minute)
        if (e.type === 'phase' && e.phase === 'probe') setTimeout(() => { abortedAt = Date.now(); ac.abort(); }, 1500);
      },
    });
    // not a speed target: without cancelling, the spinning candidate would hold the search for its whole minute
    expect(Date.now() - abortedAt).toBeLessThan(20_000);
    expect(s.stoppedBy).toBe('signal');
    const ledger = RunLog.open(dir).ledger();
    expect(ledger.map((e) => e.id)).toEqual(['baseline']); // no verdict for the cancelled candidate
    expect(existsSync(join(dir, '.twinsearch', 'lock'))).toBe(false);
    const again = await runSearch({ objective: tiny, runDir: dir, resume: true, seed: 1, parallel: 1, budgetIterations: 1, proposer: new MutationProposer(), evaluator: new SandboxEvaluator({}, null), log: quiet });
    expect(again.evaluated).toBe(1);
  });

  it('the CLI names a bad objective and explains every flag', () => {
    const r = cli(['search', '--objective', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown objective nope; known: router-latency/);
    const h = cli(['search', '--help']);
    for (const f of ['--objective', '--proposer', '--budget-iterations', '--budget-minutes', '--parallel', '--seed', '--run-dir', '--resume', '--no-tui']) expect(h.out).toContain(f);
    expect(existsSync(join(root, 'objectives/objectives.ts'))).toBe(true);
  });
});
