/**
 * KV router configuration with Dynamo's field names (`KvRouterConfig`, §10.1 of our reference notes),
 * defaults of the current release: queueing off, overlap credit 1, prefill load scale 1.
 */
export type QueuePolicy = 'fcfs' | 'lcfs' | 'wspt';

export interface KvRouterConfig {
  /** Credit per cached block of overlap, subtracted from the prefill load (blocks). */
  overlap_score_credit: number;
  /** Credit per block of the prompt (past the GPU-cached prefix) a worker holds in its host-memory tier. */
  host_cache_hit_weight: number;
  /** Shrinks the credit on workers with more pending prefill than the least loaded one (0 = off). */
  overlap_score_credit_decay: number;
  /** Weight of the (credited) prefill load against decode blocks. */
  prefill_load_scale: number;
  /** Cost per active request on a worker. */
  decode_active_request_weight: number;
  /** 0 = argmin cost; > 0 = softmax sampling over range-normalised costs. */
  router_temperature: number;
  /** Track KV blocks of active requests per worker (decode load). */
  router_track_active_blocks: boolean;
  /** Deduplicate shared prompt blocks when tracking active blocks. */
  router_assume_kv_reuse: boolean;
  /** Track pending prefill tokens per worker (prefill load). */
  router_track_prefill_tokens: boolean;
  /** Queue arrivals while every worker has more than threshold × max_num_batched_tokens pending prefill; null = never queue. */
  router_queue_threshold: number | null;
  router_queue_policy: QueuePolicy;
  /**
   * How the router estimates each request's prefill duration so pending prefill decays over it:
   * "none" (no decay) or "timing" (the replay's timing model; Dynamo's "aic" is accepted as an alias).
   */
  router_prefill_load_model: 'none' | 'timing';
}

export const KV_ROUTER_DEFAULTS: KvRouterConfig = {
  overlap_score_credit: 1.0,
  overlap_score_credit_decay: 0.0,
  host_cache_hit_weight: 0.75,
  prefill_load_scale: 1.0,
  decode_active_request_weight: 0.0,
  router_temperature: 0.0,
  router_track_active_blocks: true,
  router_assume_kv_reuse: true,
  router_track_prefill_tokens: true,
  router_queue_threshold: null,
  router_queue_policy: 'fcfs',
  router_prefill_load_model: 'none',
};

export class RouterConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`router config: ${field} ${message}`);
    this.name = 'RouterConfigError';
  }
}

/**
 * Fills defaults and applies the deprecated alias `overlap_score_weight` = v (sets prefill_load_scale
 * to v, and the credit to 0 when v is 0; it wins over the explicit fields, as in Dynamo).
 */
export function resolveKvRouterConfig(
  partial: Partial<Omit<KvRouterConfig, 'router_prefill_load_model'>> & { overlap_score_weight?: number; router_prefill_load_model?: 'none' | 'timing' | 'aic' } = {},
): KvRouterConfig {
  const { overlap_score_weight, router_prefill_load_model, ...rest } = partial;
  const c: KvRouterConfig = { ...KV_ROUTER_DEFAULTS };
  for (const [k, v] of Object.entries(rest)) {
    if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  }
  if (overlap_score_weight !== undefined) {
    finite('overlap_score_weight', overlap_score_weight);
    c.prefill_load_scale = overlap_score_weight;
    if (overlap_score_weight === 0) c.overlap_score_credit = 0;
  }
  if (router_prefill_load_model !== undefined) {
    if (router_prefill_load_model !== 'none' && router_prefill_load_model !== 'timing' && router_prefill_load_model !== 'aic') {
      throw new RouterConfigError('router_prefill_load_model', `must be "none", "timing" or "aic", got ${JSON.stringify(router_prefill_load_model)}`);
    }
    c.router_prefill_load_model = router_prefill_load_model === 'none' ? 'none' : 'timing';
  }
  nonNeg('overlap_score_credit', c.overlap_score_credit);
  nonNeg('overlap_score_credit_decay', c.overlap_score_credit_decay);
  nonNeg('host_cache_hit_weight', c.host_cache_hit_weight);
  nonNeg('prefill_load_scale', c.prefill_load_scale);
  nonNeg('decode_active_request_weight', c.decode_active_request_weight);
  nonNeg('router_temperature', c.router_temperature);
  if (c.router_queue_threshold !== null) nonNeg('router_queue_threshold', c.router_queue_threshold);
  if (c.router_queue_policy !== 'fcfs' && c.router_queue_policy !== 'lcfs' && c.router_queue_policy !== 'wspt') {
    throw new RouterConfigError('router_queue_policy', `must be "fcfs", "lcfs" or "wspt", got ${JSON.stringify(c.router_queue_policy)}`);
  }
  return c;
}

function finite(field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RouterConfigError(field, `must be a finite number, got ${JSON.stringify(v)}`);
}

function nonNeg(field: string, v: number): void {
  finite(field, v);
  if (v < 0) throw new RouterConfigError(field, `must be >= 0, got ${v}`);
}
