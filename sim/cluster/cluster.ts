// Longer than 400 lines: the cluster is one state machine. Its event handlers share the one queue and the
// per-slot state (busy, requests in flight, event generations, timers, failing workers); pools, event
// kinds, faults and the workload driver already live in their own files.
import { SimInvariantError } from '../core/invariant-error.js';
import { EventQueue } from '../core/event-queue.js';
import type { Prng } from '../core/prng.js';
import type { Engine } from '../engine/engine.js';
import { ST_DONE, ST_REJECTED, type RequestTable } from '../engine/request-table.js';
import type { Collector } from '../metrics/collector.js';
import { QUEUED, type Router } from '../router/router.js';
import { W_ABSENT, W_ACTIVE, W_DRAINING, W_STARTING } from '../contracts/worker-states.js';
import type { WorkloadDriver } from './workload-driver.js';
import { EV_ARRIVAL, EV_FAULT, EV_HANDOFF, EV_PASS_END, EV_READY, EV_TICK, EV_WAKE, type ClusterAgent, type ClusterListener, type ScalingPort } from './events.js';
import { FaultInjector } from './faults.js';
import { Pool, type FaultPlan, type PoolSpec } from './pool.js';

/**
 * Multi-worker runtime on one virtual clock (Dynamo's offline AggRuntime), driven by one queue of
 * tagged events (EV_*) handled by one switch. At each instant the events due are handled in kind
 * order; when none but a planner tick is left, the first idle worker with work (in slot order) starts
 * a pass, and the events that creates are handled before the next pass starts. A pass is computed
 * whole when it starts and its effects land when it ends, so a request arriving mid-pass waits for
 * the next pass. Agents (the planner) act once the instant is otherwise settled.
 * Workers can be added (ready after a cold start) and removed (drained first) while it runs.
 * Disaggregated: requests go to the prefill pool with one output token to make; when it is done the
 * KV cache moves to the decode pool after `isl × handoffMsPerToken` and a decode worker, with no
 * prefill time, emits every output token.
 */
export class Cluster implements ScalingPort {
  readonly pools: Pool[];
  readonly engines: (Engine | null)[];
  readonly busy: Uint8Array;
  readonly inFlight: Int32Array;
  /** Pool of each global slot. */
  private readonly poolOf: Int8Array;
  private readonly queue = new EventQueue(256);
  /** Engines' own timers (host-tier loads finishing): each worker's earliest EV_WAKE in the queue. */
  private readonly wakeTime: Float64Array;
  /** KV hand-offs in flight (EV_HANDOFF events in the queue). */
  private handoffsInFlight = 0;
  /** The one EV_ARRIVAL event that counts (older ones are stale) and its time. */
  private arrivalGen = 0;
  private arrivalAt = Infinity;
  private readonly prefillDone: Uint8Array;
  /** Bumped when a worker's pending completion event is replaced, so the old one is ignored. */
  private readonly eventGen: Int32Array;
  now = 0;
  finished = 0;
  rejected = 0;
  scaleUps = 0;
  scaleDowns = 0;
  handoffCount = 0;
  failures = 0;
  migrated = 0;
  /** Tokens of KV computation lost with failed workers (to be recomputed). */
  readonly lost = { tokens: 0 };
  private faults: FaultInjector | null = null;
  /** Workers that failed during a pass: they go down when it ends. */
  private readonly failing: Uint8Array;
  private retiredPasses = 0;
  private agent: ClusterAgent | null = null;
  listener: ClusterListener | null = null;
  onProgress: ((finished: number, now: number) => void) | null = null;

