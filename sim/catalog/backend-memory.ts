/**
 * How much KV cache a server gets, computed the way vLLM, SGLang and TensorRT-LLM size their pools from
 * their defaults (./backend-defaults.ts).
 *
 * The three budgets differ in kind:
 * - vLLM caps its whole footprint at `gpu_memory_utilization` × device memory; the KV pool is what remains
 *   after weights, the activation peak of a profiling pass and the non-torch growth (NCCL buffers) — and,
 *   from 0.21, the CUDA-graph pool.
 * - SGLang caps weights + KV at `mem_fraction_static` × the memory free when it starts; activations and
 *   CUDA graphs live in the rest. The fraction itself is derived from the device capacity.
 * - TensorRT-LLM gives the KV pool `free_gpu_memory_fraction` of what is free after weights and a profiling
 *   pass (activations, CUDA context, NCCL) have been allocated.
 */
import type { KvDtype, WeightDtype } from './dtypes.js';
import { getGpu, ncclMemBytes, type GpuSpec } from './gpus.js';
import {
  getModel, gpuKvBytesPerToken, gpuLinearStateBytesPerRequest, gpuSlidingWindowBytesPerRequest, gpuWeightBytes,
  kvHeadsPerGpu, validateModelParallelism, type ModelSpec, type QuantScheme,
} from './models.js';
import type { Parallelism } from './parallelism.js';
import {
  backendDefaults, sglangMaxRunningRequests, type Backend, type BackendDefaults, type UsageContext,
} from './backend-defaults.js';

export {
  backendDefaults, compareVersions, LATEST_KNOWN, resolveBackendVersion, sglangMaxRunningRequests,
  type Backend, type BackendDefaults, type BackendDefaultsOptions, type UsageContext,
} from './backend-defaults.js';

/** Bytes of one BF16 activation element; every engine keeps activations in the model dtype. */
const ACT_BYTES = 2;
/**
 * Per-process CUDA context plus cuBLAS/NCCL handles, bytes. AIC's system YAMLs (`misc.other_mem`) note
 * the measured value, 551 MB, before they pad it to 3.5 GiB for safety.
 */
export const CUDA_CONTEXT_BYTES = 551e6;
/**
 * Bytes per vocabulary entry per row of vLLM's profiling sampler pass: the BF16 logits, their FP32 copy and
 * the FP32 probabilities are alive together (vllm/v1/worker/gpu_model_runner.py `_dummy_sampler_run`;
 * top-k/top-p are skipped during profiling).
 */
const VLLM_SAMPLER_BYTES_PER_LOGIT = 2 + 4 + 4;

// ---------------------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------------------

/**
 * Peak activation bytes of one forward pass over `tokens` tokens on one GPU: the residual stream and its
 * normalised copy stay alive through the pass, plus the largest sub-layer's live tensors (BF16):
 * attention inputs/outputs (QKV or MLA's expanded K/V, the output-gate half, linear-attention q/k/v/z),
 * a dense FFN's gate-up, activation and output, or a MoE layer's routed copies (permuted input, gate-up,
 * activation, expert output; balanced routing puts tokens·top-k·attnDp/moeEp rows on a rank) with the
 * shared expert and FP32 router logits. Attention kernels' own workspaces and allocator slack are not counted.
 */
export function forwardActivationBytes(model: string | ModelSpec, p: Parallelism, tokens: number): number {
  const m = typeof model === 'string' ? getModel(model) : model;
  const h = m.hidden;
  const hq = m.heads / p.tp;
  const a = m.mla;
  let attn: number;
  if (a) {
    const qk = a.qkNopeHeadDim + a.qkRopeHeadDim;
    attn = hq * qk + (a.kvLoraRank + a.qkRopeHeadDim) + hq * (a.qkNopeHeadDim + a.vHeadDim) + hq * qk + hq * a.vHeadDim + h;
  } else {
    attn = hq * (m.attentionOutputGate ? 2 : 1) * m.headDim + 2 * kvHeadsPerGpu(m, p.tp) * m.headDim + hq * m.headDim + h;
  }
  const la = m.linearAttention;
  if (la) {
    const qkvz = (2 * la.keyHeads * la.keyHeadDim + 2 * la.valueHeads * la.valueHeadDim) / p.tp;
    attn = Math.max(attn, qkvz + (2 * la.keyHeads * la.keyHeadDim + la.valueHeads * la.valueHeadDim) / p.tp
      + 2 * la.valueHeads * la.valueHeadDim / p.tp + h);
  }
  const denseFfn = m.moe && m.moe.firstKDense === 0 ? 0 : 3 * m.intermediate / p.tp + h;
  let moe = 0;
  let routerLogitBytes = 0;
  if (m.moe) {
    const e = m.moe;
    const rows = e.active * p.attnDp / p.moeEp;
    const iLocal = e.intermediate / p.moeTp;
    moe = rows * (h + 3 * iLocal + h) + (e.sharedIntermediate > 0 ? 3 * e.sharedIntermediate / p.tp + h : 0);
    // Router scores are kept in FP32.
    routerLogitBytes = e.experts * 4;
  }
  const residual = 2 * h * ACT_BYTES;
  const sublayer = Math.max(attn * ACT_BYTES, denseFfn * ACT_BYTES, moe * ACT_BYTES + routerLogitBytes);
  return tokens * (residual + sublayer);
}

