// Longer than 400 lines: one data structure, SGLang's radix tree over content runs, whose insert, match,
// split, lock and evict operations keep the same node arrays consistent.
import type { Workload } from '../workload/workload.js';
import { KV_REMOVED, KV_STORED, type KvEventLog } from '../contracts/kv-events.js';
import type { PromptBlocks } from '../workload/prompt-blocks.js';

/** Token value of every output token of request r: OUT_BASE + r (never equal to a prompt token). */
const OUT_BASE = 4294967296;
const ROOT = 0;

/**
 * SGLang's radix prefix cache over a token pool of one worker (Dynamo mocker `cache/radix_cache.rs`
 * + `kv_manager/sglang_backend.rs`), at page granularity, without per-token state.
 *
 * Sequences are never materialised. Request r's token at position p is its prompt content
 * (`contentIds[contentStart[r] + ⌊p/W⌋]`, W = workload block size) for p < promptLen[r], and the
 * request-unique value OUT_BASE + r for output positions. Each tree node is an edge labelled by the
 * positions [s, e) of a reference request's sequence (the path from the root equals that request's
 * prefix [0, e)), so edges are compared run by run: O(runs), not O(tokens).
 *
 * Slot accounting is by counts: capacity = treeTokens + ownTokens + available, where treeTokens are
 * the tokens held by nodes (evictable when unlocked) and ownTokens the slots requests hold outside the
 * tree (their uncached tails).
 *
 * LRU: a monotonic counter. Only the end node of a match/insert is stamped; an ancestor inherits the
 * newest stamp of its removed children, which equals SGLang's "stamp every node on the path" for all
 * eviction decisions (a node is only evictable once it is a leaf).
 *
 * Fine tails: SGLang inserts one page per decode step, growing a chain of one-page nodes. Such a
 * chain is kept inside its node as [fine, e); eviction trims it page by page from the end (as SGLang
 * would evict the chain's leaves one at a time) before removing the rest of the node whole.
 *
 * Router events: prompt block j (router block size RB) of a path belongs to the node holding its last
 * token; KV_STORED when a node gains it, KV_REMOVED when the node loses it (eviction). Splits move
 * nothing, so each block has one Stored and one Removed per caching lifetime.
 */
export class RadixCache {
  readonly page: number;
  readonly capacity: number;
  /** Tokens held by tree nodes (locked or not). */
  treeTokens = 0;
  /** Tokens of unlocked nodes (reclaimable by eviction). */
  evictable = 0;
  /** Slots held by requests outside the tree (maintained by the engine). */
  ownTokens = 0;
  /** Node found by the last matchPrefix / insertFrom. */
  lastNode = ROOT;
  /** Tokens newly added to the tree by the last insertFrom. */
  lastAdded = 0;
  /** Nodes evicted (wholly) and trims, for diagnostics. */
  evictedTokens = 0;

  private readonly promptLen: Int32Array;
  private readonly seqEnd: Int32Array;
  private readonly cs: Int32Array;
  private readonly cid: Uint32Array;
  private readonly W: number;

  // node pool
  private parent: Int32Array;
  private ref: Int32Array;
  private s: Int32Array;
  private e: Int32Array;
  private fine: Int32Array;
  private lock: Int32Array;
  private nChild: Int32Array;
  private altNext: Int32Array;
  private heapPos: Int32Array;
  private access: Float64Array;
  private keyVal: Float64Array;
  private live: Uint8Array;
  private freeIds: Int32Array;
  private nFree = 0;
  private nextId = 1;
  private clock = 0;
  private readonly children: ChildMap;
  // min-heap of evictable leaves by (access, id)
  private heap: Int32Array;
  private heapSize = 0;

  private readonly rbSize: number;
  private readonly rbStart: Int32Array | null;
  private readonly rbIds: Int32Array | null;

