import { existsSync, readdirSync, statSync } from 'node:fs';
import { parseFlags } from './parse-flags.js';
import { BASELINE_ID } from '../runlog/run-log.js';
import { join, resolve } from 'node:path';
import { UsageError } from '../replay/json-arg.js';
import { REPO_ROOT } from '../scenario/scenario-workload.js';
import { change, fmt, loadRun, pad, type RunInfo } from '../report/run-info.js';
import { fitHelp } from './help-text.js';

export const RUNS_HELP = fitHelp(`Usage: twinsearch runs [DIR] [flags]

Lists the search runs under DIR (default: the project's runs/), oldest first, one row each: its name,
objective, when it was created, candidates evaluated, accepted, rejected and failed, the size of its
Pareto front, the best value of the objective's first metric on its first search scenario among the
accepted candidates (with the change against the baseline), and whether a search is running in it now
(its lock file names a live process) or stopped. Directories that are not runs are skipped.

Flags:
  --json   print the runs as a JSON array instead of a table
  --help   show this help

Review one run with \`twinsearch review DIR/<name>\`.
`);

interface RunRow {
  name: string;
  dir: string;
  objective: string;
  createdAt: string | null;
  evaluated: number;
  accepted: number;
  rejected: number;
  failed: number;
  front: number;
  /** changePct: relative change against the baseline, in percent (negative = lower). */
  best: { metric: string; scenario: string; id: string; value: number; baseline: number | null; changePct: number | null } | null;
  status: 'running' | 'stopped';
}

function bestOf(run: RunInfo): RunRow['best'] {
  const spec = run.spec;
  if (!spec) return null;
  const metric = spec.metrics[0]!, scenario = spec.search[0]!;
  const valueOf = (e: RunInfo['ledger'][number]): number | undefined => e.metrics?.[scenario]?.[metric.key];
  const base = run.ledger.find((e) => e.id === BASELINE_ID);
  let best: RunInfo['ledger'][number] | undefined;
  for (const e of run.ledger) {
    const x = valueOf(e);
    if (e.status !== 'accepted' || x === undefined || !Number.isFinite(x)) continue;
    const b = best && valueOf(best);
    if (b === undefined || (metric.better === 'min' ? x < b : x > b)) best = e;
  }
  if (!best) return null;
  const value = valueOf(best)!, baseline = base ? valueOf(base) ?? null : null;
  const changePct = baseline !== null && baseline !== 0 ? ((value - baseline) / Math.abs(baseline)) * 100 : null;
  return { metric: metric.key, scenario, id: best.id, value, baseline, changePct };
}

export function listRuns(root: string, warn: (m: string) => void): RunRow[] {
  const rows: RunRow[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (name === '.cache' || !statSync(dir).isDirectory() || !existsSync(join(dir, '.twinsearch', 'run.json')) || !existsSync(join(dir, '.git'))) continue;
    let run: RunInfo;
    try {
      run = loadRun(dir, (m) => warn(m));
    } catch (e) {
      warn(`${dir}: ${(e as Error).message}; skipped`);
      continue;
    }
    const { counts } = run;
    rows.push({ name, dir, objective: run.config.objective, createdAt: run.config.createdAt ?? null, ...counts, front: run.log.readFront().length, best: bestOf(run), status: run.log.lockHolder() === null ? 'stopped' : 'running' });
  }
  return rows.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.name.localeCompare(b.name));
}

export function runsCommand(argv: string[]): number {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (parsed.values.help) {
    process.stdout.write(RUNS_HELP);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new UsageError(`give at most one directory, got ${parsed.positionals.length}`);
  const root = resolve(parsed.positionals[0] ?? join(REPO_ROOT, 'runs'));
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`not a directory: ${root}`);
  const rows = listRuns(root, (m) => void process.stderr.write(`warning: ${m}\n`));
  if (parsed.values.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no runs under ${root}\n`);
    return 0;
  }
  const table = [['name', 'objective', 'created', 'evaluated', 'accepted', 'rejected', 'failed', 'front', 'best (first metric, first scenario)', 'status'],
    ...rows.map((r) => [r.name, r.objective, r.createdAt ? r.createdAt.slice(0, 16).replace('T', ' ') : '?', String(r.evaluated), String(r.accepted), String(r.rejected), String(r.failed), String(r.front),
      r.best ? `${r.best.metric} ${fmt(r.best.value)} ${r.best.id === BASELINE_ID ? '(baseline)' : `${r.best.id}${r.best.baseline !== null ? ` (${change(r.best.baseline, r.best.value) ?? '?'} vs baseline)` : ''}`}` : '—', r.status])];
  process.stdout.write(pad(table, new Set([3, 4, 5, 6, 7])).join('\n') + '\n');
  return 0;
}
