/**
 * Longer than 400 lines: a catalog, one entry per model, each transcribed field by field.
 *
 * Model-architecture catalog. Values are transcribed from the Hugging Face config.json copies bundled
 * with NVIDIA's AI Configurator, ai-dynamo/aiconfigurator @ 095f58a51c4ca8e61b66ec108d86f223f8d559ce
 * (Apache-2.0), copied to data/calibration/aic/model_configs/. See docs/timing-model.md §3.2.
 *
 * Besides the architecture, this file sizes a model on GPUs: weight bytes, KV bytes per token and
 * per-request recurrent state on one GPU of a replica laid out as a `Parallelism` (sim/catalog/parallelism.ts).
 * The tp-only functions of the first catalog version (`weightBytesPerGpu`, `kvBytesPerToken`, …) delegate
 * to those with `tensorParallel(tp)`.
 */
import { dtypeBytes, narrowerDtype, type KvDtype, type NativeDtype, type WeightDtype } from './dtypes.js';
import { tensorParallel, validateParallelism, type Parallelism } from './parallelism.js';

export type { KvDtype, NativeDtype, WeightDtype } from './dtypes.js';
export { dtypeBytes } from './dtypes.js';

/** Mixture-of-experts feed-forward. */
export interface MoeSpec {
  /** Routed experts per MoE layer. */
  readonly experts: number;
  /** Routed experts each token is sent to (top-k). */
  readonly active: number;
  /** Always-on shared experts per MoE layer. */
  readonly shared: number;
  /** Intermediate (FFN) width of one routed expert, elements. */
  readonly intermediate: number;
  /** Intermediate width of all shared experts together (shared × their width), elements; 0 when none. */
  readonly sharedIntermediate: number;
  /** The first this-many layers use a dense FFN of width `ModelSpec.intermediate` instead of MoE. */
  readonly firstKDense: number;
}

/** DeepSeek multi-head latent attention dimensions, elements. */
export interface MlaSpec {
  /** Rank of the query down-projection (0: queries are projected directly from the hidden state). */
  readonly qLoraRank: number;
  /** Rank of the compressed KV latent (what the cache stores besides the RoPE key). */
  readonly kvLoraRank: number;
  /** Per-head query/key width without rotary position embedding. */
  readonly qkNopeHeadDim: number;
  /** Per-head rotary query/key width; the RoPE key is shared by all heads and cached. */
  readonly qkRopeHeadDim: number;
  /** Per-head value width. */
  readonly vHeadDim: number;
}

/**
 * DeepSeek sparse attention (DSA, as in DeepSeek-V3.2 and GLM-5): a lightweight indexer scores every cached
 * token with `indexHeads` small heads against its own cached key, and each query then attends to the
 * `topK` best tokens only. The indexer key is cached per token per layer next to the MLA latent.
 */
export interface SparseAttentionSpec {
  /** Indexer query heads. */
  readonly indexHeads: number;
  /** Width of an indexer head and of the cached indexer key, elements. */
  readonly indexHeadDim: number;
  /** Tokens each query attends to (the rest of the context is skipped). */
  readonly topK: number;
  /**
   * Cached indexer bytes per token per layer: the key in FP8 plus one FP32 scale per 128 elements
   * (128 + 4 = 132 B; vLLM and SGLang store the DeepSeek-V3.2 indexer key this way whatever the KV dtype).
   */
  readonly indexKeyBytes: number;
}

/**
 * Linear-attention layers (Gated DeltaNet in Qwen3-Next / Qwen3.5): instead of a per-token KV cache each
 * request keeps a fixed-size recurrent state per layer (`valueHeads × keyHeadDim × valueHeadDim`) plus a
 * short-convolution window (`convKernel − 1` past inputs of the q/k/v channels). Keys are grouped: each of
 * the `keyHeads` key heads serves `valueHeads / keyHeads` value heads.
 */
export interface LinearAttentionSpec {
  /** How many of the layers are linear attention (the rest are full attention with the GQA fields of `ModelSpec`). */
  readonly layers: number;
  /** Query/key heads. */
  readonly keyHeads: number;
  /** Value heads (one recurrent state matrix each). */
  readonly valueHeads: number;
  /** Query/key head width, elements. */
  readonly keyHeadDim: number;
  /** Value head width, elements. */
  readonly valueHeadDim: number;
  /** Causal short-convolution width over the q/k/v channels, tokens. */
  readonly convKernel: number;
  /** Bytes per element of the recurrent state (config `mamba_ssm_dtype`; float32 = 4). */
  readonly stateBytes: number;
  /** Bytes per element of the convolution window (the activation dtype, BF16 = 2). */
  readonly convStateBytes: number;
}

