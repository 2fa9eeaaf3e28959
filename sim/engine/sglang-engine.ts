// Longer than 400 lines: one scheduler, as Dynamo's mocker keeps SGLang's in one module (scheduler/sglang):
// admission by new-token ratio, chunked prefill, retraction and the pass itself share its queues and
// token budget; the radix cache it drives is in sim/kvcache.
import { IntDeque } from '../core/int-deque.js';
import type { TokenRecorder } from '../metrics/collector.js';
import type { TimingModel } from '../timing/timing-model.js';
import type { Workload } from '../workload/workload.js';
import type { Engine } from './engine.js';
import { PassOutput } from './engine.js';
import { speedDivisors, type EngineArgs } from './engine-args.js';
import type { KvEventLog } from '../contracts/kv-events.js';
import type { PromptBlocks } from '../workload/prompt-blocks.js';
import { PassStats, type WorkerLoad } from './pass-stats.js';
import { RadixCache } from '../kvcache/radix-cache.js';
import { ST_DONE, ST_PREEMPTED, ST_RUNNING, ST_WAITING, type RequestTable } from './request-table.js';

/** Dynamo `scheduler/sglang/config.rs`. */
const LPM_FALLBACK_THRESHOLD = 128;
const IN_BATCH_PREFIX_CACHING_CHECK_THRESHOLD = 32;
const IN_BATCH_PREFIX_CACHING_DEPRIORITIZE_THRESHOLD = 32;
const RATIO_DECAY_PASSES = 600;

/**
 * SGLang-style scheduler (Dynamo mocker `scheduler/sglang`): a token pool under a radix prefix cache;
 * each pass admits waiting requests under SGLang's budget (free + evictable tokens minus the
 * new_token_ratio share of the running requests' remaining outputs, 16384 prompt tokens, 8192-token
 * chunks), caches a truncated request's prefix and puts it back at the front of the queue, then runs
 * one decode step for every running request (retracting the one with the fewest output tokens when
 * memory runs out). A request admitted in a pass gets its first token in that pass.
 *
 * Construction: `routerBlocks` are the prompt blocks the router indexes (replay.ts builds them at
 * block size max(64, page_size) and hands the same PromptBlocks to the RequestTable and the KV
 * router); KV events name those blocks (see RadixCache). `wl` is the workload (prompt content).
 *
 * Per-request state lives in the shared RequestTable: `numComputed` = materialized tokens (KV
 * computed), `generated`, `preemptions` (retractions), `allocTokens` = page-rounded materialized.
 * The engine keeps each request's cached (tree-held, page-aligned) length and locked tree node.
 */
export class SglangEngine implements Engine {
  readonly eventVisibility = 'pass-end' as const;
  /** SGLang runs every pass (no fast-forward) and has no host-memory tier here. */
  readonly fastForwarding = null;
  readonly timers = null;
  readonly out = new PassOutput();
  readonly stats = new PassStats();
  readonly capacityBlocks: number;
  readonly blockSize: number;
  readonly cache: RadixCache;
  lastPassStart = 0;
  passCount = 0;
  /** Current new_token_ratio (exposed for tests). */
  newTokenRatio: number;
  readonly initNewTokenRatio: number;
  readonly minNewTokenRatio: number;
  private readonly decayStep: number;
  /**
   * false (default, as Dynamo): a request's chunk is cut from its whole un-materialized length before
   * the cache is matched, so the match covers only the first chunk and later chunks re-prefill
   * tokens that were cached.
   * true (real SGLang): match the whole sequence first and chunk only the uncached remainder.
   */
  matchBeforeChunk = false;

