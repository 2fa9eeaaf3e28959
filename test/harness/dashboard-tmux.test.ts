import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The live dashboard on a real terminal: ink's frame bookkeeping (erasing the previous frame, redrawing
 * on resize, leaving the last frame behind on exit) only shows its bugs on a pty, which the
 * ink-testing-library tests never touch. tmux gives a pty of a known size whose screen can be read back.
 */

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'harness/cli/main.ts');
const requireTmux = process.env.TWINSEARCH_REQUIRE_TMUX === '1';
const tmuxVersion = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
const hasTmux = !tmuxVersion.error && tmuxVersion.status === 0;

/**
 * What the pane (and the tmux server) sees: a user's terminal, not the test runner's. ink switches to
 * its non-interactive output when CI is set, colours go when NO_COLOR is set, an API key would switch
 * the proposer to a paid LLM, and a user SHELL such as fish would not parse the pane's sh script.
 */
function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', SHELL: '/bin/sh' };
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION', 'NO_COLOR', 'FORCE_COLOR', 'OPENAI_API_KEY', 'TMUX', 'TMUX_PANE']) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k.startsWith('CI_')) delete env[k];
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  return env;
}

/** A detached tmux session on a private server, so a user's own tmux sessions are never touched. */
class Pane {
  readonly socket = `twinsearch-test-${process.pid}-${Date.now().toString(36)}`;
  readonly target = 'dash';
  private readonly env = terminalEnv();

