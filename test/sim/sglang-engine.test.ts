import { describe, expect, it } from 'vitest';
import { Cluster } from '../../sim/cluster/cluster.js';
import { WorkloadDriver } from '../../sim/cluster/workload-driver.js';
import { Prng } from '../../sim/core/prng.js';
import { resolveEngineArgs, type SglangArgs, type EngineArgs } from '../../sim/engine/engine-args.js';
import { KV_REMOVED, KV_STORED, KvEventLog } from '../../sim/contracts/kv-events.js';
import { buildPromptBlocks, type PromptBlocks } from '../../sim/workload/prompt-blocks.js';
import { RequestTable, ST_DONE } from '../../sim/engine/request-table.js';
import { SglangEngine } from '../../sim/engine/sglang-engine.js';
import { Collector } from '../../sim/metrics/collector.js';
import { buildReport } from '../../sim/metrics/report.js';
import { KvRouter } from '../../sim/router/kv-router.js';
import { resolveKvRouterConfig } from '../../sim/router/router-config.js';
import type { Router } from '../../sim/router/router.js';
import { RoundRobinRouter } from '../../sim/router/simple-routers.js';
import { dynamoPoly, polyDecode, polyPrefill } from '../../sim/timing/dynamo-poly.js';
import type { Workload } from '../../sim/workload/workload.js';
import { makeWorkload } from '../helpers/workloads.js';

type EngineInput = Partial<Omit<EngineArgs, 'sglang'>> & { sglang?: Partial<SglangArgs> };

/** Event log that remembers how far the checker has read (the cluster clears it at pass end). */
class TrackedLog extends KvEventLog {
  checked = 0;
  override clear(): void {
    super.clear();
    this.checked = 0;
  }
}

const stats = { retractions: 0, oom: 0, stored: 0, removed: 0 };

/**
 * SGLang engine that verifies its invariants after every pass, and that its KV events (flushed by
 * the cluster at pass end) replay to exactly the router blocks its radix tree holds.
 */
class CheckedSglang extends SglangEngine {
  private readonly seen = new Set<number>();
  override executePass(now: number): number {
    const end = super.executePass(now);
    const problem = this.check();
    if (problem) throw new Error(`after pass ${this.passCount} at ${now}: ${problem}`);
    const log = this.kvEvents as TrackedLog | null;
    if (log !== null) {
      for (let i = log.checked; i < log.length; i += 2) {
        const id = log.data[i + 1]!;
        if (log.data[i] === KV_STORED) {
          if (this.seen.has(id)) throw new Error(`block ${id} stored twice`);
          this.seen.add(id);
          stats.stored++;
        } else {
          if (!this.seen.delete(id)) throw new Error(`block ${id} removed while not stored`);
          stats.removed++;
        }
      }
      log.checked = log.length;
      const held = this.cache.heldRouterBlocks();
      if (held.length !== this.seen.size || held.some((id) => !this.seen.has(id))) throw new Error('KV events disagree with the radix tree');
    }
    stats.retractions = Math.max(stats.retractions, this.retractionPasses);
    stats.oom = Math.max(stats.oom, this.oomPasses);
    return end;
  }
}

/** Router block size for an SGLang engine: max(64, page size), as replay.ts builds it. */
function routerBlockSize(args: EngineArgs): number {
  return Math.max(64, args.block_size);
}

interface RunOptions {
  workers?: number;
  engine?: EngineInput;
  router?: 'round_robin' | 'kv';
  matchBeforeChunk?: boolean;
  checked?: boolean;
}

