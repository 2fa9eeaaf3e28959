/**
 * Binary min-heap of events on typed arrays. Order is total: by time, then by a caller-chosen tie key,
 * then by insertion sequence, so equal-time events always pop in the same order.
 * Each event carries one integer payload (a worker index, a request index, ...).
 */
export class EventHeap {
  private time: Float64Array;
  private tie: Float64Array;
  private seq: Float64Array;
  private payload: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    this.time = new Float64Array(capacity);
    this.tie = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.payload = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Adds an event; `seq` defaults to insertion order (pass one to make the order independent of it). */
  push(time: number, payload: number, tie = 0, seq = this.nextSeq++): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = seq;
    const { time: T, tie: K, seq: S, payload: P } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt < time || (pt === time && (K[p]! < tie || (K[p] === tie && S[p]! < s)))) break;
      T[i] = pt;
      K[i] = K[p]!;
      S[i] = S[p]!;
      P[i] = P[p]!;
      i = p;
    }
    T[i] = time;
    K[i] = tie;
    S[i] = s;
    P[i] = payload;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  peekPayload(): number {
    return this.payload[0]!;
  }

  /** Removes the earliest event and returns its payload. */
  pop(): number {
    const { time: T, tie: K, seq: S, payload: P } = this;
    const out = P[0]!;
    const last = --this.n;
    if (last === 0) return out;
    const t = T[last]!, k = K[last]!, s = S[last]!, pl = P[last]!;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (T[r]! < T[c]! || (T[r] === T[c] && (K[r]! < K[c]! || (K[r] === K[c] && S[r]! < S[c]!))))) c = r;
      if (t < T[c]! || (t === T[c] && (k < K[c]! || (k === K[c] && s < S[c]!)))) break;
      T[i] = T[c]!;
      K[i] = K[c]!;
      S[i] = S[c]!;
      P[i] = P[c]!;
      i = c;
    }
    T[i] = t;
    K[i] = k;
    S[i] = s;
    P[i] = pl;
    return out;
  }

  clear(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const k = new Float64Array(cap); k.set(this.tie); this.tie = k;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const p = new Int32Array(cap); p.set(this.payload); this.payload = p;
  }
}