  tmux(...args: string[]): string {
    // -f /dev/null: a user's tmux.conf could change sizes, the shell or key bindings
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  start(script: string, args: string[], columns: number, rows: number): void {
    const quoted = [script, 'twinsearch-pane', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.tmux('new-session', '-d', '-s', this.target, '-x', String(columns), '-y', String(rows), '-c', root, `exec /bin/sh -c ${quoted}`);
  }

  /** The visible screen, wrapped lines joined: a line too long for the terminal shows up as one long line, not two. */
  screen(history = false): string {
    return this.tmux('capture-pane', '-p', '-J', ...(history ? ['-S', '-'] : []), '-t', this.target).split('\n').map((l) => l.trimEnd()).join('\n').trimEnd();
  }

  keys(literal: string): void {
    this.tmux('send-keys', '-t', this.target, '-l', literal);
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', this.target, '-x', String(columns), '-y', String(rows));
    const got = this.tmux('display-message', '-p', '-t', this.target, '#{pane_width}x#{pane_height}').trim();
    if (got !== `${columns}x${rows}`) throw new Error(`tmux resized the pane to ${got}, not ${columns}x${rows}`);
  }

  kill(): void {
    let socketPath = '';
    try { socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim(); } catch { /* no server */ }
    try { this.tmux('kill-server'); } catch { /* the server is already gone */ }
    // tmux leaves its socket file behind, one per test run otherwise
    if (socketPath) rmSync(socketPath, { force: true });
  }
}

// Every glyph the dashboard draws (│ └ ─ ◆ ● ★ · … ✔ ✘ ↑ ↓ −) takes one cell, so a code point is a column.
const width = (line: string): number => [...line].length;
const lines = (screen: string): string[] => screen.split('\n');
const headerLines = (screen: string): string[] => lines(screen).filter((l) => l.startsWith('twinsearch '));
const footerLines = (screen: string): string[] => lines(screen).filter((l) => l.startsWith('q stop · '));
const evaluated = (screen: string): number | null => {
  const m = /^evaluated (\d+) · .*accepted/m.exec(screen);
  return m ? Number(m[1]) : null;
};

/** The scatter's x axis ("   └────"): where its corner is and how long it is. */
function axis(screen: string): { corner: number; length: number } | null {
  const l = lines(screen).find((x) => /^\s*└─+/.test(x));
  if (!l) return null;
  const cps = [...l];
  return { corner: cps.indexOf('└'), length: cps.length };
}

/** Marks inside the plot area: between the y axis "│" and the end of the x axis, so the table's marks do not count. */
function plottedMarks(screen: string): string {
  const a = axis(screen);
  if (!a) return '';
  return lines(screen).map((l) => [...l]).filter((cps) => cps[a.corner] === '│').map((cps) => cps.slice(a.corner + 1, a.length).join('')).join('').replace(/[^◆●★]/g, '');
}

/** What is wrong with a full dashboard frame on a terminal of this size; [] when nothing. */
function frameProblems(screen: string, columns: number, rows: number): string[] {
  const out: string[] = [];
  const long = lines(screen).filter((l) => width(l) > columns);
  if (long.length) out.push(`${long.length} line(s) wider than ${columns} columns: ${long.map((l) => `${width(l)}: ${l}`).join(' | ')}`);
  if (headerLines(screen).length !== 1) out.push(`${headerLines(screen).length} header lines, not 1 (a stale frame)`);
  if (footerLines(screen).length !== 1) out.push(`${footerLines(screen).length} footer lines, not 1`);
  if (lines(screen).length > rows) out.push(`${lines(screen).length} lines on a ${rows}-row screen`);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const POLL_MS = 250;

describe('twinsearch search on a terminal (tmux, 80x24)', () => {
  const pane = new Pane();
  let dir = '';
  let runDir = '';
  let exitFile = '';
  let last = '';
  let broken = false;
  let axis80 = 0;
  // a fresh seed each time: with a fixed one the evaluation cache would, run after run, hold ever more of
  // the same candidate sequence, until the whole budget is a cache hit and the search ends before the keys
  const seed = Math.floor(Math.random() * 1e6);
  let stopped = '';

  const capture = (history = false): string => (last = pane.screen(history));
  const exitCode = (): string | null => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : null);
  const shown = (screen = last): string => `\n--- screen (--seed ${seed} --run-dir ${runDir}) ---\n${screen}\n---`;

  /** Polls the screen until `ok` holds; the failure names what was awaited and shows the last screen. */
  async function waitFor(what: string, ok: (screen: string) => boolean, deadlineMs: number): Promise<string> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const s = capture();
      if (ok(s)) return s;
      const code = exitCode();
      if (code !== null) throw new Error(`the search exited (code ${code}) while waiting for ${what}${shown(capture(true))}`);
      if (Date.now() > until) throw new Error(`no ${what} after ${deadlineMs / 1000} s${shown(s)}`);
      await sleep(POLL_MS);
    }
  }

  /** A frame that looked right once must stay right: ink redraws every second, and a stale line would survive it. */
  async function steady(columns: number, rows: number, forMs = 2000): Promise<void> {
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      const s = capture();
      expect(frameProblems(s, columns, rows), `the ${columns}x${rows} frame went wrong${shown(s)}`).toEqual([]);
      await sleep(POLL_MS);
    }
  }

  /** The steps share one running search: once one fails the rest would only fail for its reason. */
  function step(name: string, timeoutMs: number, fn: () => Promise<void>): void {
    it(name, async (ctx) => {
      if (!hasTmux) {
        if (requireTmux) throw new Error(`tmux is not installed (${tmuxVersion.error?.message ?? tmuxVersion.stderr}), and TWINSEARCH_REQUIRE_TMUX=1 asks for this test`);
        ctx.skip('tmux is not installed (set TWINSEARCH_REQUIRE_TMUX=1 to make that a failure)');
      }
      if (broken) ctx.skip('an earlier step failed');
      try {
        await fn();
      } catch (e) {
        broken = true;
        throw e;
      }
    }, timeoutMs);
  }

  beforeAll(() => {
    if (!hasTmux) return;
    dir = mkdtempSync(join(tmpdir(), 'twinsearch-tmux-'));
    runDir = join(dir, 'run');
    exitFile = join(dir, 'exit-code');
    // exit code written once the search ends, then a sleep that keeps the pane (and its last screen) alive
    const script = 'env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR -u FORCE_COLOR -u OPENAI_API_KEY TERM=xterm-256color '
      + '"$1" --no-node-snapshot --import tsx "$2" search --objective router-latency --proposer mutate --budget-iterations 500 --parallel 1 --seed "$5" --run-dir "$3"; '
      + 'echo $? > "$4.tmp"; mv "$4.tmp" "$4"; sleep 300';
    pane.start(script, [process.execPath, main, runDir, exitFile, String(seed)], 80, 24);
  });

