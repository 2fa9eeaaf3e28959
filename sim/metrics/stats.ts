import { sortOrder } from './radix-order.js';

/** Summary of a distribution as Dynamo reports it: nearest-rank percentiles, population std. */
export interface Dist {
  mean: number;
  min: number;
  max: number;
  median: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  std: number;
}

export const DIST_KEYS = ['mean', 'min', 'max', 'median', 'p75', 'p90', 'p95', 'p99', 'std'] as const;

const EMPTY: Dist = { mean: 0, min: 0, max: 0, median: 0, p75: 0, p90: 0, p95: 0, p99: 0, std: 0 };

/** Index of the p-th percentile by nearest rank over n sorted values: round((n-1)·p/100). */
export function rankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.round(((n - 1) * p) / 100));
}

/** Distribution of the first n values (the array is sorted in place). */
export function distOf(values: Float64Array, n: number): Dist {
  if (n === 0) return { ...EMPTY };
  const v = values.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (v[i]! - mean) * (v[i]! - mean);
  const at = (p: number): number => v[rankIndex(n, p)]!;
  return { mean, min: v[0]!, max: v[n - 1]!, median: at(50), p75: at(75), p90: at(90), p95: at(95), p99: at(99), std: Math.sqrt(sq / n) };
}

/**
 * Distribution of a multiset given as (value, count) runs; identical to expanding every run, and
 * independent of how the multiset was split into runs (sums run over distinct values in order).
 * `transform` maps each value before summarising (it must be monotone: increasing or decreasing);
 * values it maps to NaN are left out.
 */
export function weightedDistOf(values: Float64Array, counts: Float64Array, runs: number, transform?: (v: number) => number,
  order: Int32Array = sortOrder(values, runs)): Dist {
  const v = new Float64Array(runs), c = new Float64Array(runs);
  let m = 0, n = 0;
  for (let i = 0; i < runs; i++) {
    const idx = order[i]!;
    const cnt = counts[idx]!;
    const x = transform ? transform(values[idx]!) : values[idx]!;
    if (cnt === 0 || Number.isNaN(x)) continue;
    if (m > 0 && v[m - 1] === x) c[m - 1]! += cnt;
    else {
      v[m] = x;
      c[m++] = cnt;
    }
    n += cnt;
  }
  if (n === 0) return { ...EMPTY };
  if (m > 1 && v[0]! > v[m - 1]!) {
    v.subarray(0, m).reverse();
    c.subarray(0, m).reverse();
  }
  let sum = 0;
  for (let i = 0; i < m; i++) sum += v[i]! * c[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < m; i++) sq += c[i]! * (v[i]! - mean) * (v[i]! - mean);
  const ps = [50, 75, 90, 95, 99];
  const out = ps.map(() => 0);
  const targets = ps.map((p) => rankIndex(n, p));
  let seen = 0, k = 0;
  for (let i = 0; i < m && k < ps.length; i++) {
    seen += c[i]!;
    while (k < ps.length && targets[k]! < seen) out[k++] = v[i]!;
  }
  return { mean, min: v[0]!, max: v[m - 1]!, median: out[0]!, p75: out[1]!, p90: out[2]!, p95: out[3]!, p99: out[4]!, std: Math.sqrt(sq / n) };
}