  constructor(
    capacityTokens: number,
    pageSize: number,
    w: Workload,
    private readonly events: KvEventLog | null,
    routerBlocks: PromptBlocks | null,
  ) {
    this.capacity = capacityTokens;
    this.page = pageSize;
    this.promptLen = w.inputLength;
    const n = w.count;
    this.seqEnd = new Int32Array(n);
    for (let i = 0; i < n; i++) this.seqEnd[i] = w.inputLength[i]! + w.outputLength[i]!;
    this.cs = w.contentStart;
    this.cid = w.contentIds;
    this.W = w.blockSize;
    if (events !== null && routerBlocks === null) throw new Error('radix cache: KV events need router blocks');
    this.rbSize = routerBlocks ? routerBlocks.blockSize : 1;
    this.rbStart = routerBlocks ? routerBlocks.start : null;
    this.rbIds = routerBlocks ? routerBlocks.ids : null;
    const cap = 1024;
    this.parent = new Int32Array(cap);
    this.ref = new Int32Array(cap);
    this.s = new Int32Array(cap);
    this.e = new Int32Array(cap);
    this.fine = new Int32Array(cap);
    this.lock = new Int32Array(cap);
    this.nChild = new Int32Array(cap);
    this.altNext = new Int32Array(cap);
    this.heapPos = new Int32Array(cap).fill(-1);
    this.access = new Float64Array(cap);
    this.keyVal = new Float64Array(cap);
    this.live = new Uint8Array(cap);
    this.freeIds = new Int32Array(cap);
    this.heap = new Int32Array(cap);
    this.children = new ChildMap(1024);
    // root
    this.parent[ROOT] = -1;
    this.ref[ROOT] = -1;
    this.lock[ROOT] = 1;
    this.live[ROOT] = 1;
  }

  get available(): number {
    return this.capacity - this.treeTokens - this.ownTokens;
  }

  /** Tokens of locked nodes (held for running or partially prefilled requests). */
  get protectedTokens(): number {
    return this.treeTokens - this.evictable;
  }

  nodeEnd(n: number): number {
    return this.e[n]!;
  }

  nodeLock(n: number): number {
    return this.lock[n]!;
  }

  // ---------------------------------------------------------------- sequence content

  private tok(r: number, p: number): number {
    return p < this.promptLen[r]! ? this.cid[this.cs[r]! + Math.floor(p / this.W)]! : OUT_BASE + r;
  }

  /** First position in [p, end) where requests a and b differ, or end (jumps whole runs). */
  private matchLen(a: number, b: number, p: number, end: number): number {
    if (a === b) return end;
    const W = this.W;
    const pa = this.promptLen[a]!, pb = this.promptLen[b]!;
    const ca = this.cs[a]!, cb = this.cs[b]!;
    const cid = this.cid;
    while (p < end) {
      let ea: number, eb: number, va: number, vb: number;
      if (p < pa) {
        const k = Math.floor(p / W);
        va = cid[ca + k]!;
        ea = Math.min(pa, (k + 1) * W);
      } else {
        va = OUT_BASE + a;
        ea = this.seqEnd[a]!;
      }
      if (p < pb) {
        const k = Math.floor(p / W);
        vb = cid[cb + k]!;
        eb = Math.min(pb, (k + 1) * W);
      } else {
        vb = OUT_BASE + b;
        eb = this.seqEnd[b]!;
      }
      if (va !== vb) return p;
      p = ea < eb ? ea : eb;
      if (p > end) p = end;
    }
    return end;
  }

  // ---------------------------------------------------------------- node pool

  private newNode(par: number, r: number, s: number, e: number): number {
    let id: number;
    if (this.nFree > 0) id = this.freeIds[--this.nFree]!;
    else {
      id = this.nextId++;
      if (id >= this.parent.length) this.growNodes();
    }
    this.parent[id] = par;
    this.ref[id] = r;
    this.s[id] = s;
    this.e[id] = e;
    this.fine[id] = e;
    this.lock[id] = 0;
    this.nChild[id] = 0;
    this.altNext[id] = -1;
    this.heapPos[id] = -1;
    this.access[id] = 0;
    this.keyVal[id] = this.tok(r, s);
    this.live[id] = 1;
    return id;
  }

  private growNodes(): void {
    const cap = this.parent.length * 2;
    const gi = (a: Int32Array, fill = 0): Int32Array => {
      const b = new Int32Array(cap);
      if (fill !== 0) b.fill(fill);
      b.set(a);
      return b;
    };
    this.parent = gi(this.parent);
    this.ref = gi(this.ref);
    this.s = gi(this.s);
    this.e = gi(this.e);
    this.fine = gi(this.fine);
    this.lock = gi(this.lock);
    this.nChild = gi(this.nChild);
    this.altNext = gi(this.altNext);
    this.heapPos = gi(this.heapPos, -1);
    this.freeIds = gi(this.freeIds);
    this.heap = gi(this.heap);
    const a = new Float64Array(cap); a.set(this.access); this.access = a;
    const k = new Float64Array(cap); k.set(this.keyVal); this.keyVal = k;
    const l = new Uint8Array(cap); l.set(this.live); this.live = l;
  }

