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
 * What the front plot shows: the objective's first two metrics on its probe scenario (the first search
 * scenario), in their own units. Every evaluated candidate has probe metrics, even those stopped early,
 * so all of them can be drawn. With one metric, the second axis is that metric on the next scenario.
 */
export function plotAxes(o: Objective): PlotAxes {
  const probe = o.search[0]!;
  const m0 = o.metrics[0]!;
  const x: Axis = { scenario: probe, key: m0.key, better: m0.better };
  const m1 = o.metrics[1];
  if (m1) return { x, y: { scenario: probe, key: m1.key, better: m1.better } };
  const other = o.search[1] ?? o.heldOut[0] ?? probe;
  return { x, y: { scenario: other, key: m0.key, better: m0.better } };
}
