import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getObjective } from '../../objectives/objectives.js';
import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { RunLog } from '../../harness/runlog/run-log.js';

/** Real run directories (git history, ledger, front) built without the simulator, for the report tests. */

export const objective = getObjective('router-latency');
export const source = `export const cost = (prefill: number, decode: number) => 1.0 * prefill + decode;\n`;
export const source1 = source.replace('+ decode', '+ 0.5 * decode');
export const source2 = source1.replace('1.0 * prefill', '1.5 * prefill');
export const source3 = source.replace('1.0 * prefill', '0.8 * prefill');
export const HOSTILE = 'weigh prefill <script>alert("x")</script> & <b>bold</b>';

/** p95 and mean TTFT (the first two metrics) as given on every scenario; `probeOnly`: stopped after the probe. */
export function metrics(p95: number, mean: number, o: Objective = objective, probeOnly = false): ScenarioMetrics {
  const scenarios = probeOnly ? [o.search[0]!] : [...o.search, ...o.heldOut];
  return Object.fromEntries(scenarios.map((s) => [s, { p95_ttft_ms: p95, mean_ttft_ms: mean, output_throughput_tok_s: 1000, mean_tpot_ms: 20 }]));
}

/**
 * baseline → c0001 (front) → c0004 (front, hostile description); baseline → c0006 (accepted, since
 * dominated); c0002 rejected after the probe only, c0005 rejected, c0003 failed without metrics.
 */
export async function buildRun(parent = mkdtempSync(join(tmpdir(), 'ts-report-')), o: Objective = objective): Promise<string> {
  const dir = join(parent, 'run-a');
  const log = await RunLog.create(dir, { objective: o.name, seed: 1, proposer: 'mutate', objectiveSpec: o, createdAt: '2025-01-02T03:04:05.000Z' }, { id: 'baseline', source, message: 'baseline' });
  log.record({ id: 'baseline', parent: null, status: 'accepted', commit: await log.commitOf('baseline'), metrics: metrics(800, 300, o), proposer: 'baseline', description: o.baseline, atMs: 1 });
  const c1 = await log.commitCandidate('c0001', 'baseline', source1, 'c0001: halve decode');
  log.record({ id: 'c0001', parent: 'baseline', status: 'accepted', commit: c1, metrics: metrics(700, 290, o), proposer: 'mutate', description: 'halve decode', tokens: 100, usd: 0.01, atMs: 2 });
  log.record({ id: 'c0002', parent: 'c0001', status: 'rejected', reason: 'clearly worse than c0001 (stopped early)', metrics: metrics(900, 320, o, true), proposer: 'mutate', description: 'worse', tokens: 50, usd: 0.005, atMs: 3 });
  log.record({ id: 'c0003', parent: 'baseline', status: 'failed', reason: 'typecheck', proposer: 'mutate', atMs: 4 });
  const c4 = await log.commitCandidate('c0004', 'c0001', source2, 'c0004: weigh prefill');
  log.record({ id: 'c0004', parent: 'c0001', status: 'accepted', commit: c4, metrics: metrics(720, 250, o), proposer: 'mutate', description: HOSTILE, atMs: 5 });
  log.record({ id: 'c0005', parent: 'c0004', status: 'rejected', reason: 'dominated', metrics: metrics(760, 310, o), proposer: 'mutate', description: 'meh', atMs: 6 });
  const c6 = await log.commitCandidate('c0006', 'baseline', source3, 'c0006: lighter prefill');
  log.record({ id: 'c0006', parent: 'baseline', status: 'accepted', commit: c6, metrics: metrics(780, 295, o), proposer: 'mutate', description: 'lighter prefill', atMs: 7 });
  log.writeFront([{ id: 'c0001', commit: c1, metrics: metrics(700, 290, o) }, { id: 'c0004', commit: c4, metrics: metrics(720, 250, o) }]);
  return dir;
}

/** A run that evaluated only its baseline. */
export async function buildEmptyRun(parent = mkdtempSync(join(tmpdir(), 'ts-report-'))): Promise<string> {
  const o = objective;
  const dir = join(parent, 'run-empty');
  const log = await RunLog.create(dir, { objective: o.name, seed: 1, proposer: 'mutate', objectiveSpec: o, createdAt: '2025-01-02T03:04:05.000Z' }, { id: 'baseline', source, message: 'baseline' });
  const commit = await log.commitOf('baseline');
  log.record({ id: 'baseline', parent: null, status: 'accepted', commit, metrics: metrics(800, 300), proposer: 'baseline', description: o.baseline, atMs: 1 });
  log.writeFront([{ id: 'baseline', commit, metrics: metrics(800, 300) }]);
  return dir;
}
