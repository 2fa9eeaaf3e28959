/**
 * Errors the simulator raises on purpose (a broken invariant, a policy decision it cannot use), told
 * apart from anything a candidate throws by identity, never by name or text: a candidate can throw an
 * Error named "SimInvariantError" with any message, but it cannot put its error into this set, which
 * lives in the simulator's module scope. The sandbox reports the origin to the host, and the host
 * decides the failure kind from it.
 */
const raised = new WeakSet<object>();

/** Marks `e` as raised by the simulator and returns it (`throw simRaised(new X(...))`). */
export function simRaised<E extends object>(e: E): E {
  raised.add(e);
  return e;
}

/** Whether the simulator itself raised `e` (a WeakSet lookup runs no code of `e`'s, even for a Proxy). */
export function isSimRaised(e: unknown): boolean {
  return typeof e === 'object' && e !== null && raised.has(e);
}
