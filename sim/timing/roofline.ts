import type { TimingModel } from './timing-model.js';
import { getGpu } from '../catalog/gpus.js';
import { dtypeBytes, isWeightDtype, type KvDtype, type WeightDtype } from '../catalog/dtypes.js';
import {
  getModel, kvElemsPerTokenLayer, kvHeadsPerGpu, uniformQuant, validateModelParallelism, validateTp,
  type ModelSpec, type QuantScheme,
} from '../catalog/models.js';
import { tensorParallel, type Parallelism } from '../catalog/parallelism.js';
import {
  allReduceMs, allToAllMs, contextAttnMs, elementwiseMs, gemmMs, genAttnMs, linearAttnMs, moeMs, type AllReduceClass,
} from './ops.js';
import type { MeasuredFramework, MeasuredGpu } from './op-efficiency.js';
import { gemmKind, moeKind, opTableFor, tableFrameworkFor, tableGpuFor, type GemmKind, type OpOverrides } from './kernel-choice.js';
import {
  FRAMEWORK_OVERHEAD, FRAMEWORKS, ROOFLINE_CONSTANTS, type Framework, type FrameworkOverhead, type RooflineConstants,
} from './roofline-constants.js';

export { opTableFor, tableFrameworkFor, tableGpuFor, type OpOverrides } from './kernel-choice.js';
export {
  FRAMEWORK_OVERHEAD, ROOFLINE_CONSTANTS, type Framework, type FrameworkOverhead, type RooflineConstants,
} from './roofline-constants.js';

/**
 * Per-layer pass-time model (docs/timing-model.md). A pass is priced op by op with the formulas of ./ops.ts
 * and the constants fitted per GPU and framework to AI Configurator's per-op tables (./op-efficiency.ts):
 * GEMMs, context/generation attention or MLA, fused MoE, all-reduce, expert-parallel all-to-all,
 * element-wise work, the LM head and sampler, plus a per-pass framework (CPU) overhead.
 *
 * One call prices one pass of ONE attention-DP rank: its own requests' attention and KV, its own tokens
 * through the attention projections, dense FFNs and LM head, and its share of the MoE, whose experts see
 * the tokens of every attention-DP rank (all ranks are assumed to run a pass of the same size at the same
 * time, since the MoE collectives synchronise them). With pipeline parallelism the pass runs through every
 * stage, so the time returned is the latency of a batch through all stages (p2p hand-offs included); the
 * overlap of `pp` batches in flight is the engine's business.
 *
 * Work that depends only on the token count (GEMMs, MoE, collectives, element-wise) is cached per token
 * count; attention is a handful of flops per call.
 *
 * Approximations (deliberate, to keep a call O(1)):
 * - Routing is balanced: every expert gets tokens·top-k/E rows. Skewed (power-law) routing makes expert
 *   parallelism 1.5–4× slower at prefill sizes in AIC's tables; that is not modelled.
 * - Prefill attention efficiency is taken at the mean chunk end position of the pass.
 * - CUDA-graph batch padding is not modelled: decode time is smooth in the batch size.
 * - MLA runs the KV up-projection as a GEMM for every token (prefill expands the latent, decode absorbs it
 *   into two BMMs with the same bytes and FLOPs); a cached prefix is not re-expanded.
 */

export interface RooflineOptions {
  /** GPU catalog key (sim/catalog/gpus.ts). */
  gpu: string;
  /** Model catalog key (sim/catalog/models.ts). */
  model: string;
  /** Tensor-parallel size, 1..8, when `parallel` is not given (experts then split tensor-parallel too). */
  tp: number;
  /** Format of the linear layers (routed experts the checkpoint ships narrower stay as shipped). */
  weightDtype: WeightDtype;
  /** Format of the KV cache. */
  kvDtype: KvDtype;
  /** Serving framework: decides the kernel tables and the per-pass overhead; default vllm. */
  framework?: Framework;
  /** Layout of the replica (attention TP × DP, MoE TP × EP, PP); overrides `tp`. May span nodes. */
  parallel?: Parallelism;
  /** Format of the routed-expert weights when it differs from `weightDtype` (e.g. fp8_block, nvfp4, mxfp4). */
  moeDtype?: WeightDtype;
  /** Format of every tensor class; overrides `weightDtype` and `moeDtype`. */
  quant?: QuantScheme;
  /** Replaces fitted op classes, field by field (what-if studies, tests). */
  ops?: OpOverrides;
  /** Replaces the constants that are not fitted per GPU. */
  constants?: Partial<RooflineConstants>;
  /** Replaces parts of the framework's per-pass overhead (the constants to fit end to end). */
  overhead?: Partial<FrameworkOverhead>;
}

