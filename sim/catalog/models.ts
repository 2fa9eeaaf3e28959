/**
 * Model-architecture catalog. Values are transcribed from the Hugging Face config.json copies bundled
 * with NVIDIA's AI Configurator, ai-dynamo/aiconfigurator @ 095f58a51c4ca8e61b66ec108d86f223f8d559ce
 * (Apache-2.0), copied to data/calibration/aic/model_configs/. See docs/timing-model.md §3.2.
 */

/** Weight dtype a deployment runs the linear layers in. */
export type WeightDtype = 'bf16' | 'fp8';
/** KV-cache storage dtype. */
export type KvDtype = 'bf16' | 'fp8';
/** Dtype a checkpoint ships its weights in. */
export type NativeDtype = 'bf16' | 'fp8' | 'mxfp4';

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
  /** Rank of the query down-projection. */
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

/** Sliding-window attention on part of the layers. */
export interface SlidingWindowSpec {
  /** Window length, tokens. */
  readonly window: number;
  /** How many of the layers use the window (the rest attend to the full context). */
  readonly layers: number;
}

/** Architecture of one model. */
export interface ModelSpec {
  /** Catalog key, e.g. `llama-3.1-70b`. */
  readonly name: string;
  /** Hugging Face repository the config comes from. */
  readonly hfId: string;
  /** Transformer layers (excluding MTP/next-token-prediction modules). */
  readonly layers: number;
  /** Residual-stream width, elements. */
  readonly hidden: number;
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads (GQA groups); equals `heads` for DeepSeek's MLA, whose cache is the latent instead. */
  readonly kvHeads: number;
  /** Per-head width, elements (value width for MLA). */
  readonly headDim: number;
  /** Dense FFN intermediate width, elements; used by dense models and by the first-k-dense layers of MoE models. */
  readonly intermediate: number;
  /** Vocabulary size, tokens (rows of the embedding and the LM head). */
  readonly vocab: number;
  /** Mixture-of-experts FFN; undefined for dense models. */
  readonly moe?: MoeSpec;
  /** Multi-head latent attention; undefined for GQA models. */
  readonly mla?: MlaSpec;
  /** Sliding-window layers; undefined when every layer attends to the full context. */
  readonly slidingWindow?: SlidingWindowSpec;
  /** Dtype the checkpoint ships its linear weights in. */
  readonly nativeWeightDtype: NativeDtype;
  /** Dtype of the routed-expert weights when it differs from `nativeWeightDtype` (gpt-oss: MXFP4). */
  readonly nativeExpertDtype?: NativeDtype;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'llama-3.1-8b': {
    name: 'llama-3.1-8b', hfId: 'meta-llama/Meta-Llama-3.1-8B',
    layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediate: 14336, vocab: 128256,
    nativeWeightDtype: 'bf16',
  },
  'llama-3.1-70b': {
    name: 'llama-3.1-70b', hfId: 'meta-llama/Meta-Llama-3.1-70B',
    layers: 80, hidden: 8192, heads: 64, kvHeads: 8, headDim: 128, intermediate: 28672, vocab: 128256,
    nativeWeightDtype: 'bf16',
  },
  'qwen3-32b': {
    name: 'qwen3-32b', hfId: 'Qwen/Qwen3-32B',
    layers: 64, hidden: 5120, heads: 64, kvHeads: 8, headDim: 128, intermediate: 25600, vocab: 151936,
    nativeWeightDtype: 'bf16',
  },
  'qwen3-235b-a22b': {
    name: 'qwen3-235b-a22b', hfId: 'Qwen/Qwen3-235B-A22B',
    layers: 94, hidden: 4096, heads: 64, kvHeads: 4, headDim: 128, intermediate: 12288, vocab: 151936,
    moe: { experts: 128, active: 8, shared: 0, intermediate: 1536, sharedIntermediate: 0, firstKDense: 0 },
    nativeWeightDtype: 'bf16',
  },
  'deepseek-v3': {
    name: 'deepseek-v3', hfId: 'deepseek-ai/DeepSeek-V3',
    layers: 61, hidden: 7168, heads: 128, kvHeads: 128, headDim: 128, intermediate: 18432, vocab: 129280,
    moe: { experts: 256, active: 8, shared: 1, intermediate: 2048, sharedIntermediate: 2048, firstKDense: 3 },
    mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    nativeWeightDtype: 'fp8',
  },
  'minimax-m2.5': {
    // HF intermediate_size (1536) is the per-expert width; every layer is MoE.
    name: 'minimax-m2.5', hfId: 'MiniMaxAI/MiniMax-M2.5',
    layers: 62, hidden: 3072, heads: 48, kvHeads: 8, headDim: 128, intermediate: 1536, vocab: 200064,
    moe: { experts: 256, active: 8, shared: 0, intermediate: 1536, sharedIntermediate: 0, firstKDense: 0 },
    nativeWeightDtype: 'fp8',
  },
  'gpt-oss-120b': {
    // Alternating sliding (window 128) / full attention; attention weights ship in BF16, experts in MXFP4.
    name: 'gpt-oss-120b', hfId: 'openai/gpt-oss-120b',
    layers: 36, hidden: 2880, heads: 64, kvHeads: 8, headDim: 64, intermediate: 2880, vocab: 201088,
    moe: { experts: 128, active: 4, shared: 0, intermediate: 2880, sharedIntermediate: 0, firstKDense: 0 },
    slidingWindow: { window: 128, layers: 18 },
    nativeWeightDtype: 'bf16', nativeExpertDtype: 'mxfp4',
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

/** Bytes per element of a dtype; MXFP4 is 4-bit values plus one 8-bit scale per 32. */
export function dtypeBytes(dtype: NativeDtype): number {
  return dtype === 'bf16' ? 2 : dtype === 'fp8' ? 1 : 4.25 / 8;
}

/**
 * Throws unless `tp` is an integer in 1..8 that splits the model's heads evenly: query heads must divide
 * by tp, and KV heads must either divide by tp or divide tp (then each KV head is replicated).
 */
export function validateTp(model: string | ModelSpec, tp: number): void {
  const m = resolve(model);
  if (!Number.isInteger(tp) || tp < 1 || tp > 8) throw new Error(`tp must be an integer in 1..8, got ${tp}`);
  if (m.heads % tp !== 0) throw new Error(`tp ${tp} does not divide the ${m.heads} attention heads of ${m.name}`);
  if (!m.mla && m.kvHeads % tp !== 0 && tp % m.kvHeads !== 0) {
    throw new Error(`tp ${tp} neither divides nor is a multiple of the ${m.kvHeads} KV heads of ${m.name}`);
  }
}

/** KV heads each GPU stores: kvHeads/tp, or 1 when tp > kvHeads (heads are replicated). */
export function kvHeadsPerGpu(model: ModelSpec, tp: number): number {
  return Math.max(1, Math.floor(model.kvHeads / tp));
}

/** Elements one full-context layer caches per token on one GPU. MLA caches the latent plus RoPE key on every rank. */
export function kvElemsPerTokenLayer(model: ModelSpec, tp: number): number {
  if (model.mla) return model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
  return 2 * kvHeadsPerGpu(model, tp) * model.headDim;
}

/**
 * KV-cache bytes per token of context on one GPU of a `tp`-way replica.
 * Sliding-window layers (gpt-oss) are not counted: their cache stops growing at the window, and engines
 * with a hybrid allocator (vLLM v1, SGLang SWA pool) keep it in a small per-request buffer, so per-token
 * capacity is set by the full-attention layers alone. The window buffers (≤ window + a block per running
 * request) come out of the activation reserve.
 */
export function kvBytesPerToken(model: string | ModelSpec, tp: number, kvDtype: KvDtype): number {
  const m = resolve(model);
  validateTp(m, tp);
  const fullLayers = m.layers - (m.slidingWindow ? m.slidingWindow.layers : 0);
  return fullLayers * kvElemsPerTokenLayer(m, tp) * dtypeBytes(kvDtype);
}

/** Bytes per element of the routed-expert weights: the deployment dtype, unless the checkpoint is already narrower. */
export function expertDtypeBytes(model: ModelSpec, weightDtype: WeightDtype): number {
  const w = dtypeBytes(weightDtype);
  return model.nativeExpertDtype ? Math.min(w, dtypeBytes(model.nativeExpertDtype)) : w;
}

/** Attention projection weights of one layer held by one GPU, elements (MLA down-projections are replicated). */
export function attnWeightElemsPerGpu(model: ModelSpec, tp: number): number {
  const h = model.hidden;
  const hq = model.heads / tp;
  const a = model.mla;
  if (a) {
    return h * a.qLoraRank + h * (a.kvLoraRank + a.qkRopeHeadDim)
      + a.qLoraRank * hq * (a.qkNopeHeadDim + a.qkRopeHeadDim)
      + a.kvLoraRank * hq * (a.qkNopeHeadDim + a.vHeadDim)
      + hq * a.vHeadDim * h;
  }
  return h * (hq + 2 * kvHeadsPerGpu(model, tp)) * model.headDim + hq * model.headDim * h;
}

/**
 * Weight bytes on one GPU of a `tp`-way replica: attention and FFN projections in `weightDtype` (routed
 * experts stay in the checkpoint's narrower dtype, e.g. gpt-oss MXFP4), experts split tensor-parallel,
 * embedding and LM head vocab-parallel in BF16, MoE router replicated in BF16. Norms are ignored.
 */
export function weightBytesPerGpu(model: string | ModelSpec, tp: number, weightDtype: WeightDtype): number {
  const m = resolve(model);
  validateTp(m, tp);
  const w = dtypeBytes(weightDtype);
  const h = m.hidden;
  const moeLayers = m.moe ? m.layers - m.moe.firstKDense : 0;
  const denseLayers = m.layers - moeLayers;
  let bytes = m.layers * attnWeightElemsPerGpu(m, tp) * w;
  bytes += denseLayers * (3 * h * m.intermediate / tp) * w;
  if (m.moe) {
    const e = m.moe;
    bytes += moeLayers * e.experts * 3 * h * (e.intermediate / tp) * expertDtypeBytes(m, weightDtype);
    bytes += moeLayers * 3 * h * (e.sharedIntermediate / tp) * w;
    bytes += moeLayers * h * e.experts * 2;
  }
  bytes += 2 * m.vocab * h / tp * 2;
  return bytes;
}
