import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseFlags } from './parse-flags.js';
import { basename, dirname, resolve } from 'node:path';
import { OBJECTIVES } from '../../objectives/objectives.js';
import { Objective, type ScenarioMetrics } from '../../objectives/objective.js';
import { UsageError } from '../replay/json-arg.js';
import { BASELINE_ID, ledgerTotals, RunLog, type LedgerEntry } from '../runlog/run-log.js';

export const REVIEW_HELP = `Usage: twinsearch review <run-dir> [flags]

Shows what a search run accepted, in the order it accepted it (the baseline left out): per candidate its
id, parent, proposer and description, the diff of candidate.ts against its parent candidate, and a table
of every metric on every scenario, parent → candidate with the relative change, marked better or worse
by the metric's direction ("within noise" inside the objective's noise margin).

Flags:
  --candidate ID   show only this accepted candidate (e.g. c0006)
  --markdown       print a Markdown report (summary, a \`\`\`diff block and a table per candidate) to
                   paste into a code review
  --html FILE      write a self-contained HTML report to FILE instead (one file that opens offline and
                   can be shared: the Pareto front plot, the lineage of the accepted candidates, and
                   every accepted diff with its metric table) and print its path; with --candidate,
                   only that candidate's diff (the plot and the lineage still cover the whole run)
  --no-color       no ANSI colors in the diff and the marks (they are only used on a terminal; the
                   NO_COLOR environment variable also turns them off)
  --help           show this help

Example:
  twinsearch review runs/router-latency-2025-01-01T00-00-00 --candidate c0006 --markdown
  twinsearch review runs/router-latency-2025-01-01T00-00-00 --html review.html
`;

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

/** Reads a run directory; any problem with it is the user's (a UsageError, exit 2). */
export function loadRun(dir: string, warn: (m: string) => void): RunInfo {
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
  const spec = parsed.success ? parsed.data : OBJECTIVES.get(config.objective);
  const ledger = log.ledger(warn);
  // by id: an entry recorded twice (recovered from git after a crash) is one candidate
  const accepted = [...new Map(ledger.filter((e) => e.status === 'accepted' && e.id !== BASELINE_ID).map((e) => [e.id, e])).values()];
  const { tokens, usd, ...counts } = ledgerTotals(ledger);
  return { dir, log, config, spec, ledger, accepted, counts, tokens, usd };
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

/** One row per scenario and metric (constraint keys too: a candidate can trade them away). */
export function metricRows(spec: Objective, parent: ScenarioMetrics | undefined, cand: ScenarioMetrics): { scenario: string; metric: string; before?: number; after?: number; change?: string; mark: Mark }[] {
  const keys = [...spec.metrics.map((m) => ({ key: m.key, label: m.key, better: m.better })),
    ...spec.constraints.map((c) => ({ key: c.key, label: `${c.key} (${c.bound === 'max' ? '≤' : '≥'} ${c.limit})`, better: c.bound === 'max' ? 'min' as const : 'max' as const }))];
  const scenarios = [...new Set([...spec.search, ...spec.heldOut, ...Object.keys(cand)])].filter((s) => cand[s] || parent?.[s]);
  return scenarios.flatMap((s) => keys.filter((k, i) => keys.findIndex((o) => o.key === k.key) === i).map((k) => {
    const before = parent?.[s]?.[k.key], after = cand[s]?.[k.key];
    let mark: Mark = '';
    if (before !== undefined && after !== undefined && Number.isFinite(before) && Number.isFinite(after)) {
      const rel = Math.abs(after - before) / Math.max(Math.abs(before), 1e-12);
      mark = rel <= spec.noiseMargin ? 'within noise' : (after < before) === (k.better === 'min') ? 'better' : 'worse';
    }
    const c = change(before, after);
    return { scenario: spec.heldOut.includes(s) ? `${s} [held out]` : s, metric: k.label, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), ...(c ? { change: c } : {}), mark };
  }));
}

/** Aligned columns; `right` holds the indices of right-aligned (numeric) columns. */
export function pad(rows: string[][], right: Set<number>): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
}

