import type { KvEventLog } from '../contracts/kv-events.js';

/** Called by a router to hand a request to a worker. */
export type Dispatch = (r: number, worker: number) => void;

/**
 * Chooses a worker for each arriving request among the routable workers. Routers that queue (the KV
 * router with a threshold, or any router while no worker is routable) release queued requests
 * through `dispatch` when load drops or workers join.
 */
export interface Router {
  readonly name: string;
  /** Requests held by the router. */
  readonly pending: number;
  /** Routes (calls dispatch) or queues an arriving request. */
  arrive(r: number, now: number): void;
  /** The request's prefill finished (first token emitted). */
  prefillCompleted(r: number, now: number): void;
  /** The request finished (last token emitted) or left its worker. */
  completed(r: number, now: number): void;
  /** KV cache events of worker w (Stored/Removed), in order. */
  kvEvents(w: number, log: KvEventLog): void;
  /** The set of routable workers changed (a worker joined or stopped taking requests). */
  workersChanged(now: number): void;
  /** Worker w is gone: forget what the router knew about its cache. */
  workerRemoved(w: number): void;
  /** Whether this router consumes KV events (engines skip recording them otherwise). */
  readonly wantsKvEvents: boolean;
}
