import type { Engine } from '../engine/engine.js';
import type { Router } from '../router/router.js';
import { WorkerSet } from './worker-set.js';

export type PoolRole = 'agg' | 'prefill' | 'decode';

/** Worker failures to inject. */
export interface FaultPlan {
  /** Failure times, ms; each takes down a random routable worker. */
  atMs: number[];
  /** Random failures per worker-hour (0 = none): a seeded Poisson process over the live workers. */
  perWorkerHour: number;
  /** Without a planner, a failed worker is replaced by a new one that is ready after this long; null = not replaced. */
  replaceAfterMs: number | null;
}

/** One pool of interchangeable workers: all of them (aggregated), or the prefill or decode side. */
export interface PoolSpec {
  role: PoolRole;
  /** Workers at the start. */
  initial: number;
  /** Worker slots (room for planner growth and draining workers). */
  slots: number;
  /** Creates the engine for a worker in global slot `index`. */
  makeEngine: (index: number) => Engine;
  /** KV capacity of one worker in blocks, and the block size. */
  kvBlocks: number;
  kvBlockSize: number;
}

export class Pool {
  readonly workers: WorkerSet;
  /** Decides where the pool's requests go, in pool-local slots (`base` maps them to the cluster's). */
  router!: Router;

  constructor(readonly index: number, readonly spec: PoolSpec, readonly base: number) {
    this.workers = new WorkerSet(spec.slots);
  }

  get role(): PoolRole {
    return this.spec.role;
  }
}