  private freeNode(id: number): void {
    this.live[id] = 0;
    this.freeIds[this.nFree++] = id;
  }

  // ---------------------------------------------------------------- children

  /** Links c as a child of par (keyVal[c] must be set). */
  private addChild(par: number, c: number): void {
    const head = this.children.get(par, this.keyVal[c]!);
    if (head < 0) {
      this.children.set(par, this.keyVal[c]!, c);
      this.altNext[c] = -1;
    } else {
      this.altNext[c] = this.altNext[head]!;
      this.altNext[head] = c;
    }
    this.parent[c] = par;
    if (this.nChild[par]++ === 0 && this.heapPos[par]! >= 0) this.heapRemove(par);
  }

  /** Unlinks c from its parent's children (does not touch nChild). */
  private unlinkChild(par: number, c: number): void {
    const v = this.keyVal[c]!;
    const head = this.children.get(par, v);
    if (head === c) {
      const nx = this.altNext[c]!;
      if (nx >= 0) this.children.set(par, v, nx);
      else this.children.delete(par, v);
    } else {
      let x = head;
      while (this.altNext[x] !== c) x = this.altNext[x]!;
      this.altNext[x] = this.altNext[c]!;
    }
    this.altNext[c] = -1;
  }

  /** The child of `node` whose first page matches request r at depth d (query ends at `end`), or -1. */
  private findChild(node: number, r: number, d: number, end: number): number {
    const P = this.page;
    if (end - d < P) return -1;
    let c = this.children.get(node, this.tok(r, d));
    if (P === 1) return c;
    while (c >= 0) {
      if (this.matchLen(this.ref[c]!, r, d, d + P) === d + P) return c;
      c = this.altNext[c]!;
    }
    return -1;
  }

  /** Splits c at depth m (s < m < e): a new node [s, m) takes c's place; c keeps [m, e). Returns it. */
  private split(c: number, m: number): number {
    const par = this.parent[c]!;
    const u = this.newNode(par, this.ref[c]!, this.s[c]!, m);
    const f = this.fine[c]!;
    this.fine[u] = f < m ? f : m;
    this.fine[c] = f > m ? f : m;
    this.lock[u] = this.lock[c]!;
    this.access[u] = this.access[c]!;
    // u replaces c in par's child list (same first token)
    const v = this.keyVal[c]!;
    const head = this.children.get(par, v);
    if (head === c) {
      this.children.set(par, v, u);
    } else {
      let x = head;
      while (this.altNext[x] !== c) x = this.altNext[x]!;
      this.altNext[x] = u;
    }
    this.altNext[u] = this.altNext[c]!;
    this.s[c] = m;
    this.keyVal[c] = this.tok(this.ref[c]!, m);
    this.children.set(u, this.keyVal[c]!, c);
    this.altNext[c] = -1;
    this.parent[c] = u;
    this.nChild[u] = 1;
    return u;
  }

  // ---------------------------------------------------------------- LRU stamps and locks

  private touch(n: number): void {
    if (n === ROOT) return;
    this.access[n] = ++this.clock;
    const h = this.heapPos[n]!;
    if (h >= 0) this.siftDown(h);
  }

  /** Locks the path root..n (SGLang inc_lock_ref). */
  incLock(n: number): void {
    while (n !== ROOT) {
      if (this.lock[n]!++ === 0) {
        this.evictable -= this.e[n]! - this.s[n]!;
        if (this.heapPos[n]! >= 0) this.heapRemove(n);
      }
      n = this.parent[n]!;
    }
  }

  /** Unlocks the path root..n (SGLang dec_lock_ref). */
  decLock(n: number): void {
    while (n !== ROOT) {
      if (--this.lock[n]! === 0) {
        this.evictable += this.e[n]! - this.s[n]!;
        if (this.nChild[n] === 0) this.heapPush(n);
      }
      n = this.parent[n]!;
    }
  }

  /** Moves a lock from `from` to its descendant `to` (inc on the path between them only). */
  moveLock(from: number, to: number): void {
    let n = to;
    while (n !== from) {
      if (n === ROOT) throw new Error('radix cache: moveLock target is not below the locked node');
      if (this.lock[n]!++ === 0) {
        this.evictable -= this.e[n]! - this.s[n]!;
        if (this.heapPos[n]! >= 0) this.heapRemove(n);
      }
      n = this.parent[n]!;
    }
  }

  // ---------------------------------------------------------------- match / insert

