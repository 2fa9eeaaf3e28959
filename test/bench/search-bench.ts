/**
 * What an unattended search is worth (issue #12): per objective, a search of `--minutes` with the offline
 * proposer only, every candidate evaluated in a fresh sandbox (no result cache), then the best accepted
 * candidate against the objective's tuned reference (its baseline) on every search and held-out
 * scenario, paired over the seed replicas, with the issue's targets checked; and the search's rate
 * (evaluations per hour, probe included) and how proposals ended. Writes its figures into
 * docs/benchmarks.md.
 *
 *   npm run bench:search [-- --minutes 60 --objective router-latency,planner-cost-sla,eviction-hit-rate
 *                          --parallel P --candidates N --seed S --keep DIR]
 *
 * `--candidates N` stops each search after N candidates instead (a quick look; not the targets' budget);
 * `--keep DIR` keeps each run directory as DIR/<objective> for `twinsearch review`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceBlock } from './bench-doc.js';
import { getObjective, OBJECTIVES } from '../../objectives/objectives.js';
import { violation, type Objective } from '../../objectives/objective.js';
import { pairedDifference, type PairedDifference } from '../../objectives/paired.js';
import { replicaOf } from '../../objectives/scenario.js';
import { getScenario } from '../../objectives/scenarios/index.js';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { RunLog, type LedgerEntry } from '../../harness/runlog/run-log.js';
import { baselineReplicas, runSearch } from '../../harness/search/search-loop.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' }, objective: { type: 'string' }, parallel: { type: 'string' },
    candidates: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'string' },
  },
});
const minutes = Number(values.minutes ?? 60);
const candidates = values.candidates !== undefined ? Number(values.candidates) : undefined;
const parallel = Number(values.parallel ?? Math.max(1, availableParallelism()));
const seed = Number(values.seed ?? 1);
const names = (values.objective ?? [...OBJECTIVES.keys()].join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const [flag, v] of [['--minutes', minutes], ['--parallel', parallel], ['--seed', seed], ['--candidates', candidates ?? 1]] as const) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`bench:search: ${flag} must be a positive number`);
    process.exit(2);
  }
}
let objectives: Objective[];
try {
  objectives = names.map(getObjective);
} catch (e) {
  console.error(`bench:search: --objective: ${(e as Error).message}`);
  process.exit(2);
}

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} %`;

/** Targets of issue #12, per objective: what the best accepted candidate must show against the tuned reference. */
interface Check { what: string; met: boolean }

function changeOf(o: Objective, c: LedgerEntry, b: LedgerEntry, scenario: string, key: string, better: 'min' | 'max'): PairedDifference | null {
  const cs = c.samples?.[scenario]?.[key], bs = b.samples?.[scenario]?.[key];
  if (!cs || !bs) return null;
  return pairedDifference(cs, bs, better, 0, o.noiseMargin);
}

/** The accepted candidate that improves the first metric most over the search scenarios, feasible first. */
function bestOf(o: Objective, accepted: readonly LedgerEntry[], base: LedgerEntry): LedgerEntry | null {
  let best: LedgerEntry | null = null, bestScore = -Infinity;
  const k = o.metrics[0]!;
  for (const e of accepted) {
    if (!e.metrics) continue;
    const v = violation(o, e.metrics, o.search, base.metrics);
    let s = 0;
    for (const sc of o.search) {
      const x = e.metrics[sc]?.[k.key], y = base.metrics?.[sc]?.[k.key];
      if (x === undefined || y === undefined || y === 0) continue;
      s += (k.better === 'min' ? y - x : x - y) / Math.abs(y) / o.search.length;
    }
    const score = s - 10 * v;
    if (score > bestScore) { best = e; bestScore = score; }
  }
  return best;
}

