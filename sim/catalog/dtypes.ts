/**
 * Number formats of weights and KV cache: storage size per element (including block-scale overhead) and the
 * tensor-core pipeline a GEMM in that format runs on. Storage sizes follow the format definitions (OCP MX
 * spec for MXFP4, NVIDIA's NVFP4/ModelOpt format, DeepSeek/Qwen FP8 block-scaled checkpoints); the pipeline
 * choice follows what vLLM, SGLang and TensorRT-LLM dispatch to (documented at `gemmPeak`).
 */
import type { GpuSpec } from './gpus.js';

/**
 * Format a deployment runs linear-layer weights in.
 * - `bf16`: 16-bit brain float.
 * - `fp8`: E4M3 with a per-tensor or per-channel scale (ModelOpt / vLLM online FP8, TRT-LLM `fp8`).
 * - `fp8_block`: E4M3 with one FP32 scale per 128×128 weight block (DeepSeek-V3, Qwen3-FP8, GLM-5-FP8,
 *   MiniMax-M2.5 checkpoints; AIC's `fp8_block` quant mode).
 * - `nvfp4`: E2M1 values with one E4M3 scale per 16 elements (NVIDIA ModelOpt NVFP4 checkpoints).
 * - `mxfp4`: E2M1 values with one E8M0 scale per 32 elements (OCP MX; gpt-oss experts).
 * - `int4`: weight-only INT4 with one BF16 scale per group of 128 (AWQ/GPTQ-style W4A16).
 * - `int4_g32`: weight-only INT4 with one BF16 scale per group of 32 (Kimi-K2.5's compressed-tensors experts).
 */
export type WeightDtype = 'bf16' | 'fp8' | 'fp8_block' | 'nvfp4' | 'mxfp4' | 'int4' | 'int4_g32';
/** KV-cache storage format (FP8 is E4M3 with a per-tensor scale). */
export type KvDtype = 'bf16' | 'fp8';
/** Format a checkpoint ships a tensor class in; the same set as `WeightDtype`. */
export type NativeDtype = WeightDtype;
/** Tensor-core input format a GEMM's multiply-accumulate runs in. */
export type MathDtype = 'bf16' | 'fp8' | 'fp4';

/** Stored bits per element, scales included. */
const BITS: Readonly<Record<WeightDtype, number>> = {
  bf16: 16,
  fp8: 8,
  // One FP32 scale per 128×128 block.
  fp8_block: 8 + 32 / (128 * 128),
  // One 8-bit E4M3 scale per 16 E2M1 values (the per-tensor FP32 scale is negligible).
  nvfp4: 4 + 8 / 16,
  // One 8-bit E8M0 scale per 32 E2M1 values.
  mxfp4: 4 + 8 / 32,
  // One 16-bit scale per group of 128 (symmetric, no zero point).
  int4: 4 + 16 / 128,
  // One 16-bit scale per group of 32 (symmetric).
  int4_g32: 4 + 16 / 32,
};

/** Every weight format, in declaration order. */
export const WEIGHT_DTYPES: readonly WeightDtype[] = Object.keys(BITS) as WeightDtype[];

/** True when `d` names a weight format of this catalog. */
export function isWeightDtype(d: string): d is WeightDtype {
  return Object.prototype.hasOwnProperty.call(BITS, d);
}

/** Stored bits per element of a weight or KV format, block scales included. */
export function weightBits(dtype: WeightDtype | KvDtype): number {
  const b = isWeightDtype(dtype) ? BITS[dtype] : undefined;
  if (b === undefined) throw new Error(`unknown dtype "${String(dtype)}"; expected one of: ${WEIGHT_DTYPES.join(', ')}`);
  return b;
}

/** Stored bytes per element of a weight or KV format, block scales included. */
export function dtypeBytes(dtype: WeightDtype | KvDtype): number {
  return weightBits(dtype) / 8;
}

/** The narrower (fewer stored bits) of two formats; `a` on a tie. */
export function narrowerDtype(a: WeightDtype, b: WeightDtype): WeightDtype {
  return BITS[b] < BITS[a] ? b : a;
}

