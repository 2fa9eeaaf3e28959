import { Prng } from '../core/prng.js';
import type { Workload } from './workload.js';

/**
 * Synthetic workloads in the spirit of Dynamo's `Trace::synthetic` (reference §8.3), with its prefix
 * bug fixed and multi-turn sessions that reuse their own history.
 *
 * Content:
 * - Every content id is drawn from one counter, so ids never collide by accident. Prefix group g owns
 *   the ids of its prefix blocks: no other group (and no unique block) ever uses them. Dynamo packs the
 *   group into the high bits of a u64 that its tokens then truncate to u32, so all its groups share
 *   one prefix; here groups really differ.
 * - A first turn's prompt is ceil(isl/blockSize) blocks; the first round(blocks × sharedPrefixRatio)
 *   are its group's prefix blocks, the rest are fresh.
 * - Turn t > 0's prompt = the previous prompt's *full* blocks (same ids, so it hits the previous turn's
 *   cache) + the previous turn's output and `isl` new tokens as fresh blocks. The previous prompt's
 *   partial last block is dropped, because its id stands for `blockSize` tokens the previous prompt
 *   only partly had. So inputLength(t) = floor(inputLength(t-1)/bs)·bs + outputLength(t-1) + isl(t).
 *
 * Timing: first turns arrive by `arrival`; later turns wait `interTurnDelayMs` after the previous turn
 * completes (Workload semantics). Lengths are normal(mean, std) rounded and clamped to >= 1.
 */
export type Arrival = { kind: 'fixed'; intervalMs: number } | { kind: 'poisson'; ratePerSec: number } | { kind: 'burst' };

export interface SyntheticOptions {
  /** Number of sessions (Dynamo's `--request-count`); requests = requests × turnsPerSession. */
  requests: number;
  /** Mean new prompt tokens per turn. */
  isl: number;
  /** Mean output tokens per turn. */
  osl: number;
  islStd?: number;
  oslStd?: number;
  /** First-turn arrivals; session 0 always arrives at 0. */
  arrival: Arrival;
  /** Fraction (0..1) of a first-turn prompt's blocks taken from its prefix group; default 0. */
  sharedPrefixRatio?: number;
  /** Groups with distinct prefixes, each session in a uniformly random one; default 1. */
  numPrefixGroups?: number;
  turnsPerSession?: number;
  interTurnDelayMs?: number;
  /** Tokens per content id; default 64. */
  blockSize?: number;
  seed?: number;
}

const KNOWN = new Set([
  'requests', 'isl', 'osl', 'islStd', 'oslStd', 'arrival', 'sharedPrefixRatio', 'numPrefixGroups',
  'turnsPerSession', 'interTurnDelayMs', 'blockSize', 'seed',
]);
const MAX_I32 = 0x7fffffff;

export function generateSynthetic(opts: SyntheticOptions): Workload {
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw new Error(`synthetic: unknown option '${k}'`);
  const requests = int('requests', opts.requests, 1);
  const isl = int('isl', opts.isl, 1);
  const osl = int('osl', opts.osl, 1);
  const islStd = num('islStd', opts.islStd ?? 0, 0);
  const oslStd = num('oslStd', opts.oslStd ?? 0, 0);
  const ratio = num('sharedPrefixRatio', opts.sharedPrefixRatio ?? 0, 0, 1);
  const groups = int('numPrefixGroups', opts.numPrefixGroups ?? 1, 0);
  if (ratio > 0 && groups < 1) throw new Error(`synthetic: numPrefixGroups must be >= 1 when sharedPrefixRatio > 0, got ${groups}`);
  const turns = int('turnsPerSession', opts.turnsPerSession ?? 1, 1);
  const delay = num('interTurnDelayMs', opts.interTurnDelayMs ?? 0, 0);
  const bs = int('blockSize', opts.blockSize ?? 64, 1);
  const seed = int('seed', opts.seed ?? 42, 0, 0xffffffff);
  const nextArrival = arrivals(opts.arrival);
  if (requests * turns > MAX_I32) throw new Error('synthetic: requests × turnsPerSession is too large');

  const root = new Prng(seed);
  const rng = { arrival: root.split('arrival'), group: root.split('prefix-group'), isl: root.split('isl'), osl: root.split('osl') };
  const count = requests * turns;
  const sessionStart = new Int32Array(requests + 1);
  const timeMs = new Float64Array(count);
  const inputLength = new Int32Array(count);
  const outputLength = new Int32Array(count);
  const contentStart = new Int32Array(count + 1);
  const ids = new IdBuffer();
  const groupPrefix: number[][] = Array.from({ length: groups }, () => []);

  for (let s = 0, i = 0; s < requests; s++) {
    sessionStart[s] = i;
    const arrivalMs = nextArrival(s, rng.arrival);
    const group = ratio > 0 ? rng.group.nextInt(groups) : -1;
    for (let t = 0; t < turns; t++, i++) {
      const newTokens = length(isl, islStd, rng.isl);
      let input: number;
      if (t === 0) {
        input = newTokens;
        const blocks = Math.ceil(input / bs);
        const shared = group < 0 ? 0 : Math.min(blocks, Math.round(blocks * ratio));
        if (shared > 0) {
          const prefix = groupPrefix[group]!;
          while (prefix.length < shared) prefix.push(ids.fresh());
          for (let b = 0; b < shared; b++) ids.push(prefix[b]!);
        }
        ids.pushFresh(blocks - shared);
      } else {
        const full = Math.floor(inputLength[i - 1]! / bs);
        const added = outputLength[i - 1]! + newTokens;
        input = full * bs + added;
        if (input > MAX_I32) throw new Error(`synthetic: session ${s} turn ${t} prompt exceeds 2^31 tokens; use fewer turns or shorter lengths`);
        ids.repeat(contentStart[i - 1]!, full);
        ids.pushFresh(Math.ceil(added / bs));
      }
      timeMs[i] = t === 0 ? arrivalMs : delay;
      inputLength[i] = input;
      outputLength[i] = length(osl, oslStd, rng.osl);
      contentStart[i + 1] = ids.length;
    }
  }
  sessionStart[requests] = count;

  const arrival = opts.arrival.kind === 'fixed' ? `fixed ${opts.arrival.intervalMs}ms` : opts.arrival.kind === 'poisson' ? `poisson ${opts.arrival.ratePerSec}/s` : 'burst';
  const prefix = ratio > 0 ? ` prefix=${ratio}×${groups}` : '';
  return {
    name: `synthetic(n=${requests} isl=${isl} osl=${osl} ${arrival}${prefix} turns=${turns} seed=${seed})`,
    count,
    sessions: requests,
    sessionStart,
    timeMs,
    inputLength,
    outputLength,
    contentStart,
    contentIds: ids.done(),
    blockSize: bs,
    sourceLine: new Int32Array(count),
  };
}

