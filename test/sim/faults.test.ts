import { describe, expect, it } from 'vitest';
import { builtinPlanner } from '../../sim/planner/builtin-policies.js';
import { resolvePlannerConfig } from '../../sim/planner/planner-config.js';
import { reportJson } from '../../sim/metrics/report.js';
import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { replay } from '../helpers/replay.js';

const w = generateSynthetic({ requests: 400, isl: 1200, osl: 150, arrival: { kind: 'poisson', ratePerSec: 8 }, sharedPrefixRatio: 0.4, numPrefixGroups: 4, turnsPerSession: 2, interTurnDelayMs: 500 });
const totalOut = w.outputLength.reduce((s, x) => s + x, 0);

describe('worker faults', () => {
  for (const engine_type of ['vllm', 'sglang'] as const) {
    for (const router of ['round_robin', 'kv'] as const) {
      it(`${engine_type} + ${router}: requests on a failed worker move and finish, nothing lost or counted twice`, () => {
        const { report } = replay(w, {
          workers: 3, router, engine: { engine_type },
          faults: { atMs: [10_000, 20_000, 30_000], perWorkerHour: 0, replaceAfterMs: 5_000 },
        });
        expect(report.completed_requests).toBe(800);
        expect(report.total_output_tokens).toBe(totalOut);
        expect(report.worker_failures).toBe(3);
        expect(report.requests_migrated).toBeGreaterThan(0);
        expect(report.recompute_tokens).toBeGreaterThan(0);
      });
    }
  }

  it('without replacement the cluster shrinks; random failures are seeded', () => {
    const shrink = replay(w, { workers: 3, faults: { atMs: [5_000, 6_000], perWorkerHour: 0, replaceAfterMs: null } }).report;
    expect(shrink.completed_requests).toBe(800);
    expect(shrink.mean_workers).toBeLessThan(1.5);
    const rnd = (seed: number) => reportJson(replay(w, { workers: 4, router: 'kv', seed, faults: { atMs: [], perWorkerHour: 60, replaceAfterMs: 2_000 } }).report);
    expect(rnd(1)).toBe(rnd(1));
    expect(rnd(1)).not.toBe(rnd(2));
  });

  it('the planner replaces failed capacity after the cold start', () => {
    const cfg = resolvePlannerConfig({ load_adjustment_interval: 2, max_gpu_budget: 8, min_endpoint: 3 }, 1, null);
    const { report } = replay(w, {
      workers: 3, router: 'kv',
      faults: { atMs: [10_000], perWorkerHour: 0, replaceAfterMs: 5_000 },
      planner: { policy: builtinPlanner('static', 'throughput'), config: { ...cfg, startupMs: 4_000 } },
    });
    expect(report.worker_failures).toBe(1);
    expect(report.scale_up_events).toBe(1); // the planner brings the count back to its minimum
    expect(report.completed_requests).toBe(800);
  });

  it('works with disaggregated pools and is deterministic with everything on', () => {
    const args = resolveEngineArgs({ num_g2_blocks: 4096, kv_bytes_per_token: 131072, num_gpu_blocks: 400 });
    const plannerCfg = resolvePlannerConfig({ load_adjustment_interval: 2, max_gpu_budget: 10, ttft: 300, itl: 20 }, 1, null);
    const cfg = () => ({
      router: 'kv' as const, seed: 4,
      disagg: { prefillWorkers: 2, decodeWorkers: 2, prefillEngine: args, decodeEngine: args, kvTransferBandwidthGBs: 25, kvBytesPerToken: 131072 },
      faults: { atMs: [8_000, 16_000], perWorkerHour: 30, replaceAfterMs: 3_000 },
      planner: { policy: builtinPlanner('dynamo-sla', 'latency'), config: { ...plannerCfg, startupMs: 2_000 } },
    });
    const a = replay(w, cfg()).report;
    expect(a.completed_requests).toBe(800);
    expect(a.scale_up_events! + a.scale_down_events!).toBeGreaterThan(0);
    expect(a.total_output_tokens).toBe(totalOut);
    expect(reportJson(replay(w, cfg()).report)).toBe(reportJson(a));
    expect(reportJson(replay(w, { ...cfg(), fastForward: false }).report)).toBe(reportJson(a));
  });
});
