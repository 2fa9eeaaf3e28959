/** A policy returned something the simulator cannot use (a NaN cost, a worker count that is not a number...). */
export class PolicyDecisionError extends Error {
  constructor(policy: string, message: string) {
    super(`policy "${policy}": ${message}`);
    this.name = 'PolicyDecisionError';
  }
}
