import { describe, expect, it } from 'vitest';
import { GPU_NAMES, GPUS, getGpu, ncclMemBytes } from '../../sim/catalog/gpus.js';
import {
  MODEL_NAMES, getModel, kvBytesPerToken, validateTp, weightBytesPerGpu,
} from '../../sim/catalog/models.js';
import { deriveNumGpuBlocks } from '../../sim/catalog/kv-capacity.js';

describe('GPU catalog', () => {
  it('holds the seven GPUs with positive specs', () => {
    expect(GPU_NAMES).toEqual(['a100_sxm', 'b200_sxm', 'gb200', 'h100_sxm', 'h200_sxm', 'l40s', 'mi300x']);
    for (const name of GPU_NAMES) {
      const g = getGpu(name);
      expect(g.name).toBe(name);
      for (const v of [g.memBw, g.memCapacity, g.bf16Flops, g.intraNodeBw, g.pcieBw, g.gpusPerNode, g.otherMem]) {
        expect(v).toBeGreaterThan(0);
      }
    }
  });

  it('matches the AIC system specs', () => {
    expect(GPUS.h100_sxm.memBw).toBe(3.35e12);
    expect(GPUS.h100_sxm.memCapacity).toBe(85899345920);
    expect(GPUS.h200_sxm.memCapacity).toBe(151397597184);
    expect(GPUS.b200_sxm.fp4Flops).toBe(9e15);
    expect(GPUS.a100_sxm.fp8Flops).toBeUndefined();
    expect(GPUS.l40s.interconnect).toBe('pcie');
    expect(GPUS.mi300x.source).toBe('spec-only');
    expect(ncclMemBytes(GPUS.h200_sxm, 1)).toBe(0);
    expect(ncclMemBytes(GPUS.h200_sxm, 8)).toBe(411041792);
  });

  it('names the valid GPUs when a name is unknown', () => {
    expect(() => getGpu('h300')).toThrow(
      'unknown GPU "h300"; expected one of: a100_sxm, b200_sxm, gb200, h100_sxm, h200_sxm, l40s, mi300x');
    expect(() => getGpu('toString')).toThrow(/unknown GPU/);
  });
});

