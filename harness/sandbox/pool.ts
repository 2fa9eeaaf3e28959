/**
 * Several sandboxed evaluations at once. isolated-vm's async API runs each isolate on its own thread,
 * so a p-limit queue sized to the machine's cores gives real parallelism (1.84× on 2 cores, per
 * docs/stack.md) without worker_threads, and the host event loop stays free for the dashboard.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { evaluateCandidate, runBundle, type EvaluateOptions, type RunOptions } from './isolate-runner.js';
import type { SandboxBundle } from './bundle.js';
import type { SandboxResult } from './result.js';
import type { SandboxInput } from './scenario.js';

export interface SandboxPool {
  /** Bundle + run, queued behind the evaluations already running. */
  evaluate(source: string, input: SandboxInput, opts?: EvaluateOptions): Promise<SandboxResult>;
  /** Run an already bundled candidate (e.g. the same candidate on several scenarios). */
  run(bundle: SandboxBundle, input: SandboxInput, opts?: RunOptions): Promise<SandboxResult>;
  readonly concurrency: number;
  readonly active: number;
  readonly pending: number;
}

export function createSandboxPool(concurrency = availableParallelism()): SandboxPool {
  const limit = pLimit(Math.max(1, concurrency));
  return {
    evaluate: (source, input, opts) => limit(() => evaluateCandidate(source, input, opts)),
    run: (bundle, input, opts) => limit(() => runBundle(bundle, input, opts)),
    get concurrency() { return limit.concurrency; },
    get active() { return limit.activeCount; },
    get pending() { return limit.pendingCount; },
  };
}
