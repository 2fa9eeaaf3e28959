/** Host-side helpers to describe a replay for the sandbox: JSON scenario + the workload's typed arrays. */
import type { SandboxScenario, WorkloadArrays } from '../../sim/sandbox-entry.js';
import type { Workload } from '../../sim/workload/workload.js';

export type { SandboxScenario, WorkloadArrays } from '../../sim/sandbox-entry.js';

/** What the isolate receives: the scenario (object or its JSON) and the typed arrays. */
export interface SandboxInput {
  spec: SandboxScenario | string;
  arrays: WorkloadArrays;
}

export function workloadArrays(w: Workload): WorkloadArrays {
  return {
    sessionStart: w.sessionStart, timeMs: w.timeMs, inputLength: w.inputLength, outputLength: w.outputLength,
    contentStart: w.contentStart, contentIds: w.contentIds, sourceLine: w.sourceLine,
  };
}

/** A SandboxInput for replaying `w` under `scenario` (everything but the workload). */
export function sandboxInput(w: Workload, scenario: Omit<SandboxScenario, 'workload'>): SandboxInput {
  return {
    spec: { ...scenario, workload: { name: w.name, count: w.count, sessions: w.sessions, blockSize: w.blockSize } },
    arrays: workloadArrays(w),
  };
}
