import type { ClusterAgent, ClusterListener, ScalingPort } from '../cluster/events.js';
import type { Pool } from '../cluster/pool.js';
import { W_ACTIVE, W_DRAINING, W_STARTING } from '../contracts/worker-states.js';
import { emptyLoad, type PassSink, type PassStats } from '../engine/pass-stats.js';
import type { Collector } from '../metrics/collector.js';
import { rankIndex } from '../metrics/stats.js';
import type { PassesView, PlannerObservation, PlannerPolicy, PoolView, WorkerLoadView } from '../contracts/planner-views.js';
import { PassRegression } from './pass-regression.js';
import type { ResolvedPlannerConfig } from './planner-config.js';
import { TickSchedule } from './tick-schedule.js';
import { requireFinite } from '../contracts/policy-error.js';


/** Recent passes kept between ticks for the pass-time model (the newest win). */
const PASS_BUFFER = 128;
const FIELDS = 4;

/** One pool's pass history: totals at the last tick, recent passes, and the fitted pass-time model. */
class PoolTracker {
  readonly regression: PassRegression;
  private readonly buf = new Float64Array(PASS_BUFFER * FIELDS);
  private n = 0;
  private head = 0;
  private last = { passes: 0, busy: 0, prefill: 0, attention: 0 };
  /** Pass totals of workers that have left. */
  readonly retired = { passes: 0, busy: 0, prefill: 0, attention: 0 };

  constructor(readonly pool: Pool, samples: number) {
    this.regression = new PassRegression(samples);
  }

  readonly sink: PassSink = (prefill, attention, _reqs, decodeKv, wallMs) => {
    const i = this.head * FIELDS;
    this.buf[i] = prefill;
    this.buf[i + 1] = attention;
    this.buf[i + 2] = decodeKv;
    this.buf[i + 3] = wallMs;
    this.head = (this.head + 1) % PASS_BUFFER;
    if (this.n < PASS_BUFFER) this.n++;
  };

  /** Moves the passes seen since the last tick into the regression. */
  absorb(): void {
    for (let k = this.n - 1; k >= 0; k--) {
      const i = ((this.head - 1 - k + PASS_BUFFER) % PASS_BUFFER) * FIELDS;
      this.regression.add(this.buf[i]!, this.buf[i + 1]!, this.buf[i + 2]!, this.buf[i + 3]!);
    }
    this.n = 0;
  }

  /** Per slot: the engine last seen there and its decode totals then (window deltas per worker). */
  private readonly seenEngine: unknown[] = [];
  private readonly seenTokens: number[] = [];
  private readonly seenWait: number[] = [];

  view(cluster: ScalingPort, windowMs: number): PoolView {
    const ws = this.pool.workers;
    const perWorker: WorkerLoadView[] = [];
    for (let k = 0; k < ws.nActive; k++) {
      const slot = ws.active[k]!;
      const e = cluster.engines[this.pool.base + slot]!;
      const load = emptyLoad();
      e.load(load);
      const fresh = this.seenEngine[slot] !== e;
      const tokens = e.stats.decodeTokens - (fresh ? 0 : this.seenTokens[slot]!);
      const wait = e.stats.decodeWaitMs - (fresh ? 0 : this.seenWait[slot]!);
      this.seenEngine[slot] = e;
      this.seenTokens[slot] = e.stats.decodeTokens;
      this.seenWait[slot] = e.stats.decodeWaitMs;
      perWorker.push(Object.freeze({ ...load, windowTokens: tokens, windowItlMs: tokens > 0 ? wait / tokens : 0 }));
    }
    let passes = this.retired.passes, busy = this.retired.busy, prefill = this.retired.prefill, attention = this.retired.attention;
    for (let s = 0; s < ws.capacity; s++) {
      const e = cluster.engines[this.pool.base + s];
      if (!e) continue;
      passes += e.stats.passes;
      busy += e.stats.busyMs;
      prefill += e.stats.prefillTokens;
      attention += e.stats.attentionWork;
    }
    const dP = passes - this.last.passes, dB = busy - this.last.busy, dT = prefill - this.last.prefill, dA = attention - this.last.attention;
    this.last = { passes, busy, prefill, attention };
    const passView: PassesView = Object.freeze({
      count: dP,
      meanMs: dP > 0 ? dB / dP : 0,
      busyFraction: windowMs > 0 && ws.liveCount > 0 ? Math.min(1, dB / (windowMs * ws.liveCount)) : 0,
      meanPrefillTokens: dP > 0 ? dT / dP : 0,
      meanAttentionWork: dP > 0 ? dA / dP : 0,
    });
    const fit = this.regression.fit();
    return Object.freeze({
      active: ws.count(W_ACTIVE),
      starting: ws.count(W_STARTING),
      draining: ws.count(W_DRAINING),
      perWorker: Object.freeze(perWorker),
      passes: passView,
      passModel: fit === null ? null : Object.freeze(fit),
    });
  }
}

