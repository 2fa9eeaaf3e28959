import { describe, expect, it } from 'vitest';
import { builtinPlanner } from '../../sim/planner/builtin-policies.js';
import type { PlannerObservation, PlannerPolicy } from '../../sim/contracts/planner-views.js';
import { PassRegression } from '../../sim/planner/pass-regression.js';
import { PlannerConfigError, resolvePlannerConfig } from '../../sim/planner/planner-config.js';
import { TickSchedule } from '../../sim/planner/tick-schedule.js';
import { reportJson } from '../../sim/metrics/report.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { replay } from '../helpers/replay.js';
import { makeWorkload } from '../helpers/workloads.js';

/** A policy that records what it saw and answers from a script (time in ms → workers). */
function scripted(script: (o: PlannerObservation) => number, seen: PlannerObservation[] = []): PlannerPolicy {
  return { name: 'scripted', decide: (o) => (seen.push(o), { workers: script(o) }) };
}

const steady = (n: number, gap: number, input = 256, output = 40) =>
  makeWorkload(Array.from({ length: n }, (_, i) => ({ at: i * gap, input, output })), 64);

describe('planner ticks', () => {
  it('runs load ticks every interval and merges a throughput tick within 0.5 s', () => {
    const t = new TickSchedule(5000, 12_300);
    const fired: string[] = [];
    for (let i = 0; i < 5; i++) {
      const at = t.next();
      const k = t.fire(at);
      fired.push(`${at}:${k.load ? 'L' : ''}${k.throughput ? 'T' : ''}`);
    }
    expect(fired).toEqual(['5000:L', '10000:L', '12300:T', '15000:L', '20000:L']);
    const m = new TickSchedule(5000, 15_400);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const at = m.next();
      const k = m.fire(at);
      seen.push(`${at}:${k.load ? 'L' : ''}${k.throughput ? 'T' : ''}`);
    }
    expect(seen).toEqual(['5000:L', '10000:L', '15000:LT', '20000:L']);
    expect(new TickSchedule(null, null).next()).toBe(Infinity);
  });
});

