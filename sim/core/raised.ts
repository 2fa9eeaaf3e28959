import { identitySet } from './identity-set.js';

/**
 * Errors the simulator raises on purpose (a broken invariant, a policy decision it cannot use), told
 * apart from anything a candidate throws by identity, never by name or text: a candidate can throw an
 * Error named "SimInvariantError" with any message, but it cannot put its error into this set. The
 * sandbox reports the origin to the host, and the host decides the failure kind from it.
 */
const raised = identitySet();

/** Marks `e` as raised by the simulator and returns it (`throw simRaised(new X(...))`). */
export const simRaised = raised.mark;

/** Whether the simulator itself raised `e`. */
export const isSimRaised = raised.has;
