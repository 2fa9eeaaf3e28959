import { render, type Instance } from 'ink';
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
function diffLoader(runDir: string, state: DashboardState): (id: string) => Promise<string> {
  return async (id) => {
    const parent = state.accepted.get(id)?.parent;
    if (id === BASELINE_ID || !parent) return '';
    return RunLog.open(runDir).diffBetween(parent, id);
  };
}

export interface DashboardIo {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  patchConsole?: boolean;
  /** Called with each frame's render time in ms (the dashboard bench). */
  onRender?: (ms: number) => void;
}

/** Mounts the dashboard on a run's state, for either mode, with the render options both need. */
export function renderDashboard(state: DashboardState, mode: 'live' | 'watch', on: { onQuit: (times: number) => void; onPause: () => void }, io: DashboardIo = {}): Instance {
  return render(<Dashboard state={state} mode={mode} loadDiff={diffLoader(state.runDir, state)} onQuit={on.onQuit} onPause={on.onPause} />, {
    // not incrementalRendering: in ink 6.8 it leaves a stale first line behind on a 24-row terminal
    exitOnCtrlC: false, patchConsole: io.patchConsole ?? true, maxFps: 4, ...(io.onRender ? { onRender: (m: { renderTime: number }) => io.onRender!(m.renderTime) } : {}),
    ...(io.stdout ? { stdout: io.stdout } : {}), ...(io.stdin ? { stdin: io.stdin } : {}),
  });
}

/** The dashboard of a search running in this process: events in, keys out (q stops, p pauses). */
export function mountLiveDashboard(o: { spec: Objective; runDir: string; onQuit: (times: number) => void; onPause: () => void } & DashboardIo): LiveDashboard {
  const state = initialState(o.runDir, o.spec);
  const app = renderDashboard(state, 'live', o, o);
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
