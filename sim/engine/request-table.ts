import type { Workload } from '../workload/workload.js';
import type { PromptBlocks } from '../workload/prompt-blocks.js';

export const ST_NONE = 0;
export const ST_WAITING = 1;
export const ST_RUNNING = 2;
export const ST_PREEMPTED = 3;
export const ST_DONE = 4;
export const ST_REJECTED = 5;
/** Waiting for prefix blocks to load from the host-memory tier. */
export const ST_LOADING = 6;

/**
 * Engine-side state of every request, one typed-array slot per workload request (a request lives on
 * one worker at a time, so one table serves the whole cluster).
 *
 * A request holds a prefix of its sequence's blocks: blocks 0 .. held-1. Block j is full when
 * (j+1)·blockSize <= current length; its id is then the shared prompt-block id (j < prompt's full
 * blocks, prefix caching on) or a per-request id `genBase + j` that survives preemption, so a
 * recomputation can find its own cached blocks. The last block, if not full, is a partial block with
 * a fresh negative id.
 */
export class RequestTable {
  readonly n: number;
  readonly promptLen: Int32Array;
  /** Output tokens the current phase must produce (1 on a disaggregated prefill worker). */
  readonly maxOut: Int32Array;
  /** Output tokens the user asked for. */
  readonly outputLength: Int32Array;
  readonly promptFull: Int32Array;
  readonly promptStart: Int32Array;
  readonly promptIds: Int32Array;
  readonly genBase: Float64Array;
  readonly status: Int8Array;
  readonly generated: Int32Array;
  readonly numComputed: Int32Array;
  readonly allocTokens: Int32Array;
  readonly held: Int32Array;
  readonly partialId: Int32Array;
  readonly preemptions: Int32Array;
  readonly worker: Int32Array;
  /** Scratch for the pass being built: the pass serial that scheduled the request and what it got. */
  readonly schedPass: Float64Array;
  readonly schedTokens: Int32Array;
  readonly schedPromptTokens: Int32Array;
  readonly schedPromptBefore: Int32Array;
  private nextPartial = -1;

  constructor(w: Workload, readonly blocks: PromptBlocks, readonly prefixCaching: boolean) {
    const n = (this.n = w.count);
    this.promptLen = w.inputLength;
    this.outputLength = w.outputLength;
    this.maxOut = Int32Array.from(w.outputLength);
    this.promptFull = new Int32Array(n);
    this.promptStart = blocks.start;
    this.promptIds = blocks.ids;
    this.genBase = new Float64Array(n);
    let base = blocks.uniqueBlocks;
    const bs = blocks.blockSize;
    for (let i = 0; i < n; i++) {
      this.promptFull[i] = prefixCaching ? blocks.start[i + 1]! - blocks.start[i]! : 0;
      this.genBase[i] = base;
      base += Math.ceil((w.inputLength[i]! + w.outputLength[i]!) / bs) + 1;
    }
    if (base > 2 ** 31 - 1) throw new Error('workload too large: more than 2^31 KV block identities');
    this.status = new Int8Array(n);
    this.generated = new Int32Array(n);
    this.numComputed = new Int32Array(n);
    this.allocTokens = new Int32Array(n);
    this.held = new Int32Array(n);
    this.partialId = new Int32Array(n);
    this.preemptions = new Int32Array(n);
    this.worker = new Int32Array(n).fill(-1);
    this.schedPass = new Float64Array(n).fill(-1);
    this.schedTokens = new Int32Array(n);
    this.schedPromptTokens = new Int32Array(n);
    this.schedPromptBefore = new Int32Array(n);
  }

  /**
   * Clears r's engine-side state so another engine can take it from the start (disaggregated
   * serving hands a request from its prefill worker to a decode worker) and sets the tokens the
   * next phase must produce.
   */
  startPhase(r: number, maxOut: number): void {
    this.status[r] = ST_NONE;
    this.generated[r] = 0;
    this.numComputed[r] = 0;
    this.allocTokens[r] = 0;
    this.held[r] = 0;
    this.partialId[r] = 0;
    this.maxOut[r] = maxOut;
  }

  /** r lost its KV with its worker: it must recompute prompt and output so far elsewhere. Returns the tokens lost. */
  loseKv(r: number): number {
    const lost = this.numComputed[r]!;
    this.status[r] = ST_PREEMPTED;
    this.numComputed[r] = 0;
    this.allocTokens[r] = 0;
    this.held[r] = 0;
    this.partialId[r] = 0;
    this.worker[r] = -1;
    return lost;
  }

  /** Id of request r's block j when that block is full. */
  fullId(r: number, j: number): number {
    return j < this.promptFull[r]! ? this.promptIds[this.promptStart[r]! + j]! : this.genBase[r]! + j;
  }

  newPartialId(): number {
    return this.nextPartial--;
  }
}
