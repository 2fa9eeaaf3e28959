/**
 * Objects known by identity, never by their contents: membership cannot be forged by an object that
 * looks the same, and asking runs no code of the object's (a WeakSet lookup does not touch a Proxy's
 * traps). The set lives in the module scope of whoever creates it, out of a candidate's reach.
 */
export interface IdentitySet {
  /** Adds `x` and returns it (`throw set.mark(new X(...))`). */
  mark<T extends object>(x: T): T;
  has(x: unknown): boolean;
}

export function identitySet(): IdentitySet {
  const members = new WeakSet<object>();
  return {
    mark(x) {
      members.add(x);
      return x;
    },
    has: (x) => typeof x === 'object' && x !== null && members.has(x),
  };
}
