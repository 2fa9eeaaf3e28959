import { describe, expect, it } from 'vitest';
import { getGpu } from '../../sim/catalog/gpus.js';
import { allReduceMs, contextAttnMs, gemmMs, genAttnMs, moeMs, type MoeShape } from '../../sim/timing/ops.js';
import { OP_FIT_ERRORS, OP_TABLES, type MeasuredGpu } from '../../sim/timing/op-efficiency.js';

/**
 * A handful of rows of AI Configurator's per-op tables (data/calibration/aic/data/<gpu>/…; GEMM, MoE,
 * generation attention and all-reduce from vLLM 0.19.0, context attention from SGLang 0.5.10), latency in
 * ms, against the fitted formulas. Tolerance: the class's p90 error from the fit (1.5× for slack).
 */
const ROWS: Record<MeasuredGpu, Record<string, number>> = {
  h100_sxm: { gemmBf16_m1: 0.04785, gemmBf16_m4096: 0.7298, gemmFp8_m4096: 0.5570, moeDs_tp8_16k: 4.723, moeDs_tp8_1: 0.06684, moeQwen_tp4_4k: 0.9670, ctx_64_8_4k: 0.5292, gen_8_1_b64_4k: 0.05653, ar_tp8_8M: 0.09237 },
  h200_sxm: { gemmBf16_m1: 0.03867, gemmBf16_m4096: 0.7371, gemmFp8_m4096: 0.4891, moeDs_tp8_16k: 4.487, moeDs_tp8_1: 0.05678, moeQwen_tp4_4k: 0.9136, ctx_64_8_4k: 0.4804, gen_8_1_b64_4k: 0.04793, ar_tp8_8M: 0.08718 },
  b200_sxm: { gemmBf16_m1: 0.02411, gemmBf16_m4096: 0.3493, gemmFp8_m4096: 0.6089, moeDs_tp8_16k: 9.985, moeDs_tp8_1: 0.04373, moeQwen_tp4_4k: 0.9931, gen_8_1_b64_4k: 0.02733, ar_tp8_8M: 0.06236 },
};

function tolerance(gpu: string, framework: string, op: string): number {
  const e = OP_FIT_ERRORS.find((r) => r.gpu === gpu && r.framework === framework && r.op === op);
  expect(e, `${gpu} ${framework} ${op} has a fit report`).toBeDefined();
  return 1.5 * e!.p90;
}

describe('op formulas reproduce measured table rows within the fit tolerance', () => {
  for (const gpuName of Object.keys(ROWS) as MeasuredGpu[]) {
    const gpu = getGpu(gpuName);
    const v = OP_TABLES[gpuName].vllm;
    const s = OP_TABLES[gpuName].sglang;
    const rows = ROWS[gpuName];
    const check = (pred: number, meas: number, tol: number): void => {
      expect(Math.abs(pred / meas - 1)).toBeLessThanOrEqual(tol);
    };
    it(`${gpuName} GEMM`, () => {
      const bf = v.gemm.bfloat16!;
      const tol = tolerance(gpuName, 'vllm', 'gemm bfloat16');
      check(gemmMs(bf, gpu.bf16Flops, gpu.memBw, 2, 1, 8192, 8192), rows.gemmBf16_m1, tol);
      check(gemmMs(bf, gpu.bf16Flops, gpu.memBw, 2, 4096, 8192, 8192), rows.gemmBf16_m4096, tol);
      check(gemmMs(v.gemm.fp8!, gpu.fp8Flops!, gpu.memBw, 1, 4096, 10240, 8192), rows.gemmFp8_m4096, tolerance(gpuName, 'vllm', 'gemm fp8'));
    });
    it(`${gpuName} fused MoE (DeepSeek-V3 shape at TP8, Qwen3-235B shape at TP4)`, () => {
      const c = v.moe.fp8_block!;
      const tol = tolerance(gpuName, 'vllm', 'moe fp8_block');
      const ds = (tokens: number): MoeShape => ({ tokens, hidden: 7168, inter: 2048, topk: 8, experts: 256, moeTp: 8, moeEp: 1 });
      const wB = 1 + 4 / (128 * 128);
      check(moeMs(c, gpu.fp8Flops!, gpu.memBw, wB, ds(16384)), rows.moeDs_tp8_16k, tol);
      check(moeMs(c, gpu.fp8Flops!, gpu.memBw, wB, ds(1)), rows.moeDs_tp8_1, tol);
      const qwen: MoeShape = { tokens: 4096, hidden: 4096, inter: 1536, topk: 8, experts: 128, moeTp: 4, moeEp: 1 };
      check(moeMs(c, gpu.fp8Flops!, gpu.memBw, wB, qwen), rows.moeQwen_tp4_4k, tol);
    });
    it(`${gpuName} attention and all-reduce`, () => {
      if (rows.ctx_64_8_4k !== undefined) {
        // 64 query heads, 8 KV heads, head 128, one 4k-token sequence: causal FLOPs hq·2d·s².
        const flops = 64 * 256 * 4096 * 4096;
        const bytes = 4096 * (2 * 64 * 128 * 2 + 2 * 8 * 128 * 2);
        check(contextAttnMs(s.contextAttn, gpu.bf16Flops, gpu.memBw, s.generationAttn.etaKv, flops, 4096, bytes), rows.ctx_64_8_4k,
          tolerance(gpuName, 'sglang', 'context attention'));
      }
      // 64 requests × 4096 KV tokens, one KV head of 128, BF16.
      const kvBytes = 64 * 4096 * 2 * 128 * 2;
      check(genAttnMs(v.generationAttn, gpu.bf16Flops, gpu.memBw, kvBytes, 64, 4 * 64 * 8 * 128 * 4096), rows.gen_8_1_b64_4k,
        tolerance(gpuName, 'vllm', 'generation attention'));
      check(allReduceMs(v.allReduce, 8, 2 * 8388608, gpu.intraNodeBw), rows.ar_tp8_8M, tolerance(gpuName, 'vllm', 'all-reduce'));
    });
  }
});

