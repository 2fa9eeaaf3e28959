/**
 * Linear model of pass time over recent passes (Dynamo planner's agg regression): ms ≈ a + b·prefill
 * tokens + c·decode context tokens, fitted by least squares on at most `maxSamples` samples kept
 * spread over a 4×4 grid of the observed range (when full, the oldest sample of the fullest cell
 * goes). A fit with a negative coefficient is rejected; fewer than 5 samples give no fit.
 */
export class PassRegression {
  private readonly x1: Float64Array;
  private readonly x2: Float64Array;
  private readonly y: Float64Array;
  private readonly seq: Float64Array;
  private n = 0;
  private nextSeq = 0;
  private lo1 = Infinity;
  private hi1 = -Infinity;
  private lo2 = Infinity;
  private hi2 = -Infinity;

  constructor(private readonly maxSamples = 64) {
    this.x1 = new Float64Array(maxSamples);
    this.x2 = new Float64Array(maxSamples);
    this.y = new Float64Array(maxSamples);
    this.seq = new Float64Array(maxSamples);
  }

  get samples(): number {
    return this.n;
  }

  add(prefillTokens: number, decodeKvTokens: number, wallMs: number): void {
    if (!(wallMs > 0)) return;
    this.lo1 = Math.min(this.lo1, prefillTokens);
    this.hi1 = Math.max(this.hi1, prefillTokens);
    this.lo2 = Math.min(this.lo2, decodeKvTokens);
    this.hi2 = Math.max(this.hi2, decodeKvTokens);
    let i = this.n;
    if (this.n === this.maxSamples) i = this.oldestOfFullestCell();
    else this.n++;
    this.x1[i] = prefillTokens;
    this.x2[i] = decodeKvTokens;
    this.y[i] = wallMs;
    this.seq[i] = this.nextSeq++;
  }

  private cell(i: number): number {
    const c1 = this.hi1 > this.lo1 ? Math.min(3, Math.floor((4 * (this.x1[i]! - this.lo1)) / (this.hi1 - this.lo1))) : 0;
    const c2 = this.hi2 > this.lo2 ? Math.min(3, Math.floor((4 * (this.x2[i]! - this.lo2)) / (this.hi2 - this.lo2))) : 0;
    return c1 * 4 + c2;
  }

  private oldestOfFullestCell(): number {
    const count = new Int32Array(16);
    for (let i = 0; i < this.n; i++) count[this.cell(i)]!++;
    let full = 0;
    for (let c = 1; c < 16; c++) if (count[c]! > count[full]!) full = c;
    let oldest = -1;
    for (let i = 0; i < this.n; i++) if (this.cell(i) === full && (oldest < 0 || this.seq[i]! < this.seq[oldest]!)) oldest = i;
    return oldest;
  }

  /** Least-squares fit, or null (too few samples, singular, or a negative coefficient). */
  fit(): { intercept: number; perPrefillToken: number; perDecodeKvToken: number } | null {
    const n = this.n;
    if (n < 5) return null;
    // normal equations for [1, x1, x2]; a feature that never varied is dropped (coefficient 0)
    const vary1 = this.hi1 > this.lo1, vary2 = this.hi2 > this.lo2;
    let s1 = 0, s2 = 0, sy = 0, s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0;
    for (let i = 0; i < n; i++) {
      const a = vary1 ? this.x1[i]! : 0, b = vary2 ? this.x2[i]! : 0, y = this.y[i]!;
      s1 += a; s2 += b; sy += y; s11 += a * a; s22 += b * b; s12 += a * b; s1y += a * y; s2y += b * y;
    }
    const m = [[n, s1, s2], [s1, s11, s12], [s2, s12, s22]];
    const v = [sy, s1y, s2y];
    if (!vary1) { m[1] = [0, 1, 0]; m[0]![1] = 0; m[2]![1] = 0; v[1] = 0; }
    if (!vary2) { m[2] = [0, 0, 1]; m[0]![2] = 0; m[1]![2] = 0; v[2] = 0; }
    const sol = solve3(m, v);
    if (sol === null) return null;
    const [a, b, c] = sol;
    if (a! < 0 || b! < -1e-12 || c! < -1e-12) return null;
    return { intercept: a!, perPrefillToken: Math.max(0, b!), perDecodeKvToken: Math.max(0, c!) };
  }
}

function solve3(m: number[][], v: number[]): number[] | null {
  const a = m.map((row, i) => [...row, v[i]!]);
  for (let col = 0; col < 3; col++) {
    let piv = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    if (Math.abs(a[piv]![col]!) < 1e-12) return null;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k < 4; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return [a[0]![3]! / a[0]![0]!, a[1]![3]! / a[1]![1]!, a[2]![3]! / a[2]![2]!];
}
