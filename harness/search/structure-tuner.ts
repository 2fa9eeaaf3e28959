import { TUNE_SIGMA } from '../propose/mutate.js';

/**
 * The inner tuner of new structures. A grafted idea (a condition, a product of signals, a two-choice
 * restriction) arrives with placeholder constants and nearly always loses at them; judged once, the
 * structure would be thrown away for its numbers. Instead each rejected new structure gets a budget of
 * tuning candidates, which compete like any candidate: a (1+1) evolution strategy over its constants
 * (all of them scaled at once by log-normal factors of spread `sigma`), from the best variant seen so
 * far, scored on the probe replica against the parent. The step size follows Rechenberg's 1/5 success
 * rule (grow on a success, shrink four times slower on a failure), and doubles when a step changed
 * nothing the probe can see (a threshold nobody reaches yet). At most half the proposals tune, and a
 * few structures at a time, so the search keeps exploring.
 */
export interface Structure {
  /** What the structure is (e.g. the idea's name), for descriptions. */
  label: string;
  /** Its best variant so far. */
  source: string;
  score: number;
  tries: number;
  /** Log-normal spread of the next joint step of its constants. */
  sigma: number;
}

/** First step: the proposer's joint step, about ±40 % on every constant. */
export const SIGMA0 = TUNE_SIGMA;
const SIGMA_MIN = 0.05, SIGMA_MAX = 2;
const SUCCESS = 1.5, FAILURE = SUCCESS ** -0.25;

/** Tuning candidates one structure gets before it is dropped. */
export const TUNE_BUDGET = 12;
/** Structures tuned at once. */
const MAX_STRUCTURES = 4;

export class StructureTuner {
  private readonly queue: Structure[] = [];
  private readonly byCandidate = new Map<string, Structure>();

  /** Offers a new structure that lost at its first constants; `score` is its probe score (higher is better). */
  offer(label: string, source: string, score: number): void {
    if (this.queue.length >= MAX_STRUCTURES || this.queue.some((s) => s.label === label)) return;
    this.queue.push({ label, source, score, tries: 0, sigma: SIGMA0 });
  }

  /** The structure candidate `id` should tune (for about half the draws of `u`), or undefined. */
  next(u: number, id: string): Structure | undefined {
    if (this.queue.length === 0 || u >= 0.5) return undefined;
    const s = this.queue.shift()!;
    s.tries++;
    if (s.tries < TUNE_BUDGET) this.queue.push(s); // round robin over the structures
    this.byCandidate.set(id, s);
    return s;
  }

  /**
   * A tuning candidate's probe score: the structure keeps the better constants and adapts its step
   * (`same`: the probe saw exactly an earlier candidate's behaviour).
   */
  report(id: string, source: string, score: number, same = false): void {
    const s = this.byCandidate.get(id);
    if (!s) return;
    this.byCandidate.delete(id);
    if (same) {
      s.sigma = Math.min(SIGMA_MAX, 2 * s.sigma);
    } else if (score > s.score) {
      s.source = source;
      s.score = score;
      s.sigma = Math.min(SIGMA_MAX, SUCCESS * s.sigma);
    } else {
      s.sigma = Math.max(SIGMA_MIN, FAILURE * s.sigma);
    }
  }

  get size(): number {
    return this.queue.length;
  }
}

/**
 * Probe score of a candidate against its parent: the mean over metrics of the relative improvement on
 * replica 0 of the probe scenario (positive = better). Feasibility comes first, as in acceptance: more
 * constraint violation than the parent scores below -1 whatever it saves (a planner's GPU-hours bought
 * with missed SLA). Infinite or missing values score -Infinity.
 */
export function probeScore(cand: Record<string, number> | undefined, parent: Record<string, number> | undefined,
  metrics: readonly { key: string; better: 'min' | 'max' }[], violation = { cand: 0, parent: 0 }): number {
  if (!cand || !parent) return -Infinity;
  const more = violation.cand - violation.parent;
  if (more > 1e-12) return -1 - more;
  let s = 0;
  for (const m of metrics) {
    const c = cand[m.key], p = parent[m.key];
    if (c === undefined || p === undefined || !Number.isFinite(c) || !Number.isFinite(p) || p === 0) return -Infinity;
    s += (m.better === 'min' ? p - c : c - p) / Math.abs(p);
  }
  return s / metrics.length;
}
