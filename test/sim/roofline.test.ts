import { describe, expect, it } from 'vitest';
import { createRooflineModel, type RooflineOptions } from '../../sim/timing/roofline.js';
import { GPU_NAMES } from '../../sim/catalog/gpus.js';
import { MODEL_NAMES } from '../../sim/catalog/models.js';
import { deriveNumGpuBlocks } from '../../sim/catalog/kv-capacity.js';

const llama70: RooflineOptions = { gpu: 'h200_sxm', model: 'llama-3.1-70b', tp: 8, weightDtype: 'fp8', kvDtype: 'bf16' };

describe('createRooflineModel options', () => {
  it('rejects unknown names and bad options with clear errors', () => {
    expect(() => createRooflineModel({ ...llama70, gpu: 'h300' })).toThrow(/unknown GPU "h300"; expected one of: a100_sxm/);
    expect(() => createRooflineModel({ ...llama70, model: 'gpt-5' })).toThrow(/unknown model "gpt-5"; expected one of:/);
    expect(() => createRooflineModel({ ...llama70, tp: 0 })).toThrow(/tp must be an integer in 1\.\.8/);
    expect(() => createRooflineModel({ ...llama70, tp: 16 })).toThrow(/1\.\.8/);
    expect(() => createRooflineModel({ ...llama70, tp: 3 })).toThrow(/does not divide the 64 attention heads/);
    expect(() => createRooflineModel({ ...llama70, gpu: 'a100_sxm' })).toThrow(/a100_sxm" has no FP8 tensor cores/);
    expect(() => createRooflineModel({ ...llama70, weightDtype: 'int4' as 'fp8' })).toThrow(/unknown weightDtype "int4"/);
    expect(() => createRooflineModel({ ...llama70, kvDtype: 'fp16' as 'fp8' })).toThrow(/unknown kvDtype/);
    expect(() => createRooflineModel({ ...llama70, framework: 'trtllm' as 'vllm' })).toThrow(/unknown framework "trtllm"/);
    expect(() => createRooflineModel({ ...llama70, gpu: 'a100_sxm', weightDtype: 'bf16' })).not.toThrow();
  });
});

describe('roofline pass times', () => {
  const tm = createRooflineModel(llama70);

  it('returns 0 for empty parts', () => {
    expect(tm.prefillMs(0, 0, 0, 0)).toBe(0);
    expect(tm.decodeMs(0, 0, 0, 1e6)).toBe(0);
    expect(tm.mixedMs(0, 0, 0, 0, 0, 0, 0, 1e6)).toBe(0);
  });

  it('grows with work', () => {
    expect(tm.decodeMs(4, 0, 8000, 1e6)).toBeGreaterThan(tm.decodeMs(4, 0, 4000, 1e6));
    expect(tm.decodeMs(64, 0, 64000, 1e6)).toBeGreaterThan(tm.decodeMs(8, 0, 64000, 1e6));
    expect(tm.prefillMs(1, 2048, 0, 2048 ** 2)).toBeGreaterThan(tm.prefillMs(1, 1024, 0, 1024 ** 2));
    expect(tm.prefillMs(2, 4096, 0, 2 * 2048 ** 2)).toBeGreaterThan(tm.prefillMs(1, 2048, 0, 2048 ** 2));
    // A cached prefix saves the GEMMs of its tokens.
    expect(tm.prefillMs(1, 4096, 3072, 4096 ** 2 - 3072 ** 2)).toBeLessThan(tm.prefillMs(1, 4096, 0, 4096 ** 2));
    let prev = 0;
    for (let t = 1; t <= 40000; t += 997) {
      const ms = tm.prefillMs(1, t, 0, t * t);
      expect(ms).toBeGreaterThan(prev);
      prev = ms;
    }
  });

  it('more TP means less weight time', () => {
    let prev = Infinity;
    for (const tp of [1, 2, 4, 8]) {
      const ms = createRooflineModel({ ...llama70, tp }).decodeMs(1, 0, 16, 1e6);
      expect(ms).toBeLessThan(prev);
      prev = ms;
    }
  });

  it('mixing streams the weights once', () => {
    const p = tm.prefillMs(1, 1024, 0, 1024 ** 2);
    const d = tm.decodeMs(8, 0, 8 * 1500, 1e6);
    const m = tm.mixedMs(1, 1024, 0, 1024 ** 2, 8, 0, 8 * 1500, 1e6);
    expect(m).toBeLessThan(p + d);
    expect(m).toBeGreaterThan(Math.max(p, d));
    expect(tm.mixedMs(0, 0, 0, 0, 8, 0, 8 * 1500, 1e6)).toBeCloseTo(d, 9);
  });

  it('is deterministic across the per-token-count caches', () => {
    const a = tm.decodeMs(5, 0, 7000, 1e6);
    expect(tm.decodeMs(5, 0, 7000, 1e6)).toBe(a);
    const big = tm.prefillMs(1, 20000, 0, 20000 ** 2);
    expect(tm.prefillMs(1, 20000, 0, 20000 ** 2)).toBe(big);
  });

  it('SGLang pays less per-pass overhead than vLLM', () => {
    const sg = createRooflineModel({ ...llama70, framework: 'sglang' });
    expect(sg.decodeMs(4, 0, 6000, 1e6)).toBeLessThan(tm.decodeMs(4, 0, 6000, 1e6));
  });
});

describe('§5.4 sanity against measured vLLM TPOT', () => {
  it('Llama-3.1-70B FP8, H200, TP8, batch 4, context 1.5k ≈ 7.93 ms', () => {
    const ms = createRooflineModel(llama70).decodeMs(4, 0, 4 * 1536, 1e6);
    expect(ms).toBeGreaterThan(7.93 * 0.7);
    expect(ms).toBeLessThan(7.93 * 1.3);
  });

  it('Qwen3-32B BF16, H100, TP2, batch 8, context 1.5k ≈ 15.90 ms', () => {
    const tm = createRooflineModel({ gpu: 'h100_sxm', model: 'qwen3-32b', tp: 2, weightDtype: 'bf16', kvDtype: 'bf16' });
    const ms = tm.decodeMs(8, 0, 8 * 1536, 1e6);
    expect(ms).toBeGreaterThan(15.9 * 0.7);
    expect(ms).toBeLessThan(15.9 * 1.3);
  });
});

describe('every GPU × model', () => {
  /** Smallest TP (FP8 where the GPU has it) whose weights fit; TP8 when nothing fits. */
  function fittingOptions(gpu: string, model: string): RooflineOptions {
    const dtypes = gpu === 'a100_sxm' ? (['bf16'] as const) : (['fp8', 'bf16'] as const);
    for (const weightDtype of dtypes) {
      for (const tp of [1, 2, 4, 8]) {
        const o = { gpu, model, tp, weightDtype, kvDtype: 'bf16' } as const;
        try {
          deriveNumGpuBlocks({ ...o, blockSize: 16 });
          return o;
        } catch { /* try the next size */ }
      }
    }
    return { gpu, model, tp: 8, weightDtype: dtypes[0], kvDtype: 'bf16' };
  }

  for (const gpu of GPU_NAMES) {
    for (const model of MODEL_NAMES) {
      it(`${gpu} × ${model}`, () => {
        const tm = createRooflineModel(fittingOptions(gpu, model));
        const times = [
          tm.decodeMs(1, 0, 100, 1e6),
          tm.decodeMs(256, 0, 256 * 3000, 1e6),
          tm.prefillMs(1, 8192, 0, 8192 ** 2),
          tm.prefillMs(4, 4 * 30000, 4 * 28000, 4 * (30000 ** 2 - 28000 ** 2)),
          tm.mixedMs(2, 4096, 1024, 2 * (2048 ** 2 - 512 ** 2), 32, 0, 32 * 2000, 1e6),
        ];
        for (const t of times) {
          expect(Number.isFinite(t)).toBe(true);
          expect(t).toBeGreaterThan(0);
        }
      });
    }
  }
});
