/**
 * `npm run bench:fidelity`: replays the bundled calibration rows (data/calibration/silicon_calibration.csv)
 * with `twinsearch validate`'s default protocol on all cores, prints the issue's target table and
 * writes it into docs/fidelity.md (between the generated-block markers), the scatter plots into
 * docs/fidelity-ttft.svg and docs/fidelity-tpot.svg, and the validation speed into docs/benchmarks.md.
 *
 * Targets: aggregated rows TTFT MAPE ≤ 15 % and TPOT MAPE ≤ 8 % for each backend; disaggregated rows
 * TTFT ≤ 25 %, TPOT ≤ 12 %; leave-one-model-out within 1.5× of in-sample; every row simulated;
 * validate on the 921 rows in ≤ 3 minutes on 2 cores.
 *
 *   npm run bench:fidelity [-- --jobs N] [--no-write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceBlock } from './bench-doc.js';
import { DEFAULT_CSV } from '../../harness/cli/validate-command.js';
import { scatterSvg } from '../../harness/validate/fidelity-plot.js';
import { runValidation } from '../../harness/validate/run-validation.js';
import type { Protocol, RowResult } from '../../harness/validate/simulate-row.js';
import { parseSiliconCsv } from '../../harness/validate/silicon-csv.js';
import { groupErrors, median, shortModel, summarize, type GroupErrors } from '../../harness/validate/summary.js';
import { fitFrontendMs } from '../../harness/validate/fit-frontend.js';
import { FRONTEND_MS } from '../../sim/deployment.js';
import { catalogModelFor } from '../../sim/catalog/models.js';
import { CLOSED_LOOP_DEFAULTS } from '../../sim/workload/closed-loop.js';

const root = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({ options: { jobs: { type: 'string' }, 'no-write': { type: 'boolean' } } });
const jobs = values.jobs ? Number(values.jobs) : availableParallelism();

const protocol: Protocol = {
  requestsPerClient: CLOSED_LOOP_DEFAULTS.requestsPerClient, islJitter: CLOSED_LOOP_DEFAULTS.islJitter, rangeRatio: CLOSED_LOOP_DEFAULTS.rangeRatio,
  rampLifetimes: CLOSED_LOOP_DEFAULTS.rampLifetimes, turnaroundMs: CLOSED_LOOP_DEFAULTS.turnaroundMs, seed: 1,
};
const { rows, errors } = parseSiliconCsv(readFileSync(DEFAULT_CSV, 'utf8'), 'data/calibration/silicon_calibration.csv');
const progress = (label: string) => {
  let last = 0;
  const t = performance.now();
  return (done: number, total: number): void => {
    if (done === total || performance.now() - last > 10_000) {
      last = performance.now();
      process.stderr.write(`  ${label}: ${done}/${total} rows, ${((last - t) / 1000).toFixed(0)} s\n`);
    }
  };
};
const t0 = performance.now();
const results = await runValidation(rows, protocol, jobs, progress('validate'));
const wallS = (performance.now() - t0) / 1000;

// The front-end time per backend is the only constant fitted to these rows. Refit it from rows
// simulated without it, check the committed values, and score each model with the value fitted
// without that model (leave-one-model-out), re-simulating its rows.
const zero = Object.fromEntries(Object.keys(FRONTEND_MS).map((b) => [b, 0]));
const base = await runValidation(rows, { ...protocol, frontendMs: zero }, jobs, progress('fit base'));
const fitted = fitFrontendMs(base);
// models by architecture: DeepSeek-R1 is DeepSeek-V3, an FP8 checkpoint is its BF16 model
const modelOf = (r: { modelPath?: string; model?: string }): string => {
  const path = r.modelPath ?? r.model ?? '';
  return catalogModelFor(path) ?? shortModel(path);
};
const models = [...new Set(rows.map((r) => modelOf(r)))].sort();
const lomo: RowResult[] = new Array(rows.length);
const lomoFits: Record<string, Record<string, number>> = {};
for (const m of models) {
  const f = { ...zero, ...fitFrontendMs(base, (r) => modelOf(r) !== m) };
  lomoFits[m] = f;
  const idx = rows.map((r, i) => [r, i] as const).filter(([r]) => modelOf(r) === m);
  const res = await runValidation(idx.map(([r]) => r), { ...protocol, frontendMs: f }, jobs);
  idx.forEach(([, i], k) => { lomo[i] = res[k]!; });
}
const summary = summarize(results, errors.length);
const sim = results.filter((r) => r.skipped === null);

const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');
const lomoSim = lomo.filter((r) => r.skipped === null);
const of = (pred: (r: RowResult) => boolean, name: string, from = sim): GroupErrors | null => {
  const rs = from.filter(pred);
  return rs.length > 0 ? groupErrors(name, rs) : null;
};
const line = (name: string, pred: (r: RowResult) => boolean, ttftTarget: number, tpotTarget: number): string => {
  const g = of(pred, name), l = of(pred, name, lomoSim);
  if (g === null || l === null) return `| ${name} | 0 | – | – | – | – | – | no rows |`;
  const within = l.ttftMape <= 1.5 * g.ttftMape && l.tpotMape <= 1.5 * g.tpotMape;
  return `| ${name} | ${g.rows} | ${pct(g.ttftMape)} | ${pct(g.ttftMedianApe)} | ${pct(g.tpotMape)} | ${pct(g.tpotMedianApe)} | ${pct(l.ttftMape)} / ${pct(l.tpotMape)} | `
    + `TTFT ≤ ${ttftTarget * 100} %: ${mark(g.ttftMape <= ttftTarget)}; TPOT ≤ ${tpotTarget * 100} %: ${mark(g.tpotMape <= tpotTarget)}; LOMO ≤ 1.5×: ${mark(within)} |`;
};

const out: string[] = [];
out.push(`Measured by \`npm run bench:fidelity\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} cores, ${jobs} processes): ${rows.length} rows in ${wallS.toFixed(0)} s.`);
out.push('');
out.push('| rows | n | TTFT MAPE | TTFT median APE | TPOT MAPE | TPOT median APE | leave-one-model-out TTFT / TPOT MAPE | targets |');
out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const b of ['vllm', 'sglang', 'trtllm']) out.push(line(`aggregated, ${b}`, (r) => r.mode === 'agg' && r.backend === b, 0.15, 0.08));
out.push(line('aggregated, all backends', (r) => r.mode === 'agg', 0.15, 0.08));
out.push(line('disaggregated', (r) => r.mode === 'disagg', 0.25, 0.12));
out.push('');
const ms = (x: number | undefined): string => (x === undefined ? '–' : `${x.toFixed(1)} ms`);
out.push(`Front-end time per request, the only constant fitted to these rows (sim/deployment.ts FRONTEND_MS): committed ${Object.entries(FRONTEND_MS).map(([b, v]) => `${b} ${ms(v)}`).join(', ')}; refitted now ${Object.keys(FRONTEND_MS).map((b) => `${b} ${ms(fitted[b])}`).join(', ')}.`);
out.push('Leave-one-model-out: each model\'s rows re-simulated with the front-end times fitted on the other models\' rows.');
out.push('');
out.push('| model | n | TTFT MAPE | TPOT MAPE | left out: TTFT / TPOT MAPE | front-end times fitted without it |');
out.push('| --- | --- | --- | --- | --- | --- |');
for (const m of models) {
  const g = of((r) => modelOf(r) === m, m), l = of((r) => modelOf(r) === m, m, lomoSim);
  if (g === null || l === null) continue;
  out.push(`| ${m} | ${g.rows} | ${pct(g.ttftMape)} | ${pct(g.tpotMape)} | ${pct(l.ttftMape)} / ${pct(l.tpotMape)} | ${Object.entries(lomoFits[m]!).map(([b, v]) => `${b} ${ms(v)}`).join(', ')} |`);
}
out.push('');
// where the error sits: the ratio simulated/measured by load, aggregated rows
const bucket = (c: number): string => (c <= 8 ? '1–8' : c <= 32 ? '9–32' : c <= 128 ? '33–128' : '> 128');
out.push('');
out.push('Simulated ÷ measured by concurrency (aggregated rows, medians): below 1 the simulator is too fast.');
out.push('');
out.push('| clients | n | TTFT ratio | TTFT MAPE | TPOT ratio | TPOT MAPE |');
out.push('| --- | --- | --- | --- | --- | --- |');
for (const b of ['1–8', '9–32', '33–128', '> 128']) {
  const rs = sim.filter((r) => r.mode === 'agg' && bucket(r.concurrency) === b);
  if (rs.length === 0) continue;
  const g = groupErrors(b, rs);
  out.push(`| ${b} | ${rs.length} | ${median(rs.map((r) => r.predicted_ttft_ms! / r.measured_ttft_ms)).toFixed(2)} | ${pct(g.ttftMape)} | ${median(rs.map((r) => r.predicted_tpot_ms! / r.measured_tpot_ms)).toFixed(2)} | ${pct(g.tpotMape)} |`);
}
out.push('');
out.push(`Coverage: ${summary.simulated} of ${summary.rows} rows simulated (${mark(summary.simulated === summary.rows)} for "every row").`);
for (const r of summary.skipReasons) out.push(`- ${r.rows} skipped: ${r.reason}`);
out.push('');
out.push(`Speed: ${rows.length} rows in ${wallS.toFixed(0)} s on ${jobs} processes (target ≤ 180 s on 2 cores: ${mark(wallS <= 180)}).`);
const block = out.join('\n');
process.stdout.write(block + '\n');

if (!values['no-write']) {
  writeFileSync(join(root, 'docs/fidelity-ttft.svg'), scatterSvg(results, 'ttft', 0.25) + '\n');
  writeFileSync(join(root, 'docs/fidelity-tpot.svg'), scatterSvg(results, 'tpot', 0.12) + '\n');
  replaceBlock(join(root, 'docs/fidelity.md'), 'fidelity', block);
  replaceBlock(join(root, 'docs/benchmarks.md'), 'bench:fidelity',
    `\`npm run bench:fidelity\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores): \`twinsearch validate\` on the ${rows.length} bundled rows took ${wallS.toFixed(0)} s with ${jobs} processes (target ≤ 180 s on 2 cores: ${mark(wallS <= 180)}).`);
  process.stderr.write('wrote docs/fidelity.md, docs/fidelity-ttft.svg, docs/fidelity-tpot.svg, docs/benchmarks.md\n');
}