// ---------------------------------------------------------------------------------------------------------
// KV capacity
// ---------------------------------------------------------------------------------------------------------

/** One deployment whose KV pool to size. */
export interface KvCapacityRequest {
  readonly backend: Backend;
  /** Server or Dynamo version as in AIC's CSV; '' or omitted = newest known. */
  readonly version?: string;
  readonly gpu: string | GpuSpec;
  readonly model: string | ModelSpec;
  readonly parallelism: Parallelism;
  /** Weight formats per tensor class, or one dtype (see `uniformQuant`). */
  readonly quant: QuantScheme | WeightDtype;
  readonly kvDtype: KvDtype;
  /** Tokens per KV block; default the server's (`BackendDefaults.blockSize`). */
  readonly blockSize?: number;
  readonly usageContext?: UsageContext;
  /** Replaces the server's memory fraction (--gpu-memory-utilization, --mem-fraction-static, free_gpu_memory_fraction). */
  readonly memFraction?: number;
  /** Replaces the running-request limit (--max-num-seqs, --max-running-requests, max_batch_size). */
  readonly maxNumSeqs?: number;
  /** Replaces the per-pass token budget (--max-num-batched-tokens, --max-prefill-tokens, max_num_tokens). */
  readonly maxNumBatchedTokens?: number;
}

/** The KV pool of one deployment, per GPU and per attention-DP rank. */
export interface KvCapacity {
  /** The server defaults used (overrides applied). */
  readonly defaults: BackendDefaults;
  /** False when weights and reserves leave no room for a single block. */
  readonly fits: boolean;
  /** KV tokens one attention-DP rank holds (every GPU of the rank holds its heads of the same tokens). */
  readonly tokensPerRank: number;
  /** `tokensPerRank` in blocks of `defaults.blockSize`. */
  readonly blocksPerRank: number;
  /** Tokens the whole replica holds (attnDp ranks). */
  readonly tokensPerReplica: number;
  /** Running-request limit per rank: the server's (vLLM max_num_seqs, TRT-LLM max_batch_size) or SGLang's pool-derived one. */
  readonly maxRunningRequests: number;
  /** KV bytes per token per GPU. */
  readonly kvBytesPerToken: number;
  /** KV pool bytes per GPU (negative when it does not fit). */
  readonly kvPoolBytes: number;
  /** Weight bytes per GPU. */
  readonly weightBytes: number;
  /** Activation peak charged to the budget per GPU (0 for SGLang, whose reserve covers it implicitly). */
  readonly activationBytes: number;
  /** CUDA context and communication buffers charged per GPU. */
  readonly nonTorchBytes: number;
  /** CUDA-graph pool charged per GPU (vLLM ≥ 0.21 only). */
  readonly cudaGraphBytes: number;
  /**
   * Per-request state outside the token pool, per GPU: linear-attention state plus, where the server keeps
   * sliding-window layers in per-request buffers (vLLM), their window. Engines carve it from the same memory,
   * so `tokensWithRunning` subtracts it per running request.
   */
  readonly stateBytesPerRequest: number;
}

/**
 * KV capacity of one replica of a deployment, sized the way its server does:
 * - vLLM: capacity·util − weights − activation peak of a profiling pass at max_num_batched_tokens (or of the
 *   sampler pass over min(max_num_seqs, max_num_batched_tokens) rows of full-vocabulary logits, whichever is
 *   larger) − NCCL buffers; from 0.21 also − the CUDA-graph pool (≈ the activations of the largest captured batch).
 *   The CUDA context is in vLLM's baseline, i.e. in the headroom.
 * - SGLang: (capacity − CUDA context − NCCL buffers)·mem_fraction_static − weights. gpt-oss keeps every
 *   layer in one uniform pool (hybrid SWA memory is disabled for it), so its sliding layers count per token.
 * - TensorRT-LLM: (capacity − weights − activation peak at max_num_tokens − CUDA context − NCCL)·fraction.
 *   Sliding-window layers are sized like full ones (no max_attention_window is set by default).
 * Tokens are rounded down to whole blocks. Per-request state (linear attention, vLLM's sliding windows) is
 * not taken out here: see `tokensWithRunning`.
 */
