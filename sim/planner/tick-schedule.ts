/** Load and throughput ticks closer than this run as one tick (Dynamo's merge tolerance). */
export const TICK_MERGE_MS = 500;

/**
 * When the planner acts: load ticks every `loadMs`, throughput ticks every `throughputMs`, the
 * first of each one interval after the start; two ticks within 0.5 s of each other run together.
 * After a tick, each kind that ran is due again one interval later.
 */
export class TickSchedule {
  nextLoad: number;
  nextThroughput: number;

  constructor(private readonly loadMs: number | null, private readonly throughputMs: number | null, start = 0) {
    this.nextLoad = loadMs === null ? Infinity : start + loadMs;
    this.nextThroughput = throughputMs === null ? Infinity : start + throughputMs;
  }

  next(): number {
    return Math.min(this.nextLoad, this.nextThroughput);
  }

  /** The kinds of tick due at `now` (call at next()); advances the schedule. */
  fire(now: number): { load: boolean; throughput: boolean } {
    const at = this.next();
    const load = this.nextLoad - at <= TICK_MERGE_MS;
    const throughput = this.nextThroughput - at <= TICK_MERGE_MS;
    if (load) this.nextLoad = now + this.loadMs!;
    if (throughput) this.nextThroughput = now + this.throughputMs!;
    return { load, throughput };
  }
}
