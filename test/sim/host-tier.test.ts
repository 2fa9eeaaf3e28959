import { describe, expect, it } from 'vitest';
import { reportJson } from '../../sim/metrics/report.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { createRooflineModel } from '../../sim/timing/roofline.js';
import { replay } from '../helpers/replay.js';
import { makeWorkload } from '../helpers/workloads.js';
import { polyDecode } from '../../sim/timing/dynamo-poly.js';
import { resolvePlannerConfig } from '../../sim/planner/planner-config.js';

const timing = createRooflineModel({ gpu: 'h200_sxm', model: 'qwen3-32b', tp: 2, weightDtype: 'bf16', kvDtype: 'bf16' });
const chat = generateSynthetic({ requests: 120, isl: 2000, osl: 100, arrival: { kind: 'poisson', ratePerSec: 1 }, turnsPerSession: 3, interTurnDelayMs: 5000 });
const run = (gpuBlocks: number, hostBlocks: number, fastForward = true) => replay(chat, {
  workers: 2, router: 'kv', timing, fastForward,
  engine: { num_gpu_blocks: gpuBlocks, num_g2_blocks: hostBlocks, kv_bytes_per_token: 262144 },
});

describe('host-memory KV tier', () => {
  it('lowers TTFT when GPU KV is under pressure', () => {
    const without = run(700, 0).report;
    const withHost = run(700, 16384).report;
    expect(withHost.completed_requests).toBe(360);
    expect(withHost.prefix_cache_reused_ratio).toBeGreaterThan(without.prefix_cache_reused_ratio! + 0.03);
    expect(withHost.mean_ttft_ms).toBeLessThan(without.mean_ttft_ms! * 0.95);
  });

  it('changes nothing when GPU KV is not under pressure', () => {
    expect(reportJson(run(20000, 16384).report)).toBe(reportJson(run(20000, 0).report));
  });

  it('is exact with fast-forwarding and deterministic', () => {
    expect(reportJson(run(700, 16384, false).report)).toBe(reportJson(run(700, 16384, true).report));
  });

  it('loads a prefix back instead of recomputing it: the wait is blocks × block bytes ÷ bandwidth', () => {
    // two 512-token prompts with the same content, the first evicted from a 10-block GPU pool by a third
    const shared = [5, 6, 7, 8, 9, 10, 11, 12];
    const w = makeWorkload([
      { at: 0, input: 512, output: 1, content: shared },
      { at: 1000, input: 576, output: 1 },
      { at: 2000, input: 512, output: 1, content: shared },
    ], 64);
    const engine = { block_size: 64, num_gpu_blocks: 10, speedup_ratio: 0, kv_bytes_per_token: 1_000_000 / 64, num_g2_blocks: 64, bandwidth_g2_to_g1_gbps: 1 };
    const { report, requests } = replay(w, { engine });
    // 8 blocks × 1 MB at 1 GB/s = 8 ms of loading, then a fully cached prompt: no prefill, one decode
    // step at 8 of 10 blocks in use (recomputing would cost P(512) instead of 8 ms)
    const ttft = requests.firstTokenMs[2]! - requests.arrivalMs[2]!;
    expect(ttft).toBeCloseTo(8 + polyDecode(0.8), 9);
    expect(report.prefix_cache_reused_ratio).toBeCloseTo(512 / (512 + 576 + 512), 9);
  });

  it('needs the KV size of a token and the vllm engine', () => {
    const w = makeWorkload([{ at: 0, input: 64, output: 1 }], 64);
    expect(() => replay(w, { engine: { num_g2_blocks: 8 } })).toThrow(/kv_bytes_per_token/);
    expect(() => replay(w, { engine: { engine_type: 'sglang', num_g2_blocks: 8, kv_bytes_per_token: 10 } })).toThrow(/num_g2_blocks needs the vllm engine/);
  });
});

describe('kv router credit for host-tier hits', () => {
  it('counts a worker\'s host-memory run after its GPU-cached prefix and credits it', async () => {
    const { KvIndexer } = await import('../../sim/router/kv-indexer.js');
    const { buildPromptBlocks } = await import('../../sim/workload/prompt-blocks.js');
    const { KvEventLog, KV_STORED, KV_HOST_STORED } = await import('../../sim/contracts/kv-events.js');
    const w = makeWorkload([{ at: 0, input: 256, output: 1, content: [1, 2, 3, 4] }], 64);
    const pb = buildPromptBlocks(w, 64);
    const idx = new KvIndexer(pb, 2);
    const log = new KvEventLog();
    const ids = Array.from(pb.ids);
    log.push(KV_STORED, ids[0]!);
    log.push(KV_HOST_STORED, ids[1]!);
    log.push(KV_HOST_STORED, ids[2]!);
    idx.apply(1, log);
    const out = new Int32Array(2);
    idx.overlaps(0, out);
    expect(Array.from(out)).toEqual([0, 1]);
    expect(idx.hostRun(0, 1, 1)).toBe(2);
    expect(idx.hostRun(0, 0, 0)).toBe(0);
  });
});

describe('draining a worker with a host-tier load in flight', () => {
  it('keeps the worker until the load lands and its request finishes', () => {
    const shared = [5, 6, 7, 8, 9, 10, 11, 12];
    // round robin: even requests to worker 0, odd ones to worker 1, the one the planner removes
    const w = makeWorkload([
      { at: 0, input: 64, output: 1 },
      { at: 100, input: 512, output: 1, content: shared },
      { at: 1000, input: 64, output: 1 },
      { at: 1100, input: 576, output: 1 }, // evicts the shared prefix from worker 1's 10 GPU blocks to host memory
      { at: 2000, input: 64, output: 1 },
      { at: 2100, input: 512, output: 1, content: shared }, // loads 8 blocks back: 8 MB at 2 MB/s = 4 s
    ], 64);
    const engine = { block_size: 64, num_gpu_blocks: 10, speedup_ratio: 0, kv_bytes_per_token: 1_000_000 / 64, num_g2_blocks: 64, bandwidth_g2_to_g1_gbps: 0.002 };
    const { report, requests } = replay(w, {
      workers: 2, router: 'round_robin', engine,
      planner: { policy: { name: 'scripted', decide: (o) => ({ workers: o.nowMs >= 3000 ? 1 : 2 }) }, config: resolvePlannerConfig({ load_adjustment_interval: 1, max_gpu_budget: 8 }, 1, null) },
    });
    expect(requests.worker[5]).toBe(1);
    expect(report.completed_requests).toBe(6);
    expect(report.scale_down_events).toBe(1);
    // the load took 4 s and the request then ran on the draining worker
    expect(requests.firstTokenMs[5]! - requests.arrivalMs[5]!).toBeGreaterThanOrEqual(4000);
  });

  it('loses nothing when a planner scales up and down all through a host-tier chat, fast-forwarded or not', () => {
    const flapping = (fastForward: boolean) => replay(chat, {
      workers: 2, router: 'kv', timing, fastForward,
      engine: { num_gpu_blocks: 700, num_g2_blocks: 16384, kv_bytes_per_token: 262144, bandwidth_g2_to_g1_gbps: 0.05 },
      planner: { policy: { name: 'flapping', decide: (o) => ({ workers: 1 + (Math.floor(o.nowMs / 7000) % 3) }) }, config: resolvePlannerConfig({ load_adjustment_interval: 1, max_gpu_budget: 16 }, 2, null) },
    }).report;
    const ff = flapping(true);
    expect(ff.completed_requests).toBe(360);
    expect(ff.scale_down_events).toBeGreaterThan(5);
    expect(reportJson(flapping(false))).toBe(reportJson(ff));
  });
});