/**
 * Runs a planner policy on the cluster's clock: at each tick it builds the observation (worker
 * loads, traffic and passes since the last tick, fitted pass-time models), asks the policy for
 * worker counts (one pool, or prefill and decode), clamps them to [min, max] and the GPU budget, and
 * adds workers (ready after the cold start) or removes them (starting ones first, then draining the
 * newest).
 */
export class Planner implements ClusterAgent, ClusterListener {
  private readonly ticks: TickSchedule;
  private readonly pools: PoolTracker[];
  private windowStart = 0;
  private arrivals = 0;
  private completed_ = 0;
  private sumIsl = 0;
  private sumOsl = 0;
  private sumTtft = 0;
  private sumItl = 0;
  private nItl = 0;
  private sumHit = 0;
  private ttfts: number[] = [];
  /** Ticks run, and the largest number of live workers seen. */
  tickCount = 0;
  maxLiveWorkers = 0;

  constructor(
    private readonly cluster: ScalingPort,
    private readonly cfg: ResolvedPlannerConfig,
    private readonly policy: PlannerPolicy,
    private readonly collector: Collector,
    private readonly inputLength: Int32Array,
    private readonly outputLength: Int32Array,
    private readonly engine: { maxNumBatchedTokens: number; maxNumSeqs: number; kvCapacityTokens: number },
    /**
     * Seeds each pool's pass-time model before the first pass, as Dynamo seeds its regression from
     * AI Configurator: `sample(prefill tokens, attention work, decode tokens, ms)`.
     */
    bootstrap?: (pool: number, sample: (prefill: number, attention: number, decodeKv: number, ms: number) => void) => void,
  ) {
    this.ticks = new TickSchedule(
      cfg.enable_load_scaling ? cfg.load_adjustment_interval * 1000 : null,
      cfg.enable_throughput_scaling ? cfg.throughput_adjustment_interval * 1000 : null,
    );
    this.pools = cluster.pools.map((p) => new PoolTracker(p, cfg.max_num_fpm_samples));
    if (bootstrap) this.pools.forEach((t, i) => bootstrap(i, (p, a, kv, ms) => t.regression.add(p, a, kv, ms)));
    this.maxLiveWorkers = this.liveWorkers();
  }

  /** Feed for the pass statistics of pool `pool`'s engines. */
  sinkFor(pool: number): PassSink {
    return this.pools[pool]!.sink;
  }

  nextTime(): number {
    return this.ticks.next();
  }

  arrived(): void {
    this.arrivals++;
  }

  completed(r: number): void {
    const c = this.collector;
    this.completed_++;
    this.sumIsl += this.inputLength[r]!;
    this.sumOsl += this.outputLength[r]!;
    const ttft = c.first[r]! - c.arrival[r]!;
    this.sumTtft += ttft;
    this.ttfts.push(ttft);
    if (c.tokens[r]! > 1) {
      this.sumItl += (c.last[r]! - c.first[r]!) / (c.tokens[r]! - 1);
      this.nItl++;
    }
    this.sumHit += c.reused[r]! / this.inputLength[r]!;
  }

  workerLeaving(stats: PassStats, pool: number): void {
    const t = this.pools[pool]!.retired;
    t.passes += stats.passes;
    t.busy += stats.busyMs;
    t.prefill += stats.prefillTokens;
    t.attention += stats.attentionWork;
  }

