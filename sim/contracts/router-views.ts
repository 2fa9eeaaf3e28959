import { requireFinite } from './policy-error.js';

/** The request being routed. All counts are plain numbers; the view is frozen. */
export interface RouterRequestView {
  /** Prompt tokens. */
  readonly isl: number;
  /** Output tokens requested. */
  readonly osl: number;
  /** KV block size in tokens (the unit of every *Blocks field). */
  readonly blockSize: number;
  /** Full KV blocks of the prompt (isl / blockSize, rounded down). */
  readonly promptBlocks: number;
  /** Routable workers this decision is among (worker views are numbered 0 .. routableWorkers-1). */
  readonly routableWorkers: number;
  /** How many requests this router has routed before this one (0, 1, 2, ...). */
  readonly seq: number;
  /** The smallest activePrefillTokens over the routable workers. */
  readonly minActivePrefillTokens: number;
  /** Simulated time, ms since the start of the replay. */
  readonly nowMs: number;
}

/** One routable worker as the router knows it (from its own bookkeeping and the worker's KV events). */
export interface RouterWorkerView {
  /** Position of this worker among the routable workers, in creation order (0-based). */
  readonly worker: number;
  /** Leading blocks of this request's prompt cached in the worker's GPU KV cache. */
  readonly overlapBlocks: number;
  /** Further prompt blocks, right after those, in the worker's host-memory KV tier (0 without one). */
  readonly hostOverlapBlocks: number;
  /** Prompt tokens the router believes the worker still has to prefill (requests sent, first token not yet seen). */
  readonly activePrefillTokens: number;
  /** Distinct prompt blocks of the requests active on the worker (its decode load). */
  readonly activeBlocks: number;
  /** Prompt blocks of this request that are not already active on the worker (what sending it adds). */
  readonly newBlocks: number;
  /** Requests sent to the worker and not finished. */
  readonly activeRequests: number;
  /** Blocks in the router's index of the worker's cache. */
  readonly cachedBlocks: number;
}

/** A router cost function: lower wins; ties are broken by a seeded coin. */
export interface RouterFns {
  cost(request: RouterRequestView, worker: RouterWorkerView): number;
}

export interface RouterPolicy {
  readonly kind: 'router';
  readonly name: string;
  /** Fresh functions for one replay (state kept in a create() closure starts over each time). */
  instantiate(): RouterFns;
}

/** Calls a router cost function and checks the answer is a finite number. */
export function checkedCost(name: string, fns: RouterFns, req: RouterRequestView, w: RouterWorkerView): number {
  return requireFinite(name, 'cost', fns.cost(req, w));
}
