import { describe, expect, it } from 'vitest';
import {
  LATEST_KNOWN, backendDefaults, compareVersions, forwardActivationBytes, kvCapacity, resolveBackendVersion,
  sglangMaxRunningRequests, tokensWithRunning, CUDA_CONTEXT_BYTES,
} from '../../sim/catalog/backend-memory.js';
import { deriveNumGpuBlocks } from '../../sim/catalog/kv-capacity.js';
import { gpuWeightBytes } from '../../sim/catalog/models.js';
import { tensorParallel, type Parallelism } from '../../sim/catalog/parallelism.js';

describe('server versions', () => {
  it('orders release candidates and post releases', () => {
    expect(compareVersions('1.2.0rc6.post1', '1.2.0')).toBeLessThan(0);
    expect(compareVersions('1.2.0rc6.post2', '1.2.0rc6.post1')).toBeGreaterThan(0);
    expect(compareVersions('0.5.8.post1', '0.5.8')).toBeGreaterThan(0);
    expect(compareVersions('0.11.2', '0.9.0')).toBeGreaterThan(0);
  });

  it('maps Dynamo runtime versions to the server their container ships', () => {
    expect(resolveBackendVersion('trtllm', '0.8.1.post1')).toBe('1.2.0rc6.post2');
    expect(resolveBackendVersion('trtllm', '0.8.1.post3')).toBe('1.2.0rc6.post2');
    expect(resolveBackendVersion('trtllm', '0.8.1')).toBe('1.2.0rc6.post1');
    expect(resolveBackendVersion('sglang', '0.8.1')).toBe('0.5.6.post2');
    expect(resolveBackendVersion('sglang', '1.0.2')).toBe('0.5.9');
    expect(resolveBackendVersion('trtllm', '1.0.0rc3')).toBe('1.0.0rc3');
    expect(resolveBackendVersion('sglang', '0.5.8.post1')).toBe('0.5.8.post1');
    expect(resolveBackendVersion('vllm', '0.12.0')).toBe('0.12.0');
    // '' and unparseable builds are the newest known version.
    expect(resolveBackendVersion('trtllm', '')).toBe(LATEST_KNOWN.trtllm);
    expect(resolveBackendVersion('trtllm', 'gpt-oss-dev')).toBe(LATEST_KNOWN.trtllm);
    expect(resolveBackendVersion('vllm', '')).toBe(LATEST_KNOWN.vllm);
  });
});

