import type { EvictionName } from '../kvcache/evictor.js';

/**
 * Engine arguments with Dynamo's mocker field names and defaults (`MockEngineArgs`), so a user can
 * paste the JSON they pass to `python -m dynamo.replay --extra-engine-args`. Each argument is declared
 * once, below: its type and range, its default and what it means. The `EngineArgs` type, the defaults,
 * the checks of resolveEngineArgs, the `--engine-args` JSON schema (harness/replay/engine-args-schema.ts)
 * and the replay flags that set an argument all derive from these declarations.
 */
export type ArgSpec =
  | { readonly type: 'int'; readonly min: number; readonly max?: number; readonly nullable?: true; readonly default: number | null; readonly doc: string; readonly flag?: ArgFlag }
  | { readonly type: 'number'; readonly gt?: number; readonly min?: number; readonly unit?: string; readonly nullable?: true; readonly default: number | null; readonly doc: string; readonly flag?: ArgFlag }
  | { readonly type: 'bool'; readonly default: boolean; readonly doc: string }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly aliases?: Readonly<Record<string, string>>; readonly default: string; readonly doc: string; readonly flag?: ArgFlag };

/** A `twinsearch replay` flag that sets the argument (over --engine-args). */
export interface ArgFlag {
  readonly name: string;
  readonly arg: string;
  readonly help: string;
}

/**
 * KV blocks per worker: 2^24 blocks of 16 tokens is 268 M tokens of cache, more than any GPU holds;
 * the engine allocates per-block state up front, so the cap is checked before it does.
 */
const MAX_BLOCKS = 1 << 24;

export const SGLANG_ARGS = {
  schedule_policy: { type: 'enum', values: ['fifo', 'lpm'], aliases: { fcfs: 'fifo' }, default: 'fifo', doc: 'waiting-queue order: fifo (alias fcfs) or longest-prefix-match' },
  page_size: { type: 'int', min: 1, default: 1, doc: 'radix cache page size in tokens' },
  max_prefill_tokens: { type: 'int', min: 1, default: 16384, doc: 'max prompt tokens admitted per pass' },
  chunked_prefill_size: { type: 'int', min: 1, default: 8192, doc: 'max tokens of one prefill chunk (a multiple of block_size)' },
  clip_max_new_tokens: { type: 'int', min: 1, default: 4096, doc: 'cap on the output tokens reserved per request for admission control' },
  schedule_conservativeness: { type: 'number', gt: 0, default: 1.0, doc: 'scales the initial new-token ratio (higher admits less optimistically)' },
  match_before_chunk: { type: 'bool', default: true, doc: "match the radix cache before cutting a long prompt into chunks, as SGLang does (twinsearch extension); false reproduces Dynamo's mocker, which cuts first and recomputes cached tokens of later chunks" },
  max_running_requests: { type: 'int', min: 1, nullable: true, default: null, doc: "requests running at once (SGLang's --max-running-requests); null = only KV memory limits it" },
  enable_mixed_chunk: { type: 'bool', default: true, doc: "prefill chunks share a pass with the running requests' decode (SGLang's --enable-mixed-chunk; SGLang's own default is false, the replay default stays true as in Dynamo's mocker; deployments built from a server's defaults set false)" },
} as const satisfies Record<string, ArgSpec>;

