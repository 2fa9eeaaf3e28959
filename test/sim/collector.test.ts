import { describe, expect, it } from 'vitest';
import { Collector } from '../../sim/metrics/collector.js';
import { buildReport } from '../../sim/metrics/report.js';
import { distOf, rankIndex, weightedDistOf } from '../../sim/metrics/stats.js';

describe('collector and report', () => {
  it('reproduces Dynamo\'s ITL test vector (tokens at 10, 11, 12, 110)', () => {
    const c = new Collector(1, 1);
    c.onArrival(0, 0);
    c.onAdmit(0, 0, 0);
    for (const t of [10, 11, 12, 110]) c.onToken(0, t, 0);
    const rep = buildReport(c, { inputLength: Int32Array.of(8), outputLength: Int32Array.of(4), preemptions: Int32Array.of(0), workers: 1, gpusPerWorker: 1 });
    expect(rep.mean_tpot_ms).toBeCloseTo(100 / 3, 9);
    expect(rep.mean_itl_ms).toBeCloseTo(100 / 3, 9);
    expect(rep.median_itl_ms).toBe(1);
    expect(rep.p75_itl_ms).toBe(98);
    expect(rep.p90_itl_ms).toBe(98);
    expect(rep.p95_itl_ms).toBe(98);
    expect(rep.max_itl_ms).toBe(98);
    expect(rep.min_ttst_ms).toBe(1);
    expect(rep.max_ttst_ms).toBe(1);
    expect(rep.min_output_token_throughput_per_user).toBeCloseTo(1000 / 98, 9);
    expect(rep.max_output_token_throughput_per_user).toBe(1000);
    expect(rep.mean_ttft_ms).toBe(10);
    expect(rep.duration_ms).toBe(110);
  });

  it('excludes requests never admitted or without tokens, and counts rejections', () => {
    const c = new Collector(3, 1);
    c.onArrival(0, 0);
    c.onArrival(1, 0);
    c.onArrival(2, 0);
    c.onReject(2);
    c.onAdmit(0, 0, 4);
    c.onToken(0, 5, 0);
    const rep = buildReport(c, { inputLength: Int32Array.of(8, 8, 8), outputLength: Int32Array.of(1, 1, 1), preemptions: new Int32Array(3), workers: 2, gpusPerWorker: 4, sla: { ttftMs: 10 } });
    expect(rep.num_requests).toBe(3);
    expect(rep.completed_requests).toBe(1);
    expect(rep.rejected_requests).toBe(1);
    expect(rep.prefix_cache_reused_ratio).toBe(0.5);
    expect(rep.gpu_seconds).toBeCloseTo(8 * 0.005, 12);
    expect(rep.goodput_requests).toBe(1);
  });

  it('uses nearest-rank percentiles and population std', () => {
    expect(rankIndex(4, 75)).toBe(2);
    const d = distOf(Float64Array.of(4, 1, 3, 2), 4);
    expect(d.median).toBe(3); // round(1.5) = 2 → sorted[2]
    expect(d.std).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it('gives the same weighted distribution however a multiset is split into runs', () => {
    const a = weightedDistOf(Float64Array.of(2, 1, 2, 3), Float64Array.of(2, 1, 1, 4), 4);
    const b = weightedDistOf(Float64Array.of(3, 2, 1), Float64Array.of(4, 3, 1), 3);
    expect(a).toEqual(b);
    const expanded = distOf(Float64Array.of(1, 2, 2, 2, 3, 3, 3, 3), 8);
    expect(a.median).toBe(expanded.median);
    expect(a.p90).toBe(expanded.p90);
    expect(a.mean).toBeCloseTo(expanded.mean, 12);
  });
});

describe('radix sort order', () => {
  it('orders quantised gaps like a comparator sort, stably, and falls back for other values', async () => {
    const { sortOrder } = await import('../../sim/metrics/radix-order.js');
    const { Prng } = await import('../../sim/core/prng.js');
    const rng = new Prng(3);
    for (const scale of [0.05, 40, 5e6]) {
      const n = 5000;
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Math.round(rng.next() * scale * 1e6) / 1e6;
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]! || a - b);
      expect(Array.from(sortOrder(v, n))).toEqual(expected);
    }
    const odd = Float64Array.of(0.1234567891, -1, 3);
    expect(Array.from(sortOrder(odd, 3))).toEqual([1, 0, 2]);
  });
});