export function kvCapacity(req: KvCapacityRequest): KvCapacity {
  const gpu = typeof req.gpu === 'string' ? getGpu(req.gpu) : req.gpu;
  const m = typeof req.model === 'string' ? getModel(req.model) : req.model;
  const p = req.parallelism;
  validateModelParallelism(m, p);
  const base = backendDefaults(req.backend, req.version ?? '', gpu, p, { usageContext: req.usageContext });
  const defaults: BackendDefaults = {
    ...base,
    ...(req.memFraction !== undefined ? { memFraction: req.memFraction } : {}),
    ...(req.maxNumSeqs !== undefined ? { maxNumSeqs: req.maxNumSeqs } : {}),
    ...(req.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: req.maxNumBatchedTokens } : {}),
    ...(req.blockSize !== undefined ? { blockSize: req.blockSize } : {}),
  };
  if (!(defaults.memFraction > 0 && defaults.memFraction <= 1)) {
    throw new Error(`memory fraction must be in (0, 1], got ${defaults.memFraction}`);
  }
  if (!Number.isInteger(defaults.blockSize) || defaults.blockSize < 1) {
    throw new Error(`blockSize must be a positive integer, got ${defaults.blockSize}`);
  }
  const weightBytes = gpuWeightBytes(m, p, req.quant);
  const comm = ncclMemBytes(gpu, p.tp * p.attnDp);
  const poolSliding = req.backend === 'vllm';
  const kvBytesPerToken = gpuKvBytesPerToken(m, p, req.kvDtype, { slidingAsFull: !poolSliding });
  const stateBytesPerRequest = gpuLinearStateBytesPerRequest(m, p)
    + (poolSliding ? gpuSlidingWindowBytesPerRequest(m, p, req.kvDtype) : 0);

  let activationBytes = 0;
  let nonTorchBytes: number;
  let cudaGraphBytes = 0;
  let kvPoolBytes: number;
  const f = defaults.memFraction;
  if (req.backend === 'vllm') {
    const rows = Math.min(defaults.maxNumSeqs ?? defaults.maxNumBatchedTokens, defaults.maxNumBatchedTokens);
    const sampler = rows * m.vocab * VLLM_SAMPLER_BYTES_PER_LOGIT;
    activationBytes = Math.max(forwardActivationBytes(m, p, defaults.maxNumBatchedTokens), sampler);
    nonTorchBytes = comm;
    if (defaults.cudaGraphInBudget && defaults.cudaGraphMaxBs !== null) {
      cudaGraphBytes = forwardActivationBytes(m, p, defaults.cudaGraphMaxBs);
    }
    kvPoolBytes = gpu.memCapacity * f - weightBytes - activationBytes - nonTorchBytes - cudaGraphBytes;
  } else if (req.backend === 'sglang') {
    nonTorchBytes = CUDA_CONTEXT_BYTES + comm;
    kvPoolBytes = (gpu.memCapacity - nonTorchBytes) * f - weightBytes;
  } else {
    activationBytes = forwardActivationBytes(m, p, defaults.maxNumBatchedTokens);
    nonTorchBytes = CUDA_CONTEXT_BYTES + comm;
    kvPoolBytes = (gpu.memCapacity - weightBytes - activationBytes - nonTorchBytes) * f;
  }
  const blocksPerRank = Math.max(0, Math.floor(kvPoolBytes / (kvBytesPerToken * defaults.blockSize)));
  const tokensPerRank = blocksPerRank * defaults.blockSize;
  const maxRunningRequests = defaults.maxNumSeqs ?? sglangMaxRunningRequests(tokensPerRank, m.maxContext);
  return {
    defaults, fits: blocksPerRank > 0, tokensPerRank, blocksPerRank, tokensPerReplica: tokensPerRank * p.attnDp,
    maxRunningRequests, kvBytesPerToken, kvPoolBytes, weightBytes, activationBytes, nonTorchBytes, cudaGraphBytes,
    stateBytesPerRequest,
  };
}

/** `kvCapacity` of a deployment that must run: throws, naming the weights and what is left, when no KV block fits. */
export function requireKvCapacity(req: KvCapacityRequest): KvCapacity {
  const cap = kvCapacity(req);
  if (!cap.fits) {
    const p = req.parallelism;
    const gb = (x: number): string => (x / 1e9).toFixed(1);
    const gpu = typeof req.gpu === 'string' ? req.gpu : req.gpu.name;
    const model = typeof req.model === 'string' ? req.model : req.model.name;
    throw new Error(`${model} does not fit on ${gpu} under ${req.backend} ${cap.defaults.version} with tp ${p.tp}`
      + `${p.attnDp > 1 ? ` × dp ${p.attnDp}` : ''}${p.pp > 1 ? ` × pp ${p.pp}` : ''}: ${gb(cap.weightBytes)} GB of weights per GPU,`
      + ` ${gb(cap.kvPoolBytes)} GB left for KV`);
  }
  return cap;
}

/** Tokens left for KV once `running` requests hold their per-request state (linear attention, sliding windows). */
export function tokensWithRunning(cap: KvCapacity, running: number): number {
  const bytes = cap.kvPoolBytes - running * cap.stateBytesPerRequest;
  const blocks = Math.max(0, Math.floor(bytes / (cap.kvBytesPerToken * cap.defaults.blockSize)));
  return blocks * cap.defaults.blockSize;
}
