import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { defineScenario, type Scenario } from '../../objectives/scenario.js';
import { readBoundedText } from '../io/bounded-read.js';
import { UsageError } from '../replay/json-arg.js';
import { getGpu } from '../../sim/catalog/gpus.js';
import { getModel } from '../../sim/catalog/models.js';

/**
 * Scenarios of the user's own traffic, for `twinsearch bench`: a JSON file in the shape of the shipped
 * scenarios (objectives/scenario.ts; one object or an array), or a trace with a cluster size. A verdict
 * on "your traffic" is a bench on these; trace paths are read relative to the scenario file.
 */
export function scenariosFromFile(file: string): Scenario[] {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`--scenario-file: ${file} not found`);
  let json: unknown;
  try {
    json = JSON.parse(readBoundedText(path, { what: 'scenario file', maxBytes: 1 << 20 }));
  } catch (e) {
    throw new UsageError(`--scenario-file ${file}: not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0) throw new UsageError(`--scenario-file ${file}: no scenario in it`);
  return list.map((x, i) => {
    let s: Scenario;
    try {
      s = defineScenario(x as never);
    } catch (e) {
      throw new UsageError(`--scenario-file ${file}${Array.isArray(json) ? ` [${i}]` : ''}: ${(e as Error).message}`);
    }
    return withTraceFrom(s, dirname(path), `--scenario-file ${file}`);
  });
}

export interface TraceScenarioOptions {
  kind: Scenario['kind'];
  workers: number;
  /** Roofline timing of this model on this GPU at this TP; Dynamo's polynomial timing when absent. */
  hardware?: { gpu: string; model: string; tp: number };
  speedup?: number;
}

/** A scenario replaying a trace on a cluster, for a candidate of `kind`. */
export function scenarioFromTrace(trace: string, o: TraceScenarioOptions): Scenario {
  if (o.hardware) {
    // names checked here, as usage errors, not inside the sandbox as a candidate's failure
    try {
      getGpu(o.hardware.gpu);
      getModel(o.hardware.model);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const name = basename(trace).replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'trace';
  let s: Scenario;
  try {
    s = defineScenario({
      name,
      description: `${basename(trace)} on ${o.workers} workers${o.hardware ? `, ${o.hardware.model} TP${o.hardware.tp} on ${o.hardware.gpu}` : ", Dynamo's polynomial timing"}${o.speedup && o.speedup !== 1 ? `, arrivals ${o.speedup}× faster` : ''}`,
      kind: o.kind,
      workload: { source: 'trace', file: trace, ...(o.speedup ? { arrivalSpeedupRatio: o.speedup } : {}) },
      cluster: { workers: o.workers },
      ...(o.hardware ? { hardware: { timing: 'roofline', ...o.hardware } } : {}),
    });
  } catch (e) {
    throw new UsageError(`--trace ${trace}: ${(e as Error).message}`);
  }
  return withTraceFrom(s, process.cwd(), `--trace ${trace}`);
}

/** The scenario with its trace path made absolute (relative to `dir`) and checked to exist. */
function withTraceFrom(s: Scenario, dir: string, what: string): Scenario {
  if (s.workload.source !== 'trace') return s;
  const file = resolve(dir, s.workload.file);
  if (!existsSync(file)) throw new UsageError(`${what}: scenario ${s.name}: trace ${s.workload.file} not found (looked at ${file})`);
  return { ...s, workload: { ...s.workload, file } };
}
