/**
 * The simulator's priority queue, a binary min-heap on typed arrays ordered by (time, kind, tie,
 * sequence): the cluster's one queue of tagged events, and with a single kind the other time- or
 * key-ordered queues (ready session turns, a shared link's transfers, the KV router's held requests). The kind orders events of one instant (a pass ending before a worker
 * becomes ready, …); the tie is the caller's key within a kind (a pass's start time); the sequence is
 * insertion order unless given. Each event carries two integers (a worker, a request, a generation).
 */
export class EventQueue {
  private time: Float64Array;
  private kind: Int32Array;
  private tie: Float64Array;
  private seq: Float64Array;
  private a: Int32Array;
  private b: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 256) {
    this.time = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.tie = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Adds an event; `seq` defaults to insertion order (pass one to make the order independent of it). */
  push(time: number, kind: number, a = 0, b = 0, tie = 0, seq = this.nextSeq++): void {
    if (this.n === this.time.length) this.grow();
    const { time: T, kind: C, tie: K, seq: S, a: A, b: B } = this;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt < time || (pt === time && (C[p]! < kind || (C[p] === kind && (K[p]! < tie || (K[p] === tie && S[p]! < seq)))))) break;
      T[i] = pt;
      C[i] = C[p]!;
      K[i] = K[p]!;
      S[i] = S[p]!;
      A[i] = A[p]!;
      B[i] = B[p]!;
      i = p;
    }
    T[i] = time;
    C[i] = kind;
    K[i] = tie;
    S[i] = seq;
    A[i] = a;
    B[i] = b;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  /** Kind of the earliest event (-1 when empty). */
  peekKind(): number {
    return this.n > 0 ? this.kind[0]! : -1;
  }

  peekA(): number {
    return this.a[0]!;
  }

  peekB(): number {
    return this.b[0]!;
  }

  /** Removes the earliest event and returns its first payload (read the rest with the peek methods first). */
  pop(): number {
    const { time: T, kind: C, tie: K, seq: S, a: A, b: B } = this;
    const out = A[0]!;
    const last = --this.n;
    if (last === 0) return out;
    const t = T[last]!, c = C[last]!, k = K[last]!, s = S[last]!, pa = A[last]!, pb = B[last]!;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let m = 2 * i + 1;
      const r = m + 1;
      if (r < last && (T[r]! < T[m]! || (T[r] === T[m] && (C[r]! < C[m]! || (C[r] === C[m] && (K[r]! < K[m]! || (K[r] === K[m] && S[r]! < S[m]!))))))) m = r;
      if (t < T[m]! || (t === T[m] && (c < C[m]! || (c === C[m] && (k < K[m]! || (k === K[m] && s < S[m]!)))))) break;
      T[i] = T[m]!;
      C[i] = C[m]!;
      K[i] = K[m]!;
      S[i] = S[m]!;
      A[i] = A[m]!;
      B[i] = B[m]!;
      i = m;
    }
    T[i] = t;
    C[i] = c;
    K[i] = k;
    S[i] = s;
    A[i] = pa;
    B[i] = pb;
    return out;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const f64 = (x: Float64Array): Float64Array => { const y = new Float64Array(cap); y.set(x); return y; };
    const i32 = (x: Int32Array): Int32Array => { const y = new Int32Array(cap); y.set(x); return y; };
    this.time = f64(this.time);
    this.kind = i32(this.kind);
    this.tie = f64(this.tie);
    this.seq = f64(this.seq);
    this.a = i32(this.a);
    this.b = i32(this.b);
  }
}
