import type { RowResult } from './simulate-row.js';

/**
 * The one end-to-end constant per backend: the front-end time of a request (HTTP, tokenisation, the
 * hand-off to the engine process, the first token's way back). It only shifts a request's TTFT, so
 * from rows simulated without it the best value is a closed form: the value f that minimises
 * Σ |(predicted + f) / measured − 1| is the median of (measured − predicted) weighted by 1/measured.
 * Aggregated rows only (a disaggregated TTFT also holds the KV hand-over); never negative.
 */
export function fitFrontendMs(results: RowResult[], include: (r: RowResult) => boolean = () => true): Record<string, number> {
  const by = new Map<string, { gap: number; w: number }[]>();
  for (const r of results) {
    if (r.skipped !== null || r.mode !== 'agg' || !include(r)) continue;
    if (!by.has(r.backend)) by.set(r.backend, []);
    by.get(r.backend)!.push({ gap: r.measured_ttft_ms - r.predicted_ttft_ms!, w: 1 / r.measured_ttft_ms });
  }
  const out: Record<string, number> = {};
  for (const [backend, xs] of by) out[backend] = Math.max(0, weightedMedian(xs));
  return out;
}

function weightedMedian(xs: { gap: number; w: number }[]): number {
  const s = [...xs].sort((a, b) => a.gap - b.gap);
  const half = s.reduce((a, x) => a + x.w, 0) / 2;
  let acc = 0;
  for (const x of s) {
    acc += x.w;
    if (acc >= half) return x.gap;
  }
  return 0;
}
