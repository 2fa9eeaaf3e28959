import { IntDeque } from '../core/int-deque.js';

/**
 * Pending prefill tokens per worker, as the router estimates them (Dynamo's prefill load tracker).
 * Requests are kept in dispatch order; when a prefill duration estimate exists, only the oldest
 * request (the anchor) is assumed to be computing, its tokens falling linearly to zero over the
 * estimate, measured from when it became the anchor. Without an estimate nothing decays.
 */
export class PrefillTracker {
  private readonly tokens: Float64Array;
  private readonly dur: Float64Array;
  private readonly live: Uint8Array;
  private readonly worker: Int32Array;
  private readonly queues: IntDeque[];
  private readonly anchorStart: Float64Array;
  /** Σ tokens of live requests per worker (the anchor counted in full). */
  readonly sum: Float64Array;

  constructor(requests: number, workers: number) {
    this.tokens = new Float64Array(requests);
    this.dur = new Float64Array(requests);
    this.live = new Uint8Array(requests);
    this.worker = new Int32Array(requests).fill(-1);
    this.queues = Array.from({ length: workers }, () => new IntDeque());
    this.anchorStart = new Float64Array(workers);
    this.sum = new Float64Array(workers);
  }

  /** Request r with `tokens` to prefill went to worker w at `now`; durMs > 0 enables decay. */
  add(r: number, w: number, tokens: number, durMs: number, now: number): void {
    if (tokens <= 0) return;
    const q = this.queues[w]!;
    if (q.length === 0) this.anchorStart[w] = now;
    q.pushBack(r);
    this.tokens[r] = tokens;
    this.dur[r] = durMs;
    this.live[r] = 1;
    this.worker[r] = w;
    this.sum[w]! += tokens;
  }

  /** Request r's prefill is done (or it left); the next oldest becomes the anchor from `now`. */
  remove(r: number, now: number): void {
    if (!this.live[r]) return;
    this.live[r] = 0;
    const w = this.worker[r]!;
    this.sum[w]! -= this.tokens[r]!;
    const q = this.queues[w]!;
    if (q.at(0) !== r) return;
    while (q.length > 0 && !this.live[q.at(0)]) q.popFront();
    this.anchorStart[w] = now;
  }

  /** Estimated pending prefill tokens on worker w at time `now`. */
  at(w: number, now: number): number {
    const q = this.queues[w]!;
    if (q.length === 0) return 0;
    const a = q.at(0);
    const d = this.dur[a]!;
    if (!(d > 0)) return this.sum[w]!;
    const frac = Math.min(1, Math.max(0, 1 - (now - this.anchorStart[w]!) / d));
    return this.sum[w]! - this.tokens[a]! + Math.ceil(this.tokens[a]! * frac);
  }
}
