import { simRaised } from '../core/raised.js';

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
  // the simulator's own check marks the error; a PolicyDecisionError a candidate throws itself is its own runtime error
  throw simRaised(new PolicyDecisionError(policy, `${what} must be a finite number, got ${describeValue(v)}`));
}

/** A short description of a value a policy returned: its type, and for a number its value (no candidate code runs). */
function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'undefined' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return Array.isArray(v) ? 'an array' : 'an object';
}
