import type { Cluster, ClusterAgent, ClusterListener } from '../cluster/cluster.js';
import { W_ACTIVE, W_DRAINING, W_STARTING } from '../cluster/worker-set.js';
import { emptyLoad, type PassSink, type PassStats } from '../engine/pass-stats.js';
import type { Collector } from '../metrics/collector.js';
import { rankIndex } from '../metrics/stats.js';
import type { PlannerObservation, PlannerPolicy, WorkerLoadView } from './observation.js';
import { PassRegression } from './pass-regression.js';
import type { ResolvedPlannerConfig } from './planner-config.js';
import { TickSchedule } from './tick-schedule.js';

export class PlannerDecisionError extends Error {
  constructor(policy: string, message: string) {
    super(`planner "${policy}": ${message}`);
    this.name = 'PlannerDecisionError';
  }
}

/** Recent passes kept between ticks for the pass-time model (the newest win). */
const PASS_BUFFER = 256;

/**
 * Runs a planner policy on the cluster's clock: at each tick it builds the observation (worker
 * loads, traffic and passes since the last tick, the fitted pass-time model), asks the policy for a
 * worker count, clamps it to [min, max] and the GPU budget, and adds workers (ready after the cold
 * start) or removes them (starting ones first, then draining the newest).
 */
export class Planner implements ClusterAgent, ClusterListener {
  private readonly ticks: TickSchedule;
  private readonly regression: PassRegression;
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
  private lastPasses = 0;
  private lastBusy = 0;
  private lastPrefill = 0;
  private readonly passBuf = new Float64Array(PASS_BUFFER * 3);
  private passBufN = 0;
  private passBufHead = 0;
  /** Ticks run, and the largest number of live workers seen. */
  tickCount = 0;
  maxLiveWorkers = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly cfg: ResolvedPlannerConfig,
    private readonly policy: PlannerPolicy,
    private readonly collector: Collector,
    private readonly inputLength: Int32Array,
    private readonly outputLength: Int32Array,
    private readonly engine: { maxNumBatchedTokens: number; maxNumSeqs: number; kvCapacityTokens: number },
  ) {
    this.ticks = new TickSchedule(
      cfg.enable_load_scaling ? cfg.load_adjustment_interval * 1000 : null,
      cfg.enable_throughput_scaling ? cfg.throughput_adjustment_interval * 1000 : null,
    );
    this.regression = new PassRegression(cfg.max_num_fpm_samples);
    this.maxLiveWorkers = cluster.workers.liveCount;
  }

  /** Feed for the engines' pass statistics (keeps the most recent passes between ticks). */
  readonly passSink: PassSink = (prefill, _reqs, decodeKv, wallMs) => {
    const i = this.passBufHead * 3;
    this.passBuf[i] = prefill;
    this.passBuf[i + 1] = decodeKv;
    this.passBuf[i + 2] = wallMs;
    this.passBufHead = (this.passBufHead + 1) % PASS_BUFFER;
    if (this.passBufN < PASS_BUFFER) this.passBufN++;
  };

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

  act(now: number): void {
    const kinds = this.ticks.fire(now);
    const cluster = this.cluster;
    const ws = cluster.workers;
    for (const e of cluster.engines) if (e !== null) e.advanceTo(now);
    for (let k = 0; k < this.passBufN; k++) {
      const i = ((this.passBufHead - 1 - k + PASS_BUFFER) % PASS_BUFFER) * 3;
      this.regression.add(this.passBuf[i]!, this.passBuf[i + 1]!, this.passBuf[i + 2]!);
    }
    this.passBufN = 0;
    const obs = this.observe(now, kinds.load, kinds.throughput);
    const decision = this.policy.decide(obs);
    const want = decision?.workers;
    if (typeof want !== 'number' || !Number.isFinite(want)) {
      throw new PlannerDecisionError(this.policy.name, `decision.workers must be a finite number, got ${JSON.stringify(want)}`);
    }
    const cfg = this.cfg;
    let target = Math.round(want);
    target = Math.max(cfg.min_endpoint, Math.min(cfg.maxWorkers, target));
    let have = ws.count(W_ACTIVE) + ws.count(W_STARTING);
    while (have < target && cluster.addWorker(cfg.startupMs)) have++;
    while (have > target && cluster.removeWorker()) have--;
    this.maxLiveWorkers = Math.max(this.maxLiveWorkers, ws.liveCount);
    this.tickCount++;
    this.resetWindow(now);
  }

  private observe(now: number, loadTick: boolean, throughputTick: boolean): PlannerObservation {
    const cluster = this.cluster;
    const ws = cluster.workers;
    const perWorker: WorkerLoadView[] = [];
    for (let k = 0; k < ws.nActive; k++) {
      const load = emptyLoad();
      cluster.engines[ws.active[k]!]!.load(load);
      perWorker.push(Object.freeze(load));
    }
    let passes = 0, busy = 0, prefill = 0;
    for (const e of cluster.engines) {
      if (e === null) continue;
      passes += e.stats.passes;
      busy += e.stats.busyMs;
      prefill += e.stats.prefillTokens;
    }
    passes += this.retired.passes;
    busy += this.retired.busy;
    prefill += this.retired.prefill;
    const dPasses = passes - this.lastPasses, dBusy = busy - this.lastBusy, dPrefill = prefill - this.lastPrefill;
    this.lastPasses = passes;
    this.lastBusy = busy;
    this.lastPrefill = prefill;
    const windowMs = now - this.windowStart;
    const done = this.completed_;
    const sorted = this.ttfts.sort((a, b) => a - b);
    const fit = this.regression.fit();
    const cfg = this.cfg;
    return Object.freeze({
      nowMs: now,
      loadTick,
      throughputTick,
      windowMs,
      workers: Object.freeze({
        active: ws.count(W_ACTIVE), starting: ws.count(W_STARTING), draining: ws.count(W_DRAINING),
        min: cfg.min_endpoint, max: cfg.maxWorkers, gpusPerWorker: cfg.gpusPerWorker, gpuBudget: cfg.max_gpu_budget, startupMs: cfg.startupMs,
      }),
      perWorker: Object.freeze(perWorker),
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
      passes: Object.freeze({
        count: dPasses,
        meanMs: dPasses > 0 ? dBusy / dPasses : 0,
        busyFraction: windowMs > 0 && ws.nActive > 0 ? Math.min(1, dBusy / (windowMs * Math.max(1, ws.liveCount))) : 0,
        meanPrefillTokens: dPasses > 0 ? dPrefill / dPasses : 0,
      }),
      passModel: fit === null ? null : Object.freeze(fit),
      engine: Object.freeze({ ...this.engine }),
      sla: Object.freeze({ ttftMs: cfg.ttft, itlMs: cfg.itl }),
    });
  }

  /** Pass totals of workers that have left (so window deltas stay right). */
  private readonly retired = { passes: 0, busy: 0, prefill: 0 };

  /** A worker is about to leave: keep its pass totals. */
  workerLeaving(stats: PassStats): void {
    this.retired.passes += stats.passes;
    this.retired.busy += stats.busyMs;
    this.retired.prefill += stats.prefillTokens;
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.arrivals = this.completed_ = 0;
    this.sumIsl = this.sumOsl = this.sumTtft = this.sumItl = this.sumHit = 0;
    this.nItl = 0;
    this.ttfts = [];
  }
}
