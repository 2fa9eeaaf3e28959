import { describe, expect, it } from 'vitest';
import { GPU_NAMES, GPUS, getGpu, groupLinkBw, ncclMemBytes } from '../../sim/catalog/gpus.js';
import {
  MODEL_NAMES, catalogModelFor, getModel, gpuKvBytesPerToken, gpuLinearStateBytesPerRequest, gpuSlidingWindowBytesPerRequest,
  gpuWeightBreakdown, gpuWeightBytes, kvBytesPerToken, modelParams, uniformQuant, validateModelParallelism, validateTp,
  weightBytesPerGpu,
} from '../../sim/catalog/models.js';
import { aicQuantModeDtype, dtypeBytes, gemmPeak, weightBits } from '../../sim/catalog/dtypes.js';
import { aicRowQuant, checkpointFor } from '../../sim/catalog/checkpoints.js';
import { tensorParallel, type Parallelism } from '../../sim/catalog/parallelism.js';
import { deriveNumGpuBlocks } from '../../sim/catalog/kv-capacity.js';

describe('GPU catalog', () => {
  it('holds the nine GPUs with positive specs', () => {
    expect(GPU_NAMES).toEqual(['a100_sxm', 'b200_sxm', 'b300_sxm', 'gb200', 'gb300', 'h100_sxm', 'h200_sxm', 'l40s', 'mi300x']);
    for (const name of GPU_NAMES) {
      const g = getGpu(name);
      expect(g.name).toBe(name);
      for (const v of [g.memBw, g.memCapacity, g.bf16Flops, g.intraNodeBw, g.pcieBw, g.gpusPerNode, g.otherMem,
        g.interNodeBw, g.scaleOutBw, g.nvlinkDomain, g.p2pLatencyMs, g.powerW]) {
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

  it('has the Blackwell Ultra systems and multi-node fields from the AIC YAMLs', () => {
    expect(GPUS.b300_sxm.memCapacity).toBe(288400343040);
    expect(GPUS.b300_sxm.fp4Flops).toBe(14e15);
    expect(GPUS.b300_sxm.smVersion).toBe(103);
    expect(GPUS.gb300.memCapacity).toBe(298013687808);
    expect(GPUS.gb300.fp4Flops).toBe(15e15);
    expect(GPUS.gb300.gpusPerNode).toBe(4);
    // NVL72: another tray is still NVLink; leaving the rack is the 100 GB/s network.
    expect(GPUS.gb200.nvlinkDomain).toBe(72);
    expect(GPUS.gb200.interNodeBw).toBe(900e9);
    expect(GPUS.gb200.scaleOutBw).toBe(100e9);
    expect(GPUS.h100_sxm.interNodeBw).toBe(50e9);
    expect(GPUS.b200_sxm.interNodeBw).toBe(100e9);
    expect(GPUS.a100_sxm.interNodeBw).toBe(25e9);
    expect(GPUS.h200_sxm.p2pLatencyMs).toBe(0.01);
    expect(GPUS.l40s.nvlinkDomain).toBe(1);
    expect(GPUS.h100_sxm.arch).toBe('hopper');
    expect(GPUS.gb300.arch).toBe('blackwell');
    expect(GPUS.mi300x.arch).toBe('cdna3');
    expect(groupLinkBw(GPUS.gb200, 16)).toBe(900e9);
    expect(groupLinkBw(GPUS.gb200, 144)).toBe(100e9);
    expect(groupLinkBw(GPUS.h200_sxm, 8)).toBe(450e9);
    expect(groupLinkBw(GPUS.h200_sxm, 16)).toBe(50e9);
  });

  it('names the valid GPUs when a name is unknown', () => {
    expect(() => getGpu('h300')).toThrow(
      'unknown GPU "h300"; expected one of: a100_sxm, b200_sxm, b300_sxm, gb200, gb300, h100_sxm, h200_sxm, l40s, mi300x');
    expect(() => getGpu('toString')).toThrow(/unknown GPU/);
  });
});

describe('model catalog', () => {
  it('names the valid models when a name is unknown', () => {
    expect(() => getModel('llama-4')).toThrow(
      'unknown model "llama-4"; expected one of: deepseek-v3, glm-5, gpt-oss-120b, kimi-k2.5, llama-3.1-70b, llama-3.1-8b, '
      + 'minimax-m2.5, qwen3-235b-a22b, qwen3-32b, qwen3.5-397b-a17b');
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

describe('new architectures', () => {
  it('match their published total / active parameter counts', () => {
    const within = (x: number, target: number, tol: number): void => expect(Math.abs(x / target - 1)).toBeLessThan(tol);
    // Qwen3.5-397B-A17B: 397B / 17B (the 397B includes the vision tower and MTP layer, not counted here).
    within(modelParams('qwen3.5-397b-a17b').total, 397e9, 0.01);
    within(modelParams('qwen3.5-397b-a17b').active, 17e9, 0.03);
    // GLM-5: 744B / 40B active (ours counts the LM head and indexers in the active set: 41.8B).
    within(modelParams('glm-5').total, 744e9, 0.01);
    within(modelParams('glm-5').active, 40e9, 0.05);
    // Kimi-K2.5: ~1T / 32B.
    within(modelParams('kimi-k2.5').total, 1.03e12, 0.02);
    within(modelParams('kimi-k2.5').active, 32e9, 0.05);
    // The older MoE models still add up.
    within(modelParams('deepseek-v3').active, 37e9, 0.03);
    within(modelParams('gpt-oss-120b').total, 117e9, 0.01);
  });

  it('KV bytes per token: hybrid linear attention, DSA and MLA', () => {
    // Qwen3.5: 15 full-attention layers × K+V × 2 KV heads × 256 × 2 B; at TP8 each rank keeps one replicated head.
    expect(kvBytesPerToken('qwen3.5-397b-a17b', 1, 'bf16')).toBe(15 * 2 * 2 * 256 * 2);
    expect(kvBytesPerToken('qwen3.5-397b-a17b', 8, 'bf16')).toBe(15 * 2 * 1 * 256 * 2);
    // GLM-5: 78 layers × (512 + 64 latent × dtype + 132 B FP8 indexer key with its scale).
    expect(kvBytesPerToken('glm-5', 8, 'bf16')).toBe(78 * (576 * 2 + 132));
    expect(kvBytesPerToken('glm-5', 8, 'fp8')).toBe(78 * (576 + 132));
    // Kimi-K2.5: DeepSeek MLA, 61 layers.
    expect(kvBytesPerToken('kimi-k2.5', 4, 'bf16')).toBe(61 * 576 * 2);
  });

  it('prices the Gated DeltaNet state per request', () => {
    // 45 layers × (64 value heads × 128 × 128 FP32 state + (2·16·128 + 64·128) channels × 3 past inputs × 2 B).
    const perLayer = 64 * 128 * 128 * 4 + (2 * 16 * 128 + 64 * 128) * 3 * 2;
    expect(gpuLinearStateBytesPerRequest('qwen3.5-397b-a17b', tensorParallel(1))).toBe(45 * perLayer);
    expect(gpuLinearStateBytesPerRequest('qwen3.5-397b-a17b', tensorParallel(8))).toBe(45 * perLayer / 8);
    expect(gpuLinearStateBytesPerRequest('llama-3.1-8b', tensorParallel(1))).toBe(0);
    // gpt-oss: 18 sliding layers keep 128 tokens × 2 × 8 heads × 64 × 2 B each.
    expect(gpuSlidingWindowBytesPerRequest('gpt-oss-120b', tensorParallel(1), 'bf16')).toBe(18 * 128 * 2 * 8 * 64 * 2);
  });
});

describe('dtypes', () => {
  it('stores block scales with the values', () => {
    expect(weightBits('bf16')).toBe(16);
    expect(weightBits('fp8')).toBe(8);
    expect(weightBits('fp8_block')).toBeCloseTo(8.00195, 5);
    expect(weightBits('nvfp4')).toBe(4.5);
    expect(weightBits('mxfp4')).toBe(4.25);
    expect(weightBits('int4')).toBe(4.125);
    expect(weightBits('int4_g32')).toBe(4.5);
    expect(dtypeBytes('nvfp4')).toBe(0.5625);
    expect(() => weightBits('fp6' as 'fp8')).toThrow(/unknown dtype "fp6"/);
  });

  it('reads the AIC quant-mode columns', () => {
    expect(aicQuantModeDtype('')).toBe('bf16');
    expect(aicQuantModeDtype('fp8')).toBe('fp8');
    expect(aicQuantModeDtype('fp8_block')).toBe('fp8_block');
    expect(aicQuantModeDtype('nvfp4')).toBe('nvfp4');
    expect(aicQuantModeDtype('w4a16_mxfp4')).toBe('mxfp4');
    expect(() => aicQuantModeDtype('int3')).toThrow(/unknown AIC quant mode "int3"/);
  });

  it('picks the tensor-core peak per GPU generation', () => {
    expect(gemmPeak(GPUS.b200_sxm, 'nvfp4')).toEqual({ flops: 9e15, math: 'fp4', dequant: false });
    expect(gemmPeak(GPUS.b200_sxm, 'mxfp4').math).toBe('fp4');
    // Hopper has no FP4 tensor cores: W4A16 at the BF16 peak by default, W4A8 at the FP8 peak on request.
    expect(gemmPeak(GPUS.h200_sxm, 'nvfp4')).toEqual({ flops: 989e12, math: 'bf16', dequant: true });
    expect(gemmPeak(GPUS.h200_sxm, 'mxfp4', 'fp8')).toEqual({ flops: 1978e12, math: 'fp8', dequant: true });
    expect(gemmPeak(GPUS.h100_sxm, 'fp8_block')).toEqual({ flops: 1978e12, math: 'fp8', dequant: false });
    expect(gemmPeak(GPUS.a100_sxm, 'fp8')).toEqual({ flops: 312e12, math: 'bf16', dequant: true });
    expect(gemmPeak(GPUS.b200_sxm, 'int4_g32').math).toBe('bf16');
    expect(gemmPeak(GPUS.h100_sxm, 'bf16')).toEqual({ flops: 989e12, math: 'bf16', dequant: false });
  });
});

describe('Hugging Face paths and checkpoints', () => {
  it('maps AIC model paths to catalog architectures', () => {
    const cases: [string, string | null][] = [
      ['deepseek-ai/DeepSeek-R1', 'deepseek-v3'],
      ['deepseek-ai/DeepSeek-V3', 'deepseek-v3'],
      ['nvidia/DeepSeek-V3.1-NVFP4', 'deepseek-v3'],
      ['meta-llama/Llama-3.1-8B-Instruct', 'llama-3.1-8b'],
      ['nvidia/Llama-3.1-8B-Instruct-FP8', 'llama-3.1-8b'],
      ['meta-llama/Llama-3.1-70B', 'llama-3.1-70b'],
      ['meta-llama/Meta-Llama-3.1-70B-Instruct', 'llama-3.1-70b'],
      ['nvidia/Llama-3.1-70B-Instruct-FP8', 'llama-3.1-70b'],
      ['Qwen/Qwen3-235B-A22B-FP8', 'qwen3-235b-a22b'],
      ['Qwen/Qwen3-32B', 'qwen3-32b'],
      ['MiniMaxAI/MiniMax-M2.5', 'minimax-m2.5'],
      ['openai/gpt-oss-120b', 'gpt-oss-120b'],
      ['zai-org/GLM-5', 'glm-5'],
      ['zai-org/GLM-5-FP8', 'glm-5'],
      ['nvidia/GLM-5-NVFP4', 'glm-5'],
      ['moonshotai/Kimi-K2.5', 'kimi-k2.5'],
      ['nvidia/Kimi-K2.5-NVFP4', 'kimi-k2.5'],
      ['Qwen/Qwen3.5-397B-A17B', 'qwen3.5-397b-a17b'],
      ['QWEN/QWEN3.5-397B-A17B-NVFP4', 'qwen3.5-397b-a17b'],
      // DSA makes V3.2 a different architecture; unknown models are null.
      ['deepseek-ai/DeepSeek-V3.2', null],
      ['openai/gpt-oss-20b', null],
      ['mistralai/Mistral-7B-Instruct-v0.3', null],
      ['', null],
    ];
    for (const [path, key] of cases) expect(catalogModelFor(path), path).toBe(key);
  });

  it('knows which tensors each release quantises', () => {
    expect(checkpointFor('nvidia/GLM-5-NVFP4')!.quant).toEqual({ attention: 'bf16', dense: 'nvfp4', sharedExpert: 'nvfp4', routedExpert: 'nvfp4' });
    expect(checkpointFor('nvidia/GLM-5-NVFP4')!.kvDtype).toBe('fp8');
    expect(checkpointFor('nvidia/Qwen3.5-397B-A17B-NVFP4')!.quant.sharedExpert).toBe('bf16');
    expect(checkpointFor('nvidia/DeepSeek-V3.1-NVFP4')!.quant.attentionOutput).toBe('nvfp4');
    expect(checkpointFor('moonshotai/Kimi-K2.5')!.quant.routedExpert).toBe('int4_g32');
    expect(checkpointFor('deepseek-ai/DeepSeek-R1')!.quant.routedExpert).toBe('fp8_block');
    // An unlisted re-quantisation follows its publisher's layout; unknown architectures are null.
    expect(checkpointFor('nvidia/DeepSeek-R1-FP4')!.quant.routedExpert).toBe('nvfp4');
    expect(checkpointFor('someone/Qwen3-32B-FP8-Dynamic')!.model).toBe('qwen3-32b');
    expect(checkpointFor('foo/bar')).toBeNull();
  });

  it('NVFP4 weight bytes', () => {
    // Qwen3.5 NVFP4: 60 layers × 512 experts × 3·4096·1024 weights at 4.5 bits; everything else BF16.
    const q = checkpointFor('nvidia/Qwen3.5-397B-A17B-NVFP4')!;
    const b = gpuWeightBreakdown('qwen3.5-397b-a17b', tensorParallel(1), q.quant);
    expect(b.routedExperts).toBe(60 * 512 * 3 * 4096 * 1024 * 4.5 / 8);
    expect(b.total / 1e9).toBeGreaterThan(230);
    expect(b.total / 1e9).toBeLessThan(245);
    // At EP8 each GPU holds 64 of the 512 experts.
    const ep8: Parallelism = { tp: 8, pp: 1, attnDp: 1, moeTp: 1, moeEp: 8 };
    expect(gpuWeightBreakdown('qwen3.5-397b-a17b', ep8, q.quant).routedExperts).toBe(b.routedExperts / 8);
    // Kimi-K2.5 as released (INT4 g32 experts) ≈ 595 GB; its NVFP4 release stores the same experts in as many bits.
    const kimi = gpuWeightBytes('kimi-k2.5', tensorParallel(1), checkpointFor('moonshotai/Kimi-K2.5')!.quant);
    expect(kimi / 1e9).toBeGreaterThan(585);
    expect(kimi / 1e9).toBeLessThan(605);
    // GLM-5 NVFP4 is well under its 744B × 2 B BF16 size.
    const glm = gpuWeightBytes('glm-5', tensorParallel(1), checkpointFor('nvidia/GLM-5-NVFP4')!.quant);
    expect(glm / gpuWeightBytes('glm-5', tensorParallel(1), 'bf16')).toBeLessThan(0.32);
  });

  it('reconciles AIC row quant modes with the checkpoint', () => {
    // gpt-oss rows say nvfp4 for the MXFP4 experts and leave the BF16 attention alone.
    expect(aicRowQuant('openai/gpt-oss-120b', 'nvfp4', 'nvfp4')).toEqual(
      { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'mxfp4' });
    expect(aicRowQuant('deepseek-ai/DeepSeek-R1', 'fp8', 'fp8_block')).toEqual(
      { attention: 'fp8', dense: 'fp8', sharedExpert: 'fp8', routedExpert: 'fp8_block' });
    expect(aicRowQuant('meta-llama/Llama-3.1-70B', 'fp8', 'fp8').attention).toBe('fp8');
    expect(aicRowQuant('Qwen/Qwen3-32B', '', '')).toEqual(uniformQuant('qwen3-32b', 'bf16'));
    expect(() => aicRowQuant('foo/bar', 'fp8', 'fp8')).toThrow(/not in the catalog/);
  });
});

describe('parallel layouts', () => {
  const dsv3 = 'deepseek-v3';

  it('keeps the tp-only functions equal to the layout-aware ones', () => {
    for (const m of MODEL_NAMES) {
      for (const tp of [1, 2, 4, 8]) {
        expect(weightBytesPerGpu(m, tp, 'fp8')).toBe(gpuWeightBytes(m, tensorParallel(tp), 'fp8'));
        expect(kvBytesPerToken(m, tp, 'bf16')).toBe(gpuKvBytesPerToken(m, tensorParallel(tp), 'bf16'));
      }
    }
  });

  it('splits experts over EP, replicates attention over attention DP', () => {
    const tp8 = tensorParallel(8);
    const dep8: Parallelism = { tp: 1, pp: 1, attnDp: 8, moeTp: 1, moeEp: 8 };
    const a = gpuWeightBreakdown(dsv3, tp8, 'fp8_block');
    const b = gpuWeightBreakdown(dsv3, dep8, 'fp8_block');
    // 32 whole experts per GPU hold as many bytes as 256 experts split 8 ways.
    expect(b.routedExperts).toBe(a.routedExperts);
    expect(b.attention).toBeGreaterThan(4 * a.attention);
    expect(b.embeddings).toBe(8 * a.embeddings);
    // MLA's latent is the same on every rank, TP or DP.
    expect(gpuKvBytesPerToken(dsv3, dep8, 'fp8')).toBe(61 * 576);
    expect(gpuKvBytesPerToken(dsv3, tp8, 'fp8')).toBe(61 * 576);
  });

  it('gives a pipeline stage its share of layers and one vocabulary table', () => {
    const pp2: Parallelism = { tp: 1, pp: 2, attnDp: 1, moeTp: 1, moeEp: 1 };
    const one = gpuWeightBreakdown('llama-3.1-70b', tensorParallel(1), 'bf16');
    const half = gpuWeightBreakdown('llama-3.1-70b', pp2, 'bf16');
    expect(half.attention).toBe(one.attention / 2);
    expect(half.dense).toBe(one.dense / 2);
    expect(half.embeddings).toBe(one.embeddings / 2);
    expect(gpuKvBytesPerToken('llama-3.1-70b', pp2, 'bf16')).toBe(40 * 2 * 8 * 128 * 2);
  });

  it('rejects layouts the model cannot take', () => {
    expect(() => validateModelParallelism(dsv3, { tp: 8, pp: 1, attnDp: 1, moeTp: 2, moeEp: 2 })).toThrow(/moe_tp × moe_ep/);
    expect(() => validateModelParallelism('kimi-k2.5', { tp: 1, pp: 1, attnDp: 5, moeTp: 1, moeEp: 5 })).toThrow(/does not divide the 384 experts/);
    expect(() => validateModelParallelism('llama-3.1-8b', { tp: 1, pp: 64, attnDp: 1, moeTp: 1, moeEp: 1 })).toThrow(/exceeds the 32 layers/);
    expect(() => validateModelParallelism('qwen3.5-397b-a17b', { tp: 32, pp: 1, attnDp: 1, moeTp: 32, moeEp: 1 })).toThrow(/linear-attention/);
    // Attention TP may exceed one node's 8 GPUs when the heads allow it.
    expect(() => validateModelParallelism('llama-3.1-70b', { tp: 16, pp: 1, attnDp: 1, moeTp: 1, moeEp: 1 })).not.toThrow();
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