  private readonly page: number;
  private readonly capacityTokens: number;
  private readonly maxPrefill: number;
  private readonly chunkSize: number;
  private readonly clip: number;
  /** max_running_requests: running plus newly admitted requests per pass. */
  private readonly maxRunning: number;
  /** enable_mixed_chunk: prefill chunks ride in the decode pass instead of a pass of their own. */
  private readonly mixedChunk: boolean;
  private readonly lpm: boolean;
  private readonly prefillDiv: number;
  private readonly decodeDiv: number;
  private readonly countsPrefill: boolean;

  private readonly waiting = new IntDeque();
  private running: Int32Array = new Int32Array(64);
  private nRunning = 0;
  /** Tree-held (page-aligned) prefix length of each request's locked path. */
  private readonly cachedLen: Int32Array;
  /** The request's locked tree node (-1: holds no KV). */
  private readonly lastNode: Int32Array;
  /** Prompt tokens found cached when the request's current prefill started (reported on every chunk). */
  private readonly hitLen: Int32Array;
  /** Σ (page-rounded − materialized) over requests holding KV (SGLang extra_reserved_tokens). */
  private extraReserved = 0;
  private canRun: Int32Array = new Int32Array(64);
  private retracted: Int32Array = new Int32Array(64);
  private nRetracted = 0;
  /** Passes that retracted at least one request / admissions refused for memory (diagnostics). */
  retractionPasses = 0;
  oomPasses = 0;

  constructor(
    readonly id: number,
    args: EngineArgs,
    private readonly t: RequestTable,
    private readonly timing: TimingModel,
    private readonly collector: TokenRecorder,
    readonly kvEvents: KvEventLog | null,
    private readonly wl: Workload,
    routerBlocks: PromptBlocks | null,
  ) {
    const sg = args.sglang;
    this.capacityBlocks = args.num_gpu_blocks;
    this.blockSize = args.block_size;
    this.page = args.block_size;
    this.capacityTokens = args.num_gpu_blocks * args.block_size;
    this.maxPrefill = sg.max_prefill_tokens;
    this.chunkSize = sg.chunked_prefill_size;
    this.maxRunning = sg.max_running_requests ?? Infinity;
    this.mixedChunk = sg.enable_mixed_chunk;
    this.clip = sg.clip_max_new_tokens;
    this.lpm = sg.schedule_policy === 'lpm';
    this.initNewTokenRatio = 0.7 * sg.schedule_conservativeness;
    this.minNewTokenRatio = this.initNewTokenRatio * 0.14;
    this.decayStep = (this.initNewTokenRatio - this.minNewTokenRatio) / RATIO_DECAY_PASSES;
    this.newTokenRatio = this.initNewTokenRatio;
    const div = speedDivisors(args);
    this.prefillDiv = div.prefill;
    this.decodeDiv = div.decode;
    this.countsPrefill = args.worker_type !== 'decode';
    this.cache = new RadixCache(this.capacityTokens, this.page, wl, kvEvents, routerBlocks);
    if (this.maxPrefill < this.page) throw new Error(`sglang: max_prefill_tokens (${this.maxPrefill}) must be >= page_size (${this.page})`);
    this.cachedLen = new Int32Array(t.n);
    this.lastNode = new Int32Array(t.n).fill(-1);
    this.hitLen = new Int32Array(t.n);
  }

  receive(r: number): void {
    this.t.status[r] = ST_WAITING;
    this.waiting.pushBack(r);
  }

  hasWork(): boolean {
    return this.waiting.length > 0 || this.nRunning > 0;
  }

  drained(): boolean {
    return !this.hasWork();
  }

