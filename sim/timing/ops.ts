/**
 * Per-operation latency formulas, ms. One place for every op the pass-time model prices; the fit script
 * (scripts/fit-op-tables.ts) fits the constants of exactly these functions to AI Configurator's measured
 * per-op tables, and sim/timing/roofline.ts composes them into pass times. Pure functions of their
 * arguments: no catalog lookups, no state. See docs/timing-model.md for the derivations and fit quality.
 *
 * Units: FLOP/s and bytes/s in, ms out. "Peak" is the dense tensor-core peak of the dtype the kernel
 * computes in; "bw" the HBM peak bandwidth.
 */

/** A dense GEMM kernel class (one weight dtype on one GPU with one framework's kernels). */
export interface GemmClass {
  /** Fixed cost per call: launch, prologue, epilogue (and activation quantisation for FP8), ms. */
  readonly t0Ms: number;
  /** Share of the tensor-core peak a large GEMM reaches. */
  readonly etaCompute: number;
  /** Share of HBM bandwidth a weight-streaming (small-m) GEMM reaches. */
  readonly etaMem: number;
  /**
   * Inner-dimension overhead, elements: each output tile pays this much extra K-loop (pipeline fill,
   * epilogue) so GEMMs with a short reduction run below the large-k efficiency.
   */
  readonly kOverhead: number;
  /**
   * HBM bytes per activation element of work outside the GEMM proper: FP8 kernels quantise the BF16
   * input in a separate pass (read 2 B, write 1 B, plus scales); ≈ 0 for BF16.
   */
  readonly actBytes: number;
}

/**
 * GEMM y[m×n] = x[m×k]·W[k×n] with `wBytes` bytes per weight element; activations BF16. Below the ridge
 * point (m ≈ 200–300 rows) the weight stream binds, which is the small-m efficiency ramp; a tile-padding
 * term fitted below the ridge in every table, i.e. never bound, so there is none.
 */
export function gemmMs(c: GemmClass, peak: number, bw: number, wBytes: number, m: number, n: number, k: number): number {
  const compute = 2 * m * n * (k + c.kOverhead) / (c.etaCompute * peak);
  const memory = (wBytes * n * k + 2 * m * (n + k)) / (c.etaMem * bw);
  return c.t0Ms + ((compute > memory ? compute : memory) + c.actBytes * m * k / (c.etaMem * bw)) * 1e3;
}

/** A fused-MoE kernel class (grouped GEMMs of the routed experts, with routing/permute around them). */
export interface MoeClass {
  /** Fixed cost of one fused-MoE call (routing, sort/permute, launches), ms. */
  readonly t0Ms: number;
  /** Extra time per expert the call touches on this rank (each expert's GEMM pipeline start-up), ms. */
  readonly expertMs: number;
  /** Share of the tensor-core peak the grouped GEMMs reach with wide experts and many rows. */
  readonly etaCompute: number;
  /** Share of HBM bandwidth when streaming the touched experts' weights. */
  readonly etaMem: number;
  /** Rows of tile padding per touched expert (each expert's last tile is partly empty). */
  readonly padRows: number;
  /** Inner-dimension overhead per expert GEMM, elements (narrow expert shards under expert-TP). */
  readonly kOverhead: number;
  /**
   * HBM bytes per hidden element of every (token × top-k) pair entering the rank, local expert or not:
   * routing, permute/un-permute, the top-k weighted sum. Separate kernels, so added, not overlapped.
   * Under expert parallelism each rank still walks all pairs of the tokens it receives.
   */
  readonly routeBytes: number;
}

/** Geometry of one MoE layer on one rank. */
export interface MoeShape {
  /** Tokens entering the MoE on this rank's expert group (all attention-DP ranks' tokens). */
  readonly tokens: number;
  readonly hidden: number;
  /** Full per-expert intermediate width (before the expert-TP split). */
  readonly inter: number;
  readonly topk: number;
  readonly experts: number;
  readonly moeTp: number;
  readonly moeEp: number;
}

/**
 * Routed experts on one rank under balanced routing: the rank holds E/ep experts of width inter/moeTp and
 * receives tokens·topk/ep token-expert pairs; the experts it touches are E/ep·(1 − (1 − k/E)^T).
 */
export function moeMs(c: MoeClass, peak: number, bw: number, wBytes: number, s: MoeShape): number {
  const width = s.inter / s.moeTp;
  const pairs = s.tokens * s.topk / s.moeEp;
  const touched = (s.experts / s.moeEp) * (1 - Math.exp(s.tokens * Math.log1p(-s.topk / s.experts)));
  const rowFlops = 2 * 3 * s.hidden * (width + c.kOverhead);
  const compute = rowFlops * (pairs + c.padRows * touched) / (c.etaCompute * peak);
  const memory = touched * 3 * s.hidden * width * wBytes / (c.etaMem * bw);
  const route = c.routeBytes * s.tokens * s.topk * s.hidden / (c.etaMem * bw);
  return c.t0Ms + c.expertMs * touched + ((compute > memory ? compute : memory) + route) * 1e3;
}

/** FlashAttention-style prefill kernel (causal, BF16 maths). */
export interface ContextAttnClass {
  /** Fixed cost per call, ms. */
  readonly t0Ms: number;
  /** Share of the BF16 peak approached at long sequences. */
  readonly etaMax: number;
  /** Length scale of the efficiency ramp η(s) = etaMax·(1 − e^(−s/scale)), tokens: short KV loops run below peak. */
  readonly lengthScale: number;
}

