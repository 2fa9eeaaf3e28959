import { requireKvCapacity } from './catalog/backend-memory.js';
import { getGpu } from './catalog/gpus.js';
import { getModel, type KvDtype, type QuantScheme } from './catalog/models.js';
import type { Parallelism } from './catalog/parallelism.js';
import { resolveEngineArgs, type EngineArgs, type EngineType } from './engine/engine-args.js';
import type { ReplayConfig } from './replay-config.js';
import { buildReplayConfig, type HardwareSpec, type ScenarioSpec } from './scenario-config.js';
import { FRAMEWORK_OVERHEAD } from './timing/roofline.js';

/**
 * A serving deployment as an operator describes it — which server, which GPUs, which model in which
 * precision, laid out how, how many replicas — turned into the replay configuration every command
 * simulates. The server's own defaults (scheduler limits, memory split) come from the catalog, so a
 * deployment needs no engine arguments to behave like the real one.
 *
 * Attention data parallelism: each attention-DP rank schedules its own requests and holds its own KV,
 * so it is one simulated worker; the timing model prices one rank's pass with the MoE layers shared
 * across ranks. A replica with attnDp ranks is attnDp workers behind a round-robin front end.
 */
export interface PoolDeployment {
  /** Model replicas in the pool. */
  replicas: number;
  parallel: Parallelism;
  /**
   * Requests one worker (attention-DP rank) runs at once, when the deployment sets it (vLLM
   * max_num_seqs, SGLang max_running_requests, TensorRT-LLM max_batch_size); absent = the server's default.
   */
  maxBatch?: number;
  /** Tokens one pass may process, when the deployment sets it (max_num_batched_tokens, max_num_tokens); absent = the server's default. */
  maxTokens?: number;
}

export interface ServingDeployment {
  backend: EngineType;
  /** Server version as the benchmark recorded it ('' = the newest we know). */
  backendVersion: string;
  gpu: string;
  model: string;
  /** Weight format of each tensor class. */
  quant: QuantScheme;
  kvDtype: KvDtype;
  /** Aggregated: one pool. Disaggregated: prefill and decode pools. */
  pools: { agg: PoolDeployment } | { prefill: PoolDeployment; decode: PoolDeployment };
  /** Front-end time per request, ms (see FRONTEND_MS); absent = the backend's. */
  frontendMs?: number;
}

/**
 * Fixed first-token latency per server, ms: from the client's send until the engine can schedule the
 * request, plus the first token's way back (HTTP and JSON, tokenisation, the hand-off from the API
 * process to the engine process, detokenisation, the streamed chunk, and with Dynamo its frontend and
 * request plane). No per-op table holds it. These are the only constants fitted to end-to-end rows: one
 * per server, as the weighted median of (measured − simulated) TTFT over the aggregated calibration rows
 * (`npm run bench:fidelity` refits them and scores every model with the values fitted without it).
 * They are far above the few milliseconds the CPU work itself takes, so they also absorb first-token
 * delays the pass model misses (docs/fidelity.md, "Where it is still wrong").
 */
export const FRONTEND_MS: Readonly<Record<EngineType, number>> = { vllm: 32.2, sglang: 189.1, trtllm: 112.3 };

/**
 * Engine arguments of one worker (one attention-DP rank) as the server sizes itself: its KV pool from
 * the backend's memory model, its scheduler limits from the backend's defaults for this version and GPU.
 */