/** Sliding-window attention on part of the layers. */
export interface SlidingWindowSpec {
  /** Window length, tokens. */
  readonly window: number;
  /** How many of the layers use the window (the rest attend to the full context). */
  readonly layers: number;
}

/** Architecture of one model (the language model only; vision towers are not counted). */
export interface ModelSpec {
  /** Catalog key, e.g. `llama-3.1-70b`. */
  readonly name: string;
  /** Hugging Face repository the config comes from. */
  readonly hfId: string;
  /** Transformer layers (excluding MTP/next-token-prediction modules). */
  readonly layers: number;
  /** Residual-stream width, elements. */
  readonly hidden: number;
  /** Query heads (of the full-attention layers). */
  readonly heads: number;
  /** Key/value heads (GQA groups); equals `heads` for DeepSeek's MLA, whose cache is the latent instead. */
  readonly kvHeads: number;
  /** Per-head width, elements (value width for MLA). */
  readonly headDim: number;
  /**
   * Dense FFN intermediate width, elements; used by dense models and by the first-k-dense layers of MoE
   * models (a MoE model without dense layers repeats its per-expert width here).
   */
  readonly intermediate: number;
  /** Vocabulary size, tokens (rows of the embedding and the LM head). */
  readonly vocab: number;
  /** Longest context the model is configured for (`max_position_embeddings`), tokens. */
  readonly maxContext: number;
  /** Multi-token-prediction modules the checkpoint ships (loaded only for speculative decoding); 0 when none. */
  readonly mtpLayers: number;
  /** Mixture-of-experts FFN; undefined for dense models. */
  readonly moe?: MoeSpec;
  /** Multi-head latent attention; undefined for GQA models. */
  readonly mla?: MlaSpec;
  /** DeepSeek sparse attention on top of MLA; undefined when every query attends to the whole context. */
  readonly sparseAttention?: SparseAttentionSpec;
  /** Linear-attention layers; undefined when every layer is softmax attention. */
  readonly linearAttention?: LinearAttentionSpec;
  /** Sliding-window layers; undefined when every layer attends to the full context. */
  readonly slidingWindow?: SlidingWindowSpec;
  /** Full-attention layers gate their output with a sigmoid of a second query-sized projection (Qwen3.5 `attn_output_gate`). */
  readonly attentionOutputGate?: boolean;
  /** Dtype the checkpoint ships its linear weights in. */
  readonly nativeWeightDtype: NativeDtype;
  /** Dtype of the routed-expert weights when it differs from `nativeWeightDtype` (gpt-oss: MXFP4; Kimi-K2.5: INT4). */
  readonly nativeExpertDtype?: NativeDtype;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'llama-3.1-8b': {
    name: 'llama-3.1-8b', hfId: 'meta-llama/Meta-Llama-3.1-8B',
    layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediate: 14336, vocab: 128256,
    maxContext: 131072, mtpLayers: 0,
    nativeWeightDtype: 'bf16',
  },
  'llama-3.1-70b': {
    name: 'llama-3.1-70b', hfId: 'meta-llama/Meta-Llama-3.1-70B',
    layers: 80, hidden: 8192, heads: 64, kvHeads: 8, headDim: 128, intermediate: 28672, vocab: 128256,
    maxContext: 131072, mtpLayers: 0,
    nativeWeightDtype: 'bf16',
  },
  'qwen3-32b': {
    name: 'qwen3-32b', hfId: 'Qwen/Qwen3-32B',
    layers: 64, hidden: 5120, heads: 64, kvHeads: 8, headDim: 128, intermediate: 25600, vocab: 151936,
    maxContext: 40960, mtpLayers: 0,
    nativeWeightDtype: 'bf16',
  },
  'qwen3-235b-a22b': {
    name: 'qwen3-235b-a22b', hfId: 'Qwen/Qwen3-235B-A22B',
    layers: 94, hidden: 4096, heads: 64, kvHeads: 4, headDim: 128, intermediate: 12288, vocab: 151936,
    maxContext: 40960, mtpLayers: 0,
    moe: { experts: 128, active: 8, shared: 0, intermediate: 1536, sharedIntermediate: 0, firstKDense: 0 },
    nativeWeightDtype: 'bf16',
  },
  'deepseek-v3': {
    name: 'deepseek-v3', hfId: 'deepseek-ai/DeepSeek-V3',
    layers: 61, hidden: 7168, heads: 128, kvHeads: 128, headDim: 128, intermediate: 18432, vocab: 129280,
    maxContext: 163840, mtpLayers: 1,
    moe: { experts: 256, active: 8, shared: 1, intermediate: 2048, sharedIntermediate: 2048, firstKDense: 3 },
    mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    nativeWeightDtype: 'fp8_block',
  },
  'minimax-m2.5': {
    // HF intermediate_size (1536) is the per-expert width; every layer is MoE.
    name: 'minimax-m2.5', hfId: 'MiniMaxAI/MiniMax-M2.5',
    layers: 62, hidden: 3072, heads: 48, kvHeads: 8, headDim: 128, intermediate: 1536, vocab: 200064,
    maxContext: 196608, mtpLayers: 3,
    moe: { experts: 256, active: 8, shared: 0, intermediate: 1536, sharedIntermediate: 0, firstKDense: 0 },
    nativeWeightDtype: 'fp8_block',
  },
  'gpt-oss-120b': {
    // Alternating sliding (window 128) / full attention; attention weights ship in BF16, experts in MXFP4.
    name: 'gpt-oss-120b', hfId: 'openai/gpt-oss-120b',
    layers: 36, hidden: 2880, heads: 64, kvHeads: 8, headDim: 64, intermediate: 2880, vocab: 201088,
    maxContext: 131072, mtpLayers: 0,
    moe: { experts: 128, active: 4, shared: 0, intermediate: 2880, sharedIntermediate: 0, firstKDense: 0 },
    slidingWindow: { window: 128, layers: 18 },
    nativeWeightDtype: 'bf16', nativeExpertDtype: 'mxfp4',
  },
  'qwen3.5-397b-a17b': {
    // Every 4th layer (3, 7, …, 59) is gated full attention (32 query heads, 2 KV heads of 256); the other
    // 45 are Gated DeltaNet. Every layer is MoE with one shared expert; there is no dense FFN, so
    // `intermediate` repeats the expert width. The recurrent state is kept in float32 (mamba_ssm_dtype).
    name: 'qwen3.5-397b-a17b', hfId: 'Qwen/Qwen3.5-397B-A17B',
    layers: 60, hidden: 4096, heads: 32, kvHeads: 2, headDim: 256, intermediate: 1024, vocab: 248320,
    maxContext: 262144, mtpLayers: 1,
    moe: { experts: 512, active: 10, shared: 1, intermediate: 1024, sharedIntermediate: 1024, firstKDense: 0 },
    linearAttention: {
      layers: 45, keyHeads: 16, valueHeads: 64, keyHeadDim: 128, valueHeadDim: 128, convKernel: 4,
      stateBytes: 4, convStateBytes: 2,
    },
    attentionOutputGate: true,
    nativeWeightDtype: 'bf16',
  },
  'glm-5': {
    // GlmMoeDsa: DeepSeek-V3.2-style MLA (q_lora 2048, 192 + 64 query/key, 256 value) with a DSA indexer
    // (32 heads of 128, top-2048 tokens) on all 78 layers; first 3 layers dense.
    name: 'glm-5', hfId: 'zai-org/GLM-5',
    layers: 78, hidden: 6144, heads: 64, kvHeads: 64, headDim: 256, intermediate: 12288, vocab: 154880,
    maxContext: 202752, mtpLayers: 1,
    moe: { experts: 256, active: 8, shared: 1, intermediate: 2048, sharedIntermediate: 2048, firstKDense: 3 },
    mla: { qLoraRank: 2048, kvLoraRank: 512, qkNopeHeadDim: 192, qkRopeHeadDim: 64, vHeadDim: 256 },
    sparseAttention: { indexHeads: 32, indexHeadDim: 128, topK: 2048, indexKeyBytes: 132 },
    nativeWeightDtype: 'bf16',
  },
  'kimi-k2.5': {
    // Text model is DeepSeek-V3 shaped with 64 heads, 384 experts and one dense layer. The released
    // checkpoint stores routed experts as INT4 (group 32, compressed-tensors); the rest is BF16.
    name: 'kimi-k2.5', hfId: 'moonshotai/Kimi-K2.5',
    layers: 61, hidden: 7168, heads: 64, kvHeads: 64, headDim: 128, intermediate: 18432, vocab: 163840,
    maxContext: 262144, mtpLayers: 0,
    moe: { experts: 384, active: 8, shared: 1, intermediate: 2048, sharedIntermediate: 2048, firstKDense: 1 },
    mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    nativeWeightDtype: 'bf16', nativeExpertDtype: 'int4_g32',
  },
};

