/**
 * Paired comparisons over seed replicas: whether a candidate is better or worse than a reference on one
 * metric of one scenario, judged against noise that is measured, not assumed (docs/search.md).
 *
 * Both policies run the same k replicas of a scenario (replica i: tie-break seed and arrival jitter i),
 * so replica i of one is paired with replica i of the other. The per-replica relative improvement
 * d_i = (ref_i − cand_i)/ref_i (for a metric to minimise; the other way round to maximise) has mean d̄
 * and standard error SE = max(s_d, σ_floor)/√k, where s_d is the pair's own spread over replicas and
 * σ_floor = √2 × the baseline's relative standard deviation over its replicas (what the seed alone moves
 * the metric by; √2 because a difference carries the noise of two runs). Taking the larger of the two
 * keeps a lucky, tight sample of k = 4 from passing for certainty. z = d̄/SE; a difference counts when
 * |z| > Z_CRITICAL and |d̄| exceeds the objective's smallest meaningful change.
 */

/** Samples of one candidate: scenario → metric → one value per replica (replica order). */
export type ScenarioSamples = Record<string, Record<string, number[]>>;

/**
 * |z| beyond which a paired difference counts. A search makes hundreds of comparisons (candidates ×
 * scenarios × metrics), and with 4 replicas the pair's own spread is a rough estimate, so the tails are
 * far heavier than normal: simulated A/A pairs (4 replicas, floor from 8) exceed |z| 3.5 in 0.28 % of
 * comparisons, 5 in 0.025 % (test/harness/paired.test.ts). At 5, an A/A search of 50 candidates on 6
 * coordinates expects about 0.04 false "better" calls, while a change of 3.5 × the baseline's relative
 * spread (≈ 2.6 % on p95 TTFT, whose spread is ≈ 0.75 %) is still detected with 4 replicas.
 */
export const Z_CRITICAL = 5;

/** z of a two-sided 95 % interval, for the ± shown in reports. */
const Z_95 = 1.96;

export type Call = 'better' | 'worse' | 'tie';

export interface PairedDifference {
  /** Mean relative improvement of the candidate over the reference (> 0: candidate better). */
  mean: number;
  /** Half-width of the 95 % interval of `mean`. */
  ci95: number;
  /** mean / standard error (Infinity when both are exact and differ). */
  z: number;
  call: Call;
  /** Replicas paired. */
  n: number;
}

/** Relative standard deviation of a sample (0 for fewer than two values or a zero mean). */
export function relativeSd(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite);
  if (v.length < 2) return 0;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (mean === 0) return 0;
  const ss = v.reduce((a, x) => a + (x - mean) ** 2, 0);
  return Math.sqrt(ss / (v.length - 1)) / Math.abs(mean);
}

/**
 * Compares candidate and reference replicas of one metric. `floorRelSd` is the baseline's relative
 * standard deviation over replicas on this scenario and metric; `minChange` the smallest relative
 * change that counts at all.
 */
export function pairedDifference(cand: readonly number[], ref: readonly number[], better: 'min' | 'max',
  floorRelSd: number, minChange = 0): PairedDifference {
  const n = Math.min(cand.length, ref.length);
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cand[i]!, r = ref[i]!;
    if (!Number.isFinite(c) || !Number.isFinite(r)) continue;
    const scale = Math.max(Math.abs(r), Math.abs(c), 1e-12);
    d.push((better === 'min' ? r - c : c - r) / (Math.abs(r) > 1e-12 ? Math.abs(r) : scale));
  }
  const k = d.length;
  if (k === 0) return { mean: Number.NaN, ci95: Number.NaN, z: 0, call: 'tie', n: 0 };
  const mean = d.reduce((a, b) => a + b, 0) / k;
  const sd = k > 1 ? Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (k - 1)) : 0;
  const se = Math.max(sd, Math.SQRT2 * floorRelSd) / Math.sqrt(k);
  let z: number;
  if (se > 0) z = mean / se;
  else z = Math.abs(mean) > 1e-12 ? Math.sign(mean) * Infinity : 0;
  const call: Call = Math.abs(mean) <= minChange ? 'tie' : z > Z_CRITICAL ? 'better' : z < -Z_CRITICAL ? 'worse' : 'tie';
  return { mean, ci95: Z_95 * se, z, call, n: k };
}

/** Baseline noise: scenario → metric → relative standard deviation over the baseline's replicas. */
export type NoiseFloor = Record<string, Record<string, number>>;

export function noiseFloorOf(baseline: ScenarioSamples): NoiseFloor {
  const out: NoiseFloor = {};
  for (const [s, byMetric] of Object.entries(baseline)) {
    out[s] = {};
    for (const [m, xs] of Object.entries(byMetric)) out[s][m] = relativeSd(xs);
  }
  return out;
}

/** Mean of each metric over the replicas (what reports and the Pareto front show). */
export function meansOf(samples: ScenarioSamples): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [s, byMetric] of Object.entries(samples)) {
    out[s] = {};
    for (const [m, xs] of Object.entries(byMetric)) {
      const v = xs.filter(Number.isFinite);
      out[s][m] = v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
    }
  }
  return out;
}