  act(now: number): void {
    const kinds = this.ticks.fire(now);
    const cluster = this.cluster;
    for (const e of cluster.engines) if (e !== null && e.fastForwarding !== null) e.fastForwarding.advanceTo(now);
    for (const p of this.pools) p.absorb();
    const obs = this.observe(now, kinds.load, kinds.throughput);
    const d = this.policy.decide(obs);
    const cfg = this.cfg;
    const num = (field: 'workers' | 'prefill' | 'decode'): number =>
      Math.max(cfg.min_endpoint, Math.round(requireFinite(this.policy.name, `decision.${field}`, (d as Record<string, unknown> | null | undefined)?.[field])));
    if (this.pools.length === 1) {
      this.scalePool(0, Math.min(cfg.maxWorkers, num('workers')));
    } else {
      let p = num('prefill'), dd = num('decode');
      if (p + dd > cfg.maxWorkers) {
        // over budget: shrink prefill in proportion, the rest goes to decode (Dynamo's global budget)
        p = Math.max(cfg.min_endpoint, Math.floor((p * cfg.maxWorkers) / (p + dd)));
        dd = Math.max(cfg.min_endpoint, cfg.maxWorkers - p);
      }
      this.scalePool(0, p);
      this.scalePool(1, dd);
    }
    this.maxLiveWorkers = Math.max(this.maxLiveWorkers, this.liveWorkers());
    this.tickCount++;
    this.resetWindow(now);
  }

  private scalePool(pool: number, target: number): void {
    const ws = this.cluster.pools[pool]!.workers;
    let have = ws.count(W_ACTIVE) + ws.count(W_STARTING);
    while (have < target && this.cluster.addWorker(this.cfg.startupMs, pool)) have++;
    while (have > target && this.cluster.removeWorker(pool)) have--;
  }

  private liveWorkers(): number {
    let n = 0;
    for (const p of this.cluster.pools) n += p.workers.liveCount;
    return n;
  }

  private observe(now: number, loadTick: boolean, throughputTick: boolean): PlannerObservation {
    const windowMs = now - this.windowStart;
    const views = this.pools.map((p) => p.view(this.cluster, windowMs));
    const agg = views.length === 1 ? views[0]! : null;
    const done = this.completed_;
    const sorted = this.ttfts.sort((a, b) => a - b);
    const cfg = this.cfg;
    const sum = (f: (v: PoolView) => number): number => views.reduce((s, v) => s + f(v), 0);
    return Object.freeze({
      mode: agg ? 'agg' as const : 'disagg' as const,
      nowMs: now,
      loadTick,
      throughputTick,
      windowMs,
      workers: Object.freeze({
        active: sum((v) => v.active), starting: sum((v) => v.starting), draining: sum((v) => v.draining),
        min: cfg.min_endpoint, max: cfg.maxWorkers, gpusPerWorker: cfg.gpusPerWorker, gpuBudget: cfg.max_gpu_budget, startupMs: cfg.startupMs,
      }),
      perWorker: agg ? agg.perWorker : Object.freeze([]),
      prefill: agg ? null : views[0]!,
      decode: agg ? null : views[1]!,
      traffic: Object.freeze({
        arrivals: this.arrivals,
        completed: done,
        requestRate: windowMs > 0 ? (this.arrivals * 1000) / windowMs : 0,
        meanIsl: done > 0 ? this.sumIsl / done : 0,
        meanOsl: done > 0 ? this.sumOsl / done : 0,
        meanTtftMs: done > 0 ? this.sumTtft / done : 0,
        p90TtftMs: done > 0 ? sorted[rankIndex(done, 90)]! : 0,
        meanItlMs: this.nItl > 0 ? this.sumItl / this.nItl : 0,
        kvHitRate: done > 0 ? this.sumHit / done : 0,
      }),
      passes: agg ? agg.passes : Object.freeze({ count: 0, meanMs: 0, busyFraction: 0, meanPrefillTokens: 0, meanAttentionWork: 0 }),
      passModel: agg ? agg.passModel : null,
      engine: Object.freeze({ ...this.engine }),
      sla: Object.freeze({ ttftMs: cfg.ttft, itlMs: cfg.itl }),
    });
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.arrivals = this.completed_ = 0;
    this.sumIsl = this.sumOsl = this.sumTtft = this.sumItl = this.sumHit = 0;
    this.nItl = 0;
    this.ttfts = [];
  }
}