  constructor(
    specs: PoolSpec[],
    private readonly table: RequestTable,
    private readonly collector: Collector,
    private readonly driver: WorkloadDriver,
    /** Disaggregated handoff delay per prompt token, ms (0: immediate). */
    private readonly handoffMsPerToken = 0,
  ) {
    const total = specs.reduce((n, p) => n + p.slots, 0);
    if (total > 2048) throw new Error('at most 2048 worker slots are supported');
    if (specs.length === 2 && (specs[0]!.role !== 'prefill' || specs[1]!.role !== 'decode')) throw new Error('a two-pool cluster is [prefill, decode]');
    if (specs.length === 1 && specs[0]!.role !== 'agg') throw new Error('a one-pool cluster is aggregated');
    this.engines = new Array<Engine | null>(total).fill(null);
    this.busy = new Uint8Array(total);
    this.inFlight = new Int32Array(total);
    this.poolOf = new Int8Array(total);
    this.eventGen = new Int32Array(total);
    this.wakeTime = new Float64Array(total).fill(Infinity);
    this.failing = new Uint8Array(total);
    this.prefillDone = new Uint8Array(table.n);
    let base = 0;
    this.pools = specs.map((spec, i) => {
      if (spec.initial > spec.slots) throw new Error(`${spec.initial} ${spec.role} workers exceed its ${spec.slots} slots`);
      const pool = new Pool(i, spec, base);
      this.poolOf.fill(i, base, base + spec.slots);
      for (let k = 0; k < spec.initial; k++) {
        const local = pool.workers.add(W_ACTIVE, 0);
        this.engines[base + local] = spec.makeEngine(base + local);
      }
      base += spec.slots;
      return pool;
    });
  }

  /** Arms fault injection (seeded choices of victims and random failure times). */
  setFaults(plan: FaultPlan, rng: Prng): void {
    this.faults = new FaultInjector(plan, rng);
    for (const t of plan.atMs) this.queue.push(t, EV_FAULT, 0);
    if (plan.perWorkerHour > 0) this.scheduleRandomFault(0);
  }

  private scheduleRandomFault(now: number): void {
    this.queue.push(this.faults!.nextRandomAt(now, this.pools), EV_FAULT, 1);
  }

  /** Worker `local` of pool p fails: no new requests; it goes down now, or when its pass ends. */
  private fail(p: Pool, local: number): void {
    const w = p.base + local;
    this.failures++;
    p.workers.set(local, W_DRAINING, this.now);
    this.releaseHeld(p, this.now);
    if (this.busy[w]) {
      this.cutRun(w);
      if (this.busy[w]) {
        this.failing[w] = 1;
        return;
      }
    }
    this.takeDown(w);
  }

  /** The failed worker's requests move to other workers and recompute what it had computed. */
  private takeDown(w: number): void {
    const now = this.now;
    const p = this.pools[this.poolOf[w]!]!;
    const e = this.engines[w]!;
    const moved = e.evacuate(this.lost);
    this.failing[w] = 0;
    this.inFlight[w] = 0;
    this.busy[w] = 0;
    this.eventGen[w] = (this.eventGen[w]! + 1) & 0xfffff;
    this.wakeTime[w] = Infinity;
    if (e.kvEvents !== null) e.kvEvents.clear();
    this.detach(w, p, true);
    for (const r of moved) {
      this.migrated++;
      this.prefillDone[r] = 0;
      p.router.completed(r, now);
      this.releaseHeld(p, now);
      this.route(p, r, now);
    }
    const replaceAfterMs = this.faults!.plan.replaceAfterMs;
    if (replaceAfterMs !== null) this.addWorker(replaceAfterMs, p.index, false);
  }

  get disaggregated(): boolean {
    return this.pools.length === 2;
  }

  setRouter(router: Router, pool = 0): void {
    this.pools[pool]!.router = router;
  }

  setAgent(agent: ClusterAgent): void {
    this.agent = agent;
    this.scheduleTick();
  }

  private scheduleTick(): void {
    const t = this.agent!.nextTime();
    if (t !== Infinity) this.queue.push(t, EV_TICK);
  }

  /** Sends request r where its pool's router says, or leaves it with the router. */
  private route(p: Pool, r: number, now: number): void {
    const local = p.router.route(r, now);
    if (local !== QUEUED) this.dispatchTo(r, p.base + local);
  }

  /** Sends the requests the pool's router now lets go (after a change that can free a worker or add one). */
  private releaseHeld(p: Pool, now: number): void {
    for (let r = p.router.nextHeld(now); r >= 0; r = p.router.nextHeld(now)) this.route(p, r, now);
  }

