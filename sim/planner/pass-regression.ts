/**
 * Linear model of pass time over recent passes (Dynamo planner's agg regression, plus an attention
 * term): ms ≈ a + b·prefill tokens + c·attention work + d·decode context tokens, where attention work
 * is Σ over the pass's prefill chunks of (end² − start²) — without it a linear model cannot price a
 * chunk deep in a long prompt. Least squares on at most `maxSamples` samples kept spread over a 4×4
 * grid of (prefill tokens, decode tokens) (when full, the oldest sample of the fullest cell goes).
 * Like Dynamo, the intercept may be negative (predictions are clamped by the user); feature
 * coefficients are kept non-negative (Dynamo rejects such fits; we drop the feature and refit, so a
 * planner is not left without a model); fewer than 5 samples give no fit.
 */
export class PassRegression {
  private readonly x: Float64Array[];
  private readonly y: Float64Array;
  private readonly seq: Float64Array;
  private readonly cellOf: Uint8Array;
  private readonly cellCount = new Int32Array(16);
  private n = 0;
  private nextSeq = 0;
  private lo1 = Infinity;
  private hi1 = -Infinity;
  private lo3 = Infinity;
  private hi3 = -Infinity;

  constructor(private readonly maxSamples = 64) {
    this.x = [new Float64Array(maxSamples), new Float64Array(maxSamples), new Float64Array(maxSamples)];
    this.y = new Float64Array(maxSamples);
    this.seq = new Float64Array(maxSamples);
    this.cellOf = new Uint8Array(maxSamples);
  }

  get samples(): number {
    return this.n;
  }

  add(prefillTokens: number, attentionWork: number, decodeKvTokens: number, wallMs: number): void {
    if (!(wallMs > 0)) return;
    if (prefillTokens < this.lo1 || prefillTokens > this.hi1 || decodeKvTokens < this.lo3 || decodeKvTokens > this.hi3) {
      this.lo1 = Math.min(this.lo1, prefillTokens);
      this.hi1 = Math.max(this.hi1, prefillTokens);
      this.lo3 = Math.min(this.lo3, decodeKvTokens);
      this.hi3 = Math.max(this.hi3, decodeKvTokens);
      this.recell();
    }
    let i = this.n;
    if (this.n === this.maxSamples) {
      i = this.oldestOfFullestCell();
      this.cellCount[this.cellOf[i]!]!--;
    } else this.n++;
    this.x[0]![i] = prefillTokens;
    this.x[1]![i] = attentionWork;
    this.x[2]![i] = decodeKvTokens;
    this.y[i] = wallMs;
    this.seq[i] = this.nextSeq++;
    const c = this.cell(prefillTokens, decodeKvTokens);
    this.cellOf[i] = c;
    this.cellCount[c]!++;
  }

  private cell(p: number, kv: number): number {
    const c1 = this.hi1 > this.lo1 ? Math.min(3, Math.floor((4 * (p - this.lo1)) / (this.hi1 - this.lo1))) : 0;
    const c3 = this.hi3 > this.lo3 ? Math.min(3, Math.floor((4 * (kv - this.lo3)) / (this.hi3 - this.lo3))) : 0;
    return c1 * 4 + c3;
  }

  /** The observed range grew: recompute every sample's cell. */
  private recell(): void {
    this.cellCount.fill(0);
    for (let i = 0; i < this.n; i++) {
      const c = this.cell(this.x[0]![i]!, this.x[2]![i]!);
      this.cellOf[i] = c;
      this.cellCount[c]!++;
    }
  }

  private oldestOfFullestCell(): number {
    let full = 0;
    for (let c = 1; c < 16; c++) if (this.cellCount[c]! > this.cellCount[full]!) full = c;
    let oldest = -1;
    for (let i = 0; i < this.n; i++) if (this.cellOf[i] === full && (oldest < 0 || this.seq[i]! < this.seq[oldest]!)) oldest = i;
    return oldest;
  }

  /**
   * Least-squares fit with non-negative feature coefficients: a feature whose coefficient comes out
   * negative is dropped and the rest refitted (constant features are dropped too). Null with fewer
   * than 5 samples or a singular system.
   */
  fit(): { intercept: number; perPrefillToken: number; perAttentionWork: number; perDecodeKvToken: number } | null {
    const n = this.n;
    if (n < 5) return null;
    let cols: number[] = [];
    for (let f = 0; f < 3; f++) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, this.x[f]![i]!);
        hi = Math.max(hi, this.x[f]![i]!);
      }
      if (hi > lo) cols.push(f);
    }
    for (;;) {
      const sol = this.solveFor(cols);
      if (sol === null) return null;
      let worst = -1;
      for (let c = 0; c < cols.length; c++) if (sol[c + 1]! < 0 && (worst < 0 || sol[c + 1]! < sol[worst + 1]!)) worst = c;
      if (worst < 0) {
        const coef = [0, 0, 0];
        for (let c = 0; c < cols.length; c++) coef[cols[c]!] = sol[c + 1]!;
        return { intercept: sol[0]!, perPrefillToken: coef[0]!, perAttentionWork: coef[1]!, perDecodeKvToken: coef[2]! };
      }
      cols = cols.filter((_, c) => c !== worst);
    }
  }

  /** Normal equations for intercept + the given features. */
  private solveFor(cols: number[]): number[] | null {
    const n = this.n;
    const dim = cols.length + 1;
    const m: number[][] = Array.from({ length: dim }, () => new Array<number>(dim + 1).fill(0));
    const row = new Array<number>(dim);
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      for (let c = 0; c < cols.length; c++) row[c + 1] = this.x[cols[c]!]![i]!;
      const y = this.y[i]!;
      for (let a = 0; a < dim; a++) {
        for (let b = 0; b < dim; b++) m[a]![b]! += row[a]! * row[b]!;
        m[a]![dim]! += row[a]! * y;
      }
    }
    return solve(m);
  }
}

/** Gauss-Jordan with partial pivoting on an augmented square system; null if singular. */
function solve(a: number[][]): number[] | null {
  const d = a.length;
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    const scale = Math.max(1e-300, ...a.map((r) => Math.abs(r[col]!)));
    if (Math.abs(a[piv]![col]!) < 1e-12 * scale) return null;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k <= d; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return a.map((r, i) => r[d]! / r[i]!);
}
