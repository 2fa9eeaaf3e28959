import type { Engine } from '../engine/engine.js';
import type { PassStats } from '../engine/pass-stats.js';
import type { Pool } from './pool.js';

/**
 * Kinds of event, in the order the events of one instant are handled: passes end (in pass order),
 * faults strike, started workers become routable, KV hand-offs land, engines' timers fire, requests
 * arrive; the planner ticks once the instant is otherwise settled.
 */
export const EV_PASS_END = 0;
export const EV_FAULT = 1;
export const EV_READY = 2;
export const EV_HANDOFF = 3;
export const EV_WAKE = 4;
export const EV_ARRIVAL = 5;
export const EV_TICK = 6;

/** Something that acts at planned times on the cluster's clock (the autoscaling planner). */
export interface ClusterAgent {
  /** Next time the agent wants to act, or +Infinity. */
  nextTime(): number;
  /** Acts at `now` (after every event at `now` has been processed). */
  act(now: number): void;
}

/** Sees requests arrive and finish (the planner's traffic window). */
export interface ClusterListener {
  arrived(r: number, now: number): void;
  completed(r: number, now: number): void;
  /** A worker of pool `pool` is leaving the cluster; these are its final pass totals. */
  workerLeaving(stats: PassStats, pool: number): void;
}

/** What an autoscaling agent may read and change of the cluster: its engines and pools, and their sizes. */
export interface ScalingPort {
  /** Engines by global slot (null where no worker is). */
  readonly engines: readonly (Engine | null)[];
  readonly pools: readonly Pool[];
  /** Adds a worker to `pool`, routable after `startupMs`; false if no slot is free. */
  addWorker(startupMs: number, pool?: number): boolean;
  /** Removes the newest starting, else the newest active worker of `pool`; false if none can go. */
  removeWorker(pool?: number): boolean;
}
