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
export function directions(metrics: readonly MetricSpec[], scenarios: number): ('min' | 'max')[] {
  const out: ('min' | 'max')[] = [];
  for (let s = 0; s < scenarios; s++) for (const m of metrics) out.push(m.better);
  return out;
}