/**
 * Causal prefill attention: `flops` of QKᵀ and PV over the pass, `kvLen` the KV length one query tile loops
 * over (mean chunk end, or the window), `bytes` of Q/O/KV traffic; HBM side at `etaMem`.
 */
export function contextAttnMs(c: ContextAttnClass, peak: number, bw: number, etaMem: number,
  flops: number, kvLen: number, bytes: number): number {
  const eta = c.etaMax * (1 - Math.exp(-kvLen / c.lengthScale));
  const compute = flops / (eta * peak);
  const memory = bytes / (etaMem * bw);
  return c.t0Ms + (compute > memory ? compute : memory) * 1e3;
}

/** Decode attention kernel (paged KV read, one query token per request). */
export interface GenAttnClass {
  /** Fixed cost per call, ms. */
  readonly t0Ms: number;
  /** Share of HBM bandwidth reached reading KV when enough work is in flight. */
  readonly etaKv: number;
  /** Bandwidth one (request × KV head) work item streams at, B/s: few items cannot fill the GPU. */
  readonly itemBw: number;
  /** Fixed cost per (request × KV head) work item (page-table walk, Q load, output write, split-KV merge), ms. */
  readonly itemMs: number;
  /** Share of the BF16 peak the attention maths reaches (binds only for MLA's wide heads). */
  readonly etaCompute: number;
}

/**
 * Decode attention: read `kvBytes` of KV split over `items` independent (request × KV head) work items,
 * and do `flops` of maths. Bandwidth is the lesser of the HBM share and what the items can pull.
 */
export function genAttnMs(c: GenAttnClass, peak: number, bw: number, kvBytes: number, items: number, flops: number): number {
  const rate = Math.min(c.etaKv * bw, items * c.itemBw);
  const memory = kvBytes / rate;
  const compute = flops / (c.etaCompute * peak);
  return c.t0Ms + c.itemMs * items + (compute > memory ? compute : memory) * 1e3;
}

/** Custom all-reduce (one-shot/two-shot over NVLink) per group size. */
export interface AllReduceClass {
  /** Latency floor of one all-reduce (launch, flag exchange), ms. */
  readonly alphaMs: number;
  /** Bus bandwidth reached at TP 2 / 4 / 8 as a share of the one-direction link bandwidth. */
  readonly busShare2: number;
  readonly busShare4: number;
  readonly busShare8: number;
}

/** Bus-bandwidth share for a group of `n` GPUs (groups larger than 8 use the TP8 share). */
export function arBusShare(c: AllReduceClass, n: number): number {
  return n <= 2 ? c.busShare2 : n <= 4 ? c.busShare4 : c.busShare8;
}

/**
 * All-reduce of `bytes` over `n` GPUs, ring cost 2(n−1)/n·bytes/busBW. `linkBw` is the per-GPU one-direction
 * bandwidth of the slowest link the group crosses (NVLink inside a node, the inter-node NIC across nodes).
 */
export function allReduceMs(c: AllReduceClass, n: number, bytes: number, linkBw: number, alphaMs = c.alphaMs): number {
  if (n <= 1) return 0;
  return alphaMs + 2 * (n - 1) / n * bytes / (arBusShare(c, n) * linkBw) * 1e3;
}

/** Expert-parallel token exchange (dispatch before the experts, combine after). */
export interface AllToAllClass {
  /** Latency floor of one dispatch or one combine, ms. */
  readonly alphaMs: number;
  /** Share of the one-direction link bandwidth the exchange reaches. */
  readonly busShare: number;
}

/**
 * Dispatch + combine for `tokens` local tokens of width `hidden` over a group of `n` ranks: each token
 * goes to the ranks holding its top-k experts (≈ n·(1 − (1 − 1/n)^k) distinct ranks), (n−1)/n of which are
 * remote; dispatch sends `dispatchBytes` per element (FP8 or BF16), combine returns BF16.
 */
export function allToAllMs(c: AllToAllClass, n: number, tokens: number, hidden: number, topk: number,
  dispatchBytes: number, linkBw: number): number {
  if (n <= 1) return 0;
  const ranksPerToken = n * (1 - Math.pow(1 - 1 / n, topk));
  const copies = tokens * ranksPerToken * (n - 1) / n;
  const bytes = copies * hidden * (dispatchBytes + 2);
  return 2 * c.alphaMs + bytes / (c.busShare * linkBw) * 1e3;
}

/** Element-wise work per layer (norms, RoPE, residual adds, activation, KV write, quantisation). */
export interface ElementwiseClass {
  /** Launch-bound floor of one layer's element-wise kernels, ms. */
  readonly layerMs: number;
  /** Bytes moved per token per hidden element per layer (reads + writes, BF16). */
  readonly bytesPerTokenHidden: number;
}

export function elementwiseMs(c: ElementwiseClass, bw: number, etaMem: number, tokens: number, hidden: number): number {
  return c.layerMs + c.bytesPerTokenHidden * tokens * hidden / (etaMem * bw) * 1e3;
}

/** Linear-attention (Gated DeltaNet) recurrent state update, generation phase. */
export interface LinearAttnClass {
  /** Fixed cost per call, ms. */
  readonly t0Ms: number;
  /** Share of HBM bandwidth reading and writing the per-request state. */
  readonly etaMem: number;
}

/** One GDN layer's decode step: each request reads and writes its fixed recurrent state (`stateBytes`). */
export function linearAttnMs(c: LinearAttnClass, bw: number, requests: number, stateBytes: number): number {
  return c.t0Ms + 2 * requests * stateBytes / (c.etaMem * bw) * 1e3;
}