  /**
   * SGLang match_prefix on request r's tokens [0, lim): the longest page-aligned cached prefix.
   * Splits the node where the match ends inside it and stamps the end node. Returns the matched
   * length; the end node is in `lastNode`.
   */
  matchPrefix(r: number, lim: number): number {
    const P = this.page;
    let node = ROOT;
    let d = 0;
    for (;;) {
      const c = this.findChild(node, r, d, lim);
      if (c < 0) break;
      const ce = this.e[c]!;
      const q = this.matchLen(this.ref[c]!, r, d, ce < lim ? ce : lim);
      const m = d + Math.floor((q - d) / P) * P;
      if (m < ce) {
        node = this.split(c, m);
        d = m;
        break;
      }
      node = c;
      d = ce;
    }
    this.touch(node);
    this.lastNode = node;
    return d;
  }

  /** Length of the cached prefix of r's tokens [0, lim), read-only (no split, no stamp). */
  prefixLen(r: number, lim: number): number {
    const P = this.page;
    let node = ROOT;
    let d = 0;
    for (;;) {
      const c = this.findChild(node, r, d, lim);
      if (c < 0) return d;
      const ce = this.e[c]!;
      const q = this.matchLen(this.ref[c]!, r, d, ce < lim ? ce : lim);
      const m = d + Math.floor((q - d) / P) * P;
      if (m < ce) return m;
      node = c;
      d = ce;
    }
  }

  /**
   * Inserts r's tokens [d, end) below `node` (whose path is r's prefix [0, d); d and end
   * page-aligned). Existing matching nodes are reused (their tokens are duplicates of the caller's
   * slots); new nodes are created unlocked. Stamps and returns the end node (also `lastNode`);
   * `lastAdded` = tokens added to the tree.
   */
  insertFrom(r: number, node: number, d: number, end: number): number {
    const P = this.page;
    let added = 0;
    while (d < end) {
      const c = this.findChild(node, r, d, end);
      if (c < 0) {
        const n = this.newNode(node, r, d, end);
        this.addChild(node, n);
        added += end - d;
        this.treeTokens += end - d;
        this.evictable += end - d;
        this.emitRange(KV_STORED, r, d, end);
        this.heapPush(n);
        node = n;
        d = end;
        break;
      }
      const ce = this.e[c]!;
      const q = this.matchLen(this.ref[c]!, r, d, ce < end ? ce : end);
      const m = d + Math.floor((q - d) / P) * P;
      if (m < ce) {
        node = this.split(c, m);
        d = m;
      } else {
        node = c;
        d = ce;
      }
    }
    this.touch(node);
    this.lastNode = node;
    this.lastAdded = added;
    return node;
  }

  /**
   * Fast path for the decode-step insert of one page: when `node` is r's own locked leaf (lock 1,
   * reference r, ending at d), grow it in place as a fine tail instead of chaining a new node.
   */
  tryAppend(r: number, node: number, d: number): boolean {
    if (node === ROOT || this.nChild[node] !== 0 || this.lock[node] !== 1 || this.ref[node] !== r || this.e[node] !== d) return false;
    const P = this.page;
    this.e[node] = d + P;
    this.treeTokens += P;
    this.emitRange(KV_STORED, r, d, d + P);
    this.access[node] = ++this.clock;
    return true;
  }

  // ---------------------------------------------------------------- eviction

  /**
   * Frees at least n tokens (when possible) by evicting unlocked leaves, least recently used first;
   * a leaf's fine tail is trimmed page by page. Returns the tokens freed.
   */
  evict(n: number): number {
    let freed = 0;
    const P = this.page;
    while (freed < n && this.heapSize > 0) {
      const x = this.heap[0]!;
      const s = this.s[x]!, e = this.e[x]!;
      const f = this.fine[x]! > s ? this.fine[x]! : s;
      const need = n - freed;
      const k = Math.ceil(need / P) * P;
      if (need < e - f && k < e - s) {
        // trim the chain's last pages
        this.emitRange(KV_REMOVED, this.ref[x]!, e - k, e);
        this.e[x] = e - k;
        this.treeTokens -= k;
        this.evictable -= k;
        freed += k;
        continue;
      }
      this.removeLeaf(x);
      freed += e - s;
    }
    this.evictedTokens += freed;
    return freed;
  }

