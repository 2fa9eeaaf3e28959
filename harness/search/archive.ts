import { crowding, dominates, paretoFront } from '../../objectives/pareto.js';
import { directionsOf, vectorOf, violation, type Objective, type ScenarioMetrics } from '../../objectives/objective.js';

/** An accepted candidate. */
export interface Member {
  id: string;
  parent: string | null;
  source: string;
  /** Search and held-out scenarios, as far as evaluated. */
  metrics: ScenarioMetrics;
  commit: string;
}

export type Verdict = { accept: true } | { accept: false; reason: string };

/**
 * The accepted candidates and their front. Feasibility comes first (less constraint violation wins),
 * then dominance with the objective's noise margin; a candidate must beat every front member beyond
 * the margin somewhere to join, so noise-level copies never pile up.
 */
export class Archive {
  readonly members: Member[] = [];
  private readonly dirs: ('min' | 'max')[];

  constructor(private readonly o: Objective) {
    this.dirs = directionsOf(o);
  }

  add(m: Member): void {
    this.members.push(m);
  }

  get(id: string): Member | undefined {
    return this.members.find((m) => m.id === id);
  }

  /** Members not beaten by another (violation first, then dominance without margin). */
  front(): Member[] {
    const v = this.members.map((m) => violation(this.o, m.metrics));
    const best = Math.min(...v);
    const pool = this.members.filter((_, i) => v[i] === best);
    return paretoFront(pool.map((m) => vectorOf(this.o, m.metrics)), this.dirs).map((i) => pool[i]!);
  }

  /**
   * A parent from the front, chosen in proportion to crowding distance (the extremes and lonely
   * members first), so the search spreads along the front instead of circling one point.
   */
  pickParent(front: readonly Member[], u: number): Member {
    if (front.length <= 2) return front[Math.min(front.length - 1, Math.floor(u * front.length))]!;
    const c = crowding(front.map((m) => vectorOf(this.o, m.metrics)));
    const finite = c.filter(Number.isFinite);
    const cap = 2 * Math.max(1e-9, ...finite, 0.5);
    const w = c.map((x) => (Number.isFinite(x) ? x : cap) + 1e-9);
    let x = u * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < w.length; i++) if ((x -= w[i]!) < 0) return front[i]!;
    return front[front.length - 1]!;
  }

  /** Whether a candidate with these search metrics improves the front. */
  judge(metrics: ScenarioMetrics): Verdict {
    const front = this.front();
    const vc = violation(this.o, metrics);
    const vf = front.length ? violation(this.o, front[0]!.metrics) : Infinity;
    if (vc > vf + 1e-12) return { accept: false, reason: vc > 0 ? `infeasible (constraint violation ${vc.toFixed(3)})` : 'infeasible' };
    if (vc < vf - 1e-12) return { accept: true }; // less violation than the whole front
    const x = vectorOf(this.o, metrics);
    if (x.some((n) => !Number.isFinite(n))) return { accept: false, reason: 'a metric is not a number' };
    const margin = this.o.noiseMargin;
    for (const f of front) {
      const y = vectorOf(this.o, f.metrics);
      if (dominates(y, x, this.dirs, margin)) return { accept: false, reason: `dominated by ${f.id}` };
      if (!this.beatsSomewhere(x, y, margin)) return { accept: false, reason: `no better than ${f.id} beyond the ${(margin * 100).toFixed(1)}% noise margin` };
    }
    return { accept: true };
  }

  /** Whether probe metrics on the first scenario are clearly worse than the parent's (early stop). */
  clearlyWorse(candidate: ScenarioMetrics, parent: ScenarioMetrics, scenario: string): boolean {
    return this.worseThan(candidate, parent, [scenario], Math.max(4 * this.o.noiseMargin, 0.02));
  }

  /** Whether a candidate is worse than its parent on these scenarios: more violation, or dominated beyond the margin. */
  worseThan(candidate: ScenarioMetrics, parent: ScenarioMetrics, scenarios: readonly string[], margin = this.o.noiseMargin): boolean {
    const o = this.o;
    if (violation(o, candidate, scenarios) > violation(o, parent, scenarios) + 1e-12) return true;
    return dominates(vectorOf(o, parent, scenarios), vectorOf(o, candidate, scenarios), directionsOf(o, scenarios.length), margin);
  }

  private beatsSomewhere(x: readonly number[], y: readonly number[], margin: number): boolean {
    for (let i = 0; i < x.length; i++) {
      const tol = margin * Math.max(Math.abs(x[i]!), Math.abs(y[i]!));
      const d = this.dirs[i] === 'min' ? y[i]! - x[i]! : x[i]! - y[i]!;
      if (d > tol) return true;
    }
    return false;
  }
}