/** Fully evaluated candidates whose every search replica equals an earlier candidate's (the baseline's first replicas included). */
function duplicatesAfterFullEvaluation(o: Objective, ledger: readonly LedgerEntry[], base: LedgerEntry): number {
  const key = (e: LedgerEntry): string | null => {
    const parts: number[] = [];
    for (const s of o.search) {
      for (const m of o.metrics) {
        const xs = e.samples?.[s]?.[m.key];
        if (!xs || xs.length < o.seeds) return null;
        parts.push(...xs.slice(0, o.seeds));
      }
    }
    return JSON.stringify(parts);
  };
  const seen = new Set<string>();
  const b = key(base);
  if (b) seen.add(b);
  let n = 0;
  for (const e of [...ledger].sort((x, y) => x.atMs - y.atMs)) {
    const k = key(e);
    if (k === null) continue;
    if (seen.has(k)) n++;
    seen.add(k);
  }
  return n;
}

function targetsOf(o: Objective, best: LedgerEntry | null, base: LedgerEntry): Check[] {
  const m = (e: LedgerEntry, s: string, k: string): number => e.metrics?.[s]?.[k] ?? Number.NaN;
  const rel = (s: string, k: string, better: 'min' | 'max'): number => {
    if (!best) return 0;
    const x = m(best, s, k), y = m(base, s, k);
    return (better === 'min' ? y - x : x - y) / Math.abs(y);
  };
  const all = (xs: readonly string[], f: (s: string) => boolean): boolean => xs.length > 0 && xs.every(f);
  switch (o.name) {
    case 'router-latency':
      return [
        { what: 'p95 TTFT ≥ 15 % better on each search scenario', met: all(o.search, (s) => rel(s, 'p95_ttft_ms', 'min') >= 0.15) },
        { what: 'throughput within 1 % on each search scenario', met: !!best && all(o.search, (s) => rel(s, 'output_throughput_tok_s', 'max') >= -0.01) },
        { what: 'p95 TTFT ≥ 10 % better on each held-out scenario', met: all(o.heldOut, (s) => rel(s, 'p95_ttft_ms', 'min') >= 0.1) },
      ];
    case 'planner-cost-sla':
      return [
        { what: 'SLA attainment ≥ 90 % on each held-out scenario', met: !!best && all(o.heldOut, (s) => m(best, s, 'sla_attainment') >= 0.9) },
        { what: '≥ 20 % fewer GPU-hours on each held-out scenario', met: all(o.heldOut, (s) => rel(s, 'gpu_hours', 'min') >= 0.2) },
      ];
    case 'eviction-hit-rate':
      return [
        { what: 'prefix reuse ≥ 5 % better on each held-out scenario', met: all(o.heldOut, (s) => rel(s, 'prefix_cache_reused_ratio', 'max') >= 0.05) },
        { what: 'p95 TTFT no worse on each held-out scenario', met: !!best && all(o.heldOut, (s) => rel(s, 'p95_ttft_ms', 'min') >= -o.noiseMargin) },
      ];
    default:
      return [];
  }
}

interface Result { o: Objective; wall: number; loop: number; evaluations: number; ledger: LedgerEntry[]; best: LedgerEntry | null; base: LedgerEntry; shipped: Record<string, Record<string, number[]>> | null }

/** The shipped (untuned) policy on the same replicas of every scenario, for the gain over the default. */
async function shippedSamples(o: Objective): Promise<Result['shipped']> {
  if (!o.shippedDefault) return null;
  const ev = new SandboxEvaluator({}, null);
  const file = join(import.meta.dirname, '../..', o.shippedDefault);
  const out: Record<string, Record<string, number[]>> = {};
  try {
    for (const name of [...o.search, ...o.heldOut]) {
      const s = getScenario(name);
      const rs = await Promise.all(Array.from({ length: o.seeds }, (_, i) => ev.evaluate(file, replicaOf(s, i))));
      out[name] = {};
      for (const k of o.metrics) out[name]![k.key] = rs.map((r) => (r.ok ? (r.report as Record<string, number>)[k.key] ?? Number.NaN : Number.NaN));
    }
  } finally {
    ev.close();
  }
  return out;
}