/** Mirrors runReplay with SglangEngine workers. */
function runSglang(w: Workload, opts: RunOptions = {}) {
  const workers = opts.workers ?? 1;
  const args = resolveEngineArgs({ engine_type: 'sglang', speedup_ratio: 0, ...(opts.engine ?? {}) });
  const blocks = buildPromptBlocks(w, routerBlockSize(args));
  const table = new RequestTable(w, blocks, args.enable_prefix_caching);
  const collector = new Collector(w.count, workers);
  const driver = new WorkloadDriver(w, 1, null);
  const wantsEvents = opts.router === 'kv';
  const engines: SglangEngine[] = [];
  const make = (i: number): SglangEngine => {
    const Ctor = opts.checked === false ? SglangEngine : CheckedSglang;
    const e = new Ctor(i, args, table, dynamoPoly, collector, wantsEvents ? new TrackedLog() : null, w, blocks);
    e.matchBeforeChunk = opts.matchBeforeChunk ?? false;
    engines.push(e);
    return e;
  };
  const cluster = new Cluster([{ role: 'agg', initial: workers, slots: workers, makeEngine: make, kvBlocks: args.num_gpu_blocks * args.block_size, kvBlockSize: 1 }], table, collector, driver);
  const pool = cluster.pools[0]!;
  const router: Router = opts.router === 'kv'
    ? new KvRouter(resolveKvRouterConfig({}), blocks, pool.workers, w.inputLength, driver.arrival, args.max_num_batched_tokens, new Prng(1).split('router'))
    : new RoundRobinRouter(pool.workers);
  cluster.setRouter(router);
  cluster.run();
  cluster.checkInvariants();
  const report = buildReport(collector, {
    inputLength: w.inputLength, outputLength: w.outputLength, preemptions: table.preemptions, workers, gpusPerWorker: 1,
  });
  return { report, collector, table, engines, blocks, passes: cluster.passes };
}

/** A lone engine driven pass by pass (all requests received at 0). */
function makeEngine(w: Workload, engine: EngineInput, events = false) {
  const args = resolveEngineArgs({ engine_type: 'sglang', speedup_ratio: 0, ...engine });
  const blocks = buildPromptBlocks(w, routerBlockSize(args));
  const table = new RequestTable(w, blocks, true);
  const collector = new Collector(w.count, 1);
  const log = events ? new TrackedLog() : null;
  const e = new CheckedSglang(0, args, table, dynamoPoly, collector, log, w, blocks);
  return { e, table, collector, log, blocks };
}

function events(log: KvEventLog, kind: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < log.length; i += 2) if (log.data[i] === kind) out.push(log.data[i + 1]!);
  return out;
}

function promptBlockIds(pb: PromptBlocks, r: number): number[] {
  return Array.from(pb.ids.subarray(pb.start[r]!, pb.start[r + 1]!));
}

