import { describe, expect, it } from 'vitest';
import dynamoKv from '../../candidates/router/dynamo-kv.js';
import leastLoaded from '../../candidates/router/least-loaded.js';
import roundRobin from '../../candidates/router/round-robin.js';
import { reportJson } from '../../sim/metrics/report.js';
import { defineRouter, PolicyDecisionError } from '../../sim/policy/index.js';
import type { RouterRequestView, RouterWorkerView } from '../../sim/policy/index.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { replay } from '../helpers/replay.js';

const w = generateSynthetic({ requests: 400, isl: 1500, osl: 80, arrival: { kind: 'poisson', ratePerSec: 15 }, sharedPrefixRatio: 0.6, numPrefixGroups: 6, seed: 5 });

describe('router policy modules', () => {
  it('the baseline modules reproduce the built-in routers exactly', () => {
    expect(reportJson(replay(w, { workers: 4, routerPolicy: roundRobin }).report)).toBe(reportJson(replay(w, { workers: 4, router: 'round_robin' }).report));
    expect(reportJson(replay(w, { workers: 4, routerPolicy: dynamoKv }).report)).toBe(reportJson(replay(w, { workers: 4, router: 'kv' }).report));
  });

  it('least-loaded spreads load but ignores the cache', () => {
    // 40 prefix groups do not fit in one worker's cache: cache-aware placement matters
    const many = generateSynthetic({ requests: 600, isl: 1500, osl: 40, arrival: { kind: 'poisson', ratePerSec: 15 }, sharedPrefixRatio: 0.6, numPrefixGroups: 40, seed: 6 });
    const engine = { num_gpu_blocks: 300 };
    const ll = replay(many, { workers: 4, routerPolicy: leastLoaded, engine }).report;
    const kv = replay(many, { workers: 4, routerPolicy: dynamoKv, engine }).report;
    expect(ll.completed_requests).toBe(600);
    expect(kv.prefix_cache_reused_ratio).toBeGreaterThan(ll.prefix_cache_reused_ratio!);
  });

  it('sees frozen plain-number views', () => {
    const seen: [RouterRequestView, RouterWorkerView][] = [];
    const spy = defineRouter({ name: 'spy', cost: (req, wv) => (seen.push([req, wv]), wv.worker) });
    replay(w, { workers: 3, routerPolicy: spy });
    const [req, wv] = seen[10]!;
    expect(Object.isFrozen(req) && Object.isFrozen(wv)).toBe(true);
    for (const v of [...Object.values(req), ...Object.values(wv)]) expect(typeof v).toBe('number');
    expect(req.routableWorkers).toBe(3);
    expect(() => { (wv as { overlapBlocks: number }).overlapBlocks = 99; }).toThrow(TypeError);
  });

  it('a stateful policy starts over in every replay (create)', () => {
    let made = 0;
    const p = defineRouter({ name: 'stateful', create: () => { made++; let n = 0; return { cost: (_r, wv) => (n++ % 7) + wv.worker * 0 }; } });
    replay(w, { workers: 2, routerPolicy: p });
    replay(w, { workers: 2, routerPolicy: p });
    expect(made).toBe(2);
  });

  it('a cost that is not a finite number is a PolicyDecisionError', () => {
    for (const bad of [NaN, Infinity, 'cheap', {}, undefined]) {
      const p = defineRouter({ name: 'bad', cost: () => bad as never });
      expect(() => replay(w, { workers: 2, routerPolicy: p })).toThrow(PolicyDecisionError);
    }
  });
});