  /** KV blocks referenced: locked tree tokens plus the requests' own slots, in blocks. */
  activeBlocks(): number {
    return Math.ceil((this.cache.protectedTokens + this.cache.ownTokens) / this.page);
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  get runningCount(): number {
    return this.nRunning;
  }

  private ceilPage(x: number): number {
    const P = this.page;
    return P === 1 ? x : Math.ceil(x / P) * P;
  }

  private floorPage(x: number): number {
    const P = this.page;
    return P === 1 ? x : Math.floor(x / P) * P;
  }

  private setMaterialized(r: number, m: number): void {
    const t = this.t;
    const old = t.numComputed[r]!;
    const P = this.page;
    if (P > 1) this.extraReserved += (this.ceilPage(m) - m) - (this.ceilPage(old) - old);
    t.numComputed[r] = m;
    t.allocTokens[r] = this.ceilPage(m);
  }

  executePass(now: number): number {
    this.out.reset();
    this.lastPassStart = now;
    this.passCount++;
    const t = this.t;
    const cache = this.cache;
    const P = this.page;
    if (this.lpm && this.waiting.length > 1 && this.waiting.length <= LPM_FALLBACK_THRESHOLD) this.applyLpm();

    // ---- get_new_batch_prefill
    let reservedDecode = 0;
    for (let i = 0; i < this.nRunning; i++) {
      const r = this.running[i]!;
      const rem = t.maxOut[r]! - t.generated[r]!;
      reservedDecode += (rem < this.clip ? rem : this.clip) * this.newTokenRatio;
    }
    let remTotal = Math.max(0, cache.available + cache.evictable - this.extraReserved) - reservedDecode;
    let remInput = this.maxPrefill;
    let remChunk = this.chunkSize;
    let nCan = 0;
    let oom = false;
    let count = 0, sumIsl = 0, sumPrefix = 0, sumAttn = 0;
    while (this.waiting.length > 0) {
      const r = this.waiting.at(0);
      const mat = t.numComputed[r]!;
      // a new request needs a running slot; a chunked one holds its slot already
      if (mat === 0 && this.nRunning + nCan >= this.maxRunning) break;
      const seqLen = t.promptLen[r]! + t.generated[r]!;
      let extend = seqLen - mat;
      if (extend <= 0) break;
      const remOut = t.maxOut[r]! - t.generated[r]!;
      const outRes = remOut < this.clip ? remOut : this.clip;
      let hit = -1;
      if (mat === 0 && this.matchBeforeChunk) {
        hit = cache.prefixLen(r, seqLen);
        extend = seqLen - hit;
      }
      // an idle engine always takes its first request (else one needing exactly the whole pool, or
      // more than the prefill budget, would wait forever)
      const idle = this.nRunning === 0 && nCan === 0;
      if (!idle && extend + outRes >= remTotal) break;
      let chunk: number;
      if (extend <= this.chunkSize) chunk = extend;
      else {
        chunk = Math.floor(remChunk / P) * P;
        if (chunk <= 0) break;
        if (chunk > extend) chunk = extend;
      }
      let charged = this.ceilPage(chunk);
      if (charged > remInput || charged > remChunk) {
        // an idle engine cuts the chunk to the budget instead of waiting forever
        if (!idle) break;
        chunk = this.floorPage(remInput < remChunk ? remInput : remChunk);
        if (chunk <= 0) break;
        charged = chunk;
      }
      const start = hit >= 0 ? hit : mat;
      const chunkEnd = start + chunk;
      const oldAlloc = this.ceilPage(mat);
      let prefix: number;
      if (mat === 0) {
        // allocate_for_request: match, protect the match, make room, take the rest
        prefix = cache.matchPrefix(r, chunkEnd);
        const node = cache.lastNode;
        cache.incLock(node);
        const need = chunkEnd - prefix;
        if (!this.makeRoom(need, r, idle)) {
          cache.decLock(node);
          oom = true;
          break;
        }
        cache.ownTokens += need;
        this.cachedLen[r] = prefix;
        this.lastNode[r] = node;
        if (t.status[r] === ST_PREEMPTED || t.status[r] === ST_WAITING) t.status[r] = ST_RUNNING;
        const pl = t.promptLen[r]!;
        this.hitLen[r] = prefix < pl ? prefix : pl;
        this.collector.onAdmit(r, now, this.hitLen[r]!);
      } else {
        // allocate_after_prefix: continue a chunked prefill from its materialized tokens
        prefix = mat;
        const need = chunkEnd - mat;
        if (!this.makeRoom(need, r, idle)) {
          oom = true;
          break;
        }
        cache.ownTokens += need;
        this.collector.onAdmit(r, now, this.hitLen[r]!);
      }
      this.setMaterialized(r, chunkEnd);
      this.waiting.popFront();
      const truncated = chunkEnd < seqLen;
      remTotal -= this.ceilPage(chunkEnd) - oldAlloc + (truncated ? 0 : outRes);
      remInput -= charged;
      remChunk -= charged;
      if (nCan === this.canRun.length) this.canRun = grow(this.canRun);
      this.canRun[nCan++] = r;
      count++;
      sumIsl += chunkEnd;
      sumPrefix += prefix;
      sumAttn += chunkEnd * chunkEnd - prefix * prefix;
      if (remChunk <= 0) break;
    }
    if (oom) {
      this.newTokenRatio = this.initNewTokenRatio;
      this.oomPasses++;
    }
    if (nCan === 0 && this.nRunning === 0 && this.waiting.length > 0) {
      throw new Error(`sglang worker ${this.id}: cannot admit request ${this.waiting.at(0)} into an idle engine (scheduler stalled)`);
    }
    const hasPrefill = count > 0 && this.countsPrefill;
    const firstNew = this.nRunning;
    for (let i = 0; i < nCan; i++) {
      const r = this.canRun[i]!;
      if (t.numComputed[r]! < t.promptLen[r]! + t.generated[r]!) {
        this.cacheMaterialized(r);
        this.waiting.pushFront(r);
      } else {
        if (this.nRunning === this.running.length) this.running = grow(this.running);
        this.running[this.nRunning++] = r;
      }
    }

    // ---- decode step
    const end = this.decodeStep(now, hasPrefill, count, sumIsl, sumPrefix, sumAttn, this.mixedChunk ? 0 : firstNew);
    for (let i = this.nRetracted - 1; i >= 0; i--) this.waiting.pushFront(this.retracted[i]!);
    if (this.nRetracted > 0) {
      this.newTokenRatio = this.initNewTokenRatio;
      this.retractionPasses++;
    }
    this.nRetracted = 0;
    const next = this.newTokenRatio - this.decayStep;
    this.newTokenRatio = next > this.minNewTokenRatio ? next : this.minNewTokenRatio;
    return end;
  }

  /**
   * The pass after admission. Mixed (enable_mixed_chunk): the prefill chunks and one decode token for
   * every running request share one pass. Not mixed (SGLang's default): a pass with prefill is an extend
   * pass alone — the requests it finishes get their first token, the running ones none — so requests
   * at or after `firstDecoded` in `running` are the only ones that get a token in it.
   */
  private decodeStep(now: number, hasPrefill: boolean, count: number, sumIsl: number, sumPrefix: number, sumAttn: number, firstDecoded = 0): number {
    const t = this.t;
    const cache = this.cache;
    const timing = this.timing;
    const prefillEnd = now + (hasPrefill ? timing.prefillMs(count, sumIsl, sumPrefix, sumAttn) / this.prefillDiv : 0);
    const newTokens = hasPrefill ? sumIsl - sumPrefix : 0;
    if (this.nRunning === 0) {
      this.stats.record(newTokens, hasPrefill ? sumAttn : 0, 0, 0, prefillEnd - now, 1);
      return prefillEnd;
    }
    if (hasPrefill && firstDecoded > 0) {
      this.stats.record(newTokens, sumAttn, 0, 0, prefillEnd - now, 1);
      return this.emitTokens(prefillEnd, firstDecoded);
    }
    // check_decode_mem: each running request appends one token
    while (this.nRunning > 1 && cache.available + cache.evictable < this.nRunning) this.retractOne();
    if (cache.available < this.nRunning) cache.evict(this.nRunning - cache.available);
    if (cache.available < this.nRunning) {
      // a lone request cannot grow because a partially prefilled waiting request holds the rest
      this.releaseWaitingKv();
      if (cache.available < this.nRunning) cache.evict(this.nRunning - cache.available);
    }
    const R = this.nRunning;
    let ctx = 0;
    for (let i = 0; i < R; i++) {
      const r = this.running[i]!;
      ctx += t.promptLen[r]! + t.generated[r]!;
    }
    const cap = this.capacityTokens;
    const active = ctx < cap ? ctx : cap;
    let tokenTime: number;
    if (hasPrefill && timing.mixedMs) {
      tokenTime = now + timing.mixedMs(count, sumIsl, sumPrefix, sumAttn, R, active, ctx, cap) / this.prefillDiv;
    } else {
      tokenTime = prefillEnd + timing.decodeMs(R, active, ctx, cap) / this.decodeDiv;
    }
    this.stats.record(newTokens, hasPrefill ? sumAttn : 0, R, ctx, tokenTime - now, 1);
    return this.emitTokens(tokenTime, 0);
  }

  /** One token at `tokenTime` for each running request from index `from` on; the others wait. */
  private emitTokens(tokenTime: number, from: number): number {
    const t = this.t;
    const cache = this.cache;
    const R = this.nRunning;
    let w = 0;
    for (let i = 0; i < R; i++) {
      const r = this.running[i]!;
      if (i < from || cache.available < 1) {
        // not decoded in this pass, or no slot (only reachable if nothing at all can be freed)
        this.running[w++] = r;
        continue;
      }
      cache.ownTokens++;
      const gen = ++t.generated[r]!;
      this.setMaterialized(r, t.numComputed[r]! + 1);
      this.collector.onToken(r, tokenTime, this.id);
      const done = gen >= t.maxOut[r]!;
      this.out.add(r, done);
      if (done) {
        this.finish(r);
        t.status[r] = ST_DONE;
      } else {
        this.cacheMaterialized(r);
        this.running[w++] = r;
      }
    }
    this.nRunning = w;
    return tokenTime;
  }

  /**
   * Frees pool slots until `need` are available, evicting cached leaves; an idle engine also drops
   * the KV of partially prefilled waiting requests other than r (else it could never progress).
   */
  private makeRoom(need: number, r: number, idle: boolean): boolean {
    const cache = this.cache;
    if (cache.available < need) cache.evict(need - cache.available);
    if (cache.available < need && idle) {
      this.releaseWaitingKv(r);
      if (cache.available < need) cache.evict(need - cache.available);
    }
    return cache.available >= need;
  }

  /** Retracts the running request with the fewest output tokens (first on ties). */
  private retractOne(): void {
    const t = this.t;
    let best = 0;
    let bestGen = t.generated[this.running[0]!]!;
    for (let i = 1; i < this.nRunning; i++) {
      const g = t.generated[this.running[i]!]!;
      if (g < bestGen) {
        bestGen = g;
        best = i;
      }
    }
    const r = this.running[best]!;
    this.running.copyWithin(best, best + 1, this.nRunning);
    this.nRunning--;
    this.releaseKv(r);
    t.status[r] = ST_PREEMPTED;
    t.preemptions[r]!++;
    if (this.nRetracted === this.retracted.length) this.retracted = grow(this.retracted);
    this.retracted[this.nRetracted++] = r;
  }

  /** Drops the KV of waiting requests (but `keep`) that hold some (partially prefilled), as a retraction. */
  private releaseWaitingKv(keep = -1): void {
    const t = this.t;
    let any = false;
    for (let i = 0; i < this.waiting.length; i++) {
      const r = this.waiting.at(i);
      if (r === keep || this.lastNode[r]! < 0) continue;
      this.releaseKv(r);
      t.status[r] = ST_PREEMPTED;
      t.preemptions[r]!++;
      any = true;
    }
    if (any) this.newTokenRatio = this.initNewTokenRatio;
  }

  /** Frees r's uncached slots, unlocks its path and resets its KV state (generated tokens are kept). */
  private releaseKv(r: number): void {
    const t = this.t;
    const cache = this.cache;
    cache.ownTokens -= t.numComputed[r]! - this.cachedLen[r]!;
    cache.decLock(this.lastNode[r]!);
    this.lastNode[r] = -1;
    this.cachedLen[r] = 0;
    this.setMaterialized(r, 0);
  }

  /** SGLang cache_unfinished_req: put r's page-aligned materialized prefix in the tree and lock it. */
  private cacheMaterialized(r: number): void {
    const cache = this.cache;
    const aligned = this.floorPage(this.t.numComputed[r]!);
    const c = this.cachedLen[r]!;
    if (aligned <= c) return;
    const node = this.lastNode[r]!;
    if (!(aligned - c === this.page && cache.tryAppend(r, node, c))) {
      const n = cache.insertFrom(r, node, c, aligned);
      if (n !== node) {
        cache.moveLock(node, n);
        this.lastNode[r] = n;
      }
    }
    cache.ownTokens -= aligned - c;
    this.cachedLen[r] = aligned;
  }

  /** SGLang cache_finished_req: insert the page-aligned sequence, free the rest, unlock. */
  private finish(r: number): void {
    const cache = this.cache;
    const mat = this.t.numComputed[r]!;
    const aligned = this.floorPage(mat);
    const c = this.cachedLen[r]!;
    const node = this.lastNode[r]!;
    if (aligned > c && !(aligned - c === this.page && cache.tryAppend(r, node, c))) cache.insertFrom(r, node, c, aligned);
    cache.ownTokens -= mat - c;
    cache.decLock(node);
    this.lastNode[r] = -1;
    this.cachedLen[r] = 0;
    this.setMaterialized(r, 0);
    this.t.numComputed[r] = mat;
  }

  /**
   * SGLang LPM ordering (Dynamo policy.rs): longest cached prefix first; a request with a short
   * match whose first 32 tokens repeat an earlier waiting request's is moved behind the others.
   */
  private applyLpm(): void {
    const t = this.t;
    const n = this.waiting.length;
    const P = this.page;
    const dupLen = Math.ceil(IN_BATCH_PREFIX_CACHING_DEPRIORITIZE_THRESHOLD / P) * P;
    const seen = new Set<string>();
    const items: { r: number; len: number; dep: boolean }[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.waiting.at(i);
      const seqLen = t.promptLen[r]! + t.generated[r]!;
      const len = this.cache.prefixLen(r, seqLen);
      let dep = false;
      if (len <= IN_BATCH_PREFIX_CACHING_CHECK_THRESHOLD && seqLen >= dupLen) {
        const key = this.prefixKey(r, dupLen);
        if (seen.has(key)) dep = true;
        else seen.add(key);
      }
      items.push({ r, len, dep });
    }
    items.sort((a, b) => (a.dep === b.dep ? b.len - a.len : a.dep ? 1 : -1));
    for (let i = 0; i < n; i++) this.waiting.popFront();
    for (const it of items) this.waiting.pushBack(it.r);
  }

  /** Identity of request r's first `len` tokens (content runs), for the in-batch duplicate check. */
  private prefixKey(r: number, len: number): string {
    const t = this.t;
    const wl = this.wl;
    const w = wl.blockSize;
    const pl = t.promptLen[r]!;
    let key = '';
    let p = 0;
    while (p < len) {
      if (p < pl) {
        const k = Math.floor(p / w);
        const e = Math.min(pl, (k + 1) * w, len);
        key += `${wl.contentIds[wl.contentStart[r]! + k]}x${e - p},`;
        p = e;
      } else {
        key += `o${r}x${len - p},`;
        p = len;
      }
    }
    return key;
  }

  evacuate(lost: { tokens: number }): number[] {
    const t = this.t;
    const out: number[] = [];
    for (let i = 0; i < this.nRunning; i++) out.push(this.running[i]!);
    for (let i = 0; i < this.waiting.length; i++) out.push(this.waiting.at(i));
    for (const r of out) lost.tokens += t.loseKv(r);
    this.nRunning = 0;
    this.waiting.length = 0;
    return out;
  }

  load(out: WorkerLoad): void {
    const t = this.t;
    let queuedPrefill = 0, queuedDecode = 0, runningKv = 0;
    for (let i = 0; i < this.waiting.length; i++) {
      const r = this.waiting.at(i);
      if (t.status[r] === ST_PREEMPTED) queuedDecode += t.promptLen[r]! + t.generated[r]!;
      else queuedPrefill += Math.max(0, t.promptLen[r]! - t.numComputed[r]!);
    }
    for (let i = 0; i < this.nRunning; i++) {
      const r = this.running[i]!;
      runningKv += t.promptLen[r]! + t.generated[r]!;
    }
    out.waiting = this.waiting.length;
    out.running = this.nRunning;
    out.queuedPrefillTokens = queuedPrefill;
    out.queuedDecodeKvTokens = queuedDecode;
    out.runningKvTokens = runningKv;
    out.usedKvTokens = this.capacityTokens - this.cache.available - this.cache.evictable;
    out.capacityKvTokens = this.capacityTokens;
  }

  /**
   * Invariants: slot conservation (tree + request-held + free = capacity), lock counts equal to the
   * requests holding each path, running requests hold all their KV, an idle engine holds nothing.
   */
  check(): string | null {
    const t = this.t;
    const cache = this.cache;
    const locks = new Int32Array(cache.nodeIdLimit);
    let own = 0;
    const visit = (r: number, running: boolean): string | null => {
      const node = this.lastNode[r]!;
      const mat = t.numComputed[r]!;
      if (node < 0) {
        if (mat !== 0) return `request ${r} has ${mat} materialized tokens but no KV lease`;
        if (running) return `running request ${r} holds no KV`;
        return null;
      }
      if (running && mat !== t.promptLen[r]! + t.generated[r]!) return `running request ${r} materialized ${mat} of ${t.promptLen[r]! + t.generated[r]!} tokens`;
      const c = this.cachedLen[r]!;
      if (c > mat) return `request ${r} caches ${c} > materialized ${mat}`;
      if (node !== 0 && cache.nodeEnd(node) !== c) return `request ${r} locks a node ending at ${cache.nodeEnd(node)}, cached ${c}`;
      if (node === 0 && c !== 0) return `request ${r} locks the root but caches ${c}`;
      own += mat - c;
      for (let n = node; n > 0; n = cache.parentOf(n)) locks[n]!++;
      return null;
    };
    for (let i = 0; i < this.nRunning; i++) {
      const p = visit(this.running[i]!, true);
      if (p) return `worker ${this.id}: ${p}`;
    }
    for (let i = 0; i < this.waiting.length; i++) {
      const p = visit(this.waiting.at(i), false);
      if (p) return `worker ${this.id}: ${p}`;
    }
    if (own !== cache.ownTokens) return `worker ${this.id}: requests hold ${own} uncached slots, pool counts ${cache.ownTokens}`;
    const problem = cache.check(locks);
    if (problem) return `worker ${this.id}: ${problem}`;
    if (cache.treeTokens + cache.ownTokens + cache.available !== this.capacityTokens) return `worker ${this.id}: slots not conserved`;
    if (!this.hasWork() && (cache.ownTokens !== 0 || cache.protectedTokens !== 0)) {
      return `worker ${this.id}: idle with ${cache.ownTokens} request slots and ${cache.protectedTokens} locked tree tokens`;
    }
    return null;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
