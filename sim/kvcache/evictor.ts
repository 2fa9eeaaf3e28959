/** The built-in eviction orders (vLLM's LRU; leaves before their parents). */
export type EvictionName = 'lru' | 'lineage';

/**
 * Orders the inactive (cached, unreferenced) KV blocks of one worker for eviction. Slots enter when
 * their last reference is dropped and leave when reused or evicted.
 */
export interface Evictor {
  /** Whether the KV manager must report cached-children changes (needed for leaf-first order). */
  readonly tracksChildren: boolean;
  insert(slot: number): void;
  remove(slot: number): void;
  /** Removes and returns the next victim, or -1 if no block is inactive. */
  popVictim(): number;
  /** An inactive slot's count of cached children went between 0 and non-zero. */
  childrenChanged(slot: number, hasChildren: boolean): void;
}

/** Intrusive doubly linked lists over slots, several lists sharing one set of arrays. */
class SlotLists {
  readonly prev: Int32Array;
  readonly next: Int32Array;
  readonly owner: Int8Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;

  constructor(capacity: number, lists: number) {
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.owner = new Int8Array(capacity).fill(-1);
    this.head = new Int32Array(lists).fill(-1);
    this.tail = new Int32Array(lists).fill(-1);
  }

  append(list: number, s: number): void {
    const t = this.tail[list]!;
    this.prev[s] = t;
    this.next[s] = -1;
    if (t >= 0) this.next[t] = s;
    else this.head[list] = s;
    this.tail[list] = s;
    this.owner[s] = list;
  }

  unlink(s: number): void {
    const list = this.owner[s]!;
    if (list < 0) return;
    const p = this.prev[s]!, n = this.next[s]!;
    if (p >= 0) this.next[p] = n;
    else this.head[list] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail[list] = p;
    this.owner[s] = -1;
  }

  popHead(list: number): number {
    const s = this.head[list]!;
    if (s >= 0) this.unlink(s);
    return s;
  }
}

/** Least recently released first — Dynamo's vLLM mocker order (tail-first frees make suffixes go first). */
export class LruEvictor implements Evictor {
  readonly tracksChildren = false;
  private readonly lists: SlotLists;
  constructor(capacity: number) {
    this.lists = new SlotLists(capacity, 1);
  }
  insert(slot: number): void {
    this.lists.append(0, slot);
  }
  remove(slot: number): void {
    this.lists.unlink(slot);
  }
  popVictim(): number {
    return this.lists.popHead(0);
  }
  childrenChanged(): void {}
}

/**
 * Leaf-first ("lineage"): a block with cached children is kept while any leaf can go, so shared
 * prefixes outlive the suffixes hanging off them; LRU among leaves. Like KVBM's Lineage backend.
 */
export class LineageEvictor implements Evictor {
  readonly tracksChildren = true;
  private readonly lists: SlotLists;
  private readonly hasChildren: Uint8Array;
  constructor(capacity: number) {
    this.lists = new SlotLists(capacity, 2);
    this.hasChildren = new Uint8Array(capacity);
  }
  insert(slot: number): void {
    this.lists.append(this.hasChildren[slot]! ? 1 : 0, slot);
  }
  remove(slot: number): void {
    this.lists.unlink(slot);
  }
  popVictim(): number {
    const s = this.lists.popHead(0);
    return s >= 0 ? s : this.lists.popHead(1);
  }
  childrenChanged(slot: number, has: boolean): void {
    this.hasChildren[slot] = has ? 1 : 0;
    if (this.lists.owner[slot]! >= 0) {
      this.lists.unlink(slot);
      this.lists.append(has ? 1 : 0, slot);
    }
  }
}
