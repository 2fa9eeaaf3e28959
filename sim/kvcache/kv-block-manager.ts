import { IntMap } from '../core/int-map.js';
import type { Evictor } from './evictor.js';
import { PriorityEvictor, type BlockFacts } from './priority-evictor.js';
import { KV_REMOVED, KV_STORED, type KvEventLog } from '../contracts/kv-events.js';

/**
 * vLLM-style KV block pool of one worker with prefix caching (Dynamo mocker's vllm backend):
 * referenced ("active") blocks carry refcounts; unreferenced full blocks stay cached ("inactive")
 * until the evictor picks them; |active| + |inactive| never exceeds the capacity.
 *
 * Blocks are named by integer ids: full blocks by their prefix identity (equal id ⇔ equal prefix),
 * partial blocks by ids that are never reused. Partial blocks are destroyed, never cached.
 */
export class KvBlockManager implements BlockFacts {
  readonly capacity: number;
  private readonly slotOf: IntMap;
  private readonly blockOf: Int32Array;
  private readonly parentOf: Int32Array;
  private readonly ref: Int32Array;
  readonly children: Int32Array;
  /** Facts eviction policies see, per slot: reuses, last reference, first store, chain position. */
  readonly hits: Int32Array;
  readonly lastAccess: Float64Array;
  readonly inserted: Float64Array;
  readonly depth: Int32Array;
  /** Simulated time, set by the engine before it changes the pool. */
  now = 0;
  private readonly full: Uint8Array;
  private readonly freeSlots: Int32Array;
  private nFree: number;
  private nActive = 0;
  private nInactive = 0;
  /** Called with each full block evicted from the pool (the host tier copies it out). */
  onEvict: ((id: number) => void) | null = null;

  constructor(capacity: number, private readonly evictor: Evictor, private readonly events: KvEventLog | null) {
    this.capacity = capacity;
    this.slotOf = new IntMap(capacity);
    this.blockOf = new Int32Array(capacity);
    this.parentOf = new Int32Array(capacity);
    this.ref = new Int32Array(capacity);
    this.children = new Int32Array(capacity);
    this.hits = new Int32Array(capacity);
    this.lastAccess = new Float64Array(capacity);
    this.inserted = new Float64Array(capacity);
    this.depth = new Int32Array(capacity);
    if (evictor instanceof PriorityEvictor) evictor.facts = this;
    this.full = new Uint8Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.nFree = capacity;
  }

  get activeBlocks(): number {
    return this.nActive;
  }

  get inactiveBlocks(): number {
    return this.nInactive;
  }

  /** Slots that can take a new block without dropping a referenced one: free plus evictable. */
  get reclaimable(): number {
    return this.nFree + this.nInactive;
  }

  /** Whether a block is cached and referenced by some request (an unreferenced one is evictable). */
  isReferenced(id: number): boolean {
    const s = this.slotOf.get(id);
    return s >= 0 && this.ref[s]! > 0;
  }

  /** Whether a block is cached (active or inactive). */
  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /**
   * Takes a reference on a block, reusing a cached copy or allocating (evicting if full).
   * Returns false, changing nothing, if the pool is full of referenced blocks.
   */
  use(id: number, isFull: boolean, parent: number, depth = 0): boolean {
    let pos = this.slotOf.find(id);
    if (pos >= 0) {
      const s = this.slotOf.valueAt(pos);
      this.hits[s]!++;
      this.lastAccess[s] = this.now;
      if (this.ref[s]! === 0) {
        this.evictor.remove(s);
        this.nInactive--;
        this.nActive++;
      }
      this.ref[s]!++;
      return true;
    }
    if (this.nFree === 0) {
      if (!this.evictOne()) return false;
      pos = this.slotOf.find(id); // eviction may have shifted entries
    }
    this.insert(-pos - 1, id, isFull, parent, depth);
    return true;
  }

