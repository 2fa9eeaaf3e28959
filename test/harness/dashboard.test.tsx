import { afterEach, describe, expect, it, vi } from 'vitest';

// ink decides once, when it is first imported, whether it runs under CI (the CI or CONTINUOUS_INTEGRATION
// variables), and there it draws nothing until it unmounts. The CLI never mounts the dashboard under CI;
// these tests mount it on purpose, so they must see what a user's terminal sees. vi.hoisted runs before
// the imports below.
vi.hoisted(() => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
});
import { cleanup, render } from 'ink-testing-library';
import { HeaderPanel } from '../../harness/dashboard/header-panel.js';
import { ProgressPanel } from '../../harness/dashboard/progress-panel.js';
import { FrontPanel } from '../../harness/dashboard/front-panel.js';
import { EventFeed } from '../../harness/dashboard/event-feed.js';
import { TimingsPanel } from '../../harness/dashboard/timings-panel.js';
import { DiffPanel } from '../../harness/dashboard/diff-panel.js';
import { Dashboard } from '../../harness/dashboard/dashboard.js';
import { reduce } from '../../harness/dashboard/state.js';
import { mountLiveDashboard } from '../../harness/dashboard/live-dashboard.js';
import { PassThrough, Writable } from 'node:stream';
import { spec } from './dashboard-fixtures.js';
import { until } from '../helpers/cli.js';
import { busy, onlyFailures, started, stripAnsi, T0, withBaseline } from './dashboard-fixtures.js';

afterEach(() => cleanup());

const frame = (r: { lastFrame: () => string | undefined }): string => stripAnsi(r.lastFrame() ?? '');
const tick = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The frame once it shows `text`: redraws run on a timer, which a loaded machine delays. */
async function shows(r: { lastFrame: () => string | undefined }, text: string): Promise<string> {
  await until(() => frame(r).includes(text), 10_000);
  const f = frame(r);
  expect(f, `a frame showing ${JSON.stringify(text)}`).toContain(text);
  return f;
}
const KEY = { down: '\u001B[B', up: '\u001B[A', esc: '\u001B', pgdn: '\u001B[6~' };

describe('header panel', () => {
  it('shows the objective, proposer, seed, state and budgets used and left', () => {
    const s = busy();
    const f = frame(render(<HeaderPanel s={s} now={T0 + 60_000} width={160} />));
    expect(f).toContain('router-latency (router) · proposer mutate · seed 7');
    expect(f).toContain('● running 1:00');
    expect(f).toContain('candidates 5/20 (15 left)');
    expect(f).toContain('time 1:00/10:00 (9:00 left)');
    expect(f).toContain('tokens 3300/50.0k');
    expect(f).toContain('cost $0.0120/$1.00 ($0.9880 left)');
  });

  it('an empty run: nothing used, no limits but the ones given', () => {
    const f = frame(render(<HeaderPanel s={started()} now={T0 + 5000} width={120} />));
    expect(f).toContain('candidates 0 ');
    expect(f).toContain('tokens 0 ');
    expect(f).not.toContain('left');
  });

  it('a finished run says why it stopped and its clock stops', () => {
    const s = busy();
    reduce(s, { type: 'done', atMs: T0 + 90_000, stoppedBy: 'iterations' });
    const f = frame(render(<HeaderPanel s={s} now={T0 + 500_000} width={120} />));
    expect(f).toContain('● finished (iterations budget) 1:30');
  });
});

describe('progress panel', () => {
  it('counts outcomes, rejections and failures by kind, the rate and what is in flight', () => {
    const f = frame(render(<ProgressPanel s={busy()} now={T0 + 60_000} width={160} />));
    expect(f).toContain('evaluated 5');
    expect(f).toContain('5.0/min'); // 5 candidates in the first minute
    expect(f).toContain('✔ 2 accepted');
    expect(f).toContain('✘ 2 rejected (duplicate 1, early stop 1)');
    expect(f).toContain('! 1 failed (timeout 1)');
    expect(f).toContain('in flight 1: c0006 probe 10 s');
  });

  it('a run with only failures', () => {
    const f = frame(render(<ProgressPanel s={onlyFailures()} now={T0 + 60_000} width={160} />));
    expect(f).toContain('✔ 0 accepted');
    expect(f).toContain('! 3 failed (proposer 1, timeout 1, type 1)');
  });
});

