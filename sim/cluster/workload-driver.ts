import { EventQueue } from '../core/event-queue.js';
import type { Workload } from '../workload/workload.js';

/**
 * Releases a workload's requests onto the virtual clock (Dynamo's WorkloadDriver). Sessions advance
 * one turn at a time: a first turn is ready at its (normalised, sped-up) timestamp, a later turn at
 * the previous turn's completion plus its delay. Ready turns are released in (ready time, session)
 * order. In concurrency mode timestamps are ignored, at most `cap` requests are in flight and a
 * request's arrival is the moment it is released.
 */
/**
 * The longest simulated time a workload may span, ms (about 31.7 years). A float64 clock in ms still
 * resolves 0.12 µs there; a trace stretched further (a tiny speed-up ratio) would put arrivals where
 * pass times vanish in rounding, or at Infinity, where requests never arrive.
 */
export const MAX_CLOCK_MS = 1e12;

/**
 * The time an arrival speed-up ratio divides: the last first turn after the first (not in concurrency
 * mode, which ignores timestamps), plus the longest chain of inter-turn delays of a session.
 */
export function workloadSpanMs(w: Workload, concurrencyMode: boolean): number {
  let t0 = Infinity;
  for (let s = 0; s < w.sessions; s++) t0 = Math.min(t0, w.timeMs[w.sessionStart[s]!]!);
  let span = 0;
  for (let s = 0; s < w.sessions; s++) {
    let chain = concurrencyMode ? 0 : w.timeMs[w.sessionStart[s]!]! - t0;
    for (let i = w.sessionStart[s]! + 1; i < w.sessionStart[s + 1]!; i++) chain += w.timeMs[i]!;
    span = Math.max(span, chain);
  }
  return span;
}

export class WorkloadDriver {
  private readonly ready = new EventQueue(1024);
  private readonly nextTurn: Int32Array;
  private readonly sessionOf: Int32Array;
  private readonly speedup: number;
  /** Arrival time of each released request (ms, simulation clock). */
  readonly arrival: Float64Array;
  released = 0;

  /**
   * @param ingressMs time from a request's send (its arrival, where TTFT starts) to the moment the
   * engines can see it: the server's front end parses, tokenises and hands it over. Timestamp mode only.
   */
  constructor(private readonly w: Workload, arrivalSpeedupRatio: number, readonly cap: number | null, private readonly ingressMs = 0) {
    if (!(arrivalSpeedupRatio > 0) || !Number.isFinite(arrivalSpeedupRatio)) {
      throw new Error(`arrival speedup ratio must be a finite number > 0, got ${arrivalSpeedupRatio}`);
    }
    if (cap !== null && !(Number.isInteger(cap) && cap >= 1)) throw new Error(`concurrency must be an integer >= 1, got ${cap}`);
    if (!(ingressMs >= 0 && Number.isFinite(ingressMs))) throw new Error(`front-end ingress must be finite and >= 0 ms, got ${ingressMs}`);
    if (cap !== null && ingressMs > 0) throw new Error('a front-end ingress time needs timestamp mode (no concurrency cap)');
    this.speedup = arrivalSpeedupRatio;
    this.nextTurn = new Int32Array(w.sessions);
    this.sessionOf = new Int32Array(w.count);
    this.arrival = new Float64Array(w.count).fill(NaN);
    let t0 = Infinity;
    for (let s = 0; s < w.sessions; s++) t0 = Math.min(t0, w.timeMs[w.sessionStart[s]!]!);
    const span = workloadSpanMs(w, cap !== null);
    if (!(span / arrivalSpeedupRatio <= MAX_CLOCK_MS)) {
      throw new RangeError(`arrival speedup ratio ${arrivalSpeedupRatio} stretches the workload's ${span.toFixed(0)} ms of arrivals and delays to ${(span / arrivalSpeedupRatio).toExponential(2)} ms, beyond the simulator's clock range of ${MAX_CLOCK_MS.toExponential(0)} ms (about 31.7 years); use a ratio of at least ${(span / MAX_CLOCK_MS).toExponential(2)}`);
    }
    for (let s = 0; s < w.sessions; s++) {
      const first = w.sessionStart[s]!;
      for (let i = first; i < w.sessionStart[s + 1]!; i++) this.sessionOf[i] = s;
      this.nextTurn[s] = first;
      const at = cap === null ? (w.timeMs[first]! - t0) / this.speedup + ingressMs : 0;
      this.ready.push(at, 0, s, 0, s);
    }
  }

  /** Time the next request becomes releasable given `inFlight`, or +Infinity. */
  nextTime(inFlight: number): number {
    if (this.cap !== null && inFlight >= this.cap) return Infinity;
    return this.ready.peekTime();
  }

  /**
   * Releases the next request ready at or before `now` (respecting the concurrency cap); returns its
   * index or -1.
   */
  releaseOne(now: number, inFlight: number): number {
    if (this.ready.size === 0 || this.ready.peekTime() > now) return -1;
    if (this.cap !== null && inFlight >= this.cap) return -1;
    const at = this.ready.peekTime();
    const s = this.ready.pop();
    const r = this.nextTurn[s]!++;
    this.arrival[r] = this.cap === null ? at - this.ingressMs : now;
    this.released++;
    return r;
  }

  /** Request r finished (or was rejected) at `now`: its session's next turn becomes ready after its delay. */
  complete(r: number, now: number): void {
    const s = this.sessionOf[r]!;
    const next = this.nextTurn[s]!;
    if (next < this.w.sessionStart[s + 1]!) this.ready.push(now + this.w.timeMs[next]! / this.speedup + this.ingressMs, 0, s, 0, s);
  }

  get exhausted(): boolean {
    return this.released === this.w.count;
  }
}
