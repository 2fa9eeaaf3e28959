import { identitySet } from '../core/identity-set.js';

/**
 * The policy modules the define* functions made, by identity. In the sandbox a candidate's default
 * export counts as a policy only if it is one of these: a hand-made object whose `kind` getter
 * answers differently on each read, or a Proxy around a real module, is not.
 */
const made = identitySet();

export const markDefined = made.mark;

/** Whether a define* function made `x`. */
export const madeByDefine = made.has;

/** A policy's name as given, if it is a short string; otherwise the kind's default (no candidate getter is kept). */
export function policyName(given: unknown, fallback: string): string {
  return typeof given === 'string' && given.length > 0 ? given.slice(0, 80) : fallback;
}
