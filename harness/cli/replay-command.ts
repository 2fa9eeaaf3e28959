import { writeFileSync } from 'node:fs';
import { parseFlags } from './parse-flags.js';
import { reportJson } from '../../sim/metrics/report.js';
import { runReplay } from '../../sim/replay.js';
import { formatReportTable } from '../report/aiperf-table.js';
import { REPLAY_FLAGS, type ReplayFlags } from '../replay/replay-flags.js';
import { setupReplay } from '../replay/replay-setup.js';
import { Progress } from './progress.js';
import { fitHelp, flagTable } from './help-text.js';

export const REPLAY_HELP = fitHelp(`Usage: twinsearch replay [TRACE] [flags]

Replays a workload on a simulated LLM serving cluster and prints latency,
throughput and cache metrics (the same report keys as Dynamo's
\`python -m dynamo.replay\`). TRACE is a Mooncake JSONL file (timestamp,
input_length, output_length, hash_ids[, session_id, delay]) or an Azure LLM
inference CSV; without TRACE, --isl and --osl describe a synthetic workload.

Flags:
${flagTable(REPLAY_FLAGS)}

Examples:
  twinsearch replay data/traces/conversation_trace.jsonl --workers 8 --router kv
  twinsearch replay data/traces/conversation_trace.jsonl --workers 8 \\
    --engine-args '{"block_size":64,"num_gpu_blocks":16384}'
  twinsearch replay data/traces/AzureLLMInferenceTrace_conv.csv --workers 4 \\
    --model llama-3.1-70b --gpu h200_sxm --tp 4
  twinsearch replay --isl 4000 --osl 500 --requests 2000 --arrival poisson \\
    --request-rate 8 --workers 4 --router kv
`);

/** Runs `twinsearch replay`; returns the process exit code. */
export function replayCommand(argv: string[]): number {
  const parsed = parseFlags({ args: argv, options: REPLAY_FLAGS as never, allowPositionals: true });
  const values = parsed.values as ReplayFlags;
  if (values.help) {
    process.stdout.write(REPLAY_HELP);
    return 0;
  }
  const setup = setupReplay(values, parsed.positionals);
  const f = setup.flags;
  if (!f.quiet) process.stderr.write(`${setup.summary}\n`);
  const progress = new Progress('replay', !f.quiet);
  const t0 = performance.now();
  const result = runReplay(setup.workload, { ...setup.config, onProgress: (done, total, now) => progress.update(done, total, now) });
  const wallMs = performance.now() - t0;
  progress.done();
  const json = reportJson(result.report);
  if (f.json) process.stdout.write(json);
  else process.stdout.write(formatReportTable(result.report) + '\n');
  if (!f['no-report-json']) {
    const path = f['report-json'] ?? defaultReportName();
    writeFileSync(path, json);
    if (!f.quiet) process.stderr.write(`report written to ${path}\n`);
  }
  if (!f.quiet) {
    const rtf = result.report.duration_ms! / wallMs;
    process.stderr.write(`simulated ${(result.report.duration_ms! / 1000).toFixed(1)} s in ${(wallMs / 1000).toFixed(2)} s wall (${Math.round(rtf).toLocaleString('en-US')}× real time, ${result.passes.toLocaleString('en-US')} passes)\n`);
  }
  return 0;
}

function defaultReportName(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `dynamo_replay_report_${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.json`;
}