/** Catalog keys, sorted. */
export const MODEL_NAMES: readonly string[] = Object.keys(MODELS).sort();

/** Look a model up by catalog key; throws listing the valid keys when it is unknown. */
export function getModel(name: string): ModelSpec {
  const m = Object.prototype.hasOwnProperty.call(MODELS, name) ? MODELS[name] : undefined;
  if (!m) throw new Error(`unknown model "${name}"; expected one of: ${MODEL_NAMES.join(', ')}`);
  return m;
}

function resolve(model: string | ModelSpec): ModelSpec {
  return typeof model === 'string' ? getModel(model) : model;
}

// ---------------------------------------------------------------------------------------------------------
// Hugging Face paths → catalog keys
// ---------------------------------------------------------------------------------------------------------

/**
 * Repository names (lower case, organisation and quantisation/instruct suffixes removed) of checkpoints that
 * share a catalog architecture. Fine-tunes and re-releases with an unchanged config map to one key.
 */
const HF_NAME_ALIASES: Readonly<Record<string, string>> = {
  'llama-3.1-8b': 'llama-3.1-8b',
  'llama-3.1-70b': 'llama-3.1-70b',
  // Llama 3.3 70B has the 3.1 70B config.
  'llama-3.3-70b': 'llama-3.1-70b',
  'qwen3-32b': 'qwen3-32b',
  'qwen3-235b-a22b': 'qwen3-235b-a22b',
  'qwen3-235b-a22b-instruct-2507': 'qwen3-235b-a22b',
  'qwen3-235b-a22b-thinking-2507': 'qwen3-235b-a22b',
  'deepseek-v3': 'deepseek-v3',
  'deepseek-v3-0324': 'deepseek-v3',
  'deepseek-r1': 'deepseek-v3',
  'deepseek-r1-0528': 'deepseek-v3',
  'deepseek-v3.1': 'deepseek-v3',
  'deepseek-v3.1-terminus': 'deepseek-v3',
  'minimax-m2': 'minimax-m2.5',
  'minimax-m2.1': 'minimax-m2.5',
  'minimax-m2.5': 'minimax-m2.5',
  'gpt-oss-120b': 'gpt-oss-120b',
  'qwen3.5-397b-a17b': 'qwen3.5-397b-a17b',
  'glm-5': 'glm-5',
  // Kimi K2 / K2-Thinking have the K2.5 text model (K2.5 adds a vision tower).
  'kimi-k2': 'kimi-k2.5',
  'kimi-k2-instruct-0905': 'kimi-k2.5',
  'kimi-k2-thinking': 'kimi-k2.5',
  'kimi-k2.5': 'kimi-k2.5',
};

