// Longer than 400 lines: one scheduler, as Dynamo's mocker keeps vLLM's in one module (scheduler/vllm):
// budgeted admission, preemption, host-tier loads and the fast-forwarding of decode runs all work on
// the same running and waiting queues; the KV block pool and evictors are in sim/kvcache.
import { IntDeque } from '../core/int-deque.js';
import { quantizeGap, type TokenRecorder } from '../metrics/collector.js';
import type { TimingModel } from '../timing/timing-model.js';
import type { Engine, EngineTimers, FastForwarding } from './engine.js';
import { PassOutput } from './engine.js';
import { speedDivisors, type EngineArgs } from './engine-args.js';
import { createEvictor } from '../kvcache/evictor-factory.js';
import { KvBlockManager } from '../kvcache/kv-block-manager.js';
import type { KvEventLog } from '../contracts/kv-events.js';
import { PassStats, type WorkerLoad } from './pass-stats.js';
import { ST_DONE, ST_LOADING, ST_PREEMPTED, ST_RUNNING, ST_WAITING, type RequestTable } from './request-table.js';
import { HostTier } from '../kvcache/host-tier.js';
import type { EvictionModule } from '../contracts/eviction-views.js';

const SCHEDULED = 0;
const BLOCKED = 1;
const CURRENT_PREEMPTED = 2;
/** The request left the queue to load its prefix from the host tier. */
const LOADING = 3;

/**
 * vLLM-style continuous-batching scheduler (Dynamo mocker `scheduler/vllm`): running requests first
 * under a per-pass token budget, then admissions from the waiting queue while no preemption happened;
 * chunked prefill; preemption with recomputation (LIFO or FIFO victim, requeued at the front); a
 * request's first token comes in the pass that finishes its prefill.
 */
export class VllmEngine implements Engine, FastForwarding, EngineTimers {
  readonly eventVisibility = 'pass-start' as const;
  readonly fastForwarding: FastForwarding = this;
  /** Only with a host-memory tier. */
  readonly timers: EngineTimers | null;
  readonly out = new PassOutput();
  readonly stats = new PassStats();
  readonly capacityBlocks: number;
  readonly blockSize: number;
  private readonly kv: KvBlockManager;
  private readonly waiting = new IntDeque();
  private readonly running = new IntDeque();
  private readonly budgetMax: number;
  private readonly maxSeqs: number;
  private readonly prefillDiv: number;
  private readonly decodeDiv: number;
  private readonly lifo: boolean;
  private readonly preemptOnAdmit: boolean;
  private readonly chunked: boolean;
  private readonly countsPrefill: boolean;
  private readonly emitsDecode: boolean;
  /**
   * TensorRT-LLM's GUARANTEED_NO_EVICT capacity scheduler: a request is admitted only when the blocks
   * for its whole prompt and output fit beside what the running requests will still need, so nothing
   * is ever preempted. Blocks reserved per request (0 = none; empty unless the engine is TensorRT-LLM),
   * and their sum.
   */
  private readonly reserveOutput: boolean;
  private readonly reserved: Int32Array;
  private reservedBlocks = 0;
  /** Host-memory KV tier, when configured. */
  readonly host: HostTier | null;
  /** Requests whose host-tier load finished: they skip the host check once. */
  private readonly loaded = new Set<number>();
  private budget = 0;
  private preemptedAny = false;
  private passSerial = 0;
  private batchCount = 0;
  private batchIsl = 0;
  private batchPrefix = 0;
  private batchAttn = 0;
  private readyBuf: Int32Array = new Int32Array(64);
  /** Replace runs of identical decode-only passes by one event (exact; see startRun). */
  fastForward = true;
  lastPassStart = 0;
  passCount = 0;
  private runStart = 0;
  private runStep = 0;
  private runPasses = 0;
  private runKvRead = 0;
  private readonly isRunning = (r: number): boolean => this.t.status[r] === ST_RUNNING;

