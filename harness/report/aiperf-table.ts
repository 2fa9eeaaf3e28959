import type { Report } from '../../sim/metrics/report.js';

const fmt = (v: number): string => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const ROWS: [label: string, key: string][] = [
  ['Time To First Token (ms)', 'ttft_ms'],
  ['Time To Second Token (ms)', 'ttst_ms'],
  ['Request Latency (ms)', 'e2e_latency_ms'],
  ['Inter Token Latency (ms)', 'itl_ms'],
  ['Time Per Output Token (ms)', 'tpot_ms'],
  ['Output Token Throughput Per User (tokens/sec/user)', 'output_token_throughput_per_user'],
];
const COLS = ['mean', 'min', 'max', 'p99', 'p90', 'p75', 'std'] as const;
const HEAD = ['avg', 'min', 'max', 'p99', 'p90', 'p75', 'std'];

/** The AIPerf-style console table Dynamo's replay prints, plus twinsearch's extra counters. */
export function formatReportTable(rep: Report, title = 'twinsearch replay | LLM Metrics'): string {
  const body: string[][] = ROWS.map(([label, key]) => [label, ...COLS.map((c) => fmt(rep[`${c}_${key}`] ?? 0))]);
  const single: [string, string][] = [
    ['Output Token Throughput (tokens/sec)', fmt(rep.output_throughput_tok_s!)],
    ['Request Throughput (requests/sec)', fmt(rep.request_throughput_rps!)],
    ['Request Count (requests)', rep.completed_requests!.toLocaleString('en-US')],
  ];
  const widths = [Math.max(6, ...body.map((r) => r[0]!.length), ...single.map((s) => s[0].length))];
  for (let c = 1; c <= COLS.length; c++) widths[c] = Math.max(HEAD[c - 1]!.length, ...body.map((r) => r[c]!.length));
  const line = (cells: string[]): string => '│ ' + cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join(' │ ') + ' │';
  const rule = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const out = [title, rule('┌', '┬', '┐'), line(['Metric', ...HEAD]), rule('├', '┼', '┤')];
  for (const r of body) out.push(line(r));
  for (const [label, v] of single) out.push(line([label, v, ...COLS.slice(1).map(() => 'N/A')]));
  out.push(rule('└', '┴', '┘'));
  out.push(`Prefix Cache Reused Ratio: ${rep.prefix_cache_reused_ratio!.toFixed(4)}`);
  const extra = [
    `Rejected Requests: ${rep.rejected_requests}`,
    `Preemptions: ${rep.num_preemptions}`,
    `Duration: ${fmt(rep.duration_ms! / 1000)} s simulated`,
    `GPU-seconds: ${fmt(rep.gpu_seconds!)}`,
  ];
  if (rep.worker_failures !== undefined) {
    extra.push(`Faults: ${rep.worker_failures} worker failures, ${rep.requests_migrated} requests migrated, ${rep.recompute_tokens!.toLocaleString('en-US')} tokens recomputed`);
  }
  if (rep.kv_handoffs !== undefined) {
    extra.push(`Disaggregated: ${rep.num_prefill_workers} prefill + ${rep.num_decode_workers} decode workers, ${rep.kv_handoffs} KV handoffs`);
  }
  if (rep.scale_up_events !== undefined) {
    extra.push(`Planner: ${rep.scale_up_events} scale-ups, ${rep.scale_down_events} scale-downs, up to ${rep.max_workers} workers (mean ${fmt(rep.mean_workers!)}) · GPU-hours: ${fmt(rep.gpu_hours!)}`);
  }
  if (rep.goodput_requests !== undefined) extra.push(`Goodput: ${fmt(rep.goodput_rps!)} req/s (${(100 * rep.sla_attainment!).toFixed(1)}% of completed requests met the SLA)`);
  out.push(extra.join(' · '));
  return out.join('\n');
}
