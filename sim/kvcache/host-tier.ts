import { IntMap } from '../core/int-map.js';
import { LruEvictor } from './evictor.js';
import { KV_HOST_REMOVED, KV_HOST_STORED, type KvEventLog } from '../contracts/kv-events.js';
import { SharedLink } from './shared-link.js';

/**
 * A worker's host-memory KV tier (KVBM's G2): full blocks evicted from GPU memory are copied to host
 * memory over a shared link and cached there (LRU); a request whose prefix continues in host memory
 * loads those blocks back over another shared link before it is scheduled, instead of recomputing
 * them. Both links share their bandwidth equally among the transfers in flight.
 */
export class HostTier {
  private readonly slotOf: IntMap;
  private readonly blockOf: Int32Array;
  private readonly lru: LruEvictor;
  private readonly free: Int32Array;
  private nFree: number;
  private readonly toHost: SharedLink;
  private readonly toGpu: SharedLink;
  /** Blocks being copied to host memory (an offload's transfer id is its block id). */
  private readonly offloading = new Set<number>();
  /** Loads in flight: transfer id → request. */
  private readonly onboarding = new Map<number, number>();
  private nextTransfer = 0;
  private readonly ready: number[] = [];

  constructor(
    readonly capacity: number,
    private readonly blockBytes: number,
    offloadGbps: number,
    onboardGbps: number,
    private readonly events: KvEventLog | null,
  ) {
    this.slotOf = new IntMap(capacity);
    this.blockOf = new Int32Array(capacity);
    this.lru = new LruEvictor(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.nFree = capacity;
    this.toHost = new SharedLink(offloadGbps);
    this.toGpu = new SharedLink(onboardGbps);
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** A full block left GPU memory at `now`: copy it to host memory unless it is there already. */
  offload(id: number, now: number): void {
    this.toHost.advanceTo(now, this.onOffloaded);
    if (this.slotOf.has(id)) {
      const s = this.slotOf.get(id);
      this.lru.remove(s);
      this.lru.insert(s); // recently used again
      return;
    }
    if (this.offloading.has(id)) return;
    this.offloading.add(id);
    this.toHost.start(id, this.blockBytes, now, this.onOffloaded);
  }

  /** Loads `blocks` blocks for request r; r is reported by takeReady once they have arrived. */
  onboard(r: number, blocks: number, now: number): void {
    const t = this.nextTransfer++;
    this.onboarding.set(t, r);
    this.toGpu.start(t, blocks * this.blockBytes, now, this.onOnboarded);
  }

  /** Completes the transfers due by `now`. */
  advanceTo(now: number): void {
    this.toHost.advanceTo(now, this.onOffloaded);
    this.toGpu.advanceTo(now, this.onOnboarded);
  }

  /** Requests waiting for a load or loaded but not yet taken by takeReady. */
  get loadingCount(): number {
    return this.onboarding.size + this.ready.length;
  }

  /**
   * Requests waiting for a load (in start order), forgotten here: their worker is gone. (Their copies
   * stay on the link; the engine is discarded with the host tier.)
   */
  takeLoading(): number[] {
    const out = [...this.onboarding.values()];
    this.onboarding.clear();
    return out;
  }

  /** Requests whose blocks have arrived since the last call (in arrival order). */
  takeReady(): number[] {
    return this.ready.splice(0, this.ready.length);
  }

  /** When the next transfer (either way) completes, or +Infinity. */
  nextCompletion(): number {
    return Math.min(this.toHost.nextCompletion(), this.toGpu.nextCompletion());
  }

  private readonly onOffloaded = (id: number): void => {
    this.offloading.delete(id);
    if (this.slotOf.has(id)) return;
    if (this.nFree === 0) {
      const victim = this.lru.popVictim();
      const old = this.blockOf[victim]!;
      this.slotOf.delete(old);
      if (this.events) this.events.push(KV_HOST_REMOVED, old);
      this.free[this.nFree++] = victim;
    }
    const s = this.free[--this.nFree]!;
    this.slotOf.set(id, s);
    this.blockOf[s] = id;
    this.lru.insert(s);
    if (this.events) this.events.push(KV_HOST_STORED, id);
  };

  private readonly onOnboarded = (t: number): void => {
    const r = this.onboarding.get(t);
    if (r === undefined) return; // dropped by takeLoading
    this.ready.push(r);
    this.onboarding.delete(t);
  };
}
