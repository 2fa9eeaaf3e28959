import type { EvictionName } from '../kvcache/evictor.js';

/**
 * Engine arguments with Dynamo's mocker field names and defaults (`MockEngineArgs`), so a user can
 * paste the JSON they pass to `python -m dynamo.replay --extra-engine-args`.
 */
/**
 * Which server's scheduler a worker runs. `trtllm` is TensorRT-LLM's in-flight batching: the vLLM-style
 * token-budget scheduler (max_num_tokens, max_batch_size) with its GUARANTEED_NO_EVICT admission.
 */
export type EngineType = 'vllm' | 'sglang' | 'trtllm';
export type PreemptionMode = 'lifo' | 'fifo';
export type { EvictionName } from '../kvcache/evictor.js';

export interface SglangArgs {
  /** Waiting-queue order: fifo (alias fcfs) or longest-prefix-match. */
  schedule_policy: 'fifo' | 'lpm';
  /** Radix cache page size in tokens. */
  page_size: number;
  /** Max prompt tokens admitted per pass. */
  max_prefill_tokens: number;
  /** Max tokens of one prefill chunk. */
  chunked_prefill_size: number;
  /** Cap on the output tokens reserved per request for admission control. */
  clip_max_new_tokens: number;
  /** Scales the initial new-token ratio (higher admits less optimistically). */
  schedule_conservativeness: number;
  /**
   * Match the radix cache before cutting a long prompt into chunks, as SGLang does (twinsearch
   * extension, default true). Dynamo's mocker cuts first, so later chunks recompute tokens that are
   * cached; false reproduces that.
   */
  match_before_chunk: boolean;
  /** Requests running at once (SGLang's --max-running-requests); null = only KV memory limits it. */
  max_running_requests: number | null;
  /**
   * Prefill chunks share a pass with the running requests' decode (SGLang's --enable-mixed-chunk).
   * SGLang's own default is false (a pass with prefill decodes nothing else); the replay default stays
   * true, as Dynamo's mocker runs them together. Deployments built from a server's defaults set false.
   */
  enable_mixed_chunk: boolean;
}

export interface EngineArgs {
  engine_type: EngineType;
  /** KV capacity in blocks (sglang: num_gpu_blocks × block_size token slots). */
  num_gpu_blocks: number;
  /** KV block size in tokens (vllm default 64, sglang = page_size). */
  block_size: number;
  /** Max running sequences per pass (vLLM only); null = unlimited. */
  max_num_seqs: number | null;
  /** Token budget per pass (vLLM); null = unlimited. */
  max_num_batched_tokens: number | null;
  enable_prefix_caching: boolean;
  enable_chunked_prefill: boolean;
  /** Divides prefill and decode time; <= 0 means no scaling. */
  speedup_ratio: number;
  /** Extra divisor for decode time (applied with speedup_ratio). */
  decode_speedup_ratio: number;
  dp_size: number;
  /** Cold-start time in seconds for workers added by the planner (null = instant). */
  startup_time: number | null;
  worker_type: 'aggregated' | 'prefill' | 'decode';
  /** KV bytes per token (for P/D transfer and host offload); null = unknown. */
  kv_bytes_per_token: number | null;
  /** P/D KV transfer bandwidth in GB/s. */
  kv_transfer_bandwidth: number | null;
  preemption_mode: PreemptionMode;
  /**
   * Let a waiting request preempt running ones to fit (Dynamo's mocker). Default false: like vLLM, a
   * waiting request is admitted only when its blocks fit, so two large requests cannot keep evicting
   * each other (twinsearch extension).
   */
  preempt_on_admit: boolean;
  /** Which cached, unreferenced KV block is evicted first (twinsearch extension). */
  eviction_policy: EvictionName;
  /** Host-memory KV tier (KVBM G2) capacity in blocks; 0 = no host tier. Needs kv_bytes_per_token. */
  num_g2_blocks: number;
  /** GPU → host copy bandwidth, GB/s (shared by concurrent copies). */
  bandwidth_g1_to_g2_gbps: number;
  /** Host → GPU load bandwidth, GB/s. */
  bandwidth_g2_to_g1_gbps: number;
  sglang: SglangArgs;
}

export const SGLANG_DEFAULTS: SglangArgs = {
  schedule_policy: 'fifo',
  page_size: 1,
  max_prefill_tokens: 16384,
  chunked_prefill_size: 8192,
  clip_max_new_tokens: 4096,
  schedule_conservativeness: 1.0,
  match_before_chunk: true,
  max_running_requests: null,
  enable_mixed_chunk: true,
};

export const ENGINE_DEFAULTS: EngineArgs = {
  engine_type: 'vllm',
  num_gpu_blocks: 16384,
  block_size: 0,
  max_num_seqs: 256,
  max_num_batched_tokens: 8192,
  enable_prefix_caching: true,
  enable_chunked_prefill: true,
  speedup_ratio: 1.0,
  decode_speedup_ratio: 1.0,
  dp_size: 1,
  startup_time: null,
  worker_type: 'aggregated',
  kv_bytes_per_token: null,
  kv_transfer_bandwidth: null,
  preemption_mode: 'lifo',
  preempt_on_admit: false,
  eviction_policy: 'lru',
  num_g2_blocks: 0,
  bandwidth_g1_to_g2_gbps: 14,
  bandwidth_g2_to_g1_gbps: 14,
  sglang: SGLANG_DEFAULTS,
};

/** KV capacity in tokens an SGLang engine gets when num_gpu_blocks is not given. */
export const SGLANG_DEFAULT_KV_TOKENS = 16384 * 64;

