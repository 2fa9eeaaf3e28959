/**
 * A workload as the simulator consumes it: compact typed arrays prepared on the host (trace parsers)
 * or by the synthetic generator. Requests are grouped by session; within a session they are turns in
 * order. A single-turn trace simply has one request per session.
 *
 * Prompt content follows Dynamo's trace semantics: request i's prompt is, for each content id k in
 * `contentIds[contentStart[i] .. contentStart[i+1])`, `blockSize` copies of the token value k,
 * truncated to `inputLength[i]`. Equal content ids at equal positions mean equal prompt prefixes; the
 * engine re-chunks the tokens with its own KV block size.
 */
/**
 * The most tokens one request may have in its prompt or its output: 2^24 (16.8 M), above the longest
 * context window any served model has (10 M). A trace asking for more is a broken trace, and would
 * make the simulator run one decode pass per token for hours.
 */
export const MAX_REQUEST_TOKENS = 1 << 24;

export interface Workload {
  /** Human-readable name (file name or generator description). */
  readonly name: string;
  /** Number of requests (turns over all sessions). */
  readonly count: number;
  /** Number of sessions. */
  readonly sessions: number;
  /** Requests of session s are [sessionStart[s], sessionStart[s+1]); length sessions+1. */
  readonly sessionStart: Int32Array;
  /** First turn of a session: arrival time in ms on the trace clock (not yet normalised or sped up).
   *  Later turns: delay in ms after the previous turn of the session completes (its last token). */
  readonly timeMs: Float64Array;
  /** Prompt tokens per request (>= 1). */
  readonly inputLength: Int32Array;
  /** Output tokens to generate per request (>= 1); the replay forces exactly this many. */
  readonly outputLength: Int32Array;
  /** Offsets into contentIds; length count+1. */
  readonly contentStart: Int32Array;
  /** Content ids (u32 token values), `blockSize` tokens each. */
  readonly contentIds: Uint32Array;
  /** Tokens per content id (Mooncake `--trace-block-size`, default 512). */
  readonly blockSize: number;
  /** 1-based source line of each request, for messages that point back into the file (0 if synthetic). */
  readonly sourceLine: Int32Array;
}

/** Checks the structural promises of a Workload; returns the first problem or null. */
export function checkWorkload(w: Workload): string | null {
  if (w.count < 0 || w.sessions < 0) return 'negative count';
  if (w.sessionStart.length !== w.sessions + 1) return 'sessionStart must have sessions+1 entries';
  if (w.sessionStart[0] !== 0 || w.sessionStart[w.sessions] !== w.count) return 'sessionStart must cover all requests';
  if (w.contentStart.length !== w.count + 1) return 'contentStart must have count+1 entries';
  if (!(w.blockSize >= 1)) return 'blockSize must be >= 1';
  for (let s = 0; s < w.sessions; s++) {
    if (w.sessionStart[s + 1]! <= w.sessionStart[s]!) return `session ${s} has no requests`;
  }
  for (let i = 0; i < w.count; i++) {
    const blocks = w.contentStart[i + 1]! - w.contentStart[i]!;
    if (!(w.inputLength[i]! >= 1)) return `request ${i}: input length must be >= 1`;
    if (!(w.outputLength[i]! >= 1)) return `request ${i}: output length must be >= 1`;
    if (w.inputLength[i]! > blocks * w.blockSize) return `request ${i}: input length exceeds its content blocks × block size`;
    if (!Number.isFinite(w.timeMs[i]!) || w.timeMs[i]! < 0) return `request ${i}: time must be finite and >= 0`;
  }
  return null;
}