  constructor(
    readonly id: number,
    args: EngineArgs,
    private readonly t: RequestTable,
    private readonly timing: TimingModel,
    private readonly collector: TokenRecorder,
    readonly kvEvents: KvEventLog | null,
    eviction: EvictionModule | null = null,
  ) {
    this.capacityBlocks = args.num_gpu_blocks;
    this.blockSize = args.block_size;
    this.kv = new KvBlockManager(args.num_gpu_blocks, createEvictor(args.eviction_policy, args.num_gpu_blocks, eviction), kvEvents);
    if (args.num_g2_blocks > 0) {
      if (args.kv_bytes_per_token === null) throw new Error('a host KV tier (num_g2_blocks) needs kv_bytes_per_token');
      const host = new HostTier(args.num_g2_blocks, args.kv_bytes_per_token * args.block_size, args.bandwidth_g1_to_g2_gbps, args.bandwidth_g2_to_g1_gbps, kvEvents);
      this.host = host;
      this.kv.onEvict = (id) => host.offload(id, this.kv.now);
    } else this.host = null;
    this.timers = this.host !== null ? this : null;
    this.budgetMax = args.max_num_batched_tokens ?? Infinity;
    this.maxSeqs = args.max_num_seqs ?? Infinity;
    const div = speedDivisors(args);
    this.prefillDiv = div.prefill;
    this.decodeDiv = div.decode;
    this.lifo = args.preemption_mode === 'lifo';
    this.preemptOnAdmit = args.preempt_on_admit;
    this.chunked = args.enable_chunked_prefill;
    this.countsPrefill = args.worker_type !== 'decode';
    this.emitsDecode = args.worker_type !== 'prefill';
    this.reserveOutput = args.engine_type === 'trtllm';
    this.reserved = new Int32Array(this.reserveOutput ? t.maxOut.length : 0);
  }

  receive(r: number): void {
    this.t.status[r] = ST_WAITING;
    this.waiting.pushBack(r);
  }

  hasWork(): boolean {
    return this.waiting.length > 0 || this.running.length > 0;
  }

  drained(): boolean {
    return !this.hasWork() && (this.host === null || this.host.loadingCount === 0);
  }

  activeBlocks(): number {
    return this.kv.activeBlocks;
  }

  executePass(now: number): number {
    this.out.reset();
    this.running.filter(this.isRunning);
    if (this.fastForward) {
      const k = this.pureRunLength();
      if (k >= 2) return this.startRun(now, k);
    }
    this.lastPassStart = now;
    this.passCount++;
    this.passSerial++;
    this.kv.now = now;
    if (this.host !== null) this.host.advanceTo(now); // copies that reached host memory can be hit now
    this.budget = this.budgetMax;
    this.preemptedAny = false;
    this.batchCount = this.batchIsl = this.batchPrefix = this.batchAttn = 0;
    const running = this.running;
    let i = 0;
    while (i < running.length && this.budget > 0) {
      const res = this.schedule(running.at(i), false, now);
      if (res === SCHEDULED) i++;
      else if (res === BLOCKED) break;
    }
    const t = this.t;
    while (!this.preemptedAny && running.length < this.maxSeqs && this.waiting.length > 0) {
      const r = this.waiting.at(0);
      const res = this.schedule(r, true, now);
      if (res === LOADING) continue;
      if (res !== SCHEDULED) break;
      if (t.schedTokens[r] === 0 && this.budget === 0) break;
    }
    return this.emitReadyTokens(now);
  }

  /**
   * How many upcoming passes are pure decode: nothing waiting, every running request decoding (one
   * token each, within the budget), and no token starting or filling a block or finishing a request.
   * Such passes change no KV state, emit no signals and all last the same time.
   */
  private pureRunLength(): number {
    const R = this.running.length;
    if (this.waiting.length > 0 || R === 0 || R > this.budgetMax || !this.emitsDecode) return 0;
    const t = this.t;
    const bs = this.blockSize;
    let k = Infinity;
    for (let i = 0; i < R; i++) {
      const r = this.running.at(i);
      const gen = t.generated[r]!;
      const len = t.promptLen[r]! + gen;
      if (gen < 1 || t.numComputed[r] !== len - 1) return 0;
      const x = len % bs;
      if (x === 0 || x === bs - 1) return 0;
      k = Math.min(k, bs - 1 - x, t.maxOut[r]! - gen - 1);
      if (k < 2) return 0;
    }
    return k;
  }

  /**
   * Starts a fast-forwarded run of k pure decode passes. End times are summed pass by pass, exactly
   * as k separate passes would compute them, so results do not depend on fast-forwarding.
   */
  private startRun(now: number, k: number): number {
    const t = this.t;
    const bs = this.blockSize;
    let kvRead = 0;
    for (let i = 0; i < this.running.length; i++) kvRead += t.held[this.running.at(i)]! * bs;
    this.runStep = this.timing.decodeMs(this.running.length, this.kv.activeBlocks * bs, kvRead, this.capacityBlocks * bs) / this.decodeDiv;
    this.runStart = now;
    this.runPasses = k;
    this.runKvRead = kvRead;
    let end = now;
    let start = now;
    for (let i = 0; i < k; i++) {
      start = end;
      end = end + this.runStep;
    }
    this.lastPassStart = start;
    return end;
  }