  /** Hands request r to the worker in global slot w. */
  private dispatchTo(r: number, w: number): void {
    this.table.worker[r] = w;
    this.inFlight[w]!++;
    if (this.busy[w]) this.cutRun(w);
    this.engines[w]!.receive(r);
  }

  /** Makes sure the cluster wakes worker w when its engine next needs the clock. */
  private scheduleWake(w: number): void {
    const timers = this.engines[w]!.timers;
    if (timers === null) return;
    let t = timers.wakeAt();
    if (t < this.now) t = this.now;
    if (t < this.wakeTime[w]!) {
      this.wakeTime[w] = t;
      this.queue.push(t, EV_WAKE, w);
    }
  }

  /** A request reached a worker in a fast-forwarded run: keep only the pass in flight. */
  private cutRun(w: number): void {
    const ff = this.engines[w]!.fastForwarding;
    const end = ff === null ? -1 : ff.truncate(this.now);
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
    this.queue.push(end, EV_PASS_END, w, this.eventGen[w]!, this.engines[w]!.lastPassStart, w);
  }

  private totalInFlight(): number {
    let s = this.handoffsInFlight;
    for (const p of this.pools) s += p.router.pending;
    for (let w = 0; w < this.inFlight.length; w++) s += this.inFlight[w]!;
    return s;
  }

  run(): void {
    const n = this.table.n;
    const q = this.queue;
    this.armArrival();
    let progressAt = 0;
    for (;;) {
      const t = q.peekTime();
      const kind = q.peekKind();
      // an arrival event superseded by a later arming is dropped without moving the clock
      if (kind === EV_ARRIVAL && q.peekA() !== this.arrivalGen) {
        q.pop();
        continue;
      }
      if (t > this.now || kind === EV_TICK) {
        // nothing but a tick is left at this instant: start the next pass, then look again
        if (this.startNextPass()) continue;
      }
      if (t > this.now) {
        // the instant is settled
        if (this.onProgress !== null && this.finished >= progressAt) {
          this.onProgress(this.finished + this.rejected, this.now);
          progressAt = this.finished + Math.max(1, n >> 6);
        }
        if (this.finished + this.rejected >= n) break;
        if (this.armArrival()) continue;
        if (t === Infinity) {
          const noWorkers = this.pools.some((p) => p.workers.liveCount === 0);
          throw new SimInvariantError(`dead end at ${this.now} ms: ${n - this.finished - this.rejected} requests unfinished and no pending event${noWorkers ? ' (a pool has no workers left)' : ''}`);
        }
        this.now = t;
      } else if (t < this.now) {
        throw new SimInvariantError(`clock went backwards from ${this.now} to ${t} ms`);
      }
      const a = q.peekA(), b = q.peekB();
      q.pop();
      this.handle(kind, a, b);
    }
    for (const p of this.pools) p.workers.account(this.now);
  }

  /** One event at `this.now`. */
  private handle(kind: number, a: number, b: number): void {
    const now = this.now;
    switch (kind) {
      case EV_PASS_END:
        // a pass cut short or a worker taken down leaves its old end behind
        if (b === this.eventGen[a] && this.busy[a]) this.applyPassEnd(a);
        return;
      case EV_FAULT: {
        const victim = this.faults!.victim(this.pools);
        if (victim !== null) this.fail(victim.pool, victim.local);
        if (a === 1) this.scheduleRandomFault(now);
        return;
      }
      case EV_READY: {
        const pool = this.pools[this.poolOf[a]!]!;
        const local = a - pool.base;
        if (pool.workers.state[local] !== W_STARTING) return; // cancelled while starting
        pool.workers.set(local, W_ACTIVE, now);
        this.releaseHeld(pool, now);
        return;
      }
      case EV_HANDOFF:
        this.handoffsInFlight--;
        this.startDecode(a, now);
        return;
      case EV_WAKE: {
        const e = this.engines[a];
        if (e === null || this.wakeTime[a] !== now) return;
        this.wakeTime[a] = Infinity;
        if (e!.timers !== null && e!.timers.wake(now) && this.busy[a]) this.cutRun(a);
        if (e!.kvEvents !== null && e!.kvEvents.length > 0) this.flushKv(a, e!);
        this.scheduleWake(a);
        return;
      }
      case EV_ARRIVAL:
        this.arrivalAt = Infinity;
        this.releaseArrivals(now);
        this.armArrival();
        return;
      case EV_TICK:
        this.agent!.act(now);
        this.scheduleTick();
        return;
      default:
        throw new SimInvariantError(`unknown event kind ${kind}`);
    }
  }

