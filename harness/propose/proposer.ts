import type { Prng } from '../../sim/core/prng.js';
import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { mutate, type MutationKind } from './mutate.js';

/** An archive member as a proposer sees it. */
export interface ParentView {
  id: string;
  source: string;
  metrics: ScenarioMetrics;
}

export interface ProposeContext {
  /** The id the candidate will get (names its transcript). */
  id: string;
  objective: Objective;
  parent: ParentView;
  /** A second front member to cross over with, when there is one. */
  other?: ParentView;
  rng: Prng;
  /** The current front (the LLM sees the trade-offs found so far). */
  front: readonly ParentView[];
  /** Recent failures (error messages), so a proposer can avoid repeating them. */
  recentFailures: readonly string[];
  /** The search is stopping: a long call (an LLM request) should give up. */
  signal?: AbortSignal;
  /** A new structure to tune instead of mutating the parent (harness/search/structure-tuner.ts). */
  tune?: { label: string; source: string; sigma?: number };
}

export type Proposal =
  | { ok: true; source: string; description: string; proposer: string; tokens?: number; usd?: number }
  | { ok: false; error: string; proposer: string; tokens?: number; usd?: number };

export interface Proposer {
  readonly name: string;
  /** The name with what a user tuned (models and weights), for the dashboard's header. */
  readonly label?: string;
  propose(ctx: ProposeContext): Promise<Proposal>;
}

/** The offline proposer: a seeded AST mutation (or a crossover) of the parent's code. */
export class MutationProposer implements Proposer {
  readonly name = 'mutate';

  constructor(private readonly kinds?: MutationKind[]) {}

  async propose(ctx: ProposeContext): Promise<Proposal> {
    // a joint step of the tuner's size; a structure with a single constant gets single-constant steps
    const tuned = ctx.tune && (this.first(ctx, ctx.tune.source, { kinds: ['tune'], ...(ctx.tune.sigma !== undefined ? { sigma: ctx.tune.sigma } : {}) }, `tuning ${ctx.tune.label}: `)
      ?? this.first(ctx, ctx.tune.source, { kinds: ['constant'] }, `tuning ${ctx.tune.label}: `));
    if (tuned) return tuned;
    const other = ctx.other && ctx.rng.next() < 0.2 ? ctx.other.source : undefined;
    return this.first(ctx, ctx.parent.source, { ...(other !== undefined ? { other } : {}), ...(this.kinds ? { kinds: this.kinds } : {}) })
      ?? { ok: false, error: 'no mutation site in the parent code', proposer: this.name };
  }

  /** The first of up to 20 draws that changes `source`, or null. */
  private first(ctx: ProposeContext, source: string, opts: Parameters<typeof mutate>[2], prefix = ''): Proposal | null {
    for (let attempt = 0; attempt < 20; attempt++) {
      const m = mutate(source, ctx.rng, opts);
      if (m && m.source !== source) return { ok: true, source: m.source, description: `${prefix}${m.description}`, proposer: this.name };
    }
    return null;
  }
}
