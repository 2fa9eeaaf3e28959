/**
 * Runs every setting of a policy's knobs on an objective's search scenarios, over the first N seed
 * replicas, in process: the sweeps that find each objective's tuned reference (scripts/sweep-*.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessEvaluator } from '../harness/bench/evaluator.js';
import type { Objective } from '../objectives/objective.js';
import { replicaOf } from '../objectives/scenario.js';
import { getScenario } from '../objectives/scenarios/index.js';

/** The policy API as a sweep's generated modules import it. */
export const POLICY_API = JSON.stringify(join(import.meta.dirname, '../sim/policy/index.js'));

export interface SweepRow<K> {
  knobs: K;
  /** Scenario → report key → mean over the replicas. */
  m: Record<string, Record<string, number>>;
}

export async function sweep<K>(objective: Objective, grid: readonly K[], sourceOf: (k: K) => string, keys: readonly string[], replicas: number): Promise<SweepRow<K>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-sweep-'));
  const ev = new InProcessEvaluator();
  const rows: SweepRow<K>[] = [];
  const t0 = Date.now();
  try {
    for (const [i, k] of grid.entries()) {
      // a new file per setting: the module loader caches by path
      const file = join(dir, `k${i}.ts`);
      writeFileSync(file, sourceOf(k));
      const m: SweepRow<K>['m'] = {};
      for (const name of objective.search) {
        const s = getScenario(name);
        const sum: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
        for (let r = 0; r < replicas; r++) {
          const e = await ev.evaluate(file, replicaOf(s, r));
          if (!e.ok) throw new Error(`${JSON.stringify(k)} on ${name}: ${e.message}`);
          for (const key of keys) sum[key]! += (e.report as Record<string, number>)[key]! / replicas;
        }
        m[name] = sum;
      }
      rows.push({ knobs: k, m });
      process.stderr.write(`\rsweep ${i + 1}/${grid.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    process.stderr.write('\n');
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
