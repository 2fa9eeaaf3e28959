/**
 * What an evaluation in the sandbox returns. Candidate faults are values, never host exceptions: the
 * search loop files them and shows them to the proposer next time.
 */
export type FailureKind =
  | 'syntax' | 'type' | 'import' | 'size'
  | 'timeout' | 'memory' | 'runtime'
  | 'invalid-decision' | 'invariant' | 'nondeterminism' | 'wrong-kind'
  /** The evaluation's process died of something other than running out of memory (supervisor.ts). */
  | 'crashed'
  /** Stopped by the host (Ctrl-C): not a verdict on the candidate, never recorded or cached. */
  | 'cancelled';

/** A place in the candidate's source; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  lineText: string;
}

export interface SandboxFailure {
  ok: false;
  kind: FailureKind;
  /** Readable, self-contained: what went wrong and where (for the proposer's next prompt). */
  message: string;
  location?: SourceLocation;
}

export interface SandboxTimings {
  /** esbuild of the candidate (the simulator part is cached). */
  bundleMs: number;
  /** Isolate + context creation, lockdown, compiling and loading the simulator and the candidate. */
  compileMs: number;
  /** The replay itself. */
  runMs: number;
}

export interface SandboxSuccess {
  ok: true;
  /** reportJson(report) as produced inside the isolate. */
  reportJson: string;
  timings: SandboxTimings;
}

export type SandboxResult = SandboxSuccess | SandboxFailure;

export function failure(kind: FailureKind, message: string, location?: SourceLocation): SandboxFailure {
  return location ? { ok: false, kind, message, location } : { ok: false, kind, message };
}
