import { buildReport, type Report } from './metrics/report.js';
import { assemble } from './replay-assembly.js';
import type { ReplayConfig } from './replay-config.js';
import type { Workload } from './workload/workload.js';

export type { ReplayConfig, RouterMode } from './replay-config.js';

export interface ReplayResult {
  report: Report;
  /** Forward passes simulated. */
  passes: number;
  /** Per request (workload order): worker it ran on (-1 if rejected), arrival, first admission, first and last token (ms; NaN if none). */
  requests: {
    worker: Int32Array;
    arrivalMs: Float64Array;
    firstAdmitMs: Float64Array;
    firstTokenMs: Float64Array;
    lastTokenMs: Float64Array;
  };
}

/**
 * Replays `workload` on the cluster `cfg` describes: the cluster is assembled (sim/replay-assembly.ts:
 * pools and engines, routers, faults, planner), run to the last request, checked, and reported.
 */
export function runReplay(workload: Workload, cfg: ReplayConfig): ReplayResult {
  const a = assemble(workload, cfg);
  const { cluster, planner, collector, table } = a;
  if (cfg.onProgress) {
    const cb = cfg.onProgress;
    cluster.onProgress = (finished, now) => cb(finished, workload.count, now);
  }
  cluster.run();
  cluster.checkInvariants();
  const dis = cfg.disagg;
  const report = buildReport(collector, {
    inputLength: workload.inputLength,
    outputLength: workload.outputLength,
    preemptions: table.preemptions,
    workers: dis ? dis.prefillWorkers + dis.decodeWorkers : cfg.workers,
    gpusPerWorker: cfg.gpusPerWorker,
    workerMs: cluster.pools.reduce((ms, p) => ms + p.workers.workerMs, 0),
    extra: {
      ...(planner === null ? {} : {
        scale_up_events: cluster.scaleUps,
        scale_down_events: cluster.scaleDowns,
        planner_ticks: planner.tickCount,
        max_workers: planner.maxLiveWorkers,
      }),
      ...(cfg.faults ? {
        worker_failures: cluster.failures,
        requests_migrated: cluster.migrated,
        recompute_tokens: cluster.lost.tokens,
      } : {}),
      ...(dis ? {
        num_prefill_workers: dis.prefillWorkers,
        num_decode_workers: dis.decodeWorkers,
        kv_handoffs: cluster.handoffCount,
        prefill_worker_seconds: cluster.workerMs(0) / 1000,
        decode_worker_seconds: cluster.workerMs(1) / 1000,
      } : {}),
    },
    sla: cfg.sla,
  });
  return {
    report,
    passes: cluster.passes,
    requests: {
      worker: table.worker,
      arrivalMs: collector.arrival,
      firstAdmitMs: collector.firstAdmit,
      firstTokenMs: collector.first,
      lastTokenMs: collector.last,
    },
  };
}