describe('SGLang engine', () => {
  it('times a lone request as P(isl) + D(isl/capacity), then one decode step per token', () => {
    const cap = 100_000;
    const w = makeWorkload([{ at: 0, input: 1000, output: 3 }]);
    const { collector, report } = runSglang(w, { engine: { num_gpu_blocks: cap } });
    const ttft = polyPrefill(1000) + polyDecode(1000 / cap);
    expect(collector.first[0]).toBeCloseTo(ttft, 9);
    expect(collector.second[0]).toBeCloseTo(ttft + polyDecode(1001 / cap), 9);
    expect(collector.last[0]).toBeCloseTo(ttft + polyDecode(1001 / cap) + polyDecode(1002 / cap), 9);
    expect(report.completed_requests).toBe(1);
    expect(collector.reused[0]).toBe(0);
  });

  it('scales prefill by speedup_ratio and decode by speedup × decode_speedup', () => {
    const cap = 100_000;
    const w = makeWorkload([{ at: 0, input: 1000, output: 1 }]);
    const { collector } = runSglang(w, { engine: { num_gpu_blocks: cap, speedup_ratio: 2, decode_speedup_ratio: 4 } });
    expect(collector.first[0]).toBeCloseTo(polyPrefill(1000) / 2 + polyDecode(1000 / cap) / 8, 9);
  });

  it('reuses a cached prefix: reported prefix tokens and a shorter TTFT', () => {
    const cap = 100_000;
    const w = makeWorkload([
      { at: 0, input: 256, output: 4, content: [1, 2, 3, 4] },
      { at: 10_000, input: 256, output: 4, content: [1, 2, 3, 9] },
    ]);
    const { collector, report } = runSglang(w, { engine: { num_gpu_blocks: cap } });
    expect(collector.reused[0]).toBe(0);
    expect(collector.reused[1]).toBe(192);
    const ttft0 = collector.first[0]! - collector.arrival[0]!;
    const ttft1 = collector.first[1]! - collector.arrival[1]!;
    expect(ttft0).toBeCloseTo(polyPrefill(256) + polyDecode(256 / cap), 9);
    expect(ttft1).toBeCloseTo(polyPrefill(64) + polyDecode(256 / cap), 9);
    expect(ttft1).toBeLessThan(ttft0);
    expect(report.prefix_cache_reused_ratio).toBeCloseTo(192 / 512, 12);
  });

  it('also reuses prefixes at page size 16 (page-aligned matches only)', () => {
    const cap = 100_000;
    const w = makeWorkload([
      { at: 0, input: 250, output: 4, content: [1, 2, 3, 4] },
      { at: 10_000, input: 250, output: 4, content: [1, 2, 3, 4] },
    ]);
    const { collector } = runSglang(w, { engine: { num_gpu_blocks: cap / 16, block_size: 16 } });
    // first request cached floor((250 + 4) / 16) · 16 = 240 tokens; the prompt match is page-aligned
    expect(collector.reused[1]).toBe(240);
    expect(collector.first[1]! - collector.arrival[1]!).toBeCloseTo(polyPrefill(10) + polyDecode(250 / cap), 9);
  });

  it('chunks a 20k-token prompt into 8192-token passes; the first token comes after the last chunk', () => {
    const cap = 100_000;
    const w = makeWorkload([{ at: 0, input: 20_000, output: 3 }]);
    const { e, collector } = makeEngine(w, { num_gpu_blocks: cap });
    e.receive(0);
    let now = 0;
    const ends: number[] = [];
    while (e.hasWork()) {
      now = e.executePass(now);
      ends.push(now);
      if (ends.length <= 2) expect(collector.tokens[0]).toBe(0);
    }
    expect(ends.length).toBe(5);
    expect(ends[0]).toBeCloseTo(polyPrefill(8192), 9);
    expect(ends[1]).toBeCloseTo(2 * polyPrefill(8192), 9);
    const first = 2 * polyPrefill(8192) + polyPrefill(20_000 - 16_384) + polyDecode(20_000 / cap);
    expect(collector.first[0]).toBeCloseTo(first, 9);
    expect(collector.tokens[0]).toBe(3);
    expect(e.cache.evictable).toBe(20_003);
  });

  it('re-prefills cached tokens past the first chunk like Dynamo; matchBeforeChunk skips them', () => {
    const cap = 100_000;
    const reqs = [{ at: 0, input: 20_000, output: 3 }, { at: 100_000, input: 20_000, output: 3 }];
    const content = Array.from({ length: Math.ceil(20_000 / 64) }, (_, i) => 500 + i);
    const w = makeWorkload(reqs.map((r) => ({ ...r, content })));
    const dyn = runSglang(w, { engine: { num_gpu_blocks: cap } });
    // chunk 1 is all cached (no prefill time), chunks 2 and 3 are recomputed
    const ttftDyn = polyPrefill(8192) + polyPrefill(20_000 - 16_384) + polyDecode(20_000 / cap);
    expect(dyn.collector.first[1]! - dyn.collector.arrival[1]!).toBeCloseTo(ttftDyn, 9);
    expect(dyn.collector.reused[1]).toBe(8192);
    const real = runSglang(w, { engine: { num_gpu_blocks: cap }, matchBeforeChunk: true });
    expect(real.collector.first[1]! - real.collector.arrival[1]!).toBeCloseTo(polyDecode(20_000 / cap), 9);
    expect(real.collector.reused[1]).toBe(20_000);
  });

  for (const page of [1, 16]) {
    it(`retracts under memory pressure, finishes everything and conserves slots (page ${page})`, () => {
      const reqs = Array.from({ length: 40 }, (_, i) => ({ at: i * 5, input: 200 + (i % 7) * 37, output: 150 + (i % 5) * 61 }));
      const w = makeWorkload(reqs);
      const capTokens = 3200;
      const { report, engines } = runSglang(w, { engine: { block_size: page, num_gpu_blocks: capTokens / page } });
      expect(report.completed_requests).toBe(40);
      expect(report.num_preemptions).toBeGreaterThan(0);
      expect(engines[0]!.retractionPasses).toBeGreaterThan(0);
      expect(engines[0]!.check()).toBeNull();
      expect(engines[0]!.activeBlocks()).toBe(0);
    });
  }

  it('fits a request needing exactly the whole pool', () => {
    const w = makeWorkload([{ at: 0, input: 90, output: 10 }, { at: 1, input: 50, output: 5 }]);
    const { report } = runSglang(w, { engine: { num_gpu_blocks: 100 } });
    expect(report.completed_requests).toBe(2);
  });

  it('decays new_token_ratio from 0.7×conservativeness to 0.14× of that over 600 passes', () => {
    const w = makeWorkload([{ at: 0, input: 100, output: 800 }]);
    const { e } = makeEngine(w, { num_gpu_blocks: 10_000, sglang: { schedule_conservativeness: 2 } });
    expect(e.initNewTokenRatio).toBeCloseTo(1.4, 12);
    expect(e.minNewTokenRatio).toBeCloseTo(1.4 * 0.14, 12);
    const step = (1.4 - 1.4 * 0.14) / 600;
    e.receive(0);
    let now = e.executePass(0);
    expect(e.newTokenRatio).toBeCloseTo(1.4 - step, 12);
    for (let i = 1; i < 300; i++) now = e.executePass(now);
    expect(e.newTokenRatio).toBeCloseTo(1.4 - 300 * step, 9);
    for (let i = 300; i < 700; i++) now = e.executePass(now);
    expect(e.newTokenRatio).toBe(e.minNewTokenRatio);
  });

  it('resets new_token_ratio when it retracts', () => {
    const reqs = Array.from({ length: 30 }, (_, i) => ({ at: 0, input: 200 + (i % 7) * 37, output: 150 + (i % 5) * 61 }));
    const w = makeWorkload(reqs);
    const { e, table } = makeEngine(w, { num_gpu_blocks: 3000 });
    for (let r = 0; r < w.count; r++) e.receive(r);
    let now = 0;
    let resets = 0;
    let passes = 0;
    while (e.hasWork() && passes++ < 100_000) {
      const before = e.retractionPasses;
      now = e.executePass(now);
      if (e.retractionPasses > before) {
        resets++;
        expect(e.newTokenRatio).toBeCloseTo(e.initNewTokenRatio - (e.initNewTokenRatio - e.minNewTokenRatio) / 600, 12);
      }
    }
    expect(resets).toBeGreaterThan(0);
    for (let r = 0; r < w.count; r++) expect(table.status[r]).toBe(ST_DONE);
  });

  it('publishes Stored for a cached prompt\'s router blocks and Removed when it is evicted', () => {
    const w = makeWorkload([
      { at: 0, input: 256, output: 2, content: [1, 2, 3, 4] },
      { at: 0, input: 300, output: 2, content: [5, 6, 7, 8, 9] },
    ]);
    const { e, log, blocks } = makeEngine(w, { num_gpu_blocks: 400 }, true);
    const ids0 = promptBlockIds(blocks, 0);
    expect(ids0.length).toBe(4);
    e.receive(0);
    let now = e.executePass(0); // prefill + first token: prompt inserted
    expect(events(log!, KV_STORED)).toEqual(ids0);
    expect(events(log!, KV_REMOVED)).toEqual([]);
    log!.clear();
    now = e.executePass(now); // last token: the sequence stays cached, nothing new for the router
    expect(log!.length).toBe(0);
    e.receive(1);
    now = e.executePass(now); // needs 300 of 400 slots: evicts request 0's cached sequence
    expect(events(log!, KV_REMOVED)).toEqual(ids0);
    expect(events(log!, KV_STORED)).toEqual(promptBlockIds(blocks, 1));
  });

  it('stores each router block once when two identical prompts are prefilled together', () => {
    const content = [1, 2, 3, 4];
    const w = makeWorkload([{ at: 0, input: 256, output: 3, content }, { at: 0, input: 256, output: 3, content }]);
    const { e, log, blocks } = makeEngine(w, { num_gpu_blocks: 10_000 }, true);
    e.receive(0);
    e.receive(1);
    let now = 0;
    while (e.hasWork()) now = e.executePass(now);
    expect(events(log!, KV_STORED)).toEqual(promptBlockIds(blocks, 0));
    expect(e.cache.treeTokens).toBe(256 + 3 + 3);
  });

  it('lets the KV router find a worker\'s cached prompt', () => {
    const content = Array.from({ length: 32 }, (_, i) => 100 + i);
    const w = makeWorkload([
      { at: 0, input: 2048, output: 8, content },
      { at: 5, input: 1024, output: 8 },
      { at: 5000, input: 2048, output: 8, content },
    ]);
    const { table, collector } = runSglang(w, { workers: 4, router: 'kv', engine: { num_gpu_blocks: 100_000 } });
    expect(table.worker[2]).toBe(table.worker[0]);
    expect(collector.reused[2]).toBe(2048);
  });

  it('orders the waiting queue by longest cached prefix under lpm', () => {
    const shared = Array.from({ length: 16 }, (_, i) => 300 + i);
    const reqs = [
      { at: 0, input: 1024, output: 4, content: shared },
      ...Array.from({ length: 12 }, (_, i) => ({ at: 100 + i, input: 1024, output: 50 + i })),
      { at: 200, input: 1024, output: 4, content: shared },
    ];
    const w = makeWorkload(reqs);
    for (const policy of ['fifo', 'lpm'] as const) {
      const { report } = runSglang(w, { engine: { num_gpu_blocks: 6000, sglang: { schedule_policy: policy } } });
      expect(report.completed_requests).toBe(reqs.length);
    }
  });

  it('keeps its invariants on random tight-memory workloads (chunking, pages, lpm, kv events)', () => {
    for (let seed = 1; seed <= 24; seed++) {
      const rng = new Prng(seed);
      const page = [1, 4, 16][seed % 3]!;
      const n = 30 + rng.nextInt(30);
      const pool = Array.from({ length: 6 }, (_, i) => 9000 + i);
      const reqs = Array.from({ length: n }, () => {
        const input = 1 + rng.nextInt(2500);
        const blocks = Math.ceil(input / 64);
        const shared = rng.nextInt(3);
        const content = Array.from({ length: blocks }, (_, k) => (k < shared * 3 ? pool[(k + shared) % pool.length]! : 100_000 + rng.nextInt(1 << 30)));
        return { at: rng.nextInt(2000), input, output: 1 + rng.nextInt(300), content };
      }).sort((a, b) => a.at - b.at);
      const w = makeWorkload(reqs);
      const { report } = runSglang(w, {
        workers: 1 + (seed % 2),
        router: seed % 4 < 2 ? 'kv' : 'round_robin',
        matchBeforeChunk: seed % 5 === 0,
        engine: {
          block_size: page,
          num_gpu_blocks: Math.ceil(3200 / page),
          sglang: { chunked_prefill_size: 512, max_prefill_tokens: seed % 6 === 0 ? 256 : 1024, schedule_policy: seed % 3 === 1 ? 'lpm' : 'fifo' },
        },
      });
      expect(report.completed_requests + report.rejected_requests).toBe(n);
    }
    console.log('fuzz coverage', JSON.stringify(stats));
  });

  it('is deterministic', () => {
    const w = synthetic(300, 4096, 128, 40);
    const a = runSglang(w, { workers: 4, router: 'kv', engine: { num_gpu_blocks: 60_000 } });
    const b = runSglang(w, { workers: 4, router: 'kv', engine: { num_gpu_blocks: 60_000 } });
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
    expect(a.passes).toBe(b.passes);
  });

  it('replays a conversation-like workload quickly (timing printed)', () => {
    const w = synthetic(2000, 12_288, 350, 100);
    const t0 = performance.now();
    const { report, passes } = runSglang(w, { workers: 8, engine: { num_gpu_blocks: 400_000 }, checked: false });
    const ms = performance.now() - t0;
    console.log(`sglang speed: 2000 requests × 12k prompts, 8 workers: ${ms.toFixed(0)} ms, ${passes} passes, `
      + `mean TTFT ${report.mean_ttft_ms!.toFixed(1)} ms, reuse ${report.prefix_cache_reused_ratio!.toFixed(3)}`);
    expect(report.completed_requests).toBe(2000);
  });
});

/** n single-turn requests of `isl` tokens (512-token content blocks, the first one shared), `osl` outputs. */
function synthetic(n: number, isl: number, osl: number, gapMs: number): Workload {
  const W = 512;
  const per = Math.ceil(isl / W);
  const contentIds = new Uint32Array(n * per);
  const contentStart = new Int32Array(n + 1);
  let next = 1;
  for (let i = 0; i < n; i++) {
    contentStart[i] = i * per;
    contentIds[i * per] = 0;
    for (let k = 1; k < per; k++) contentIds[i * per + k] = next++;
  }
  contentStart[n] = n * per;
  return {
    name: 'synthetic-conversation',
    count: n,
    sessions: n,
    sessionStart: Int32Array.from({ length: n + 1 }, (_, i) => i),
    timeMs: Float64Array.from({ length: n }, (_, i) => i * gapMs),
    inputLength: new Int32Array(n).fill(isl),
    outputLength: new Int32Array(n).fill(osl),
    contentStart,
    contentIds,
    blockSize: W,
    sourceLine: new Int32Array(n),
  };
}