type NextArrival = (session: number, rng: Prng) => number;

function arrivals(a: Arrival | undefined): NextArrival {
  if (a === undefined || a === null || typeof a !== 'object') throw new Error(`synthetic: arrival must be {kind:'fixed'|'poisson'|'burst', ...}`);
  switch (a.kind) {
    case 'fixed': {
      const interval = num('arrival.intervalMs', a.intervalMs, 0);
      return (s) => s * interval; // multiplied, not summed, so late sessions carry no rounding drift
    }
    case 'poisson': {
      const meanGap = 1000 / num('arrival.ratePerSec', a.ratePerSec, Number.MIN_VALUE);
      let t = 0;
      return (s, rng) => (s === 0 ? 0 : (t += rng.nextExp(meanGap)));
    }
    case 'burst':
      return () => 0;
    default:
      throw new Error(`synthetic: arrival.kind must be 'fixed', 'poisson' or 'burst', got ${JSON.stringify((a as { kind: unknown }).kind)}`);
  }
}

/** normal(mean, std) by Box-Muller, rounded, at least 1; std 0 draws nothing. */
function length(mean: number, std: number, rng: Prng): number {
  if (std === 0) return mean;
  return Math.max(1, Math.min(MAX_I32, Math.round(mean + std * rng.nextNormal())));
}

/** Growable u32 list: content ids are written per block, never per token. */
class IdBuffer {
  private buf = new Uint32Array(1024);
  length = 0;
  private next = 0;

  fresh(): number {
    if (this.next > 0xffffffff) throw new Error('synthetic: more than 2^32 distinct content ids; use a larger blockSize');
    return this.next++;
  }

  /** Appends n new ids. */
  pushFresh(n: number): void {
    if (this.next + n > 0x100000000) throw new Error('synthetic: more than 2^32 distinct content ids; use a larger blockSize');
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    for (let k = 0; k < n; k++) this.buf[this.length++] = this.next++;
  }

  push(id: number): void {
    if (this.length === this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = id;
  }

  /** Appends a copy of n ids starting at `from`. */
  repeat(from: number, n: number): void {
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    this.buf.copyWithin(this.length, from, from + n);
    this.length += n;
  }

  done(): Uint32Array {
    return this.buf.slice(0, this.length);
  }

  private grow(need: number): void {
    if (need > MAX_I32) throw new Error('synthetic: more than 2^31 content blocks; use a larger blockSize or fewer requests');
    const next = new Uint32Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

function int(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new Error(`synthetic: ${name} must be an integer ${range}, got ${String(v)}`);
  }
  return v;
}

function num(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = max === Infinity ? (min === Number.MIN_VALUE ? '> 0' : `>= ${min}`) : `in ${min}..${max}`;
    throw new Error(`synthetic: ${name} must be a finite number ${range}, got ${String(v)}`);
  }
  return v;
}