export const ENGINE_ARGS = {
  engine_type: { type: 'enum', values: ['vllm', 'sglang', 'trtllm'], default: 'vllm', doc: "which server's scheduler a worker runs; trtllm is TensorRT-LLM's in-flight batching: the vLLM-style token-budget scheduler (max_num_tokens, max_batch_size) with its GUARANTEED_NO_EVICT admission",
    flag: { name: 'engine', arg: 'vllm|sglang|trtllm', help: 'engine scheduler to simulate (default vllm, or engine_type from --engine-args); trtllm = TensorRT-LLM in-flight batching, which admits a request only when KV for its whole output is free' } },
  num_gpu_blocks: { type: 'int', min: 1, max: MAX_BLOCKS, default: 16384, doc: 'KV capacity in blocks (sglang: num_gpu_blocks × block_size token slots)' },
  block_size: { type: 'int', min: 0, max: 1 << 16, default: 0, doc: 'KV block size in tokens (0: vllm 64, sglang = page_size)' },
  max_num_seqs: { type: 'int', min: 1, nullable: true, default: 256, doc: 'max running sequences per pass (vLLM); null = unlimited' },
  max_num_batched_tokens: { type: 'int', min: 1, nullable: true, default: 8192, doc: 'token budget per pass (vLLM); null = unlimited' },
  enable_prefix_caching: { type: 'bool', default: true, doc: 'reuse cached KV blocks of matching prompt prefixes' },
  enable_chunked_prefill: { type: 'bool', default: true, doc: 'split long prompts over passes' },
  speedup_ratio: { type: 'number', default: 1.0, doc: 'divides prefill and decode time; <= 0 means no scaling' },
  decode_speedup_ratio: { type: 'number', default: 1.0, doc: 'extra divisor for decode time (applied with speedup_ratio)' },
  dp_size: { type: 'int', min: 1, default: 1, doc: 'attention data parallelism inside one worker (only 1: simulate each rank as a worker)' },
  startup_time: { type: 'number', min: 0, unit: 'seconds', nullable: true, default: null, doc: 'cold start of workers the planner adds, seconds (null = instant)' },
  worker_type: { type: 'enum', values: ['aggregated', 'prefill', 'decode'], default: 'aggregated', doc: 'set by the pool a worker belongs to' },
  kv_bytes_per_token: { type: 'number', gt: 0, nullable: true, default: null, doc: 'KV bytes per token (for P/D transfer and host offload); null = unknown' },
  kv_transfer_bandwidth: { type: 'number', gt: 0, unit: 'GB/s', nullable: true, default: null, doc: 'P/D KV transfer bandwidth, GB/s' },
  preemption_mode: { type: 'enum', values: ['lifo', 'fifo'], default: 'lifo', doc: 'which running request is preempted first' },
  preempt_on_admit: { type: 'bool', default: false, doc: "let a waiting request preempt running ones to fit (Dynamo's mocker); false, like vLLM, admits a waiting request only when its blocks fit, so two large requests cannot keep evicting each other (twinsearch extension)" },
  eviction_policy: { type: 'enum', values: ['lru', 'lineage'], default: 'lru', doc: 'which cached, unreferenced KV block is evicted first (twinsearch extension)' },
  num_g2_blocks: { type: 'int', min: 0, max: 16 * MAX_BLOCKS, default: 0, doc: 'host-memory KV tier (KVBM G2) capacity in blocks; 0 = no host tier; needs kv_bytes_per_token',
    flag: { name: 'host-kv-blocks', arg: 'N', help: 'host-memory KV tier per worker, in KV blocks (KVBM G2; default 0 = none; needs --model or kv_bytes_per_token)' } },
  bandwidth_g1_to_g2_gbps: { type: 'number', gt: 0, unit: 'GB/s', default: 14, doc: 'GPU → host copy bandwidth, GB/s (shared by concurrent copies)' },
  bandwidth_g2_to_g1_gbps: { type: 'number', gt: 0, unit: 'GB/s', default: 14, doc: 'host → GPU load bandwidth, GB/s' },
} as const satisfies Record<string, ArgSpec>;

type ValueOf<S> = S extends { type: 'enum'; values: readonly (infer V)[] } ? V
  : S extends { type: 'bool' } ? boolean
    : S extends { nullable: true } ? number | null : number;
type ArgsOf<T> = { -readonly [K in keyof T]: ValueOf<T[K]> };

export type SglangArgs = ArgsOf<typeof SGLANG_ARGS>;
export type EngineArgs = ArgsOf<typeof ENGINE_ARGS> & { sglang: SglangArgs };
export type EngineType = EngineArgs['engine_type'];
/** Engine arguments as given: any subset, with Dynamo's aliases. */
export type EngineArgsInput = Partial<Omit<EngineArgs, 'sglang'>> & {
  sglang?: Partial<Omit<SglangArgs, 'schedule_policy'>> & { schedule_policy?: SglangArgs['schedule_policy'] | keyof typeof SGLANG_ARGS.schedule_policy.aliases };
};
export type PreemptionMode = EngineArgs['preemption_mode'];
export type { EvictionName };

function defaultsOf<T extends Record<string, ArgSpec>>(specs: T): ArgsOf<T> {
  return Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, v.default])) as ArgsOf<T>;
}

export const SGLANG_DEFAULTS: SglangArgs = defaultsOf(SGLANG_ARGS);
export const ENGINE_DEFAULTS: EngineArgs = { ...defaultsOf(ENGINE_ARGS), sglang: SGLANG_DEFAULTS };

/** KV capacity in tokens an SGLang engine gets when num_gpu_blocks is not given. */
export const SGLANG_DEFAULT_KV_TOKENS = 16384 * 64;

export class EngineArgsError extends Error {
  constructor(readonly field: string, message: string) {
    super(`engine args: ${field} ${message}`);
    this.name = 'EngineArgsError';
  }
}