/**
 * Format of a value in AI Configurator's silicon CSV `gemm_quant_mode` / `moe_quant_mode` columns
 * (`''` = bf16, `fp8`, `fp8_block`, `nvfp4`; also AIC's enum names `bfloat16`, `w4a16_mxfp4`, `int4_wo`,
 * `nvfp4_wo`, `w4a16_nvfp4`, `w4afp8`). Throws on anything else.
 */
export function aicQuantModeDtype(mode: string): WeightDtype {
  switch (mode.trim().toLowerCase()) {
    case '': case 'bfloat16': case 'bf16': case 'float16': return 'bf16';
    case 'fp8': case 'fp8_static': case 'fp8_ootb': return 'fp8';
    case 'fp8_block': return 'fp8_block';
    case 'nvfp4': case 'nvfp4_wo': case 'w4a16_nvfp4': return 'nvfp4';
    case 'mxfp4': case 'w4a16_mxfp4': case 'w4a8_mxfp4_mxfp8': case 'w4a16_mxfp4_cutlass': return 'mxfp4';
    case 'int4_wo': case 'w4afp8': return 'int4';
    default: throw new Error(`unknown AIC quant mode "${mode}"`);
  }
}

/** Which tensor-core peak a GEMM with weights in some format reaches on some GPU. */
export interface GemmPeak {
  /** Dense tensor-core peak of the pipeline the MMA runs on, FLOP/s. */
  readonly flops: number;
  /** Input format of that pipeline. */
  readonly math: MathDtype;
  /** The kernel converts the stored weights to `math` before the MMA (mixed-input GEMM); it still streams the narrow bytes. */
  readonly dequant: boolean;
}

/**
 * Tensor-core peak a GEMM whose weights are stored as `dtype` runs at on `gpu`.
 *
 * - BF16 weights: the BF16 peak.
 * - FP8 (either scaling): the FP8 peak where the GPU has FP8 tensor cores (Ada, Hopper, Blackwell, CDNA3);
 *   on Ampere the engines run FP8 checkpoints weight-only (vLLM's FP8 Marlin W8A16) at the BF16 peak.
 * - NVFP4 / MXFP4: the FP4 peak on Blackwell (both are native block-scaled tensor-core formats there).
 *   Hopper and older have no FP4 tensor cores, so the weights are dequantised in the kernel. The default is
 *   W4A16 at the BF16 peak, which is what vLLM/SGLang run (FP4 Marlin for NVFP4, triton_kernels for gpt-oss
 *   MXFP4); pass `activations: 'fp8'` for TensorRT-LLM's W4A8 path (4-bit weights × FP8 activations at the
 *   FP8 peak) on GPUs with FP8 tensor cores.
 * - INT4 (either group size): no serving kernel uses INT4 tensor cores (Hopper and Blackwell have none), so
 *   it is W4A16 at the BF16 peak, or W4A8 (TensorRT-LLM's W4AFP8) with `activations: 'fp8'`.
 */
export function gemmPeak(gpu: GpuSpec, dtype: WeightDtype, activations: 'bf16' | 'fp8' = 'bf16'): GemmPeak {
  const bf16: GemmPeak = { flops: gpu.bf16Flops, math: 'bf16', dequant: dtype !== 'bf16' };
  const fp8Dequant: GemmPeak | undefined = gpu.fp8Flops !== undefined && activations === 'fp8'
    ? { flops: gpu.fp8Flops, math: 'fp8', dequant: true } : undefined;
  switch (dtype) {
    case 'bf16':
      return bf16;
    case 'fp8':
    case 'fp8_block':
      return gpu.fp8Flops !== undefined ? { flops: gpu.fp8Flops, math: 'fp8', dequant: false } : bf16;
    case 'nvfp4':
    case 'mxfp4':
      if (gpu.fp4Flops !== undefined) return { flops: gpu.fp4Flops, math: 'fp4', dequant: false };
      return fp8Dequant ?? bf16;
    case 'int4':
    case 'int4_g32':
      return fp8Dequant ?? bf16;
  }
}
