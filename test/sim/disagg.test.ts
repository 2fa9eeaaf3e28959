import { describe, expect, it } from 'vitest';
import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { reportJson } from '../../sim/metrics/report.js';
import { polyDecode, polyPrefill } from '../../sim/timing/dynamo-poly.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { replay } from '../helpers/replay.js';
import { makeWorkload } from '../helpers/workloads.js';

const disagg = (p: number, d: number, engine: Parameters<typeof resolveEngineArgs>[0], bw: number | null, bpt: number | null) => ({
  prefillWorkers: p, decodeWorkers: d,
  prefillEngine: resolveEngineArgs(engine), decodeEngine: resolveEngineArgs(engine),
  kvTransferBandwidthGBs: bw, kvBytesPerToken: bpt,
});

describe('disaggregated prefill/decode', () => {
  it('hands the KV cache over after isl × bytes ÷ bandwidth: 8 tokens × 1e6 B at 1 GB/s = 8 ms', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 2 }], 4);
    const engine = { block_size: 4, num_gpu_blocks: 32, speedup_ratio: 0 };
    const { report } = replay(w, { disagg: disagg(1, 1, engine, 1, 1e6) });
    // prefill pass: P(8), no decode time; handoff 8 ms; decode pass: no prefill time, D(usage)
    const decode1 = polyDecode((2 * 4) / 128); // 2 prompt blocks active on the decode worker
    expect(report.mean_ttft_ms).toBeCloseTo(polyPrefill(8) + 8 + decode1, 6);
    const noTransfer = replay(w, { disagg: disagg(1, 1, engine, null, null) }).report;
    expect(report.mean_ttft_ms! - noTransfer.mean_ttft_ms!).toBeCloseTo(8, 9);
  });

  it('reports only what the decode side emits: every output token once, TTFT including prefill and handoff', () => {
    const reqs = Array.from({ length: 60 }, (_, i) => ({ at: i * 20, input: 300 + (i % 5) * 64, output: 20 + (i % 7) }));
    const w = makeWorkload(reqs, 64);
    const { report, requests } = replay(w, { router: 'kv', disagg: disagg(2, 3, {}, 64, 131072) });
    expect(report.completed_requests).toBe(60);
    expect(report.total_output_tokens).toBe(reqs.reduce((s, r) => s + r.output, 0));
    expect(report.kv_handoffs).toBe(60);
    expect(report.num_prefill_workers).toBe(2);
    expect(report.num_decode_workers).toBe(3);
    for (let r = 0; r < 60; r++) {
      expect(requests.worker[r]).toBeGreaterThanOrEqual(2); // last ran on a decode worker
      expect(requests.firstAdmitMs[r]!).toBeLessThan(requests.firstTokenMs[r]!);
    }
    const agg = replay(w, { workers: 5, router: 'kv' }).report;
    expect(report.mean_ttft_ms).toBeGreaterThan(agg.mean_ttft_ms!); // the handoff costs time at this light load
  });

  it('is deterministic with every router', () => {
    const w = generateSynthetic({ requests: 200, isl: 2000, osl: 80, arrival: { kind: 'poisson', ratePerSec: 10 }, sharedPrefixRatio: 0.5, numPrefixGroups: 4 });
    for (const router of ['round_robin', 'random', 'kv'] as const) {
      const a = reportJson(replay(w, { router, seed: 3, disagg: disagg(2, 2, {}, 50, 262144) }).report);
      expect(reportJson(replay(w, { router, seed: 3, disagg: disagg(2, 2, {}, 50, 262144) }).report)).toBe(a);
    }
  });

  it('rejects mismatched pools', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 2 }], 4);
    const bad = { ...disagg(1, 1, { block_size: 16 }, 1, 1), decodeEngine: resolveEngineArgs({ block_size: 32 }) };
    expect(() => replay(w, { disagg: bad })).toThrow(/equal KV block sizes: prefill 16, decode 32/);
    expect(() => replay(w, { disagg: disagg(0, 1, {}, 1, 1) })).toThrow(/at least one of each pool/);
  });
});
