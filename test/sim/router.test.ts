import { describe, expect, it } from 'vitest';
import { W_ACTIVE } from '../../sim/contracts/worker-states.js';
import { WorkerSet } from '../../sim/cluster/worker-set.js';
import { PrefillTracker } from '../../sim/router/prefill-tracker.js';
import { resolveKvRouterConfig, RouterConfigError } from '../../sim/router/router-config.js';
import { QUEUED } from '../../sim/router/router.js';
import { RoundRobinRouter } from '../../sim/router/simple-routers.js';
import { replay } from '../helpers/replay.js';
import { makeWorkload } from '../helpers/workloads.js';

describe('routers', () => {
  it('round robin visits workers in ascending order: [0,1,2,3,0]', () => {
    const picks: number[] = [];
    const ws = new WorkerSet(4);
    for (let i = 0; i < 4; i++) ws.add(W_ACTIVE, 0);
    const rr = new RoundRobinRouter(ws);
    for (let r = 0; r < 5; r++) picks.push(rr.route(r));
    expect(picks).toEqual([0, 1, 2, 3, 0]);
  });

  it('a router only decides: with no routable worker it holds requests, in order, until workers join', () => {
    const ws = new WorkerSet(2);
    const rr = new RoundRobinRouter(ws);
    expect(rr.route(7)).toBe(QUEUED);
    expect(rr.route(8)).toBe(QUEUED);
    expect(rr.pending).toBe(2);
    expect(rr.nextHeld()).toBe(-1); // still no worker
    ws.add(W_ACTIVE, 0);
    const sent: [number, number][] = [];
    for (let r = rr.nextHeld(); r >= 0; r = rr.nextHeld()) sent.push([r, rr.route(r)]);
    expect(sent).toEqual([[7, 0], [8, 0]]);
    expect(rr.pending).toBe(0);
  });

  it('decays only the oldest pending prefill: 140 tokens at t0+2 s, 110 at t0+5 s', () => {
    const t = new PrefillTracker(2, 1);
    const t0 = 1000;
    t.add(0, 0, 100, 10_000, t0);
    t.add(1, 0, 60, 6_000, t0 + 2000);
    expect(t.at(0, t0 + 2000)).toBe(140);
    expect(t.at(0, t0 + 5000)).toBe(110);
    t.remove(0, t0 + 5000);
    expect(t.at(0, t0 + 5000)).toBe(60);
    expect(t.at(0, t0 + 8000)).toBe(30); // the new anchor decays from when it became the anchor
  });

  it('maps the deprecated overlap_score_weight alias', () => {
    const a = resolveKvRouterConfig({ overlap_score_weight: 2.5 });
    expect(a.overlap_score_credit).toBe(1);
    expect(a.prefill_load_scale).toBe(2.5);
    const b = resolveKvRouterConfig({ overlap_score_weight: 0 });
    expect(b.overlap_score_credit).toBe(0);
    expect(b.prefill_load_scale).toBe(0);
    expect(() => resolveKvRouterConfig({ router_temperature: -1 })).toThrow(RouterConfigError);
    expect(() => resolveKvRouterConfig({ router_queue_policy: 'lifo' as never })).toThrow(/router_queue_policy/);
  });

  it('kv router sends a repeated prompt back to the worker that cached it', () => {
    const a = [11], b = [22];
    const w = makeWorkload([
      { at: 0, input: 64, output: 2, content: a },
      { at: 0, input: 64, output: 2, content: b },
      { at: 2, input: 64, output: 2, content: a },
      { at: 2, input: 64, output: 2, content: b },
    ], 64);
    const res = replay(w, { workers: 2, router: 'kv', engine: { block_size: 64, num_gpu_blocks: 256, speedup_ratio: 1000 } });
    const wk = res.requests.worker;
    expect(wk[0]).not.toBe(wk[1]);
    expect(wk[2]).toBe(wk[0]);
    expect(wk[3]).toBe(wk[1]);
    expect(res.report.prefix_cache_reused_ratio).toBeCloseTo(0.5, 9);
  });

  it('round robin on the same workload loses that affinity', () => {
    const a = [11], b = [22];
    const w = makeWorkload([
      { at: 0, input: 64, output: 2, content: a },
      { at: 0, input: 64, output: 2, content: b },
      { at: 2, input: 64, output: 2, content: b },
      { at: 2, input: 64, output: 2, content: a },
    ], 64);
    const res = replay(w, { workers: 2, router: 'round_robin', engine: { block_size: 64, num_gpu_blocks: 256, speedup_ratio: 1000 } });
    expect(res.report.prefix_cache_reused_ratio).toBe(0);
  });

  it('queues arrivals while every worker is busy and admits them on a prefill completion', () => {
    const w = makeWorkload([
      { at: 0, input: 40, output: 3 },
      { at: 0, input: 40, output: 3 },
      { at: 0.1, input: 40, output: 3 },
    ], 8);
    const res = replay(w, {
      workers: 2, router: 'kv',
      engine: { block_size: 8, num_gpu_blocks: 256, max_num_batched_tokens: 8, speedup_ratio: 1 },
      routerConfig: resolveKvRouterConfig({ router_queue_threshold: 4 }),
    });
    expect(res.report.completed_requests).toBe(3);
    // the third request waited in the router and was admitted when the first prefill finished
    const q = res.requests;
    expect(q.firstAdmitMs[2]).toBe(Math.min(q.firstTokenMs[0]!, q.firstTokenMs[1]!));
  });

  it('breaks cost ties with the seeded stream: the same seed gives the same placement', () => {
    const reqs = Array.from({ length: 30 }, (_, i) => ({ at: i * 50, input: 128, output: 4 }));
    const w = makeWorkload(reqs, 64);
    const run = (seed: number, temperature = 0) => replay(w, {
      workers: 4, router: 'kv', seed, routerConfig: resolveKvRouterConfig({ router_temperature: temperature }),
    }).report;
    expect(run(7)).toEqual(run(7));
    expect(run(7, 0.5)).toEqual(run(7, 0.5));
  });
});
