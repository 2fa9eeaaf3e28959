import type { ScenarioMetrics } from '../../objectives/objective.js';
import type { LedgerEntry } from '../runlog/run-log.js';
import type { PHASES, RunStatus } from '../runlog/run-status.js';

/** What a search reports as it goes: the dashboard, the plain log lines and the status file are views of these. */

/** The same shapes the status file records (one definition: the status schema). */
export type Budgets = RunStatus['budgets'];
/** Where a candidate in flight is. */
export type Phase = (typeof PHASES)[number];
export type InFlight = RunStatus['inFlight'][number];
export type StopReason = NonNullable<RunStatus['stoppedBy']>;

export interface FrontMember {
  id: string;
  commit: string;
  metrics: ScenarioMetrics;
}

export type SearchEvent =
  | { type: 'start'; atMs: number; runDir: string; objective: string; proposer: string; seed: number; parallel: number; budgets: Budgets; resumed: boolean }
  | { type: 'message'; atMs: number; level: 'info' | 'warning'; text: string }
  /** A candidate entered a phase (the first one is 'proposing'). */
  | { type: 'phase'; atMs: number; id: string; parent: string; phase: Phase }
  /** One sandboxed evaluation of a candidate on one scenario. */
  | { type: 'evaluation'; atMs: number; id: string; scenario: string; ok: boolean; cached: boolean; wallMs: number; bundleMs?: number; compileMs?: number; runMs?: number }
  /** A candidate's outcome, exactly as written to the ledger, with its one-line summary; `past`: read back from the ledger of a resumed run. */
  | { type: 'result'; entry: LedgerEntry; summary: string; past?: boolean }
  | { type: 'front'; atMs: number; front: FrontMember[] }
  | { type: 'paused'; atMs: number; paused: boolean }
  /** No new candidates will start; those in flight finish. */
  | { type: 'stopping'; atMs: number }
  | { type: 'done'; atMs: number; stoppedBy: StopReason };

/**
 * The failure kind of a ledger entry: the sandbox's kind (timeout, type, memory, …), `proposer` when no
 * code came back, `internal` for the harness's own errors. Older ledgers have only the reason text.
 */
export function failureKind(e: Pick<LedgerEntry, 'status' | 'reason' | 'kind'>): string | undefined {
  if (e.status !== 'failed') return undefined;
  if (e.kind) return e.kind;
  const r = e.reason ?? '';
  if (r.startsWith('proposer:')) return 'proposer';
  if (r.startsWith('internal:')) return 'internal';
  const m = /^(?:held out: )?([a-z-]+) on /.exec(r);
  return m ? m[1] : 'other';
}

/** Why a candidate was rejected, as a short category for counting. */
export function rejectionKind(e: Pick<LedgerEntry, 'status' | 'reason'>): string | undefined {
  if (e.status !== 'rejected') return undefined;
  const r = e.reason ?? '';
  if (r.startsWith('duplicate')) return 'duplicate';
  if (r.startsWith('same behaviour')) return 'same behaviour';
  if (r.includes('stopped early')) return 'early stop';
  if (r.includes('held-out')) return 'held out';
  if (r.startsWith('infeasible')) return 'infeasible';
  return 'not better';
}
