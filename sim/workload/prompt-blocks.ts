import type { Workload } from './workload.js';

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
  return w.blockSize % blockSize === 0 ? buildAligned(w, blockSize) : buildUnaligned(w, blockSize);
}

function blockStarts(w: Workload, blockSize: number): Int32Array {
  const start = new Int32Array(w.count + 1);
  let total = 0;
  for (let i = 0; i < w.count; i++) {
    start[i] = total;
    total += Math.floor(w.inputLength[i]! / blockSize);
  }
  start[w.count] = total;
  return start;
}

/**
 * Engine blocks nest inside content blocks: intern the content-block chain once per content block,
 * and name engine block s of content-chain c as c·per + s (its tokens are `blockSize` copies of the
 * same value after the same prefix, so this is exactly prefix equality). 8× fewer hash lookups for
 * 512-token trace blocks and 64-token engine blocks.
 */
function buildAligned(w: Workload, blockSize: number): PromptBlocks {
  const per = w.blockSize / blockSize;
  const start = blockStarts(w, blockSize);
  const ids = new Int32Array(start[w.count]!);
  const table = new BlockInternTable(Math.min(w.contentIds.length, 1 << 16));
  const cs = w.contentStart, cid = w.contentIds;
  const chainKey = uniformKey(0, w.blockSize);
  for (let i = 0; i < w.count; i++) {
    const nb = start[i + 1]! - start[i]!;
    let out = start[i]!;
    let chain = -1;
    for (let c = 0; c * per < nb; c++) {
      chain = table.intern(chain, mix32(cid[cs[i]! + c]! ^ chainKey));
      const base = chain * per;
      const subs = Math.min(per, nb - c * per);
      for (let s = 0; s < subs; s++) ids[out++] = base + s;
    }
  }
  if (table.size * per > 2 ** 31 - 1) throw new Error('workload too large: too many distinct KV blocks');
  const chainParent = table.parents();
  const unique = table.size * per;
  const parent = new Int32Array(unique);
  for (let c = 0; c < table.size; c++) {
    const pc = chainParent[c]!;
    parent[c * per] = pc < 0 ? -1 : pc * per + per - 1;
    for (let s = 1; s < per; s++) parent[c * per + s] = c * per + s - 1;
  }
  return { blockSize, uniqueBlocks: unique, start, ids, parent };
}

/** Engine blocks may straddle content blocks: intern each one by (parent, hash of its content runs). */
function buildUnaligned(w: Workload, blockSize: number): PromptBlocks {
  const start = blockStarts(w, blockSize);
  const ids = new Int32Array(start[w.count]!);
  const table = new BlockInternTable(Math.min(ids.length, 1 << 16));
  const tbs = w.blockSize;
  const cs = w.contentStart, cid = w.contentIds;
  for (let i = 0; i < w.count; i++) {
    const nb = start[i + 1]! - start[i]!;
    let parent = -1;
    let out = start[i]!;
    for (let j = 0; j < nb; j++) {
      parent = table.intern(parent, runsKey(cid, cs[i]!, j * blockSize, blockSize, tbs));
      ids[out++] = parent;
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
