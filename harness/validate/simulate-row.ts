import { deploymentReplayConfig } from '../../sim/deployment.js';
import { runReplay } from '../../sim/replay.js';
import { generateClosedLoop } from '../../sim/workload/closed-loop.js';
import { rowDeployment } from './row-deployment.js';
import type { SiliconRow } from './silicon-csv.js';

/** How the measured benchmark is re-run in the simulator (see `validate --help`). */
export interface Protocol {
  requestsPerClient: number;
  islJitter: number;
  launchIntervalMs: number;
  seed: number;
}

/** One row's outcome, in the shape `validate --json` writes. */
export interface RowResult {
  id: string;
  line: number;
  backend: string;
  system: string;
  model: string;
  mode: 'agg' | 'disagg';
  precision: string;
  isl: number;
  osl: number;
  concurrency: number;
  measured_ttft_ms: number;
  predicted_ttft_ms: number | null;
  measured_tpot_ms: number;
  predicted_tpot_ms: number | null;
  /** null when simulated, else why not. */
  skipped: string | null;
}

/** Replays one measured row as a closed loop on its deployment; never throws. */
export function simulateRow(row: SiliconRow, protocol: Protocol): RowResult {
  const out: RowResult = {
    id: row.id, line: row.line, backend: row.backend, system: row.system, model: row.modelPath, mode: row.mode,
    precision: row.precision || 'bf16', isl: row.isl, osl: row.osl, concurrency: row.concurrency,
    measured_ttft_ms: row.measuredTtftMs, predicted_ttft_ms: null,
    measured_tpot_ms: row.measuredTpotMs, predicted_tpot_ms: null, skipped: null,
  };
  const dep = rowDeployment(row);
  if (!dep.ok) {
    out.skipped = dep.reason;
    return out;
  }
  try {
    const config = deploymentReplayConfig(dep.deployment, protocol.seed);
    const workload = generateClosedLoop({
      clients: row.concurrency, requestsPerClient: protocol.requestsPerClient, isl: row.isl, osl: row.osl,
      islJitter: protocol.islJitter, launchIntervalMs: protocol.launchIntervalMs, seed: protocol.seed,
    });
    const rep = runReplay(workload, config).report;
    out.predicted_ttft_ms = rep.mean_ttft_ms ?? null;
    out.predicted_tpot_ms = rep.mean_tpot_ms ?? null;
    if (out.predicted_ttft_ms === null || !Number.isFinite(out.predicted_ttft_ms)) out.skipped = 'no request completed in the simulation';
  } catch (e) {
    out.skipped = (e as Error).message;
  }
  return out;
}
