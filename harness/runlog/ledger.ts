import { z } from 'zod';

/** What a run's ledger holds, one JSON line per evaluated candidate, and what is read from it. */

/** The id of a run's root candidate, the objective's baseline (not a searched candidate). */
export const BASELINE_ID = 'baseline';

export const LedgerEntry = z.object({
  id: z.string(),
  parent: z.string().nullable(),
  status: z.enum(['accepted', 'rejected', 'failed']),
  reason: z.string().optional(),
  commit: z.string().optional(),
  metrics: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  /** Per-replica values behind `metrics`: scenario → metric → one value per seed replica. */
  samples: z.record(z.string(), z.record(z.string(), z.array(z.number()))).optional(),
  proposer: z.string().optional(),
  /** What the proposer changed, in one line. */
  description: z.string().optional(),
  /** sha256 of the candidate's code: a resumed run does not evaluate the same code twice. */
  codeHash: z.string().optional(),
  tokens: z.number().optional(),
  usd: z.number().optional(),
  /** A failure's kind: the sandbox's (timeout, type, memory, …), `proposer` or `internal`. */
  kind: z.string().optional(),
  /** The sandbox time this candidate took, summed over its evaluations (cache hits cost ~0). */
  timings: z.object({ evaluations: z.number(), cached: z.number(), wallMs: z.number(), bundleMs: z.number(), compileMs: z.number(), runMs: z.number() }).optional(),
  /** When its proposal started; atMs is when it finished. */
  startedMs: z.number().optional(),
  atMs: z.number(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export interface LedgerTotals {
  evaluated: number;
  accepted: number;
  rejected: number;
  failed: number;
  tokens: number;
  usd: number;
}

/** Counts and LLM spending of the searched candidates (the baseline left out). */
export function ledgerTotals(entries: readonly LedgerEntry[]): LedgerTotals {
  const t: LedgerTotals = { evaluated: 0, accepted: 0, rejected: 0, failed: 0, tokens: 0, usd: 0 };
  for (const e of entries) {
    if (e.id === BASELINE_ID) continue;
    t.evaluated++;
    t[e.status]++;
    t.tokens += e.tokens ?? 0;
    t.usd += e.usd ?? 0;
  }
  return t;
}

/** One ledger line: its entry, or the damage message naming `where` (file:line). */
export function parseLedgerLine(line: string, where: string): LedgerEntry | string {
  try {
    return LedgerEntry.parse(JSON.parse(line));
  } catch (e) {
    return `${where}: not a ledger entry (${(e as Error).message.split('\n')[0]}); skipped`;
  }
}
