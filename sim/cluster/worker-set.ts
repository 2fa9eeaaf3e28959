import { W_ABSENT, W_ACTIVE, W_DRAINING, W_STARTING, type RoutableWorkers } from '../contracts/worker-states.js';

/**
 * The cluster's worker slots and their life cycle: starting (cold start, not routable), active
 * (routable), draining (finishing its requests, not routable), absent. Slots are reused; the
 * creation number orders workers like Dynamo's monotonically increasing worker ids (round robin goes
 * in that order, scale-down takes the newest first).
 */
export class WorkerSet implements RoutableWorkers {
  readonly state: Int8Array;
  readonly created: Float64Array;
  /** Routable slots in creation order; the first `nActive` entries are valid. */
  readonly active: Int32Array;
  nActive = 0;
  private nextCreated = 0;
  /** Σ over time of live (starting, active or draining) workers, in worker-ms, up to `accountedTo`. */
  workerMs = 0;
  private accountedTo = 0;
  private live = 0;

  constructor(readonly capacity: number) {
    this.state = new Int8Array(capacity);
    this.created = new Float64Array(capacity).fill(Infinity);
    this.active = new Int32Array(capacity);
  }

  /** Takes the lowest free slot for a new worker in `state` at time `now`; -1 if none is free. */
  add(state: number, now: number): number {
    for (let s = 0; s < this.capacity; s++) {
      if (this.state[s] !== W_ABSENT) continue;
      this.created[s] = this.nextCreated++;
      this.set(s, state, now);
      return s;
    }
    return -1;
  }

  set(slot: number, state: number, now: number): void {
    this.account(now);
    const wasLive = this.state[slot] !== W_ABSENT;
    this.state[slot] = state;
    const isLive = state !== W_ABSENT;
    if (wasLive !== isLive) this.live += isLive ? 1 : -1;
    if (!isLive) this.created[slot] = Infinity;
    this.rebuildActive();
  }

  count(state: number): number {
    let n = 0;
    for (let s = 0; s < this.capacity; s++) if (this.state[s] === state) n++;
    return n;
  }

  /** The live worker in `state` created last, or -1. */
  newest(state: number): number {
    let best = -1;
    for (let s = 0; s < this.capacity; s++) {
      if (this.state[s] === state && (best < 0 || this.created[s]! > this.created[best]!)) best = s;
    }
    return best;
  }

  /** Adds live-worker time up to `now`. */
  account(now: number): void {
    if (now > this.accountedTo) {
      this.workerMs += this.live * (now - this.accountedTo);
      this.accountedTo = now;
    }
  }

  get liveCount(): number {
    return this.live;
  }

  private rebuildActive(): void {
    let n = 0;
    for (let s = 0; s < this.capacity; s++) if (this.state[s] === W_ACTIVE) this.active[n++] = s;
    const created = this.created;
    this.active.subarray(0, n).sort((a, b) => created[a]! - created[b]!);
    this.nActive = n;
  }
}
