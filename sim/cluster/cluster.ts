import { EventHeap } from '../core/event-heap.js';
import type { Engine } from '../engine/engine.js';
import type { PassStats } from '../engine/pass-stats.js';
import { ST_DONE, ST_REJECTED, type RequestTable } from '../engine/request-table.js';
import type { Collector } from '../metrics/collector.js';
import type { Router } from '../router/router.js';
import type { WorkloadDriver } from './workload-driver.js';
import { W_ABSENT, W_ACTIVE, W_DRAINING, W_STARTING, WorkerSet } from './worker-set.js';

export class SimInvariantError extends Error {
  constructor(message: string) {
    super(`simulation invariant violated: ${message}`);
    this.name = 'SimInvariantError';
  }
}

/** Something that acts at planned times on the cluster's clock (the autoscaling planner). */
export interface ClusterAgent {
  /** Next time the agent wants to act, or +Infinity. */
  nextTime(): number;
  /** Acts at `now` (after every event at `now` has been processed). */
  act(now: number): void;
}

/** Sees requests arrive and finish (the planner's traffic window). */
export interface ClusterListener {
  arrived(r: number, now: number): void;
  completed(r: number, now: number): void;
  /** A worker is leaving the cluster; these are its final pass totals. */
  workerLeaving(stats: PassStats): void;
}

/**
 * Aggregated multi-worker runtime on one virtual clock (Dynamo's offline AggRuntime). At each
 * timestamp, until nothing changes: pass completions (in pass order), workers becoming ready,
 * arrivals (routed or queued), then one pass start on the first idle worker with work (in slot
 * order). A pass is computed whole when it starts and its effects land when it ends, so a request
 * arriving mid-pass waits for the next pass. Agents (the planner) act once the timestamp is settled.
 * Workers can be added (ready after a cold start) and removed (drained first) while it runs.
 */
export class Cluster {
  readonly workers: WorkerSet;
  readonly engines: (Engine | null)[];
  readonly busy: Uint8Array;
  readonly inFlight: Int32Array;
  private readonly completions = new EventHeap(64);
  private readonly readyEvents = new EventHeap(16);
  private readonly prefillDone: Uint8Array;
  /** Bumped when a worker's pending completion event is replaced, so the old one is ignored. */
  private readonly eventGen: Int32Array;
  now = 0;
  finished = 0;
  rejected = 0;
  scaleUps = 0;
  scaleDowns = 0;
  private retiredPasses = 0;
  private router!: Router;
  private agent: ClusterAgent | null = null;
  listener: ClusterListener | null = null;
  onProgress: ((finished: number, now: number) => void) | null = null;

  constructor(
    initialWorkers: number,
    capacity: number,
    private readonly makeEngine: (slot: number) => Engine,
    private readonly table: RequestTable,
    private readonly collector: Collector,
    private readonly driver: WorkloadDriver,
    /** KV capacity of a worker in blocks and its block size: a request needing more is rejected. */
    private readonly kvBlocks: number,
    private readonly kvBlockSize: number,
  ) {
    if (capacity > 2048) throw new Error('at most 2048 worker slots are supported');
    if (initialWorkers > capacity) throw new Error(`${initialWorkers} workers exceed the ${capacity} worker slots`);
    this.workers = new WorkerSet(capacity);
    this.engines = new Array<Engine | null>(capacity).fill(null);
    this.busy = new Uint8Array(capacity);
    this.inFlight = new Int32Array(capacity);
    this.prefillDone = new Uint8Array(table.n);
    this.eventGen = new Int32Array(capacity);
    for (let i = 0; i < initialWorkers; i++) {
      const slot = this.workers.add(W_ACTIVE, 0);
      this.engines[slot] = makeEngine(slot);
    }
  }

  setRouter(router: Router): void {
    this.router = router;
  }

  setAgent(agent: ClusterAgent): void {
    this.agent = agent;
  }

  /** Hands request r to worker w (the routers' dispatch target). */
  readonly dispatch = (r: number, w: number): void => {
    this.table.worker[r] = w;
    this.inFlight[w]!++;
    if (this.busy[w]) this.cutRun(w);
    this.engines[w]!.receive(r);
  };

