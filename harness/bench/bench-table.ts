import { KIND_METRICS, type MetricSpec } from '../../objectives/metrics.js';
import { directions, paretoFront } from '../../objectives/pareto.js';
import type { Scenario } from '../../objectives/scenario.js';
import type { Evaluation, PolicyKind } from './evaluator.js';
import { wrap } from '../io/wrap-text.js';
import { pairedDifference, relativeSd, Z_CRITICAL, type PairedDifference } from '../../objectives/paired.js';

export interface BenchRow {
  candidate: string;
  scenario: string;
  /** The report (of means over the replicas, when there are several), or the first failure. */
  result: Evaluation;
  /** Each seed replica's evaluation, when the bench ran several. */
  replicas?: Evaluation[];
}

/** One evaluation standing for several replicas: the mean of every report key, or the first failure. */
export function meanEvaluation(replicas: readonly Evaluation[]): Evaluation {
  if (replicas.length === 1) return replicas[0]!;
  const failed = replicas.find((r) => !r.ok);
  if (failed) return failed;
  const ok = replicas as Extract<Evaluation, { ok: true }>[];
  const report: Record<string, number> = {};
  for (const [k, v] of Object.entries(ok[0]!.report)) {
    if (typeof v === 'number') report[k] = ok.reduce((a, r) => a + ((r.report as Record<string, number>)[k] ?? Number.NaN), 0) / ok.length;
  }
  return { ok: true, report: report as unknown as Extract<Evaluation, { ok: true }>['report'], wallMs: ok.reduce((a, r) => a + r.wallMs, 0) };
}

/** A candidate against the reference on one scenario and metric, paired over the replicas. */
export interface PairedCell {
  candidate: string;
  scenario: string;
  metric: string;
  difference: PairedDifference;
}

/**
 * Every candidate against the first one, per scenario and metric, paired replica by replica
 * (objectives/paired.ts), with the reference's own spread as the noise floor. Empty without replicas.
 */
export function pairedAgainstFirst(sum: BenchSummary): PairedCell[] {
  const ref = sum.candidates[0]!;
  const out: PairedCell[] = [];
  const values = (c: string, s: string, key: string): number[] | null => {
    const r = sum.rows.find((x) => x.candidate === c && x.scenario === s);
    if (!r?.replicas || r.replicas.some((x) => !x.ok)) return null;
    return r.replicas.map((x) => (x.ok ? (x.report as Record<string, number>)[key] ?? Number.NaN : Number.NaN));
  };
  for (const s of sum.scenarios) {
    for (const c of sum.candidates.slice(1)) {
      for (const m of sum.metrics) {
        const a = values(c, s.name, m.key), b = values(ref, s.name, m.key);
        if (a && b) out.push({ candidate: c, scenario: s.name, metric: m.key, difference: pairedDifference(a, b, m.better, relativeSd(b)) });
      }
    }
  }
  return out;
}

export interface BenchSummary {
  kind: PolicyKind;
  metrics: MetricSpec[];
  candidates: string[];
  scenarios: Scenario[];
  rows: BenchRow[];
  /** Candidates no other candidate dominates over every scenario's metrics (failed ones excluded). */
  pareto: string[];
}

export function summarize(kind: PolicyKind, candidates: string[], scenarios: Scenario[], rows: BenchRow[]): BenchSummary {
  const metrics = KIND_METRICS[kind];
  const ok = candidates.filter((c) => rows.filter((r) => r.candidate === c).every((r) => r.result.ok));
  const vectors = ok.map((c) => scenarios.flatMap((s) => {
    const r = rows.find((x) => x.candidate === c && x.scenario === s.name)!.result;
    return metrics.map((m) => (r.ok ? r.report[m.key] ?? NaN : NaN));
  }));
  const front = paretoFront(vectors, directions(metrics, scenarios.length)).map((i) => ok[i]!);
  return { kind, metrics, candidates, scenarios, rows, pareto: front };
}

