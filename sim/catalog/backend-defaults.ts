/**
 * The scheduler limits and memory fractions vLLM, SGLang and TensorRT-LLM pick when the operator sets none.
 * Every default is cited to the function of the server's source that sets it; versions are the strings AI
 * Configurator's silicon CSV records (server versions, or Dynamo runtime versions for the container that
 * ships the server).
 */
import { getGpu, type GpuSpec } from './gpus.js';
import type { Parallelism } from './parallelism.js';

/** Serving framework. */
export type Backend = 'vllm' | 'sglang' | 'trtllm';
/** vLLM usage context: the OpenAI-compatible server (`vllm serve`, Dynamo's worker) or the offline `LLM` class. */
export type UsageContext = 'openai' | 'llm';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

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