async function benchOne(o: Objective): Promise<Result> {
  const root = values.keep !== undefined ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'ts-bench-search-'));
  const dir = join(root, values.keep !== undefined ? o.name : 'run');
  let baselineDone = 0;
  const t0 = performance.now();
  console.log(`\n${o.name}: ${candidates !== undefined ? `${candidates} candidates` : `${minutes} min`}, ${parallel} in flight, offline proposer, no result cache`);
  let last = 0;
  try {
    await runSearch({
      objective: o, runDir: dir, resume: false, seed, parallel, proposer: new MutationProposer(),
      ...(candidates !== undefined ? { budgetIterations: candidates } : { budgetMinutes: minutes }),
      evaluator: new SandboxEvaluator({}, null),
      log: (l) => {
        if (!baselineDone && /^c\d+/.test(l)) baselineDone = performance.now();
        if (/ACCEPTED/.test(l)) console.log(`  ${l.slice(0, 160)}`);
        // a line a minute, so a long run shows it is alive
        if (performance.now() - last > 60_000) { last = performance.now(); console.log(`  ${((performance.now() - t0) / 60_000).toFixed(0)} min: ${l.slice(0, 100)}`); }
      },
    });
    const wall = (performance.now() - t0) / 1000;
    const loop = (performance.now() - (baselineDone || t0)) / 1000;
    const all = RunLog.open(dir).ledger();
    const base = all.find((e) => e.id === 'baseline')!;
    const ledger = all.filter((e) => e.id !== 'baseline');
    const evaluations = ledger.reduce((k, e) => k + (e.timings?.evaluations ?? 0), 0);
    const best = bestOf(o, ledger.filter((e) => e.status === 'accepted'), base);
    return { o, wall, loop, evaluations, ledger, best, base, shipped: await shippedSamples(o) };
  } finally {
    if (values.keep === undefined) rmSync(root, { recursive: true, force: true });
  }
}