  private removeLeaf(x: number): void {
    const len = this.e[x]! - this.s[x]!;
    const par = this.parent[x]!;
    this.heapRemove(x);
    this.emitRange(KV_REMOVED, this.ref[x]!, this.s[x]!, this.e[x]!);
    this.unlinkChild(par, x);
    if (this.access[x]! > this.access[par]!) this.access[par] = this.access[x]!;
    this.treeTokens -= len;
    this.evictable -= len;
    this.freeNode(x);
    if (--this.nChild[par]! === 0 && par !== ROOT && this.lock[par] === 0) this.heapPush(par);
  }

  private emitRange(kind: number, ref: number, s: number, e: number): void {
    const ev = this.events;
    if (ev === null) return;
    const RB = this.rbSize;
    const st = this.rbStart!;
    const base = st[ref]!;
    const nFull = st[ref + 1]! - base;
    const j1 = Math.min(Math.floor(e / RB), nFull);
    const ids = this.rbIds!;
    for (let j = Math.floor(s / RB); j < j1; j++) ev.push(kind, ids[base + j]!);
  }

  // ---------------------------------------------------------------- heap of evictable leaves

  private less(a: number, b: number): boolean {
    const x = this.access[a]!, y = this.access[b]!;
    return x < y || (x === y && a < b);
  }

  private heapPush(n: number): void {
    let i = this.heapSize++;
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (!this.less(n, q)) break;
      h[i] = q;
      this.heapPos[q] = i;
      i = p;
    }
    h[i] = n;
    this.heapPos[n] = i;
  }

  private heapRemove(n: number): void {
    const i = this.heapPos[n]!;
    this.heapPos[n] = -1;
    const last = this.heap[--this.heapSize]!;
    if (i === this.heapSize) return;
    this.heap[i] = last;
    this.heapPos[last] = i;
    // sift up or down
    let j = i;
    const h = this.heap;
    while (j > 0) {
      const p = (j - 1) >> 1;
      const q = h[p]!;
      if (!this.less(last, q)) break;
      h[j] = q;
      this.heapPos[q] = j;
      j = p;
    }
    h[j] = last;
    this.heapPos[last] = j;
    if (j === i) this.siftDown(i);
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h[i]!;
    const size = this.heapSize;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && this.less(h[r]!, h[l]!) ? r : l;
      const cv = h[c]!;
      if (!this.less(cv, n)) break;
      h[i] = cv;
      this.heapPos[cv] = i;
      i = c;
    }
    h[i] = n;
    this.heapPos[n] = i;
  }

  // ---------------------------------------------------------------- invariants

  /**
   * Recomputes the tree's counts; `lockOf` gives the lock count each node must have (from the
   * engine's requests). Returns a problem or null.
   */
  check(expectedLocks: Int32Array | null): string | null {
    let tree = 0, evictable = 0, leaves = 0;
    const kids = new Int32Array(this.nextId);
    for (let n = 1; n < this.nextId; n++) {
      if (!this.live[n]) continue;
      const par = this.parent[n]!;
      if (par < 0 || !this.live[par]) return `radix node ${n}: dead parent ${par}`;
      kids[par]!++;
      const len = this.e[n]! - this.s[n]!;
      if (len <= 0 || len % this.page !== 0 || this.s[n]! % this.page !== 0) return `radix node ${n}: bad range [${this.s[n]}, ${this.e[n]})`;
      if (par !== ROOT && this.e[par] !== this.s[n]) return `radix node ${n}: starts at ${this.s[n]} but parent ends at ${this.e[par]}`;
      if (this.lock[n]! < 0) return `radix node ${n}: negative lock ${this.lock[n]}`;
      if (par !== ROOT && this.lock[par]! < this.lock[n]!) return `radix node ${n}: lock ${this.lock[n]} above parent's ${this.lock[par]}`;
      tree += len;
      if (this.lock[n] === 0) evictable += len;
      if (this.children.get(par, this.tok(this.ref[n]!, this.s[n]!)) < 0) return `radix node ${n}: not reachable from its parent`;
      if (expectedLocks !== null && this.lock[n] !== expectedLocks[n]) return `radix node ${n}: lock ${this.lock[n]}, requests hold ${expectedLocks[n]}`;
    }
    for (let n = 1; n < this.nextId; n++) {
      if (!this.live[n]) continue;
      if (kids[n] !== this.nChild[n]) return `radix node ${n}: ${this.nChild[n]} children recorded, ${kids[n]} found`;
      const shouldHeap = kids[n] === 0 && this.lock[n] === 0;
      if (shouldHeap !== this.heapPos[n]! >= 0) return `radix node ${n}: evictable-leaf heap membership wrong`;
      if (shouldHeap) leaves++;
    }
    if (kids[ROOT] !== this.nChild[ROOT]) return `radix root: ${this.nChild[ROOT]} children recorded, ${kids[ROOT]} found`;
    if (leaves !== this.heapSize) return `radix heap holds ${this.heapSize} nodes, ${leaves} evictable leaves`;
    if (tree !== this.treeTokens) return `radix tree holds ${tree} tokens, counter says ${this.treeTokens}`;
    if (evictable !== this.evictable) return `radix tree has ${evictable} evictable tokens, counter says ${this.evictable}`;
    if (this.ownTokens < 0) return `requests hold ${this.ownTokens} slots`;
    if (this.available < 0) return `token pool over-committed: tree ${this.treeTokens} + requests ${this.ownTokens} > capacity ${this.capacity}`;
    return null;
  }

  /** Router block ids of every prompt block fully held by the tree (for checks; allocates). */
  heldRouterBlocks(): number[] {
    const out: number[] = [];
    if (this.rbStart === null) return out;
    const RB = this.rbSize, st = this.rbStart, ids = this.rbIds!;
    for (let n = 1; n < this.nextId; n++) {
      if (!this.live[n]) continue;
      const ref = this.ref[n]!;
      const base = st[ref]!;
      const j1 = Math.min(Math.floor(this.e[n]! / RB), st[ref + 1]! - base);
      for (let j = Math.floor(this.s[n]! / RB); j < j1; j++) out.push(ids[base + j]!);
    }
    return out;
  }

  /** Parent of node n (for lock recomputation in checks). */
  parentOf(n: number): number {
    return this.parent[n]!;
  }

  /** Upper bound on node ids (for check arrays). */
  get nodeIdLimit(): number {
    return this.nextId;
  }
}

