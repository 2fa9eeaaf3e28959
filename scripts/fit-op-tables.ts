/**
 * Longer than 400 lines: one fitting procedure per op class (GEMM, attention, MLA, MoE, communication)
 * over the same table loader and error report, kept together so the fits stay comparable.
 *
 * Fits the per-GPU op constants of sim/timing/ops.ts to AI Configurator's measured per-op tables and writes
 * sim/timing/op-efficiency.ts.
 *
 *   npm run fit:ops                # fit, print op-level error per GPU × framework × op class, write the table
 *   npm run fit:ops -- --dry-run   # fit and print only
 *
 * Input: data/calibration/aic/data/<gpu>/<family>/<framework>/<version>/*.parquet (a copy of the tables
 * from ai-dynamo/aiconfigurator @ 095f58a5, Apache-2.0). Each op class is fitted by minimising the mean
 * squared log error of exactly the formula in ops.ts over the table's rows (Nelder–Mead on transformed
 * parameters, so efficiencies stay in (0, 1] and times positive). Rows that imply more than the
 * hardware peak are dropped and counted (they are measurement artefacts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { getGpu, type GpuSpec } from '../sim/catalog/gpus.js';
import {
  allReduceMs, contextAttnMs, gemmMs, genAttnMs, moeMs,
  type AllReduceClass, type ContextAttnClass, type GemmClass, type GenAttnClass, type MoeClass,
} from '../sim/timing/ops.js';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'data/calibration/aic/data');
const OUT = join(ROOT, 'sim/timing/op-efficiency.ts');
const GPUS = ['h100_sxm', 'h200_sxm', 'b200_sxm'] as const;
const FRAMEWORKS = { vllm: '0.19.0', sglang: '0.5.10' } as const;
type Fw = keyof typeof FRAMEWORKS;
type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const str = (v: unknown): string => String(v);

async function load(gpu: string, family: string, fw: Fw, file: string): Promise<Row[]> {
  const path = join(DATA, gpu, family, fw, FRAMEWORKS[fw], `${file}.parquet`);
  try {
    return await parquetReadObjects({ file: await asyncBufferFromFile(path), compressors }) as Row[];
  } catch {
    return [];
  }
}

// ---------- optimiser ----------

/** Parameter with a transform from an unconstrained variable. */
interface Param { name: string; lo: number; hi: number; init: number }
const toX = (p: Param, v: number): number => {
  const u = (Math.log(v) - Math.log(p.lo)) / (Math.log(p.hi) - Math.log(p.lo));
  const c = Math.min(1 - 1e-9, Math.max(1e-9, u));
  return Math.log(c / (1 - c));
};
const fromX = (p: Param, x: number): number => Math.exp(Math.log(p.lo) + (Math.log(p.hi) - Math.log(p.lo)) / (1 + Math.exp(-x)));

function nelderMead(f: (x: number[]) => number, x0: number[], iters: number): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + 0.8 : v)))];
  let vals = simplex.map(f);
  for (let it = 0; it < iters; it++) {
    const order = vals.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    simplex = order.map((i) => simplex[i]);
    vals = order.map((i) => vals[i]);
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j], 0) / n);
    const worst = simplex[n];
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst[j] - c));
    const xr = along(-1); const fr = f(xr);
    if (fr < vals[0]) {
      const xe = along(-2); const fe = f(xe);
      if (fe < fr) { simplex[n] = xe; vals[n] = fe; } else { simplex[n] = xr; vals[n] = fr; }
    } else if (fr < vals[n - 1]) { simplex[n] = xr; vals[n] = fr; } else {
      const xc = along(0.5); const fc = f(xc);
      if (fc < vals[n]) { simplex[n] = xc; vals[n] = fc; } else {
        for (let i = 1; i <= n; i++) { simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j])); vals[i] = f(simplex[i]); }
      }
    }
  }
  const best = vals.indexOf(Math.min(...vals));
  return simplex[best];
}