  /** Drops one reference; the last reference makes a full block inactive (cached). */
  deref(id: number): void {
    const s = this.slotOf.get(id);
    if (--this.ref[s]! > 0) return;
    this.nActive--;
    if (this.full[s]) {
      this.nInactive++;
      this.lastAccess[s] = this.now;
      this.evictor.insert(s);
    } else {
      this.release(s);
    }
  }

  /**
   * A partial block became full: drop the partial and reference the full block, which may already be
   * cached (then the partial's slot is simply freed).
   */
  promote(partialId: number, fullId: number, parent: number): void {
    const ps = this.slotOf.get(partialId);
    const existing = this.slotOf.get(fullId);
    if (existing < 0) {
      this.slotOf.delete(partialId);
      this.slotOf.set(fullId, ps);
      this.blockOf[ps] = fullId;
      this.full[ps] = 1;
      this.lastAccess[ps] = this.now;
      this.linkParent(ps, parent);
      if (this.events) this.events.push(KV_STORED, fullId);
      return;
    }
    this.nActive--;
    this.release(ps);
    if (this.ref[existing]! === 0) {
      this.evictor.remove(existing);
      this.nInactive--;
      this.nActive++;
    }
    this.ref[existing]!++;
  }

  private insert(pos: number, id: number, isFull: boolean, parent: number, depth: number): void {
    const s = this.freeSlots[--this.nFree]!;
    this.slotOf.insertAt(pos, id, s);
    this.blockOf[s] = id;
    this.ref[s] = 1;
    this.hits[s] = 0;
    this.inserted[s] = this.now;
    this.lastAccess[s] = this.now;
    this.depth[s] = depth;
    this.children[s] = 0;
    this.full[s] = isFull ? 1 : 0;
    this.parentOf[s] = -1;
    this.nActive++;
    if (isFull) {
      this.linkParent(s, parent);
      if (this.events) this.events.push(KV_STORED, id);
    }
  }

  private linkParent(s: number, parent: number): void {
    this.parentOf[s] = parent;
    if (!this.evictor.tracksChildren || parent < 0) return;
    const ps = this.slotOf.get(parent);
    if (ps >= 0 && this.children[ps]!++ === 0) this.evictor.childrenChanged(ps, true);
  }

  private evictOne(): boolean {
    const s = this.evictor.popVictim();
    if (s < 0) return false;
    this.nInactive--;
    const id = this.blockOf[s]!;
    if (this.events) this.events.push(KV_REMOVED, id);
    this.release(s);
    if (this.onEvict !== null) this.onEvict(id);
    return true;
  }

  /** Frees a slot that holds no references. */
  private release(s: number): void {
    const id = this.blockOf[s]!;
    this.slotOf.delete(id);
    if (this.evictor.tracksChildren && this.full[s]) {
      const parent = this.parentOf[s]!;
      const ps = parent >= 0 ? this.slotOf.get(parent) : -1;
      if (ps >= 0 && this.children[ps]! > 0 && --this.children[ps]! === 0) this.evictor.childrenChanged(ps, false);
      if (this.children[s]! > 0) this.evictor.childrenChanged(s, false);
    }
    this.children[s] = 0;
    this.full[s] = 0;
    this.freeSlots[this.nFree++] = s;
  }

  /** Invariant check: counts agree with the slot table. Returns a problem or null. */
  check(): string | null {
    let active = 0, inactive = 0;
    this.slotOf.forEach((_id, s) => {
      if (this.ref[s]! > 0) active++;
      else inactive++;
    });
    if (active !== this.nActive) return `active block count ${this.nActive} != ${active} referenced slots`;
    if (inactive !== this.nInactive) return `inactive block count ${this.nInactive} != ${inactive} cached slots`;
    if (active + inactive + this.nFree !== this.capacity) return `blocks not conserved: ${active} active + ${inactive} inactive + ${this.nFree} free != ${this.capacity}`;
    return null;
  }
}
