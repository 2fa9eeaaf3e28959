/** A forward pass's shape and duration (Dynamo's forward-pass metrics), for the planner's models. */
export type PassSink = (prefillTokens: number, attentionWork: number, decodeRequests: number, decodeKvTokens: number, wallMs: number, count: number) => void;

/**
 * Running totals of one engine's passes, and an optional sink that sees every pass (identical
 * fast-forwarded passes arrive once with their count).
 */
export class PassStats {
  passes = 0;
  busyMs = 0;
  prefillTokens = 0;
  attentionWork = 0;
  decodeTokens = 0;
  /** Σ over decode tokens of the pass they waited for (ms): ÷ decodeTokens = mean inter-token latency. */
  decodeWaitMs = 0;
  sink: PassSink | null = null;

  /** `attentionWork` = Σ over the pass's prefill chunks of (end² − start²). */
  record(prefillTokens: number, attentionWork: number, decodeRequests: number, decodeKvTokens: number, wallMs: number, count: number): void {
    this.passes += count;
    this.busyMs += wallMs * count;
    this.prefillTokens += prefillTokens * count;
    this.attentionWork += attentionWork * count;
    this.decodeTokens += decodeRequests * count;
    this.decodeWaitMs += wallMs * decodeRequests * count;
    if (this.sink !== null) this.sink(prefillTokens, attentionWork, decodeRequests, decodeKvTokens, wallMs, count);
  }
}

/** What an engine holds right now, as the planner observes it. */
export interface WorkerLoad {
  /** Requests waiting to be (re)admitted. */
  waiting: number;
  /** Requests admitted and running. */
  running: number;
  /** Prompt tokens of waiting requests not yet computed (Dynamo's queued prefill). */
  queuedPrefillTokens: number;
  /** Context tokens of preempted/retracted requests waiting to resume (queued decode). */
  queuedDecodeKvTokens: number;
  /** Context tokens of running requests (scheduled decode). */
  runningKvTokens: number;
  /** KV tokens in use (referenced). */
  usedKvTokens: number;
  /** KV capacity in tokens. */
  capacityKvTokens: number;
}

export function emptyLoad(): WorkerLoad {
  return { waiting: 0, running: 0, queuedPrefillTokens: 0, queuedDecodeKvTokens: 0, runningKvTokens: 0, usedKvTokens: 0, capacityKvTokens: 0 };
}
