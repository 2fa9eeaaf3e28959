/**
 * Published checkpoints of the catalog architectures and how each stores its weights, read from their
 * config.json `quantization_config` / `hf_quant_config.json` (copies in data/calibration/aic/model_configs/):
 * which tensor classes each quantisation converts and which it leaves in BF16 (`modules_to_not_convert`,
 * `exclude_modules`, `ignore`). Also turns AI Configurator's CSV quant-mode columns into a `QuantScheme`.
 */
import { aicQuantModeDtype, weightBits, type KvDtype, type WeightDtype } from './dtypes.js';
import { catalogModelFor, getModel, uniformQuant, type ModelSpec, type QuantScheme } from './models.js';

/** One released checkpoint. */
export interface Checkpoint {
  /** Hugging Face path as published. */
  readonly hfPath: string;
  /** Catalog key of its architecture. */
  readonly model: string;
  /** Storage format of each tensor class. */
  readonly quant: QuantScheme;
  /** KV-cache format the checkpoint carries scales for (ModelOpt `kv_cache_quant_algo`); undefined = none (BF16). */
  readonly kvDtype?: KvDtype;
}

const all = (d: WeightDtype): QuantScheme => ({ attention: d, dense: d, sharedExpert: d, routedExpert: d });
/** ModelOpt NVFP4 releases keep attention in BF16 and quantise every FFN and expert. */
const NVFP4_MODELOPT: QuantScheme = { attention: 'bf16', dense: 'nvfp4', sharedExpert: 'nvfp4', routedExpert: 'nvfp4' };

const LIST: readonly Checkpoint[] = [
  { hfPath: 'meta-llama/Llama-3.1-8B', model: 'llama-3.1-8b', quant: all('bf16') },
  { hfPath: 'meta-llama/Llama-3.1-8B-Instruct', model: 'llama-3.1-8b', quant: all('bf16') },
  // No config copy in AIC: taken to quantise like the 70B release (ModelOpt per-tensor FP8 on every decoder
  // linear layer); FP8 KV scales are not assumed.
  { hfPath: 'nvidia/Llama-3.1-8B-Instruct-FP8', model: 'llama-3.1-8b', quant: all('fp8') },
  { hfPath: 'meta-llama/Llama-3.1-70B', model: 'llama-3.1-70b', quant: all('bf16') },
  { hfPath: 'meta-llama/Llama-3.1-70B-Instruct', model: 'llama-3.1-70b', quant: all('bf16') },
  // hf_quant_config: ModelOpt FP8 with FP8 KV scales; only the LM head excluded.
  { hfPath: 'nvidia/Llama-3.1-70B-Instruct-FP8', model: 'llama-3.1-70b', quant: all('fp8'), kvDtype: 'fp8' },
  { hfPath: 'Qwen/Qwen3-32B', model: 'qwen3-32b', quant: all('bf16') },
  { hfPath: 'Qwen/Qwen3-32B-FP8', model: 'qwen3-32b', quant: all('fp8_block') },
  { hfPath: 'Qwen/Qwen3-235B-A22B', model: 'qwen3-235b-a22b', quant: all('bf16') },
  // Block-128 FP8 everywhere but the routers and the LM head.
  { hfPath: 'Qwen/Qwen3-235B-A22B-FP8', model: 'qwen3-235b-a22b', quant: all('fp8_block') },
  { hfPath: 'deepseek-ai/DeepSeek-V3', model: 'deepseek-v3', quant: all('fp8_block') },
  { hfPath: 'deepseek-ai/DeepSeek-R1', model: 'deepseek-v3', quant: all('fp8_block') },
  { hfPath: 'deepseek-ai/DeepSeek-V3.1', model: 'deepseek-v3', quant: all('fp8_block') },
  {
    // Excludes the MLA q_a/q_b/kv_a/kv_b projections (BF16) but quantises o_proj, the FFNs and all experts.
    hfPath: 'nvidia/DeepSeek-V3.1-NVFP4', model: 'deepseek-v3', kvDtype: 'fp8',
    quant: { attention: 'bf16', attentionOutput: 'nvfp4', dense: 'nvfp4', sharedExpert: 'nvfp4', routedExpert: 'nvfp4' },
  },
  { hfPath: 'MiniMaxAI/MiniMax-M2.5', model: 'minimax-m2.5', quant: all('fp8_block') },
  // Attention and routers stay BF16; experts NVFP4.
  { hfPath: 'nvidia/MiniMax-M2.5-NVFP4', model: 'minimax-m2.5', kvDtype: 'fp8', quant: NVFP4_MODELOPT },
  // Attention, router, embedding and LM head stay BF16; experts are MXFP4.
  {
    hfPath: 'openai/gpt-oss-120b', model: 'gpt-oss-120b',
    quant: { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'mxfp4' },
  },
  { hfPath: 'Qwen/Qwen3.5-397B-A17B', model: 'qwen3.5-397b-a17b', quant: all('bf16') },
  {
    // Only the routed experts are NVFP4; linear and full attention and the shared expert stay BF16.
    hfPath: 'nvidia/Qwen3.5-397B-A17B-NVFP4', model: 'qwen3.5-397b-a17b', kvDtype: 'fp8',
    quant: { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'nvfp4' },
  },
  { hfPath: 'zai-org/GLM-5', model: 'glm-5', quant: all('bf16') },
  // Block-128 FP8 on every projection but the indexer's small score-weight projection.
  { hfPath: 'zai-org/GLM-5-FP8', model: 'glm-5', quant: all('fp8_block') },
  {
    // All attention (MLA projections, o_proj, indexer) BF16; dense FFNs, shared and routed experts NVFP4.
    hfPath: 'nvidia/GLM-5-NVFP4', model: 'glm-5', kvDtype: 'fp8', quant: NVFP4_MODELOPT,
  },
  {
    // compressed-tensors INT4 (group 32) on routed experts only.
    hfPath: 'moonshotai/Kimi-K2.5', model: 'kimi-k2.5',
    quant: { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'int4_g32' },
  },
  {
    // Attention BF16; dense FFN, shared and routed experts NVFP4.
    hfPath: 'nvidia/Kimi-K2.5-NVFP4', model: 'kimi-k2.5', kvDtype: 'fp8', quant: NVFP4_MODELOPT,
  },
];

