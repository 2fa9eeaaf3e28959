import type { TimingModel } from './timing-model.js';
import { getGpu } from '../catalog/gpus.js';
import {
  dtypeBytes, expertDtypeBytes, getModel, kvElemsPerTokenLayer, kvHeadsPerGpu, validateTp,
  type KvDtype, type ModelSpec, type WeightDtype,
} from '../catalog/models.js';

/**
 * First-principles per-layer pass-time model (docs/timing-model.md §5.1): every GEMM costs
 * t0 + max(compute, memory), attention is FLOP-bound in prefill and KV-read-bound in decode, TP adds two
 * all-reduces per layer, MoE layers stream only the experts the batch touches, and each pass pays a
 * framework (CPU) overhead. Hardware and model come from sim/catalog.
 *
 * A pass is "linear work" (GEMMs, MoE, all-reduce, element-wise ops: a function of the token count only)
 * plus attention plus the LM head plus framework overhead. The token-count-only parts are cached per
 * token count, so a call costs a table lookup and a few dozen flops for attention.
 * `prefillMs` and `decodeMs` each price a stand-alone pass (each includes the per-pass overhead);
 * `mixedMs` prices one pass holding both, which is what an engine should use when it mixes them.
 *
 * Approximations (deliberate, to keep a call O(1)):
 * - The small-m η_c ramp is modelled as padding m up to one 128-row tile on the compute side.
 * - Experts are split tensor-parallel on every rank (no expert parallelism, no attention-DP). Under balanced
 *   routing EP streams the same bytes per rank; its all-to-all is not modelled.
 * - MLA (DeepSeek): prefill runs un-absorbed attention (q·k width 192, v width 128); decode runs absorbed
 *   over the cached 576-wide latent, which every rank reads in full. The latent up-projection is counted
 *   for the new tokens only, also when a cached prefix would need re-expanding.
 * - gpt-oss: MXFP4 experts stay MXFP4 (bytes) and compute at the weight dtype's peak (W4A16 on Hopper);
 *   sliding-window layers read at most `window` KV tokens per request; attention sinks are ignored.
 * - Prefill attention efficiency is taken at the mean chunk end position of the pass.
 * - CUDA-graph batch padding is not modelled: decode time is smooth in the batch size.
 * - KV may be FP8 on any GPU (engines store it FP8 and compute in BF16), weights FP8 only where the GPU
 *   has FP8 tensor cores.
 */

export type Framework = 'vllm' | 'sglang';

export interface RooflineOptions {
  /** GPU catalog key (sim/catalog/gpus.ts). */
  gpu: string;
  /** Model catalog key (sim/catalog/models.ts). */
  model: string;
  /** Tensor-parallel size of one replica, 1..8 (experts are split tensor-parallel too). */
  tp: number;
  /** Dtype of the linear layers. */
  weightDtype: WeightDtype;
  /** Dtype of the KV cache. */
  kvDtype: KvDtype;
  /** Serving framework whose per-pass overhead is added; default vllm. */
  framework?: Framework;
  /** Replaces some efficiency constants (calibration experiments, what-if studies). */
  constants?: Partial<RooflineConstants>;
  /** Replaces the framework's per-pass overhead. */
  overhead?: FrameworkOverhead;
}

/**
 * Efficiency constants, times in ms. Values from docs/timing-model.md §1.7/§5.2 (fitted there to AIC's
 * H200 per-op tables) unless marked "tuned": those were fitted with test/bench/calibration.ts to the
 * decode-dominated rows of data/calibration/silicon_calibration.csv, within the physically plausible range.
 */