/** Trailing name parts that mark a quantised, instruction-tuned or base release of the same architecture. */
const HF_SUFFIXES: readonly string[] = [
  '-instruct', '-chat', '-base', '-hf', '-fp8', '-fp8-dynamic', '-fp8-block', '-nvfp4', '-fp4', '-mxfp4',
  '-bf16', '-awq', '-gptq', '-int4', '-w4a16', '-w8a8', '-fp8-kv',
];

/**
 * Catalog key of the architecture behind a Hugging Face model path as written in AIC's silicon CSV
 * (`deepseek-ai/DeepSeek-R1`, `nvidia/Llama-3.1-8B-Instruct-FP8`, `moonshotai/Kimi-K2.5`, …), or null when
 * the catalog has no such architecture. Case-insensitive; the organisation is ignored; `Meta-` prefixes and
 * quantisation/instruct suffixes (`-Instruct`, `-FP8`, `-NVFP4`, …) are stripped.
 */
export function catalogModelFor(hfPath: string): string | null {
  let name = hfPath.trim().toLowerCase().replace(/\/+$/, '');
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  if (name.startsWith('meta-llama-')) name = name.slice('meta-'.length);
  for (let changed = true; changed;) {
    changed = false;
    if (Object.prototype.hasOwnProperty.call(HF_NAME_ALIASES, name)) break;
    for (const s of HF_SUFFIXES) {
      if (name.endsWith(s) && name.length > s.length) {
        name = name.slice(0, -s.length);
        changed = true;
        break;
      }
    }
  }
  return Object.prototype.hasOwnProperty.call(HF_NAME_ALIASES, name) ? HF_NAME_ALIASES[name] : null;
}

