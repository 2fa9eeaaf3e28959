import { KIND_METRICS, type MetricSpec } from '../../objectives/metrics.js';
import { directions, paretoFront } from '../../objectives/pareto.js';
import type { Scenario } from '../../objectives/scenario.js';
import type { Evaluation, PolicyKind } from './evaluator.js';

export interface BenchRow {
  candidate: string;
  scenario: string;
  result: Evaluation;
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
    const head = ['rank', 'candidate', ...sum.metrics.map((m) => `${m.label} ${m.better === 'min' ? '↓' : '↑'}`)];
    const body = sorted.map((r, i) => [
      r.result.ok ? String(i + 1) : '✗',
      `${r.candidate}${sum.pareto.includes(r.candidate) ? ' ★' : ''}`,
      ...sum.metrics.map((m) => (r.result.ok ? fmt(r.result.report[m.key]) : '')),
    ]);
    const fails = sorted.filter((r) => !r.result.ok).map((r) => `  ${r.candidate}: ${(r.result as { kind: string }).kind}: ${(r.result as { message: string }).message}`);
    out.push(markdown ? `### ${s.name}${s.heldOut ? ' (held out)' : ''}\n\n${s.description}\n` : `${s.name}${s.heldOut ? ' (held out)' : ''} — ${s.description}`);
    out.push(markdown ? mdTable(head, body) : textTable(head, body));
    if (fails.length > 0) out.push(fails.join('\n'));
    out.push('');
  }
  out.push(`★ Pareto-optimal over all scenarios (${sum.metrics.map((m) => m.label).join(', ')}): ${sum.pareto.join(', ') || 'none'}`);
  return out.join('\n');
}

function textTable(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i <= 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '─'.repeat(x)).join('  '), ...body.map(line)].join('\n');
}

function mdTable(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i <= 1 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
