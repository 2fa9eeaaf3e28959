import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { RunLog } from '../../harness/runlog/run-log.js';
import { runSearch } from '../../harness/search/search-loop.js';
import { PauseGate } from '../../harness/search/pause-gate.js';
import type { SearchEvent } from '../../harness/search/search-events.js';
import { scatter } from '../../harness/dashboard/scatter.js';
import { niceScale } from '../../harness/report/front-section.js';
import { formatEvent, parseLine } from '../../harness/dashboard/plain-lines.js';
import { RunFollower } from '../../harness/dashboard/run-follower.js';
import { activeMs, initialState, reduce } from '../../harness/dashboard/state.js';
import { observe } from '../../harness/cli/watch-command.js';
import { wantsDashboard } from '../../harness/dashboard/dashboard-mode.js';
import { cli as run, until } from '../helpers/cli.js';
import { tiny } from '../helpers/tiny-objective.js';

const root = join(import.meta.dirname, '../..');
const cli = (args: string[]) => run(args, { timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });

describe('scatter', () => {
  const text = (rows: { text: string }[][]) => rows.map((r) => r.map((s) => s.text).join(''));

  it('puts low values bottom-left and high values top-right, in exactly the given size', () => {
    const { rows } = scatter([{ x: 0, y: 0, mark: 'front' }, { x: 10, y: 10, mark: 'baseline' }], 30, 10);
    const t = text(rows);
    expect(t).toHaveLength(10);
    for (const l of t) expect([...l].length).toBeLessThanOrEqual(30);
    const plot = t.slice(0, 8);
    expect(plot[0]!.trimEnd().endsWith('◆')).toBe(true);
    const c = plot[7]!.indexOf('●') - plot[7]!.indexOf('│');
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThanOrEqual(2); // the range has a little padding
    expect(t[8]).toContain('└');
  });

  it('the more telling mark wins a shared cell, and far-off faded points are counted, not drawn', () => {
    const { rows, offScale } = scatter([{ x: 1, y: 1, mark: 'faded' }, { x: 1, y: 1, mark: 'newest' }, { x: 2, y: 2, mark: 'front' }, { x: 1e6, y: 1e6, mark: 'faded' }], 30, 8);
    const t = text(rows).join('\n');
    expect(t).toContain('★');
    expect(t).not.toContain('·');
    expect(offScale).toBe(1);
  });

  it('keeps a never-negative metric on a non-negative axis (no "-3139" tick under a p90 TTFT)', () => {
    const { rows } = scatter([{ x: 9.8, y: 134_541, mark: 'baseline' }, { x: 23.2, y: 2443, mark: 'front' }, { x: 23.4, y: 2156, mark: 'newest' }], 40, 10);
    const t = text(rows).join('\n');
    expect(t).not.toMatch(/-\d/);
    expect(t).toMatch(/^\s*0│/m);
    const html = niceScale([2156, 2443, 134_541], 5);
    expect(html.lo).toBe(0);
    expect(html.ticks.every((v) => v >= 0)).toBe(true);
    expect(niceScale([-5, 5], 5).lo).toBeLessThan(-5); // a metric that does go negative is padded below
  });

  it('one point or none still draws axes', () => {
    expect(text(scatter([{ x: 5, y: 5, mark: 'baseline' }], 24, 6).rows).join('\n')).toContain('◆');
    expect(text(scatter([], 24, 6).rows)).toHaveLength(6);
  });
});

