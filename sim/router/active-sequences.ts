import type { PromptBlocks } from '../engine/prompt-blocks.js';
import { WorkerBitset } from './worker-bitset.js';

/**
 * What the router has sent to each worker and not seen finish (Dynamo's ActiveSequences): distinct
 * prompt blocks of active requests (decode load), prefill tokens not yet computed (prefill load,
 * cleared at the first token) and the number of active requests. No time decay: without a prefill
 * duration estimator Dynamo does not decay either.
 */
export class ActiveSequences {
  readonly blocks: Int32Array;
  readonly prefillTokens: Float64Array;
  readonly requests: Int32Array;
  private readonly present: WorkerBitset;
  private readonly refs: Map<number, number>[];
  private readonly reqWorker: Int32Array;
  private readonly reqPrefill: Float64Array;

  constructor(
    private readonly pb: PromptBlocks,
    workers: number,
    requests: number,
    private readonly trackBlocks: boolean,
    private readonly assumeReuse: boolean,
    private readonly trackPrefill: boolean,
  ) {
    this.blocks = new Int32Array(workers);
    this.prefillTokens = new Float64Array(workers);
    this.requests = new Int32Array(workers);
    this.present = new WorkerBitset(trackBlocks && assumeReuse ? pb.uniqueBlocks : 0, workers);
    this.refs = Array.from({ length: workers }, () => new Map<number, number>());
    this.reqWorker = new Int32Array(requests).fill(-1);
    this.reqPrefill = new Float64Array(requests);
  }

  /** Prompt blocks of r already active on each worker (the active set is prefix-closed), into out[w]. */
  depths(r: number, out: Int32Array): void {
    if (!(this.trackBlocks && this.assumeReuse)) {
      out.fill(0);
      return;
    }
    this.present.leadingRuns(this.pb.ids, this.pb.start[r]!, this.pb.start[r + 1]!, out);
  }

  add(r: number, w: number, isl: number, overlapBlocks: number): void {
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
    const tokens = this.trackPrefill ? isl - overlapBlocks * this.pb.blockSize : 0;
    this.reqPrefill[r] = tokens > 0 ? tokens : 0;
    this.prefillTokens[w]! += this.reqPrefill[r]!;
  }

  prefillCompleted(r: number): void {
    const w = this.reqWorker[r]!;
    if (w < 0) return;
    this.prefillTokens[w]! -= this.reqPrefill[r]!;
    this.reqPrefill[r] = 0;
  }

  free(r: number): void {
    const w = this.reqWorker[r]!;
    if (w < 0) return;
    this.prefillCompleted(r);
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