/** Fills defaults, normalises block_size as Dynamo does, and checks ranges; throws EngineArgsError. */
export function resolveEngineArgs(partial: EngineArgsInput = {}): EngineArgs {
  const { schedule_policy: policy, ...sglangIn } = partial.sglang ?? {};
  // Dynamo's aliases (fcfs is fifo) as the declaration lists them
  const aliases: Readonly<Record<string, SglangArgs['schedule_policy']>> = SGLANG_ARGS.schedule_policy.aliases;
  const sglang: SglangArgs = { ...SGLANG_DEFAULTS, ...stripUndefined(sglangIn), ...(policy !== undefined ? { schedule_policy: aliases[policy] ?? policy as SglangArgs['schedule_policy'] } : {}) };
  const a: EngineArgs = { ...ENGINE_DEFAULTS, ...stripUndefined(partial), sglang };
  checkArg('engine_type', ENGINE_ARGS.engine_type, a.engine_type);
  if (a.engine_type === 'sglang') {
    for (const k of Object.keys(SGLANG_ARGS) as (keyof SglangArgs)[]) checkArg(`sglang.${k}`, SGLANG_ARGS[k], sglang[k]);
    const pageSet = partial.sglang?.page_size !== undefined;
    if (a.block_size > 0 && pageSet && a.block_size !== sglang.page_size) {
      throw new EngineArgsError('block_size', `must equal sglang.page_size (${sglang.page_size}) when both are set`);
    }
    if (a.block_size === 0) a.block_size = sglang.page_size;
    else sglang.page_size = a.block_size;
    // Dynamo's default of 16384 blocks is only 16384 tokens at page size 1; unless pinned, give
    // SGLang the same KV capacity in tokens as the vLLM default (16384 × 64).
    if (partial.num_gpu_blocks === undefined) a.num_gpu_blocks = Math.max(1, Math.floor(SGLANG_DEFAULT_KV_TOKENS / a.block_size));
    if (sglang.chunked_prefill_size % a.block_size !== 0) {
      throw new EngineArgsError('sglang.chunked_prefill_size', `must be a multiple of block_size (${a.block_size})`);
    }
  } else if (a.block_size === 0) {
    a.block_size = 64;
  }
  for (const k of Object.keys(ENGINE_ARGS) as (keyof typeof ENGINE_ARGS)[]) checkArg(k, ENGINE_ARGS[k], a[k]);
  if (a.block_size < 1) throw new EngineArgsError('block_size', `must be a positive integer, got ${a.block_size}`);
  if (a.dp_size !== 1) throw new EngineArgsError('dp_size', 'must be 1 (attention data parallelism is not simulated)');
  if (a.num_g2_blocks > 0 && a.engine_type !== 'vllm') throw new EngineArgsError('num_g2_blocks', 'needs the vllm engine (the host tier is not simulated for sglang yet)');
  return a;
}

/**
 * What prefill and decode times are divided by: speedup_ratio, and speedup_ratio × decode_speedup_ratio
 * for decode; a product <= 0 means no scaling (1).
 */
export function speedDivisors(a: EngineArgs): { prefill: number; decode: number } {
  const dd = a.speedup_ratio * a.decode_speedup_ratio;
  return { prefill: a.speedup_ratio > 0 ? a.speedup_ratio : 1, decode: dd > 0 ? dd : 1 };
}

/** Checks one argument against its declaration; throws EngineArgsError naming it and what it takes. */
function checkArg(field: string, spec: ArgSpec, v: unknown): void {
  const got = `got ${JSON.stringify(v)}`;
  switch (spec.type) {
    case 'bool':
      if (typeof v !== 'boolean') throw new EngineArgsError(field, `must be true or false, ${got}`);
      return;
    case 'enum':
      if (!spec.values.includes(v as string)) throw new EngineArgsError(field, `must be ${spec.values.map((x) => JSON.stringify(x)).join(', ').replace(/, ([^,]*)$/, ' or $1')}, ${got}`);
      return;
    case 'int':
      if (v === null && spec.nullable) return;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || (spec.max !== undefined && v > spec.max)) {
        const what = spec.max !== undefined ? `an integer in ${spec.min}..${spec.max}` : spec.min === 1 ? 'a positive integer' : `an integer >= ${spec.min}`;
        throw new EngineArgsError(field, `must be ${what}${spec.nullable ? ' or null' : ''}, ${got}`);
      }
      return;
    case 'number': {
      if (v === null && spec.nullable) return;
      const unit = spec.unit ? ` ${spec.unit}` : '';
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new EngineArgsError(field, `must be a finite number${spec.nullable ? ' or null' : ''}, ${got}`);
      if (spec.gt !== undefined && !(v > spec.gt)) throw new EngineArgsError(field, `must be > ${spec.gt}${unit}, ${got}`);
      if (spec.min !== undefined && !(v >= spec.min)) throw new EngineArgsError(field, `must be >= ${spec.min}${unit}, ${got}`);
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