export const ROOFLINE_CONSTANTS = Object.freeze({
  /** Share of peak HBM bandwidth a weight-streaming GEMM reaches (AIC H200 m=1: 79–85 %, Vidur 90 %). */
  etaMem: 0.9,
  /** Fixed cost per BF16 GEMM; makes small GEMMs look bandwidth-poor. AIC H200 ≈ 5 µs; tuned 4 µs (CUDA-graph decode). */
  gemmT0Bf16Ms: 0.004,
  /**
   * Fixed cost per FP8 GEMM incl. dynamic activation quantisation. AIC's eager torch measurement gives
   * 13–15 µs, but TRT-LLM and vLLM FP8 TPOTs need less; tuned 6.5 µs.
   */
  gemmT0Fp8Ms: 0.0065,
  /** Share of BF16 tensor-core peak for GEMMs with m ≥ tile (AIC H200 71–83 %). */
  etaComputeBf16: 0.78,
  /** Share of FP8 tensor-core peak for GEMMs with m ≥ tile (AIC H200 51–74 %). */
  etaComputeFp8: 0.65,
  /** Rows of a GEMM tile: compute below this is padded to it (fits the AIC m = 128–256 knee). */
  gemmTileRows: 128,
  /** Share of BF16 peak for grouped MoE GEMMs at large token counts (AIC H200: 65 % at 16k tokens). */
  moeEtaBf16: 0.74,
  /** Share of FP8 peak for grouped MoE GEMMs (AIC H200: 52 % at 16k tokens). */
  moeEtaFp8: 0.59,
  /** Rows of padding/under-use per touched expert (capped at the expert's ridge point); fitted to AIC H200 at 1k and 16k tokens. */
  moePadRows: 128,
  /** Fixed cost of a fused-MoE call (routing, permute, grouped-GEMM launches; AIC H200 T=1 ≈ 25 µs over streaming); tuned. */
  moeT0Ms: 0.016,
  /**
   * Extra time per touched expert (pipeline start-up of each expert's small GEMMs in Triton/CUTLASS grouped
   * MoE; MiniMax/DeepSeek experts are only 2–10 MB per rank). Tuned: MoE TPOTs sit ~15 % above pure streaming.
   */
  moeExpertMs: 0.0007,
  /** HBM passes over the routed activation copies (T·top-k·hidden BF16) in a fused-MoE call. */
  moeActPasses: 4,
  /** Peak share of dense BF16 peak FlashAttention prefill approaches at long sequences (AIC H200: 0.53 at 16k). */
  faEtaMax: 0.53,
  /** Length scale of η_fa(s) = max·(1 − e^(−s/scale)): 0.2 at 1k, 0.33 at 2k, 0.45 at 4k, 0.51 at 8k. */
  faLengthScale: 2160,
  /** Sequence length whose η_fa a sliding-window layer gets (its KV loop is short). */
  faSlidingLength: 1024,
  /** Floor of one attention kernel call (prefill or decode), per layer. */
  attnFloorMs: 0.012,
  /** Share of HBM bandwidth decode attention reaches reading KV (AIC H200: 62–87 % above 100 MB). */
  etaKv: 0.8,
  /** Share of BF16 peak for attention maths in decode (matters only for MLA at low TP). */
  etaDecodeAttnCompute: 0.5,
  /** All-reduce latency floor over NVLink / Infinity Fabric (custom all-reduce, AIC H200: 2.8–3.5 µs). */
  arAlphaNvlinkMs: 0.0035,
  /** All-reduce latency floor over PCIe (NCCL ring through the host bridge). */
  arAlphaPcieMs: 0.015,
  /**
   * Bus bandwidth an all-reduce reaches as a share of one-direction link bandwidth, at TP 2 / 4 / 8.
   * AIC H200 custom all-reduce (450 GB/s links): ~240 GB/s for 16 MB at any TP; for ≥ 64 MB 290–330 (TP2),
   * 330–354 (TP4), 420–470 (TP8). Prefill messages are 10–130 MB, so these sit between the two.
   */
  arBusBwShareTp2: 0.6,
  arBusBwShareTp4: 0.65,
  arBusBwShareTp8: 0.8,
  /** Element-wise work per layer at small batch (2 RMSNorms, RoPE, KV write, SiLU·mul, residuals). */
  miscLayerMs: 0.01,
  /** Bytes of element-wise traffic per token per hidden element per layer, at BF16. */
  miscBytesPerTokenHidden: 24,
  /** Sampling and logits post-processing per pass. */
  samplerMs: 0.03,
});

export type RooflineConstants = { readonly [K in keyof typeof ROOFLINE_CONSTANTS]: number };

/** Per-pass framework overhead, ms. */
export interface FrameworkOverhead {
  /** Fixed part of every pass. */
  readonly stepMs: number;
  /** Added per request in the pass. */
  readonly requestMs: number;
}

/**
 * Per-pass CPU/framework overhead, ms: a fixed part (scheduling, input preparation, graph launch, output
 * processing) and a part per request in the pass. Step parts tuned on the calibration CSV (batch ≤ 8
 * rows): vLLM v1 ≈ 0.7 ms, in line with its TPOT sitting 1.5–2 ms above TRT-LLM's (§5.3) once GEMM fixed
 * costs are counted; SGLang's overlap scheduler hides most of its CPU work. Per-request part from BLIS (4.4 µs).
 */
