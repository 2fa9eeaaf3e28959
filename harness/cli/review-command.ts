import { mkdirSync, writeFileSync } from 'node:fs';
import { parseFlags } from './parse-flags.js';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../replay/json-arg.js';
import { fmt, loadRun, metricRows, pad, pairedSamplesOf } from '../report/run-info.js';
import { fitHelp } from './help-text.js';

export const REVIEW_HELP = fitHelp(`Usage: twinsearch review <run-dir> [flags]

Shows what a search run accepted, in the order it accepted it (the baseline left out): per candidate its
id, parent, proposer and description, the diff of candidate.ts against its parent candidate, and a table
of every metric on every scenario (search and held-out), parent → candidate with the relative change
and its 95 % interval over the seed replicas, marked better or worse when the paired test says so
("within noise" otherwise), with the test's z (docs/search.md).

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
`);

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
    : [`run ${run.dir} (${spec.name})`, summary, ''];
  if (shown.length === 0) out.push(md ? '_No candidate was accepted._' : 'no candidate was accepted (yet)', '');
  for (const e of shown) {
    const diff = e.parent ? await run.log.diffBetween(e.parent, e.id) : '';
    const rows = metricRows(spec, e.parent ? byId.get(e.parent)?.metrics : undefined, e.metrics ?? {}, pairedSamplesOf(run, e));
    const zCell = (z: number | undefined): string => (z === undefined ? '' : Number.isFinite(z) ? `z ${z >= 0 ? '+' : '−'}${Math.abs(z).toFixed(1)}` : 'exact');
    const parent = e.parent ?? 'none';
    if (md) {
      // a fence longer than any backtick run in the code, so the code cannot close it
      const fence = '`'.repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
      const cell = (s: string): string => s.replace(/\|/g, '\\|');
      out.push(`## ${e.id}: ${e.description ?? '(no description)'}`, '', `parent \`${parent}\` · proposer \`${e.proposer ?? '?'}\``, '',
        diff ? `${fence}diff\n${diff}\n${fence}` : '_No change to candidate.ts._', '',
        `| scenario | metric | ${cell(parent)} | ${cell(e.id)} | change (± 95 %) | confidence |`, '|---|---|--:|--:|---|---|',
        ...rows.map((r) => `| ${cell(r.scenario)} | ${cell(r.metric)} | ${fmt(r.before)} | ${fmt(r.after)} | ${r.change ?? '—'}${r.mark ? ` ${r.mark}` : ''} | ${zCell(r.z)} |`), '');
      continue;
    }
    out.push(paint(1, `${e.id}  ${e.description ?? '(no description)'}`), `parent ${parent}   proposer ${e.proposer ?? '?'}`, '');
    out.push(diff ? diff.split('\n').map((l) => (l.startsWith('@@') ? paint(36, l) : l.startsWith('+') ? paint(32, l) : l.startsWith('-') ? paint(31, l) : l)).join('\n') : '(no change to candidate.ts)', '');
    // one heading line per scenario and a row per metric, so the table fits 80 columns
    const wb = Math.max(parent.length, ...rows.map((r) => fmt(r.before).length));
    const wa = Math.max(e.id.length, ...rows.map((r) => fmt(r.after).length));
    const table = pad([['metric', `${parent.padStart(wb)}   ${e.id.padStart(wa)}`, 'change ±95%', '', 'z'],
      ...rows.map((r) => [r.metric, `${fmt(r.before).padStart(wb)} → ${fmt(r.after).padStart(wa)}`, r.change ?? '—', r.mark, zCell(r.z).replace(/^z /, '')])], new Set([1, 2, 4]));
    // color after padding: escape codes would throw the column widths off
    const colored = table.map((l, i) => (i === 0 ? l : l.replace(/ (better|worse)( |$)/, (_, m: string, t: string) => ` ${paint(m === 'better' ? 32 : 31, m)}${t}`)));
    out.push(colored[0]!);
    rows.forEach((r, i) => {
      if (i === 0 || rows[i - 1]!.scenario !== r.scenario) out.push(paint(1, r.scenario));
      out.push(colored[i + 1]!);
    });
    out.push('');
  }
  process.stdout.write(out.join('\n'));
  return 0;
}