export class EngineArgsError extends Error {
  constructor(readonly field: string, message: string) {
    super(`engine args: ${field} ${message}`);
    this.name = 'EngineArgsError';
  }
}

/** Fills defaults, normalises block_size as Dynamo does, and checks ranges; throws EngineArgsError. */
export function resolveEngineArgs(partial: Partial<Omit<EngineArgs, 'sglang'>> & { sglang?: Partial<SglangArgs> } = {}): EngineArgs {
  const sglang: SglangArgs = { ...SGLANG_DEFAULTS, ...(partial.sglang ?? {}) };
  const a: EngineArgs = { ...ENGINE_DEFAULTS, ...stripUndefined(partial), sglang };
  if (a.engine_type !== 'vllm' && a.engine_type !== 'sglang' && a.engine_type !== 'trtllm') throw new EngineArgsError('engine_type', `must be "vllm", "sglang" or "trtllm", got ${JSON.stringify(a.engine_type)}`);
  if (a.engine_type === 'sglang') {
    const pageSet = partial.sglang?.page_size !== undefined;
    if (a.block_size > 0 && pageSet && a.block_size !== sglang.page_size) {
      throw new EngineArgsError('block_size', `must equal sglang.page_size (${sglang.page_size}) when both are set`);
    }
    if (a.block_size === 0) a.block_size = sglang.page_size;
    else sglang.page_size = a.block_size;
    // Dynamo's default of 16384 blocks is only 16384 tokens at page size 1; unless pinned, give
    // SGLang the same KV capacity in tokens as the vLLM default (16384 × 64).
    if (partial.num_gpu_blocks === undefined) a.num_gpu_blocks = Math.max(1, Math.floor(SGLANG_DEFAULT_KV_TOKENS / a.block_size));
    posInt('sglang.page_size', sglang.page_size);
    posInt('sglang.max_prefill_tokens', sglang.max_prefill_tokens);
    posInt('sglang.chunked_prefill_size', sglang.chunked_prefill_size);
    posInt('sglang.clip_max_new_tokens', sglang.clip_max_new_tokens);
    if (sglang.chunked_prefill_size % a.block_size !== 0) {
      throw new EngineArgsError('sglang.chunked_prefill_size', `must be a multiple of block_size (${a.block_size})`);
    }
    if (sglang.max_running_requests !== null) posInt('sglang.max_running_requests', sglang.max_running_requests);
    if (!(sglang.schedule_conservativeness > 0)) throw new EngineArgsError('sglang.schedule_conservativeness', 'must be > 0');
    if (sglang.schedule_policy !== 'fifo' && sglang.schedule_policy !== 'lpm') {
      throw new EngineArgsError('sglang.schedule_policy', `must be "fifo" or "lpm", got ${JSON.stringify(sglang.schedule_policy)}`);
    }
  } else if (a.block_size === 0) {
    a.block_size = 64;
  }
  posInt('block_size', a.block_size);
  posInt('num_gpu_blocks', a.num_gpu_blocks);
  if (a.max_num_seqs !== null) posInt('max_num_seqs', a.max_num_seqs);
  if (a.max_num_batched_tokens !== null) posInt('max_num_batched_tokens', a.max_num_batched_tokens);
  if (!Number.isFinite(a.speedup_ratio)) throw new EngineArgsError('speedup_ratio', 'must be a finite number');
  if (!Number.isFinite(a.decode_speedup_ratio)) throw new EngineArgsError('decode_speedup_ratio', 'must be a finite number');
  if (a.dp_size !== 1) throw new EngineArgsError('dp_size', 'must be 1 (attention data parallelism is not simulated)');
  if (a.startup_time !== null && !(a.startup_time >= 0)) throw new EngineArgsError('startup_time', 'must be >= 0 seconds');
  if (a.kv_bytes_per_token !== null && !(a.kv_bytes_per_token > 0)) throw new EngineArgsError('kv_bytes_per_token', 'must be > 0');
  if (a.kv_transfer_bandwidth !== null && !(a.kv_transfer_bandwidth > 0)) throw new EngineArgsError('kv_transfer_bandwidth', 'must be > 0 GB/s');
  if (a.preemption_mode !== 'lifo' && a.preemption_mode !== 'fifo') throw new EngineArgsError('preemption_mode', `must be "lifo" or "fifo", got ${JSON.stringify(a.preemption_mode)}`);
  if (a.eviction_policy !== 'lru' && a.eviction_policy !== 'lineage') throw new EngineArgsError('eviction_policy', `must be "lru" or "lineage", got ${JSON.stringify(a.eviction_policy)}`);
  if (!(Number.isInteger(a.num_g2_blocks) && a.num_g2_blocks >= 0)) throw new EngineArgsError('num_g2_blocks', `must be an integer >= 0, got ${JSON.stringify(a.num_g2_blocks)}`);
  if (!(a.bandwidth_g1_to_g2_gbps > 0)) throw new EngineArgsError('bandwidth_g1_to_g2_gbps', 'must be > 0 GB/s');
  if (!(a.bandwidth_g2_to_g1_gbps > 0)) throw new EngineArgsError('bandwidth_g2_to_g1_gbps', 'must be > 0 GB/s');
  if (a.num_g2_blocks > 0 && a.engine_type !== 'vllm') throw new EngineArgsError('num_g2_blocks', 'needs the vllm engine (the host tier is not simulated for sglang yet)');
  if (a.worker_type !== 'aggregated' && a.worker_type !== 'prefill' && a.worker_type !== 'decode') {
    throw new EngineArgsError('worker_type', `must be "aggregated", "prefill" or "decode", got ${JSON.stringify(a.worker_type)}`);
  }
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

function posInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new EngineArgsError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
