import type { MetricSpec } from './metrics.js';

/** A point to compare: one value per (scenario, metric), in the same order for every point. */
export type MetricVector = readonly number[];

/**
 * Whether a dominates b: at least as good on every coordinate (within `margin`, a relative
 * tolerance so noise cannot win) and better beyond the margin on at least one.
 */
export function dominates(a: MetricVector, b: MetricVector, better: readonly ('min' | 'max')[], margin = 0): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const sign = better[i] === 'min' ? 1 : -1;
    const tol = margin * Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
    const d = sign * (b[i]! - a[i]!); // > 0: a is better
    if (d < -tol) return false;
    if (d > tol) strictly = true;
  }
  return strictly;
}

/** Indices of the points no other point dominates. */
export function paretoFront(points: readonly MetricVector[], better: readonly ('min' | 'max')[], margin = 0): number[] {
  const front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let j = 0; j < points.length && !dominated; j++) if (j !== i && dominates(points[j]!, points[i]!, better, margin)) dominated = true;
    if (!dominated) front.push(i);
  }
  return front;
}

/** The directions of a vector laid out scenario by scenario, metric by metric. */
export function directions(metrics: readonly Pick<MetricSpec, 'better'>[], scenarios: number): ('min' | 'max')[] {
  const out: ('min' | 'max')[] = [];
  for (let s = 0; s < scenarios; s++) for (const m of metrics) out.push(m.better);
  return out;
}

/** Fronts by non-dominated sorting: fronts[0] is the Pareto front, fronts[1] the front without it, … */
export function nonDominatedSort(points: readonly MetricVector[], better: readonly ('min' | 'max')[], margin = 0): number[][] {
  const left = new Set(points.map((_, i) => i));
  const fronts: number[][] = [];
  while (left.size > 0) {
    const idx = [...left];
    const f = idx.filter((i) => !idx.some((j) => j !== i && dominates(points[j]!, points[i]!, better, margin)));
    fronts.push(f);
    for (const i of f) left.delete(i);
  }
  return fronts;
}

/**
 * NSGA-II crowding distance of each point within its set: the sum over coordinates of the normalised
 * gap between its neighbours; the extremes of any coordinate get Infinity. Large = lonely, worth
 * exploring from.
 */
export function crowding(points: readonly MetricVector[]): number[] {
  const n = points.length;
  const d = new Array<number>(n).fill(0);
  if (n <= 2) return d.fill(Infinity);
  const dims = points[0]!.length;
  for (let k = 0; k < dims; k++) {
    const order = [...points.keys()].sort((a, b) => points[a]![k]! - points[b]![k]!);
    const lo = points[order[0]!]![k]!, hi = points[order[n - 1]!]![k]!;
    d[order[0]!] = Infinity;
    d[order[n - 1]!] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < n - 1; r++) d[order[r]!]! += (points[order[r + 1]!]![k]! - points[order[r - 1]!]![k]!) / (hi - lo);
  }
  return d;
}
