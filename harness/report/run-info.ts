import { existsSync } from 'node:fs';
import { OBJECTIVES } from '../../objectives/objectives.js';
import { Objective, type ScenarioMetrics } from '../../objectives/objective.js';
import { noiseFloorOf, pairedDifference, type NoiseFloor, type ScenarioSamples } from '../../objectives/paired.js';
import { UsageError } from '../replay/json-arg.js';
import { BASELINE_ID, ledgerTotals, RunLog, type LedgerEntry } from '../runlog/run-log.js';

/** A run directory as the review, the run list, the HTML report and watch read it, and the metric tables they share. */

export interface RunInfo {
  dir: string;
  log: RunLog;
  config: { objective: string; createdAt?: string };
  spec: Objective | undefined;
  ledger: LedgerEntry[];
  /** Accepted candidates in acceptance order, the baseline left out. */
  accepted: LedgerEntry[];
  counts: { evaluated: number; accepted: number; rejected: number; failed: number };
  tokens: number;
  usd: number;
}

export type RunHandle = Pick<RunInfo, 'dir' | 'log' | 'config' | 'spec'>;

/** Opens a run directory without reading its ledger; any problem with it is the user's (a UsageError, exit 2). */
export function openRun(dir: string): RunHandle {
  if (!existsSync(dir)) throw new UsageError(`run directory not found: ${dir}`);
  let log: RunLog, config: RunInfo['config'] & { objectiveSpec?: unknown };
  try {
    log = RunLog.open(dir);
    config = log.config();
  } catch (e) {
    throw new UsageError((e as Error).message.startsWith(dir) ? (e as Error).message : `${dir}: ${(e as Error).message}`);
  }
  // the spec the run was made with, not today's: objectives change between runs
  const parsed = Objective.safeParse(config.objectiveSpec);
  return { dir, log, config, spec: parsed.success ? parsed.data : OBJECTIVES.get(config.objective) };
}

/** Reads a run directory and its ledger. */
export function loadRun(dir: string, warn: (m: string) => void): RunInfo {
  const run = openRun(dir);
  const ledger = run.log.ledger(warn);
  // by id: an entry recorded twice (recovered from git after a crash) is one candidate
  const accepted = [...new Map(ledger.filter((e) => e.status === 'accepted' && e.id !== BASELINE_ID).map((e) => [e.id, e])).values()];
  const { tokens, usd, ...counts } = ledgerTotals(ledger);
  return { ...run, ledger, accepted, counts, tokens, usd };
}

export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : a === 0 ? '0' : x.toPrecision(3);
}

/** Relative change in percent, signed ("+1.2%"); undefined when there is nothing to compare against. */
export function change(before: number | undefined, after: number | undefined): string | undefined {
  if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after)) return undefined;
  if (before === 0) return after === 0 ? '+0.0%' : undefined;
  const pct = ((after - before) / Math.abs(before)) * 100;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}

type Mark = 'better' | 'worse' | 'within noise' | '';

/** Replicas behind a candidate's and its parent's metrics, and the run's noise floor (the baseline's spread). */
export interface PairedSamples {
  parent?: ScenarioSamples;
  cand?: ScenarioSamples;
  floor: NoiseFloor;
}

/** The paired samples of an accepted entry against its parent, when the run kept replicas. */
export function pairedSamplesOf(run: Pick<RunInfo, 'ledger'>, e: LedgerEntry): PairedSamples | undefined {
  const base = run.ledger.find((x) => x.id === BASELINE_ID && x.samples);
  if (!base?.samples || !e.samples) return undefined;
  const parent = e.parent ? run.ledger.find((x) => x.id === e.parent && x.status === 'accepted')?.samples : undefined;
  return { cand: e.samples, ...(parent ? { parent } : {}), floor: noiseFloorOf(base.samples) };
}

/**
 * One row per scenario and metric (constraint keys too: a candidate can trade them away). With replicas,
 * the change carries its 95 % interval and the mark is the paired test's call (objectives/paired.ts);
 * without, a change inside the objective's noise margin is "within noise".
 */
export function metricRows(spec: Objective, parent: ScenarioMetrics | undefined, cand: ScenarioMetrics, paired?: PairedSamples): { scenario: string; metric: string; before?: number; after?: number; change?: string; mark: Mark; z?: number }[] {
  const keys = [...spec.metrics.map((m) => ({ key: m.key, label: m.key, better: m.better })),
    ...spec.constraints.map((c) => ({ key: c.key, label: `${c.key} (${c.bound === 'max' ? '≤' : '≥'} ${c.limit}${c.relative ? ' × baseline' : ''})`, better: c.bound === 'max' ? 'min' as const : 'max' as const }))];
  const scenarios = [...new Set([...spec.search, ...spec.heldOut, ...Object.keys(cand)])].filter((s) => cand[s] || parent?.[s]);
  return scenarios.flatMap((s) => keys.filter((k, i) => keys.findIndex((o) => o.key === k.key) === i).map((k) => {
    const before = parent?.[s]?.[k.key], after = cand[s]?.[k.key];
    let mark: Mark = '';
    let c = change(before, after);
    let z: number | undefined;
    const cs = paired?.cand?.[s]?.[k.key], ps = paired?.parent?.[s]?.[k.key];
    if (cs?.length && ps?.length && c) {
      const d = pairedDifference(cs, ps, k.better, paired!.floor[s]?.[k.key] ?? 0, spec.noiseMargin);
      if (Number.isFinite(d.ci95)) c = `${c} ±${(100 * d.ci95).toFixed(1)}`;
      mark = d.call === 'tie' ? 'within noise' : d.call;
      z = d.z;
    } else if (before !== undefined && after !== undefined && Number.isFinite(before) && Number.isFinite(after)) {
      const rel = Math.abs(after - before) / Math.max(Math.abs(before), 1e-12);
      mark = rel <= spec.noiseMargin ? 'within noise' : (after < before) === (k.better === 'min') ? 'better' : 'worse';
    }
    return { scenario: spec.heldOut.includes(s) ? `${s} [held out]` : s, metric: k.label, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), ...(c ? { change: c } : {}), mark, ...(z !== undefined ? { z } : {}) };
  }));
}

/** Aligned columns; `right` holds the indices of right-aligned (numeric) columns. */
export function pad(rows: string[][], right: Set<number>): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
}