  /** Applies the first j passes of the pending run and moves the run's start past them. */
  private applyRun(j: number): void {
    if (j === 0) return;
    const t = this.t;
    const c = this.collector;
    const R = this.running.length;
    const step = this.runStep;
    let prev = this.runStart + step;
    for (let i = 0; i < R; i++) c.onToken(this.running.at(i), prev, this.id);
    for (let p = 1; p < j; p++) {
      const cur = prev + step;
      c.addGaps(quantizeGap(cur - prev), R, this.id);
      prev = cur;
    }
    for (let i = 0; i < R; i++) {
      const r = this.running.at(i);
      if (j > 1) c.advance(r, j - 1, prev);
      const len = t.promptLen[r]! + (t.generated[r]! += j);
      t.numComputed[r] = len - 1;
      t.allocTokens[r] = len;
    }
    this.passCount += j;
    this.runPasses -= j;
    this.runStart = prev;
    this.stats.record(0, 0, R, this.runKvRead, step, j);
  }

  settle(): void {
    this.applyRun(this.runPasses);
  }

  advanceTo(now: number): void {
    if (this.runPasses === 0) return;
    let t = this.runStart;
    let j = 0;
    while (j < this.runPasses - 1) {
      const next = t + this.runStep;
      if (next > now) break;
      t = next;
      j++;
    }
    this.applyRun(j);
  }