export async function reviewCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { candidate: { type: 'string' }, markdown: { type: 'boolean' }, html: { type: 'string' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean' } } });
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(REVIEW_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('give one run directory, e.g. twinsearch review runs/router-latency-<time>');
  if (v.html !== undefined && v.markdown) throw new UsageError('--html and --markdown are two formats of the same report; give one of them');
  if (v.html !== undefined && v.html.trim() === '') throw new UsageError('--html needs a file name, e.g. --html review.html');
  const run = loadRun(resolve(parsed.positionals[0]!), (m) => void process.stderr.write(`warning: ${m}\n`));
  if (!run.spec) throw new UsageError(`${run.dir}: the run's objective ${run.config.objective} is unknown and run.json has no objective spec`);
  const spec = run.spec;
  let shown = run.accepted;
  if (v.candidate !== undefined) {
    shown = run.accepted.filter((e) => e.id === v.candidate);
    const known = run.accepted.map((e) => e.id).join(', ') || 'none';
    if (shown.length === 0) throw new UsageError(`no accepted candidate ${v.candidate} in ${run.dir}; accepted: ${known}`);
  }
  if (v.html !== undefined) {
    const file = resolve(v.html);
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw new Error(`cannot write the HTML report ${file}: cannot create its directory ${dirname(file)} (${(e as Error).message})`);
    }
    // loaded on demand: the terminal report does not need it
    const { htmlReport } = await import('../report/html-report.js');
    const html = await htmlReport(run, v.candidate !== undefined ? { candidate: v.candidate } : {});
    try {
      writeFileSync(file, html);
    } catch (e) {
      throw new Error(`cannot write the HTML report ${file}: ${(e as Error).message}`);
    }
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  }
  const byId = new Map(run.ledger.filter((e) => e.status === 'accepted').map((e) => [e.id, e]));
  const md = Boolean(v.markdown);
  const color = !md && Boolean(process.stdout.isTTY) && !v['no-color'] && !process.env.NO_COLOR;
  const paint = (code: number, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const c = run.counts;
  const summary = `${c.evaluated} candidates evaluated: ${c.accepted} accepted, ${c.rejected} rejected, ${c.failed} failed; ${run.tokens} tokens, $${run.usd.toFixed(4)}`;
  const out: string[] = md
    ? [`# twinsearch run \`${basename(run.dir)}\` (${spec.name})`, '', `${summary}.`, '']
    : [`run ${run.dir} (${spec.name}): ${summary}`, ''];
  if (shown.length === 0) out.push(md ? '_No candidate was accepted._' : 'no candidate was accepted (yet)', '');
  for (const e of shown) {
    const diff = e.parent ? await run.log.diffBetween(e.parent, e.id) : '';
    const rows = metricRows(spec, e.parent ? byId.get(e.parent)?.metrics : undefined, e.metrics ?? {});
    const parent = e.parent ?? 'none';
    if (md) {
      // a fence longer than any backtick run in the code, so the code cannot close it
      const fence = '`'.repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
      const cell = (s: string): string => s.replace(/\|/g, '\\|');
      out.push(`## ${e.id}: ${e.description ?? '(no description)'}`, '', `parent \`${parent}\` · proposer \`${e.proposer ?? '?'}\``, '',
        diff ? `${fence}diff\n${diff}\n${fence}` : '_No change to candidate.ts._', '',
        `| scenario | metric | ${cell(parent)} | ${cell(e.id)} | change |`, '|---|---|--:|--:|---|',
        ...rows.map((r) => `| ${cell(r.scenario)} | ${cell(r.metric)} | ${fmt(r.before)} | ${fmt(r.after)} | ${r.change ?? '—'}${r.mark ? ` ${r.mark}` : ''} |`), '');
      continue;
    }
    out.push(paint(1, `${e.id}  ${e.description ?? '(no description)'}`), `parent ${parent}   proposer ${e.proposer ?? '?'}`, '');
    out.push(diff ? diff.split('\n').map((l) => (l.startsWith('@@') ? paint(36, l) : l.startsWith('+') ? paint(32, l) : l.startsWith('-') ? paint(31, l) : l)).join('\n') : '(no change to candidate.ts)', '');
    const table = pad([['scenario', 'metric', parent, '', e.id, 'change', ''],
      ...rows.map((r) => [r.scenario, r.metric, fmt(r.before), '→', fmt(r.after), r.change ?? '—', r.mark])], new Set([2, 4, 5]));
    // color after padding: escape codes would throw the column widths off
    out.push(...table.map((l, i) => (i === 0 ? l : l.replace(/ (better|worse)$/, (_, m: string) => ` ${paint(m === 'better' ? 32 : 31, m)}`))), '');
  }
  process.stdout.write(out.join('\n'));
  return 0;
}