  /** A request reached a worker in a fast-forwarded run: keep only the pass in flight. */
  private cutRun(w: number): void {
    const end = this.engines[w]!.truncate(this.now);
    if (end < 0) return;
    this.eventGen[w] = (this.eventGen[w]! + 1) & 0xfffff;
    if (end === this.now) {
      this.busy[w] = 0;
      return;
    }
    this.pushCompletion(w, end);
  }

  private pushCompletion(w: number, end: number): void {
    // ties between workers ending together go by pass start, then slot: the order separate passes
    // would have, whether or not runs were fast-forwarded
    this.completions.push(end, w + this.engines.length * this.eventGen[w]!, this.engines[w]!.lastPassStart, w);
  }

  private totalInFlight(): number {
    let s = this.router.pending;
    for (let w = 0; w < this.inFlight.length; w++) s += this.inFlight[w]!;
    return s;
  }

  run(): void {
    const n = this.table.n;
    this.drain();
    this.runAgent();
    let progressAt = 0;
    while (this.finished + this.rejected < n) {
      const tArrive = this.driver.nextTime(this.driver.cap === null ? 0 : this.totalInFlight());
      let next = this.completions.peekTime();
      if (tArrive < next) next = tArrive;
      if (this.readyEvents.peekTime() < next) next = this.readyEvents.peekTime();
      const tAgent = this.agent === null ? Infinity : this.agent.nextTime();
      if (tAgent < next) next = tAgent;
      if (next === Infinity) {
        throw new SimInvariantError(`dead end at ${this.now} ms: ${n - this.finished - this.rejected} requests unfinished and no pending event`);
      }
      if (next < this.now) throw new SimInvariantError(`clock went backwards from ${this.now} to ${next} ms`);
      this.now = next;
      this.drain();
      if (tAgent === next) this.runAgent();
      if (this.onProgress !== null && this.finished >= progressAt) {
        this.onProgress(this.finished + this.rejected, this.now);
        progressAt = this.finished + Math.max(1, n >> 6);
      }
    }
    this.workers.account(this.now);
  }

  private runAgent(): void {
    if (this.agent === null || this.agent.nextTime() !== this.now) return;
    this.agent.act(this.now);
    this.drain();
  }

  private drain(): void {
    const now = this.now;
    const engines = this.engines;
    const slots = engines.length;
    for (;;) {
      let changed = false;
      while (this.completions.size > 0 && this.completions.peekTime() === now) {
        const p = this.completions.pop();
        const w = p % slots;
        if ((p - w) / slots !== this.eventGen[w] || !this.busy[w]) continue;
        this.applyPassEnd(w);
        changed = true;
      }
      while (this.readyEvents.size > 0 && this.readyEvents.peekTime() === now) {
        const w = this.readyEvents.pop();
        if (this.workers.state[w] !== W_STARTING) continue; // cancelled while starting
        this.workers.set(w, W_ACTIVE, now);
        this.router.workersChanged(now);
        changed = true;
      }
      if (this.releaseArrivals(now)) changed = true;
      for (let w = 0; w < slots; w++) {
        const e = engines[w];
        if (e === null || this.busy[w] || !e!.hasWork()) continue;
        this.startPass(w, now);
        changed = true;
        break;
      }
      if (!changed) return;
    }
  }

  private startPass(w: number, now: number): void {
    const e = this.engines[w]!;
    const end = e.executePass(now);
    if (e.kvEvents !== null && e.eventVisibility === 'pass-start') {
      this.router.kvEvents(w, e.kvEvents);
      e.kvEvents.clear();
    }
    if (end < now) throw new SimInvariantError(`worker ${w} pass ends at ${end} before it starts at ${now}`);
    if (end === now) {
      this.applyPassEnd(w);
      return;
    }
    this.busy[w] = 1;
    this.pushCompletion(w, end);
  }

  private applyPassEnd(w: number): void {
    const e = this.engines[w]!;
    const now = this.now;
    this.busy[w] = 0;
    e.settle();
    if (e.kvEvents !== null && e.eventVisibility === 'pass-end') {
      this.router.kvEvents(w, e.kvEvents);
      e.kvEvents.clear();
    }
    const out = e.out;
    this.inFlight[w]! -= out.nCompleted;
    for (let i = 0; i < out.length; i++) {
      const r = out.requests[i]!;
      if (out.done[i]) {
        this.table.status[r] = ST_DONE;
        this.finished++;
        this.router.completed(r, now);
        this.driver.complete(r, now);
        if (this.listener !== null) this.listener.completed(r, now);
      } else if (!this.prefillDone[r]) {
        this.prefillDone[r] = 1;
        this.router.prefillCompleted(r, now);
      }
    }
    out.reset();
    if (this.workers.state[w] === W_DRAINING && !e.hasWork()) this.retire(w);
  }

