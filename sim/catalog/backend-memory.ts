/**
 * How much KV cache a server gets, computed the way vLLM, SGLang and TensorRT-LLM size their pools, and the
 * scheduler limits each server picks when the operator sets none. Every default is cited to the function of
 * the server's source that sets it; versions are the strings AI Configurator's silicon CSV records (server
 * versions, or Dynamo runtime versions for the container that ships the server).
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

/** Serving framework. */
export type Backend = 'vllm' | 'sglang' | 'trtllm';
/** vLLM usage context: the OpenAI-compatible server (`vllm serve`, Dynamo's worker) or the offline `LLM` class. */
export type UsageContext = 'openai' | 'llm';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

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
// Versions
// ---------------------------------------------------------------------------------------------------------

/** Numeric sort key of a version string: [major, minor, patch, pre-release rank, post]. */
function versionKey(v: string): number[] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.?(a|b|rc|dev)(\d*))?(?:\.post(\d+))?/.exec(v.trim());
  if (!m) return [];
  const pre = m[4] === undefined ? 0 : { dev: -4, a: -3, b: -2, rc: -1 }[m[4]] ?? 0;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), pre, Number(m[5] || 0), Number(m[6] ?? 0)];
}

/** Negative when a < b, 0 when equal, positive when a > b; unparseable versions sort last. */
export function compareVersions(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  if (x.length === 0 || y.length === 0) return (x.length === 0 ? 1 : 0) - (y.length === 0 ? 1 : 0);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The newest version of each server these defaults were checked against; '' and unknown strings resolve here. */
export const LATEST_KNOWN: Readonly<Record<Backend, string>> = { vllm: '0.18.0', sglang: '0.5.9', trtllm: '1.3.0rc5.post1' };

/**
 * Server versions a Dynamo runtime container ships (docs.nvidia.com/dynamo reference/release-artifacts and
 * backends/tensor-rt-llm container matrix). Releases between entries take the newest entry below them
 * (0.8.1.post3 keeps 0.8.1.post1's TensorRT-LLM); releases older than the first entry take the first.
 */
const DYNAMO_SHIPS: readonly { dynamo: string; vllm: string; sglang: string; trtllm: string }[] = [
  { dynamo: '0.8.1', vllm: '0.12.0', sglang: '0.5.6.post2', trtllm: '1.2.0rc6.post1' },
  { dynamo: '0.8.1.post1', vllm: '0.12.0', sglang: '0.5.6.post2', trtllm: '1.2.0rc6.post2' },
  { dynamo: '1.0.2', vllm: '0.16.0', sglang: '0.5.9', trtllm: '1.3.0rc5.post1' },
];

/** True when `version` is a Dynamo release rather than a release of `backend` itself. */
function isDynamoVersion(backend: Backend, version: string): boolean {
  const k = versionKey(version);
  if (k.length === 0) return false;
  // SGLang is 0.4.x/0.5.x; TensorRT-LLM went 0.1x → 1.x with rc tags; vLLM versions are taken at face value.
  if (backend === 'sglang') return !(k[0] === 0 && k[1] <= 5);
  if (backend === 'trtllm') return k[0] === 0 && k[1] < 10;
  return false;
}

/**
 * The server version a CSV version string stands for: Dynamo runtime versions map to the server their
 * container ships (the newest Dynamo entry not above it); '' and unparseable strings (e.g. `gpt-oss-dev`)
 * map to `LATEST_KNOWN`.
 */
export function resolveBackendVersion(backend: Backend, version: string): string {
  const v = version.trim();
  if (versionKey(v).length === 0) return LATEST_KNOWN[backend];
  if (!isDynamoVersion(backend, v)) return v;
  let pick: (typeof DYNAMO_SHIPS)[number] | undefined;
  for (const d of DYNAMO_SHIPS) if (compareVersions(d.dynamo, v) <= 0) pick = d;
  return (pick ?? DYNAMO_SHIPS[0])[backend];
}

// ---------------------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------------------

/** A server's defaults for one version on one GPU and layout. */
export interface BackendDefaults {
  readonly backend: Backend;
  /** Server version the defaults are for (after `resolveBackendVersion`). */
  readonly version: string;
  /** Running-request limit per attention-DP rank; null when the server derives it from the KV pool (SGLang). */
  readonly maxNumSeqs: number | null;
  /** Tokens one forward pass may process (vLLM max_num_batched_tokens, SGLang max_prefill_tokens, TRT-LLM max_num_tokens). */
  readonly maxNumBatchedTokens: number;
  /** Prefill chunk size, tokens; null when chunked prefill is off by default. */
  readonly chunkSize: number | null;
  /** The memory-fraction setting (gpu_memory_utilization, mem_fraction_static, free_gpu_memory_fraction). */
  readonly memFraction: number;
  /**
   * What `memFraction` multiplies: the device capacity (vLLM), the memory free when the server starts
   * (SGLang), or the memory free after weights and a profiling pass (TensorRT-LLM).
   */
  readonly memFractionOf: 'capacity' | 'free-at-start' | 'free-after-profile';
  /** Largest decode batch captured as a CUDA graph; null when not set by default. */
  readonly cudaGraphMaxBs: number | null;
  /** The CUDA-graph pool is taken out of the KV budget (vLLM ≥ 0.21); otherwise it lives in the headroom. */
  readonly cudaGraphInBudget: boolean;
  /** Tokens per KV block / page. */
  readonly blockSize: number;
  /** Where each value comes from. */
  readonly source: string;
}

/** Options of `backendDefaults`. */
export interface BackendDefaultsOptions {
  /** vLLM usage context; default `openai` (what `vllm serve` and Dynamo's vLLM worker pass). */
  readonly usageContext?: UsageContext;
}

function vllmDefaults(version: string, gpu: GpuSpec, opts: BackendDefaultsOptions): BackendDefaults {
  const ctx = opts.usageContext ?? 'openai';
  // vLLM matches "a100" in the device name: the larger budget lowered A100 throughput (vLLM PR #17885).
  const big = gpu.memCapacity >= 70 * GiB && !gpu.name.toLowerCase().includes('a100');
  const seqs = big ? 1024 : 256;
  const tokens = big ? (ctx === 'openai' ? 8192 : 16384) : (ctx === 'openai' ? 2048 : 8192);
  const maxNumSeqs = Math.min(seqs, tokens);
  const util = compareVersions(version, '0.22.0') >= 0 ? 0.92 : 0.9;
  return {
    backend: 'vllm', version, maxNumSeqs, maxNumBatchedTokens: tokens, chunkSize: tokens, memFraction: util,
    memFractionOf: 'capacity',
    cudaGraphMaxBs: Math.min(2 * maxNumSeqs, 512),
    cudaGraphInBudget: compareVersions(version, '0.21.0') >= 0,
    blockSize: 16,
    source: 'vllm/engine/arg_utils.py EngineArgs.get_batch_defaults (≥ 70 GiB and not A100: 1024 seqs, 8192 tokens for '
      + 'the OpenAI server / 16384 for LLM; else 256 / 2048 / 8192; max_num_seqs ≤ max_num_batched_tokens); '
      + 'vllm/config/cache.py CacheConfig.gpu_memory_utilization (0.9; 0.92 from 0.22, per AIC vllm_backend.py); '
      + 'vllm/v1/worker/gpu_worker.py determine_available_memory (CUDA-graph estimate subtracted by default from 0.21, '
      + 'VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS); CompilationConfig max_cudagraph_capture_size = min(2·max_num_seqs, 512); '
      + 'chunked prefill always on in V1; CacheConfig.block_size 16',
  };
}

function sglangDefaults(version: string, gpu: GpuSpec, p: Parallelism): BackendDefaults {
  const memMb = gpu.memCapacity / MiB;
  // SGLang's tp_size counts every GPU of a pipeline stage; with DP attention it is tp × dp.
  const tpSize = p.tp * p.attnDp;
  const ps = tpSize * p.pp;
  let chunk: number;
  let graphBs: number;
  let frac: number;
  let source: string;
  if (compareVersions(version, '0.5.3') < 0) {
    // Tiered reserve, GiB, by capacity class.
    const reservedGb = memMb < 35 * 1024 ? 2.8 + ps / 10
      : memMb < 90 * 1024 ? 9.5 + ps / 2
      : memMb < 160 * 1024 ? 12 + ps / 2
      : 32;
    const reserved = (reservedGb + (p.attnDp > 1 ? 4 : 0)) * 1024;
    frac = Math.round((memMb - reserved) / memMb * 1000) / 1000;
    chunk = memMb < 35 * 1024 ? 2048 : memMb < 160 * 1024 ? 8192 : 16384;
    graphBs = memMb < 35 * 1024 ? (tpSize < 4 ? 8 : 80) : memMb < 90 * 1024 ? 160 : memMb < 160 * 1024 ? 256 : 512;
    source = 'python/sglang/srt/server_args.py ServerArgs.__post_init__ (before 0.5.3): reserved = 2.8 + tp·pp/10 GiB '
      + '(< 35 GB), 9.5 + tp·pp/2 (< 90 GB), 12 + tp·pp/2 (< 160 GB), 32 GiB (larger), +4 GiB with DP attention; '
      + 'mem_fraction_static = (capacity − reserved)/capacity; chunked_prefill_size 2048 / 8192 / 16384 by capacity; '
      + 'cuda_graph_max_bs 160 / 256 / 512 as the tier comments of that function give it';
  } else {
    if (memMb < 20 * 1024) { chunk = 2048; graphBs = 8; }
    else if (memMb < 35 * 1024) { chunk = 2048; graphBs = tpSize < 4 ? 24 : 80; }
    else if (memMb < 60 * 1024) { chunk = 4096; graphBs = tpSize < 4 ? 32 : 160; }
    else if (memMb < 160 * 1024) { chunk = 8192; graphBs = tpSize < 4 ? 256 : 512; }
    else { chunk = 16384; graphBs = 512; }
    // Reserve in MiB: attention-backend metadata, 1.5 MiB per prefill token, 2 MiB per CUDA-graph batch
    // slot, 128 MiB per parallel rank, and DP-attention padding.
    let reserved = 512 + Math.max(chunk, 2048) * 1.5 + graphBs * 2 + ps / 8 * 1024;
    if (p.attnDp > 1) {
      reserved += graphBs * p.attnDp * 3;
      if (graphBs > 300) reserved += graphBs * p.attnDp * 1.5;
    }
    if (memMb > 60 * 1024) reserved = Math.max(reserved, 10 * 1024);
    frac = Math.round((memMb - reserved) / memMb * 1000) / 1000;
    source = 'python/sglang/srt/server_args.py ServerArgs._handle_gpu_memory_settings (from 0.5.3: PR #10975 and #11076, end of September 2025): '
      + 'chunked_prefill_size / cuda_graph_max_bs by capacity (< 20 GB 2048/8, < 35 GB 2048/24|80, < 60 GB 4096/32|160, '
      + '< 160 GB 8192/256|512, else 16384/512); reserved = 512 MiB + 1.5 MiB·chunk + 2 MiB·graph bs + tp·pp/8 GiB '
      + '(+ DP-attention padding), at least 10 GiB above 60 GB; mem_fraction_static = (capacity − reserved)/capacity';
  }
  return {
    backend: 'sglang', version, maxNumSeqs: null, maxNumBatchedTokens: 16384, chunkSize: chunk, memFraction: frac,
    memFractionOf: 'free-at-start', cudaGraphMaxBs: graphBs, cudaGraphInBudget: false, blockSize: 1,
    source: `${source}; max_prefill_tokens 16384; max_running_requests from the pool `
      + '(model_executor/model_runner.py: min(clamp(tokens/context_len·512, 2048, 4096), tokens/2)); '
      + 'KV pool = free_at_start·mem_fraction_static − weights (model_runner.py profile_max_num_token); page_size 1',
  };
}

function trtllmDefaults(version: string): BackendDefaults {
  return {
    backend: 'trtllm', version, maxNumSeqs: 2048, maxNumBatchedTokens: 8192, chunkSize: null, memFraction: 0.9,
    memFractionOf: 'free-after-profile', cudaGraphMaxBs: null, cudaGraphInBudget: false, blockSize: 32,
    source: 'tensorrt_llm/llmapi/llm_args.py KvCacheConfig.free_gpu_memory_fraction (0.9); '
      + 'tensorrt_llm/_torch/pyexecutor/_util.py KvCacheCreator (KV = (total − peak of a max_num_tokens profiling '
      + 'pass incl. weights and non-torch memory) × fraction); BuildConfig max_batch_size 2048 / max_num_tokens 8192 '
      + '(defaults of trtllm-serve and Dynamo\'s TRT-LLM worker); enable_chunked_prefill False; tokens_per_block 32',
  };
}

/**
 * Defaults of `backend` at `version` (a server or Dynamo version as in AIC's CSV; '' = newest known) on one
 * GPU of a replica laid out as `p` (SGLang's memory fraction depends on tp·pp and attention DP).
 */
export function backendDefaults(backend: Backend, version: string, gpu: string | GpuSpec, p: Parallelism, opts: BackendDefaultsOptions = {}): BackendDefaults {
  const g = typeof gpu === 'string' ? getGpu(gpu) : gpu;
  const v = resolveBackendVersion(backend, version);
  switch (backend) {
    case 'vllm': return vllmDefaults(v, g, opts);
    case 'sglang': return sglangDefaults(v, g, p);
    case 'trtllm': return trtllmDefaults(v);
    default: throw new Error(`unknown backend "${String(backend)}"; expected one of: sglang, trtllm, vllm`);
  }
}

/**
 * SGLang's running-request limit per attention-DP rank for a pool of `poolTokens` and a model context of
 * `contextLen`: the request-to-token table has clamp(poolTokens/contextLen·512, 2048, 4096) rows, and the
 * scheduler admits at most half the pool's token count.
 */
export function sglangMaxRunningRequests(poolTokens: number, contextLen: number): number {
  const table = Math.min(Math.max(Math.floor(poolTokens / contextLen * 512), 2048), 4096);
  return Math.max(0, Math.min(table, Math.floor(poolTokens / 2)));
}

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

/** Tokens left for KV once `running` requests hold their per-request state (linear attention, sliding windows). */
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

export function tokensWithRunning(cap: KvCapacity, running: number): number {
  const bytes = cap.kvPoolBytes - running * cap.stateBytesPerRequest;
  const blocks = Math.max(0, Math.floor(bytes / (cap.kvBytesPerToken * cap.defaults.blockSize)));
  return blocks * cap.defaults.blockSize;
}