// ---------------------------------------------------------------------------------------------------------
// Quantisation of a deployment
// ---------------------------------------------------------------------------------------------------------

/**
 * Weight format of each tensor class of a deployment. Embeddings, the LM head and MoE routers are BF16 in
 * every checkpoint of the catalog (all list them as not converted), so they are not part of the scheme.
 */
export interface QuantScheme {
  /** Attention projections: QKV, MLA down/up projections, DSA indexer, linear-attention projections. */
  readonly attention: WeightDtype;
  /** Attention output projection, when it differs from `attention` (nvidia/DeepSeek-V3.1-NVFP4 quantises only o_proj). */
  readonly attentionOutput?: WeightDtype;
  /** Dense FFNs (dense models, first-k-dense layers of MoE models). */
  readonly dense: WeightDtype;
  /** Shared experts. */
  readonly sharedExpert: WeightDtype;
  /** Routed experts. */
  readonly routedExpert: WeightDtype;
}

/**
 * The scheme the tp-only API implies for one `weightDtype`: every linear layer in it, except routed experts
 * the checkpoint already ships narrower (gpt-oss MXFP4, Kimi-K2.5 INT4), which stay as shipped.
 */
export function uniformQuant(model: string | ModelSpec, weightDtype: WeightDtype): QuantScheme {
  const m = resolve(model);
  const routed = m.nativeExpertDtype ? narrowerDtype(weightDtype, m.nativeExpertDtype) : weightDtype;
  return { attention: weightDtype, dense: weightDtype, sharedExpert: weightDtype, routedExpert: routed };
}

function toScheme(m: ModelSpec, quant: QuantScheme | WeightDtype): QuantScheme {
  return typeof quant === 'string' ? uniformQuant(m, quant) : quant;
}

/** Bytes per element of the routed-expert weights: the deployment dtype, unless the checkpoint is already narrower. */
export function expertDtypeBytes(model: ModelSpec, weightDtype: WeightDtype): number {
  return dtypeBytes(uniformQuant(model, weightDtype).routedExpert);
}

// ---------------------------------------------------------------------------------------------------------
// Parallel layout checks
// ---------------------------------------------------------------------------------------------------------

/**
 * Throws unless `tp` is an integer in 1..8 that splits the model's heads evenly: query heads must divide
 * by tp, and KV heads must either divide by tp or divide tp (then each KV head is replicated).
 */
export function validateTp(model: string | ModelSpec, tp: number): void {
  const m = resolve(model);
  if (!Number.isInteger(tp) || tp < 1 || tp > 8) throw new Error(`tp must be an integer in 1..8, got ${tp}`);
  validateAttentionTp(m, tp);
}

function validateAttentionTp(m: ModelSpec, tp: number): void {
  if (m.heads % tp !== 0) throw new Error(`tp ${tp} does not divide the ${m.heads} attention heads of ${m.name}`);
  if (!m.mla && m.kvHeads % tp !== 0 && tp % m.kvHeads !== 0) {
    throw new Error(`tp ${tp} neither divides nor is a multiple of the ${m.kvHeads} KV heads of ${m.name}`);
  }
  const la = m.linearAttention;
  if (la && (la.keyHeads % tp !== 0 || la.valueHeads % tp !== 0)) {
    throw new Error(`tp ${tp} does not divide the ${la.keyHeads} key / ${la.valueHeads} value heads of the linear-attention layers of ${m.name}`);
  }
}

/**
 * Throws unless `p` is a valid layout of the model: sizes are positive integers, attention TP splits the heads
 * (any power of the rules of `validateTp`, no 1..8 cap: attention TP may span nodes), the MoE split covers the
 * GPUs of a stage, expert parallelism divides the experts, and each pipeline stage gets at least one layer.
 */
