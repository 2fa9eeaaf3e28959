import { EventHeap } from '../core/event-heap.js';
import type { Engine } from '../engine/engine.js';
import { ST_DONE, ST_REJECTED, type RequestTable } from '../engine/request-table.js';
import type { Collector } from '../metrics/collector.js';
import type { Router } from '../router/router.js';
import type { WorkloadDriver } from './workload-driver.js';

export class SimInvariantError extends Error {
  constructor(message: string) {
    super(`simulation invariant violated: ${message}`);
    this.name = 'SimInvariantError';
  }
}

/**
 * Aggregated multi-worker runtime on one virtual clock (Dynamo's offline AggRuntime). At each
 * timestamp, until nothing changes: pass completions (in pass order), arrivals (routed or queued),
 * then one pass start on the lowest idle worker with work. A pass is computed whole when it starts and
 * its effects land when it ends, so a request arriving mid-pass waits for the next pass.
 */
export class Cluster {
  readonly busy: Uint8Array;
  readonly inFlight: Int32Array;
  private readonly completions = new EventHeap(64);
  private readonly prefillDone: Uint8Array;
  /** Bumped when a worker's pending completion event is replaced, so the old one is ignored. */
  private readonly eventGen: Int32Array;
  now = 0;
  finished = 0;
  rejected = 0;
  private router!: Router;
  onProgress: ((finished: number, now: number) => void) | null = null;

  constructor(
    readonly engines: Engine[],
    private readonly table: RequestTable,
    private readonly collector: Collector,
    private readonly driver: WorkloadDriver,
  ) {
    this.busy = new Uint8Array(engines.length);
    this.inFlight = new Int32Array(engines.length);
    this.prefillDone = new Uint8Array(table.n);
    this.eventGen = new Int32Array(engines.length);
    if (engines.length > 2048) throw new Error('at most 2048 workers are supported');
  }

  setRouter(router: Router): void {
    this.router = router;
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
    // ties between workers ending together go by pass start, then worker id: the order separate
    // passes would have, whether or not runs were fast-forwarded
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
    let progressAt = 0;
    while (this.finished + this.rejected < n) {
      const tArrive = this.driver.nextTime(this.driver.cap === null ? 0 : this.totalInFlight());
      const tDone = this.completions.peekTime();
      const next = tArrive < tDone ? tArrive : tDone;
      if (next === Infinity) {
        throw new SimInvariantError(`dead end at ${this.now} ms: ${n - this.finished - this.rejected} requests unfinished and no pending event`);
      }
      if (next < this.now) throw new SimInvariantError(`clock went backwards from ${this.now} to ${next} ms`);
      this.now = next;
      this.drain();
      if (this.onProgress !== null && this.finished >= progressAt) {
        this.onProgress(this.finished + this.rejected, this.now);
        progressAt = this.finished + Math.max(1, n >> 6);
      }
    }
  }

  private drain(): void {
    const now = this.now;
    const engines = this.engines;
    for (;;) {
      let changed = false;
      while (this.completions.size > 0 && this.completions.peekTime() === now) {
        const p = this.completions.pop();
        const w = p % engines.length;
        if ((p - w) / engines.length !== this.eventGen[w] || !this.busy[w]) continue;
        this.applyPassEnd(w);
        changed = true;
      }
      if (this.releaseArrivals(now)) changed = true;
      for (let w = 0; w < engines.length; w++) {
        if (this.busy[w] || !engines[w]!.hasWork()) continue;
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
      } else if (!this.prefillDone[r]) {
        this.prefillDone[r] = 1;
        this.router.prefillCompleted(r, now);
      }
    }
    out.reset();
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
    const e = this.engines[0]!;
    const t = this.table;
    return Math.ceil((t.promptLen[r]! + t.maxOut[r]!) / e.blockSize) > e.capacityBlocks;
  }

  get passes(): number {
    let s = 0;
    for (const e of this.engines) s += e.passCount;
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
      const problem = this.engines[w]!.check();
      if (problem) throw new SimInvariantError(problem);
    }
    if (this.router.pending !== 0) throw new SimInvariantError(`${this.router.pending} requests left in the router queue`);
  }
}
