import type { Objective } from '../../objectives/objective.js';

export interface Axis {
  scenario: string;
  key: string;
  better: 'min' | 'max';
}

export interface PlotAxes {
  x: Axis;
  y: Axis;
}

/**
 * What a front plot shows (the dashboard's and the HTML report's): the objective's first two metrics on
 * its probe scenario (the first search scenario), in their own units. Every evaluated candidate has
 * probe metrics, even those stopped early, so all of them can be drawn. With one metric, the second axis
 * is that metric on the second search scenario; with one metric on one scenario there is none (null).
 */
export function metricAxes(o: Objective): { x: Axis; y: Axis | null } {
  const probe = o.search[0]!;
  const m0 = o.metrics[0]!;
  const x: Axis = { scenario: probe, key: m0.key, better: m0.better };
  const m1 = o.metrics[1];
  if (m1) return { x, y: { scenario: probe, key: m1.key, better: m1.better } };
  const second = o.search[1];
  return { x, y: second ? { scenario: second, key: m0.key, better: m0.better } : null };
}

/** The dashboard's axes: without a second axis, the first metric on a held-out scenario (or the probe again). */
export function plotAxes(o: Objective): PlotAxes {
  const { x, y } = metricAxes(o);
  return { x, y: y ?? { scenario: o.heldOut[0] ?? x.scenario, key: x.key, better: x.better } };
}

/**
 * The span a plot gives `values` (finite, at least one): padded by `share` of their spread, or by 5% of
 * their size (1 at 0) when they are all equal; a metric that is never negative (latency, GPU-hours, a
 * ratio) keeps a non-negative axis.
 */
export function paddedRange(values: readonly number[], share: number): [number, number] {
  const min = Math.min(...values), max = Math.max(...values);
  const pad = max - min < 1e-12 * Math.max(1, Math.abs(max)) ? Math.abs(max) * 0.05 || 1 : (max - min) * share;
  return [min >= 0 ? Math.max(0, min - pad) : min - pad, max + pad];
}
