import { existsSync, writeFileSync } from 'node:fs';
import { wrap } from '../io/wrap-text.js';
import { readBoundedText } from '../io/bounded-read.js';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CLOSED_LOOP_DEFAULTS } from '../../sim/workload/closed-loop.js';
import { UsageError } from '../replay/json-arg.js';
import { validationHtml } from '../validate/fidelity-plot.js';
import { runValidation } from '../validate/run-validation.js';
import type { Protocol, RowResult } from '../validate/simulate-row.js';
import { parseSiliconCsv } from '../validate/silicon-csv.js';
import { formatSummary, summarize } from '../validate/summary.js';
import { parseFlags } from './parse-flags.js';
import { Progress } from './progress.js';
import { fitHelp, flagTable } from './help-text.js';

export const DEFAULT_CSV = fileURLToPath(new URL('../../data/calibration/silicon_calibration.csv', import.meta.url));

const FLAGS = {
  json: { type: 'string', arg: 'OUT', help: 'write every row (measured, predicted, skipped reason) and the summary as JSON' },
  csv: { type: 'string', arg: 'OUT', help: 'write the same rows as CSV' },
  html: { type: 'string', arg: 'OUT', help: 'write a self-contained HTML report with predicted-vs-measured scatter plots (log-log, one colour per model)' },
  jobs: { type: 'string', arg: 'N', help: 'rows simulated at once, one process each (default: the number of cores)' },
  filter: { type: 'string', arg: 'REGEX', help: 'only rows whose id, backend, system, model or mode matches (case-insensitive)' },
  'requests-per-client': { type: 'string', arg: 'N', help: `requests each closed-loop client sends in turn (default ${CLOSED_LOOP_DEFAULTS.requestsPerClient})` },
  'isl-jitter': { type: 'string', arg: 'F', help: `relative std. dev. of prompt lengths, from re-tokenisation (default ${CLOSED_LOOP_DEFAULTS.islJitter}; 0 = exact)` },
  'range-ratio': { type: 'string', arg: 'R', help: `draw ISL and OSL each uniformly from [R × length, length], as benchmark_serving --random-range-ratio R does (default ${CLOSED_LOOP_DEFAULTS.rangeRatio}; 1 = exact lengths)` },
  ramp: { type: 'string', arg: 'K', help: `clients' first requests go out at random moments of K request lifetimes as the simulator estimates them (prefill + OSL decode passes); 0 sends them all at once, 1 starts in a steady state of independent phases (default ${CLOSED_LOOP_DEFAULTS.rampLifetimes})` },
  'turnaround-ms': { type: 'string', arg: 'MS', help: `mean time from a request's last token to the same client's next request reaching the server, drawn uniformly in [0, 2 × MS] (default ${CLOSED_LOOP_DEFAULTS.turnaroundMs})` },
  seed: { type: 'string', arg: 'N', help: 'seed of launch order and length jitter (default 1)' },
  quiet: { type: 'boolean', help: 'no progress on stderr' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const INTRO = [
  `Checks the simulator against measured serving benchmarks. Every row of FILE.csv (AI Configurator's silicon CSV format; default: the bundled calibration rows, data/calibration/silicon_calibration.csv) is one benchmark run: a deployment (backend and version, GPU, model, precision, TP / attention-DP / MoE-TP / EP / PP, and for disaggregated rows prefill and decode pools) under a closed loop of clients with the row's ISL/OSL. Each row is replayed through the same simulator and timing model that \`replay\` and \`search\` use, and its mean TTFT and mean TPOT are compared with the measured ones.`,
  `Protocol simulated (what vLLM's and SGLang's bench_serving do with --max-concurrency N --request-rate inf --ignore-eos, the way InferenceX's published runs use them): --requests-per-client × N prompts, all issued at once behind a semaphore of N, so N clients start in a burst (about 1 ms of client set-up apart; --ramp spreads them further) and each sends its next request when the last token of the previous one has arrived and it has turned around (--turnaround-ms). Prompts are fresh (no prefix sharing); ISL and OSL are each drawn uniformly from [R × length, length] (--range-ratio R), and prompt lengths carry a small re-tokenisation jitter (--isl-jitter); output lengths are forced. N is the row's total concurrency (silicon_concurrency= in silicon_data_source, else batch_size × attention_dp). TTFT runs from a request's send to its first token; TPOT is (last − first token) / (output tokens − 1); both are averaged over all requests, the start-up burst included, as the benchmarks report them. The server's scheduler limits, KV-cache size and per-pass overheads come from the backend's own defaults for the GPU.`,
  `Prints MAPE and median absolute % error of TTFT and TPOT by backend × GPU × model × mode, by backend and by mode, and the coverage: rows simulated, and rows skipped grouped by reason. A malformed row is reported with its line and field and counted; the others still run (exit status 2 if any was malformed).`,
];

export const VALIDATE_HELP = fitHelp(`Usage: twinsearch validate [FILE.csv] [flags]

${INTRO.map((p) => wrap(p, 79).join('\n')).join('\n\n')}

Flags:
${flagTable(FLAGS)}

Examples:
  twinsearch validate
  twinsearch validate mine.csv --html fidelity.html --json fidelity.json
  twinsearch validate --filter 'trtllm.*h200' --jobs 1
`);

const Values = z.object({
  json: z.string().optional(),
  csv: z.string().optional(),
  html: z.string().optional(),
  jobs: z.coerce.number().int().min(1).max(256).optional(),
  filter: z.string().optional(),
  'requests-per-client': z.coerce.number().int().min(1).max(1000).default(CLOSED_LOOP_DEFAULTS.requestsPerClient),
  'isl-jitter': z.coerce.number().min(0).max(0.5).default(CLOSED_LOOP_DEFAULTS.islJitter),
  'range-ratio': z.coerce.number().gt(0).max(1).default(CLOSED_LOOP_DEFAULTS.rangeRatio),
  ramp: z.coerce.number().min(0).max(100).default(CLOSED_LOOP_DEFAULTS.rampLifetimes),
  'turnaround-ms': z.coerce.number().min(0).max(60_000).default(CLOSED_LOOP_DEFAULTS.turnaroundMs),
  seed: z.coerce.number().int().min(0).max(0xffffffff).default(1),
  quiet: z.boolean().default(false),
});

export async function validateCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags({ args: argv, options: FLAGS as never, allowPositionals: true });
  const raw = parsed.values as Record<string, unknown>;
  if (raw.help) {
    process.stdout.write(VALIDATE_HELP);
    return 0;
  }
  const v = Values.safeParse(raw);
  if (!v.success) {
    const issue = v.error.issues[0]!;
    const flag = String(issue.path[0]);
    throw new UsageError(`--${flag}: ${issue.message.replace(/^Invalid input: /, '')}, got ${JSON.stringify(raw[flag])}`);
  }
  const f = v.data;
  if (parsed.positionals.length > 1) throw new UsageError(`expected one CSV file, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
  const file = parsed.positionals[0] ?? DEFAULT_CSV;
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  let filter: RegExp | null = null;
  if (f.filter !== undefined) {
    try { filter = new RegExp(f.filter, 'i'); } catch (e) { throw new UsageError(`--filter: ${(e as Error).message}`); }
  }
  // AI Configurator's whole silicon sample is a few MB; a row is a few hundred characters
  const { rows: all, errors } = parseSiliconCsv(readBoundedText(file, { what: 'silicon CSV', maxBytes: 256 << 20, maxLineBytes: 64 << 10 }), file);
  for (const e of errors) process.stderr.write(`twinsearch validate: ${e.message}\n`);
  const rows = filter ? all.filter((r) => filter.test([r.id, r.backend, r.system, r.modelPath, r.mode].join(' '))) : all;
  if (rows.length === 0 && errors.length === 0) throw new UsageError(filter ? `--filter ${f.filter}: no row matches` : `${file}: no rows`);
  const protocol: Protocol = {
    requestsPerClient: f['requests-per-client'], islJitter: f['isl-jitter'], rangeRatio: f['range-ratio'], rampLifetimes: f.ramp,
    turnaroundMs: f['turnaround-ms'], seed: f.seed,
  };
  const jobs = f.jobs ?? availableParallelism();
  const bar = new Progress('validate', !f.quiet, process.stderr, rowLine);
  const t0 = performance.now();
  const results = await runValidation(rows, protocol, jobs, (done, total) => bar.update(done, total));
  bar.done();
  const wall = (performance.now() - t0) / 1000;
  const summary = summarize(results, errors.length);
  process.stdout.write(formatSummary(summary));
  if (!f.quiet) process.stderr.write(`${rows.length} rows in ${wall.toFixed(1)} s on ${Math.min(jobs, rows.length)} process${jobs > 1 ? 'es' : ''}\n`);
  const protocolLine = `Closed loop of each row's concurrency, ${protocol.requestsPerClient} requests per client, lengths in [${protocol.rangeRatio} × L, L], launches spread over ${protocol.rampLifetimes} request lifetime(s), turnaround ${protocol.turnaroundMs} ms, ISL jitter ${protocol.islJitter}, seed ${protocol.seed}.`;
  if (f.json) writeFileSync(f.json, JSON.stringify({ file, protocol, rows: results.map(jsonRow), summary }, null, 2) + '\n');
  if (f.csv) writeFileSync(f.csv, toCsv(results));
  if (f.html) writeFileSync(f.html, validationHtml(file, results, summary, protocolLine));
  return errors.length > 0 ? 2 : 0;
}

function jsonRow(r: RowResult): Omit<RowResult, 'line'> {
  const { line: _line, ...rest } = r;
  return rest;
}

const CSV_COLUMNS = ['id', 'backend', 'system', 'model', 'mode', 'precision', 'isl', 'osl', 'concurrency',
  'measured_ttft_ms', 'predicted_ttft_ms', 'measured_tpot_ms', 'predicted_tpot_ms', 'skipped'] as const;

function toCsv(results: RowResult[]): string {
  const cell = (x: unknown): string => {
    if (x === null || x === undefined) return '';
    const s = String(x);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.join(','), ...results.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** Rows done with, on a terminal, a bar that fits the window, and the time left. */
function rowLine(done: number, total: number, secs: number, tty: boolean): string {
  const eta = done > 0 ? (secs / done) * (total - done) : NaN;
  const text = `validate ${String(done).padStart(String(total).length)}/${total} rows  ${secs.toFixed(0)} s${Number.isFinite(eta) && done < total ? `, ~${eta.toFixed(0)} s left` : ''}`;
  if (!tty) return text;
  const width = Math.max(10, Math.min(30, (process.stderr.columns ?? 80) - text.length - 4));
  const fill = Math.round((total > 0 ? done / total : 1) * width);
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${text}`;
}
