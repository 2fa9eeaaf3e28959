import type { Prng } from '../core/prng.js';
import type { FaultPlan, Pool } from './pool.js';

/**
 * Seeded worker failures: when the random ones strike (a Poisson process whose rate grows with the
 * live workers) and which routable worker each failure takes down. The cluster applies them.
 */
export class FaultInjector {
  constructor(readonly plan: FaultPlan, private readonly rng: Prng) {}

  /** When the next random failure after `now` strikes. */
  nextRandomAt(now: number, pools: readonly Pool[]): number {
    let live = 0;
    for (const p of pools) live += p.workers.liveCount;
    const perMs = (this.plan.perWorkerHour * Math.max(1, live)) / 3_600_000;
    return now + this.rng.nextExp(1 / perMs);
  }

  /** A random routable worker of any pool, or null when none is routable. */
  victim(pools: readonly Pool[]): { pool: Pool; local: number } | null {
    let n = 0;
    for (const p of pools) n += p.workers.nActive;
    if (n === 0) return null;
    let k = this.rng.nextInt(n);
    for (const p of pools) {
      if (k < p.workers.nActive) return { pool: p, local: p.workers.active[k]! };
      k -= p.workers.nActive;
    }
    return null;
  }
}
