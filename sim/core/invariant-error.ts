import { simRaised } from './raised.js';

/** The simulator found its own state inconsistent (a bug in the simulator, never the candidate's fault). */
export class SimInvariantError extends Error {
  constructor(message: string) {
    super(`simulation invariant violated: ${message}`);
    this.name = 'SimInvariantError';
    simRaised(this); // not exported to candidates: only the simulator constructs it
  }
}