describe('plain lines', () => {
  it('are chosen off a terminal, under CI and with --no-tui; the dashboard otherwise', () => {
    expect(wantsDashboard({ isTTY: true }, undefined, {})).toBe(true);
    expect(wantsDashboard({ isTTY: false }, undefined, {})).toBe(false);
    expect(wantsDashboard({}, undefined, {})).toBe(false);
    expect(wantsDashboard({ isTTY: true }, true, {})).toBe(false);
    expect(wantsDashboard({ isTTY: true }, undefined, { CI: 'true' })).toBe(false);
    expect(wantsDashboard({ isTTY: true }, undefined, { GITHUB_ACTIONS: 'true', CI_JOB_ID: '1' })).toBe(false);
    expect(wantsDashboard({ isTTY: true }, undefined, { CI: 'false' })).toBe(true);
  });

  it('one parseable line per event, no escape codes, hostile text kept on one line', () => {
    const at = Date.UTC(2026, 10, 21, 3, 0, 0);
    const events: SearchEvent[] = [
      { type: 'start', atMs: at, runDir: '/r/x y', objective: 'tiny-router', proposer: 'llm', seed: 3, parallel: 2, budgets: { iterations: 5, minutes: null, usd: 1.5, tokens: null }, resumed: false },
      { type: 'message', atMs: at, level: 'warning', text: 'ledger.jsonl:3: not a ledger entry' },
      { type: 'result', summary: 'x', entry: { id: 'c0001', parent: 'baseline', status: 'accepted', commit: 'abcdef1234567890', metrics: { 'conversation-8x-poly': { p95_ttft_ms: 700.123456, mean_ttft_ms: 250 } }, description: 'say "hi"\nand \x1b[31mred\x1b[0m = x', atMs: at } },
      { type: 'result', summary: 'x', entry: { id: 'c0002', parent: 'c0001', status: 'failed', kind: 'timeout', reason: 'timeout on conversation-8x-poly: CPU-time limit\nsecond line', atMs: at } },
      { type: 'result', summary: 'x', entry: { id: 'c0003', parent: 'c0001', status: 'rejected', reason: 'dominated by c0001', usd: 0.0012, tokens: 900, atMs: at } },
      { type: 'paused', atMs: at, paused: true },
      { type: 'stopping', atMs: at },
      { type: 'done', atMs: at, stoppedBy: 'signal' },
    ];
    const lines = events.map((e) => formatEvent(e, tiny)!);
    for (const l of lines) {
      expect(l).not.toMatch(/[\x00-\x1f\x7f]/);
      expect(parseLine(l), l).not.toBeNull();
    }
    const p = lines.map((l) => parseLine(l)!);
    expect(p.map((x) => x.event)).toEqual(['start', 'warning', 'accepted', 'failed', 'rejected', 'paused', 'stopping', 'done']);
    expect(p[0]!.fields).toMatchObject({ objective: 'tiny-router', budget_iterations: '5', budget_usd: '1.5', run: '/r/x y' });
    expect(p[2]).toMatchObject({ id: 'c0001', fields: { parent: 'baseline', commit: 'abcdef123456', probe: 'conversation-8x-poly', p95_ttft_ms: '700.123', desc: 'say "hi"\nand \x1b[31mred\x1b[0m = x' } });
    expect(p[3]).toMatchObject({ id: 'c0002', fields: { kind: 'timeout', reason: 'timeout on conversation-8x-poly: CPU-time limit' } });
    expect(p[4]!.fields).toMatchObject({ reason: 'dominated by c0001', tokens: '900', usd: '0.0012' });
    expect(p[7]!.fields.stopped_by).toBe('signal');
    expect(formatEvent({ type: 'phase', atMs: at, id: 'c1', parent: 'b', phase: 'probe' }, tiny)).toBeNull();
  });
});

