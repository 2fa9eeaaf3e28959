/**
 * KV cache events an engine publishes for the router's indexer (Dynamo's Stored/Removed), buffered as
 * (kind, block id) pairs so a pass allocates nothing. The cluster hands the buffer to the router at
 * pass start (vLLM) or pass end (SGLang), then clears it.
 */
export const KV_STORED = 1;
export const KV_REMOVED = 2;
/** A block copied to, or dropped from, the worker's host-memory tier (KVBM G2). */
export const KV_HOST_STORED = 3;
export const KV_HOST_REMOVED = 4;

export class KvEventLog {
  data = new Int32Array(256);
  length = 0;

  push(kind: number, blockId: number): void {
    if (this.length + 2 > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = kind;
    this.data[this.length++] = blockId;
  }

  clear(): void {
    this.length = 0;
  }
}
