import { EventQueue } from '../core/event-queue.js';

/**
 * A link whose bandwidth is shared equally by the transfers in flight (processor sharing), as in
 * Dynamo's KVBM bandwidth model: with N active transfers each progresses at B/N. Tracked with a
 * virtual "service" clock S (bytes each active transfer has received); a transfer started when the
 * clock read S0 finishes when S reaches S0 + bytes, so the next completion is always the smallest
 * finish mark. Time never moves backwards. State changes only at starts and completions, so the
 * result does not depend on how often (or when) the link is advanced in between.
 */
export class SharedLink {
  private readonly bytesPerMs: number;
  private readonly finish = new EventQueue(16);
  private service = 0;
  /** Time of the last start or completion (the service clock is exact there). */
  private now = 0;
  /** Latest time the link was advanced to: starts are never earlier. */
  private clock = 0;

  /** `gbps` in GB/s; <= 0 means infinitely fast. */
  constructor(gbps: number) {
    this.bytesPerMs = gbps > 0 ? gbps * 1e6 : Infinity;
  }

  get active(): number {
    return this.finish.size;
  }

  /** Starts a transfer of `bytes` at time `t` (first completing everything due by then). */
  start(id: number, bytes: number, t: number, onDone: (id: number, at: number) => void): void {
    this.advanceTo(t, onDone);
    t = this.clock; // max(t, clock): a start is never earlier than a time already advanced to
    if (t > this.now) {
      if (this.finish.size > 0) this.service += ((t - this.now) * this.bytesPerMs) / this.finish.size;
      this.now = t;
    }
    this.finish.push(this.service + Math.max(0, bytes), 0, id);
  }

  /** When the next transfer completes if nothing else starts, or +Infinity when idle. */
  nextCompletion(): number {
    if (this.finish.size === 0) return Infinity;
    const remaining = this.finish.peekTime() - this.service;
    return this.now + (remaining * this.finish.size) / this.bytesPerMs;
  }

  /** Completes, in order, every transfer that finishes by time t, calling onDone(id, finishTime). */
  advanceTo(t: number, onDone: (id: number, at: number) => void): void {
    if (t > this.clock) this.clock = t;
    while (this.finish.size > 0) {
      const at = this.nextCompletion();
      if (at > t) break;
      this.service = this.finish.peekTime();
      if (at > this.now) this.now = at;
      onDone(this.finish.pop(), at);
    }
  }
}