  afterAll(() => {
    if (!hasTmux) return;
    pane.kill();
    if (broken) console.warn(`dashboard-tmux: run left for inspection in ${dir}`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('draws progress, the plotted front and the keys within 80x24', 120_000, async () => {
    const s = await waitFor('dashboard with 3+ candidates evaluated, a plotted front and the key footer', (x) =>
      (evaluated(x) ?? 0) >= 3 && axis(x) !== null && plottedMarks(x).length > 0 && footerLines(x).length > 0 && /● running/.test(x), 90_000);
    expect(frameProblems(s, 80, 24), shown(s)).toEqual([]);
    expect(headerLines(s)[0], shown(s)).toMatch(/^twinsearch router-latency \(router\) · proposer mutate .*● running \d+:\d\d$/);
    expect(s, shown(s)).toMatch(/^candidates \d+\/500 \(\d+ left\)/m);
    axis80 = axis(s)!.length;
    expect(existsSync(join(runDir, '.twinsearch', 'lock')), `a running search holds its lock${shown(s)}`).toBe(true);
    await steady(80, 24);
  });

  step('p pauses proposing and p again resumes it', 120_000, async () => {
    pane.keys('p');
    await waitFor('"● paused" in the header', (x) => /● paused/.test(headerLines(x)[0] ?? ''), 10_000);
    // the candidate in flight still finishes; after it nothing new starts
    const idle = await waitFor('"nothing (paused)" in flight', (x) => x.includes('nothing (paused)'), 60_000);
    const n = evaluated(idle);
    await sleep(1500);
    const later = capture();
    expect(evaluated(later), `candidates evaluated while paused${shown(later)}`).toBe(n);
    expect(frameProblems(later, 80, 24), shown(later)).toEqual([]);
    pane.keys('p');
    await waitFor('"● running" in the header again', (x) => /● running/.test(headerLines(x)[0] ?? ''), 10_000);
    await waitFor(`more than ${n} candidates evaluated after resuming`, (x) => (evaluated(x) ?? 0) > n!, 60_000);
  });

  step('redraws for a 100x30 terminal, then again for 80x24', 60_000, async () => {
    pane.resize(100, 30);
    const wide = await waitFor('a frame using the 100 columns', (x) =>
      frameProblems(x, 100, 30).length === 0 && ((axis(x)?.length ?? 0) > axis80 || lines(x).some((l) => width(l) > 80)), 15_000);
    expect(axis(wide)!.length, `the plot widens with the terminal${shown(wide)}`).toBeGreaterThan(axis80);
    await steady(100, 30);
    pane.resize(80, 24);
    const narrow = await waitFor('a frame back within 80x24', (x) => frameProblems(x, 80, 24).length === 0 && axis(x)?.length === axis80, 15_000);
    expect(plottedMarks(narrow).length, shown(narrow)).toBeGreaterThan(0);
    await steady(80, 24);
  });

  step('q stops gracefully: exit 0, a summary and the resume hint', 150_000, async () => {
    pane.keys('q');
    const until = Date.now() + 120_000;
    while (exitCode() === null) {
      if (Date.now() > until) throw new Error(`the search did not exit within 120 s of q${shown(capture(true))}`);
      await sleep(POLL_MS);
    }
    // with the scrollback: the summary lines push the top of the last frame off the screen
    const s = capture(true);
    expect(exitCode(), shown(s)).toBe('0');
    expect(s, shown(s)).toMatch(/^stopped: \d+ candidates, \d+ accepted, \d+ rejected, \d+ failed; front: [\w-]+/m);
    // the resume command on a line of its own, whole, to copy
    expect(s, shown(s)).toContain(`resume it:\n  twinsearch search --objective router-latency --run-dir ${runDir} --resume`);
    stopped = /^stopped: .*$/m.exec(s)![0];
    // the frame left behind is the last one, not two overlapping ones (the scrollback may hold
    // lines tmux pushed there when the pane got shorter, so only the visible screen counts)
    const visible = capture();
    expect(footerLines(visible).length, shown(visible)).toBe(0);
    expect(lines(visible).filter((l) => l.startsWith('the search has ended')).length, shown(visible)).toBe(1);
    expect(headerLines(visible).length, shown(visible)).toBeLessThanOrEqual(1);
  });

  step('leaves a run that --resume continues', 150_000, async () => {
    const meta = join(runDir, '.twinsearch');
    expect(existsSync(join(meta, 'lock')), 'the lock is released on exit').toBe(false);
    const status = JSON.parse(readFileSync(join(meta, 'status.json'), 'utf8')) as { state?: string; stoppedBy?: string };
    expect(status).toMatchObject({ state: 'finished', stoppedBy: 'signal' });

    const readLedger = (): { id: string; status: string }[] => readFileSync(join(meta, 'ledger.jsonl'), 'utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).map((l, i) => {
      let e: { id?: unknown; status?: unknown };
      try { e = JSON.parse(l) as typeof e; } catch (err) { throw new Error(`ledger line ${i + 1} does not parse (${(err as Error).message}): ${l}`); }
      if (typeof e.id !== 'string' || !['accepted', 'rejected', 'failed'].includes(e.status as string)) throw new Error(`ledger line ${i + 1} is not an entry: ${l}`);
      return { id: e.id, status: e.status as string };
    });
    const ledger = readLedger();
    const ids = ledger.map((e) => e.id);
    expect(new Set(ids).size, 'ledger ids are unique').toBe(ids.length);
    const candidates = ledger.filter((e) => e.id !== 'baseline');
    const summary = /^stopped: (\d+) candidates, (\d+) accepted/.exec(stopped);
    expect(summary && Number(summary[1]), `"${stopped}" counts what the ledger holds`).toBe(candidates.length);
    expect(summary && Number(summary[2]), `"${stopped}" counts what the ledger holds`).toBe(candidates.filter((e) => e.status === 'accepted').length);

    const tags = execFileSync('git', ['-C', runDir, 'tag', '--list', 'cand-*'], { encoding: 'utf8' }).split('\n').map((t) => t.trim()).filter(Boolean);
    expect(tags).toContain('cand-baseline');
    const accepted = new Set(candidates.filter((e) => e.status === 'accepted').map((e) => e.id));
    const tagged = new Set(tags.filter((t) => t !== 'cand-baseline').map((t) => t.slice('cand-'.length)));
    expect([...tagged].filter((id) => !accepted.has(id)), 'tags without an accepted ledger entry').toEqual([]);
    expect([...accepted].filter((id) => !tagged.has(id)), 'accepted ledger entries without a tag').toEqual([]);

    // the iterations budget counts candidates, the baseline's ledger line not included
    const budget = candidates.length + 2;
    const r = await new Promise<{ code: number | null; out: string; err: string }>((done, fail) => {
      const p = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', main, 'search', '--objective', 'router-latency', '--proposer', 'mutate', '--parallel', '1',
        '--resume', '--run-dir', runDir, '--budget-iterations', String(budget), '--no-tui'], { cwd: root, env: terminalEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (d: Buffer) => (out += d));
      p.stderr.on('data', (d: Buffer) => (err += d));
      const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
      p.on('error', fail);
      p.on('close', (code) => { clearTimeout(t); done({ code, out, err }); });
    });
    const said = `\n--- stdout ---\n${r.out}\n--- stderr ---\n${r.err}`;
    expect(r.code, said).toBe(0);
    expect(r.out, said).toMatch(/^\S+Z start objective=router-latency .*resumed=true/m);
    expect(r.out, said).toMatch(/^\S+Z done stopped_by=iterations/m);
    const after = readLedger();
    expect(after.length, said).toBe(ledger.length + 2);
    expect(new Set(after.map((e) => e.id)).size, 'ledger ids stay unique across the resume').toBe(after.length);
    expect(existsSync(join(meta, 'lock')), 'the resumed run releases its lock').toBe(false);
  });
});
