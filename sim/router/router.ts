import type { KvEventLog } from '../engine/kv-events.js';

/** Called by a router to hand a request to a worker. */
export type Dispatch = (r: number, worker: number) => void;

/**
 * Chooses a worker for each arriving request. Routers that queue (the KV router with a threshold)
 * release queued requests through `dispatch` when load drops.
 */
export interface Router {
  readonly name: string;
  /** Requests held in the router's queue. */
  readonly pending: number;
  /** Routes (calls dispatch) or queues an arriving request. */
  arrive(r: number, now: number): void;
  /** The request's prefill finished (first token emitted). */
  prefillCompleted(r: number, now: number): void;
  /** The request finished (last token emitted). */
  completed(r: number, now: number): void;
  /** KV cache events of worker w (Stored/Removed), in order. */
  kvEvents(w: number, log: KvEventLog): void;
  /** Whether this router consumes KV events (engines skip recording them otherwise). */
  readonly wantsKvEvents: boolean;
}