describe('front panel', () => {
  it('plots the baseline, the front and the newest accepted point, and tables the members with their change', () => {
    const s = busy();
    s.points.push({ id: 'c0009', x: 9000, y: 4000 });
    const f = frame(render(<FrontPanel s={s} width={100} height={12} selected={undefined} />));
    const plot = f.split('\n').map((l) => l.slice(0, 38)).join('\n');
    expect(plot).toContain('◆');
    expect(plot).toContain('●');
    expect(plot).toContain('★');
    expect(plot).toContain('└');
    expect(f).toContain('front 2 on conversation-8x-poly');
    // best first on the x metric (p95 TTFT): c0005 (740) before c0001 (768); changes against the baseline (775)
    expect(f.indexOf('c0005')).toBeLessThan(f.indexOf('c0001'));
    expect(f).toMatch(/★ c0005 +740 −4\.5%/);
    expect(f).toContain('+1 off'); // the faded far-off one is counted, not drawn
    expect(f).toContain('·'); // the early-stopped candidate, faded
    expect(f).toMatch(/● c0001 +768 −0\.9% +246 −13\.1%/);
    expect(f).not.toContain('what changed'); // at 100 columns three metrics leave no useful room for it
  });

  it('a front of one point: the baseline alone', () => {
    const f = frame(render(<FrontPanel s={withBaseline()} width={100} height={10} selected={undefined} />));
    expect(f).toContain('front 1 on');
    expect(f).toContain('◆ baseline');
    expect((f.match(/◆/g) ?? []).length).toBeGreaterThanOrEqual(2); // plotted and in the table
    expect(f).not.toContain('●');
  });

  it('an empty run has an empty plot and no members, without crashing', () => {
    const f = frame(render(<FrontPanel s={started()} width={100} height={10} selected={undefined} />));
    expect(f).toContain('front 0 on');
    expect(f).toContain('└');
  });

  it('marks the selected member in the plot and the table', () => {
    const f = frame(render(<FrontPanel s={busy()} width={120} height={12} selected="c0001" />));
    expect(f).toContain('◉');
    expect(f).toContain('▶ c0001');
  });
});