  /**
   * Schedules the workload's next release (its next ready request, when the concurrency cap allows
   * one), superseding the one scheduled before; false if that one still holds.
   */
  private armArrival(): boolean {
    const t = this.driver.nextTime(this.driver.cap === null ? 0 : this.totalInFlight());
    if (t === this.arrivalAt) return false;
    this.arrivalAt = t;
    this.arrivalGen++;
    if (t !== Infinity) this.queue.push(t < this.now ? this.now : t, EV_ARRIVAL, this.arrivalGen);
    return true;
  }

  /** Starts a pass on the first idle worker with work (in slot order); false if there is none. */
  private startNextPass(): boolean {
    const engines = this.engines;
    for (let w = 0; w < engines.length; w++) {
      const e = engines[w];
      if (e === null || this.busy[w] || !e!.hasWork()) continue;
      this.startPass(w, this.now);
      return true;
    }
    return false;
  }

  private startPass(w: number, now: number): void {
    const e = this.engines[w]!;
    const end = e.executePass(now);
    if (e.kvEvents !== null && e.eventVisibility === 'pass-start') this.flushKv(w, e);
    if (end < now) throw new SimInvariantError(`worker ${w} pass ends at ${end} before it starts at ${now}`);
    this.scheduleWake(w);
    if (end === now) {
      this.applyPassEnd(w);
      return;
    }
    this.busy[w] = 1;
    this.pushCompletion(w, end);
  }

  /** Hands the KV events worker w's engine has logged to its pool's router. */
  private flushKv(w: number, e: Engine): void {
    const pool = this.pools[this.poolOf[w]!]!;
    pool.router.kvEvents(w - pool.base, e.kvEvents!);
    e.kvEvents!.clear();
  }

  private applyPassEnd(w: number): void {
    const e = this.engines[w]!;
    const now = this.now;
    const pool = this.pools[this.poolOf[w]!]!;
    const router = pool.router;
    this.busy[w] = 0;
    if (e.fastForwarding !== null) e.fastForwarding.settle();
    if (e.kvEvents !== null && e.eventVisibility === 'pass-end') this.flushKv(w, e);
    const out = e.out;
    this.inFlight[w]! -= out.nCompleted;
    const prefillSide = pool.role === 'prefill';
    const finishedBefore = this.finished;
    for (let i = 0; i < out.length; i++) {
      const r = out.requests[i]!;
      if (out.done[i]) {
        router.completed(r, now);
        this.releaseHeld(pool, now);
        if (prefillSide) {
          this.handOff(r, now);
          continue;
        }
        this.table.status[r] = ST_DONE;
        this.finished++;
        this.driver.complete(r, now);
        if (this.listener !== null) this.listener.completed(r, now);
      } else if (!this.prefillDone[r]) {
        this.prefillDone[r] = 1;
        router.prefillCompleted(r, now);
        this.releaseHeld(pool, now);
      }
    }
    out.reset();
    if (this.failing[w]) this.takeDown(w);
    else if (pool.workers.state[w - pool.base] === W_DRAINING && e.drained()) this.retire(w);
    // a finished request may free a client's next turn or a place under the concurrency cap
    if (finishedBefore !== this.finished) this.armArrival();
  }

  /** A prefill worker finished r: its KV cache travels to the decode side. */
  private handOff(r: number, now: number): void {
    this.handoffCount++;
    const delay = this.table.promptLen[r]! * this.handoffMsPerToken;
    if (delay > 0) {
      this.handoffsInFlight++;
      this.queue.push(now + delay, EV_HANDOFF, r);
    } else this.startDecode(r, now);
  }

  private startDecode(r: number, now: number): void {
    this.table.startPhase(r, this.table.outputLength[r]!);
    this.route(this.pools[1]!, r, now);
  }

