import { createHash } from 'node:crypto';
import type { Prng } from '../../sim/core/prng.js';
import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { mutate, type Mutation, type MutationKind } from './mutate.js';

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
  /**
   * What became of proposal `id` at the probe: 'same' when it behaved exactly like an earlier
   * candidate (the edit changed nothing the traffic exercises), 'different' otherwise.
   */
  observe?(id: string, outcome: 'same' | 'different'): void;
}

/** Each edit at a site that changed nothing halves the chance of editing there again, down to 1/64. */
const NOOP_DECAY = 0.5, NOOP_FLOOR = 1 / 64;

/** The offline proposer: a seeded AST mutation (or a crossover) of the parent's code. */
export class MutationProposer implements Proposer {
  readonly name = 'mutate';
  /** Site of each proposal still waiting for its probe. */
  private readonly pending = new Map<string, string>();
  /** Proposals per site that behaved exactly like an earlier candidate. */
  private readonly noops = new Map<string, number>();
  /** Hashes of the code proposed so far: a draw that repeats one is drawn again, not sent to be dropped. */
  private readonly proposed = new Set<string>();

  constructor(private readonly kinds?: MutationKind[]) {}

  observe(id: string, outcome: 'same' | 'different'): void {
    const site = this.pending.get(id);
    this.pending.delete(id);
    if (site !== undefined && outcome === 'same') this.noops.set(site, (this.noops.get(site) ?? 0) + 1);
  }

  /** How likely an edit at `site` is drawn, relative to a fresh site. */
  readonly siteWeight = (site: string): number => Math.max(NOOP_FLOOR, NOOP_DECAY ** (this.noops.get(site) ?? 0));

  async propose(ctx: ProposeContext): Promise<Proposal> {
    // a joint step of the tuner's size; a structure with a single constant gets single-constant steps
    const tuned = ctx.tune && (this.first(ctx, ctx.tune.source, { kinds: ['tune'], ...(ctx.tune.sigma !== undefined ? { sigma: ctx.tune.sigma } : {}) }, `tuning ${ctx.tune.label}: `)
      ?? this.first(ctx, ctx.tune.source, { kinds: ['constant'] }, `tuning ${ctx.tune.label}: `));
    if (tuned) return tuned;
    const other = ctx.other && ctx.rng.next() < 0.2 ? ctx.other.source : undefined;
    return this.first(ctx, ctx.parent.source, { ...(other !== undefined ? { other } : {}), ...(this.kinds ? { kinds: this.kinds } : {}), siteWeight: this.siteWeight }, '', true)
      ?? { ok: false, error: 'no mutation site in the parent code', proposer: this.name };
  }

  /**
   * The first of up to 20 draws that changes `source` into code not proposed before, or null; `learn`:
   * remember its site for observe(). When every single edit it draws was proposed before (a small
   * policy's neighbourhood is soon exhausted), it composes two or three edits; only when those repeat
   * too does a repeat go out (the search drops it as duplicate code, and stops after a long streak).
   */
  private first(ctx: ProposeContext, source: string, opts: Parameters<typeof mutate>[2], prefix = '', learn = false): Proposal | null {
    let frontier: Mutation[] = [];
    for (let depth = 1; depth <= 3; depth++) {
      const next: Mutation[] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        const base = depth === 1 ? null : frontier[ctx.rng.nextInt(frontier.length)]!;
        const m = mutate(base ? base.source : source, ctx.rng, opts);
        if (!m || m.source === source) continue;
        const step = base ? { ...m, description: `${base.description}; then ${m.description}` } : m;
        const h = createHash('sha256').update(step.source).digest('base64');
        if (!this.proposed.has(h)) {
          this.proposed.add(h);
          return this.proposal(ctx, step, prefix, learn);
        }
        next.push(step);
      }
      if (next.length === 0) break;
      frontier = next;
    }
    return frontier.length > 0 ? this.proposal(ctx, frontier[0]!, prefix, learn) : null;
  }

  private proposal(ctx: ProposeContext, m: Mutation, prefix: string, learn: boolean): Proposal {
    if (learn) this.pending.set(ctx.id, m.site);
    return { ok: true, source: m.source, description: `${prefix}${m.description}`, proposer: this.name };
  }
}
