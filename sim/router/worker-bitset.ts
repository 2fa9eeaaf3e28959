/**
 * One bit per (prompt block id, worker): which workers hold a block. Lets the router find, for all
 * workers at once, how far a request's prefix is present by AND-ing masks along its block chain.
 */
export class WorkerBitset {
  readonly words: number;
  readonly bits: Uint32Array;
  private readonly alive: Uint32Array;

  constructor(readonly blocks: number, readonly workers: number) {
    this.words = Math.max(1, Math.ceil(workers / 32));
    this.bits = new Uint32Array(blocks * this.words);
    this.alive = new Uint32Array(this.words);
  }

  set(id: number, w: number): void {
    this.bits[id * this.words + (w >>> 5)]! |= 1 << (w & 31);
  }

  clear(id: number, w: number): void {
    this.bits[id * this.words + (w >>> 5)]! &= ~(1 << (w & 31));
  }

  has(id: number, w: number): boolean {
    return (this.bits[id * this.words + (w >>> 5)]! & (1 << (w & 31))) !== 0;
  }

  /**
   * For each worker, the number of leading blocks of ids[from..to) that it holds; written to out[w].
   */
  leadingRuns(ids: Int32Array, from: number, to: number, out: Int32Array): void {
    const W = this.workers;
    const words = this.words;
    out.fill(to - from, 0, W);
    const alive = this.alive;
    for (let k = 0; k < words; k++) alive[k] = k === words - 1 && W % 32 !== 0 ? (1 << (W % 32)) - 1 : 0xffffffff;
    let any = true;
    for (let j = from; j < to && any; j++) {
      const base = ids[j]! * words;
      any = false;
      for (let k = 0; k < words; k++) {
        const a = alive[k]!;
        if (a === 0) continue;
        const m = a & this.bits[base + k]!;
        let dropped = (a & ~m) >>> 0;
        while (dropped !== 0) {
          const b = 31 - Math.clz32(dropped & -dropped);
          out[k * 32 + b] = j - from;
          dropped &= dropped - 1;
        }
        alive[k] = m;
        if (m !== 0) any = true;
      }
    }
  }
}
