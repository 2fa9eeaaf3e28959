import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../../harness/trace/load-trace.js';
import { reportJson } from '../../sim/metrics/report.js';
import { resolveKvRouterConfig } from '../../sim/router/router-config.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import { replay } from '../helpers/replay.js';

const tracePath = join(import.meta.dirname, '../../data/traces/conversation_trace.jsonl');
const conversation = loadTrace(tracePath, { traceBlockSize: 512 });
// computed independently of the parser
const lines = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { output_length: number; input_length: number });
const totalOutput = lines.reduce((s, l) => s + l.output_length, 0);
const totalInput = lines.reduce((s, l) => s + l.input_length, 0);

describe('full replay of the conversation trace (8 workers)', () => {
  for (const [engine, router] of ['vllm', 'sglang'].flatMap((e) => ['round_robin', 'random', 'kv'].map((r) => [e, r] as const))) {
    it(`${engine} + ${router}: all 12,031 requests complete with invariants holding`, () => {
      const { report } = replay(conversation, { workers: 8, router: router as 'kv', seed: 42, engine: { engine_type: engine as 'vllm' } });
      expect(report.completed_requests).toBe(12031);
      expect(report.num_requests).toBe(12031);
      expect(report.rejected_requests).toBe(0);
      expect(report.duration_ms).toBeGreaterThan(3_537_000);
      expect(report.total_output_tokens).toBe(totalOutput);
      expect(report.total_input_tokens).toBe(totalInput);
    });
  }

  it('the kv router reuses more of the cache than round robin', () => {
    const rr = replay(conversation, { workers: 8, router: 'round_robin' }).report;
    const kv = replay(conversation, { workers: 8, router: 'kv' }).report;
    expect(kv.prefix_cache_reused_ratio).toBeGreaterThan(rr.prefix_cache_reused_ratio! + 0.05);
    expect(kv.mean_ttft_ms).toBeLessThan(rr.mean_ttft_ms!);
  });
});

describe('determinism', () => {
  const w = generateSynthetic({ requests: 300, isl: 900, osl: 60, arrival: { kind: 'poisson', ratePerSec: 40 }, sharedPrefixRatio: 0.5, numPrefixGroups: 4, seed: 3 });

  it('the same seed gives a byte-identical report', () => {
    for (const router of ['round_robin', 'random', 'kv'] as const) {
      const a = reportJson(replay(w, { workers: 4, router, seed: 9, routerConfig: resolveKvRouterConfig({ router_temperature: 0.3 }) }).report);
      const b = reportJson(replay(w, { workers: 4, router, seed: 9, routerConfig: resolveKvRouterConfig({ router_temperature: 0.3 }) }).report);
      expect(a).toBe(b);
    }
  });

  it('seeds change results only where randomness is used', () => {
    const rr = (seed: number) => reportJson(replay(w, { workers: 4, router: 'round_robin', seed }).report);
    expect(rr(1)).toBe(rr(2));
    const rnd = (seed: number) => reportJson(replay(w, { workers: 4, router: 'random', seed }).report);
    expect(rnd(1)).not.toBe(rnd(2));
  });

  it('a single worker gives the same report whatever the router', () => {
    const one = (router: 'round_robin' | 'random' | 'kv') => reportJson(replay(w, { workers: 1, router, seed: 5 }).report);
    expect(one('random')).toBe(one('round_robin'));
    expect(one('kv')).toBe(one('round_robin'));
  });

  it('fast-forwarding identical decode passes changes nothing', () => {
    for (const router of ['round_robin', 'kv'] as const) {
      for (const engine of [{}, { block_size: 16, num_gpu_blocks: 600 }]) {
        const a = replay(w, { workers: 3, router, engine, fastForward: true });
        const b = replay(w, { workers: 3, router, engine, fastForward: false });
        expect(reportJson(a.report)).toBe(reportJson(b.report));
        expect(a.passes).toBe(b.passes);
      }
    }
  });

  it('closed-loop concurrency and multi-turn sessions complete', () => {
    const mt = generateSynthetic({ requests: 40, isl: 300, osl: 30, arrival: { kind: 'burst' }, turnsPerSession: 3, interTurnDelayMs: 50 });
    const { report, requests } = replay(mt, { workers: 2, router: 'kv', concurrency: 8 });
    expect(report.completed_requests).toBe(120);
    // a follow-up turn arrives no earlier than the previous turn's last token plus the delay
    for (let s = 0; s < 40; s++) {
      for (let t = 1; t < 3; t++) {
        const i = s * 3 + t;
        expect(requests.arrivalMs[i]!).toBeGreaterThanOrEqual(requests.lastTokenMs[i - 1]! + 50);
      }
    }
    expect(report.prefix_cache_reused_ratio).toBeGreaterThan(0.3);
  });
});