describe('backend defaults', () => {
  const tp1 = tensorParallel(1);

  it('vLLM: 1024 seqs / 8192 tokens on ≥ 70 GiB GPUs but A100, 256 / 2048 elsewhere', () => {
    for (const v of ['0.11.2', '0.12.0', '0.16.0', '0.18.0']) {
      const d = backendDefaults('vllm', v, 'h100_sxm', tp1);
      expect([d.maxNumSeqs, d.maxNumBatchedTokens, d.chunkSize, d.memFraction, d.blockSize]).toEqual([1024, 8192, 8192, 0.9, 16]);
      expect(d.cudaGraphInBudget).toBe(false);
    }
    expect(backendDefaults('vllm', '0.18.0', 'h200_sxm', tp1, { usageContext: 'llm' }).maxNumBatchedTokens).toBe(16384);
    expect(backendDefaults('vllm', '0.18.0', 'a100_sxm', tp1).maxNumSeqs).toBe(256);
    expect(backendDefaults('vllm', '0.18.0', 'a100_sxm', tp1).maxNumBatchedTokens).toBe(2048);
    expect(backendDefaults('vllm', '0.18.0', 'l40s', tp1).maxNumSeqs).toBe(256);
    expect(backendDefaults('vllm', '0.18.0', 'b200_sxm', tp1).maxNumSeqs).toBe(1024);
    // Later releases: CUDA-graph memory inside the budget from 0.21, utilization 0.92 from 0.22.
    expect(backendDefaults('vllm', '0.21.0', 'h100_sxm', tp1).cudaGraphInBudget).toBe(true);
    expect(backendDefaults('vllm', '0.22.0', 'h100_sxm', tp1).memFraction).toBe(0.92);
  });

  it('SGLang: mem_fraction_static from capacity, tp and version', () => {
    // ≥ 0.5.4 on H200 (144,384 MiB), TP4: reserved = 512 + 8192·1.5 + 512·2 + 4/8·1024 = 14,336 MiB;
    // (144,384 − 14,336) / 144,384 = 0.9007 → 0.901.
    const h200 = backendDefaults('sglang', '0.5.6.post2', 'h200_sxm', tensorParallel(4));
    expect([h200.memFraction, h200.chunkSize, h200.cudaGraphMaxBs, h200.maxNumSeqs]).toEqual([0.901, 8192, 512, null]);
    // H100 (81,920 MiB), TP1: 512 + 12,288 + 256·2 + 128 = 13,440 MiB → 0.836.
    expect(backendDefaults('sglang', '0.5.9', 'h100_sxm', tp1).memFraction).toBe(0.836);
    // B200 (184,320 MiB): 16k chunks; TP8: 512 + 24,576 + 1,024 + 1,024 = 27,136 MiB → 0.853.
    const b200 = backendDefaults('sglang', '0.5.9', 'b200_sxm', tensorParallel(8));
    expect([b200.memFraction, b200.chunkSize]).toEqual([0.853, 16384]);
    // 0.5.1.post1 reserves 9.5 + tp/2 GiB on H100: TP8 → 13.5 GiB → (80 − 13.5)/80 = 0.831.
    expect(backendDefaults('sglang', '0.5.1.post1', 'h100_sxm', tensorParallel(8)).memFraction).toBe(0.831);
    // DP attention pads for every rank's graphs: dp 8 × 512 × (3 + 1.5) MiB more.
    const dp8: Parallelism = { tp: 1, pp: 1, attnDp: 8, moeTp: 1, moeEp: 8 };
    expect(backendDefaults('sglang', '0.5.9', 'b200_sxm', dp8).memFraction).toBeLessThan(b200.memFraction - 0.09);
  });

  it('TensorRT-LLM: 0.9 of free memory, 2048 requests, 8192 tokens, no chunking', () => {
    for (const v of ['1.0.0rc3', '1.1.0rc2.post2', '1.2.0rc6.post1', '1.3.0rc1', '0.8.1.post1', '']) {
      const d = backendDefaults('trtllm', v, 'h200_sxm', tp1);
      expect([d.memFraction, d.maxNumSeqs, d.maxNumBatchedTokens, d.chunkSize, d.blockSize]).toEqual([0.9, 2048, 8192, null, 32]);
      expect(d.source).toMatch(/KvCacheCreator/);
    }
  });

  it('SGLang request limit: clamp(pool/context·512, 2048, 4096), at most half the pool', () => {
    expect(sglangMaxRunningRequests(1_432_849, 131072)).toBe(4096);
    expect(sglangMaxRunningRequests(300_000, 131072)).toBe(2048);
    expect(sglangMaxRunningRequests(2000, 131072)).toBe(1000);
    expect(sglangMaxRunningRequests(0, 131072)).toBe(0);
  });
});

