import { join, resolve } from 'node:path';
import type { Scenario } from '../../objectives/scenario.js';
import type { ScenarioSpec } from '../../sim/scenario-config.js';
import { jitterArrivals } from '../../sim/workload/arrival-jitter.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';
import type { Workload } from '../../sim/workload/workload.js';
import { loadTrace } from '../trace/load-trace.js';

/** Repository root (relative scenario trace paths are relative to it; a user's scenario carries an absolute one). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

const cache = new Map<string, Workload>();
/** Per scenario object: a synthetic or cut workload is built (and later hashed) once, not per evaluation. */
const byScenario = new WeakMap<Scenario, { root: string; inputs: ScenarioInputs }>();

export interface ScenarioInputs {
  workload: Workload;
  spec: ScenarioSpec;
}

/** The scenario's workload (traces are parsed once per process) and its plain replay spec; both read-only. */
export function scenarioInputs(s: Scenario, root = REPO_ROOT): ScenarioInputs {
  const hit = byScenario.get(s);
  if (hit && hit.root === root) return hit.inputs;
  const inputs = buildInputs(s, root);
  byScenario.set(s, { root, inputs });
  return inputs;
}

function buildInputs(s: Scenario, root: string): ScenarioInputs {
  const w = s.workload;
  let workload: Workload;
  if (w.source === 'trace') {
    const path = resolve(root, w.file);
    const key = `${path}|${w.format ?? 'auto'}|${w.traceBlockSize}`;
    let full = cache.get(key);
    if (!full) {
      full = loadTrace(path, { format: w.format ?? 'auto', traceBlockSize: w.traceBlockSize });
      cache.set(key, full);
    }
    workload = w.maxRequests ? firstSessions(full, w.maxRequests) : full;
  } else {
    const { source: _s, ...opts } = w;
    workload = generateSynthetic(opts);
  }
  if (s.arrivalJitterSeed > 0) workload = jitterArrivals(workload, s.arrivalJitterSeed);
  return {
    workload,
    spec: {
      cluster: s.cluster,
      hardware: s.hardware,
      seed: s.seed,
      arrivalSpeedupRatio: w.source === 'trace' ? w.arrivalSpeedupRatio : 1,
      concurrency: w.source === 'trace' ? w.concurrency ?? null : null,
    },
  };
}

/** The workload cut to its first sessions holding at most `n` requests. */
function firstSessions(w: Workload, n: number): Workload {
  let sessions = 0;
  while (sessions < w.sessions && w.sessionStart[sessions + 1]! <= n) sessions++;
  const count = w.sessionStart[sessions]!;
  return { ...w, count, sessions, sessionStart: w.sessionStart.subarray(0, sessions + 1), contentStart: w.contentStart.subarray(0, count + 1) };
}
