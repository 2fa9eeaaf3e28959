import type { KvEventLog } from '../contracts/kv-events.js';
import type { PassStats, WorkerLoad } from './pass-stats.js';

/** Token signals of one pass, in emission order, applied by the cluster when the pass ends. */
export class PassOutput {
  requests: Int32Array = new Int32Array(64);
  /** 1 if the signal's token was the request's last. */
  done: Uint8Array = new Uint8Array(64);
  length = 0;
  nCompleted = 0;

  reset(): void {
    this.length = 0;
    this.nCompleted = 0;
  }

  add(r: number, completed: boolean): void {
    if (this.length === this.requests.length) {
      const q = new Int32Array(this.length * 2); q.set(this.requests); this.requests = q;
      const d = new Uint8Array(this.length * 2); d.set(this.done); this.done = d;
    }
    this.requests[this.length] = r;
    this.done[this.length++] = completed ? 1 : 0;
    if (completed) this.nCompleted++;
  }
}

/**
 * One worker's engine core: it receives requests, runs one forward pass at a time, reports its load,
 * gives its requests up when the worker fails, and checks its own state. What only some engines do
 * is a separate capability (null where the engine lacks it): fast-forwarding runs of identical decode
 * passes, and timers of its own (KV copies to and from a host-memory tier).
 */
export interface Engine {
  /** When the router sees this engine's KV events: as the pass starts (vLLM) or when it ends (SGLang). */
  readonly eventVisibility: 'pass-start' | 'pass-end';
  /** Buffered KV events since the last flush (null when nobody listens). */
  readonly kvEvents: KvEventLog | null;
  readonly out: PassOutput;
  receive(r: number): void;
  /** True while any request is waiting or running. */
  hasWork(): boolean;
  /**
   * True when no request is waiting, running or loading its KV from another tier: only then may a
   * draining worker leave (a loading request is in no queue, so hasWork alone would lose it).
   */
  drained(): boolean;
  /**
   * Computes the whole pass starting at `now` (decisions, tokens, KV changes) and returns its end time.
   * An engine that fast-forwards may instead return the end of a run of identical decode-only passes
   * (see FastForwarding).
   */
  executePass(now: number): number;
  /** Start time of the last pass of the work returned by executePass (orders equal end times). */
  readonly lastPassStart: number;
  /** Forward passes completed so far. */
  readonly passCount: number;
  /** Totals over the passes this engine has completed. */
  readonly stats: PassStats;
  /** Writes what the engine holds now into `out`. */
  load(out: WorkerLoad): void;
  /**
   * The worker failed: returns every request it holds, each reset like a preempted request (what it
   * computed is lost, its emitted tokens stay), and forgets them. `lost` gets Σ tokens lost.
   */
  evacuate(lost: { tokens: number }): number[];
  /** Invariant check at the end of a run; returns a problem or null. */
  check(): string | null;
  readonly fastForwarding: FastForwarding | null;
  readonly timers: EngineTimers | null;
}

/**
 * An engine that computes a run of identical decode-only passes in one step (exact: the passes'
 * effects are applied when the run ends, or up to a moment something interrupts it).
 */
export interface FastForwarding {
  /** Applies a fast-forwarded run when its last pass ends. */
  settle(): void;
  /**
   * A request arrives at `now` while a fast-forwarded run is in flight: apply the passes that have
   * ended, keep only the pass in flight, and return its end time (`now` if the worker is free now),
   * or -1 if no fast-forwarded run is in flight.
   */
  truncate(now: number): number;
  /**
   * Applies the passes of a fast-forwarded run that end at or before `now`, keeping the rest in
   * flight (no-op otherwise), so that observations at `now` see them.
   */
  advanceTo(now: number): void;
}

/** An engine with work that waits on its own clock (KV copies between GPU and host memory). */
export interface EngineTimers {
  /** When the engine next needs the clock (a KV copy finishing), or +Infinity. */
  wakeAt(): number;
  /**
   * Processes what is due by `now` (KV copies); requests that can run again join the queue.
   * Returns whether any did (the cluster then cuts a fast-forwarded run short).
   */
  wake(now: number): boolean;
}
