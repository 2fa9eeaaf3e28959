import { crowding, dominates, paretoFront } from '../../objectives/pareto.js';
import { directionsOf, vectorOf, violation, type Objective, type ScenarioMetrics } from '../../objectives/objective.js';
import { noiseFloorOf, pairedDifference, type Call, type NoiseFloor, type ScenarioSamples } from '../../objectives/paired.js';

/**
 * Islands of parents: each accepted candidate belongs to the island of its lineage (the island of the
 * candidate that first left the baseline, by its number), and each proposal takes its parent from one
 * island's own front, so a lineage the global front has passed by keeps evolving instead of every
 * proposal circling the current leader (as FunSearch and OpenEvolve keep islands). Acceptance is
 * always against the global front; crossover partners come from the global front, which carries ideas
 * between islands.
 */
export const ISLANDS = 3;

/** The candidate number of an id like c0042 (0 for anything else). */
export function candidateNumber(id: string): number {
  const m = /^c(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

/** An accepted candidate. */
export interface Member {
  id: string;
  parent: string | null;
  source: string;
  /** Search and held-out scenarios, as far as evaluated (means over the replicas). */
  metrics: ScenarioMetrics;
  /** Per-replica values behind `metrics` (absent in runs made before replicas were paired). */
  samples?: ScenarioSamples;
  commit: string;
}

/** What a judgement needs of a candidate. */
export interface Scored {
  metrics: ScenarioMetrics;
  samples?: ScenarioSamples;
}

export type Verdict = { accept: true } | { accept: false; reason: string };

/**
 * Relative change in constraint violation that counts when two infeasible candidates are compared:
 * violation is a sum of shortfalls on means, whose noise the replicas do not test; 2 % of it is well
 * above the seed-to-seed spread of SLA attainment on the shipped planner scenarios (< 0.5 %).
 */
const VIOLATION_STEP = 0.02;

/**
 * The accepted candidates and their front. Feasibility comes first (less constraint violation wins),
 * then dominance judged by paired tests over the seed replicas (objectives/paired.ts): a candidate must
 * be significantly better than every front member somewhere to join, so noise-level copies never pile
 * up, and it is dominated when a member is significantly better somewhere and it is better nowhere.
 * Members without replicas (older runs) are compared on their means with the objective's noise margin.
 */
export class Archive {
  readonly members: Member[] = [];
  private readonly dirs: ('min' | 'max')[];
  /** Relative spread of the baseline over its replicas, per scenario and metric. */
  private floor: NoiseFloor = {};

  constructor(private readonly o: Objective) {
    this.dirs = directionsOf(o);
  }

  /** Island of each member; the baseline (no parent) belongs to all of them (absent here). */
  private readonly island = new Map<string, number>();

  add(m: Member): void {
    // the baseline (first member, no parent) measures the noise every later comparison is judged by
    if (this.members.length === 0 && m.parent === null && m.samples) this.floor = noiseFloorOf(m.samples);
    if (m.parent !== null) this.island.set(m.id, this.island.get(m.parent) ?? candidateNumber(m.id) % ISLANDS);
    this.members.push(m);
  }

  /** The island a candidate with this id draws its parent from. */
  static islandOfCandidate(id: string): number {
    return candidateNumber(id) % ISLANDS;
  }

  /** The front of one island: its members and the baseline, judged as the global front is. */
  islandFront(i: number): Member[] {
    return this.front(this.members.filter((m) => (this.island.get(m.id) ?? i) === i));
  }

  /** Constraint violation on these scenarios; relative limits are ratios of the baseline's values. */
  violation(m: ScenarioMetrics, scenarios: readonly string[] = this.o.search): number {
    return violation(this.o, m, scenarios, this.members[0]?.metrics);
  }

  /**
   * A member's metrics (and constraint keys) on replica 0 of a scenario, what a probe is compared with;
   * its means when it has no replicas (older runs).
   */
  probeOf(m: Scored, scenario: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.o.metrics.map((x) => x.key), ...this.o.constraints.map((c) => c.key)]) {
      out[k] = m.samples?.[scenario]?.[k]?.[0] ?? m.metrics[scenario]?.[k] ?? Number.NaN;
    }
    return out;
  }

  /**
   * Candidate against a reference on every metric of these scenarios: 'better' / 'worse' where the
   * paired test says so, 'tie' inside the noise.
   */
  calls(c: Scored, r: Scored, scenarios: readonly string[]): Call[] {
    const out: Call[] = [];
    for (const s of scenarios) {
      for (const k of this.o.metrics) {
        const cs = c.samples?.[s]?.[k.key], rs = r.samples?.[s]?.[k.key];
        if (cs && rs && cs.length > 0 && rs.length > 0) {
          out.push(pairedDifference(cs, rs, k.better, this.floor[s]?.[k.key] ?? 0, this.o.noiseMargin).call);
          continue;
        }
        const x = c.metrics[s]?.[k.key], y = r.metrics[s]?.[k.key];
        if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) { out.push('tie'); continue; }
        const tol = this.o.noiseMargin * Math.max(Math.abs(x), Math.abs(y));
        const d = k.better === 'min' ? y - x : x - y;
        out.push(d > tol ? 'better' : d < -tol ? 'worse' : 'tie');
      }
    }
    return out;
  }

  get(id: string): Member | undefined {
    return this.members.find((m) => m.id === id);
  }

  /** Members (of all, or of a pool) not beaten by another (violation first, then dominance without margin). */
  front(members: readonly Member[] = this.members): Member[] {
    const v = members.map((m) => this.violation(m.metrics));
    const best = Math.min(...v);
    // infeasible members within the violation step of the least-violating one are comparable on cost
    const pool = members.filter((_, i) => (best === 0 ? v[i] === 0 : v[i]! <= best * (1 + VIOLATION_STEP) + 1e-12));
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

  /** Whether a candidate with these search metrics (and replicas) improves the front. */
  judge(c: Scored): Verdict {
    const front = this.front();
    const vc = this.violation(c.metrics);
    const vf = front.length ? this.violation(front[0]!.metrics) : Infinity;
    const x = vectorOf(this.o, c.metrics);
    if (vc === 0 && vf > 0) return { accept: true }; // feasible beats infeasible
    if (vc > 0 && vf === 0) return { accept: false, reason: `infeasible (constraint violation ${vc.toFixed(3)})` };
    if (x.some((n) => !Number.isFinite(n))) return { accept: false, reason: 'a metric is not a number' };
    if (vc > 0) {
      // Both infeasible: violation and cost both count. Buying less violation with more cost (the whole
      // GPU budget) is not progress; the candidate must be no worse than every front member on any
      // metric and on violation, and better on one of them.
      for (const f of front) {
        const vm = this.violation(f.metrics);
        if (vc > vm * (1 + VIOLATION_STEP) + 1e-12) return { accept: false, reason: `infeasible, and more constraint violation than ${f.id} (${vc.toFixed(3)} > ${vm.toFixed(3)})` };
        const calls = this.calls(c, f, this.o.search);
        if (calls.includes('worse')) return { accept: false, reason: `infeasible, and worse than ${f.id} on a metric` };
        if (!calls.includes('better') && !(vc < vm * (1 - VIOLATION_STEP) - 1e-12)) return { accept: false, reason: `infeasible, and no better than ${f.id} beyond the measured noise` };
      }
      return { accept: true };
    }
    for (const f of front) {
      const calls = this.calls(c, f, this.o.search);
      if (calls.includes('better')) continue;
      if (calls.includes('worse')) return { accept: false, reason: `dominated by ${f.id}` };
      return { accept: false, reason: `no better than ${f.id} beyond the measured noise` };
    }
    return { accept: true };
  }

  /**
   * Whether probe metrics (replica 0 of one scenario) are clearly worse than the parent's replica 0
   * (early stop): dominated beyond max(2 %, 4 × the noise margin, 3 × the paired noise floor).
   */
  clearlyWorse(candidate: ScenarioMetrics, parent: Member, scenario: string): boolean {
    const floor = Math.max(0, ...this.o.metrics.map((k) => this.floor[scenario]?.[k.key] ?? 0));
    const margin = Math.max(4 * this.o.noiseMargin, 0.02, 3 * Math.SQRT2 * floor);
    const first: ScenarioMetrics = { [scenario]: this.probeOf(parent, scenario) };
    const o = this.o;
    if (this.violation(candidate, [scenario]) > this.violation(first, [scenario]) + 1e-12) return true;
    return dominates(vectorOf(o, first, [scenario]), vectorOf(o, candidate, [scenario]), directionsOf(o, 1), margin);
  }

  /**
   * Whether a candidate regresses against its parent on these scenarios beyond the measured noise: more
   * constraint violation, or (unless it clearly violates less) any metric significantly worse (held-out
   * confirmation).
   */
  regressesOn(c: Scored, parent: Scored, scenarios: readonly string[]): string | null {
    const vc = this.violation(c.metrics, scenarios), vp = this.violation(parent.metrics, scenarios);
    if (vc > vp * (1 + VIOLATION_STEP) + 1e-12) return 'more constraint violation';
    // feasibility first, as on the search scenarios: meeting more of a constraint the parent misses there
    // (a planner's SLA on a burst it under-provisions) is not a regression for the cost it takes
    if (vp > 0 && vc < vp * (1 - VIOLATION_STEP) - 1e-12) return null;
    const calls = this.calls(c, parent, scenarios);
    const i = calls.indexOf('worse');
    if (i < 0) return null;
    const s = scenarios[Math.floor(i / this.o.metrics.length)]!;
    return `${this.o.metrics[i % this.o.metrics.length]!.key} worse on ${s}`;
  }
}
