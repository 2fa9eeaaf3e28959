import { render } from 'ink';
import type { Objective } from '../../objectives/objective.js';
import { BASELINE_ID, RunLog } from '../runlog/run-log.js';
import type { SearchEvent } from '../search/search-events.js';
import { Dashboard } from './dashboard.js';
import { initialState, reduce, type DashboardState } from './state.js';

export interface LiveDashboard {
  state: DashboardState;
  onEvent: (e: SearchEvent) => void;
  /** Draws the final state and leaves it on the screen. */
  close: () => Promise<void>;
  /** Gives the terminal back at once (cursor, raw mode) before the process exits. */
  unmountNow: () => void;
}

/** A candidate's diff against its parent, read from the run's git history ('' for the root). */
export function diffLoader(runDir: string, state: DashboardState): (id: string) => Promise<string> {
  return async (id) => {
    const parent = state.accepted.get(id)?.parent;
    if (id === BASELINE_ID || !parent) return '';
    return RunLog.open(runDir).diffBetween(parent, id);
  };
}

/** The dashboard of a search running in this process: events in, keys out (q stops, p pauses). */
export function mountLiveDashboard(o: { spec: Objective; runDir: string; onQuit: (times: number) => void; onPause: () => void; stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; patchConsole?: boolean; onRender?: (ms: number) => void }): LiveDashboard {
  const state = initialState(o.runDir, o.spec);
  const app = render(<Dashboard state={state} mode="live" loadDiff={diffLoader(o.runDir, state)} onQuit={o.onQuit} onPause={o.onPause} />, {
    // not incrementalRendering: in ink 6.8 it leaves a stale first line behind on a 24-row terminal
    exitOnCtrlC: false, patchConsole: o.patchConsole ?? true, maxFps: 4, ...(o.onRender ? { onRender: (m: { renderTime: number }) => o.onRender!(m.renderTime) } : {}),
    ...(o.stdout ? { stdout: o.stdout } : {}), ...(o.stdin ? { stdin: o.stdin } : {}),
  });
  return {
    state,
    onEvent: (e) => reduce(state, e),
    close: async () => {
      state.version++;
      // let the last frame out before unmounting (the timer draws it)
      await new Promise((r) => setTimeout(r, 300));
      app.unmount();
      // with some streams (a non-TTY stdin) ink's exit promise never settles: do not wait on it forever
      await Promise.race([app.waitUntilExit().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    },
    unmountNow: () => app.unmount(),
  };
}
