/**
 * An evaluation process: bundles, type-checks and runs candidates sent by the supervisor
 * (harness/sandbox/supervisor.ts), one at a time, and answers each with its SandboxResult. Whatever a
 * candidate does to this process — a V8 fatal out-of-memory, a hang the isolate's own limits miss, a
 * runaway type check — ends here, and the supervisor records it against the candidate and starts a
 * fresh process. Never started by hand.
 */
import { prepareCandidate, runBundle } from './isolate-runner.js';
import { EvalJob, type EvalReply } from './eval-job.js';
import { failure } from './result.js';

/** Bundled, type-checked candidates: a candidate is usually evaluated on several scenarios in a row. */
const prepared = new Map<string, ReturnType<typeof prepareCandidate>>();
const PREPARED_KEPT = 8;

// The terminal's Ctrl-C reaches the whole process group: the supervisor decides when this process ends.
process.on('SIGINT', () => {});
// the supervisor is gone (exited, killed): nothing left to answer
process.on('disconnect', () => process.exit(0));

process.on('message', (raw: unknown) => {
  void handle(raw);
});

async function handle(raw: unknown): Promise<void> {
  const parsed = EvalJob.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : 0;
    send({ id, result: failure('crashed', `the evaluation process got a malformed job: ${parsed.error.issues[0]?.message ?? 'invalid'}`) });
    return;
  }
  const job = parsed.data;
  const key = `${job.file}\0${job.source}`;
  let p = prepared.get(key);
  const reused = p !== undefined;
  if (!p) {
    p = prepareCandidate(job.source, { file: job.file, typecheck: true });
    prepared.set(key, p);
    if (prepared.size > PREPARED_KEPT) prepared.delete(prepared.keys().next().value!);
  }
  const b = await p;
  let result = b.ok ? await runBundle(b.bundle, { spec: job.spec, arrays: job.arrays }, job.limits) : b;
  // the bundle was built (and timed) for an earlier scenario: not time spent again
  if (reused && result.ok) result = { ...result, timings: { ...result.timings, bundleMs: 0 } };
  send({ id: job.id, result });
}

function send(reply: EvalReply): void {
  process.send?.(reply);
}

process.send?.({ ready: true });
