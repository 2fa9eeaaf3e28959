import type { Workload } from '../workload/workload.js';

/**
 * Block identities of every prompt at the engine's KV block size.
 *
 * Dynamo hashes each full block (xxh3 of its tokens) and chains the hashes, so a block's identity
 * covers its whole prefix. We get the same equality relation without touching tokens: a block is
 * interned by (parent block id, 32-bit hash of its content runs), giving dense integer ids where equal
 * id ⇔ equal prefix. Dense ids let the KV manager and the router index plain typed arrays.
 * The last partial block of a prompt has no id here (partial blocks never match, as in Dynamo).
 */
export interface PromptBlocks {
  /** Engine KV block size in tokens. */
  readonly blockSize: number;
  /** Number of distinct full prompt blocks; ids are 0 .. uniqueBlocks-1. */
  readonly uniqueBlocks: number;
  /** Request i's full prompt blocks are ids[start[i] .. start[i+1]); floor(inputLength/blockSize) of them. */
  readonly start: Int32Array;
  readonly ids: Int32Array;
  /** Parent id of each unique block (-1 for a first block). */
  readonly parent: Int32Array;
}

export function buildPromptBlocks(w: Workload, blockSize: number): PromptBlocks {
  const n = w.count;
  const start = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    start[i] = total;
    total += Math.floor(w.inputLength[i]! / blockSize);
  }
  start[n] = total;
  const ids = new Int32Array(total);
  const table = new BlockInternTable(Math.min(total, 1 << 16));
  const tbs = w.blockSize;
  const uniform = tbs % blockSize === 0;
  const cs = w.contentStart, cid = w.contentIds;
  for (let i = 0; i < n; i++) {
    const nb = start[i + 1]! - start[i]!;
    const c0 = cs[i]!;
    let parent = -1;
    let out = start[i]!;
    if (uniform) {
      const per = tbs / blockSize;
      for (let j = 0; j < nb; j++) {
        const content = cid[c0 + ((j / per) | 0)]!;
        parent = table.intern(parent, uniformKey(content, blockSize));
        ids[out++] = parent;
      }
    } else {
      for (let j = 0; j < nb; j++) {
        parent = table.intern(parent, runsKey(cid, c0, j * blockSize, blockSize, tbs));
        ids[out++] = parent;
      }
    }
  }
  return { blockSize, uniqueBlocks: table.size, start, ids, parent: table.parents() };
}

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function uniformKey(token: number, len: number): number {
  return mix32(Math.imul(token ^ 0x5bd1e995, 0x9e3779b1) ^ mix32(len + 0x27d4eb2f));
}

/** Content hash of the block covering tokens [from, from+len) of a request whose content ids start at c0. */
function runsKey(cid: Uint32Array, c0: number, from: number, len: number, tbs: number): number {
  let h = 0x811c9dc5;
  let pos = from;
  const end = from + len;
  while (pos < end) {
    const k = Math.floor(pos / tbs);
    const runEnd = Math.min(end, (k + 1) * tbs);
    h = mix32(h ^ Math.imul(cid[c0 + k]! ^ 0x5bd1e995, 0x9e3779b1));
    h = mix32(h ^ (runEnd - pos));
    pos = runEnd;
  }
  return h;
}

/** Open-addressing map (parent id, content key) → dense id. */
class BlockInternTable {
  private keysParent: Int32Array;
  private keysLocal: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  private parentOf: Int32Array;
  size = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keysParent = new Int32Array(cap);
    this.keysLocal = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.parentOf = new Int32Array(Math.max(16, expected));
  }

  intern(parent: number, local: number): number {
    let h = this.slotOf(parent, local);
    const v = this.vals[h]!;
    if (v >= 0) return v;
    const id = this.size++;
    if (this.size * 2 > this.mask + 1) {
      this.rehash();
      h = this.slotOf(parent, local);
    }
    this.keysParent[h] = parent;
    this.keysLocal[h] = local;
    this.vals[h] = id;
    if (id >= this.parentOf.length) {
      const p = new Int32Array(this.parentOf.length * 2);
      p.set(this.parentOf);
      this.parentOf = p;
    }
    this.parentOf[id] = parent;
    return id;
  }

  /** The slot holding (parent, local), or the empty slot where it would go. */
  private slotOf(parent: number, local: number): number {
    let h = mix32(Math.imul(parent + 1, 0x9e3779b1) ^ local) & this.mask;
    const vals = this.vals;
    while (vals[h]! >= 0 && (this.keysParent[h] !== parent || this.keysLocal[h] !== local)) h = (h + 1) & this.mask;
    return h;
  }

  private rehash(): void {
    const oldP = this.keysParent, oldL = this.keysLocal, oldV = this.vals;
    const cap = (this.mask + 1) * 2;
    this.keysParent = new Int32Array(cap);
    this.keysLocal = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let i = 0; i < oldV.length; i++) {
      const v = oldV[i]!;
      if (v < 0) continue;
      let h = mix32(Math.imul(oldP[i]! + 1, 0x9e3779b1) ^ oldL[i]!) & this.mask;
      while (this.vals[h]! >= 0) h = (h + 1) & this.mask;
      this.keysParent[h] = oldP[i]!;
      this.keysLocal[h] = oldL[i]!;
      this.vals[h] = v;
    }
  }

  parents(): Int32Array {
    return this.parentOf.slice(0, this.size);
  }
}