  private releaseArrivals(now: number): boolean {
    let any = false;
    const capped = this.driver.cap !== null;
    for (;;) {
      const r = this.driver.releaseOne(now, capped ? this.totalInFlight() : 0);
      if (r < 0) return any;
      any = true;
      const arrival = this.driver.arrival[r]!;
      this.collector.onArrival(r, arrival);
      if (this.listener !== null) this.listener.arrived(r, now);
      if (this.tooLarge(r)) {
        this.table.status[r] = ST_REJECTED;
        this.collector.onReject(r);
        this.rejected++;
        this.driver.complete(r, now);
        continue;
      }
      this.router.arrive(r, now);
    }
  }

  /** A request whose prompt plus output needs more KV blocks than a whole worker has can never finish. */
  private tooLarge(r: number): boolean {
    const t = this.table;
    return Math.ceil((t.promptLen[r]! + t.maxOut[r]!) / this.kvBlockSize) > this.kvBlocks;
  }

  /** Adds a worker that becomes routable after `startupMs` (at once if 0); returns false if no slot is free. */
  addWorker(startupMs: number): boolean {
    const now = this.now;
    const slot = this.workers.add(startupMs > 0 ? W_STARTING : W_ACTIVE, now);
    if (slot < 0) return false;
    this.engines[slot] = this.makeEngine(slot);
    this.busy[slot] = 0;
    this.inFlight[slot] = 0;
    this.scaleUps++;
    if (startupMs > 0) this.readyEvents.push(now + startupMs, slot);
    else this.router.workersChanged(now);
    return true;
  }

  /**
   * Removes one worker: a starting one if any (the newest), else the newest active one, which stops
   * taking requests at once and leaves when its requests are done. Returns false if none can go.
   */
  removeWorker(): boolean {
    const now = this.now;
    let slot = this.workers.newest(W_STARTING);
    if (slot >= 0) {
      this.workers.set(slot, W_ABSENT, now);
      if (this.listener !== null) this.listener.workerLeaving(this.engines[slot]!.stats);
      this.retiredPasses += this.engines[slot]!.passCount;
      this.engines[slot] = null;
      this.scaleDowns++;
      return true;
    }
    slot = this.workers.newest(W_ACTIVE);
    if (slot < 0) return false;
    this.workers.set(slot, W_DRAINING, now);
    this.scaleDowns++;
    this.router.workersChanged(now);
    const e = this.engines[slot]!;
    if (!this.busy[slot] && !e.hasWork()) this.retire(slot);
    return true;
  }

  private retire(w: number): void {
    this.workers.set(w, W_ABSENT, this.now);
    this.router.workerRemoved(w);
    if (this.listener !== null) this.listener.workerLeaving(this.engines[w]!.stats);
    this.retiredPasses += this.engines[w]!.passCount;
    const problem = this.engines[w]!.check();
    if (problem) throw new SimInvariantError(problem);
    this.engines[w] = null;
  }

  get passes(): number {
    let s = this.retiredPasses;
    for (const e of this.engines) if (e !== null) s += e.passCount;
    return s;
  }

  /** End-of-run invariants; throws SimInvariantError on the first violation. */
  checkInvariants(): void {
    const t = this.table;
    for (let r = 0; r < t.n; r++) {
      const s = t.status[r];
      if (s !== ST_DONE && s !== ST_REJECTED) throw new SimInvariantError(`request ${r} neither completed nor rejected (status ${s})`);
      if (s === ST_DONE && this.collector.tokens[r] !== t.maxOut[r]) {
        throw new SimInvariantError(`request ${r} completed with ${this.collector.tokens[r]} of ${t.maxOut[r]} output tokens`);
      }
    }
    for (let w = 0; w < this.engines.length; w++) {
      if (this.inFlight[w] !== 0) throw new SimInvariantError(`worker ${w} still has ${this.inFlight[w]} requests in flight`);
      const e = this.engines[w];
      const problem = e ? e.check() : null;
      if (problem) throw new SimInvariantError(problem);
    }
    if (this.router.pending !== 0) throw new SimInvariantError(`${this.router.pending} requests left in the router queue`);
  }
}
