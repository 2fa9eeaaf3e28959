import { describe, expect, it } from 'vitest';
import { KvEventLog } from '../../sim/contracts/kv-events.js';
import type { Engine } from '../../sim/engine/engine.js';
import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { emptyLoad } from '../../sim/engine/pass-stats.js';
import { RequestTable } from '../../sim/engine/request-table.js';
import { SglangEngine } from '../../sim/engine/sglang-engine.js';
import { VllmEngine } from '../../sim/engine/vllm-engine.js';
import { Collector } from '../../sim/metrics/collector.js';
import { createRooflineModel } from '../../sim/timing/roofline.js';
import { buildPromptBlocks } from '../../sim/workload/prompt-blocks.js';
import type { Workload } from '../../sim/workload/workload.js';
import { makeWorkload } from '../helpers/workloads.js';

/**
 * What every engine must do, whatever its scheduler: each engine kind (vLLM, SGLang, TensorRT-LLM's
 * in-flight batching, vLLM with a host-memory tier) runs the same checks, driven alone, pass by pass.
 * A new engine joins by adding its factory to ENGINES.
 */

const timing = createRooflineModel({ gpu: 'h100_sxm', model: 'llama-3.1-8b', tp: 1, weightDtype: 'bf16', kvDtype: 'bf16' });
type Args = Parameters<typeof resolveEngineArgs>[0];

interface Harness {
  engine: Engine;
  collector: Collector;
  w: Workload;
}

const ENGINES: Record<string, (w: Workload, args: Args) => Harness> = {
  vllm: (w, a) => vllm(w, a),
  trtllm: (w, a) => vllm(w, { ...a, engine_type: 'trtllm' }),
  'vllm + host tier': (w, a) => vllm(w, { ...a, num_g2_blocks: 4096, kv_bytes_per_token: 131072 }),
  sglang: (w, a) => {
    const args = resolveEngineArgs({ ...a, engine_type: 'sglang' });
    const blocks = buildPromptBlocks(w, args.block_size);
    const table = new RequestTable(w, blocks, args.enable_prefix_caching);
    const collector = new Collector(w.count, 1);
    return { engine: new SglangEngine(0, args, table, timing, collector, new KvEventLog(), w, blocks), collector, w };
  },
};

function vllm(w: Workload, a: Args): Harness {
  const args = resolveEngineArgs(a);
  const table = new RequestTable(w, buildPromptBlocks(w, args.block_size), args.enable_prefix_caching);
  const collector = new Collector(w.count, 1);
  return { engine: new VllmEngine(0, args, table, timing, collector, new KvEventLog()), collector, w };
}

/** Runs the engine alone until it has nothing left (or `maxPasses`), as the cluster would; returns the clock. */
function drive(h: Harness, now: number, maxPasses = Infinity): { now: number; done: Set<number> } {
  const e = h.engine;
  const done = new Set<number>();
  let passes = 0;
  while (passes < maxPasses) {
    if (!e.hasWork()) {
      // work waiting on the engine's own clock (a KV copy) comes back through its timers
      const t = e.timers?.wakeAt() ?? Infinity;
      if (t === Infinity) break;
      now = Math.max(now, t);
      e.timers!.wake(now);
      continue;
    }
    const end = e.executePass(now);
    expect(end).toBeGreaterThanOrEqual(now);
    expect(e.lastPassStart).toBeGreaterThanOrEqual(now);
    e.fastForwarding?.settle();
    for (let i = 0; i < e.out.length; i++) if (e.out.done[i]) done.add(e.out.requests[i]!);
    e.out.reset();
    if (e.kvEvents) e.kvEvents.clear();
    now = end;
    passes++;
  }
  return { now, done };
}

const workload = (): Workload => makeWorkload(Array.from({ length: 24 }, (_, i) => ({
  at: 0,
  input: 300 + 97 * (i % 7),
  output: 5 + (i % 4) * 9,
  // a third of the prompts share a prefix, so caches and their events have work to do
  content: i % 3 === 0 ? [11, 12, 13, ...Array.from({ length: 8 }, (_, k) => 5000 + 20 * i + k)] : undefined,
})), 64);

describe.each(Object.keys(ENGINES))('engine conformance: %s', (kind) => {
  const make = (args: Args = {}) => ENGINES[kind]!(workload(), { block_size: 64, num_gpu_blocks: 2000, ...args });

  it('reports what it received before any pass', () => {
    const h = make();
    for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
    const load = emptyLoad();
    h.engine.load(load);
    expect(load.waiting + load.running).toBe(h.w.count);
    let prompt = 0;
    for (let r = 0; r < h.w.count; r++) prompt += h.w.inputLength[r]!;
    expect(load.queuedPrefillTokens).toBe(prompt);
    expect(load.capacityKvTokens).toBeGreaterThan(0);
    expect(load.usedKvTokens).toBe(0); // nothing computed before the first pass
    expect(h.engine.hasWork()).toBe(true);
    expect(h.engine.drained()).toBe(false);
  });

  it('finishes every request exactly once with all its tokens, then holds nothing', () => {
    const h = make();
    for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
    const { done } = drive(h, 0);
    expect(done.size).toBe(h.w.count);
    for (let r = 0; r < h.w.count; r++) expect(h.collector.tokens[r]).toBe(h.w.outputLength[r]);
    expect(h.engine.hasWork()).toBe(false);
    expect(h.engine.drained()).toBe(true);
    const load = emptyLoad();
    h.engine.load(load);
    expect(load.usedKvTokens).toBe(0); // cached blocks may stay, none referenced
    expect(h.engine.check()).toBeNull();
    expect(h.engine.passCount).toBeGreaterThan(0);
    expect(h.engine.stats.passes).toBe(h.engine.passCount);
  });

  it('publishes KV events for the blocks it caches', () => {
    const h = make();
    for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
    h.engine.executePass(0);
    expect(h.engine.kvEvents!.length).toBeGreaterThan(0);
  });

  it('under KV pressure still finishes everything (preempting or holding back, never losing a request)', () => {
    const h = make({ num_gpu_blocks: 60 });
    for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
    const { done } = drive(h, 0);
    expect(done.size).toBe(h.w.count);
    expect(h.engine.check()).toBeNull();
  });

  it('gives up every unfinished request when the worker fails, and is empty after', () => {
    const h = make();
    for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
    const { done } = drive(h, 0, 6);
    const lost = { tokens: 0 };
    const moved = h.engine.evacuate(lost);
    expect(new Set(moved).size).toBe(moved.length);
    expect(moved.length + done.size).toBe(h.w.count);
    for (const r of moved) expect(done.has(r)).toBe(false);
    expect(lost.tokens).toBeGreaterThan(0);
    // nothing left to run; its KV blocks go with the failed worker (the cluster drops the engine)
    expect(h.engine.hasWork()).toBe(false);
    expect(h.engine.drained()).toBe(true);
  });

  it('runs the same requests to the same results every time', () => {
    const run = (): number[] => {
      const h = make();
      for (let r = 0; r < h.w.count; r++) h.engine.receive(r);
      const { now } = drive(h, 0);
      return [now, h.engine.passCount, ...h.collector.tokens];
    };
    expect(run()).toEqual(run());
  });
});