describe('model catalog', () => {
  it('names the valid models when a name is unknown', () => {
    expect(() => getModel('llama-4')).toThrow(
      'unknown model "llama-4"; expected one of: deepseek-v3, gpt-oss-120b, llama-3.1-70b, llama-3.1-8b, '
      + 'minimax-m2.5, qwen3-235b-a22b, qwen3-32b');
  });

  it('KV bytes per token per GPU', () => {
    expect(kvBytesPerToken('llama-3.1-70b', 1, 'bf16')).toBe(327680);
    expect(kvBytesPerToken('qwen3-32b', 1, 'bf16')).toBe(262144);
    expect(kvBytesPerToken('llama-3.1-8b', 1, 'bf16')).toBe(131072);
    expect(kvBytesPerToken('llama-3.1-70b', 1, 'fp8')).toBe(163840);
    expect(kvBytesPerToken('llama-3.1-70b', 8, 'bf16')).toBe(40960);
    // 4 KV heads at TP8: each is replicated on two ranks, one head per GPU.
    expect(kvBytesPerToken('qwen3-235b-a22b', 1, 'bf16')).toBe(192512);
    expect(kvBytesPerToken('qwen3-235b-a22b', 8, 'bf16')).toBe(94 * 2 * 128 * 2);
    // MLA latent (512 + 64 RoPE) is replicated on every rank.
    expect(kvBytesPerToken('deepseek-v3', 1, 'bf16')).toBe(61 * 576 * 2);
    expect(kvBytesPerToken('deepseek-v3', 8, 'bf16')).toBe(61 * 576 * 2);
    // gpt-oss: only the 18 full-attention layers grow with context.
    expect(kvBytesPerToken('gpt-oss-120b', 1, 'bf16')).toBe(18 * 2 * 8 * 64 * 2);
  });

  it('weights add up to the published parameter counts', () => {
    const params = (m: string): number => weightBytesPerGpu(m, 1, 'bf16') / 2;
    expect(params('llama-3.1-8b') / 1e9).toBeCloseTo(8.03, 1);
    expect(params('llama-3.1-70b') / 1e9).toBeCloseTo(70.6, 0);
    expect(params('qwen3-32b') / 1e9).toBeCloseTo(32.8, 0);
    expect(params('qwen3-235b-a22b') / 235e9).toBeCloseTo(1, 1);
    expect(params('deepseek-v3') / 671e9).toBeCloseTo(1, 1);
    expect(params('minimax-m2.5') / 229e9).toBeCloseTo(1, 1);
    // gpt-oss-120b: MXFP4 experts + BF16 rest ≈ 65 GB checkpoint.
    expect(weightBytesPerGpu('gpt-oss-120b', 1, 'bf16') / 1e9).toBeGreaterThan(60);
    expect(weightBytesPerGpu('gpt-oss-120b', 1, 'bf16') / 1e9).toBeLessThan(68);
  });

  it('weights shrink with TP and FP8', () => {
    for (const m of MODEL_NAMES) {
      const one = weightBytesPerGpu(m, 1, 'bf16');
      expect(weightBytesPerGpu(m, 2, 'bf16')).toBeLessThan(one);
      expect(weightBytesPerGpu(m, 8, 'bf16')).toBeLessThan(weightBytesPerGpu(m, 4, 'bf16'));
      expect(weightBytesPerGpu(m, 1, 'fp8')).toBeLessThan(one);
    }
    expect(weightBytesPerGpu('llama-3.1-70b', 1, 'fp8') / weightBytesPerGpu('llama-3.1-70b', 1, 'bf16')).toBeCloseTo(0.51, 1);
  });

  it('rejects TP sizes that do not split the heads', () => {
    expect(() => validateTp('llama-3.1-70b', 0)).toThrow(/tp must be an integer in 1\.\.8/);
    expect(() => validateTp('llama-3.1-70b', 16)).toThrow(/1\.\.8/);
    expect(() => validateTp('llama-3.1-70b', 1.5)).toThrow(/1\.\.8/);
    expect(() => validateTp('llama-3.1-70b', 3)).toThrow(/does not divide the 64 attention heads/);
    expect(() => validateTp('minimax-m2.5', 6)).toThrow(/8 KV heads/);
    expect(() => kvBytesPerToken('qwen3-32b', 5, 'bf16')).toThrow(/does not divide/);
    for (const m of MODEL_NAMES) for (const tp of [1, 2, 4, 8]) expect(() => validateTp(m, tp)).not.toThrow();
  });
});

describe('deriveNumGpuBlocks', () => {
  const base = { gpu: 'h200_sxm', model: 'llama-3.1-70b', tp: 1, weightDtype: 'fp8', kvDtype: 'bf16', blockSize: 16 } as const;

  it('follows the memory budget', () => {
    const budget = 151397597184 * 0.9 - weightBytesPerGpu('llama-3.1-70b', 1, 'fp8') - 3758096384;
    expect(deriveNumGpuBlocks(base)).toBe(Math.floor(budget / (327680 * 16)));
    expect(deriveNumGpuBlocks({ ...base, kvDtype: 'fp8' })).toBeGreaterThanOrEqual(2 * deriveNumGpuBlocks(base));
    expect(deriveNumGpuBlocks({ ...base, gpuMemoryUtilization: 0.95 })).toBeGreaterThan(deriveNumGpuBlocks(base));
    expect(deriveNumGpuBlocks({ ...base, tp: 4 })).toBeGreaterThan(4 * deriveNumGpuBlocks(base));
  });

  it('says how much memory is missing when the model does not fit', () => {
    expect(() => deriveNumGpuBlocks({ ...base, gpu: 'h100_sxm', weightDtype: 'bf16' }))
      .toThrow(/llama-3\.1-70b \(bf16\) does not fit on 1× h100_sxm: needs 14\d\.\d GB .* 77\.3 GB available/);
  });

  it('rejects bad options', () => {
    expect(() => deriveNumGpuBlocks({ ...base, blockSize: 0 })).toThrow(/blockSize/);
    expect(() => deriveNumGpuBlocks({ ...base, gpuMemoryUtilization: 1.5 })).toThrow(/gpuMemoryUtilization/);
    expect(() => deriveNumGpuBlocks({ ...base, gpu: 'h300' })).toThrow(/unknown GPU "h300"/);
    expect(() => deriveNumGpuBlocks({ ...base, tp: 3 })).toThrow(/does not divide/);
  });
});
