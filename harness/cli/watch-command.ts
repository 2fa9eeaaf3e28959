import { resolve } from 'node:path';
import { parseFlags } from './parse-flags.js';
import { UsageError } from '../replay/json-arg.js';
import { formatEvent } from '../dashboard/plain-lines.js';
import { wantsDashboard } from '../dashboard/dashboard-mode.js';
import { RunFollower, type Observation } from '../dashboard/run-follower.js';
import { initialState, reduce, type DashboardState } from '../dashboard/state.js';
import { openRun } from '../report/run-info.js';
import { fitHelp } from './help-text.js';

export const WATCH_HELP = fitHelp(`Usage: twinsearch watch <run-dir> [flags]

Follows a search run that another process is executing (in another terminal, under nohup or tmux) by
reading its run directory — the ledger, the front, the status file and the git history — and shows the
same dashboard as \`twinsearch search\`: budgets, progress, the Pareto front, the latest events and
sandbox timings. A finished run shows its final state; a run whose search was killed says so.

On a terminal: q quits watching (the search goes on), p pauses or resumes the search (through the run's
.twinsearch/control.json, which the search reads), up/down select a front member and show its diff
against its parent, PgUp/PgDn scroll it, Esc closes it. Otherwise (a pipe, CI, --no-tui) it prints the
run's events as plain lines, \`<ISO time> <event> [<id>] key=value ...\`, the history first, and exits
when the run is no longer running.

Flags:
  --interval MS   how often to look at the run directory (default 500)
  --no-tui        plain lines even on a terminal
  --help          show this help
`);

/** Applies what the follower saw to the dashboard's state. */
export function observe(s: DashboardState, o: Observation): void {
  for (const e of o.events) reduce(s, e);
  s.inFlight = new Map(o.inFlight.map((f) => [f.id, f]));
  s.pausedMs = o.pausedMs;
  // that figure already holds the pause in progress up to the status write: the clock adds only the rest
  if (o.statusAtMs !== null) s.pausedSinceMs = s.state === 'paused' ? o.statusAtMs : null;
  if (o.orphaned) s.state = 'not running';
  s.version++;
}

export async function watchCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { interval: { type: 'string' }, 'no-tui': { type: 'boolean' }, help: { type: 'boolean' } } });
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(WATCH_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('give one run directory, e.g. twinsearch watch runs/router-latency-<time>');
  const interval = v.interval === undefined ? 500 : Number(v.interval);
  if (!Number.isFinite(interval) || interval < 50) throw new UsageError(`--interval must be a number of milliseconds ≥ 50, got "${v.interval}"`);
  const run = openRun(resolve(parsed.positionals[0]!)); // the follower reads the ledger (damaged lines go to the feed)
  if (!run.spec) throw new UsageError(`${run.dir}: the run's objective ${run.config.objective} is unknown and run.json has no objective spec`);
  const follower = new RunFollower(run.dir);

  if (!wantsDashboard(process.stdout, v['no-tui'])) {
    for (;;) {
      const o = follower.look();
      for (const e of o.events) {
        const l = formatEvent(e.type === 'result' ? { ...e, past: false } : e, run.spec);
        if (l !== null) process.stdout.write(`${l}\n`);
      }
      if (!o.live) return 0;
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  const { renderDashboard } = await import('../dashboard/live-dashboard.js');
  const state = initialState(run.dir, run.spec);
  observe(state, follower.look());
  const timer = setInterval(() => observe(state, follower.look()), interval);
  // p asks the search to pause or resume through its control file; the status file shows when it did
  const onPause = (): void => {
    if (state.state === 'running' || state.state === 'paused') follower.log.writeControl({ paused: state.state !== 'paused', atMs: Date.now() });
  };
  const app = renderDashboard(state, 'watch', { onQuit: () => app.unmount(), onPause });
  try {
    await app.waitUntilExit();
  } finally {
    clearInterval(timer);
  }
  return 0;
}
