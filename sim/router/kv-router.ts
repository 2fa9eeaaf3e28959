import { EventQueue } from '../core/event-queue.js';
import type { Prng } from '../core/prng.js';
import type { KvEventLog } from '../contracts/kv-events.js';
import type { PromptBlocks } from '../workload/prompt-blocks.js';
import { ActiveSequences } from './active-sequences.js';
import { KvIndexer } from './kv-indexer.js';
import { QUEUED, type Router } from './router.js';
import type { KvRouterConfig } from './router-config.js';
import { dynamoKvCost } from './dynamo-cost.js';
import { checkedCost, type RouterFns, type RouterRequestView, type RouterWorkerView } from '../contracts/router-views.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
import type { RoutableWorkers } from '../contracts/worker-states.js';

/**
 * Dynamo's KV-aware router: for each worker,
 *   cost = prefill_load_scale · max((pending prefill + isl)/bs − credit · overlap − w_host · host overlap, 0)
 *        + decode blocks (active prompt blocks + this request's new ones)
 *        + decode_active_request_weight · active requests,
 * lowest cost wins (ties: smallest cache tree, then a seeded coin), or softmax sampling with a
 * temperature. Optionally queues arrivals while every worker is busy with prefill.
 */
export class KvRouter implements Router {
  readonly name = 'kv';
  readonly wantsKvEvents = true;
  readonly indexer: KvIndexer;
  readonly active: ActiveSequences;
  private readonly overlap: Int32Array;
  private readonly depth: Int32Array;
  private readonly cost: Float64Array;
  private readonly queue = new EventQueue(64);
  private readonly busyLimit: Float64Array;
  private readonly builtinCost: (req: RouterRequestView, w: RouterWorkerView) => number;
  private readonly reqView: Mutable<RouterRequestView> = { isl: 0, osl: 0, blockSize: 0, promptBlocks: 0, routableWorkers: 0, seq: 0, minActivePrefillTokens: 0, nowMs: 0 };
  private readonly workerView: Mutable<RouterWorkerView> = { worker: 0, overlapBlocks: 0, hostOverlapBlocks: 0, activePrefillTokens: 0, activeBlocks: 0, newBlocks: 0, activeRequests: 0, cachedBlocks: 0 };
  private routed = 0;
  private readonly pending_: Float64Array;
  private readonly weights: Float64Array;

  constructor(
    private readonly cfg: KvRouterConfig,
    private readonly pb: PromptBlocks,
    private readonly ws: RoutableWorkers,
    private readonly inputLength: Int32Array,
    private readonly arrivalOf: Float64Array,
    maxBatchedTokens: number | null,
    private readonly rng: Prng,
    /** Expected prefill time of a request with `cached` tokens of its prompt cached (enables decay). */
    private readonly estimatePrefillMs: ((isl: number, cached: number) => number) | null = null,
    /** A router policy's cost function replacing Dynamo's (a candidate module). */
    private readonly policy: RouterFns | null = null,
    private readonly policyName = 'router',
    private readonly outputLength: Int32Array = inputLength,
  ) {
    this.builtinCost = dynamoKvCost(cfg);
    const workers = ws.capacity;
    this.indexer = new KvIndexer(pb, workers);
    this.active = new ActiveSequences(pb, workers, inputLength.length, cfg.router_track_active_blocks, cfg.router_assume_kv_reuse, cfg.router_track_prefill_tokens);
    this.overlap = new Int32Array(workers);
    this.depth = new Int32Array(workers);
    this.cost = new Float64Array(workers);
    this.pending_ = new Float64Array(workers);
    this.weights = new Float64Array(workers);
    this.busyLimit = new Float64Array(workers).fill((cfg.router_queue_threshold ?? Infinity) * (maxBatchedTokens ?? 10_000_000));
  }

  get pending(): number {
    return this.queue.size;
  }

  route(r: number, now: number): number {
    if (this.ws.nActive === 0 || (this.cfg.router_queue_threshold !== null && this.allBusy(now))) {
      this.queue.push(this.queueKey(r), 0, r);
      return QUEUED;
    }
    return this.admit(r, now);
  }

  nextHeld(now: number): number {
    return this.queue.size > 0 && this.ws.nActive > 0 && !this.allBusy(now) ? this.queue.pop() : -1;
  }

  prefillCompleted(r: number, now: number): void {
    this.active.prefillCompleted(r, now);
  }

  completed(r: number, now: number): void {
    this.active.free(r, now);
  }

  kvEvents(w: number, log: KvEventLog): void {
    this.indexer.apply(w, log);
  }

  workerRemoved(w: number): void {
    this.indexer.forget(w);
  }

