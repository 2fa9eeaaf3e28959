import { z } from 'zod';
import { getScenario } from './scenarios/index.js';
import { directions } from './pareto.js';
import type { Scenario } from './scenario.js';

const Metric = z.strictObject({
  /** A report key, e.g. p95_ttft_ms, gpu_hours, prefix_cache_reused_ratio. */
  key: z.string().min(1),
  better: z.enum(['min', 'max']),
});

const Constraint = z.strictObject({
  key: z.string().min(1),
  /** `max`: the metric must stay at or below `limit`; `min`: at or above it. */
  bound: z.enum(['max', 'min']),
  limit: z.number().finite(),
  /**
   * `limit` is a ratio of the baseline's value on the same scenario (e.g. throughput ≥ 0.99 × the
   * baseline's: a router may not buy latency with lost throughput at equal offered load).
   */
  relative: z.boolean().default(false),
});

export const Objective = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by dashes'),
  description: z.string().min(1),
  kind: z.enum(['router', 'planner', 'eviction']),
  /** The candidate the search starts from (its code is what mutations edit), relative to the project root. */
  baseline: z.string().min(1),
  /**
   * The built-in policy as shipped (untuned), relative to the project root: a result is reported as a
   * gain over it and over the tuned baseline; only the second is the search's own merit.
   */
  shippedDefault: z.string().min(1).optional(),
  /** Scenario names searched on, cheapest first (the first one is the early-stop probe). */
  search: z.array(z.string()).min(1),
  /** Scenario names a candidate must not get worse on before it is committed. */
  heldOut: z.array(z.string()).default([]),
  metrics: z.array(Metric).min(1),
  constraints: z.array(Constraint).default([]),
  /**
   * The smallest relative change that counts at all, however certain (a practical floor; whether a
   * change is noise is decided by the paired test over `seeds` replicas, objectives/paired.ts).
   */
  noiseMargin: z.number().min(0).max(0.5).default(0.005),
  /**
   * Replicas of every scenario a candidate runs (tie-break seed and arrival jitter i = 0..seeds−1),
   * paired with its rivals' replicas; the baseline runs max(2 × seeds, 8) to measure the noise floor.
   */
  seeds: z.number().int().min(1).max(32).default(4),
});
export type Objective = z.infer<typeof Objective>;

/** Validates an objective; scenario names must exist and be of the objective's kind. */
export function defineObjective(input: z.input<typeof Objective>): Objective {
  const r = Objective.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`objective ${String((input as { name?: unknown }).name ?? '?')}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const n of [...r.data.search, ...r.data.heldOut]) {
    const s = getScenario(n);
    if (s.kind !== r.data.kind) throw new Error(`objective ${r.data.name}: scenario ${n} scores a ${s.kind}, not a ${r.data.kind}`);
  }
  return r.data;
}

export function searchScenarios(o: Objective): Scenario[] {
  return o.search.map(getScenario);
}

export function heldOutScenarios(o: Objective): Scenario[] {
  return o.heldOut.map(getScenario);
}

/** Metrics of one candidate: scenario name → report key → value. */
export type ScenarioMetrics = Record<string, Record<string, number>>;

/**
 * Total relative constraint violation over the scenarios (0 = feasible), measured the way DynoSim's
 * sweep ranks configurations: how far past each limit, as a fraction of the limit.
 */
export function violation(o: Objective, m: ScenarioMetrics, scenarios: readonly string[] = o.search, baseline?: ScenarioMetrics): number {
  let v = 0;
  for (const s of scenarios) {
    for (const c of o.constraints) {
      const x = m[s]?.[c.key];
      if (x === undefined || !Number.isFinite(x)) { v += 1; continue; }
      let limit = c.limit;
      if (c.relative) {
        const b = baseline?.[s]?.[c.key];
        if (b === undefined || !Number.isFinite(b)) continue; // nothing to be relative to (yet)
        limit = c.limit * b;
      }
      const over = c.bound === 'max' ? x - limit : limit - x;
      if (over > 0) v += over / Math.max(Math.abs(limit), 1e-9);
    }
  }
  return v;
}

/** The vector compared for dominance: every metric on every listed scenario. */
export function vectorOf(o: Objective, m: ScenarioMetrics, scenarios: readonly string[] = o.search): number[] {
  const out: number[] = [];
  for (const s of scenarios) for (const k of o.metrics) out.push(m[s]?.[k.key] ?? Number.NaN);
  return out;
}

export function directionsOf(o: Objective, scenarios = o.search.length): ('min' | 'max')[] {
  return directions(o.metrics, scenarios);
}

/** Picks the objective's metrics (and constraint keys) out of a report. */
export function pickMetrics(o: Objective, report: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...o.metrics.map((m) => m.key), ...o.constraints.map((c) => c.key)]) {
    const v = report[k];
    out[k] = typeof v === 'number' ? v : Number.NaN;
  }
  return out;
}
