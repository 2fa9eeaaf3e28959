import type { RowResult } from './simulate-row.js';

/** Error figures of one group of simulated rows (fractions, not %). */
export interface GroupErrors {
  group: string;
  rows: number;
  ttftMape: number;
  ttftMedianApe: number;
  tpotMape: number;
  tpotMedianApe: number;
  /** Mean signed error of TTFT (predicted/measured − 1): > 0 over-predicts. */
  ttftBias: number;
  tpotBias: number;
}

export interface ValidationSummary {
  rows: number;
  simulated: number;
  skipped: number;
  /** Malformed rows (located errors). */
  malformed: number;
  /** Skipped rows per reason, most frequent first. */
  skipReasons: { reason: string; rows: number }[];
  overall: GroupErrors | null;
  byBackend: GroupErrors[];
  byMode: GroupErrors[];
  /** backend × GPU × model × mode. */
  byGroup: GroupErrors[];
}

/** The median of `xs` (the mean of the two middle values for an even count; NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function groupErrors(group: string, rs: RowResult[]): GroupErrors {
  const ttft = rs.map((r) => r.predicted_ttft_ms! / r.measured_ttft_ms - 1);
  const tpot = rs.map((r) => r.predicted_tpot_ms! / r.measured_tpot_ms - 1);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const abs = (xs: number[]): number[] => xs.map(Math.abs);
  return {
    group, rows: rs.length,
    ttftMape: mean(abs(ttft)), ttftMedianApe: median(abs(ttft)),
    tpotMape: mean(abs(tpot)), tpotMedianApe: median(abs(tpot)),
    ttftBias: mean(ttft), tpotBias: mean(tpot),
  };
}

/** Short model name from a Hugging Face path. */
export function shortModel(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function by(rs: RowResult[], key: (r: RowResult) => string): GroupErrors[] {
  const m = new Map<string, RowResult[]>();
  for (const r of rs) {
    const k = key(r);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(r);
  }
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => groupErrors(k, v));
}

export function summarize(results: RowResult[], malformed: number): ValidationSummary {
  const sim = results.filter((r) => r.skipped === null);
  const reasons = new Map<string, number>();
  for (const r of results) if (r.skipped !== null) reasons.set(r.skipped, (reasons.get(r.skipped) ?? 0) + 1);
  return {
    rows: results.length + malformed,
    simulated: sim.length,
    skipped: results.length - sim.length,
    malformed,
    skipReasons: [...reasons.entries()].map(([reason, rows]) => ({ reason, rows })).sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)),
    overall: sim.length > 0 ? groupErrors('all', sim) : null,
    byBackend: by(sim, (r) => r.backend),
    byMode: by(sim, (r) => r.mode),
    byGroup: by(sim, (r) => `${r.backend} ${r.system} ${shortModel(r.model)} ${r.mode}`),
  };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

/** The summary as fixed-width text tables that fit 80 columns. */
export function formatSummary(s: ValidationSummary): string {
  const lines: string[] = [];
  const head = `${'group'.padEnd(36)} ${'rows'.padStart(4)}  ${'TTFT MAPE'.padStart(9)} ${'med'.padStart(6)}  ${'TPOT MAPE'.padStart(9)} ${'med'.padStart(6)}`;
  const row = (g: GroupErrors): string => {
    const name = g.group.length > 36 ? g.group.slice(0, 35) + '…' : g.group;
    return `${name.padEnd(36)} ${String(g.rows).padStart(4)}  ${pct(g.ttftMape).padStart(9)} ${pct(g.ttftMedianApe).padStart(6)}  ${pct(g.tpotMape).padStart(9)} ${pct(g.tpotMedianApe).padStart(6)}`;
  };
  const table = (title: string, gs: GroupErrors[]): void => {
    if (gs.length === 0) return;
    lines.push(title, head, '-'.repeat(head.length), ...gs.map(row), '');
  };
  table('By backend × GPU × model × mode', s.byGroup);
  table('By backend', s.byBackend);
  table('By mode', s.byMode);
  if (s.overall) table('All simulated rows', [s.overall]);
  lines.push(`Coverage: ${s.simulated} of ${s.rows} rows simulated, ${s.skipped} skipped, ${s.malformed} malformed`);
  for (const r of s.skipReasons) lines.push(`  ${String(r.rows).padStart(4)} skipped: ${r.reason}`);
  return lines.join('\n') + '\n';
}
