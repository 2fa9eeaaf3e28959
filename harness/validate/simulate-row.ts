import { deploymentReplayConfig, type ServingDeployment } from '../../sim/deployment.js';
import { runReplay } from '../../sim/replay.js';
import { CLOSED_LOOP_DEFAULTS, generateClosedLoop } from '../../sim/workload/closed-loop.js';
import { rowDeployment } from './row-deployment.js';
import type { SiliconRow } from './silicon-csv.js';

/** How the measured benchmark is re-run in the simulator (see `validate --help`). */
export interface Protocol {
  requestsPerClient: number;
  islJitter: number;
  /** benchmark_serving's --random-range-ratio (1 = exact lengths). */
  rangeRatio: number;
  /** Clients' first requests spread over this many request lifetimes (the simulator's own estimate). */
  rampLifetimes: number;
  turnaroundMs: number;
  seed: number;
  /** Front-end time per backend replacing the deployment's (fitting and leave-one-model-out). */
  frontendMs?: Readonly<Record<string, number>>;
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
    const frontendMs = protocol.frontendMs?.[row.backend];
    let deployment = frontendMs === undefined ? dep.deployment : { ...dep.deployment, frontendMs };
    if ('prefill' in deployment.pools && !(row.prefill!.workersRecorded && row.decode!.workersRecorded)) {
      deployment = sizeDisaggPools(deployment, row, protocol.seed);
    }
    const config = deploymentReplayConfig(deployment, protocol.seed);
    const lifetime = requestLifetimeMs(config, row);
    const workload = generateClosedLoop({
      clients: row.concurrency, requestsPerClient: protocol.requestsPerClient, isl: row.isl, osl: row.osl,
      islJitter: protocol.islJitter, rangeRatio: protocol.rangeRatio,
      // the burst takes at least the client's set-up time per request; --ramp spreads it further
      launchIntervalMs: Math.max(CLOSED_LOOP_DEFAULTS.launchIntervalMs, (protocol.rampLifetimes * lifetime) / row.concurrency),
      randomLaunch: true,
      turnaroundMs: protocol.turnaroundMs, seed: protocol.seed,
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

/**
 * How long one request of the row lives when the loop runs steadily, by the deployment's own timing
 * model: its prefill alone, then OSL decode passes in a batch of the clients one decode worker holds.
 */
export function requestLifetimeMs(cfg: ReturnType<typeof deploymentReplayConfig>, row: SiliconRow): number {
  const decodeWorkers = cfg.disagg ? cfg.disagg.decodeWorkers : cfg.workers;
  const engine = cfg.disagg ? cfg.disagg.decodeEngine : cfg.engine;
  const prefillTiming = cfg.disagg?.prefillTiming ?? cfg.timing;
  const batch = Math.max(1, Math.min(Math.ceil(row.concurrency / decodeWorkers), engine.max_num_seqs ?? Infinity));
  const ctx = row.isl + row.osl / 2;
  const prefill = prefillTiming.prefillMs(1, row.isl, 0, row.isl * row.isl);
  const step = cfg.timing.decodeMs(batch, 0, batch * ctx, engine.num_gpu_blocks * engine.block_size);
  return prefill + row.osl * step;
}

/** Utilisation an operator leaves the prefill pool below, so prompts do not queue without bound. */
const PREFILL_HEADROOM = 0.9;

/**
 * Replica counts for a disaggregated row that leaves them blank: the smallest deployment that carries
 * the row's load, as the benchmark's operator must have sized it (one prefill and one decode worker
 * queue thousands of clients for minutes where the measurement shows seconds). Decode replicas: enough
 * running slots (the server's limit, or its KV pool at ISL + OSL per request) for every client. Prefill
 * replicas: enough to prefill the clients' prompts as fast as they arrive — clients ÷ request lifetime,
 * each prompt costing its prefill pass — at most PREFILL_HEADROOM busy. Both from the simulator's own
 * model; no measured latency enters.
 */
export function sizeDisaggPools(d: ServingDeployment, row: SiliconRow, seed: number): ServingDeployment {
  if (!('prefill' in d.pools)) return d;
  const { prefill, decode } = d.pools;
  const one = deploymentReplayConfig({ ...d, pools: { prefill: { ...prefill, replicas: 1 }, decode: { ...decode, replicas: 1 } } }, seed);
  const dis = one.disagg!;
  const perRank = Math.min(dis.decodeEngine.max_num_seqs ?? Infinity,
    dis.decodeEngine.sglang.max_running_requests ?? Infinity,
    Math.floor((dis.decodeEngine.num_gpu_blocks * dis.decodeEngine.block_size) / (row.isl + row.osl)));
  const perReplica = Math.max(1, perRank) * decode.parallel.attnDp;
  const decodeReplicas = row.decode!.workersRecorded ? decode.replicas : Math.max(1, Math.ceil(row.concurrency / perReplica));
  const sized = deploymentReplayConfig({ ...d, pools: { prefill: { ...prefill, replicas: 1 }, decode: { ...decode, replicas: decodeReplicas } } }, seed);
  const lifetime = requestLifetimeMs(sized, row);
  const prefillMs = sized.disagg!.prefillTiming!.prefillMs(1, row.isl, 0, row.isl * row.isl);
  const prefillRanks = Math.ceil((row.concurrency / lifetime) * prefillMs / PREFILL_HEADROOM);
  const prefillReplicas = row.prefill!.workersRecorded ? prefill.replicas : Math.max(1, Math.ceil(prefillRanks / prefill.parallel.attnDp));
  return { ...d, pools: { prefill: { ...prefill, replicas: prefillReplicas }, decode: { ...decode, replicas: decodeReplicas } } };
}