function poolEngine(d: ServingDeployment, p: PoolDeployment): EngineArgs {
  const cap = requireKvCapacity({
    backend: d.backend, version: d.backendVersion, gpu: d.gpu, model: d.model, parallelism: p.parallel,
    quant: d.quant, kvDtype: d.kvDtype, maxNumSeqs: p.maxBatch, maxNumBatchedTokens: p.maxTokens,
  });
  const def = cap.defaults;
  // SGLang's page is one token; the simulator indexes its radix cache in 64-token pages, which changes
  // nothing for prompts that share no prefix and keeps the cache small
  const blockSize = d.backend === 'sglang' ? 64 : def.blockSize;
  const tokens = cap.tokensPerRank;
  const args = resolveEngineArgs({
    engine_type: d.backend,
    block_size: blockSize,
    num_gpu_blocks: Math.max(1, Math.floor(tokens / blockSize)),
    max_num_seqs: d.backend === 'sglang' ? null : cap.maxRunningRequests,
    max_num_batched_tokens: def.maxNumBatchedTokens,
    enable_chunked_prefill: def.chunkSize !== null,
    ...(d.backend === 'sglang' ? {
      sglang: {
        page_size: blockSize,
        chunked_prefill_size: Math.max(blockSize, Math.floor((def.chunkSize ?? def.maxNumBatchedTokens) / blockSize) * blockSize),
        max_prefill_tokens: def.maxNumBatchedTokens,
        max_running_requests: cap.maxRunningRequests,
        enable_mixed_chunk: false,
      },
    } : {}),
  });
  // the KV a request hands over in disaggregated serving: every GPU of the rank holds its share
  args.kv_bytes_per_token = cap.kvBytesPerToken * p.parallel.tp * p.parallel.pp;
  return args;
}

/** A pool's hardware: the deployment's GPU, model and formats in the pool's layout. */
function poolHardware(d: ServingDeployment, p: PoolDeployment): HardwareSpec {
  return { timing: 'roofline', gpu: d.gpu, model: d.model, tp: p.parallel.tp, parallel: p.parallel, weightDtype: d.quant.dense, quant: d.quant, kvDtype: d.kvDtype };
}

/** The first token's own path out of the engine (the timing model's firstTokenMs) plus the rest of the front end. */
function frontendOf(d: ServingDeployment): number {
  return FRAMEWORK_OVERHEAD[d.backend].firstTokenMs + (d.frontendMs ?? FRONTEND_MS[d.backend]);
}

/** A deployment as a scenario: pools sized and configured as the server does it. */
export function deploymentSpec(d: ServingDeployment, seed: number): ScenarioSpec {
  getGpu(d.gpu);
  getModel(d.model);
  const base = { seed, arrivalSpeedupRatio: 1, concurrency: null };
  const cluster = { router: 'round_robin' as const, routerConfig: {} };
  if ('agg' in d.pools) {
    const p = d.pools.agg;
    return {
      ...base,
      cluster: { ...cluster, workers: p.replicas * p.parallel.attnDp, engine: { ...poolEngine(d, p) } },
      hardware: poolHardware(d, p),
      frontendMs: frontendOf(d),
      gpusPerWorker: p.parallel.tp * p.parallel.pp,
    };
  }
  const { prefill, decode } = d.pools;
  const prefillEngine = poolEngine(d, prefill);
  const decodeEngine = poolEngine(d, decode);
  // KV moves prefill GPU → decode GPU over the NICs (or NVLink inside one node), every GPU of the
  // prefill replica sending its shard at once
  const linkBytesPerSec = getGpu(d.gpu).scaleOutBw;
  const prefillGpus = prefill.parallel.tp * prefill.parallel.pp;
  return {
    ...base,
    cluster: {
      ...cluster,
      workers: prefill.replicas * prefill.parallel.attnDp + decode.replicas * decode.parallel.attnDp,
      engine: { ...decodeEngine },
      disagg: {
        prefillWorkers: prefill.replicas * prefill.parallel.attnDp,
        decodeWorkers: decode.replicas * decode.parallel.attnDp,
        prefillEngine: { ...prefillEngine },
        decodeEngine: { ...decodeEngine },
        kvTransferBandwidthGBs: (linkBytesPerSec * prefillGpus) / 1e9,
        kvBytesPerToken: prefillEngine.kv_bytes_per_token,
        prefillHardware: poolHardware(d, prefill),
      },
    },
    hardware: poolHardware(d, decode),
    frontendMs: frontendOf(d),
    gpusPerWorker: decode.parallel.tp * decode.parallel.pp,
  };
}

/** The replay configuration of a deployment; throws with the missing piece named when it cannot run. */
export function deploymentReplayConfig(d: ServingDeployment, seed: number): ReplayConfig {
  return buildReplayConfig(deploymentSpec(d, seed));
}