/** Open-addressing map (parent node, first token value) → child node, with backward-shift deletion. */
class ChildMap {
  private kNode: Int32Array;
  private kVal: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private size = 0;

  constructor(capacity: number) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.kNode = new Int32Array(c).fill(-1);
    this.kVal = new Float64Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }

  private slot(node: number, v: number): number {
    const lo = v >>> 0;
    const hi = (v / 4294967296) | 0;
    let h = Math.imul(node ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(lo, 0x85ebca6b) ^ Math.imul(hi + 0x27d4eb2f, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & this.mask;
  }

  get(node: number, v: number): number {
    let i = this.slot(node, v);
    const kn = this.kNode;
    for (;;) {
      const k = kn[i]!;
      if (k < 0) return -1;
      if (k === node && this.kVal[i] === v) return this.vals[i]!;
      i = (i + 1) & this.mask;
    }
  }

  set(node: number, v: number, child: number): void {
    let i = this.slot(node, v);
    const kn = this.kNode;
    for (;;) {
      const k = kn[i]!;
      if (k < 0) break;
      if (k === node && this.kVal[i] === v) {
        this.vals[i] = child;
        return;
      }
      i = (i + 1) & this.mask;
    }
    kn[i] = node;
    this.kVal[i] = v;
    this.vals[i] = child;
    if (++this.size * 2 > this.mask + 1) this.rehash();
  }

  delete(node: number, v: number): void {
    let i = this.slot(node, v);
    const kn = this.kNode;
    for (;;) {
      const k = kn[i]!;
      if (k < 0) return;
      if (k === node && this.kVal[i] === v) break;
      i = (i + 1) & this.mask;
    }
    this.size--;
    // backward-shift deletion
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = kn[j]!;
      if (kj < 0) break;
      const home = this.slot(kj, this.kVal[j]!);
      // move j into i if home is cyclically outside (i, j]
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        kn[i] = kj;
        this.kVal[i] = this.kVal[j]!;
        this.vals[i] = this.vals[j]!;
        i = j;
      }
    }
    kn[i] = -1;
  }

  private rehash(): void {
    const oldN = this.kNode, oldV = this.kVal, oldX = this.vals;
    const c = (this.mask + 1) * 2;
    this.kNode = new Int32Array(c).fill(-1);
    this.kVal = new Float64Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
    for (let i = 0; i < oldN.length; i++) {
      const k = oldN[i]!;
      if (k < 0) continue;
      let s = this.slot(k, oldV[i]!);
      while (this.kNode[s]! >= 0) s = (s + 1) & this.mask;
      this.kNode[s] = k;
      this.kVal[s] = oldV[i]!;
      this.vals[s] = oldX[i]!;
    }
  }
}