function report(r: Result): string {
  const { o, ledger, best, base } = r;
  const n = ledger.length;
  const count = (f: (e: LedgerEntry) => boolean): number => ledger.filter(f).length;
  const dup = count((e) => e.reason === 'duplicate code');
  const same = count((e) => !!e.reason?.startsWith('same behaviour'));
  const accepted = count((e) => e.status === 'accepted');
  const failed = count((e) => e.status === 'failed');
  const early = count((e) => !!e.reason?.includes('stopped early'));
  const ideas = count((e) => !!e.description?.startsWith('idea '));
  const ideasAccepted = count((e) => e.status === 'accepted' && (!!e.description?.startsWith('idea ') || !!e.description?.startsWith('tuning ')));
  // the cascade's purpose: a duplicate found only after the full evaluation is the waste the target bounds
  const fullDup = duplicatesAfterFullEvaluation(o, ledger, base);
  const full = count((e) => o.search.every((s) => (e.samples?.[s]?.[o.metrics[0]!.key]?.length ?? 0) >= o.seeds));
  const evPerHour = Math.round((r.evaluations / r.loop) * 3600);
  const out: string[] = [];
  out.push(`### ${o.name}`, '');
  out.push(`${n} candidates in ${(r.loop / 60).toFixed(1)} min after the baseline (${(r.wall - r.loop).toFixed(0)} s on ${baselineReplicas(o)} replicas of ${o.search.length + o.heldOut.length} scenarios): `
    + `${r.evaluations} evaluations, **${evPerHour.toLocaleString('en-US')} per hour** (target ≥ 3,000: ${evPerHour >= 3000 ? 'met' : '**not met**'}). `
    + `Proposals: ${accepted} accepted (${ideasAccepted} from grafted ideas or their tuning; ${ideas} ideas grafted), ${dup} duplicate code (dropped before any evaluation), `
    + `${same} behaving like an earlier candidate on the probe replica (${((100 * same) / Math.max(1, n)).toFixed(0)} %, dropped after that one evaluation), `
    + `${early} stopped early as clearly worse, ${failed} failed. ${full} went through the full evaluation; ${fullDup} of them (${((100 * fullDup) / Math.max(1, n)).toFixed(0)} % of proposals) `
    + `behaved exactly like an earlier candidate on every replica of every search scenario (target ≤ 20 % dropped as duplicates after a full evaluation: ${fullDup <= 0.2 * n ? 'met' : '**not met**'}).`);
  out.push('');
  if (!best) {
    out.push(`No candidate was accepted: the tuned reference (\`${o.baseline}\`) stands.`);
  } else {
    out.push(`Best accepted: **${best.id}** (${(best.description ?? '').slice(0, 120)}), against the tuned reference \`${o.baseline}\`, paired over ${o.seeds} seed replicas (change ± 95 %; + is better):`, '');
    const keys = [...o.metrics.map((k) => ({ key: k.key, better: k.better })), ...o.constraints.filter((c) => !o.metrics.some((k) => k.key === c.key)).map((c) => ({ key: c.key, better: c.bound === 'min' ? 'max' as const : 'min' as const }))];
    out.push(`| scenario | ${keys.map((k) => k.key).join(' | ')} |`, `|---|${keys.map(() => '---').join('|')}|`);
    for (const s of [...o.search, ...o.heldOut]) {
      const cells = keys.map((k) => {
        const d = changeOf(o, best, base, s, k.key, k.better);
        const v = best.metrics?.[s]?.[k.key];
        if (v === undefined) return '';
        return `${Number(v.toPrecision(4))}${d && Number.isFinite(d.mean) ? ` (${pct(d.mean)} ± ${(100 * d.ci95).toFixed(1)})` : ''}`;
      });
      out.push(`| ${o.heldOut.includes(s) ? `${s} (held out)` : s} | ${cells.join(' | ')} |`);
    }
  }
  if (r.shipped && o.shippedDefault) {
    // the tuning's share of the gain, and the search's, against the policy as shipped
    const k = o.metrics[0]!;
    const vsShipped = (e: LedgerEntry, sc: string): string => {
      const d = pairedDifference(e.samples?.[sc]?.[k.key] ?? [], r.shipped![sc]?.[k.key] ?? [], k.better, 0);
      return Number.isFinite(d.mean) ? `${pct(d.mean)} ± ${(100 * d.ci95).toFixed(1)}` : '—';
    };
    out.push('', `${k.key} against the shipped default \`${o.shippedDefault}\` (+ is better): ${[...o.search, ...o.heldOut].map((sc) => `${sc}: tuned reference ${vsShipped(base, sc)}${best ? `, best accepted ${vsShipped(best, sc)}` : ''}`).join('; ')}.`);
  }
  out.push('');
  const checks = targetsOf(o, best, base);
  if (checks.length) out.push(`Targets against the tuned reference: ${checks.map((c) => `${c.what}: ${c.met ? 'met' : '**not met**'}`).join('; ')}.`);
  return out.join('\n');
}

// one block per objective, so a run of some objectives refreshes only theirs
const stamp = `${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores`;
for (const o of objectives) {
  const r = await benchOne(o);
  const text = report(r);
  console.log(text);
  const cmd = `npm run bench:search -- ${candidates !== undefined ? `--candidates ${candidates}` : `--minutes ${minutes}`} --objective ${o.name} --parallel ${parallel} --seed ${seed}`;
  replaceBlock(join(import.meta.dirname, '../../docs/benchmarks.md'), `bench:search:${o.name}`,
    `${text}\n\n_\`${cmd}\` (${stamp}): offline proposer only, every candidate in a fresh sandbox, no result cache._`);
}
