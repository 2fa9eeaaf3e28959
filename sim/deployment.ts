import { deriveNumGpuBlocks } from './catalog/kv-capacity.js';
import { getGpu } from './catalog/gpus.js';
import { getModel, kvBytesPerToken, type KvDtype, type WeightDtype } from './catalog/models.js';
import type { Parallelism } from './catalog/parallelism.js';
import { resolveEngineArgs, type EngineArgs, type EngineType } from './engine/engine-args.js';
import type { ReplayConfig } from './replay.js';
import { resolveKvRouterConfig } from './router/router-config.js';
import { createRooflineModel } from './timing/roofline.js';

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
}

export interface ServingDeployment {
  backend: EngineType;
  /** Server version as the benchmark recorded it ('' = the newest we know). */
  backendVersion: string;
  gpu: string;
  model: string;
  weightDtype: WeightDtype;
  /** Dtype of the routed experts (MoE models). */
  moeDtype: WeightDtype;
  kvDtype: KvDtype;
  /** Aggregated: one pool. Disaggregated: prefill and decode pools. */
  pools: { agg: PoolDeployment } | { prefill: PoolDeployment; decode: PoolDeployment };
}

/** Tokens per KV block each server uses by default (vLLM 16, SGLang page 1 → we index it in 64s, TensorRT-LLM 32). */
const BLOCK_SIZE: Record<EngineType, number> = { vllm: 16, sglang: 64, trtllm: 32 };

function poolEngine(d: ServingDeployment, p: PoolDeployment): EngineArgs {
  const tp = p.parallel.tp;
  const blockSize = BLOCK_SIZE[d.backend];
  const args = resolveEngineArgs({
    engine_type: d.backend,
    block_size: blockSize,
    ...(d.backend === 'sglang' ? { sglang: { page_size: blockSize } } : {}),
  });
  args.num_gpu_blocks = deriveNumGpuBlocks({
    gpu: d.gpu, model: d.model, tp, weightDtype: asLegacy(d.weightDtype), kvDtype: d.kvDtype, blockSize,
  });
  args.kv_bytes_per_token = kvBytesPerToken(d.model, tp, d.kvDtype) * tp;
  if (p.maxBatch !== undefined) {
    if (d.backend === 'sglang') args.sglang.max_running_requests = p.maxBatch;
    else args.max_num_seqs = p.maxBatch;
  }
  return args;
}

function poolTiming(d: ServingDeployment, p: PoolDeployment): ReplayConfig['timing'] {
  return createRooflineModel({
    gpu: d.gpu, model: d.model, tp: p.parallel.tp, weightDtype: asLegacy(d.weightDtype), kvDtype: d.kvDtype,
    framework: d.backend === 'trtllm' ? 'vllm' : d.backend,
  });
}

function asLegacy(w: WeightDtype): 'bf16' | 'fp8' {
  return w === 'bf16' ? 'bf16' : 'fp8';
}

/** The replay configuration of a deployment; throws with the missing piece named when it cannot run. */
export function deploymentReplayConfig(d: ServingDeployment, seed: number): ReplayConfig {
  getGpu(d.gpu);
  getModel(d.model);
  const base = {
    router: 'round_robin' as const,
    routerConfig: resolveKvRouterConfig({}),
    seed,
    arrivalSpeedupRatio: 1,
    concurrency: null,
  };
  if ('agg' in d.pools) {
    const p = d.pools.agg;
    return {
      ...base,
      workers: p.replicas * p.parallel.attnDp,
      engine: poolEngine(d, p),
      timing: poolTiming(d, p),
      gpusPerWorker: p.parallel.tp * p.parallel.pp,
    };
  }
  const { prefill, decode } = d.pools;
  const prefillEngine = poolEngine(d, prefill);
  const decodeEngine = poolEngine(d, decode);
  const gpu = getGpu(d.gpu);
  // KV moves prefill GPU → decode GPU over the NICs (or NVLink inside one node), every GPU of the
  // prefill replica sending its shard at once
  const linkBytesPerSec = (gpu as { interNodeBw?: number }).interNodeBw ?? gpu.pcieBw;
  const prefillGpus = prefill.parallel.tp * prefill.parallel.pp;
  return {
    ...base,
    workers: prefill.replicas * prefill.parallel.attnDp + decode.replicas * decode.parallel.attnDp,
    engine: decodeEngine,
    timing: poolTiming(d, decode),
    gpusPerWorker: decode.parallel.tp * decode.parallel.pp,
    disagg: {
      prefillWorkers: prefill.replicas * prefill.parallel.attnDp,
      decodeWorkers: decode.replicas * decode.parallel.attnDp,
      prefillEngine,
      decodeEngine: { ...decodeEngine, block_size: prefillEngine.block_size },
      kvTransferBandwidthGBs: (linkBytesPerSec * prefillGpus) / 1e9,
      kvBytesPerToken: prefillEngine.kv_bytes_per_token,
      prefillTiming: poolTiming(d, prefill),
    },
  };
}