  /** Costs of sending r to each routable worker, written to this.cost (indexed by slot). */
  computeCosts(r: number, now: number): Float64Array {
    const cfg = this.cfg;
    const bs = this.pb.blockSize;
    const nb = this.pb.start[r + 1]! - this.pb.start[r]!;
    this.indexer.overlaps(r, this.overlap);
    this.active.depths(r, this.depth);
    const act = this.active;
    const pendingOf = this.pending_;
    const ws = this.ws;
    let minPrefill = Infinity;
    for (let k = 0; k < ws.nActive; k++) {
      const w = ws.active[k]!;
      pendingOf[w] = cfg.router_track_prefill_tokens ? act.prefill.at(w, now) : 0;
      if (pendingOf[w]! < minPrefill) minPrefill = pendingOf[w]!;
    }
    const req = this.reqView;
    req.isl = this.inputLength[r]!;
    req.osl = this.outputLength[r]!;
    req.blockSize = bs;
    req.promptBlocks = nb;
    req.routableWorkers = ws.nActive;
    req.seq = this.routed;
    req.minActivePrefillTokens = minPrefill;
    req.nowMs = now;
    const hostTier = this.indexer.hasHostTier;
    const v = this.workerView;
    const custom = this.policy;
    const frozenReq = custom ? Object.freeze({ ...req }) : req;
    for (let k = 0; k < ws.nActive; k++) {
      const w = ws.active[k]!;
      v.worker = k;
      v.overlapBlocks = this.overlap[w]!;
      v.hostOverlapBlocks = hostTier ? this.indexer.hostRun(r, w, this.overlap[w]!) : 0;
      v.activePrefillTokens = pendingOf[w]!;
      v.activeBlocks = cfg.router_track_active_blocks ? act.blocks[w]! : 0;
      v.newBlocks = cfg.router_track_active_blocks ? nb - this.depth[w]! : 0;
      v.activeRequests = act.requests[w]!;
      v.cachedBlocks = this.indexer.treeSize[w]!;
      this.cost[w] = custom ? checkedCost(this.policyName, custom, frozenReq, Object.freeze({ ...v })) : this.builtinCost(req, v);
    }
    return this.cost;
  }

  /** Picks a worker for r from the current costs. */
  select(r: number, now: number): number {
    const cost = this.computeCosts(r, now);
    const ws = this.ws;
    if (this.cfg.router_temperature > 0) return this.sample(cost, this.cfg.router_temperature);
    let best = Infinity;
    for (let k = 0; k < ws.nActive; k++) if (cost[ws.active[k]!]! < best) best = cost[ws.active[k]!]!;
    let bestTree = Infinity, ties = 0;
    const tree = this.indexer.treeSize;
    for (let k = 0; k < ws.nActive; k++) {
      const w = ws.active[k]!;
      if (cost[w] !== best) continue;
      const ts = tree[w]!;
      if (ts < bestTree) {
        bestTree = ts;
        ties = 1;
      } else if (ts === bestTree) ties++;
    }
    let pick = ties > 1 ? this.rng.nextInt(ties) : 0;
    for (let k = 0; k < ws.nActive; k++) {
      const w = ws.active[k]!;
      if (cost[w] !== best || tree[w] !== bestTree) continue;
      if (pick-- === 0) return w;
    }
    return ws.active[0]!;
  }

  private sample(cost: Float64Array, temperature: number): number {
    const ws = this.ws;
    const n = ws.nActive;
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < n; k++) {
      lo = Math.min(lo, cost[ws.active[k]!]!);
      hi = Math.max(hi, cost[ws.active[k]!]!);
    }
    if (hi === lo) return ws.active[this.rng.nextInt(n)]!;
    let sum = 0;
    const p = this.weights;
    for (let k = 0; k < n; k++) {
      p[k] = Math.exp(-(cost[ws.active[k]!]! - lo) / ((hi - lo) * temperature));
      sum += p[k]!;
    }
    let u = this.rng.next() * sum;
    for (let k = 0; k < n; k++) {
      u -= p[k]!;
      if (u < 0) return ws.active[k]!;
    }
    return ws.active[n - 1]!;
  }

  /** Sends r to the cheapest worker: books it there and returns the worker. */
  private admit(r: number, now: number): number {
    const w = this.select(r, now);
    this.routed++;
    const cached = this.overlap[w]! * this.pb.blockSize;
    const est = this.estimatePrefillMs ? this.estimatePrefillMs(this.inputLength[r]!, cached) : 0;
    this.active.add(r, w, this.inputLength[r]!, this.overlap[w]!, now, est);
    return w;
  }

  private allBusy(now: number): boolean {
    const pt = this.active.prefill;
    const ws = this.ws;
    for (let k = 0; k < ws.nActive; k++) if (pt.at(ws.active[k]!, now) <= this.busyLimit[ws.active[k]!]!) return false;
    return true;
  }

  private queueKey(r: number): number {
    const arrivalS = this.arrivalOf[r]! / 1000;
    switch (this.cfg.router_queue_policy) {
      case 'fcfs':
        return arrivalS;
      case 'lcfs':
        return -arrivalS;
      case 'wspt': {
        this.indexer.overlaps(r, this.overlap);
        let maxOverlap = 0;
        for (let k = 0; k < this.ws.nActive; k++) maxOverlap = Math.max(maxOverlap, this.overlap[this.ws.active[k]!]!);
        return -1 / Math.max(1, this.inputLength[r]! - maxOverlap * this.pb.blockSize);
      }
    }
  }
}
