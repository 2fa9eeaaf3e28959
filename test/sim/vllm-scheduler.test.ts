import { describe, expect, it } from 'vitest';
import { ST_PREEMPTED, ST_RUNNING } from '../../sim/engine/request-table.js';
import { makeVllm } from '../helpers/engine.js';
import { makeWorkload } from '../helpers/workloads.js';

const base = { block_size: 4, num_gpu_blocks: 6, max_num_batched_tokens: 12, max_num_seqs: 3, speedup_ratio: 0, enable_prefix_caching: false };

describe('vLLM scheduler passes (Dynamo core tests)', () => {
  it('schedules running first and chunks the second prompt', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 2 }, { at: 0, input: 8, output: 2 }], 4);
    const { engine, table } = makeVllm(w, base);
    engine.receive(0);
    engine.receive(1);
    engine.executePass(0);
    expect(engine.out.length).toBe(1);
    expect(engine.queues().running).toEqual([0, 1]);
    expect(table.numComputed[0]).toBe(8);
    expect(table.generated[0]).toBe(1);
    expect(table.numComputed[1]).toBe(4);
    expect(engine.activeBlocks()).toBe(4);
  });

  it('gives the running requests the budget first', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 5 }, { at: 0, input: 8, output: 5 }], 4);
    const { engine, table } = makeVllm(w, { ...base, num_gpu_blocks: 32, max_num_batched_tokens: 4 });
    engine.receive(0);
    engine.receive(1);
    engine.executePass(0);
    engine.executePass(10);
    expect(table.numComputed[1]).toBe(0);
  });

  it('preempts the newest running request (LIFO) and requeues it at the front (Dynamo vector, preemption on admission)', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 10 }, { at: 0, input: 8, output: 10 }, { at: 0, input: 12, output: 10 }], 4);
    const { engine, table } = makeVllm(w, { ...base, preempt_on_admit: true });
    for (const r of [0, 1, 2]) engine.receive(r);
    engine.executePass(0);
    engine.executePass(10);
    expect(table.status[1]).toBe(ST_PREEMPTED);
    expect(table.numComputed[1]).toBe(0);
    expect(table.preemptions[1]).toBe(1);
    expect(engine.queues().waiting[0]).toBe(1);
    expect(table.status[2]).toBe(ST_RUNNING);
    expect(engine.check()).toBeNull();
  });

  it('preempts the oldest running request in FIFO mode', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 10 }, { at: 0, input: 8, output: 10 }, { at: 0, input: 12, output: 10 }], 4);
    const { engine, table } = makeVllm(w, { ...base, preemption_mode: 'fifo', preempt_on_admit: true });
    for (const r of [0, 1, 2]) engine.receive(r);
    engine.executePass(0);
    engine.executePass(10);
    expect(table.preemptions[0]).toBe(1);
    expect(engine.queues().waiting[0]).toBe(0);
  });

  it('by default admits a waiting request only when it fits; a running request\'s growth preempts the newest', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 10 }, { at: 0, input: 8, output: 10 }, { at: 0, input: 12, output: 10 }], 4);
    const { engine, table } = makeVllm(w, base);
    for (const r of [0, 1, 2]) engine.receive(r);
    engine.executePass(0);
    engine.executePass(10);
    // r3 does not fit next to r1 and r2: it waits, nobody is preempted
    expect(table.preemptions[1]).toBe(0);
    expect(engine.queues()).toEqual({ waiting: [2], running: [0, 1] });
    // r1 and r2 decode; when a new block is needed and none is left, the newest (r2) goes
    let t = 20;
    while (table.preemptions[1] === 0 && t < 1000) t = engine.executePass(t);
    expect(table.status[1]).toBe(ST_PREEMPTED);
    expect(table.preemptions[0]).toBe(0);
    expect(engine.check()).toBeNull();
  });

  it('is idle with no referenced blocks after completion', () => {
    const w = makeWorkload([{ at: 0, input: 8, output: 2 }], 4);
    const { engine } = makeVllm(w, { ...base, num_gpu_blocks: 32 });
    engine.receive(0);
    let t = 0;
    while (engine.hasWork()) t = engine.executePass(t);
    expect(engine.activeBlocks()).toBe(0);
    expect(engine.check()).toBeNull();
  });
});