describe('KV capacity per server', () => {
  it('vLLM, Llama-3.1-8B BF16, TP1, H100: capacity·0.9 − weights − sampler peak', () => {
    // Weights: 8,029,995,008 params without norms (32 × 41,943,040 attention + 32 × 176,160,768 MLP
    // + 2 × 525,336,576 vocabulary) × 2 B = 16,059,990,016 B.
    // Profiling peak: the sampler pass (1024 rows × 128,256 vocab × 10 B = 1,313,341,440) beats the forward
    // pass at 8192 tokens (8192 × (16,384 residual + 94,208 MLP) B = 905,969,664).
    // Pool: 85,899,345,920 × 0.9 − 16,059,990,016 − 1,313,341,440 = 59,936,079,872 B;
    // 131,072 B/token × 16 → 28,579 blocks = 457,264 tokens.
    const c = kvCapacity({ backend: 'vllm', version: '0.12.0', gpu: 'h100_sxm', model: 'llama-3.1-8b', parallelism: tensorParallel(1), quant: 'bf16', kvDtype: 'bf16' });
    expect(c.weightBytes).toBe(16_059_990_016);
    expect(c.activationBytes).toBe(1_313_341_440);
    expect(forwardActivationBytes('llama-3.1-8b', tensorParallel(1), 8192)).toBe(905_969_664);
    expect(c.kvPoolBytes).toBeCloseTo(59_936_079_872, 0);
    expect(c.blocksPerRank).toBe(28_579);
    expect(c.tokensPerRank).toBe(457_264);
    expect(c.maxRunningRequests).toBe(1024);
  });

  it('SGLang 0.5.6.post2, Llama-3.1-70B FP8, TP4, H200: (capacity − context − NCCL)·0.901 − weights', () => {
    // Weights per GPU: 80 × 37,748,736 attention + 80 × 3·8192·7168 MLP (1 B each) + 2 × 128,256·8192/4 × 2 B
    // = 3,019,898,880 + 14,092,861,440 + 1,050,673,152 = 18,163,433,472 B.
    // Free at start: 151,397,597,184 − 551,000,000 − 411,041,792 = 150,435,555,392 B; × 0.901 − weights
    // = 117,379,001,936 B; / 81,920 B per token (80 × 2 × 2 heads × 128 × 2 B) = 1,432,849 tokens.
    const c = kvCapacity({ backend: 'sglang', version: '0.5.6.post2', gpu: 'h200_sxm', model: 'llama-3.1-70b', parallelism: tensorParallel(4), quant: 'fp8', kvDtype: 'bf16' });
    expect(c.weightBytes).toBe(18_163_433_472);
    expect(c.nonTorchBytes).toBe(CUDA_CONTEXT_BYTES + 411_041_792);
    expect(c.kvBytesPerToken).toBe(81_920);
    expect(c.tokensPerRank).toBe(1_432_849);
    expect(c.maxRunningRequests).toBe(4096);
  });

  it('DeepSeek-V3 FP8 on 4× B200: the three servers disagree by an order of magnitude', () => {
    // ≈ 169 GB of FP8 weights per GPU out of 193.3 GB. KV per token per GPU: the 576-wide latent of 61 layers
    // on every rank, 35,136 B in FP8.
    const req = { gpu: 'b200_sxm', model: 'deepseek-v3', parallelism: tensorParallel(4), quant: 'fp8_block', kvDtype: 'fp8' } as const;
    const vllm = kvCapacity({ ...req, backend: 'vllm' });
    const sglang = kvCapacity({ ...req, backend: 'sglang' });
    const trt = kvCapacity({ ...req, backend: 'trtllm' });
    expect(vllm.kvBytesPerToken).toBe(61 * 576);
    expect(vllm.weightBytes / 1e9).toBeGreaterThan(168);
    expect(vllm.weightBytes / 1e9).toBeLessThan(170);
    // vLLM: 0.9 × 193.3 GB − 169.1 weights − 2.5 activations − 0.4 NCCL ≈ 1.9 GB → ~55k tokens.
    expect(vllm.tokensPerRank).toBeGreaterThan(45_000);
    expect(vllm.tokensPerRank).toBeLessThan(65_000);
    // SGLang: 0.856 × 192.3 GB ≈ 164.6 GB < 169 GB of weights: the default fraction does not fit.
    expect(sglang.fits).toBe(false);
    expect(sglang.tokensPerRank).toBe(0);
    // TensorRT-LLM: 0.9 × (193.3 − 169.1 − 2.5 − 1.0) ≈ 18.6 GB → ~530k tokens.
    expect(trt.tokensPerRank).toBeGreaterThan(480_000);
    expect(trt.tokensPerRank).toBeLessThan(580_000);
    expect(trt.tokensPerRank % 32).toBe(0);
  });

  it('attention DP: each rank has its own pool, the replica holds all of them', () => {
    const dep8: Parallelism = { tp: 1, pp: 1, attnDp: 8, moeTp: 1, moeEp: 8 };
    const c = kvCapacity({ backend: 'trtllm', gpu: 'h200_sxm', model: 'deepseek-v3', parallelism: dep8, quant: 'fp8_block', kvDtype: 'fp8' });
    expect(c.fits).toBe(true);
    expect(c.tokensPerReplica).toBe(8 * c.tokensPerRank);
    // Attention and embeddings replicated per rank cost KV compared to TP8.
    const tp8 = kvCapacity({ backend: 'trtllm', gpu: 'h200_sxm', model: 'deepseek-v3', parallelism: tensorParallel(8), quant: 'fp8_block', kvDtype: 'fp8' });
    expect(c.tokensPerRank).toBeLessThan(tp8.tokensPerRank);
  });

  it('per-request state comes out of the pool per running request', () => {
    // Qwen3.5 NVFP4 on 4× B200: each running request pins 45 GDN states (192 MB / 4 per GPU).
    const c = kvCapacity({
      backend: 'vllm', gpu: 'b200_sxm', model: 'qwen3.5-397b-a17b', parallelism: tensorParallel(4),
      quant: { attention: 'bf16', dense: 'bf16', sharedExpert: 'bf16', routedExpert: 'nvfp4' }, kvDtype: 'fp8',
    });
    expect(c.stateBytesPerRequest).toBe(192_061_440 / 4);
    expect(tokensWithRunning(c, 0)).toBe(c.tokensPerRank);
    expect(tokensWithRunning(c, 100)).toBeLessThan(c.tokensPerRank);
    // gpt-oss: vLLM pools sliding layers per request; SGLang sizes all 36 layers per token.
    const base = { gpu: 'h200_sxm', model: 'gpt-oss-120b', parallelism: tensorParallel(1), quant: 'bf16', kvDtype: 'bf16' } as const;
    expect(kvCapacity({ ...base, backend: 'vllm' }).kvBytesPerToken).toBe(18 * 2 * 8 * 64 * 2);
    expect(kvCapacity({ ...base, backend: 'sglang' }).kvBytesPerToken).toBe(36 * 2 * 8 * 64 * 2);
  });

  it('takes server flags over the defaults and rejects bad ones', () => {
    const base = { backend: 'vllm', gpu: 'h200_sxm', model: 'qwen3-32b', parallelism: tensorParallel(1), quant: 'bf16', kvDtype: 'bf16' } as const;
    expect(kvCapacity({ ...base, memFraction: 0.95 }).tokensPerRank).toBeGreaterThan(kvCapacity(base).tokensPerRank);
    expect(kvCapacity({ ...base, maxNumSeqs: 64 }).maxRunningRequests).toBe(64);
    expect(() => kvCapacity({ ...base, memFraction: 1.2 })).toThrow(/memory fraction/);
    expect(() => kvCapacity({ ...base, blockSize: 0 })).toThrow(/blockSize/);
  });
});