describe('op formulas are monotone in their work', () => {
  const gpu = getGpu('h200_sxm');
  const t = OP_TABLES.h200_sxm.vllm;
  it('GEMM, MoE and attention never get cheaper with more tokens', () => {
    let prev = { g: 0, m: 0, c: 0, d: 0 };
    for (let x = 1; x <= 32768; x = Math.ceil(x * 1.37)) {
      const cur = {
        g: gemmMs(t.gemm.fp8_block!, gpu.fp8Flops!, gpu.memBw, 1, x, 7168, 2048),
        m: moeMs(t.moe.fp8_block!, gpu.fp8Flops!, gpu.memBw, 1, { tokens: x, hidden: 7168, inter: 2048, topk: 8, experts: 256, moeTp: 8, moeEp: 1 }),
        c: contextAttnMs(t.contextAttn, gpu.bf16Flops, gpu.memBw, 0.8, 64 * 256 * x * x, x, x * 40960),
        d: genAttnMs(t.generationAttn, gpu.bf16Flops, gpu.memBw, 32 * x * 4096, 32 * 8, 32 * 4 * 64 * 128 * x),
      };
      expect(cur.g).toBeGreaterThanOrEqual(prev.g);
      expect(cur.m).toBeGreaterThanOrEqual(prev.m);
      expect(cur.c).toBeGreaterThanOrEqual(prev.c);
      expect(cur.d).toBeGreaterThanOrEqual(prev.d);
      prev = cur;
    }
  });
});

describe('op constants are live', () => {
  it('decode attention turns compute-bound with many query heads per KV head', () => {
    const gpu = getGpu('h200_sxm');
    const c = OP_TABLES.h200_sxm.vllm.generationAttn;
    // 512 query heads on one 128-wide KV head (an MLA-like ratio): 1024 FLOPs per KV byte.
    const args = [gpu.bf16Flops, gpu.memBw, 64 * 8192 * 2 * 128 * 2, 64, 64 * 4 * 512 * 128 * 8192] as const;
    expect(genAttnMs({ ...c, etaCompute: c.etaCompute * 1.5 }, ...args)).not.toBe(genAttnMs(c, ...args));
  });
});

describe('fit quality', () => {
  it('every measured GPU × framework has the classes the pass model needs, with finite errors', () => {
    for (const gpu of Object.keys(OP_TABLES) as MeasuredGpu[]) {
      for (const fw of ['vllm', 'sglang'] as const) {
        const t = OP_TABLES[gpu][fw];
        expect(t.gemm.bfloat16).toBeDefined();
        expect(t.gemm.fp8_block).toBeDefined();
        expect(t.moe.bfloat16).toBeDefined();
        expect(t.moe.fp8_block).toBeDefined();
        for (const c of [t.contextAttn, t.generationAttn, t.allReduce, t.contextMla, t.generationMla]) {
          for (const v of Object.values(c)) expect(Number.isFinite(v) && v > 0).toBe(true);
        }
      }
    }
    for (const r of OP_FIT_ERRORS) {
      expect(Number.isFinite(r.median)).toBe(true);
      expect(r.median).toBeLessThan(0.6);
    }
  });
});
