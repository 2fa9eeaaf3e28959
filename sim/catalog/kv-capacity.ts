/**
 * KV-cache capacity of a worker from the GPU and model catalogs. The memory reserves (NCCL buffers,
 * activation/other reserve) are AIC's, ai-dynamo/aiconfigurator @ 095f58a51c4ca8e61b66ec108d86f223f8d559ce
 * (Apache-2.0), via sim/catalog/gpus.ts.
 */
import { getGpu, ncclMemBytes } from './gpus.js';
import { getModel, kvBytesPerToken, weightBytesPerGpu, type KvDtype, type WeightDtype } from './models.js';

export interface KvCapacityOptions {
  /** GPU catalog key. */
  gpu: string;
  /** Model catalog key. */
  model: string;
  /** GPUs per worker (one model replica, tensor-parallel). */
  tp: number;
  weightDtype: WeightDtype;
  kvDtype: KvDtype;
  /** Tokens per KV block. */
  blockSize: number;
  /** Share of GPU memory the engine may use (vLLM's --gpu-memory-utilization); default 0.9. */
  gpuMemoryUtilization?: number;
}

/**
 * KV-cache capacity of one worker in blocks. TP shards KV heads, so a block spans all tp GPUs and the
 * per-GPU budget divided by the per-GPU block size is the worker's count:
 * (capacity·util − weights/GPU − NCCL buffers − activation reserve) / (KV bytes/token/GPU · blockSize).
 * Throws when the model does not fit.
 */
export function deriveNumGpuBlocks(opts: KvCapacityOptions): number {
  const gpu = getGpu(opts.gpu);
  const model = getModel(opts.model);
  const util = opts.gpuMemoryUtilization ?? 0.9;
  if (!(util > 0 && util <= 1)) throw new Error(`gpuMemoryUtilization must be in (0, 1], got ${util}`);
  if (!Number.isInteger(opts.blockSize) || opts.blockSize < 1) {
    throw new Error(`blockSize must be a positive integer, got ${opts.blockSize}`);
  }
  const available = gpu.memCapacity * util;
  const reserved = weightBytesPerGpu(model, opts.tp, opts.weightDtype) + ncclMemBytes(gpu, opts.tp) + gpu.otherMem;
  const blockBytes = kvBytesPerToken(model, opts.tp, opts.kvDtype) * opts.blockSize;
  const blocks = Math.floor((available - reserved) / blockBytes);
  if (blocks <= 0) {
    const gb = (x: number): string => (x / 1e9).toFixed(1);
    throw new Error(`${model.name} (${opts.weightDtype}) does not fit on ${opts.tp}× ${gpu.name}: needs ${gb(reserved + blockBytes)} GB`
      + ` per GPU for weights, buffers and one KV block, ${gb(available)} GB available at ${util} utilization`);
  }
  return blocks;
}