describe('events of a real search, the status file and following a run', () => {
  it('emits start → baseline → front → phases → results → done, pauses, and a follower sees the same run', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-events-')), 'run');
    const events: SearchEvent[] = [];
    const gate = new PauseGate();
    const statuses: string[] = [];
    const s = await runSearch({
      objective: tiny, runDir: dir, resume: false, seed: 4, parallel: 1, budgetIterations: 5, proposer: new MutationProposer(), evaluator: new SandboxEvaluator({}, null), pause: gate,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'result' && e.entry.id === 'c0002') {
          gate.set(true); // paused after the second candidate: resumes from a timer; the workers wait
          setTimeout(() => gate.set(false), 300);
        }
        if (e.type === 'result' && existsSync(join(dir, '.twinsearch/status.json'))) statuses.push(readFileSync(join(dir, '.twinsearch/status.json'), 'utf8'));
      },
    });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(events[1]).toMatchObject({ type: 'message' });
    const firstResult = events.find((e) => e.type === 'result')!;
    expect(firstResult).toMatchObject({ entry: { id: 'baseline', status: 'accepted' } });
    expect(types.at(-1)).toBe('done');
    expect(events.filter((e) => e.type === 'result' && e.entry.id !== 'baseline')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'paused').map((e) => (e as { paused: boolean }).paused)).toEqual([true, false]);
    // every candidate goes through proposing, then the probe unless it failed or was a duplicate before it
    expect(events.find((e) => e.type === 'phase' && e.id === 'c0001')).toMatchObject({ phase: 'proposing' });
    expect(events.some((e) => e.type === 'evaluation' && e.id === 'baseline' && e.ok)).toBe(true);
    const evaluated = events.filter((e) => e.type === 'result' && e.entry.timings);
    for (const e of evaluated) if (e.type === 'result') expect(e.entry.timings!.evaluations).toBeGreaterThan(0);
    expect(statuses.length).toBeGreaterThan(0);

    // the dashboard's state from the live events…
    const live = initialState(dir, tiny);
    for (const e of events) reduce(live, e);
    expect(live.counts).toEqual({ evaluated: s.evaluated, accepted: s.accepted, rejected: s.rejected, failed: s.failed });
    expect(live.state).toBe('finished');
    expect(live.front.map((m) => m.id).sort()).toEqual(s.front.map((m) => m.id).sort());

    // …and from the run directory, as `twinsearch watch` reads it, agree
    const status = RunLog.open(dir).readStatus()!;
    expect(status).toMatchObject({ state: 'finished', stoppedBy: 'iterations', inFlight: [] });
    expect(status.pausedMs).toBeGreaterThanOrEqual(250);
    expect(existsSync(join(dir, '.twinsearch/lock'))).toBe(false);
    const f = new RunFollower(dir);
    const watched = initialState(dir, tiny);
    observe(watched, f.look());
    expect(watched.counts).toEqual(live.counts);
    expect(watched.front).toEqual(live.front);
    expect(watched.points.map((p) => p.id)).toEqual(live.points.map((p) => p.id));
    expect(watched.state).toBe('finished');
    expect(watched.stoppedBy).toBe('iterations');

    // a line half-written is not read until it is complete; a damaged one becomes a warning
    const ledger = join(dir, '.twinsearch/ledger.jsonl');
    const entry = JSON.stringify({ id: 'c0099', parent: 'baseline', status: 'rejected', reason: 'duplicate code', atMs: Date.now() });
    appendFileSync(ledger, entry.slice(0, 20));
    expect(f.look().events).toEqual([]);
    appendFileSync(ledger, `${entry.slice(20)}\n{garbage\n`);
    const next = f.look().events;
    expect(next[0]).toMatchObject({ type: 'message', level: 'warning', text: expect.stringMatching(/ledger\.jsonl:\d+: not a ledger entry/) });
    expect(next[1]).toMatchObject({ type: 'result', entry: { id: 'c0099' } });

    // a search that ends between two looks at the run is seen finishing, not killed
    const ending = new RunFollower(dir);
    writeFileSync(join(dir, '.twinsearch/status.json'), JSON.stringify({ ...status, state: 'running' }));
    ending.look();
    const lockHolder = ending.log.lockHolder.bind(ending.log);
    ending.log.lockHolder = () => {
      writeFileSync(join(dir, '.twinsearch/status.json'), JSON.stringify(status)); // the search's last status, then its unlock
      return lockHolder();
    };
    const last = ending.look();
    expect(last.orphaned).toBe(false);
    expect(last.events.map((e) => e.type)).toContain('done');

    // a status that says running with nobody holding the lock: the search was killed
    writeFileSync(join(dir, '.twinsearch/status.json'), JSON.stringify({ ...status, state: 'running' }));
    const killed = new RunFollower(dir).look();
    expect(killed.orphaned).toBe(true);
    expect(killed.events.some((e) => e.type === 'message' && /can be resumed/.test(e.text))).toBe(true);
  });
});