describe('event feed', () => {
  it('shows accepted with its summary, rejected with the reason, failures with the kind', () => {
    const f = frame(render(<EventFeed s={busy()} width={140} height={8} />));
    expect(f).toContain('✔ c0001 ACCEPTED');
    expect(f).toContain('✘ c0002 rejected clearly worse than c0001');
    expect(f).toContain('! c0004 failed');
  });

  it('keeps to its height, newest last', () => {
    const f = frame(render(<EventFeed s={busy()} width={140} height={3} />));
    expect(f.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(3);
    expect(f).toContain('c0005');
    expect(f).not.toContain('c0001 ACCEPTED');
  });

  it('an empty run says what is happening', () => {
    const s = started();
    expect(frame(render(<EventFeed s={s} width={80} height={5} />))).toContain('no candidate has finished yet');
  });

  it('a run with only failures lists each failure', () => {
    const f = frame(render(<EventFeed s={onlyFailures()} width={160} height={6} />));
    expect(f).toContain('c0001 failed timeout on conversation-8x-poly');
    expect(f).toContain('c0003 failed proposer: malformed response');
  });
});

describe('timings panel', () => {
  it('averages sandbox time per evaluation and per candidate', () => {
    // 3 candidates × 2 evaluations, each candidate 40 + 60 + 780 ms over its 2 evaluations, 1.5 s from proposal to verdict
    const f = frame(render(<TimingsPanel s={onlyFailures()} width={100} />));
    expect(f).toContain('replay 390 ms, isolate+load 30 ms, bundle+check 20 ms, wall 450 ms · per candidate');
    const s = onlyFailures();
    expect(s.timings.candidateMs / s.timings.candidates).toBe(1500);
    s.timings.cached = 2;
    expect(frame(render(<TimingsPanel s={s} width={100} />))).toContain('replay 585 ms'); // averaged over the 4 fresh evaluations only
  });

  it('before any evaluation', () => {
    expect(frame(render(<TimingsPanel s={started()} width={80} />))).toContain('no evaluation timed yet');
  });
});

describe('diff panel', () => {
  const diff = ['@@ -11,7 +11,7 @@', ' const a = 1;', '-const decode = w.activeBlocks + w.newBlocks;', '+const decode = w.newBlocks;', ...Array.from({ length: 20 }, (_, i) => ` line ${i}`)].join('\n');

  it('shows the diff with its title and scrolls', () => {
    let f = frame(render(<DiffPanel title="c0001 vs baseline" diff={diff} offset={0} width={80} height={6} />));
    expect(f).toContain('c0001 vs baseline  [lines 1–5 of 24, PgDn for more]');
    expect(f).toContain('+const decode = w.newBlocks;');
    f = frame(render(<DiffPanel title="c0001 vs baseline" diff={diff} offset={100} width={80} height={6} />));
    expect(f).toContain('line 19');
    expect(f).toContain('[lines 20–24 of 24]');
  });

  it('says when it is loading or when there is nothing to show', () => {
    expect(frame(render(<DiffPanel title="x" diff={undefined} offset={0} width={80} height={4} />))).toContain('loading…');
    expect(frame(render(<DiffPanel title="x" diff="" offset={0} width={80} height={4} />))).toContain('root of the run');
  });
});

describe('the whole dashboard', () => {
  const mount = (s = busy(), mode: 'live' | 'watch' = 'live', size = { columns: 80, rows: 24 }) => {
    const calls = { quit: [] as number[], pause: 0, diff: [] as string[] };
    const r = render(<Dashboard state={s} mode={mode} size={size} now={() => T0 + 60_000} refreshMs={20}
      loadDiff={async (id) => { calls.diff.push(id); return `@@ -1 +1 @@\n-old ${id}\n+new ${id}`; }}
      onQuit={(n) => calls.quit.push(n)} onPause={() => calls.pause++} />);
    return { r, calls, s };
  };

  for (const [name, make] of [['empty', started], ['only failures', onlyFailures], ['one-point front', withBaseline], ['busy', busy]] as const) {
    it(`fits 80×24 without wrapping (${name} run)`, async () => {
      const { r } = mount(make());
      await tick();
      const lines = frame(r).split('\n');
      expect(lines.length).toBeLessThanOrEqual(23); // a frame as tall as the screen makes ink clear it
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
      expect(lines.filter((l) => l.startsWith('twinsearch ')).length).toBe(1);
    });
  }

  it('grows into a larger terminal', async () => {
    const { r } = mount(busy(), 'live', { columns: 140, rows: 40 });
    await tick();
    const lines = frame(r).split('\n');
    expect(lines.length).toBeLessThanOrEqual(39);
    expect(lines.length).toBeGreaterThan(30);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeGreaterThan(100);
  });

  it('arrow keys select a front member and show its diff; Esc goes back to the feed', async () => {
    const { r, calls } = mount();
    await tick();
    r.stdin.write(KEY.down);
    let f = await shows(r, '+new c0005');
    expect(calls.diff).toEqual(['c0005']);
    expect(f).toContain('c0005 vs baseline: operator * → + at line 12');
    expect(f).toContain('▶ c0005');
    r.stdin.write(KEY.down);
    f = await shows(r, '-old c0001');
    expect(f).toContain('c0001 vs baseline');
    r.stdin.write(KEY.esc);
    f = await shows(r, 'latest events');
    expect(f).not.toContain('▶');
  });

  it('q asks to stop, q again to exit; p pauses; the footer follows the state', async () => {
    const { r, calls, s } = mount();
    await tick();
    expect(frame(r)).toContain('q stop · p pause');
    r.stdin.write('p');
    await tick();
    expect(calls.pause).toBe(1);
    reduce(s, { type: 'paused', atMs: T0 + 55_000, paused: true });
    expect(await shows(r, '● paused')).toContain('p resume');
    r.stdin.write('q');
    await tick();
    reduce(s, { type: 'stopping', atMs: T0 + 56_000 });
    await shows(r, 'q again exits now');
    r.stdin.write('q');
    await tick();
    expect(calls.quit).toEqual([1, 2]);
  });

  it('in watch mode q only quits watching; p asks the search to pause', async () => {
    const { r, calls } = mount(busy(), 'watch');
    await tick();
    expect(frame(r)).toContain('q quit watching (the search goes on) · p pause the search');
    r.stdin.write('p');
    r.stdin.write('q');
    await tick();
    expect(calls.pause).toBe(1);
    expect(calls.quit).toEqual([1]);
  });

  it('redraws when the state changes, not on every event', async () => {
    const { r, s } = mount(busy());
    await tick();
    const before = r.frames.length;
    for (let i = 0; i < 200; i++) reduce(s, { type: 'message', atMs: T0 + 60_000, level: 'info', text: `burst ${i}` });
    await shows(r, 'burst 199');
    expect(r.frames.length - before).toBeLessThan(10);
  });

  it('keeps drawing when stdin is not a terminal (no keys then, no raw-mode error)', async () => {
    const chunks: string[] = [];
    const out = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
    Object.assign(out, { isTTY: true, columns: 100, rows: 30 });
    const d = mountLiveDashboard({ spec, runDir: '/tmp/x', onQuit: () => undefined, onPause: () => undefined, stdout: out as unknown as NodeJS.WriteStream, stdin: new PassThrough() as unknown as NodeJS.ReadStream, patchConsole: false });
    // Each note must reach the screen before the next one is sent: three separate redraws, however
    // slowly a loaded machine runs the frame timer (a fixed sleep once saw all three in one frame).
    for (let i = 0; i < 3; i++) {
      d.onEvent({ type: 'message', atMs: T0, level: 'info', text: `note ${i}` });
      const drawn = await until(() => stripAnsi(chunks.join('')).includes(`note ${i}`), 10_000);
      expect(drawn, `note ${i} drawn`).toBe(true);
    }
    await d.close();
    const all = stripAnsi(chunks.join(''));
    expect(all).not.toContain('ERROR');
    expect(chunks.filter((c) => c.includes('twinsearch ')).length).toBeGreaterThanOrEqual(3);
  });
});
