import type { AllToAllClass, ElementwiseClass } from './ops.js';

/**
 * Constants of the roofline pass-time model (./roofline.ts) that are not fitted per GPU to AI Configurator's
 * per-op tables: element-wise work, expert-parallel all-to-all, the sampler, and each framework's per-pass
 * (CPU) overhead.
 */

export type Framework = 'vllm' | 'sglang' | 'trtllm';
export const FRAMEWORKS: readonly Framework[] = ['sglang', 'trtllm', 'vllm'];

/** Constants with no per-GPU table behind them (times in ms). */
export interface RooflineConstants {
  /**
   * Element-wise work per layer (2 RMSNorms, RoPE, residual adds, SiLU·mul, KV write). AIC has no per-op
   * table for these in our copy; 10 µs of launch-bound kernels per layer and 24 B per token per hidden
   * element (≈ 6 BF16 read+write passes over the residual stream) from docs/timing-model.md §5.1.
   */
  readonly elementwise: ElementwiseClass;
  /**
   * Expert-parallel dispatch + combine. From AIC's DeepEP low-latency table (SGLang 0.5.12, H200, hidden
   * 7168, top-8, 8 ranks; docs/timing-model.md §5.1): 12–13 µs per op at 1–8 tokens per rank, 103 µs at
   * 128 and 692 µs at 1024 tokens per rank for dispatch + combine, i.e. ≈ 0.33 of the 450 GB/s link.
   */
  readonly allToAll: AllToAllClass;
  /** Sampling and logits post-processing per pass (top-k/top-p over the vocabulary, penalties). */
  readonly samplerMs: number;
}

export const ROOFLINE_CONSTANTS: RooflineConstants = Object.freeze({
  elementwise: Object.freeze({ layerMs: 0.01, bytesPerTokenHidden: 24 }),
  allToAll: Object.freeze({ alphaMs: 0.012, busShare: 0.33 }),
  samplerMs: 0.03,
});

/** Per-pass framework (CPU) overhead, ms. */
export interface FrameworkOverhead {
  /** Fixed part of every pass: scheduling, input preparation, graph launch, output processing. */
  readonly stepMs: number;
  /** Added per request in the pass (building its metadata, appending its token). */
  readonly requestMs: number;
  /**
   * Once per request, on the pass that emits its first token (first detokenisation, stream set-up).
   * Not part of the pass time: an engine adds it to the request's first-token time.
   */
  readonly firstTokenMs: number;
}

/**
 * Starting values; the only constants meant to be fitted to end-to-end rows (by the lead, per backend).
 * - vLLM v1: its small-batch TPOT sits 1.7–1.9 ms above TensorRT-LLM's on the same H200s (docs/timing-
 *   model.md §5.3); GEMM kernel differences explain about half, so ≈ 0.7 ms per pass is CPU (scheduler,
 *   input preparation, sampler glue; vLLM's 2024 profile had the GPU idle 62 % of a small-model step).
 * - SGLang: the overlap scheduler prepares pass n+1 while pass n runs, hiding most CPU work; ≈ 0.3 ms of
 *   synchronisation and graph launch remains.
 * - TensorRT-LLM: C++ runtime, CUDA graphs and an overlap scheduler: 0.1–0.3 ms (§5.3), 0.2 ms.
 * - Per request: BLIS's vLLM fit, 4.4 µs (inference-sim trained-physics coefficients).
 * - First token: detokenising and emitting the first streamed chunk, ≈ 0.2 ms in Python front-ends
 *   (vLLM, SGLang), ≈ 0.1 ms in TensorRT-LLM's C++ executor; placeholders until fitted.
 */
export const FRAMEWORK_OVERHEAD: Readonly<Record<Framework, FrameworkOverhead>> = Object.freeze({
  vllm: Object.freeze({ stepMs: 0.7, requestMs: 0.0044, firstTokenMs: 0.2 }),
  sglang: Object.freeze({ stepMs: 0.3, requestMs: 0.0044, firstTokenMs: 0.2 }),
  trtllm: Object.freeze({ stepMs: 0.2, requestMs: 0.0044, firstTokenMs: 0.1 }),
});