export function validateModelParallelism(model: string | ModelSpec, p: Parallelism): void {
  const m = resolve(model);
  validateParallelism(p, m.moe !== undefined);
  validateAttentionTp(m, p.tp);
  if (p.pp > m.layers) throw new Error(`pp ${p.pp} exceeds the ${m.layers} layers of ${m.name}`);
  if (m.moe && m.moe.experts % p.moeEp !== 0) {
    throw new Error(`moe_ep ${p.moeEp} does not divide the ${m.moe.experts} experts of ${m.name}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// KV cache and per-request state
// ---------------------------------------------------------------------------------------------------------

/** KV heads each GPU stores: kvHeads/tp, or 1 when tp > kvHeads (heads are replicated). */
export function kvHeadsPerGpu(model: ModelSpec, tp: number): number {
  return Math.max(1, Math.floor(model.kvHeads / tp));
}

/** Elements one full-context layer caches per token on one GPU. MLA caches the latent plus RoPE key on every rank. */
export function kvElemsPerTokenLayer(model: ModelSpec, tp: number): number {
  if (model.mla) return model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
  return 2 * kvHeadsPerGpu(model, tp) * model.headDim;
}

/** Layers that keep a per-token KV cache for the whole context (not sliding-window, not linear attention). */
export function fullAttentionLayers(model: ModelSpec): number {
  return model.layers - (model.slidingWindow?.layers ?? 0) - (model.linearAttention?.layers ?? 0);
}

/** Layers of the most loaded pipeline stage among `count` layers spread over `pp` stages. */
function perStage(count: number, pp: number): number {
  return Math.ceil(count / pp);
}

/** Options of `gpuKvBytesPerToken`. */
export interface KvBytesOptions {
  /**
   * Count sliding-window layers as full-context layers: right for engines that keep one uniform KV pool
   * (SGLang with its hybrid SWA pool disabled, as it is for gpt-oss). Default false.
   */
  readonly slidingAsFull?: boolean;
}

/**
 * KV-cache bytes per token of context on one GPU of a replica laid out as `p`, for the most loaded
 * pipeline stage. Each attention-TP rank holds kvHeads/tp heads (at least one); MLA's latent + RoPE key is
 * replicated on every rank of the group, and DSA adds its cached indexer key. With attention DP each group
 * holds its own requests, so the per-token size does not depend on `attnDp`.
 * Sliding-window layers are not counted (see `gpuSlidingWindowBytesPerRequest`): engines with a hybrid
 * allocator (vLLM v1) keep their cache in a per-request buffer that stops growing at the window.
 * Linear-attention layers keep a fixed per-request state instead (`gpuLinearStateBytesPerRequest`).
 */
export function gpuKvBytesPerToken(model: string | ModelSpec, p: Parallelism, kvDtype: KvDtype, opts: KvBytesOptions = {}): number {
  const m = resolve(model);
  validateModelParallelism(m, p);
  const layers = fullAttentionLayers(m) + (opts.slidingAsFull ? (m.slidingWindow?.layers ?? 0) : 0);
  const perLayer = kvElemsPerTokenLayer(m, p.tp) * dtypeBytes(kvDtype) + (m.sparseAttention?.indexKeyBytes ?? 0);
  return perStage(layers, p.pp) * perLayer;
}

/**
 * KV-cache bytes per token of context on one GPU of a `tp`-way replica (see `gpuKvBytesPerToken`; this is
 * its value for `tensorParallel(tp)`).
 */
export function kvBytesPerToken(model: string | ModelSpec, tp: number, kvDtype: KvDtype): number {
  const m = resolve(model);
  validateTp(m, tp);
  return gpuKvBytesPerToken(m, tensorParallel(tp), kvDtype);
}

/**
 * Recurrent state one request keeps on one GPU across the linear-attention layers of its pipeline stage,
 * bytes: per layer (valueHeads/tp) state matrices of keyHeadDim × valueHeadDim plus the convolution window
 * of (convKernel − 1) past inputs over the q/k/v channels. 0 for models without linear attention.
 */
export function gpuLinearStateBytesPerRequest(model: string | ModelSpec, p: Parallelism): number {
  const m = resolve(model);
  const la = m.linearAttention;
  if (!la) return 0;
  validateModelParallelism(m, p);
  const state = (la.valueHeads / p.tp) * la.keyHeadDim * la.valueHeadDim * la.stateBytes;
  const convChannels = (2 * la.keyHeads * la.keyHeadDim + la.valueHeads * la.valueHeadDim) / p.tp;
  const conv = convChannels * (la.convKernel - 1) * la.convStateBytes;
  return perStage(la.layers, p.pp) * (state + conv);
}

/**
 * KV one request keeps on one GPU in the sliding-window layers of its stage once its context exceeds the
 * window, bytes (window tokens per layer). 0 for models without sliding windows.
 */
export function gpuSlidingWindowBytesPerRequest(model: string | ModelSpec, p: Parallelism, kvDtype: KvDtype): number {
  const m = resolve(model);
  const sw = m.slidingWindow;
  if (!sw) return 0;
  validateModelParallelism(m, p);
  return perStage(sw.layers, p.pp) * sw.window * kvElemsPerTokenLayer(m, p.tp) * dtypeBytes(kvDtype);
}

// ---------------------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------------------

/** Weight elements of one layer's attention on one attention-TP rank, split by the dtype they are stored in. */
interface AttentionElems {
  /** Projections stored in `QuantScheme.attention`. */
  readonly main: number;
  /** The output projection, stored in `QuantScheme.attentionOutput` (default `attention`). */
  readonly out: number;
}

/** A full-attention layer. MLA's query and KV down-projections and the DSA indexer are replicated on every rank. */
function fullAttentionElems(m: ModelSpec, tp: number): AttentionElems {
  const h = m.hidden;
  const hq = m.heads / tp;
  const a = m.mla;
  if (a) {
    const qk = a.qkNopeHeadDim + a.qkRopeHeadDim;
    const q = a.qLoraRank > 0 ? h * a.qLoraRank + a.qLoraRank * hq * qk : h * hq * qk;
    let main = q + h * (a.kvLoraRank + a.qkRopeHeadDim) + a.kvLoraRank * hq * (a.qkNopeHeadDim + a.vHeadDim);
    const s = m.sparseAttention;
    if (s) {
      const qIn = a.qLoraRank > 0 ? a.qLoraRank : h;
      main += qIn * s.indexHeads * s.indexHeadDim + h * s.indexHeadDim + h * s.indexHeads;
    }
    return { main, out: hq * a.vHeadDim * h };
  }
  const qWidth = hq * (m.attentionOutputGate ? 2 : 1);
  return {
    main: h * (qWidth + 2 * kvHeadsPerGpu(m, tp)) * m.headDim,
    out: hq * m.headDim * h,
  };
}

/** A Gated DeltaNet layer: fused q/k/v/z and β/α input projections, short convolution, output projection. */
function linearAttentionElems(m: ModelSpec, la: LinearAttentionSpec, tp: number): AttentionElems {
  const h = m.hidden;
  const qkvz = 2 * la.keyHeads * la.keyHeadDim + 2 * la.valueHeads * la.valueHeadDim;
  const convChannels = 2 * la.keyHeads * la.keyHeadDim + la.valueHeads * la.valueHeadDim;
  return {
    main: (h * qkvz + h * 2 * la.valueHeads + convChannels * la.convKernel) / tp,
    out: la.valueHeads * la.valueHeadDim * h / tp,
  };
}

/** Attention projection weights of one full-attention layer held by one GPU, elements. */
export function attnWeightElemsPerGpu(model: ModelSpec, tp: number): number {
  const e = fullAttentionElems(model, tp);
  return e.main + e.out;
}

/** Weight bytes on one GPU, by tensor class. */
export interface WeightBreakdown {
  /** Attention (full, linear, MLA, DSA indexer) of the stage's layers. */
  readonly attention: number;
  /** Dense FFNs of the stage's dense layers. */
  readonly dense: number;
  /** This GPU's share of the routed experts. */
  readonly routedExperts: number;
  /** Shared experts (TP-split like the dense FFN). */
  readonly sharedExperts: number;
  /** MoE routers (replicated, BF16). */
  readonly routers: number;
  /** Embedding and LM head (vocab-parallel over tp, BF16). */
  readonly embeddings: number;
  /** Sum of the above. */
  readonly total: number;
}

/**
 * Weight bytes on one GPU of the most loaded pipeline stage of a replica laid out as `p`:
 * - attention is split over the `tp` ranks of an attention group and replicated in each of the `attnDp` groups;
 * - dense FFNs and shared experts are split over `tp` like attention;
 * - routed experts are spread over `moeEp` ranks, each expert's intermediate split `moeTp` ways;
 * - routers are replicated in BF16; embedding and LM head are vocab-parallel over `tp` in BF16;
 * - pipeline parallelism gives each stage ceil(layers/pp) layers (MoE layers first, the heavier kind) and one
 *   of the embedding/LM head tables (both when pp = 1). Norms, biases and MTP modules are not counted.
 * `quant` is a scheme per tensor class, or one dtype meaning `uniformQuant(model, dtype)`.
 */
export function gpuWeightBreakdown(model: string | ModelSpec, p: Parallelism, quant: QuantScheme | WeightDtype): WeightBreakdown {
  const m = resolve(model);
  validateModelParallelism(m, p);
  const q = toScheme(m, quant);
  const h = m.hidden;
  const stageLayers = perStage(m.layers, p.pp);
  const stageShare = stageLayers / m.layers;

  const full = fullAttentionElems(m, p.tp);
  const fullLayers = m.layers - (m.linearAttention?.layers ?? 0);
  const mainB = dtypeBytes(q.attention);
  const outB = dtypeBytes(q.attentionOutput ?? q.attention);
  let attention = fullLayers * (full.main * mainB + full.out * outB);
  if (m.linearAttention) {
    const lin = linearAttentionElems(m, m.linearAttention, p.tp);
    attention += m.linearAttention.layers * (lin.main * mainB + lin.out * outB);
  }
  attention *= stageShare;

  const moeLayersAll = m.moe ? m.layers - m.moe.firstKDense : 0;
  const moeLayers = Math.min(stageLayers, moeLayersAll);
  const denseLayers = stageLayers - moeLayers;
  const dense = denseLayers * 3 * h * (m.intermediate / p.tp) * dtypeBytes(q.dense);

  let routedExperts = 0;
  let sharedExperts = 0;
  let routers = 0;
  if (m.moe) {
    const e = m.moe;
    const expertsHere = Math.ceil(e.experts / p.moeEp);
    routedExperts = moeLayers * expertsHere * 3 * h * Math.ceil(e.intermediate / p.moeTp) * dtypeBytes(q.routedExpert);
    sharedExperts = moeLayers * 3 * h * (e.sharedIntermediate / p.tp) * dtypeBytes(q.sharedExpert);
    routers = moeLayers * h * e.experts * 2;
  }
  const embeddings = (p.pp > 1 ? 1 : 2) * (m.vocab / p.tp) * h * 2;
  const total = attention + dense + routedExperts + sharedExperts + routers + embeddings;
  return { attention, dense, routedExperts, sharedExperts, routers, embeddings, total };
}

/** Weight bytes on one GPU of a replica laid out as `p` (total of `gpuWeightBreakdown`). */
export function gpuWeightBytes(model: string | ModelSpec, p: Parallelism, quant: QuantScheme | WeightDtype): number {
  return gpuWeightBreakdown(model, p, quant).total;
}

/**
 * Weight bytes on one GPU of a `tp`-way replica: attention and FFN projections in `weightDtype` (routed
 * experts stay in the checkpoint's narrower dtype, e.g. gpt-oss MXFP4), experts split tensor-parallel,
 * embedding and LM head vocab-parallel in BF16, MoE router replicated in BF16. Norms are ignored.
 */
export function weightBytesPerGpu(model: string | ModelSpec, tp: number, weightDtype: WeightDtype): number {
  const m = resolve(model);
  validateTp(m, tp);
  return gpuWeightBytes(m, tensorParallel(tp), weightDtype);
}

/** Parameters of the language model (no MTP modules, no vision tower), elements. */
export interface ModelParams {
  /** Every weight. */
  readonly total: number;
  /** Weights one token touches: everything but the routed experts it is not sent to (embedding included). */
  readonly active: number;
}

/** Total and active parameter counts, from the same layer accounting as `gpuWeightBreakdown`. */
export function modelParams(model: string | ModelSpec): ModelParams {
  const m = resolve(model);
  const bf16: QuantScheme = { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'bf16' };
  const b = gpuWeightBreakdown(m, tensorParallel(1), bf16);
  const total = b.total / 2;
  if (!m.moe) return { total, active: total };
  const perExpert = b.routedExperts / 2 / m.moe.experts;
  return { total, active: total - perExpert * (m.moe.experts - m.moe.active) };
}
