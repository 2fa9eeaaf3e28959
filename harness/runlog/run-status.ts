import { z } from 'zod';

/** Where a candidate in flight is: being written, on the probe scenario, the other search scenarios, the held-out ones, or being committed. */
export const PHASES = ['proposing', 'probe', 'scenarios', 'held-out', 'committing'] as const;

/**
 * What a live search tells other processes (`twinsearch watch`) beyond the ledger: what is in flight,
 * whether it is paused or stopping, and how it ended. Rewritten atomically, a few times a second at most.
 */
export const RunStatus = z.object({
  pid: z.number().int(),
  state: z.enum(['running', 'paused', 'stopping', 'finished']),
  stoppedBy: z.enum(['iterations', 'minutes', 'usd', 'tokens', 'signal', 'exhausted']).optional(),
  /** When this invocation of the search started (a resumed run has several). */
  startedAtMs: z.number(),
  updatedAtMs: z.number(),
  proposer: z.string(),
  parallel: z.number().int(),
  budgets: z.object({ iterations: z.number().nullable(), minutes: z.number().nullable(), usd: z.number().nullable(), tokens: z.number().nullable() }),
  /** Time spent paused in this invocation (the minutes budget does not count it). */
  pausedMs: z.number().default(0),
  inFlight: z.array(z.object({ id: z.string(), parent: z.string(), phase: z.enum(PHASES), sinceMs: z.number() })),
});
export type RunStatus = z.infer<typeof RunStatus>;

/** A request to a live search from another process (`twinsearch watch`): pause or resume it. */
export const RunControl = z.object({ paused: z.boolean(), atMs: z.number() });
export type RunControl = z.infer<typeof RunControl>;
