import { KV_HOST_STORED, KV_REMOVED, KV_STORED, type KvEventLog } from '../contracts/kv-events.js';
import type { PromptBlocks } from '../workload/prompt-blocks.js';
import { WorkerBitset } from './worker-bitset.js';

/**
 * The router's view of every worker's KV cache, built only from the engines' Stored/Removed events
 * (Dynamo's radix indexer). Prompt blocks are indexed per worker; other blocks (generated output)
 * only count towards the worker's tree size, which breaks cost ties.
 */
export class KvIndexer {
  private readonly cached: WorkerBitset;
  /** Prompt blocks in each worker's host-memory tier (allocated on the first host event). */
  private host: WorkerBitset | null = null;
  readonly treeSize: Int32Array;

  constructor(private readonly blocks: PromptBlocks, private readonly workers: number) {
    this.cached = new WorkerBitset(blocks.uniqueBlocks, workers);
    this.treeSize = new Int32Array(workers);
  }

  get hasHostTier(): boolean {
    return this.host !== null;
  }

  apply(w: number, log: KvEventLog): void {
    const d = log.data;
    const U = this.blocks.uniqueBlocks;
    for (let i = 0; i < log.length; i += 2) {
      const id = d[i + 1]!;
      const kind = d[i];
      if (kind === KV_STORED) {
        this.treeSize[w]!++;
        if (id < U) this.cached.set(id, w);
      } else if (kind === KV_REMOVED) {
        this.treeSize[w]!--;
        if (id < U) this.cached.clear(id, w);
      } else if (id < U) {
        this.host ??= new WorkerBitset(U, this.workers);
        if (kind === KV_HOST_STORED) this.host.set(id, w);
        else this.host.clear(id, w);
      }
    }
  }

  /** Blocks of r's prompt from `from` on that worker w holds in host memory, consecutively. */
  hostRun(r: number, w: number, from: number): number {
    const host = this.host;
    if (host === null) return 0;
    const ids = this.blocks.ids;
    const start = this.blocks.start[r]! + from, end = this.blocks.start[r + 1]!;
    let j = start;
    while (j < end && host.has(ids[j]!, w)) j++;
    return j - start;
  }

  /** Worker w left: it holds nothing any more. */
  forget(w: number): void {
    for (let id = 0; id < this.blocks.uniqueBlocks; id++) {
      this.cached.clear(id, w);
      this.host?.clear(id, w);
    }
    this.treeSize[w] = 0;
  }

  /** Leading cached blocks of request r's prompt on each worker, into out[w]. */
  overlaps(r: number, out: Int32Array): void {
    this.cached.leadingRuns(this.blocks.ids, this.blocks.start[r]!, this.blocks.start[r + 1]!, out);
  }
}
