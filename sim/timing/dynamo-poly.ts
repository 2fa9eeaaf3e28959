import type { TimingModel } from './timing-model.js';

/**
 * Dynamo mocker's default polynomial pass times, constants as published in its perf model:
 * prefill P(T) over the uncached tokens of the pass and decode D(p) over the KV usage fraction
 * (batch size is ignored, as in Dynamo). The 1 ms decode floor is applied before speedup scaling.
 */
export const dynamoPoly: TimingModel = {
  name: 'dynamo-poly',
  prefillMs(count, sumIsl, sumPrefix) {
    if (count <= 0) return 0;
    // Dynamo passes per-request means with integer division, then multiplies back by the count.
    const isl = Math.floor(sumIsl / count);
    const prefix = Math.floor(sumPrefix / count);
    const t = count * (isl - prefix);
    if (t <= 0) return 0;
    return Math.max(0, polyPrefill(t));
  },
  decodeMs(_batch, activeKvTokens, _kvRead, totalKvTokens) {
    const p = totalKvTokens > 0 ? Math.min(activeKvTokens / totalKvTokens, 1) : 1;
    return polyDecode(p);
  },
};

export function polyPrefill(tokens: number): number {
  return 4.209989e-7 * tokens * tokens + 1.518344e-2 * tokens + 16.50142;
}

export function polyDecode(p: number): number {
  return Math.max(1.0, -25.74 * p * p + 54.01 * p + 5.74);
}
