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
  tune?: { label: string; source: string };
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
    if (ctx.tune) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const m = mutate(ctx.tune.source, ctx.rng, { kinds: ['tune', 'constant'] });
        if (m && m.source !== ctx.tune.source) return { ok: true, source: m.source, description: `tuning ${ctx.tune.label}: ${m.description}`, proposer: this.name };
      }
    }
    const other = ctx.other && ctx.rng.next() < 0.2 ? ctx.other.source : undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const m = mutate(ctx.parent.source, ctx.rng, { ...(other !== undefined ? { other } : {}), ...(this.kinds ? { kinds: this.kinds } : {}) });
      if (m && m.source !== ctx.parent.source) return { ok: true, source: m.source, description: m.description, proposer: this.name };
    }
    return { ok: false, error: 'no mutation site in the parent code', proposer: this.name };
  }
}
