/** A worker slot's life cycle: absent, starting (cold start, not routable), active (routable), draining. */
export const W_ABSENT = 0;
export const W_STARTING = 1;
export const W_ACTIVE = 2;
export const W_DRAINING = 3;

/** What a router reads of its pool: the routable slots, in creation order (the first `nActive` entries). */
export interface RoutableWorkers {
  /** Slots of the pool (routers size their per-worker state by it). */
  readonly capacity: number;
  readonly active: Int32Array;
  readonly nActive: number;
}