/** The timing model plus what it was built from (for engines and reports). */
export interface RooflineModel extends Required<TimingModel> {
  /** Per-pass overhead in force; engines add `firstTokenMs` to a request's first token. */
  readonly overhead: FrameworkOverhead;
  /** GPU whose measured tables the constants come from (the GPU itself, or its architecture's reference). */
  readonly tableGpu: MeasuredGpu;
  /** Framework whose measured tables the constants come from. */
  readonly tableFramework: MeasuredFramework;
}

/** Weight formats of the deployment: FP8 on a model whose checkpoint is block-scaled means the block-scaled kernels. */
function resolveQuant(model: ModelSpec, opts: RooflineOptions): QuantScheme {
  if (opts.quant) return opts.quant;
  const w = opts.weightDtype === 'fp8' && model.nativeWeightDtype === 'fp8_block' ? 'fp8_block' : opts.weightDtype;
  const q = uniformQuant(model, w);
  return opts.moeDtype ? { ...q, routedExpert: opts.moeDtype } : q;
}

const CACHE_TOKENS = 16384;

export function createRooflineModel(opts: RooflineOptions): RooflineModel {
  const gpu = getGpu(opts.gpu);
  const model = getModel(opts.model);
  const par = opts.parallel ?? tensorParallel(opts.tp);
  if (opts.parallel) validateModelParallelism(model, par);
  else validateTp(model, opts.tp);
  for (const [what, d] of [['weightDtype', opts.weightDtype], ['moeDtype', opts.moeDtype ?? 'bf16']] as const) {
    if (!isWeightDtype(d)) throw new Error(`unknown ${what} "${String(d)}"; expected one of: bf16, fp8, fp8_block, nvfp4, mxfp4, int4, int4_g32`);
  }
  if (opts.kvDtype !== 'bf16' && opts.kvDtype !== 'fp8') throw new Error(`unknown kvDtype "${String(opts.kvDtype)}"; expected one of: bf16, fp8`);
  const framework = opts.framework ?? 'vllm';
  if (!FRAMEWORKS.includes(framework)) {
    throw new Error(`unknown framework "${String(framework)}"; expected one of: ${FRAMEWORKS.join(', ')}`);
  }
  const T = opTableFor(gpu, framework, opts.ops);
  const K: RooflineConstants = { ...ROOFLINE_CONSTANTS, ...opts.constants };
  const fw: FrameworkOverhead = { ...FRAMEWORK_OVERHEAD[framework], ...opts.overhead };
  const quant = resolveQuant(model, opts);

  const bw = gpu.memBw;
  const tp = par.tp;
  const dp = par.attnDp;
  const h = model.hidden;
  const hq = model.heads / tp;
  const bf16 = gemmKind(T, gpu, 'bf16', framework);
  const attnK = gemmKind(T, gpu, quant.attention, framework);
  const attnOutK = gemmKind(T, gpu, quant.attentionOutput ?? quant.attention, framework);
  const denseK = gemmKind(T, gpu, quant.dense, framework);
  const sharedK = gemmKind(T, gpu, quant.sharedExpert, framework);
  type G = readonly [GemmKind, number, number];
  const g = (k: GemmKind, n: number, kk: number): G => [k, n, kk];
  const gemms = (m: number, list: readonly G[]): number => {
    let t = 0;
    for (const [k, n, kk] of list) t += gemmMs(k.c, k.peak, bw, k.wBytes, m, n, kk);
    return t;
  };

  // ---- layer inventory (all pipeline stages together) ----
  const la = model.linearAttention;
  const laLayers = la ? la.layers : 0;
  const slidingLayers = model.slidingWindow ? model.slidingWindow.layers : 0;
  const window = model.slidingWindow ? model.slidingWindow.window : 0;
  const softmaxLayers = model.layers - laLayers;
  const fullLayers = softmaxLayers - slidingLayers;
  const moe = model.moe;
  const moeLayers = moe ? model.layers - moe.firstKDense : 0;
  const denseLayers = model.layers - moeLayers;

  // ---- per-rank GEMM lists ----
  const mla = model.mla;
  const dsa = model.sparseAttention;
  const attnGemms: G[] = [];
  if (mla) {
    const qk = mla.qkNopeHeadDim + mla.qkRopeHeadDim;
    if (mla.qLoraRank > 0) {
      attnGemms.push(g(attnK, mla.qLoraRank + mla.kvLoraRank + mla.qkRopeHeadDim, h), g(attnK, hq * qk, mla.qLoraRank));
    } else {
      attnGemms.push(g(attnK, hq * qk, h), g(attnK, mla.kvLoraRank + mla.qkRopeHeadDim, h));
    }
    attnGemms.push(g(attnK, hq * (mla.qkNopeHeadDim + mla.vHeadDim), mla.kvLoraRank), g(attnOutK, h, hq * mla.vHeadDim));
    if (dsa) {
      const qIn = mla.qLoraRank > 0 ? mla.qLoraRank : h;
      attnGemms.push(g(attnK, dsa.indexHeads * dsa.indexHeadDim, qIn), g(attnK, dsa.indexHeadDim, h), g(bf16, dsa.indexHeads, h));
    }
  } else {
    const qWidth = hq * (model.attentionOutputGate ? 2 : 1);
    attnGemms.push(g(attnK, (qWidth + 2 * kvHeadsPerGpu(model, tp)) * model.headDim, h), g(attnOutK, h, hq * model.headDim));
  }
  const laGemms: G[] = [];
  if (la) {
    const qkvz = 2 * la.keyHeads * la.keyHeadDim + 2 * la.valueHeads * la.valueHeadDim;
    laGemms.push(g(attnK, qkvz / tp, h), g(bf16, 2 * la.valueHeads / tp, h), g(attnOutK, h, la.valueHeads * la.valueHeadDim / tp));
  }
  const denseGemms: G[] = [g(denseK, 2 * model.intermediate / tp, h), g(denseK, h, model.intermediate / tp)];
  const moeDenseGemms: G[] = [];
  if (moe) {
    moeDenseGemms.push(g(bf16, moe.experts, h));
    if (moe.sharedIntermediate > 0) moeDenseGemms.push(g(sharedK, 2 * moe.sharedIntermediate / tp, h), g(sharedK, h, moe.sharedIntermediate / tp));
  }
  const expert = moe ? moeKind(T, gpu, quant.routedExpert, framework) : undefined;

  // ---- communication ----
  // Groups up to the NVLink domain ride NVLink; larger groups reduce hierarchically, the inter-node leg over
  // the scale-out network at the node count (NCCL's tree/ring across nodes).
  const intraBw = gpu.intraNodeBw;
  const domain = Math.max(1, gpu.nvlinkDomain);
  const ar = T.allReduce;
  const arAlpha = gpu.interconnect === 'pcie' ? Math.max(ar.alphaMs, 3 * ar.alphaMs) : ar.alphaMs;
  const arC: AllReduceClass = { ...ar, alphaMs: arAlpha };
  const allReduce = (n: number, bytes: number): number => {
    if (n <= 1) return 0;
    if (n <= domain) return allReduceMs(arC, n, bytes, intraBw);
    const perNode = domain;
    const nodes = Math.ceil(n / perNode);
    return allReduceMs(arC, perNode, bytes, intraBw) + allReduceMs(arC, nodes, bytes / perNode, gpu.scaleOutBw, gpu.p2pLatencyMs);
  };
  const moeGroup = tp * dp;
  const a2aBw = moeGroup <= domain ? intraBw : gpu.scaleOutBw;
  const useA2a = moe !== undefined && (dp > 1 || par.moeEp > 1);
  const stageGpus = tp * dp;
  const p2pBw = stageGpus * 2 <= domain ? intraBw : gpu.scaleOutBw;

  const etaStream = bf16.c.etaMem;
  const linearUncached = (t: number): number => {
    const actBytes = t * h * 2;
    const arAttn = allReduce(tp, actBytes);
    let total = softmaxLayers * gemms(t, attnGemms) + laLayers * gemms(t, laGemms);
    if (la) {
      // Chunked delta-rule recurrence: ≈ 4 state-sized multiply-adds per token per value head, at GEMM efficiency.
      const flops = 8 * (la.valueHeads / tp) * la.keyHeadDim * la.valueHeadDim * t;
      total += laLayers * flops / (bf16.c.etaCompute * bf16.peak) * 1e3;
    }
    total += model.layers * (elementwiseMs(K.elementwise, bw, etaStream, t, h) + arAttn);
    total += denseLayers * (gemms(t, denseGemms) + allReduce(tp, actBytes));
    if (moe && expert) {
      const routed = moeMs(expert.c, expert.peak, bw, expert.wBytes, {
        tokens: t * dp, hidden: h, inter: moe.intermediate, topk: moe.active, experts: moe.experts,
        moeTp: par.moeTp, moeEp: par.moeEp,
      });
      const comm = useA2a
        ? allToAllMs(K.allToAll, moeGroup, Math.ceil(t / tp), h, moe.active, 2, a2aBw)
        : allReduce(tp, actBytes);
      total += moeLayers * (gemms(t, moeDenseGemms) + routed + comm);
    }
    if (par.pp > 1) total += (par.pp - 1) * (gpu.p2pLatencyMs + actBytes / p2pBw * 1e3);
    return total;
  };
  const lmHead: G[] = [g(bf16, model.vocab / tp, h)];
  const headUncached = (rows: number): number =>
    gemms(rows, lmHead) + K.samplerMs + (tp > 1 ? arAlpha : 0);

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

  // ---- attention geometry per rank ----
  const kvB = dtypeBytes(opts.kvDtype);
  const kvBytesTokLayer = kvElemsPerTokenLayer(model, tp) * kvB;
  const kvHeads = kvHeadsPerGpu(model, tp);
  const dqk = mla ? mla.qkNopeHeadDim + mla.qkRopeHeadDim : model.headDim;
  const dv = mla ? mla.vHeadDim : model.headDim;
  const ctxC = mla ? T.contextMla : T.contextAttn;
  const genC = mla ? T.generationMla : T.generationAttn;
  const bfPeak = gpu.bf16Flops;
  const fp8Peak = gpu.fp8Flops ?? bfPeak;
  // Causal FLOPs of a chunk (start → end) = hq·(dqk + dv)·(end² − start²).
  const prefillFlopsPerSq = hq * (dqk + dv);
  const qoBytesPerToken = hq * (dqk + dv) * 2 * 2;
  // MLA decode runs absorbed: scores over the latent+RoPE key, values over the latent.
  const decodeFlopsPerKvTok = mla ? 2 * hq * (2 * mla.kvLoraRank + mla.qkRopeHeadDim) : 2 * hq * (dqk + dv);
  const decodeItemsPerReq = mla ? 1 : kvHeads;
  const laState = la ? (la.valueHeads / tp) * la.keyHeadDim * la.valueHeadDim * la.stateBytes
    + ((2 * la.keyHeads * la.keyHeadDim + la.valueHeads * la.valueHeadDim) / tp) * (la.convKernel - 1) * la.convStateBytes : 0;
  const laC = { t0Ms: T.generationAttn.t0Ms, etaMem: T.generationAttn.etaKv };

  const prefillAttn = (count: number, sumIsl: number, newTokens: number, sumAttnSq: number): number => {
    const meanEnd = sumIsl / count;
    const memBytes = qoBytesPerToken * newTokens + kvBytesTokLayer * sumIsl;
    let sq = sumAttnSq;
    if (dsa) {
      // Each query attends to at most topK selected tokens; the indexer scores every causal pair in FP8.
      sq = Math.min(sumAttnSq, 2 * dsa.topK * newTokens);
    }
    let t = fullLayers * contextAttnMs(ctxC, bfPeak, bw, genC.etaKv, prefillFlopsPerSq * sq, dsa ? Math.min(meanEnd, dsa.topK) : meanEnd, memBytes);
    if (dsa) {
      t += fullLayers * contextAttnMs(ctxC, fp8Peak, bw, genC.etaKv, dsa.indexHeads * dsa.indexHeadDim * sumAttnSq, meanEnd, dsa.indexKeyBytes * sumIsl);
    }
    if (slidingLayers > 0) {
      const flops = prefillFlopsPerSq * Math.min(sumAttnSq, 2 * window * newTokens);
      t += slidingLayers * contextAttnMs(ctxC, bfPeak, bw, genC.etaKv, flops, Math.min(meanEnd, window), qoBytesPerToken * newTokens);
    }
    if (laLayers > 0) t += laLayers * linearAttnMs(laC, bw, count, laState);
    return t;
  };
  const decodeAttn = (batch: number, kvReadTokens: number): number => {
    const items = batch * decodeItemsPerReq;
    const attended = dsa ? Math.min(kvReadTokens, batch * dsa.topK) : kvReadTokens;
    let t = fullLayers * genAttnMs(genC, bfPeak, bw, attended * kvBytesTokLayer, items, attended * decodeFlopsPerKvTok);
    if (dsa) {
      t += fullLayers * genAttnMs(genC, fp8Peak, bw, kvReadTokens * dsa.indexKeyBytes, batch, 2 * dsa.indexHeads * dsa.indexHeadDim * kvReadTokens);
    }
    if (slidingLayers > 0) {
      const kv = Math.min(kvReadTokens, batch * window);
      t += slidingLayers * genAttnMs(genC, bfPeak, bw, kv * kvBytesTokLayer, items, kv * decodeFlopsPerKvTok);
    }
    if (laLayers > 0) t += laLayers * linearAttnMs(laC, bw, batch, laState);
    return t;
  };

  const layout = opts.parallel
    ? `tp${tp}${dp > 1 ? `×dp${dp}` : ''}${moe ? ` moe tp${par.moeTp}×ep${par.moeEp}` : ''}${par.pp > 1 ? ` pp${par.pp}` : ''}`
    : `tp${tp}`;
  return {
    name: `roofline(${gpu.name}, ${model.name}, ${layout}, ${quant.attention}${moe ? `/${quant.routedExpert} experts` : ''}/${opts.kvDtype} kv, ${framework})`,
    overhead: fw,
    tableGpu: tableGpuFor(gpu),
    tableFramework: tableFrameworkFor(framework),
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