describe('deriveNumGpuBlocks with a backend', () => {
  it('returns the server-sized block count and names the shortfall', () => {
    const blocks = deriveNumGpuBlocks({ gpu: 'h100_sxm', model: 'llama-3.1-8b', tp: 1, weightDtype: 'bf16', kvDtype: 'bf16', blockSize: 16, backend: 'vllm', backendVersion: '0.12.0' });
    expect(blocks).toBe(28_579);
    expect(() => deriveNumGpuBlocks({ gpu: 'b200_sxm', model: 'deepseek-v3', tp: 4, weightDtype: 'fp8_block', kvDtype: 'fp8', blockSize: 1, backend: 'sglang' }))
      .toThrow(/deepseek-v3 does not fit on b200_sxm under sglang 0\.5\.9 with tp 4: 169\.\d GB of weights per GPU/);
    // The legacy budget is unchanged without a backend.
    const legacy = deriveNumGpuBlocks({ gpu: 'h100_sxm', model: 'llama-3.1-8b', tp: 1, weightDtype: 'bf16', kvDtype: 'bf16', blockSize: 16 });
    const budget = 85899345920 * 0.9 - gpuWeightBytes('llama-3.1-8b', tensorParallel(1), 'bf16') - 3758096384;
    expect(legacy).toBe(Math.floor(budget / (131072 * 16)));
  });
});
