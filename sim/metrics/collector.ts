/**
 * Records what the report needs, per request and pooled, without keeping every token time:
 * first/second/last token times and counts per request, and inter-token gaps pooled as
 * (value, count) runs. Gaps of consecutive passes on one worker are usually equal, so runs stay few.
 * Definitions follow Dynamo's TraceCollector (arrival, first admission, max reused prefix).
 */
/**
 * Gaps are kept to the nanosecond so that equal pass durations compare equal however the token
 * times were summed (pass by pass or in a fast-forwarded run of identical passes).
 */
export function quantizeGap(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

/** What engines report about their requests (the collector, or a filter in front of it). */
export interface TokenRecorder {
  onAdmit(r: number, t: number, reusedTokens: number): void;
  onToken(r: number, t: number, channel: number): void;
  advance(r: number, extra: number, tEnd: number): void;
  addGaps(g: number, c: number, ch: number): void;
}

/**
 * Passes admissions through and drops tokens: a disaggregated prefill worker's token is not the
 * user's first token (the decode worker emits every output token), but its admission is the request's.
 */
export class AdmissionsOnly implements TokenRecorder {
  constructor(private readonly c: Collector) {}
  onAdmit(r: number, t: number, reusedTokens: number): void {
    this.c.onAdmit(r, t, reusedTokens);
  }
  onToken(): void {}
  advance(): void {}
  addGaps(): void {}
}

export class Collector implements TokenRecorder {
  readonly arrival: Float64Array;
  readonly firstAdmit: Float64Array;
  readonly reused: Int32Array;
  readonly first: Float64Array;
  readonly second: Float64Array;
  readonly last: Float64Array;
  readonly tokens: Int32Array;
  readonly rejected: Uint8Array;
  gapValues = new Float64Array(1024);
  gapCounts = new Float64Array(1024);
  gapRuns = 0;
  private readonly runValue: Float64Array;
  private readonly runCount: Float64Array;

  constructor(readonly n: number, channels: number) {
    this.arrival = new Float64Array(n).fill(NaN);
    this.firstAdmit = new Float64Array(n).fill(NaN);
    this.reused = new Int32Array(n);
    this.first = new Float64Array(n).fill(NaN);
    this.second = new Float64Array(n).fill(NaN);
    this.last = new Float64Array(n).fill(NaN);
    this.tokens = new Int32Array(n);
    this.rejected = new Uint8Array(n);
    this.runValue = new Float64Array(Math.max(1, channels)).fill(NaN);
    this.runCount = new Float64Array(Math.max(1, channels));
  }

  onArrival(r: number, t: number): void {
    this.arrival[r] = t;
  }

  onReject(r: number): void {
    this.rejected[r] = 1;
  }

  onAdmit(r: number, t: number, reusedTokens: number): void {
    if (Number.isNaN(this.firstAdmit[r]!)) this.firstAdmit[r] = t;
    if (reusedTokens > this.reused[r]!) this.reused[r] = reusedTokens;
  }

  /** A token of request r at time t, emitted by worker `channel`. */
  onToken(r: number, t: number, channel: number): void {
    const k = this.tokens[r]!++;
    if (k === 0) {
      this.first[r] = t;
    } else {
      if (k === 1) this.second[r] = t;
      this.addGaps(quantizeGap(t - this.last[r]!), 1, channel);
    }
    this.last[r] = t;
  }

  /** `extra` more tokens of r after its last one, the final one at `tEnd`; their gaps go through addGaps. */
  advance(r: number, extra: number, tEnd: number): void {
    this.tokens[r]! += extra;
    this.last[r] = tEnd;
  }

  /** `c` inter-token gaps of value g (already quantised) from worker `ch`. */
  addGaps(g: number, c: number, ch: number): void {
    if (this.runValue[ch] === g) {
      this.runCount[ch]! += c;
      return;
    }
    this.flushChannel(ch);
    this.runValue[ch] = g;
    this.runCount[ch] = c;
  }

  private flushChannel(ch: number): void {
    const c = this.runCount[ch]!;
    if (c === 0) return;
    if (this.gapRuns === this.gapValues.length) {
      const v = new Float64Array(this.gapRuns * 2); v.set(this.gapValues); this.gapValues = v;
      const k = new Float64Array(this.gapRuns * 2); k.set(this.gapCounts); this.gapCounts = k;
    }
    this.gapValues[this.gapRuns] = this.runValue[ch]!;
    this.gapCounts[this.gapRuns++] = c;
    this.runCount[ch] = 0;
    this.runValue[ch] = NaN;
  }

  /** Moves every channel's open run into the pooled list (call before reading the gaps). */
  flush(): void {
    for (let ch = 0; ch < this.runValue.length; ch++) this.flushChannel(ch);
  }
}
