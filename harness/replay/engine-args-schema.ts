import { z } from 'zod';

const posInt = z.number().int().positive();
/**
 * KV blocks per worker: 2^24 blocks of 16 tokens is 268 M tokens of cache, more than any GPU holds;
 * the engine allocates per-block state up front, so the cap is checked before it does.
 */
const MAX_BLOCKS = 1 << 24;

/**
 * `--engine-args` JSON: Dynamo's MockEngineArgs field names (unknown fields are errors). Range and
 * cross-field checks happen in sim's resolveEngineArgs, which names the field too.
 */
export const EngineArgsJson = z.strictObject({
  engine_type: z.enum(['vllm', 'sglang', 'trtllm']).optional(),
  num_gpu_blocks: posInt.max(MAX_BLOCKS).optional(),
  block_size: z.number().int().nonnegative().max(1 << 16).optional(),
  max_num_seqs: posInt.nullable().optional(),
  max_num_batched_tokens: posInt.nullable().optional(),
  enable_prefix_caching: z.boolean().optional(),
  enable_chunked_prefill: z.boolean().optional(),
  speedup_ratio: z.number().optional(),
  decode_speedup_ratio: z.number().optional(),
  dp_size: posInt.optional(),
  startup_time: z.number().nonnegative().nullable().optional(),
  worker_type: z.enum(['aggregated', 'prefill', 'decode']).optional(),
  is_prefill: z.boolean().optional(),
  is_decode: z.boolean().optional(),
  kv_bytes_per_token: z.number().positive().nullable().optional(),
  kv_transfer_bandwidth: z.number().positive().nullable().optional(),
  preemption_mode: z.enum(['lifo', 'fifo']).optional(),
  preempt_on_admit: z.boolean().optional(),
  eviction_policy: z.enum(['lru', 'lineage']).optional(),
  num_g2_blocks: z.number().int().nonnegative().max(16 * MAX_BLOCKS).optional(),
  bandwidth_g1_to_g2_gbps: z.number().positive().optional(),
  bandwidth_g2_to_g1_gbps: z.number().positive().optional(),
  sglang: z.strictObject({
    schedule_policy: z.enum(['fifo', 'fcfs', 'lpm']).optional(),
    page_size: posInt.optional(),
    max_prefill_tokens: posInt.optional(),
    chunked_prefill_size: posInt.optional(),
    clip_max_new_tokens: posInt.optional(),
    schedule_conservativeness: z.number().positive().optional(),
    match_before_chunk: z.boolean().optional(),
    max_running_requests: posInt.nullable().optional(),
    enable_mixed_chunk: z.boolean().optional(),
  }).optional(),
});
export type EngineArgsJson = z.infer<typeof EngineArgsJson>;

/** `--router-config` JSON: Dynamo's KvRouterConfig field names that the simulator models. */
export const RouterConfigJson = z.strictObject({
  overlap_score_weight: z.number().optional(),
  overlap_score_credit: z.number().optional(),
  overlap_score_credit_decay: z.number().optional(),
  host_cache_hit_weight: z.number().optional(),
  prefill_load_scale: z.number().optional(),
  decode_active_request_weight: z.number().optional(),
  router_temperature: z.number().optional(),
  router_track_active_blocks: z.boolean().optional(),
  router_assume_kv_reuse: z.boolean().optional(),
  router_track_prefill_tokens: z.boolean().optional(),
  router_queue_threshold: z.number().nullable().optional(),
  router_queue_policy: z.enum(['fcfs', 'lcfs', 'wspt']).optional(),
  router_prefill_load_model: z.enum(['none', 'timing', 'aic']).optional(),
});
export type RouterConfigJson = z.infer<typeof RouterConfigJson>;

/** `--planner-config` JSON: Dynamo's planner field names (seconds for intervals and startup, ms for SLA targets). */
export const PlannerConfigJson = z.strictObject({
  load_adjustment_interval: z.number().optional(),
  throughput_adjustment_interval: z.number().optional(),
  enable_load_scaling: z.boolean().optional(),
  enable_throughput_scaling: z.boolean().optional(),
  optimization_target: z.enum(['throughput', 'latency']).optional(),
  ttft: z.number().optional(),
  itl: z.number().optional(),
  max_gpu_budget: z.number().int().optional(),
  min_endpoint: z.number().int().optional(),
  max_endpoint: z.number().int().nullable().optional(),
  startup_time: z.number().nullable().optional(),
  max_num_fpm_samples: z.number().int().optional(),
});
export type PlannerConfigJson = z.infer<typeof PlannerConfigJson>;
