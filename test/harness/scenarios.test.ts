import { describe, expect, it } from 'vitest';
import dynamoKv from '../../candidates/router/dynamo-kv.js';
import roundRobin from '../../candidates/router/round-robin.js';
import lru from '../../candidates/eviction/lru.js';
import { defineEviction } from '../../sim/policy/index.js';
import staticPlanner from '../../candidates/planner/static.js';
import { getObjective } from '../../objectives/objectives.js';
import { scenarioInputs } from '../../harness/scenario/scenario-workload.js';
import { defineScenario } from '../../objectives/scenario.js';
import { getScenario, SCENARIOS, scenariosFor } from '../../objectives/scenarios/index.js';
import { runReplay } from '../../sim/replay.js';
import { buildReplayConfig } from '../../sim/scenario-config.js';

describe('scenarios', () => {
  it('ships validated scenarios for every policy kind, each kind with a held-out one on another trace', () => {
    for (const kind of ['router', 'planner', 'eviction'] as const) {
      const list = scenariosFor(kind);
      expect(list.length).toBeGreaterThanOrEqual(2);
      const held = list.filter((s) => s.heldOut);
      expect(held.length).toBeGreaterThanOrEqual(1);
      // a held-out scenario's workload is none of the searched ones (another trace file, or other synthetic traffic)
      const key = (s: (typeof list)[number]) => (s.workload.source === 'trace' ? s.workload.file : JSON.stringify(s.workload));
      const searched = new Set(list.filter((s) => !s.heldOut).map(key));
      for (const h of held) expect(searched.has(key(h))).toBe(false);
    }
    expect(SCENARIOS.has('conversation-8x-h200-llama70b-tp4')).toBe(true);
    expect(() => getScenario('nope')).toThrow(/unknown scenario "nope"/);
  });

  it('rejects bad scenario definitions naming the field', () => {
    expect(() => defineScenario({ name: 'Bad Name', description: 'x', kind: 'router', workload: { source: 'synthetic', requests: 1, isl: 1, osl: 1, arrival: { kind: 'burst' } }, cluster: { workers: 1 } }))
      .toThrow(/scenario Bad Name: name: lower-case words/);
    expect(() => defineScenario({ name: 'x', description: 'x', kind: 'router', workload: { source: 'synthetic', requests: 0, isl: 1, osl: 1, arrival: { kind: 'burst' } }, cluster: { workers: 1 } }))
      .toThrow(/scenario x: workload.requests/);
  });

  it('runs a scenario with candidate modules: dynamo-kv beats round-robin on the conversation trace', () => {
    const s = getScenario('conversation-8x-poly');
    const { workload, spec } = scenarioInputs(s);
    const kv = runReplay(workload, buildReplayConfig(spec, { router: dynamoKv })).report;
    const rr = runReplay(workload, buildReplayConfig(spec, { router: roundRobin })).report;
    expect(kv.mean_ttft_ms).toBeLessThan(rr.mean_ttft_ms!);
    expect(kv.prefix_cache_reused_ratio).toBeGreaterThan(rr.prefix_cache_reused_ratio!);
  });

  it('keeps the planner objective\'s SLA constraint within reach: the whole GPU budget from the start meets it', () => {
    // A constraint nothing can meet turns the search into "raise attainment at any cost": GPU-hours,
    // the point of a planner, would never count.
    const o = getObjective('planner-cost-sla');
    const limit = o.constraints.find((c) => c.key === 'sla_attainment')!.limit;
    for (const name of [...o.search, ...o.heldOut]) {
      const { workload, spec } = scenarioInputs(getScenario(name));
      const cfg = buildReplayConfig(spec, { planner: staticPlanner });
      const most = cfg.planner!.config.maxWorkers;
      const full = runReplay(workload, { ...cfg, workers: most }).report;
      expect(full.sla_attainment, `${name} on ${most} workers`).toBeGreaterThanOrEqual(limit);
    }
  });

  it('makes eviction matter on every eviction scenario, on a cluster that keeps up', () => {
    // On an overloaded cluster the cache holds little but running requests: every policy then evicts
    // the same blocks, and a search sees each candidate behave like its parent.
    const mru = defineEviction({ name: 'mru', priority: (b) => -b.lastAccessMs });
    for (const s of scenariosFor('eviction')) {
      const { workload, spec } = scenarioInputs(s);
      const a = runReplay(workload, buildReplayConfig(spec, { eviction: lru })).report;
      const b = runReplay(workload, buildReplayConfig(spec, { eviction: mru })).report;
      expect(Math.abs(a.prefix_cache_reused_ratio! - b.prefix_cache_reused_ratio!), `${s.name}: lru against mru`).toBeGreaterThan(0.01);
      expect(a.mean_ttft_ms, `${s.name}: mean TTFT under lru`).toBeLessThan(2000);
    }
  });

  it('builds planner and eviction scenarios', () => {
    const e = scenarioInputs(getScenario('multiturn-pressure-2x-h200-qwen32b-tp2'));
    expect(runReplay(e.workload, buildReplayConfig(e.spec, { eviction: lru })).report.completed_requests).toBe(1800);
    const p = scenarioInputs(getScenario('conversation-autoscale-h200-qwen32b-tp2'));
    const cfg = buildReplayConfig(p.spec);
    expect(cfg.planner!.config.startupMs).toBe(60_000);
    expect(cfg.gpusPerWorker).toBe(2);
  });
});
