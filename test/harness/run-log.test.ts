import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { RunLog, RunLogWriteError } from '../../harness/runlog/run-log.js';

const base = `export const cost = (x: number) => 2 * x;\n`;

describe('run log (a real git repository)', () => {
  it('commits each accepted candidate on its parent, so git show is the algorithm diff', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, { objective: 'router-latency', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    const c1 = await log.commitCandidate('c1', 'base', base.replace('2 * x', '3 * x'), 'c1: weight 3');
    const c2 = await log.commitCandidate('c2', 'base', base.replace('2 * x', 'x + 1'), 'c2: offset');
    const c3 = await log.commitCandidate('c3', 'c1', base.replace('2 * x', '3 * x + 1'), 'c3: on c1');
    const git = simpleGit(dir);
    const parentOf = async (c: string) => (await git.raw(['rev-parse', `${c}^`])).trim();
    const baseCommit = await log.commitOf('base');
    expect(await parentOf(c1)).toBe(baseCommit);
    expect(await parentOf(c2)).toBe(baseCommit); // a sibling, not a child of c1
    expect(await parentOf(c3)).toBe(c1);
    const diff = await log.diff('c3');
    expect(diff).toContain('-export const cost = (x: number) => 3 * x;');
    expect(diff).toContain('+export const cost = (x: number) => 3 * x + 1;');
    expect(diff).not.toContain('ledger');
    expect(await log.source('c2')).toBe(base.replace('2 * x', 'x + 1'));
    expect(RunLog.open(dir).config<{ seed: number }>().seed).toBe(1);
    await expect(RunLog.create(dir, {}, { id: 'x', source: '', message: 'x' })).rejects.toThrow(/already holds a run/);
  });

  it('keeps a ledger that survives a torn last line and reports damage elsewhere', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, {}, { id: 'base', source: base, message: 'baseline' });
    log.record({ id: 'c1', parent: 'base', status: 'rejected', reason: 'dominated', atMs: 1 });
    log.record({ id: 'c2', parent: 'base', status: 'failed', reason: 'timeout', atMs: 2 });
    appendFileSync(join(dir, '.twinsearch/ledger.jsonl'), '{"id":"c3","par');
    expect(log.ledger().map((e) => e.id)).toEqual(['c1', 'c2']);
    appendFileSync(join(dir, '.twinsearch/ledger.jsonl'), '\n{"id":"c4","parent":null,"status":"accepted","atMs":4}\n');
    const damage: string[] = [];
    expect(log.ledger((m) => damage.push(m)).map((e) => e.id)).toEqual(['c1', 'c2', 'c4']);
    expect(damage).toEqual([expect.stringMatching(/ledger.jsonl:3: not a ledger entry .*skipped/)]);
    expect(() => log.record({ id: 'x', parent: null, status: 'weird' as never, atMs: 0 })).toThrow();
    log.writeFront([{ id: 'base' }]);
    expect(() => RunLog.open(join(dir, 'nope'))).toThrow(/not a twinsearch run directory/);
  });

  it('restores a clean tree after a search was killed inside git add / git commit', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, { objective: 'o', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    expect(await log.restoreCleanTree()).toBeNull();
    // what SIGKILL between writing candidate.ts and committing leaves: a modified file, a staged change, git's index lock
    writeFileSync(join(dir, 'candidate.ts'), 'half a candidate');
    await simpleGit(dir).raw(['add', 'candidate.ts']);
    writeFileSync(join(dir, '.git', 'index.lock'), '');
    const repaired = await log.restoreCleanTree();
    expect(repaired).toMatch(/index lock/);
    expect(repaired).toMatch(/uncommitted changes \(candidate\.ts\)/);
    expect(readFileSync(join(dir, 'candidate.ts'), 'utf8')).toBe(base);
    expect(existsSync(join(dir, '.git', 'index.lock'))).toBe(false);
    // and git works again
    expect(await log.commitCandidate('c1', 'base', base.replace('2 * x', '5 * x'), 'c1')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives the lock to exactly one of several processes at once, and takes over a dead holder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    await RunLog.create(dir, { objective: 'o', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    const script = `import { RunLog } from ${JSON.stringify(join(import.meta.dirname, '../../harness/runlog/run-log.ts'))};
      try { RunLog.open(process.argv[1]).lock(); console.log('got'); setTimeout(() => {}, 1500); } catch (e) { console.log('refused: ' + e.message); }`;
    const runOne = () => new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      c.on('exit', () => resolve(out.trim()));
    });
    const outs = await Promise.all([runOne(), runOne(), runOne(), runOne()]);
    expect(outs.filter((o) => o === 'got')).toHaveLength(1);
    for (const o of outs.filter((x) => x !== 'got')) expect(o).toMatch(/^refused: .* is in use by (process \d+|another process)/);
    // the winner exited without unlocking (as after SIGKILL): the next one takes over
    const log = RunLog.open(dir);
    log.lock();
    expect(readFileSync(join(dir, '.twinsearch', 'lock'), 'utf8').trim()).toBe(String(process.pid));
    log.unlock();
  });

  it('counts a duplicated ledger entry once, and names a corrupt run.json', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, { objective: 'o', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    log.record({ id: 'c1', parent: 'base', status: 'accepted', commit: 'abc', atMs: 1 });
    log.record({ id: 'c1', parent: 'base', status: 'accepted', commit: 'abc', atMs: 2 });
    const damage: string[] = [];
    expect(log.ledger((m) => damage.push(m)).map((e) => e.id)).toEqual(['c1']);
    expect(damage).toEqual([expect.stringMatching(/ledger.jsonl:2: a second entry for c1; the first one counts/)]);
    writeFileSync(join(dir, '.twinsearch', 'run.json'), 'garbage');
    expect(() => log.config()).toThrow(/run\.json: not a run configuration \(expected the JSON object a search writes/);
    writeFileSync(join(dir, '.twinsearch', 'run.json'), '{"seed":"x"}');
    expect(() => log.config()).toThrow(/run\.json: not a run configuration \(objective: .*; seed: /);
  });

  it('a write that fails names the file, leaves the old content and no temporary file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, { objective: 'o', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    log.writeFront([{ id: 'base' }]);
    const meta = join(dir, '.twinsearch');
    // a failure every user gets, root included: the temporary name is taken by a directory
    mkdirSync(join(meta, 'front.json.tmp'));
    expect(() => log.writeFront([{ id: 'c9' }])).toThrow(/cannot write .*front\.json: .*\(EISDIR\); what was written before is intact, and the run can be resumed with --resume/);
    expect(JSON.parse(readFileSync(join(meta, 'front.json'), 'utf8'))).toEqual([{ id: 'base' }]);
    rmSync(join(meta, 'front.json.tmp'), { recursive: true });
    if (process.getuid?.() === 0) return; // root writes through permissions
    chmodSync(meta, 0o555);
    try {
      expect(() => log.writeFront([{ id: 'c9' }])).toThrow(RunLogWriteError);
      expect(() => log.writeFront([{ id: 'c9' }])).toThrow(/cannot write .*front\.json: permission denied \(EACCES\); .* resumed with --resume/);
      expect(() => log.lock()).toThrow(/cannot write .*lock/);
    } finally {
      chmodSync(meta, 0o755);
    }
    expect(JSON.parse(readFileSync(join(meta, 'front.json'), 'utf8'))).toEqual([{ id: 'base' }]);
    expect(readdirSync(meta).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a git failure while recording a candidate is the run log\'s (named, resumable), never the candidate\'s', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-run-')), 'run');
    const log = await RunLog.create(dir, { objective: 'o', seed: 1 }, { id: 'base', source: base, message: 'baseline' });
    // git cannot take its HEAD lock (as on a full disk, where writing the lock file fails)
    mkdirSync(join(dir, '.git', 'HEAD.lock'));
    await expect(log.commitCandidate('c1', 'base', base.replace('2 * x', '7 * x'), 'c1')).rejects.toThrow(RunLogWriteError);
    await expect(log.commitCandidate('c1', 'base', base.replace('2 * x', '7 * x'), 'c1')).rejects.toThrow(/^cannot write .*\.git: git: .*\(EGIT\); .* resumed with --resume/);
    rmSync(join(dir, '.git', 'HEAD.lock'), { recursive: true });
    await log.restoreCleanTree(); // what a resume does first
    expect(await log.commitCandidate('c1', 'base', base.replace('2 * x', '7 * x'), 'c1')).toMatch(/^[0-9a-f]{40}$/);
  });
});
