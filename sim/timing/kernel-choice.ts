import type { GpuSpec } from '../catalog/gpus.js';
import { dtypeBytes, gemmPeak, type WeightDtype } from '../catalog/dtypes.js';
import type { GemmClass, MoeClass } from './ops.js';
import { OP_TABLES, type GemmKernel, type MeasuredFramework, type MeasuredGpu, type MoeKernel, type OpTable } from './op-efficiency.js';
import type { Framework } from './roofline-constants.js';

/**
 * Which of AI Configurator's measured op tables (./op-efficiency.ts) price a deployment's kernels: the
 * measured GPU and framework that stand in for unmeasured ones, what-if overrides of the fitted classes,
 * and the GEMM and fused-MoE class each weight format runs on a GPU.
 */

/** Field-level overrides of an `OpTable`. */
export type OpOverrides = {
  readonly [K in keyof OpTable]?: OpTable[K] extends Readonly<Partial<Record<string, infer C>>>
    ? C extends number ? never : Readonly<Partial<Record<string, Partial<C>>>>
    : Partial<OpTable[K]>;
};

/**
 * The measured GPU whose kernel efficiencies a GPU uses: its own tables when AIC measured it, else its
 * architecture family's measured GPU (Blackwell → b200_sxm; Hopper → h200_sxm). Ampere, Ada and CDNA3 have
 * no measured sibling and take Hopper's (h200_sxm) shares, applied to their own peaks and bandwidths.
 */
export function tableGpuFor(gpu: GpuSpec): MeasuredGpu {
  if (Object.prototype.hasOwnProperty.call(OP_TABLES, gpu.name)) return gpu.name as MeasuredGpu;
  return gpu.arch === 'blackwell' ? 'b200_sxm' : 'h200_sxm';
}

/**
 * Framework whose tables price a framework's kernels: TensorRT-LLM has none in our copy and takes SGLang's,
 * whose FlashInfer/CUTLASS/DeepGEMM kernels are the closest to TensorRT-LLM's own.
 */
export function tableFrameworkFor(fw: Framework): MeasuredFramework {
  return fw === 'vllm' ? 'vllm' : 'sglang';
}

/** Op classes in force: fitted table with overrides applied. */
export function opTableFor(gpu: GpuSpec, fw: Framework, overrides: OpOverrides = {}): OpTable {
  const base = OP_TABLES[tableGpuFor(gpu)][tableFrameworkFor(fw)];
  const merge = <T extends object>(a: T, b: Partial<T> | undefined): T => (b ? { ...a, ...b } : a);
  const mergeMap = <T extends object>(a: Readonly<Partial<Record<string, T>>>, b: Readonly<Partial<Record<string, Partial<T>>>> | undefined): Readonly<Partial<Record<string, T>>> => {
    if (!b) return a;
    const out: Partial<Record<string, T>> = { ...a };
    for (const [k, v] of Object.entries(b)) if (out[k] && v) out[k] = { ...out[k]!, ...v };
    return out;
  };
  return {
    gemm: mergeMap(base.gemm, overrides.gemm as Readonly<Partial<Record<string, Partial<GemmClass>>>> | undefined),
    moe: mergeMap(base.moe, overrides.moe as Readonly<Partial<Record<string, Partial<MoeClass>>>> | undefined),
    contextAttn: merge(base.contextAttn, overrides.contextAttn),
    generationAttn: merge(base.generationAttn, overrides.generationAttn),
    allReduce: merge(base.allReduce, overrides.allReduce),
    contextMla: merge(base.contextMla, overrides.contextMla),
    generationMla: merge(base.generationMla, overrides.generationMla),
  };
}

/** A GEMM kernel choice: constants, tensor-core peak and stored bytes per weight element. */
export interface GemmKind { c: GemmClass; peak: number; wBytes: number }
/** A fused-MoE kernel choice. */
export interface MoeKind { c: MoeClass; peak: number; wBytes: number }

/**
 * The GEMM class a weight format runs: BF16; FP8 per-tensor; FP8 128×128 block-scaled; FP4 on Blackwell
 * (NVFP4 tables price MXFP4 too: both are native block-scaled FP4 MMAs). 4-bit and INT4 weights on GPUs
 * without FP4 tensor cores are dequantised in the kernel (W4A16, Marlin-style): BF16 class and peak,
 * 4-bit bytes. FP8 on GPUs without FP8 tensor cores is weight-only W8A16 the same way.
 */
export function gemmKind(t: OpTable, gpu: GpuSpec, dtype: WeightDtype, fw: Framework): GemmKind {
  const p = gemmPeak(gpu, dtype, fw === 'trtllm' ? 'fp8' : 'bf16');
  const wBytes = dtypeBytes(dtype);
  let key: GemmKernel = 'bfloat16';
  if (p.math === 'fp4') key = 'nvfp4';
  else if (p.math === 'fp8') key = dtype === 'fp8' ? 'fp8' : 'fp8_block';
  const c = t.gemm[key] ?? t.gemm.fp8_block ?? t.gemm.bfloat16!;
  return { c, peak: p.flops, wBytes };
}

/** Kernel classes to try for each expert format, best match first (tables lack some formats on some GPUs). */
export function moeKind(t: OpTable, gpu: GpuSpec, dtype: WeightDtype, fw: Framework): MoeKind {
  const p = gemmPeak(gpu, dtype, fw === 'trtllm' ? 'fp8' : 'bf16');
  // MXFP4 experts on GPUs without FP4 math (gpt-oss on Hopper) run OpenAI's Triton MoE kernels
  // (triton_kernels matmul_ogs) in vLLM and SGLang alike. Neither table has that kernel; the SGLang W4A16
  // class (a Triton grouped GEMM dequantising in the kernel) is the closer one, while vLLM's int4_wo
  // table is Marlin, which is three times slower at batch 32 than the measured gpt-oss decode allows.
  if (dtype === 'mxfp4' && p.math !== 'fp4' && fw !== 'sglang') {
    const c = OP_TABLES[tableGpuFor(gpu)].sglang.moe.int4_wo;
    if (c) return { c, peak: p.flops, wBytes: dtypeBytes(dtype) };
  }
  const wBytes = dtypeBytes(dtype);
  let prefs: MoeKernel[];
  switch (dtype) {
    case 'bf16': prefs = ['bfloat16']; break;
    case 'fp8': prefs = ['fp8', 'fp8_block']; break;
    case 'fp8_block': prefs = ['fp8_block', 'fp8']; break;
    // The vLLM w4a16_mxfp4 table ignores ep and mixes two kernel versions (its fit is poor, docs/timing-model.md
    // §4); Marlin's W4A16 (int4_wo) is the same dequantise-in-kernel grouped GEMM and fits well.
    case 'mxfp4': prefs = p.math === 'fp4' ? ['nvfp4', 'w4a16_mxfp4'] : ['int4_wo', 'w4a16_mxfp4']; break;
    case 'nvfp4': prefs = p.math === 'fp4' ? ['nvfp4'] : ['int4_wo', 'w4a16_mxfp4']; break;
    default: prefs = ['int4_wo', 'w4a16_mxfp4'];
  }
  for (const k of [...prefs, 'fp8_block', 'bfloat16'] as MoeKernel[]) {
    const c = t.moe[k];
    if (c) return { c, peak: p.flops, wBytes };
  }
  throw new Error('no fused-MoE class in the op table');
}