const fmt = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : Math.abs(v) >= 100 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : v.toFixed(Math.abs(v) < 1 ? 4 : 2));

/** Per scenario: candidates ranked by the kind's first metric, every metric, and a ★ on the Pareto front. */
export function benchTable(sum: BenchSummary, markdown: boolean): string {
  const out: string[] = [];
  for (const s of sum.scenarios) {
    const first = sum.metrics[0]!;
    const rows = sum.rows.filter((r) => r.scenario === s.name);
    const sorted = [...rows].sort((a, b) => {
      if (!a.result.ok || !b.result.ok) return Number(!a.result.ok) - Number(!b.result.ok);
      const d = (a.result.report[first.key] ?? 0) - (b.result.report[first.key] ?? 0);
      return first.better === 'min' ? d : -d;
    });
    // units go in the footer, so four metrics fit 80 columns
    const head = ['rank', 'candidate', ...sum.metrics.map((m) => `${shortLabel(m.label)} ${m.better === 'min' ? '↓' : '↑'}`)];
    const body = sorted.map((r, i) => [
      r.result.ok ? String(i + 1) : '✗',
      `${r.candidate}${sum.pareto.includes(r.candidate) ? ' ★' : ''}`,
      ...sum.metrics.map((m) => (r.result.ok ? fmt(r.result.report[m.key]) : '')),
    ]);
    const fails = sorted.filter((r) => !r.result.ok).map((r) => `  ${r.candidate}: ${(r.result as { kind: string }).kind}: ${(r.result as { message: string }).message}`);
    out.push(markdown ? `### ${s.name}${s.heldOut ? ' (held out)' : ''}\n\n${s.description}\n` : wrap(`${s.name}${s.heldOut ? ' (held out)' : ''} — ${s.description}`, 80).join('\n'));
    out.push(markdown ? mdTable(head, body) : textTable(head, body));
    if (fails.length > 0) out.push(fails.join('\n'));
    const paired = pairedTable(sum, s.name, markdown);
    if (paired) out.push('', paired);
    out.push('');
  }
  if (sum.metrics.some((m) => m.label !== shortLabel(m.label))) out.push('Times in ms.');
  out.push(wrap(`★ Pareto-optimal over all scenarios and metrics: ${sum.pareto.join(', ') || 'none'}`, 80).join('\n'));
  return out.join('\n');
}

/** Each candidate's change against the first candidate on one scenario, ± 95 %, with the paired test's verdict. */
function pairedTable(sum: BenchSummary, scenario: string, markdown: boolean): string | null {
  const cells = pairedAgainstFirst(sum).filter((c) => c.scenario === scenario);
  if (cells.length === 0) return null;
  const n = cells[0]!.difference.n;
  const mark = (d: PairedDifference): string => (d.call === 'better' ? ' ✓' : d.call === 'worse' ? ' ✗' : '');
  const cell = (d: PairedDifference): string => (Number.isFinite(d.mean) ? `${d.mean >= 0 ? '+' : '−'}${Math.abs(100 * d.mean).toFixed(1)}±${(100 * d.ci95).toFixed(1)} %${mark(d)}` : '—');
  const head = [`vs ${sum.candidates[0]}`, ...sum.metrics.map((m) => shortLabel(m.label))];
  const body = sum.candidates.slice(1).map((c) => [c, ...sum.metrics.map((m) => {
    const x = cells.find((y) => y.candidate === c && y.metric === m.key);
    return x ? cell(x.difference) : '';
  })]);
  const note = `paired over ${n} seed replicas (+ better, ± 95 %; ✓ ✗ where |z| > ${Z_CRITICAL})`;
  return markdown ? `${note}\n\n${mdTable(head, body)}` : `${note}\n${textTable(head, body)}`;
}

const shortLabel = (label: string): string => label.replace(/ \(ms\)$/, '');

function textTable(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i <= 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '─'.repeat(x)).join('  '), ...body.map(line)].join('\n');
}

function mdTable(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i <= 1 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