describe('planner scaling', () => {
  const cfg = (over: Record<string, unknown> = {}) => resolvePlannerConfig({ load_adjustment_interval: 1, max_gpu_budget: 8, ...over }, 1, null);

  it('a scale-up decided at t becomes routable at t + startup time (cold start)', () => {
    const w = steady(400, 25);
    const { report, requests } = replay(w, {
      workers: 1, router: 'round_robin',
      planner: { policy: scripted((o) => (o.nowMs >= 2000 ? 2 : 1)), config: cfg({ startup_time: 3 }) },
    });
    expect(report.scale_up_events).toBe(1);
    // decided at the 2 s tick, ready at 5 s: the first request on worker 1 arrives at or after 5 s
    let first = Infinity;
    for (let r = 0; r < w.count; r++) if (requests.worker[r] === 1) first = Math.min(first, requests.arrivalMs[r]!);
    expect(first).toBeGreaterThanOrEqual(5000);
    expect(first).toBeLessThan(5100);
    // GPU time counts the cold start: worker 1 alive from 2 s to the end
    expect(report.gpu_seconds).toBeCloseTo((2 * report.duration_ms! - 2000) / 1000, 6);
  });

  it('drains a worker before removing it: nothing is lost and it takes no new requests', () => {
    const w = steady(400, 25, 512, 200);
    const { report, requests } = replay(w, {
      workers: 3, router: 'round_robin',
      planner: { policy: scripted((o) => (o.nowMs >= 3000 ? 1 : 3)), config: cfg() },
    });
    expect(report.completed_requests).toBe(400);
    expect(report.scale_down_events).toBe(2);
    for (let r = 0; r < w.count; r++) {
      if (requests.arrivalMs[r]! > 3000) expect(requests.worker[r]).toBe(0);
    }
    // requests dispatched to the leaving workers before 3 s finished there, after 3 s
    let lateFinishOnLeaving = 0;
    for (let r = 0; r < w.count; r++) if (requests.worker[r]! > 0 && requests.lastTokenMs[r]! > 3000) lateFinishOnLeaving++;
    expect(lateFinishOnLeaving).toBeGreaterThan(0);
  });

  it('clamps every decision to [min, max] and the GPU budget', () => {
    const seen: PlannerObservation[] = [];
    const w = steady(100, 50);
    const { report } = replay(w, {
      workers: 2, router: 'round_robin', gpusPerWorker: 2,
      planner: { policy: scripted((o) => (o.nowMs < 2500 ? 100 : 0), seen), config: resolvePlannerConfig({ load_adjustment_interval: 1, max_gpu_budget: 7, min_endpoint: 2 }, 2, null) },
    });
    expect(report.max_workers).toBe(3); // floor(7 GPUs / 2)
    const last = seen[seen.length - 1]!;
    expect(last.workers.active + last.workers.starting).toBe(2);
    expect(last.workers.max).toBe(3);
  });

  it('cancels starting workers first when scaling down', () => {
    const w = steady(200, 25);
    const { report } = replay(w, {
      workers: 1, router: 'kv',
      planner: { policy: scripted((o) => (o.nowMs === 1000 ? 3 : o.nowMs === 2000 ? 1 : o.workers.active + o.workers.starting)), config: cfg({ startup_time: 10 }) },
    });
    expect(report.scale_up_events).toBe(2);
    expect(report.scale_down_events).toBe(2);
    expect(report.max_workers).toBe(3);
    expect(report.completed_requests).toBe(200);
  });

  it('rejects bad settings and bad decisions with clear errors', () => {
    expect(() => resolvePlannerConfig({ startup_time: -1 }, 1, null)).toThrow(/startup_time must be >= 0/);
    expect(() => resolvePlannerConfig({ max_gpu_budget: 2, min_endpoint: 2 }, 2, null)).toThrow(PlannerConfigError);
    expect(() => resolvePlannerConfig({ max_gpu_budget: 2, min_endpoint: 2 }, 2, null)).toThrow(/below min_endpoint/);
    expect(() => resolvePlannerConfig({ load_adjustment_interval: 200, enable_throughput_scaling: true }, 1, null)).toThrow(/shorter than throughput/);
    expect(() => builtinPlanner('magic', 'throughput')).toThrow(/unknown planner "magic"/);
    const w = steady(20, 100);
    expect(() => replay(w, { planner: { policy: scripted(() => NaN), config: cfg() } })).toThrow(/decision.workers must be a finite number/);
  });

  it('observes traffic, loads and a pass-time model', () => {
    const seen: PlannerObservation[] = [];
    replay(steady(300, 20), { workers: 2, router: 'kv', planner: { policy: scripted((o) => o.workers.active, seen), config: cfg() } });
    const mid = seen[3]!;
    expect(mid.traffic.arrivals).toBe(50);
    expect(mid.traffic.requestRate).toBeCloseTo(50, 6);
    expect(mid.traffic.meanIsl).toBe(256);
    expect(mid.perWorker.length).toBe(2);
    expect(mid.passes.count).toBeGreaterThan(0);
    expect(mid.passModel).not.toBeNull();
    expect(Object.isFrozen(mid) && Object.isFrozen(mid.perWorker[0])).toBe(true);
  });

  it('is deterministic and fast-forwarding changes nothing with the planner on', () => {
    const w = generateSynthetic({ requests: 600, isl: 1500, osl: 120, arrival: { kind: 'poisson', ratePerSec: 12 }, sharedPrefixRatio: 0.3, numPrefixGroups: 3 });
    const run = (ff: boolean, name: string) => reportJson(replay(w, {
      workers: 2, router: 'kv', fastForward: ff,
      planner: { policy: builtinPlanner(name, 'latency'), config: cfg({ startup_time: 2, enable_throughput_scaling: name === 'dynamo-sla', throughput_adjustment_interval: 10, ttft: 300, itl: 30 }) },
    }).report);
    for (const name of ['dynamo-load', 'dynamo-sla']) {
      expect(run(true, name)).toBe(run(true, name));
      expect(run(true, name)).toBe(run(false, name));
    }
  });
});

describe('pass-time regression', () => {
  it('recovers a linear pass-time law and refuses too few samples', () => {
    const r = new PassRegression(64);
    for (let i = 0; i < 4; i++) r.add(i * 100, 0, i * 50, 5);
    expect(r.fit()).toBeNull();
    for (let i = 0; i < 200; i++) {
      const p = (i * 37) % 4000, depth = (i * 53) % 30000, kv = (i * 91) % 20000;
      const attn = (depth + p) ** 2 - depth ** 2;
      r.add(p, attn, kv, -2 + 0.01 * p + 1e-7 * attn + 0.0005 * kv);
    }
    const f = r.fit()!;
    expect(f.intercept).toBeCloseTo(-2, 5); // a negative intercept is allowed, as in Dynamo
    expect(f.perPrefillToken).toBeCloseTo(0.01, 8);
    expect(f.perAttentionWork).toBeCloseTo(1e-7, 12);
    expect(f.perDecodeKvToken).toBeCloseTo(0.0005, 9);
    expect(r.samples).toBe(64);
    const neg = new PassRegression(64);
    for (let i = 0; i < 50; i++) neg.add(i * 10, 0, (i * 7) % 13 * 100, 100 - i + 0.01 * ((i * 7) % 13 * 100));
    const g = neg.fit()!; // time falling with prefill tokens: that feature is dropped, the rest refitted
    expect(g.perPrefillToken).toBe(0);
    expect(g.perDecodeKvToken).toBeGreaterThanOrEqual(0);
  });
});