describe('pausing a search from another process', () => {
  it('the control file pauses and resumes it; requests older than the search are ignored', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-control-')), 'run');
    const events: SearchEvent[] = [];
    let log: RunLog | undefined;
    await runSearch({
      objective: tiny, runDir: dir, resume: false, seed: 6, parallel: 1, budgetIterations: 3, proposer: new MutationProposer(), evaluator: new SandboxEvaluator({}, null),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'result' && e.entry.id === 'baseline') {
          log = RunLog.open(dir);
          log.writeControl({ paused: true, atMs: Date.now() - 3_600_000 }); // stale: from before this search
        }
        if (e.type === 'result' && e.entry.id === 'c0001') log!.writeControl({ paused: true, atMs: Date.now() + 1 });
        // resume once the pause was seen: a fixed delay raced the 300 ms poll on a loaded machine
        if (e.type === 'paused' && e.paused) setTimeout(() => log!.writeControl({ paused: false, atMs: Date.now() + 1 }), 300);
      },
    });
    expect(events.filter((e) => e.type === 'paused').map((e) => (e as { paused: boolean }).paused)).toEqual([true, false]);
    const results = events.filter((e) => e.type === 'result').map((e) => (e as { entry: { id: string } }).entry.id);
    expect(results).toEqual(['baseline', 'c0001', 'c0002', 'c0003']);
  });
});

describe('watch: the clock of a paused search', () => {
  it('counts a pause in progress once: the status file\'s figure up to its write, the clock after it', () => {
    const s = initialState('/tmp/run', tiny);
    const T = 1_000_000;
    s.startedAtMs = T;
    s.state = 'running';
    const look = (events: SearchEvent[], pausedMs: number, statusAtMs: number) => observe(s, { events, inFlight: [], live: true, orphaned: false, pausedMs, statusAtMs });
    look([{ type: 'paused', atMs: T + 10_000, paused: true }], 0, T + 10_000);
    // the search rewrites its status while paused (the candidate in flight finished): 20 s paused so far
    look([], 20_000, T + 30_000);
    expect(activeMs(s, T + 40_000)).toBe(10_000); // 40 s since the start, 30 s of them paused
    look([{ type: 'paused', atMs: T + 50_000, paused: false }], 40_000, T + 50_000);
    expect(activeMs(s, T + 60_000)).toBe(20_000);
  });
});

describe('CLI: plain lines off a terminal, twinsearch watch', () => {
  it('search prints parseable lines without escape codes; watch follows it live and then replays it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-watch-')), 'run');
    const search = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', join(root, 'harness/cli/main.ts'), 'search', '--objective', 'router-latency', '--budget-iterations', '8', '--parallel', '1', '--seed', '2', '--run-dir', dir], { cwd: root, env: { ...process.env, FORCE_COLOR: '1' } });
    let out = '';
    search.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => existsSync(join(dir, '.twinsearch/lock')), 60_000, 100);
    const watch = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', join(root, 'harness/cli/main.ts'), 'watch', dir, '--interval', '100'], { cwd: root });
    let wout = '';
    watch.stdout.on('data', (d: Buffer) => (wout += d.toString()));
    const [sc, wc] = await Promise.all([new Promise((r) => search.once('exit', r)), new Promise((r) => watch.once('exit', r))]);
    expect(sc).toBe(0);
    expect(wc).toBe(0); // watch ends with the search
    expect(out).not.toContain('\x1b');
    const lines = out.trim().split('\n');
    for (const l of lines) expect(parseLine(l), l).not.toBeNull();
    const parsed = lines.map((l) => parseLine(l)!);
    expect(parsed[0]!.event).toBe('start');
    expect(parsed.at(-1)).toMatchObject({ event: 'done', fields: { stopped_by: 'iterations' } });
    const outcomes = (ls: ReturnType<typeof parseLine>[]) => ls.filter((p) => p && ['accepted', 'rejected', 'failed'].includes(p.event) && p.id !== 'baseline').map((p) => `${p!.id} ${p!.event}`);
    expect(outcomes(parsed)).toHaveLength(8);
    const watched = wout.trim().split('\n').map(parseLine);
    expect(watched.every(Boolean)).toBe(true);
    expect(outcomes(watched)).toEqual(outcomes(parsed));
    expect(watched.at(-1)).toMatchObject({ event: 'done' });

    // a finished run: its history, then exit
    const again = cli(['watch', dir]);
    expect(again.code).toBe(0);
    expect(outcomes(again.out.trim().split('\n').map(parseLine))).toEqual(outcomes(parsed));
  });

  it('watch: help, and errors that name the problem', () => {
    expect(cli(['watch', '--help']).out).toContain('--interval');
    const r = cli(['watch', '/no/such/run']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('run directory not found: /no/such/run');
    expect(cli(['watch']).err).toContain('give one run directory');
    expect(cli(['search', '--help']).out).toContain('twinsearch watch DIR');
  });
});
