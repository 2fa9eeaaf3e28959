import { KV_STORED, type KvEventLog } from '../engine/kv-events.js';
import type { PromptBlocks } from '../engine/prompt-blocks.js';
import { WorkerBitset } from './worker-bitset.js';

/**
 * The router's view of every worker's KV cache, built only from the engines' Stored/Removed events
 * (Dynamo's radix indexer). Prompt blocks are indexed per worker; other blocks (generated output)
 * only count towards the worker's tree size, which breaks cost ties.
 */
export class KvIndexer {
  private readonly cached: WorkerBitset;
  readonly treeSize: Int32Array;

  constructor(private readonly blocks: PromptBlocks, workers: number) {
    this.cached = new WorkerBitset(blocks.uniqueBlocks, workers);
    this.treeSize = new Int32Array(workers);
  }

  apply(w: number, log: KvEventLog): void {
    const d = log.data;
    const U = this.blocks.uniqueBlocks;
    for (let i = 0; i < log.length; i += 2) {
      const id = d[i + 1]!;
      if (d[i] === KV_STORED) {
        this.treeSize[w]!++;
        if (id < U) this.cached.set(id, w);
      } else {
        this.treeSize[w]!--;
        if (id < U) this.cached.clear(id, w);
      }
    }
  }

  /** Worker w left: it holds nothing any more. */
  forget(w: number): void {
    for (let id = 0; id < this.blocks.uniqueBlocks; id++) this.cached.clear(id, w);
    this.treeSize[w] = 0;
  }

  /** Leading cached blocks of request r's prompt on each worker, into out[w]. */
  overlaps(r: number, out: Int32Array): void {
    this.cached.leadingRuns(this.blocks.ids, this.blocks.start[r]!, this.blocks.start[r + 1]!, out);
  }
}
