/** A policy returned something the simulator cannot use (a NaN cost, a worker count that is not a number...). */
export class PolicyDecisionError extends Error {
  constructor(policy: string, message: string) {
    super(`policy "${policy}": ${message}`);
    this.name = 'PolicyDecisionError';
  }
}

/** Returns v if it is a finite number; otherwise throws a PolicyDecisionError naming what it was. */
export function requireFinite(policy: string, what: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new PolicyDecisionError(policy, `${what} must be a finite number, got ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? typeof v}`);
}
