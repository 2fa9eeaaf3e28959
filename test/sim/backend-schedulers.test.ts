import { describe, expect, it } from 'vitest';
import { replay } from '../helpers/replay.js';
import { makeWorkload } from '../helpers/workloads.js';
import { createRooflineModel } from '../../sim/timing/roofline.js';

/**
 * Scheduler behaviours that differ between the servers a deployment can run: TensorRT-LLM's
 * GUARANTEED_NO_EVICT admission, and SGLang's extend passes without mixed chunks.
 */
describe('TensorRT-LLM admission (GUARANTEED_NO_EVICT)', () => {
  // two requests of 8 prompt + 40 output tokens on 4-token blocks: 12 blocks each at the end; the pool has 16
  const w = makeWorkload([{ at: 0, input: 8, output: 40 }, { at: 0, input: 8, output: 40 }], 4);
  const engine = { block_size: 4, num_gpu_blocks: 16, max_num_batched_tokens: 64, max_num_seqs: 8, speedup_ratio: 0 };

  it('admits a request only when its whole output fits, so nothing is ever preempted', () => {
    const trt = replay(w, { engine: { ...engine, engine_type: 'trtllm' } });
    expect(trt.report.num_preemptions).toBe(0);
    expect(trt.report.completed_requests).toBe(2);
    // the second request waits for the first to finish: its first token comes after the first's last
    expect(trt.requests.firstTokenMs[1]!).toBeGreaterThanOrEqual(trt.requests.lastTokenMs[0]!);
  });

  it('where vLLM admits both at once and preempts one when the pool runs out', () => {
    const vllm = replay(w, { engine: { ...engine, engine_type: 'vllm' } });
    expect(vllm.requests.firstTokenMs[1]!).toBe(vllm.requests.firstTokenMs[0]!);
    expect(vllm.report.num_preemptions).toBeGreaterThan(0);
    expect(vllm.report.completed_requests).toBe(2);
  });
});

describe('SGLang extend passes', () => {
  // one long request decoding while a second one arrives and is prefilled
  const w = makeWorkload([{ at: 0, input: 64, output: 200 }, { at: 50, input: 512, output: 4 }], 64);
  const engine = (mixed: boolean) => ({ engine_type: 'sglang' as const, num_gpu_blocks: 4096, speedup_ratio: 0, sglang: { page_size: 64, enable_mixed_chunk: mixed } });
  // a model that prices a mixed pass (prefill and decode rows stream the weights once)
  const timing = createRooflineModel({ gpu: 'h100_sxm', model: 'llama-3.1-8b', tp: 1, weightDtype: 'bf16', kvDtype: 'bf16', framework: 'sglang' });

  it('without mixed chunks, a pass that prefills gives the running requests no token', () => {
    const mixed = replay(w, { engine: engine(true), timing });
    const alone = replay(w, { engine: engine(false), timing });
    expect(alone.report.completed_requests).toBe(2);
    // the decoding request loses a pass to each extend pass, so it finishes later, and the gap between
    // two of its tokens spans the extend pass and the decode pass after it
    expect(alone.requests.lastTokenMs[0]! - mixed.requests.lastTokenMs[0]!).toBeGreaterThan(2);
    expect(alone.report.max_itl_ms!).toBeGreaterThan(mixed.report.max_itl_ms! + 2);
    // the prefilled request gets its first token at the end of its extend pass, sooner than in a mixed pass
    expect(alone.requests.firstTokenMs[1]!).toBeLessThanOrEqual(mixed.requests.firstTokenMs[1]! + 1e-9);
  });
});
