import { MAX_REQUEST_TOKENS } from '../../sim/workload/workload.js';
import { z } from 'zod';
import { WEIGHT_DTYPES, type WeightDtype } from '../../sim/catalog/dtypes.js';
import { GPU_NAMES } from '../../sim/catalog/gpus.js';
import { MODEL_NAMES } from '../../sim/catalog/models.js';
import { ENGINE_ARGS, SGLANG_ARGS, type ArgFlag } from '../../sim/engine/engine-args.js';

type FlaggedArg = { [K in keyof typeof ENGINE_ARGS]: (typeof ENGINE_ARGS)[K] extends { flag: ArgFlag } ? K : never }[keyof typeof ENGINE_ARGS];

/** The replay flag an engine argument declares (sim/engine/engine-args.ts): the flag table derives from it. */
function engineArgFlag<K extends FlaggedArg>(k: K): Record<(typeof ENGINE_ARGS)[K]['flag']['name'], { type: 'string'; arg: string; help: string }> {
  const f = ENGINE_ARGS[k].flag;
  return { [f.name]: { type: 'string', arg: f.arg, help: f.help } } as Record<(typeof ENGINE_ARGS)[K]['flag']['name'], { type: 'string'; arg: string; help: string }>;
}

/** Every `twinsearch replay` flag: name, value kind, and the help text (`--help` prints these). */
export const REPLAY_FLAGS = {
  'trace-format': { type: 'string', arg: 'mooncake|azure|auto', help: 'trace file format; auto picks by extension and first line (default auto)' },
  'trace-block-size': { type: 'string', arg: 'N', help: 'tokens per hash_ids entry in a Mooncake trace (default 512)' },
  'arrival-speedup-ratio': { type: 'string', arg: 'X', help: 'divide trace timestamps and inter-turn delays by X (default 1)' },
  concurrency: { type: 'string', arg: 'N', help: 'closed loop: keep at most N requests in flight and ignore timestamps (default: replay timestamps)' },
  isl: { type: 'string', arg: 'N', help: 'synthetic workload: prompt tokens per request (use instead of a trace)' },
  osl: { type: 'string', arg: 'N', help: 'synthetic workload: output tokens per request' },
  requests: { type: 'string', arg: 'N', help: 'synthetic workload: number of sessions (default 1000)' },
  arrival: { type: 'string', arg: 'fixed|poisson|burst', help: 'synthetic arrivals (default fixed)' },
  'arrival-interval-ms': { type: 'string', arg: 'MS', help: 'synthetic fixed arrivals: gap between sessions (default 1)' },
  'request-rate': { type: 'string', arg: 'RPS', help: 'synthetic poisson arrivals: mean sessions per second' },
  'shared-prefix-ratio': { type: 'string', arg: 'X', help: 'synthetic: share (0..1) of each prompt taken from its prefix group (default 0)' },
  'num-prefix-groups': { type: 'string', arg: 'N', help: 'synthetic: number of distinct shared prefixes (default 1)' },
  'turns-per-session': { type: 'string', arg: 'N', help: 'synthetic: turns per session; later turns extend the conversation (default 1)' },
  'inter-turn-delay-ms': { type: 'string', arg: 'MS', help: 'synthetic: think time after a turn completes (default 0)' },
  workers: { type: 'string', arg: 'N', help: 'aggregated workers (model replicas) (default 1)' },
  'prefill-workers': { type: 'string', arg: 'N', help: 'disaggregated serving: prefill workers (with --decode-workers, instead of --workers)' },
  'decode-workers': { type: 'string', arg: 'N', help: 'disaggregated serving: decode workers' },
  'prefill-engine-args': { type: 'string', arg: 'JSON|FILE', help: 'disaggregated: engine settings of prefill workers, over --engine-args' },
  'decode-engine-args': { type: 'string', arg: 'JSON|FILE', help: 'disaggregated: engine settings of decode workers, over --engine-args' },
  'kv-transfer-bandwidth': { type: 'string', arg: 'GB/S', help: 'disaggregated: prefill→decode KV transfer bandwidth (default 64, or kv_transfer_bandwidth in the engine args)' },
  ...engineArgFlag('num_g2_blocks'),
  'host-kv-bandwidth': { type: 'string', arg: 'GB/S', help: 'host tier: GPU↔host copy bandwidth each way, shared by concurrent copies (default 14)' },
  router: { type: 'string', arg: 'round_robin|random|kv', help: 'request routing (default round_robin; kv_router is accepted for kv)' },
  'router-config': { type: 'string', arg: 'JSON|FILE', help: 'KV router settings with Dynamo\'s field names, e.g. \'{"prefill_load_scale":2}\'' },
  ...engineArgFlag('engine_type'),
  'engine-args': { type: 'string', arg: 'JSON|FILE', help: `engine settings with Dynamo's field names (${Object.keys(ENGINE_ARGS).join(', ')}; sglang: {${Object.keys(SGLANG_ARGS).join(', ')}}), e.g. '{"block_size":64,"num_gpu_blocks":16384}'` },
  timing: { type: 'string', arg: 'dynamo-poly|roofline', help: 'pass-time model (default dynamo-poly; roofline needs --model and --gpu)' },
  model: { type: 'string', arg: 'NAME', help: `model for roofline timing and KV sizing (${MODEL_NAMES.join(', ')})` },
  gpu: { type: 'string', arg: 'NAME', help: `GPU for roofline timing (${GPU_NAMES.join(', ')})` },
  tp: { type: 'string', arg: 'N', help: 'tensor parallelism per worker, 1..72; groups larger than a node talk over the inter-node network (default 1)' },
  ep: { type: 'string', arg: 'N', help: 'expert parallelism of a MoE model over the worker\'s TP GPUs (experts split ep ways, each expert tp/ep ways; default 1)' },
  'weight-dtype': { type: 'string', arg: WEIGHT_DTYPES.join('|'), help: 'weight format for roofline timing and KV sizing; a checkpoint that ships narrower experts keeps them (default bf16)' },
  'kv-dtype': { type: 'string', arg: 'bf16|fp8', help: 'KV cache precision (default bf16)' },
  'gpu-memory-utilization': { type: 'string', arg: 'X', help: "the server's memory fraction when num_gpu_blocks is derived from --model/--gpu (vLLM --gpu-memory-utilization, default 0.9; SGLang --mem-fraction-static, default from GPU memory and TP; TensorRT-LLM free_gpu_memory_fraction, default 0.9)" },
  planner: { type: 'string', arg: 'static|dynamo-load|dynamo-sla', help: 'autoscale the workers with a planner (--workers is the starting count)' },
  'planner-config': { type: 'string', arg: 'JSON|FILE', help: 'planner settings with Dynamo\'s field names, e.g. \'{"load_adjustment_interval":10,"ttft":2000}\'' },
  'startup-time': { type: 'string', arg: 'S', help: 'planner: cold start of an added worker, seconds (default 0)' },
  'gpu-budget': { type: 'string', arg: 'N', help: 'planner: most GPUs in use at once (default 8)' },
  'min-workers': { type: 'string', arg: 'N', help: 'planner: fewest workers (default 1)' },
  'max-workers': { type: 'string', arg: 'N', help: 'planner: most workers (default: what the GPU budget allows)' },
  'load-interval': { type: 'string', arg: 'S', help: 'planner: seconds between load-based decisions (default 5)' },
  'throughput-interval': { type: 'string', arg: 'S', help: 'planner: seconds between throughput-based decisions (default 180; dynamo-sla only)' },
  'fail-at': { type: 'string', arg: 'S[,S...]', help: 'fault injection: a random routable worker fails at each of these times (seconds); its requests move and recompute elsewhere' },
  'failure-rate': { type: 'string', arg: 'PER_HOUR', help: 'fault injection: random worker failures per worker-hour (seeded)' },
  'replace-after': { type: 'string', arg: 'S', help: 'fault injection: a failed worker is replaced by one ready after S seconds (default: never; with --planner the planner replaces capacity)' },
  seed: { type: 'string', arg: 'N', help: 'seed for every random choice (router ties, random routing, synthetic workloads) (default 42)' },
  'sla-ttft-ms': { type: 'string', arg: 'MS', help: 'goodput: a request counts if its TTFT is at most MS (also the planner\'s TTFT target)' },
  'sla-tpot-ms': { type: 'string', arg: 'MS', help: 'goodput: a request counts if its TPOT is at most MS (also the planner\'s ITL target)' },
  'sla-e2e-ms': { type: 'string', arg: 'MS', help: 'goodput: a request counts if its end-to-end latency is at most MS' },
  'report-json': { type: 'string', arg: 'PATH', help: 'where to write the JSON report (default dynamo_replay_report_<date>_<time>.json)' },
  'no-report-json': { type: 'boolean', help: 'do not write a JSON report' },
  json: { type: 'boolean', help: 'print the JSON report on stdout instead of the table' },
  quiet: { type: 'boolean', help: 'no progress on stderr' },
  'no-fast-forward': { type: 'boolean', help: 'simulate every decode pass one by one (slower; results are identical)' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export type ReplayFlagName = keyof typeof REPLAY_FLAGS;
export type ReplayFlags = Partial<Record<ReplayFlagName, string | boolean>>;

const num = (what: string) => z.string().trim().min(1, `expected ${what}`).transform(Number).pipe(z.number({ error: `expected ${what}` }).refine(Number.isFinite, `expected ${what}`));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.string().trim().regex(/^-?\d+$/, `expected an integer >= ${min}`).transform(Number)
  .pipe(z.number().int().min(min, `expected an integer >= ${min}`).max(max, `expected an integer in ${min}..${max}`));
/**
 * Counts are checked against these before anything is allocated for them. Workers: more model replicas
 * than any one deployment runs (each keeps its own engine state). Requests: ten times the largest
 * shipped trace. Tokens: sim/workload/workload.ts MAX_REQUEST_TOKENS.
 */
const MAX_WORKERS = 10_000;
const MAX_REQUESTS = 10_000_000;
const pos = num('a number > 0').pipe(z.number().positive('expected a number > 0'));
const nonneg = num('a number >= 0').pipe(z.number().nonnegative('expected a number >= 0'));

/** Typed view of the flags; messages name the flag. */
export const ReplayFlagValues = z.object({
  'trace-format': z.enum(['mooncake', 'azure', 'auto']).default('auto'),
  'trace-block-size': int(1, MAX_REQUEST_TOKENS).default(512),
  'arrival-speedup-ratio': pos.default(1),
  concurrency: int(1, MAX_REQUESTS).optional(),
  isl: int(1, MAX_REQUEST_TOKENS).optional(),
  osl: int(1, MAX_REQUEST_TOKENS).optional(),
  requests: int(1, MAX_REQUESTS).optional(),
  arrival: z.enum(['fixed', 'poisson', 'burst']).optional(),
  'arrival-interval-ms': nonneg.optional(),
  'request-rate': pos.optional(),
  'shared-prefix-ratio': num('a number in [0, 1]').pipe(z.number().min(0).max(1, 'expected a number in [0, 1]')).optional(),
  'num-prefix-groups': int(1, MAX_REQUESTS).optional(),
  'turns-per-session': int(1, MAX_REQUESTS).optional(),
  'inter-turn-delay-ms': nonneg.optional(),
  workers: int(1, MAX_WORKERS).optional(),
  'prefill-workers': int(1, MAX_WORKERS).optional(),
  'decode-workers': int(1, MAX_WORKERS).optional(),
  'prefill-engine-args': z.string().optional(),
  'decode-engine-args': z.string().optional(),
  'kv-transfer-bandwidth': pos.optional(),
  'host-kv-blocks': int(ENGINE_ARGS.num_g2_blocks.min, ENGINE_ARGS.num_g2_blocks.max).optional(),
  'host-kv-bandwidth': pos.optional(),
  router: z.enum(['round_robin', 'random', 'kv', 'kv_router']).default('round_robin'),
  'router-config': z.string().optional(),
  engine: z.enum(ENGINE_ARGS.engine_type.values).optional(),
  'engine-args': z.string().optional(),
  timing: z.enum(['dynamo-poly', 'roofline']).optional(),
  model: z.string().optional(),
  gpu: z.string().optional(),
  tp: int(1).pipe(z.number().max(72, 'expected an integer in 1..72')).optional(),
  ep: int(1, 1024).optional(),
  'weight-dtype': z.enum(WEIGHT_DTYPES as [WeightDtype, ...WeightDtype[]]).default('bf16'),
  'kv-dtype': z.enum(['bf16', 'fp8']).default('bf16'),
  'gpu-memory-utilization': num('a number in (0, 1]').pipe(z.number().gt(0).max(1, 'expected a number in (0, 1]')).optional(),
  planner: z.enum(['static', 'dynamo-load', 'dynamo-sla']).optional(),
  'planner-config': z.string().optional(),
  'startup-time': nonneg.optional(),
  'gpu-budget': int(1, 8 * MAX_WORKERS * 72).optional(),
  'min-workers': int(1, MAX_WORKERS).optional(),
  'max-workers': int(1, MAX_WORKERS).optional(),
  'load-interval': pos.optional(),
  'throughput-interval': pos.optional(),
  'fail-at': z.string().regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, 'expected seconds separated by commas, e.g. 600,1200').optional(),
  'failure-rate': nonneg.optional(),
  'replace-after': nonneg.optional(),
  seed: int(0).pipe(z.number().max(0xffffffff, 'expected an integer in 0..4294967295')).default(42),
  'sla-ttft-ms': pos.optional(),
  'sla-tpot-ms': pos.optional(),
  'sla-e2e-ms': pos.optional(),
  'report-json': z.string().optional(),
  'no-report-json': z.boolean().default(false),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  'no-fast-forward': z.boolean().default(false),
  help: z.boolean().default(false),
});
export type ReplayFlagValues = z.infer<typeof ReplayFlagValues>;

export const PLANNER_FLAGS: ReplayFlagName[] = [
  'planner-config', 'startup-time', 'gpu-budget', 'min-workers', 'max-workers', 'load-interval', 'throughput-interval',
];

export const SYNTHETIC_FLAGS: ReplayFlagName[] = [
  'isl', 'osl', 'requests', 'arrival', 'arrival-interval-ms', 'request-rate', 'shared-prefix-ratio',
  'num-prefix-groups', 'turns-per-session', 'inter-turn-delay-ms',
];