  load(out: WorkerLoad): void {
    const t = this.t;
    let queuedPrefill = 0, queuedDecode = 0, runningKv = 0;
    for (let i = 0; i < this.waiting.length; i++) {
      const r = this.waiting.at(i);
      if (t.status[r] === ST_PREEMPTED) queuedDecode += t.promptLen[r]! + t.generated[r]!;
      else queuedPrefill += t.promptLen[r]! - t.numComputed[r]!;
    }
    let running = 0;
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running.at(i);
      if (t.status[r] !== ST_RUNNING) continue;
      running++;
      runningKv += t.promptLen[r]! + t.generated[r]!;
    }
    out.waiting = this.waiting.length;
    out.running = running;
    out.queuedPrefillTokens = queuedPrefill;
    out.queuedDecodeKvTokens = queuedDecode;
    out.runningKvTokens = runningKv;
    out.usedKvTokens = this.kv.activeBlocks * this.blockSize;
    out.capacityKvTokens = this.capacityBlocks * this.blockSize;
  }

  truncate(now: number): number {
    if (this.runPasses === 0) return -1;
    let t = this.runStart;
    let j = 0;
    while (j < this.runPasses) {
      const next = t + this.runStep;
      if (next > now) break;
      t = next;
      j++;
    }
    this.applyRun(j);
    if (j > 0 && t === now) {
      this.runPasses = 0;
      return now;
    }
    // the pass in flight at `now` runs to its end; the new request joins the pass after it
    this.runPasses = 1;
    this.lastPassStart = this.runStart;
    return this.runStart + this.runStep;
  }

  /** Dynamo's schedule_request for one request; returns SCHEDULED, BLOCKED or CURRENT_PREEMPTED. */
  private schedule(r: number, fromWaiting: boolean, now: number): number {
    const t = this.t;
    const waitingBefore = this.waiting.length;
    const promptLen = t.promptLen[r]!;
    const len = promptLen + t.generated[r]!;
    const computed = t.numComputed[r]!;
    const cached = computed === 0 ? this.cachedPrefixTokens(r, promptLen) : 0;
    if (fromWaiting && computed === 0 && this.host !== null && this.startLoad(r, cached, promptLen, now)) return LOADING;
    const effBefore = computed + cached;
    const promptBefore = Math.min(effBefore, promptLen);
    const remainingKnown = len - effBefore;
    const promptRemaining = promptLen - promptBefore;
    if (promptRemaining > 0 && !this.chunked && promptRemaining > this.budget) return BLOCKED;
    const desired = Math.min(remainingKnown, this.budget);
    if (desired === 0 && remainingKnown > 0) return BLOCKED;
    const target = effBefore + desired;
    // vLLM admits a waiting request only if its blocks fit next to the running ones; it never
    // preempts running requests to make room (Dynamo's mocker does, which can ping-pong two large
    // requests forever)
    if (fromWaiting && !this.preemptOnAdmit && !this.fits(r, target, len)) return BLOCKED;
    let reserve = 0;
    if (fromWaiting && this.reserveOutput && this.reserved[r] === 0) {
      reserve = Math.ceil((promptLen + t.maxOut[r]!) / this.blockSize);
      if (this.reservedBlocks + reserve > this.capacityBlocks) return BLOCKED;
    }
    let actual = target;
    for (;;) {
      if (target <= t.allocTokens[r]!) {
        t.numComputed[r] = actual;
        break;
      }
      const committed = this.allocateTo(r, target, len);
      t.allocTokens[r] = Math.min(committed, target);
      t.numComputed[r] = Math.min(actual, committed);
      if (committed >= target) break;
      const victim = this.preemptOne();
      if (victim < 0) {
        actual = t.numComputed[r]!;
        break;
      }
      if (victim === r) return CURRENT_PREEMPTED;
    }
    const tokensUsed = actual - effBefore;
    if (tokensUsed <= 0 && actual < len) return BLOCKED;
    const promptTokens = Math.min(actual, promptLen) - promptBefore;
    t.schedPass[r] = this.passSerial;
    t.schedTokens[r] = tokensUsed;
    t.schedPromptTokens[r] = promptTokens;
    t.schedPromptBefore[r] = promptBefore;
    if (promptTokens > 0 && this.countsPrefill) {
      const end = promptBefore + promptTokens;
      this.batchCount++;
      this.batchIsl += end;
      this.batchPrefix += promptBefore;
      this.batchAttn += end * end - promptBefore * promptBefore;
    }
    if (fromWaiting) {
      // victims preempted while allocating were pushed in front of r
      this.waiting.removeAt(this.waiting.length - waitingBefore);
      this.running.pushBack(r);
      t.status[r] = ST_RUNNING;
      this.collector.onAdmit(r, now, cached);
      if (reserve > 0) {
        this.reserved[r] = reserve;
        this.reservedBlocks += reserve;
      }
    }
    this.budget -= tokensUsed;
    return SCHEDULED;
  }

  /**
   * If r's prompt continues in the host tier past its GPU-cached prefix, starts loading those blocks
   * and takes r out of the queue until they arrive (once per admission). Returns whether it did.
   */
  private startLoad(r: number, cachedTokens: number, promptLen: number, now: number): boolean {
    if (this.loaded.delete(r)) return false;
    const t = this.t;
    const bs = this.blockSize;
    const from = cachedTokens / bs;
    const limit = Math.min(Math.floor((promptLen + t.generated[r]!) / bs), Math.ceil(promptLen / bs));
    let j = from;
    while (j < limit && this.host!.has(t.fullId(r, j))) j++;
    if (j === from) return false;
    this.waiting.popFront();
    t.status[r] = ST_LOADING;
    t.schedPromptBefore[r] = from; // remembered: the loaded range is [from, j)
    t.schedTokens[r] = j;
    this.host!.onboard(r, j - from, now);
    return true;
  }

  wakeAt(): number {
    return this.host === null ? Infinity : this.host.nextCompletion();
  }

  /**
   * Completes the host-tier copies due by `now` (their KV events are published now, whatever the
   * pass rhythm) and queues requests whose prefix has loaded; returns whether any did.
   */
  wake(now: number): boolean {
    if (this.host === null) return false;
    this.kv.now = now;
    this.host.advanceTo(now);
    const ready = this.host.takeReady();
    const t = this.t;
    // loaded blocks enter the GPU cache unreferenced; the request finds them as its cached prefix
    for (let i = ready.length - 1; i >= 0; i--) {
      const r = ready[i]!;
      const from = t.schedPromptBefore[r]!, to = t.schedTokens[r]!;
      for (let j = from; j < to; j++) {
        const id = t.fullId(r, j);
        if (!this.kv.use(id, true, j > 0 ? t.fullId(r, j - 1) : -1, j)) break;
        this.kv.deref(id);
      }
      t.status[r] = ST_WAITING;
      this.loaded.add(r);
      this.waiting.pushFront(r);
    }
    return ready.length > 0;
  }

  /** Tokens of r's prompt found cached (active or inactive), counted in whole leading blocks. */
  private cachedPrefixTokens(r: number, promptLen: number): number {
    const t = this.t;
    const bs = this.blockSize;
    const maxBlocks = Math.floor((promptLen + t.generated[r]!) / bs);
    const limit = Math.min(maxBlocks, Math.ceil(promptLen / bs));
    let j = 0;
    while (j < limit && this.kv.has(t.fullId(r, j))) j++;
    return Math.min(j * bs, promptLen);
  }

  /**
   * Whether r's blocks up to `target` tokens can be referenced without preempting anyone: each block
   * not already referenced takes one free-or-evictable slot (a cached one leaves the evictable pool).
   */
  private fits(r: number, target: number, len: number): boolean {
    const t = this.t;
    const kv = this.kv;
    const bs = this.blockSize;
    const need = Math.ceil(target / bs);
    const from = t.held[r]!;
    if (need - from <= kv.reclaimable) return true;
    let cost = 0;
    for (let j = from; j < need; j++) {
      const full = (j + 1) * bs <= len;
      if (!full || !kv.isReferenced(t.fullId(r, j))) cost++;
    }
    return cost <= kv.reclaimable;
  }

  /**
   * References blocks until `target` tokens are covered; stops at the first block the pool cannot
   * give. Returns the tokens now covered (a whole number of blocks, or target).
   */
  private allocateTo(r: number, target: number, len: number): number {
    const t = this.t;
    const bs = this.blockSize;
    const need = Math.ceil(target / bs);
    let j = t.held[r]!;
    while (j < need) {
      const isFull = (j + 1) * bs <= len;
      const id = isFull ? t.fullId(r, j) : t.newPartialId();
      const parent = j > 0 ? t.fullId(r, j - 1) : -1;
      if (!this.kv.use(id, isFull, parent, j)) break;
      if (!isFull) t.partialId[r] = id;
      j++;
    }
    t.held[r] = j;
    return j >= need ? target : j * bs;
  }

  /** Releases all of r's blocks, tail first (suffix blocks become the oldest cache entries). */
  private freeBlocks(r: number): void {
    const t = this.t;
    if (this.reserveOutput) {
      this.reservedBlocks -= this.reserved[r]!;
      this.reserved[r] = 0;
    }
    const bs = this.blockSize;
    const len = t.promptLen[r]! + t.generated[r]!;
    for (let j = t.held[r]! - 1; j >= 0; j--) {
      this.kv.deref((j + 1) * bs <= len ? t.fullId(r, j) : t.partialId[r]!);
    }
    t.held[r] = 0;
    t.allocTokens[r] = 0;
  }

  /** Preempts the back (LIFO) or front (FIFO) of running; returns the victim or -1. */
  private preemptOne(): number {
    if (this.running.length === 0) return -1;
    const v = this.lifo ? this.running.popBack() : this.running.popFront();
    const t = this.t;
    t.status[v] = ST_PREEMPTED;
    t.numComputed[v] = 0;
    t.preemptions[v]!++;
    this.freeBlocks(v);
    this.waiting.pushFront(v);
    this.preemptedAny = true;
    if (t.schedPass[v] === this.passSerial) {
      this.budget += t.schedTokens[v]!;
      const pt = t.schedPromptTokens[v]!;
      if (pt > 0 && this.countsPrefill) {
        const before = t.schedPromptBefore[v]!;
        const end = before + pt;
        this.batchCount--;
        this.batchIsl -= end;
        this.batchPrefix -= before;
        this.batchAttn -= end * end - before * before;
      }
      t.schedPass[v] = -1;
    }
    return v;
  }

  /**
   * Times the pass and emits one token for every request whose known tokens are all computed. Pass
   * time is prefill + decode (Dynamo), or the timing model's mixed-batch time when it has one.
   */
  private emitReadyTokens(now: number): number {
    const t = this.t;
    const bs = this.blockSize;
    const running = this.running;
    let nReady = 0;
    let kvRead = 0;
    if (this.readyBuf.length < running.length) this.readyBuf = new Int32Array(running.length * 2);
    const ready = this.readyBuf;
    for (let i = 0; i < running.length; i++) {
      const r = running.at(i);
      if (t.numComputed[r]! >= t.promptLen[r]! + t.generated[r]! && t.generated[r]! < t.maxOut[r]!) {
        ready[nReady++] = r;
        kvRead += t.held[r]! * bs;
      }
    }
    const timing = this.timing;
    const hasPrefill = this.batchCount > 0;
    const newTokens = this.batchIsl - this.batchPrefix;
    if (nReady > 0 && hasPrefill && this.emitsDecode && timing.mixedMs) {
      const ms = timing.mixedMs(this.batchCount, this.batchIsl, this.batchPrefix, this.batchAttn,
        nReady, this.kv.activeBlocks * bs, kvRead, this.capacityBlocks * bs) / this.prefillDiv;
      this.stats.record(newTokens, this.batchAttn, nReady, kvRead, ms, 1);
      return this.emitTokens(ready, nReady, now + ms);
    }
    const prefillMs = hasPrefill ? timing.prefillMs(this.batchCount, this.batchIsl, this.batchPrefix, this.batchAttn) / this.prefillDiv : 0;
    const decodeStart = now + prefillMs;
    if (nReady === 0) {
      this.stats.record(newTokens, this.batchAttn, 0, 0, prefillMs, 1);
      return decodeStart;
    }
    let decodeMs = 0;
    if (this.emitsDecode) {
      decodeMs = timing.decodeMs(nReady, this.kv.activeBlocks * bs, kvRead, this.capacityBlocks * bs) / this.decodeDiv;
    }
    const end = this.emitTokens(ready, nReady, decodeStart + decodeMs);
    this.stats.record(newTokens, this.batchAttn, nReady, kvRead, end - now, 1);
    return end;
  }

  private emitTokens(ready: Int32Array, nReady: number, tokenTime: number): number {
    const t = this.t;
    for (let k = 0; k < nReady; k++) {
      const r = ready[k]!;
      if (t.status[r] !== ST_RUNNING) continue;
      if (!this.generate(r)) continue;
      this.collector.onToken(r, tokenTime, this.id);
      this.out.add(r, t.generated[r] === t.maxOut[r]);
    }
    return tokenTime;
  }

  /**
   * Appends one output token to r, taking a block when it starts a new one (preempting others if
   * the pool is full) and sealing a filled partial block. On the last token all blocks are released.
   * Returns false if r itself was preempted or nothing could be freed.
   */
  private generate(r: number): boolean {
    const t = this.t;
    const bs = this.blockSize;
    const oldLen = t.promptLen[r]! + t.generated[r]!;
    if (oldLen % bs === 0) {
      const j = oldLen / bs;
      const id = t.newPartialId();
      const parent = j > 0 ? t.fullId(r, j - 1) : -1;
      while (!this.kv.use(id, false, parent, j)) {
        const v = this.preemptOne();
        if (v < 0 || v === r) return false;
      }
      t.partialId[r] = id;
      t.held[r] = j + 1;
    }
    t.generated[r]!++;
    const len = oldLen + 1;
    if (len % bs === 0) {
      const j = len / bs - 1;
      this.kv.promote(t.partialId[r]!, t.fullId(r, j), j > 0 ? t.fullId(r, j - 1) : -1);
    }
    if (t.generated[r] === t.maxOut[r]) {
      this.freeBlocks(r);
      t.status[r] = ST_DONE;
      t.numComputed[r] = len;
    } else {
      t.allocTokens[r] = len;
    }
    return true;
  }

  evacuate(lost: { tokens: number }): number[] {
    const t = this.t;
    const out: number[] = [];
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running.at(i);
      if (t.status[r] === ST_RUNNING) out.push(r);
    }
    for (let i = 0; i < this.waiting.length; i++) out.push(this.waiting.at(i));
    if (this.host !== null) out.push(...this.host.takeLoading(), ...this.host.takeReady());
    for (const r of out) lost.tokens += t.loseKv(r);
    this.running.length = 0;
    this.waiting.length = 0;
    this.runPasses = 0;
    return out;
  }

  /** Request ids in the waiting and running queues, front first (for tests and debugging). */
  queues(): { waiting: number[]; running: number[] } {
    const list = (d: IntDeque): number[] => Array.from({ length: d.length }, (_, i) => d.at(i));
    return { waiting: list(this.waiting), running: list(this.running) };
  }

  check(): string | null {
    const loading = this.host === null ? 0 : this.host.loadingCount;
    if (loading !== 0) return `worker ${this.id}: ${loading} requests still loading KV from the host tier`;
    const problem = this.kv.check();
    if (problem) return `worker ${this.id}: ${problem}`;
    if (!this.hasWork() && this.kv.activeBlocks !== 0) return `worker ${this.id}: idle with ${this.kv.activeBlocks} referenced KV blocks`;
    return null;
  }
}
