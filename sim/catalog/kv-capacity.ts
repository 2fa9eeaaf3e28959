/**
 * KV-cache capacity of a worker from the GPU and model catalogs. Without a `backend` the budget is the
 * first catalog version's: util × capacity minus weights and AIC's fixed reserves (NCCL buffers,
 * activation/other reserve; ai-dynamo/aiconfigurator @ 095f58a51c4ca8e61b66ec108d86f223f8d559ce, Apache-2.0,
 * via sim/catalog/gpus.ts). With a `backend` the pool is sized the way that server sizes it
 * (sim/catalog/backend-memory.ts).
 */
import { requireKvCapacity, type Backend, type UsageContext } from './backend-memory.js';
import { getGpu, ncclMemBytes } from './gpus.js';
import { getModel, kvBytesPerToken, weightBytesPerGpu, type KvDtype, type QuantScheme, type WeightDtype } from './models.js';
import { tensorParallel, type Parallelism } from './parallelism.js';

export interface KvCapacityOptions {
  /** GPU catalog key. */
  gpu: string;
  /** Model catalog key. */
  model: string;
  /** GPUs per worker (one model replica, tensor-parallel). Ignored when `parallelism` is given. */
  tp: number;
  weightDtype: WeightDtype;
  kvDtype: KvDtype;
  /** Tokens per KV block. */
  blockSize: number;
  /**
   * Share of GPU memory the engine may use (vLLM's --gpu-memory-utilization); default 0.9. With a
   * `backend` it replaces that server's memory fraction instead.
   */
  gpuMemoryUtilization?: number;
  /** Size the pool as this server does; omitted = the fixed-reserve budget described above. */
  backend?: Backend;
  /** Server or Dynamo version as in AIC's CSV ('' = newest known); only with `backend`. */
  backendVersion?: string;
  /** Full layout of the replica; only with `backend`. Default `tensorParallel(tp)`; blocks are per attention-DP rank. */
  parallelism?: Parallelism;
  /** Weight formats per tensor class; only with `backend`. Default `weightDtype` for every class. */
  quant?: QuantScheme;
  /** vLLM usage context; only with `backend`. */
  usageContext?: UsageContext;
}

const gb = (x: number): string => (x / 1e9).toFixed(1);

/**
 * KV-cache capacity of one worker in blocks. TP shards KV heads, so a block spans all tp GPUs and the
 * per-GPU budget divided by the per-GPU block size is the worker's count:
 * (capacity·util − weights/GPU − NCCL buffers − activation reserve) / (KV bytes/token/GPU · blockSize).
 * With `backend`, the blocks one attention-DP rank of that server holds (`kvCapacity`).
 * Throws when the model does not fit.
 */
export function deriveNumGpuBlocks(opts: KvCapacityOptions): number {
  const gpu = getGpu(opts.gpu);
  const model = getModel(opts.model);
  if (!Number.isInteger(opts.blockSize) || opts.blockSize < 1) {
    throw new Error(`blockSize must be a positive integer, got ${opts.blockSize}`);
  }
  if (opts.backend !== undefined) {
    const p = opts.parallelism ?? tensorParallel(opts.tp);
    const cap = requireKvCapacity({
      backend: opts.backend, version: opts.backendVersion ?? '', gpu, model, parallelism: p,
      quant: opts.quant ?? opts.weightDtype, kvDtype: opts.kvDtype, blockSize: opts.blockSize,
      usageContext: opts.usageContext,
      ...(opts.gpuMemoryUtilization !== undefined ? { memFraction: opts.gpuMemoryUtilization } : {}),
    });
    return cap.blocksPerRank;
  }
  const util = opts.gpuMemoryUtilization ?? 0.9;
  if (!(util > 0 && util <= 1)) throw new Error(`gpuMemoryUtilization must be in (0, 1], got ${util}`);
  const available = gpu.memCapacity * util;
  const reserved = weightBytesPerGpu(model, opts.tp, opts.weightDtype) + ncclMemBytes(gpu, opts.tp) + gpu.otherMem;
  const blockBytes = kvBytesPerToken(model, opts.tp, opts.kvDtype) * opts.blockSize;
  const blocks = Math.floor((available - reserved) / blockBytes);
  if (blocks <= 0) {
    throw new Error(`${model.name} (${opts.weightDtype}) does not fit on ${opts.tp}× ${gpu.name}: needs ${gb(reserved + blockBytes)} GB`
      + ` per GPU for weights, buffers and one KV block, ${gb(available)} GB available at ${util} utilization`);
  }
  return blocks;
}