  private releaseArrivals(now: number): void {
    const capped = this.driver.cap !== null;
    for (;;) {
      const r = this.driver.releaseOne(now, capped ? this.totalInFlight() : 0);
      if (r < 0) return;
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
      if (this.disaggregated) this.table.startPhase(r, 1);
      this.route(this.pools[0]!, r, now);
    }
  }

  /** A request whose prompt plus output needs more KV blocks than a whole worker has can never finish. */
  private tooLarge(r: number): boolean {
    const t = this.table;
    for (const p of this.pools) {
      const out = p.role === 'prefill' ? 1 : t.outputLength[r]!;
      if (Math.ceil((t.promptLen[r]! + out) / p.spec.kvBlockSize) > p.spec.kvBlocks) return true;
    }
    return false;
  }

  /** Adds a worker to `pool` that becomes routable after `startupMs` (at once if 0); false if no slot is free. */
  addWorker(startupMs: number, pool = 0, scaling = true): boolean {
    const now = this.now;
    const p = this.pools[pool]!;
    const local = p.workers.add(startupMs > 0 ? W_STARTING : W_ACTIVE, now);
    if (local < 0) return false;
    const w = p.base + local;
    this.engines[w] = p.spec.makeEngine(w);
    this.busy[w] = 0;
    this.inFlight[w] = 0;
    if (scaling) this.scaleUps++;
    if (startupMs > 0) this.queue.push(now + startupMs, EV_READY, w);
    else this.releaseHeld(p, now);
    return true;
  }

  /**
   * Removes one worker from `pool`: a starting one if any (the newest), else the newest active one,
   * which stops taking requests at once and leaves when its requests are done. False if none can go.
   */
  removeWorker(pool = 0): boolean {
    const now = this.now;
    const p = this.pools[pool]!;
    let local = p.workers.newest(W_STARTING);
    if (local >= 0) {
      this.detach(p.base + local, p, false); // the router never saw it
      this.scaleDowns++;
      return true;
    }
    local = p.workers.newest(W_ACTIVE);
    if (local < 0) return false;
    const w = p.base + local;
    p.workers.set(local, W_DRAINING, now);
    this.scaleDowns++;
    this.releaseHeld(p, now);
    if (!this.busy[w] && this.engines[w]!.drained()) this.retire(w);
    return true;
  }

  private retire(w: number): void {
    // check() reads only the engine's own state, which detaching leaves alone
    const problem = this.engines[w]!.check();
    this.detach(w, this.pools[this.poolOf[w]!]!, true);
    if (problem) throw new SimInvariantError(problem);
  }

  /** Worker w of pool p leaves: absent, out of its router (if `routed`), final totals to the listener, engine dropped. */
  private detach(w: number, p: Pool, routed: boolean): void {
    const e = this.engines[w]!;
    p.workers.set(w - p.base, W_ABSENT, this.now);
    if (routed) p.router.workerRemoved(w - p.base);
    if (this.listener !== null) this.listener.workerLeaving(e.stats, p.index);
    this.retiredPasses += e.passCount;
    this.engines[w] = null;
  }

  /** Σ over pools of live-worker time × GPUs per worker, ms. */
  workerMs(pool: number): number {
    return this.pools[pool]!.workers.workerMs;
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
      if (s === ST_DONE && this.collector.tokens[r] !== t.outputLength[r]) {
        throw new SimInvariantError(`request ${r} completed with ${this.collector.tokens[r]} of ${t.outputLength[r]} output tokens`);
      }
    }
    for (let w = 0; w < this.engines.length; w++) {
      if (this.inFlight[w] !== 0) throw new SimInvariantError(`worker ${w} still has ${this.inFlight[w]} requests in flight`);
      const e = this.engines[w];
      const problem = e ? e.check() : null;
      if (problem) throw new SimInvariantError(problem);
    }
    for (const p of this.pools) if (p.router.pending !== 0) throw new SimInvariantError(`${p.router.pending} requests left in the ${p.role} router queue`);
    if (this.handoffsInFlight !== 0) throw new SimInvariantError(`${this.handoffsInFlight} KV handoffs still in flight`);
  }
}
