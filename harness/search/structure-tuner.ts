/**
 * The inner tuner of new structures. A grafted idea (a condition, a product of signals, a two-choice
 * restriction) arrives with placeholder constants and nearly always loses at them; judged once, the
 * structure would be thrown away for its numbers. Instead each rejected new structure gets a budget of
 * tuning candidates: joint and single steps over its constants from the best variant seen so far (a
 * (1+1) hill climb scored on the probe replica against the parent), which compete like any candidate.
 * At most half the proposals tune, and a few structures at a time, so the search keeps exploring.
 */
export interface Structure {
  /** What the structure is (e.g. the idea's name), for descriptions. */
  label: string;
  /** Its best variant so far. */
  source: string;
  score: number;
  tries: number;
}

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
    this.queue.push({ label, source, score, tries: 0 });
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

  /** A tuning candidate's probe score: the structure keeps the better constants. */
  report(id: string, source: string, score: number): void {
    const s = this.byCandidate.get(id);
    if (!s) return;
    this.byCandidate.delete(id);
    if (score > s.score) {
      s.source = source;
      s.score = score;
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
