import type { KvEventLog } from '../contracts/kv-events.js';

/** What `route` answers when the router holds the request instead of sending it anywhere yet. */
export const QUEUED = -1;

/**
 * Chooses a worker for each arriving request among the routable workers, and only decides: the
 * cluster sends the request where the router says. Routers that hold requests (the KV router with a
 * busy threshold, any router while no worker is routable) keep them until `nextHeld` lets them go.
 * Worker numbers are the pool's slots.
 */
export interface Router {
  readonly name: string;
  /** Requests held by the router. */
  readonly pending: number;
  /** The slot to send request r to, or QUEUED when the router holds it. */
  route(r: number, now: number): number;
  /**
   * A held request that may go now (the cluster routes it next), or -1. The cluster asks after every
   * change that can free a worker: a prefill or a request finishing, workers joining or leaving.
   */
  nextHeld(now: number): number;
  /** The request's prefill finished (first token emitted). */
  prefillCompleted(r: number, now: number): void;
  /** The request finished (last token emitted) or left its worker. */
  completed(r: number, now: number): void;
  /** KV cache events of worker w (Stored/Removed), in order. */
  kvEvents(w: number, log: KvEventLog): void;
  /** Worker w is gone: forget what the router knew about its cache. */
  workerRemoved(w: number): void;
  /** Whether this router consumes KV events (engines skip recording them otherwise). */
  readonly wantsKvEvents: boolean;
}