describe('planner on a disaggregated cluster', () => {
  it('scales prefill and decode pools separately within one GPU budget', async () => {
    const { resolveEngineArgs } = await import('../../sim/engine/engine-args.js');
    const args = resolveEngineArgs({});
    const seen: PlannerObservation[] = [];
    const w = steady(600, 10, 1024, 60);
    const { report } = replay(w, {
      router: 'kv',
      disagg: { prefillWorkers: 1, decodeWorkers: 1, prefillEngine: args, decodeEngine: args, kvTransferBandwidthGBs: null, kvBytesPerToken: null },
      planner: {
        policy: { name: 'scripted', decide: (o) => (seen.push(o), o.nowMs < 2000 ? { prefill: 1, decode: 1 } : { prefill: 9, decode: 9 }) },
        config: resolvePlannerConfig({ load_adjustment_interval: 1, max_gpu_budget: 6 }, 1, null),
      },
    });
    expect(seen[0]!.mode).toBe('disagg');
    expect(seen[0]!.prefill!.active).toBe(1);
    expect(seen[0]!.perWorker.length).toBe(0);
    expect(report.max_workers).toBe(6); // 9 + 9 over a 6-worker budget: prefill 3, decode 3
    const last = seen[seen.length - 1]!;
    expect(last.prefill!.active + last.prefill!.starting).toBe(3);
    expect(last.decode!.active + last.decode!.starting).toBe(3);
    expect(report.completed_requests).toBe(600);
  });

  it('dynamo-load and dynamo-sla make decisions for both pools', () => {
    for (const name of ['dynamo-load', 'dynamo-sla']) {
      const d = builtinPlanner(name, 'latency').decide({
        mode: 'disagg', nowMs: 5000, loadTick: true, throughputTick: false, windowMs: 5000,
        workers: { active: 4, starting: 0, draining: 0, min: 1, max: 8, gpusPerWorker: 1, gpuBudget: 8, startupMs: 0 },
        perWorker: [],
        prefill: { active: 2, starting: 0, draining: 0, passes: { count: 10, meanMs: 50, busyFraction: 0.9, meanPrefillTokens: 4000, meanAttentionWork: 4000 * 4000 },
          passModel: { intercept: 10, perPrefillToken: 0.02, perAttentionWork: 0, perDecodeKvToken: 0 },
          perWorker: [0, 1].map(() => ({ waiting: 5, running: 1, queuedPrefillTokens: 90_000, queuedDecodeKvTokens: 0, runningKvTokens: 0, usedKvTokens: 0, capacityKvTokens: 100_000, windowTokens: 0, windowItlMs: 0 })) },
        decode: { active: 2, starting: 0, draining: 0, passes: { count: 10, meanMs: 5, busyFraction: 0.5, meanPrefillTokens: 0, meanAttentionWork: 0 },
          passModel: { intercept: 5, perPrefillToken: 0, perAttentionWork: 0, perDecodeKvToken: 1e-6 },
          perWorker: [0, 1].map(() => ({ waiting: 0, running: 2, queuedPrefillTokens: 0, queuedDecodeKvTokens: 0, runningKvTokens: 1000, usedKvTokens: 1000, capacityKvTokens: 1_000_000, windowTokens: 500, windowItlMs: 6 })) },
        traffic: { arrivals: 50, completed: 40, requestRate: 10, meanIsl: 3000, meanOsl: 100, meanTtftMs: 900, p90TtftMs: 1500, meanItlMs: 5, kvHitRate: 0.1 },
        passes: { count: 0, meanMs: 0, busyFraction: 0, meanPrefillTokens: 0, meanAttentionWork: 0 }, passModel: null,
        engine: { maxNumBatchedTokens: 8192, maxNumSeqs: 256, kvCapacityTokens: 1_000_000 },
        sla: { ttftMs: 500, itlMs: 50 },
      });
      expect(d, name).toEqual({ prefill: 3, decode: 1 }); // queued prefill → more prefill; idle decode → fewer
    }
  });
});

describe('planner policy modules', () => {
  it('the baseline modules decide exactly like the built-in policies', async () => {
    const sla = (await import('../../candidates/planner/dynamo-sla.js')).default;
    const load = (await import('../../candidates/planner/dynamo-load.js')).default;
    const w = generateSynthetic({ requests: 500, isl: 1500, osl: 120, arrival: { kind: 'poisson', ratePerSec: 12 } });
    const cfg = resolvePlannerConfig({ load_adjustment_interval: 2, max_gpu_budget: 8, ttft: 300, itl: 30, enable_throughput_scaling: true, throughput_adjustment_interval: 20 }, 1, null);
    for (const [mod, name, target] of [[sla, 'dynamo-sla', 'latency'], [load, 'dynamo-load', 'throughput']] as const) {
      const a = replay(w, { workers: 2, router: 'kv', planner: { policy: mod.instantiate(), config: cfg } }).report;
      const b = replay(w, { workers: 2, router: 'kv', planner: { policy: builtinPlanner(name, target), config: cfg } }).report;
      expect(reportJson(a), name).toBe(reportJson(b));
    }
  });

  it('definePlanner validates nothing itself: the simulator rejects a bad decision', async () => {
    const { definePlanner, PolicyDecisionError } = await import('../../sim/policy/index.js');
    const bad = definePlanner({ name: 'bad', decide: () => ({ workers: 'many' as never }) });
    expect(() => replay(steady(20, 100), { planner: { policy: bad.instantiate(), config: resolvePlannerConfig({ load_adjustment_interval: 1 }, 1, null) } })).toThrow(PolicyDecisionError);
  });
});
