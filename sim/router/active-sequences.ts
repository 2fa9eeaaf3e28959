import type { PromptBlocks } from '../workload/prompt-blocks.js';
import { PrefillTracker } from './prefill-tracker.js';
import { WorkerBitset } from './worker-bitset.js';

/**
 * What the router has sent to each worker and not seen finish (Dynamo's ActiveSequences): distinct
 * prompt blocks of active requests (decode load), prefill tokens not yet computed (prefill load,
 * cleared at the first token, decaying when a duration estimate is given) and the number of active
 * requests.
 */
export class ActiveSequences {
  readonly blocks: Int32Array;
  readonly prefill: PrefillTracker;
  readonly requests: Int32Array;
  private readonly present: WorkerBitset;
  private readonly refs: Map<number, number>[];
  private readonly reqWorker: Int32Array;

  constructor(
    private readonly pb: PromptBlocks,
    workers: number,
    requests: number,
    private readonly trackBlocks: boolean,
    private readonly assumeReuse: boolean,
    private readonly trackPrefill: boolean,
  ) {
    this.blocks = new Int32Array(workers);
    this.prefill = new PrefillTracker(requests, workers);
    this.requests = new Int32Array(workers);
    this.present = new WorkerBitset(trackBlocks && assumeReuse ? pb.uniqueBlocks : 0, workers);
    this.refs = Array.from({ length: workers }, () => new Map<number, number>());
    this.reqWorker = new Int32Array(requests).fill(-1);
  }

  /** Prompt blocks of r already active on each worker (the active set is prefix-closed), into out[w]. */
  depths(r: number, out: Int32Array): void {
    if (!(this.trackBlocks && this.assumeReuse)) {
      out.fill(0);
      return;
    }
    this.present.leadingRuns(this.pb.ids, this.pb.start[r]!, this.pb.start[r + 1]!, out);
  }

  /** r goes to w at `now`; `prefillMs` is the expected prefill duration (0 = no estimate). */
  add(r: number, w: number, isl: number, overlapBlocks: number, now: number, prefillMs: number): void {
    this.reqWorker[r] = w;
    this.requests[w]!++;
    if (this.trackBlocks) {
      const from = this.pb.start[r]!, to = this.pb.start[r + 1]!;
      if (this.assumeReuse) {
        const refs = this.refs[w]!;
        for (let j = from; j < to; j++) {
          const id = this.pb.ids[j]!;
          const c = refs.get(id) ?? 0;
          if (c === 0) {
            this.present.set(id, w);
            this.blocks[w]!++;
          }
          refs.set(id, c + 1);
        }
      } else {
        this.blocks[w]! += to - from;
      }
    }
    if (this.trackPrefill) this.prefill.add(r, w, isl - overlapBlocks * this.pb.blockSize, prefillMs, now);
  }

  prefillCompleted(r: number, now: number): void {
    this.prefill.remove(r, now);
  }

  free(r: number, now: number): void {
    const w = this.reqWorker[r]!;
    if (w < 0) return;
    this.prefill.remove(r, now);
    this.requests[w]!--;
    if (this.trackBlocks) {
      const from = this.pb.start[r]!, to = this.pb.start[r + 1]!;
      if (this.assumeReuse) {
        const refs = this.refs[w]!;
        for (let j = from; j < to; j++) {
          const id = this.pb.ids[j]!;
          const c = refs.get(id)! - 1;
          if (c === 0) {
            refs.delete(id);
            this.present.clear(id, w);
            this.blocks[w]!--;
          } else refs.set(id, c);
        }
      } else {
        this.blocks[w]! -= to - from;
      }
    }
    this.reqWorker[r] = -1;
  }
}