export const FRAMEWORK_OVERHEAD: Readonly<Record<Framework, FrameworkOverhead>> = {
  vllm: { stepMs: 0.73, requestMs: 0.005 },
  sglang: { stepMs: 0.3, requestMs: 0.005 },
};

const CACHE_TOKENS = 16384;

/** One GEMM shape on one rank: y[m×n] = x[m×k] · W[k×n]. */
interface Gemm { n: number; k: number; wBytes: number; peak: number; t0: number; etaC: number }

export function createRooflineModel(opts: RooflineOptions): Required<TimingModel> {
  const C: RooflineConstants = { ...ROOFLINE_CONSTANTS, ...opts.constants };
  const gpu = getGpu(opts.gpu);
  const model = getModel(opts.model);
  const tp = opts.tp;
  validateTp(model, tp);
  checkDtype(opts.weightDtype, 'weightDtype');
  checkDtype(opts.kvDtype, 'kvDtype');
  const framework = opts.framework ?? 'vllm';
  if (framework !== 'vllm' && framework !== 'sglang') {
    throw new Error(`unknown framework "${String(framework)}"; expected one of: sglang, vllm`);
  }
  if (opts.weightDtype === 'fp8' && gpu.fp8Flops === undefined) {
    throw new Error(`GPU "${gpu.name}" has no FP8 tensor cores; use weightDtype "bf16"`);
  }

  const bw = gpu.memBw;
  const fp8 = opts.weightDtype === 'fp8';
  const peakW = fp8 ? gpu.fp8Flops! : gpu.bf16Flops;
  const wB = dtypeBytes(opts.weightDtype);
  const t0W = fp8 ? C.gemmT0Fp8Ms : C.gemmT0Bf16Ms;
  const etaW = fp8 ? C.etaComputeFp8 : C.etaComputeBf16;
  const lin = (n: number, k: number): Gemm => ({ n, k, wBytes: wB, peak: peakW, t0: t0W, etaC: etaW });
  const linBf16 = (n: number, k: number): Gemm =>
    ({ n, k, wBytes: 2, peak: gpu.bf16Flops, t0: C.gemmT0Bf16Ms, etaC: C.etaComputeBf16 });

  const h = model.hidden;
  const hq = model.heads / tp;
  const attnGemms = attentionGemms(model, tp, lin);
  const denseGemms = [...attnGemms, lin(2 * model.intermediate / tp, h), lin(h, model.intermediate / tp)];
  const moe = model.moe;
  const moeGemms = moe ? [...attnGemms, linBf16(moe.experts, h)] : [];
  if (moe && moe.sharedIntermediate > 0) {
    moeGemms.push(lin(2 * moe.sharedIntermediate / tp, h), lin(h, moe.sharedIntermediate / tp));
  }
  const moeLayers = moe ? model.layers - moe.firstKDense : 0;
  const denseLayers = model.layers - moeLayers;
  // Routed experts: touched(T) = E·(1 − (1 − k/E)^T) under balanced routing, each 3·h·(i/tp) weights.
  const expertBytes = moe ? 3 * h * (moe.intermediate / tp) * expertDtypeBytes(model, opts.weightDtype) : 0;
  const expertFlopsPerRow = moe ? 2 * 3 * h * (moe.intermediate / tp) : 0;
  const moePeak = (fp8 ? gpu.fp8Flops! : gpu.bf16Flops) * (fp8 ? C.moeEtaFp8 : C.moeEtaBf16);
  // Padding rows never push a memory-bound expert GEMM past its weight-streaming time: with few rows per
  // expert the kernels pick small tiles. Cap them at the expert's ridge point (rows where compute = memory).
  const moePadRows = moe ? Math.min(C.moePadRows, expertBytes * moePeak / (expertFlopsPerRow * C.etaMem * bw)) : 0;
  const missLog = moe ? Math.log1p(-moe.active / moe.experts) : 0;
  // Routed copies of the activations (BF16, full hidden width on every rank under expert TP) go through
  // permute, GEMM output, un-permute and the top-k sum: about four passes.
  const moeActBytesPerToken = moe ? C.moeActPasses * moe.active * h * 2 : 0;

  // All-reduce: two per layer of T·h BF16 activations, ring cost 2(tp−1)/tp · bytes / busBW.
  const arAlpha = gpu.interconnect === 'pcie' ? C.arAlphaPcieMs : C.arAlphaNvlinkMs;
  const arFixed = tp > 1 ? 2 * arAlpha : 0;
  const arShare = tp <= 2 ? C.arBusBwShareTp2 : tp <= 4 ? C.arBusBwShareTp4 : C.arBusBwShareTp8;
  const arPerToken = tp > 1 ? 2 * (2 * (tp - 1) / tp) * h * 2 / (arShare * gpu.intraNodeBw) * 1e3 : 0;
  const miscPerToken = C.miscBytesPerTokenHidden * h / (C.etaMem * bw) * 1e3;

  const gemmMs = (m: number, g: Gemm): number => {
    const compute = 2 * Math.max(m, C.gemmTileRows) * g.n * g.k / (g.etaC * g.peak);
    const memory = (g.wBytes * g.n * g.k + 2 * m * (g.n + g.k)) / (C.etaMem * bw);
    return g.t0 + Math.max(compute, memory) * 1e3;
  };
  const layerCommon = (t: number): number => C.miscLayerMs + miscPerToken * t + arFixed + arPerToken * t;
  const linearUncached = (t: number): number => {
    let dense = layerCommon(t);
    for (const g of denseGemms) dense += gemmMs(t, g);
    let total = denseLayers * dense;
    if (moe) {
      let layer = layerCommon(t);
      for (const g of moeGemms) layer += gemmMs(t, g);
      const touched = moe.experts * (1 - Math.exp(t * missLog));
      const compute = expertFlopsPerRow * (t * moe.active + touched * moePadRows) / moePeak;
      const memory = (touched * expertBytes + moeActBytesPerToken * t) / (C.etaMem * bw);
      layer += C.moeT0Ms + C.moeExpertMs * touched + Math.max(compute, memory) * 1e3;
      total += moeLayers * layer;
    }
    return total;
  };
  const lmHead = linBf16(model.vocab / tp, h);
  const headUncached = (rows: number): number =>
    gemmMs(rows, lmHead) + C.samplerMs + (tp > 1 ? arAlpha : 0);
  const fw = opts.overhead ?? FRAMEWORK_OVERHEAD[framework];

  const linCache = new Float64Array(CACHE_TOKENS);
  const headCache = new Float64Array(CACHE_TOKENS);
  /** Token-count-only cost of a pass: linear work of t tokens, LM head on `rows` rows, framework overhead. */
  const fixedPart = (t: number, rows: number): number => {
    let a: number;
    if (t < CACHE_TOKENS && (t | 0) === t) {
      a = linCache[t];
      if (a === 0) a = linCache[t] = linearUncached(t);
    } else a = linearUncached(t);
    let b: number;
    if (rows < CACHE_TOKENS && (rows | 0) === rows) {
      b = headCache[rows];
      if (b === 0) b = headCache[rows] = headUncached(rows);
    } else b = headUncached(rows);
    return a + b + fw.stepMs + fw.requestMs * rows;
  };

  // Attention geometry per rank.
  const mla = model.mla;
  const dqk = mla ? mla.qkNopeHeadDim + mla.qkRopeHeadDim : model.headDim;
  const dv = mla ? mla.vHeadDim : model.headDim;
  const sliding = model.slidingWindow;
  const slidingLayers = sliding ? sliding.layers : 0;
  const window = sliding ? sliding.window : 0;
  const fullLayers = model.layers - slidingLayers;
  const kvBytesTokLayer = kvElemsPerTokenLayer(model, tp) * dtypeBytes(opts.kvDtype);
  const bf16Peak = gpu.bf16Flops;
  // Causal FLOPs of a chunk (start → end) = hq·(dqk + dv)·(end² − start²).
  const prefillFlopsPerSq = hq * (dqk + dv);
  // MLA decode runs absorbed: scores over the latent+RoPE key, values over the latent.
  const decodeFlopsPerKvTok = mla ? 2 * hq * (2 * mla.kvLoraRank + mla.qkRopeHeadDim) : 2 * hq * (dqk + dv);
  const kvMsPerTok = kvBytesTokLayer / (C.etaKv * bw) * 1e3;
  const decodeComputeMsPerTok = decodeFlopsPerKvTok / (C.etaDecodeAttnCompute * bf16Peak) * 1e3;
  const decodeMsPerTok = Math.max(kvMsPerTok, decodeComputeMsPerTok);
  const faScale = 1 / C.faLengthScale;
  const slidingFaMsPerFlop = 1e3 / (C.faEtaMax * (1 - Math.exp(-C.faSlidingLength * faScale)) * bf16Peak);
  const qoMsPerToken = 2 * hq * (dqk + dv) * 2 / (C.etaMem * bw) * 1e3;
  const kvReadMsPerTok = kvBytesTokLayer / (C.etaMem * bw) * 1e3;

  const prefillAttn = (count: number, sumIsl: number, newTokens: number, sumAttnSq: number): number => {
    const meanEnd = sumIsl / count;
    const eta = C.faEtaMax * (1 - Math.exp(-meanEnd * faScale));
    const compute = sumAttnSq > 0 ? prefillFlopsPerSq * sumAttnSq / (eta * bf16Peak) * 1e3 : 0;
    const memory = qoMsPerToken * newTokens + kvReadMsPerTok * sumIsl;
    let t = fullLayers * (C.attnFloorMs + Math.max(compute, memory));
    if (slidingLayers > 0) {
      const flops = prefillFlopsPerSq * Math.min(sumAttnSq, 2 * window * newTokens);
      t += slidingLayers * (C.attnFloorMs + Math.max(flops * slidingFaMsPerFlop, qoMsPerToken * newTokens));
    }
    return t;
  };
  const decodeAttn = (batch: number, kvReadTokens: number): number => {
    let t = fullLayers * (C.attnFloorMs + decodeMsPerTok * kvReadTokens);
    if (slidingLayers > 0) {
      t += slidingLayers * (C.attnFloorMs + decodeMsPerTok * Math.min(kvReadTokens, batch * window));
    }
    return t;
  };

  return {
    name: `roofline(${gpu.name}, ${model.name}, tp${tp}, ${opts.weightDtype}/${opts.kvDtype} kv, ${framework})`,
    prefillMs(count, sumIsl, sumPrefix, sumAttnSq) {
      if (count <= 0) return 0;
      // A fully cached prompt still recomputes its last token.
      const t = Math.max(sumIsl - sumPrefix, count);
      return fixedPart(t, count) + prefillAttn(count, sumIsl, t, sumAttnSq);
    },
    decodeMs(batch, _activeKvTokens, kvReadTokens) {
      if (batch <= 0) return 0;
      return fixedPart(batch, batch) + decodeAttn(batch, kvReadTokens);
    },
    mixedMs(count, sumIsl, sumPrefix, sumAttnSq, batch, _activeKvTokens, kvReadTokens) {
      if (count <= 0) return batch <= 0 ? 0 : fixedPart(batch, batch) + decodeAttn(batch, kvReadTokens);
      const t = Math.max(sumIsl - sumPrefix, count);
      let ms = fixedPart(t + batch, count + batch) + prefillAttn(count, sumIsl, t, sumAttnSq);
      if (batch > 0) ms += decodeAttn(batch, kvReadTokens);
      return ms;
    },
  };
}

function checkDtype(d: string, what: string): void {
  if (d !== 'bf16' && d !== 'fp8') throw new Error(`unknown ${what} "${d}"; expected one of: bf16, fp8`);
}

/** Attention projections of one layer on one rank (MLA: fused q_a+kv_a down-projection replicated on every rank). */
function attentionGemms(model: ModelSpec, tp: number, lin: (n: number, k: number) => Gemm): Gemm[] {
  const h = model.hidden;
  const hq = model.heads / tp;
  const a = model.mla;
  if (a) {
    return [
      lin(a.qLoraRank + a.kvLoraRank + a.qkRopeHeadDim, h),
      lin(hq * (a.qkNopeHeadDim + a.qkRopeHeadDim), a.qLoraRank),
      // Prefill expands the latent to K/V; absorbed decode does the same bytes and FLOPs as two BMMs.
      lin(hq * (a.qkNopeHeadDim + a.vHeadDim), a.kvLoraRank),
      lin(h, hq * a.vHeadDim),
    ];
  }
  return [lin((hq + 2 * kvHeadsPerGpu(model, tp)) * model.headDim, h), lin(h, hq * model.headDim)];
}
