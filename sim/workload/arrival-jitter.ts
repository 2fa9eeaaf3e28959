import { Prng } from '../core/prng.js';
import type { Workload } from './workload.js';

/**
 * Timing noise as a share of the mean gap between session starts: a tenth reorders arrivals that are
 * (nearly) simultaneous — traces stamp whole bursts with one millisecond, and no client sends at an exact
 * instant — without changing the offered rate or the burst structure at the scale of one gap.
 */
export const JITTER_SHARE = 0.1;

/**
 * The same workload with every session's first arrival moved by a uniform draw in ±JITTER_SHARE × the
 * mean gap between session starts; every prompt, and the think times of later turns, stay as they are.
 * Seed replicas of a scenario (docs/search.md) differ by this and by the tie-break seed: the run-to-run
 * spread a policy's verdict must stand out from.
 */
export function jitterArrivals(w: Workload, seed: number): Workload {
  if (w.sessions < 2) return w;
  let lo = Infinity, hi = -Infinity;
  for (let s = 0; s < w.sessions; s++) {
    const t = w.timeMs[w.sessionStart[s]!]!;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const gap = (hi - lo) / (w.sessions - 1);
  if (!(gap > 0)) return w;
  const rng = new Prng(seed);
  const timeMs = Float64Array.from(w.timeMs);
  for (let s = 0; s < w.sessions; s++) {
    const i = w.sessionStart[s]!;
    timeMs[i] = Math.max(lo, timeMs[i]! + (rng.next() - 0.5) * 2 * JITTER_SHARE * gap);
  }
  return { ...w, name: `${w.name} (arrival jitter ${seed})`, timeMs };
}