/** Fit `params` so that model(values, row) matches row latency in log space; restarts shake off local minima. */
function fit<C, R>(params: Param[], rows: R[], measured: (r: R) => number, model: (c: C, r: R) => number): { c: C; values: number[] } {
  const lat = rows.map(measured);
  const loss = (x: number[]): number => {
    const c = obj(params, x.map((xi, i) => fromX(params[i], xi))) as C;
    let s = 0;
    for (let i = 0; i < rows.length; i++) {
      const e = Math.log(model(c, rows[i]) / lat[i]);
      s += Number.isFinite(e) ? e * e : 1e6;
    }
    return s / rows.length;
  };
  let x = params.map((p) => toX(p, p.init));
  for (let round = 0; round < 3; round++) x = nelderMead(loss, x, 200 * params.length);
  const values = x.map((xi, i) => fromX(params[i], xi));
  return { c: rounded(obj(params, values) as C), values };
}

/** Deterministic thinning to at most `max` rows (every k-th). */
function thin<R>(rows: R[], max: number): R[] {
  if (rows.length <= max) return rows;
  const step = rows.length / max;
  const out: R[] = [];
  for (let i = 0; i < max; i++) out.push(rows[Math.floor(i * step)]);
  return out;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

interface Report { gpu: string; fw: string; cls: string; n: number; dropped: number; median: number; p90: number; note?: string }
const reports: Report[] = [];
function report(gpu: string, fw: string, cls: string, errs: number[], dropped: number, note?: string): void {
  reports.push({ gpu, fw, cls, n: errs.length, dropped, median: quantile(errs, 0.5), p90: quantile(errs, 0.9), note });
}

const round = (v: number): number => Number(v.toPrecision(4));
const obj = (params: Param[], values: number[]): Record<string, number> => {
  const o: Record<string, number> = {};
  for (let i = 0; i < params.length; i++) o[params[i].name] = values[i];
  return o;
};
const rounded = <C>(c: C): C => Object.fromEntries(Object.entries(c as Record<string, number>).map(([k, v]) => [k, round(v)])) as C;

// ---------- GEMM ----------

const GEMM_DTYPES: Record<string, { bytes: number; peak: (g: GpuSpec) => number | undefined }> = {
  bfloat16: { bytes: 2, peak: (g) => g.bf16Flops },
  fp8: { bytes: 1, peak: (g) => g.fp8Flops },
  fp8_block: { bytes: 1 + 4 / (128 * 128), peak: (g) => g.fp8Flops },
  nvfp4: { bytes: 4.5 / 8, peak: (g) => g.fp4Flops },
};

function gemmParams(): Param[] {
  return [
    { name: 't0Ms', lo: 0.001, hi: 0.05, init: 0.006 },
    { name: 'etaCompute', lo: 0.2, hi: 1, init: 0.7 },
    { name: 'etaMem', lo: 0.3, hi: 1, init: 0.85 },
    { name: 'kOverhead', lo: 1, hi: 4096, init: 128 },
    { name: 'actBytes', lo: 0.001, hi: 32, init: 1 },
  ];
}

async function fitGemm(gpu: string, fw: Fw): Promise<Record<string, GemmClass>> {
  const g = getGpu(gpu);
  const rows = await load(gpu, 'gemm', fw, 'gemm_perf');
  const out: Record<string, GemmClass> = {};
  for (const [dtype, d] of Object.entries(GEMM_DTYPES)) {
    const peak = d.peak(g);
    if (peak === undefined) continue;
    // LLM projections per rank are at least 512 wide; the table's 32–256 shapes are launch-bound toys.
    const all = rows.filter((r) => str(r.gemm_dtype) === dtype && num(r.n) >= 512 && num(r.k) >= 512 && num(r.m) <= 16384);
    if (all.length === 0) continue;
    const ok = all.filter((r) => {
      const m = num(r.m); const n = num(r.n); const k = num(r.k); const t = num(r.latency) * 1e-3;
      return 2 * m * n * k / t <= peak && d.bytes * n * k / t <= g.memBw;
    });
    const sample = thin(ok, 3000);
    const params = gemmParams();
    const model = (c: GemmClass, r: Row): number => gemmMs(c, peak, g.memBw, d.bytes, num(r.m), num(r.n), num(r.k));
    const { c } = fit(params, sample, (r) => num(r.latency), model);
    const errs = ok.map((r) => Math.abs(gemmMs(c, peak, g.memBw, d.bytes, num(r.m), num(r.n), num(r.k)) / num(r.latency) - 1));
    report(gpu, fw, `gemm ${dtype}`, errs, all.length - ok.length);
    out[dtype] = c;
  }
  return out;
}


// ---------- attention ----------

const kvElemBytes = (d: unknown): number => (str(d) === 'fp8' ? 1 : 2);

interface AttnRow { b: number; s: number; hq: number; hkv: number; d: number; window: number; kvB: number; lat: number }
function attnRows(rows: Row[], generation: boolean): AttnRow[] {
  return rows.filter((r) => str(r.attn_dtype) === 'bfloat16').map((r) => ({
    b: num(r.batch_size), s: generation ? num(r.isl) + num(r.step) : num(r.isl), hq: num(r.num_heads),
    hkv: num(r.num_key_value_heads), d: num(r.head_dim), window: r.window_size === undefined ? 0 : num(r.window_size),
    kvB: kvElemBytes(r.kv_cache_dtype), lat: num(r.latency),
  }));
}

/** Causal prefill FLOPs of b sequences of length s (QKᵀ + PV, per head 2·d·s² for the full causal triangle). */
export function contextFlops(b: number, s: number, hq: number, dqk: number, dv: number, window: number): number {
  if (window > 0 && s > window) return 2 * b * hq * (dqk + dv) * (s * window - window * window / 2);
  return b * hq * (dqk + dv) * s * s;
}

const ETA_MEM_ATTN = 0.8;

function contextAttnModel(c: ContextAttnClass, g: GpuSpec, r: AttnRow): number {
  const flops = contextFlops(r.b, r.s, r.hq, r.d, r.d, r.window);
  const span = r.window > 0 ? Math.min(r.s, r.window) : r.s;
  const bytes = r.b * r.s * (2 * r.hq * r.d * 2 + 2 * r.hkv * r.d * r.kvB);
  return contextAttnMs(c, g.bf16Flops, g.memBw, ETA_MEM_ATTN, flops, span, bytes);
}

const CONTEXT_PARAMS: Param[] = [
  { name: 't0Ms', lo: 0.002, hi: 0.05, init: 0.01 },
  { name: 'etaMax', lo: 0.1, hi: 1, init: 0.55 },
  { name: 'lengthScale', lo: 50, hi: 20000, init: 2000 },
];

async function fitContextAttn(gpu: string, fw: Fw): Promise<ContextAttnClass | undefined> {
  const g = getGpu(gpu);
  // One kernel per framework: B200 SGLang also times a Triton fallback, and head widths beyond 128 that no catalog model uses.
  const raw = (await load(gpu, 'attention', fw, 'context_attention_perf')).filter((r) => str(r.kernel_source) !== 'triton');
  const all = attnRows(raw, false).filter((r) => r.s >= 16 && r.d <= 128);
  // Rows faster than the BF16 peak cannot be right (the H200 vLLM 0.19 table is mostly such rows).
  const ok = all.filter((r) => contextFlops(r.b, r.s, r.hq, r.d, r.d, r.window) / (r.lat * 1e-3) <= g.bf16Flops);
  if (ok.length < 0.95 * all.length || ok.length < 50) {
    report(gpu, fw, 'context attention', [], all.length - ok.length, 'table implausible (faster than peak); uses the other framework');
    return undefined;
  }
  const { c } = fit<ContextAttnClass, AttnRow>(CONTEXT_PARAMS, thin(ok, 4000), (r) => r.lat, (c, r) => contextAttnModel(c, g, r));
  report(gpu, fw, 'context attention', ok.map((r) => Math.abs(contextAttnModel(c, g, r) / r.lat - 1)), all.length - ok.length);
  return c;
}

function genAttnModel(c: GenAttnClass, g: GpuSpec, r: AttnRow): number {
  const kv = r.window > 0 ? Math.min(r.s, r.window) : r.s;
  const kvBytes = r.b * kv * 2 * r.hkv * r.d * r.kvB;
  return genAttnMs(c, g.bf16Flops, g.memBw, kvBytes, r.b * r.hkv, 4 * r.b * r.hq * r.d * kv);
}

const GEN_PARAMS: Param[] = [
  { name: 't0Ms', lo: 0.002, hi: 0.05, init: 0.01 },
  { name: 'etaKv', lo: 0.3, hi: 1, init: 0.85 },
  { name: 'itemBw', lo: 1e9, hi: 1e12, init: 3e10 },
  { name: 'itemMs', lo: 1e-7, hi: 1e-3, init: 2e-5 },
  { name: 'etaCompute', lo: 0.05, hi: 1, init: 0.5 },
];

async function fitGenAttn(gpu: string, fw: Fw): Promise<GenAttnClass> {
  const g = getGpu(gpu);
  // One KV format per fit: the tables time BF16 and FP8 caches, whose kernels differ beyond the bytes
  // (FP8 reads dequantise; on Hopper they are barely faster). Deployments keep the KV cache in BF16 unless told.
  const all = attnRows(await load(gpu, 'attention', fw, 'generation_attention_perf'), true).filter((r) => r.kvB === 2);
  const ok = all.filter((r) => r.b * Math.min(r.s, r.window || r.s) * 2 * r.hkv * r.d * r.kvB / (r.lat * 1e-3) <= g.memBw);
  const { c } = fit<GenAttnClass, AttnRow>(GEN_PARAMS, thin(ok, 4000), (r) => r.lat, (c, r) => genAttnModel(c, g, r));
  report(gpu, fw, 'generation attention', ok.map((r) => Math.abs(genAttnModel(c, g, r) / r.lat - 1)), all.length - ok.length);
  return c;
}

// ---------- all-reduce ----------

const AR_PARAMS: Param[] = [
  { name: 'alphaMs', lo: 0.001, hi: 0.05, init: 0.005 },
  { name: 'busShare2', lo: 0.1, hi: 1.5, init: 0.6 },
  { name: 'busShare4', lo: 0.1, hi: 1.5, init: 0.6 },
  { name: 'busShare8', lo: 0.1, hi: 1.5, init: 0.8 },
];

async function fitAllReduce(gpu: string, fw: Fw): Promise<AllReduceClass> {
  const g = getGpu(gpu);
  // CUDA-graph captures: decode replays graphs, and eager launches overlap with the GPU in prefill.
  const rows = (await load(gpu, 'comm', fw, 'custom_allreduce_perf'))
    .filter((r) => /graph/i.test(str(r.kernel_source)) && num(r.message_size) <= 2 ** 28)
    .map((r) => ({ n: num(r.num_gpus), bytes: 2 * num(r.message_size), lat: num(r.latency) }));
  type R = (typeof rows)[number];
  const model = (c: AllReduceClass, r: R): number => allReduceMs(c, r.n, r.bytes, g.intraNodeBw);
  const { c } = fit<AllReduceClass, R>(AR_PARAMS, rows, (r) => r.lat, model);
  report(gpu, fw, 'all-reduce', rows.map((r) => Math.abs(model(c, r) / r.lat - 1)), 0);
  return c;
}

// ---------- MoE ----------

const MOE_DTYPES: Record<string, { bytes: number; peak: (g: GpuSpec) => number | undefined }> = {
  bfloat16: { bytes: 2, peak: (g) => g.bf16Flops },
  fp8: { bytes: 1, peak: (g) => g.fp8Flops },
  fp8_block: { bytes: 1 + 4 / (128 * 128), peak: (g) => g.fp8Flops },
  // Weight-only 4-bit: dequantised in the kernel, maths at BF16.
  w4a16_mxfp4: { bytes: 4.25 / 8, peak: (g) => g.bf16Flops },
  int4_wo: { bytes: 4.25 / 8, peak: (g) => g.bf16Flops },
  nvfp4: { bytes: 4.5 / 8, peak: (g) => g.fp4Flops },
  w4a8_mxfp4_mxfp8: { bytes: 4.25 / 8, peak: (g) => g.fp8Flops },
};

const MOE_PARAMS: Param[] = [
  { name: 't0Ms', lo: 0.003, hi: 0.2, init: 0.03 },
  { name: 'expertMs', lo: 1e-5, hi: 0.02, init: 0.001 },
  { name: 'etaCompute', lo: 0.1, hi: 1, init: 0.6 },
  { name: 'etaMem', lo: 0.3, hi: 1, init: 0.85 },
  { name: 'padRows', lo: 1, hi: 512, init: 64 },
  { name: 'kOverhead', lo: 1, hi: 4096, init: 256 },
  { name: 'routeBytes', lo: 0.01, hi: 100, init: 4 },
];

interface MoeRow { tokens: number; hidden: number; inter: number; topk: number; experts: number; moeTp: number; moeEp: number; lat: number }

async function fitMoe(gpu: string, fw: Fw): Promise<Record<string, MoeClass>> {
  const g = getGpu(gpu);
  const raw = await load(gpu, 'moe', fw, 'moe_perf');
  const out: Record<string, MoeClass> = {};
  for (const [dtype, d] of Object.entries(MOE_DTYPES)) {
    const peak = d.peak(g);
    if (peak === undefined) continue;
    // Balanced routing, as the pass model assumes; power-law rows are reported in the docs, not fitted.
    // SGLang's non-DeepEP expert-parallel path runs a different kernel whose per-rank time does not drop
    // with ep up to 8 in these tables; its EP serving path (DeepEP) is not tabled here, so fit its TP rows.
    const rows: MoeRow[] = raw.filter((r) => str(r.moe_dtype) === dtype && str(r.distribution) === 'balanced'
      && num(r.moe_tp_size) * num(r.moe_ep_size) <= 64 && (fw === 'vllm' || num(r.moe_ep_size) === 1)).map((r) => ({
      tokens: num(r.num_tokens), hidden: num(r.hidden_size), inter: num(r.inter_size), topk: num(r.topk),
      experts: num(r.num_experts), moeTp: num(r.moe_tp_size), moeEp: num(r.moe_ep_size), lat: num(r.latency),
    }));
    if (rows.length < 30) continue;
    const model = (c: MoeClass, r: MoeRow): number => moeMs(c, peak, g.memBw, d.bytes, r);
    const { c } = fit<MoeClass, MoeRow>(MOE_PARAMS, thin(rows, 3000), (r) => r.lat, model);
    const errs = rows.map((r) => Math.abs(model(c, r) / r.lat - 1));
    report(gpu, fw, `moe ${dtype}`, errs, 0);
    const tpOnly = rows.filter((r) => r.moeEp === 1 && r.tokens >= 1024);
    if (tpOnly.length > 0) report(gpu, fw, `  moe ${dtype} T≥1k ep1`, tpOnly.map((r) => Math.abs(model(c, r) / r.lat - 1)), 0);
    const prefill = rows.filter((r) => r.tokens >= 1024);
    if (prefill.length > 0) report(gpu, fw, `  moe ${dtype} T≥1k`, prefill.map((r) => Math.abs(model(c, r) / r.lat - 1)), 0);
    out[dtype] = c;
  }
  return out;
}

// ---------- MLA (DeepSeek-V3 geometry: h 7168, q_lora 1536, kv_lora 512, rope 64, nope 128, v 128) ----------

const DS = { h: 7168, q: 1536, kv: 512, rope: 64, nope: 128, v: 128 };

/** MLA projections of one layer on one rank for `m` tokens (vLLM fuses q_a and kv_a). */
export function mlaGemmsMs(gm: GemmClass, bf16: GemmClass, peak: number, bfPeak: number, bw: number, wB: number,
  m: number, hq: number, absorbed: boolean): number {
  let t = gemmMs(gm, peak, bw, wB, m, DS.q + DS.kv + DS.rope, DS.h)
    + gemmMs(gm, peak, bw, wB, m, hq * (DS.nope + DS.rope), DS.q)
    + gemmMs(gm, peak, bw, wB, m, DS.h, hq * DS.v);
  if (absorbed) {
    // Absorbed decode: q_nope·W_UK and the latent output ·W_UV run as per-head BF16 BMMs.
    t += gemmMs(bf16, bfPeak, bw, 2, m, hq * DS.kv, DS.nope) + gemmMs(bf16, bfPeak, bw, 2, m, hq * DS.v, DS.kv);
  } else {
    t += gemmMs(gm, peak, bw, wB, m, hq * (DS.nope + DS.v), DS.kv);
  }
  return t;
}

interface MlaRow { b: number; s: number; hq: number; kvB: number; gemm: string; lat: number }

function mlaRows(rows: Row[], generation: boolean): MlaRow[] {
  return rows.filter((r) => str(r.mla_dtype) === 'bfloat16').map((r) => ({
    b: num(r.batch_size), s: generation ? num(r.isl) + num(r.step) : num(r.isl), hq: num(r.num_heads),
    kvB: kvElemBytes(r.kv_cache_dtype), gemm: r.gemm_type === undefined ? '' : str(r.gemm_type), lat: num(r.latency),
  }));
}

function mlaContextAttn(c: ContextAttnClass, g: GpuSpec, r: MlaRow): number {
  const flops = contextFlops(r.b, r.s, r.hq, DS.nope + DS.rope, DS.v, 0);
  const bytes = r.b * r.s * (r.hq * (DS.nope + DS.rope + DS.v) * 2 * 2 + (DS.kv + DS.rope) * r.kvB);
  return contextAttnMs(c, g.bf16Flops, g.memBw, ETA_MEM_ATTN, flops, r.s, bytes);
}

function mlaGenAttn(c: GenAttnClass, g: GpuSpec, r: MlaRow): number {
  const kvBytes = r.b * r.s * (DS.kv + DS.rope) * r.kvB;
  return genAttnMs(c, g.bf16Flops, g.memBw, kvBytes, r.b, 2 * r.b * r.hq * (2 * DS.kv + DS.rope) * r.s);
}

async function fitMla(gpu: string, fw: Fw, gemm: Record<string, GemmClass>): Promise<{ context?: ContextAttnClass; generation?: GenAttnClass }> {
  const g = getGpu(gpu);
  const module = fw === 'vllm';
  const ctxRows = mlaRows(await load(gpu, 'mla', fw, module ? 'mla_context_module_perf' : 'context_mla_perf'), false).filter((r) => r.s >= 16);
  // BF16 latent cache only: SGLang 0.5.10's FP8-latent decode on Hopper is 1.5–5× slower than BF16 (another kernel path).
  const genRows = mlaRows(await load(gpu, 'mla', fw, module ? 'mla_generation_module_perf' : 'generation_mla_perf'), true).filter((r) => r.kvB === 2);
  // vLLM's tables time the whole attention module: price its projections with the fitted GEMM classes.
  const proj = (r: MlaRow, m: number, absorbed: boolean): number => {
    if (!module) return 0;
    const fp8 = r.gemm === 'fp8_block';
    const gm = fp8 ? gemm.fp8_block : gemm.bfloat16;
    return mlaGemmsMs(gm, gemm.bfloat16, fp8 ? g.fp8Flops! : g.bf16Flops, g.bf16Flops, g.memBw, fp8 ? 1 : 2, m, r.hq, absorbed);
  };
  const out: { context?: ContextAttnClass; generation?: GenAttnClass } = {};
  if (ctxRows.length > 0) {
    const model = (c: ContextAttnClass, r: MlaRow): number => proj(r, r.b * r.s, false) + mlaContextAttn(c, g, r);
    const { c } = fit<ContextAttnClass, MlaRow>(CONTEXT_PARAMS, thin(ctxRows, 3000), (r) => r.lat, model);
    report(gpu, fw, module ? 'context MLA module' : 'context MLA', ctxRows.map((r) => Math.abs(model(c, r) / r.lat - 1)), 0);
    out.context = c;
  }
  if (genRows.length > 0) {
    const model = (c: GenAttnClass, r: MlaRow): number => proj(r, r.b, true) + mlaGenAttn(c, g, r);
    const { c } = fit<GenAttnClass, MlaRow>(GEN_PARAMS, thin(genRows, 3000), (r) => r.lat, model);
    report(gpu, fw, module ? 'generation MLA module' : 'generation MLA', genRows.map((r) => Math.abs(model(c, r) / r.lat - 1)), 0);
    out.generation = c;
  }
  return out;
}

// ---------- main ----------

async function main(): Promise<void> {
  const dry = process.argv.includes('--dry-run');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const result: Record<string, Record<string, unknown>> = {};
  // --gemm-cache=FILE reuses (or stores) the slow GEMM fits while iterating on the other classes.
  const cacheFile = process.argv.find((a) => a.startsWith('--gemm-cache='))?.slice(13);
  const gemmCache = cacheFile && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Record<string, GemmClass>> : undefined;
  const gemmFits: Record<string, Record<string, GemmClass>> = {};
  for (const gpu of GPUS) {
    for (const fw of Object.keys(FRAMEWORKS) as Fw[]) {
      const cls: Record<string, unknown> = {};
      const want = (k: string): boolean => !only || only.split(',').includes(k);
      const gemm = gemmCache?.[`${gpu}/${fw}`] ?? await fitGemm(gpu, fw);
      gemmFits[`${gpu}/${fw}`] = gemm;
      if (want('gemm')) cls.gemm = gemm;
      if (want('attn')) { cls.contextAttn = await fitContextAttn(gpu, fw); cls.generationAttn = await fitGenAttn(gpu, fw); }
      if (want('ar')) cls.allReduce = await fitAllReduce(gpu, fw);
      if (want('moe')) cls.moe = await fitMoe(gpu, fw);
      if (want('mla')) { const m = await fitMla(gpu, fw, gemm); cls.contextMla = m.context; cls.generationMla = m.generation; }
      result[`${gpu}/${fw}`] = cls;
      console.error(`fitted ${gpu} ${fw}`);
    }
  }
  if (cacheFile && !gemmCache) writeFileSync(cacheFile, JSON.stringify(gemmFits));
  console.log('gpu       framework  op class                rows  dropped  median err  p90 err');
  for (const r of reports) {
    console.log(`${r.gpu.padEnd(9)} ${r.fw.padEnd(10)} ${r.cls.padEnd(22)} ${String(r.n).padStart(6)} ${String(r.dropped).padStart(8)} ${(100 * r.median).toFixed(1).padStart(9)}% ${(100 * r.p90).toFixed(1).padStart(7)}%${r.note ? `  ${r.note}` : ''}`);
  }
  // A class whose table was implausible borrows the other framework's fit on the same GPU (same kernel family).
  for (const gpu of GPUS) {
    for (const fw of Object.keys(FRAMEWORKS) as Fw[]) {
      const other = result[`${gpu}/${fw === 'vllm' ? 'sglang' : 'vllm'}`];
      const mine = result[`${gpu}/${fw}`];
      if (mine.contextAttn === undefined && other.contextAttn !== undefined) mine.contextAttn = other.contextAttn;
    }
  }
  if (dry) { console.log(JSON.stringify(result, null, 1)); return; }
  writeFileSync(OUT, render(result));
  console.error(`wrote ${OUT}`);
}

function render(result: Record<string, Record<string, unknown>>): string {
  const lines: string[] = [];
  lines.push('/**');
  lines.push(' * GENERATED by scripts/fit-op-tables.ts from the AI Configurator per-op tables in data/calibration/aic/data/');
  lines.push(' * (vLLM 0.19.0 and SGLang 0.5.10; ai-dynamo/aiconfigurator @ 095f58a5, Apache-2.0). Do not edit by hand:');
  lines.push(' * regenerate with `npm run fit:ops`. Each class holds the constants of the formula of the same name in');
  lines.push(' * ./ops.ts, fitted per GPU and framework by minimising squared log error; meanings are documented there.');
  lines.push(' * OP_FIT_ERRORS lists the op-level error of each fit (|predicted/measured − 1| over the table rows).');
  lines.push(' */');
  lines.push("import type { AllReduceClass, ContextAttnClass, GemmClass, GenAttnClass, MoeClass } from './ops.js';");
  lines.push('');
  lines.push('/** GPUs with measured tables. */');
  lines.push(`export type MeasuredGpu = ${GPUS.map((g) => `'${g}'`).join(' | ')};`);
  lines.push('/** Frameworks with measured tables. */');
  lines.push("export type MeasuredFramework = 'vllm' | 'sglang';");
  lines.push('/** GEMM kernel classes: weight dtype as AIC names it. */');
  lines.push("export type GemmKernel = 'bfloat16' | 'fp8' | 'fp8_block' | 'nvfp4';");
  lines.push('/** Fused-MoE kernel classes: expert weight dtype (and activation dtype) as AIC names it. */');
  lines.push("export type MoeKernel = 'bfloat16' | 'fp8' | 'fp8_block' | 'w4a16_mxfp4' | 'int4_wo' | 'nvfp4' | 'w4a8_mxfp4_mxfp8';");
  lines.push('');
  lines.push('/** Fitted op constants of one GPU with one framework. */');
  lines.push('export interface OpTable {');
  lines.push('  readonly gemm: Readonly<Partial<Record<GemmKernel, GemmClass>>>;');
  lines.push('  readonly contextAttn: ContextAttnClass;');
  lines.push('  readonly generationAttn: GenAttnClass;');
  lines.push('  readonly allReduce: AllReduceClass;');
  lines.push('  readonly moe: Readonly<Partial<Record<MoeKernel, MoeClass>>>;');
  lines.push('  readonly contextMla: ContextAttnClass;');
  lines.push('  readonly generationMla: GenAttnClass;');
  lines.push('}');
  lines.push('');
  lines.push('export const OP_TABLES: Readonly<Record<MeasuredGpu, Readonly<Record<MeasuredFramework, OpTable>>>> = {');
  for (const gpu of GPUS) {
    lines.push(`  ${gpu}: {`);
    for (const fw of Object.keys(FRAMEWORKS)) {
      lines.push(`    ${fw}: {`);
      for (const [cls, v] of Object.entries(result[`${gpu}/${fw}`])) {
        const flat = (o: unknown): string => JSON.stringify(o).replace(/"([a-zA-Z_0-9]+)":/g, '$1: ').replace(/,/g, ', ');
        const isMap = cls === 'gemm' || cls === 'moe';
        if (!isMap) { lines.push(`      ${cls}: ${flat(v)},`); continue; }
        lines.push(`      ${cls}: {`);
        for (const [k, c] of Object.entries(v as Record<string, unknown>)) lines.push(`        ${k}: ${flat(c)},`);
        lines.push('      },');
      }
      lines.push('    },');
    }
    lines.push('  },');
  }
  lines.push('};');
  lines.push('');
  lines.push('/** Op-level fit quality: rows compared, rows dropped as implausible, median and p90 of |predicted/measured − 1|. */');
  lines.push('export const OP_FIT_ERRORS: readonly { gpu: string; framework: string; op: string; rows: number; dropped: number; median: number; p90: number }[] = [');
  for (const r of reports) {
    if (r.n === 0) continue;
    lines.push(`  { gpu: '${r.gpu}', framework: '${r.fw}', op: '${r.cls.trim()}', rows: ${r.n}, dropped: ${r.dropped}, median: ${round(r.median)}, p90: ${round(r.p90)} },`);
  }
  lines.push('];');
  lines.push('');
  return lines.join('\n');
}

await main();
