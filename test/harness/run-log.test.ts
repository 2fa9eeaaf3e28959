import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { RunLog } from '../../harness/runlog/run-log.js';

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
});