/** Checkpoints keyed by lower-case Hugging Face path. */
export const CHECKPOINTS: Readonly<Record<string, Checkpoint>> = Object.fromEntries(LIST.map((c) => [c.hfPath.toLowerCase(), c]));

/**
 * The checkpoint at a Hugging Face path: the catalogued one when known (case-insensitive), else — for any
 * path whose architecture `catalogModelFor` recognises — the architecture's own release format
 * (`nativeWeightDtype`, experts in `nativeExpertDtype`). Null when the architecture is unknown.
 */
export function checkpointFor(hfPath: string): Checkpoint | null {
  const key = hfPath.trim().toLowerCase();
  const known = Object.prototype.hasOwnProperty.call(CHECKPOINTS, key) ? CHECKPOINTS[key] : undefined;
  if (known) return known;
  const model = catalogModelFor(hfPath);
  if (model === null) return null;
  const name = key.slice(key.lastIndexOf('/') + 1);
  // Unlisted re-quantisations follow the layouts their publishers use: ModelOpt NVFP4 keeps attention in
  // BF16 and carries FP8 KV scales; FP8 releases convert every decoder linear layer.
  if (/(^|-)(nv)?fp4($|-)/.test(name)) return { hfPath, model, quant: NVFP4_MODELOPT, kvDtype: 'fp8' };
  if (/(^|-)fp8($|-)/.test(name)) return { hfPath, model, quant: all('fp8') };
  return { hfPath, model, quant: nativeQuant(getModel(model)) };
}


/** How the architecture's reference release stores its weights. */
export function nativeQuant(model: ModelSpec): QuantScheme {
  return uniformQuant(model, model.nativeWeightDtype);
}

/** Stored bits per element at or below which a format is a 4-bit one (the widest, NVFP4 and INT4 g32, store 4.5). */
const FOUR_BIT = 4.6;

function pick(mode: WeightDtype, shipped: WeightDtype): WeightDtype {
  const modeIs4 = weightBits(mode) <= FOUR_BIT;
  const shippedIs4 = weightBits(shipped) <= FOUR_BIT;
  // Servers quantise BF16 to FP8 on load, but never to 4 bits: a 4-bit mode on a class the checkpoint
  // keeps wider means that class stays as shipped, and a 4-bit class keeps its own 4-bit format.
  if (shippedIs4) return shipped;
  if (modeIs4) return shipped;
  return mode;
}

/**
 * Weight formats of a row of AIC's silicon CSV: `gemm_quant_mode` for attention, dense FFNs and shared
 * experts, `moe_quant_mode` for routed experts (empty = BF16), reconciled with what the checkpoint at
 * `hfPath` ships (`checkpointFor`): a 4-bit mode applies only to tensor classes the checkpoint stores in
 * 4 bits, and classes the checkpoint stores in 4 bits keep their own format (gpt-oss rows say `nvfp4`
 * for its MXFP4 experts and leave its BF16 attention BF16). Throws on an unknown architecture or mode.
 */
export function aicRowQuant(hfPath: string, gemmQuantMode: string, moeQuantMode: string): QuantScheme {
  const ckpt = checkpointFor(hfPath);
  if (!ckpt) throw new Error(`model ${hfPath} is not in the catalog`);
  const gemm = aicQuantModeDtype(gemmQuantMode);
  const moe = moeQuantMode.trim() === '' && gemmQuantMode.trim() !== '' ? gemm : aicQuantModeDtype(moeQuantMode);
  const s = ckpt.quant;
  const attention = pick(gemm, s.attention);
  const out = s.attentionOutput !== undefined ? pick(gemm, s.attentionOutput) : undefined;
  return {
    attention,
    ...(out !== undefined && out !== attention ? { attentionOutput: out } : {}),
    dense: pick(gemm, s.dense),
    sharedExpert: pick(gemm, s.sharedExpert),
    routedExpert: pick(moe, s.routedExpert),
  };
}
