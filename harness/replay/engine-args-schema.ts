import { z } from 'zod';
import { ENGINE_ARGS, SGLANG_ARGS, type ArgSpec, type EngineArgsInput } from '../../sim/engine/engine-args.js';

/** The zod type of one declared engine argument (sim/engine/engine-args.ts), optional as in a partial JSON. */
function argSchema(spec: ArgSpec): z.ZodType {
  let t: z.ZodType;
  switch (spec.type) {
    case 'bool':
      t = z.boolean();
      break;
    case 'enum':
      t = z.enum([...spec.values, ...Object.keys(spec.aliases ?? {})] as [string, ...string[]]);
      break;
    case 'int': {
      let n = z.number().int().min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      t = spec.nullable ? n.nullable() : n;
      break;
    }
    case 'number': {
      let n = z.number();
      if (spec.gt !== undefined) n = n.gt(spec.gt);
      if (spec.min !== undefined) n = n.min(spec.min);
      t = spec.nullable ? n.nullable() : n;
      break;
    }
  }
  return t.optional();
}

function objectSchema(specs: Readonly<Record<string, ArgSpec>>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, argSchema(v)]));
}

/**
 * `--engine-args` JSON: Dynamo's MockEngineArgs field names (unknown fields are errors), derived from
 * the engine arguments' declarations; cross-field checks happen in sim's resolveEngineArgs, which names
 * the field too. `is_prefill` / `is_decode` are Dynamo's older spelling of `worker_type`.
 */
export const EngineArgsJson = z.strictObject({
  ...objectSchema(ENGINE_ARGS),
  is_prefill: z.boolean().optional(),
  is_decode: z.boolean().optional(),
  sglang: z.strictObject(objectSchema(SGLANG_ARGS)).optional(),
});
export type EngineArgsJson = EngineArgsInput & { is_prefill?: boolean; is_decode?: boolean };

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
