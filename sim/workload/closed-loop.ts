import { Prng } from '../core/prng.js';
import type { Workload } from './workload.js';

/**
 * A closed-loop benchmark as serving benchmark tools run it (vLLM's and SGLang's `bench_serving
 * --max-concurrency N --request-rate inf`, AIPerf `--concurrency N`): N clients, each sends a request,
 * waits for its last token and sends the next at once, `requestsPerClient` times. Every prompt is fresh
 * (no prefix sharing). Expressed as a Workload of N sessions whose later turns have zero delay, so the
 * simulator's session driver is the closed loop.
 *
 * What keeps it from being a lockstep toy is what the tools really do:
 * - All requests are issued at once and a semaphore lets N through, so the server sees the N first
 *   prompts within the client's set-up time (`launchIntervalMs` apart, in a random order): the start
 *   is a burst whose queue is part of the measured mean.
 * - Lengths vary: `--random-range-ratio R` draws ISL and OSL uniformly from [R × L, L] (`rangeRatio`);
 *   different output lengths end requests in different passes, so clients drift apart after the burst.
 *   On top, a synthetic prompt is text the server re-tokenises, and token boundaries at the joins move
 *   the count by a few tokens (`islJitter`). Output lengths are forced (ignore_eos).
 * - After a request's last token the client turns around (reads the end of the stream, sends the
 *   next request) in a random time of mean `turnaroundMs`.
 */
export interface ClosedLoopOptions {
  /** Concurrent clients (the benchmark's concurrency). */
  clients: number;
  /** Requests each client sends, one after another. */
  requestsPerClient: number;
  /** Prompt tokens per request (mean). */
  isl: number;
  /** Output tokens per request. */
  osl: number;
  /** Relative standard deviation of the prompt length (0 = exact). */
  islJitter: number;
  /**
   * Lengths drawn as benchmark_serving's `--random-range-ratio R` draws them: ISL and OSL each uniform
   * over the integers [floor(R × L), L] (mean about (1 + R) / 2 × L). 1 (the default) keeps them exact.
   */
  rangeRatio?: number;
  /** Gap between two clients' first requests, ms (on average, with `randomLaunch`). */
  launchIntervalMs: number;
  /**
   * Each client's first request at a uniformly random moment of the launch window (clients × interval)
   * instead of on an evenly spaced slot: the independent phases of clients that have drifted apart,
   * whose prompts sometimes collide and queue behind each other.
   */
  randomLaunch?: boolean;
  /**
   * Mean time from a request's last token to the client's next request reaching the server, ms (the
   * client reads the end of the stream, builds and sends the next request; the server closes the
   * response). Drawn uniformly in [0, 2 × mean] per request.
   */
  turnaroundMs: number;
  /** Tokens per content id. */
  blockSize?: number;
  seed: number;
}

/**
 * The protocol of the published serving benchmarks (InferenceX's nightly runs: `benchmark_serving.py
 * --dataset-name random --random-range-ratio 0.8 --num-prompts $((CONC * 10)) --max-concurrency $CONC
 * --request-rate inf --ignore-eos`); see ClosedLoopOptions.
 */
export const CLOSED_LOOP_DEFAULTS = Object.freeze({
  /** One streaming request's client-side set-up in a Python benchmark client (HTTP + JSON), ms. */
  launchIntervalMs: 1,
  /** All first requests at once (0), not spread over request lifetimes. */
  rampLifetimes: 0,
  /** End of stream to next request in a Python asyncio client over local HTTP, ms. */
  turnaroundMs: 2,
  /** Re-tokenisation drift of a synthetic prompt: about ±0.5 % (5 tokens in 1k). */
  islJitter: 0.005,
  /** `--random-range-ratio 0.8`. */
  rangeRatio: 0.8,
  /** `--num-prompts 10 × concurrency`. */
  requestsPerClient: 10,
});

export function generateClosedLoop(o: ClosedLoopOptions): Workload {
  const n = posInt('clients', o.clients);
  const k = posInt('requestsPerClient', o.requestsPerClient);
  const isl = posInt('isl', o.isl);
  const osl = posInt('osl', o.osl);
  const bs = posInt('blockSize', o.blockSize ?? 64);
  const ratio = o.rangeRatio ?? 1;
  if (!(ratio > 0 && ratio <= 1)) throw new Error(`closed loop: rangeRatio must be in (0, 1], got ${ratio}`);
  if (!(o.islJitter >= 0 && o.islJitter < 1)) throw new Error(`closed loop: islJitter must be in [0, 1), got ${o.islJitter}`);
  for (const k of ['launchIntervalMs', 'turnaroundMs'] as const) {
    if (!(o[k] >= 0 && Number.isFinite(o[k]))) throw new Error(`closed loop: ${k} must be finite and >= 0, got ${o[k]}`);
  }
  const count = n * k;
  if (count > 0x7fffffff) throw new Error('closed loop: clients × requestsPerClient is too large');
  const root = new Prng(o.seed >>> 0);
  const order = root.split('launch-order');
  const lengths = root.split('isl');
  const turns = root.split('turnaround');
  // a random launch order, so no client is always first
  const slot = new Int32Array(n);
  for (let i = 0; i < n; i++) slot[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = order.nextInt(i + 1);
    const x = slot[i]!; slot[i] = slot[j]!; slot[j] = x;
  }
  const sessionStart = new Int32Array(n + 1);
  const timeMs = new Float64Array(count);
  const inputLength = new Int32Array(count);
  const outputLength = new Int32Array(count).fill(osl);
  const ranged = root.split('range');
  const islLo = Math.max(1, Math.floor(isl * ratio));
  const oslLo = Math.max(1, Math.floor(osl * ratio));
  const contentStart = new Int32Array(count + 1);
  let blocks = 0;
  for (let c = 0, i = 0; c < n; c++) {
    sessionStart[c] = i;
    for (let t = 0; t < k; t++, i++) {
      timeMs[i] = t === 0 ? (o.randomLaunch ? order.next() * n : slot[c]!) * o.launchIntervalMs : 2 * o.turnaroundMs * turns.next();
      const base = ratio < 1 ? islLo + ranged.nextInt(isl - islLo + 1) : isl;
      if (ratio < 1) outputLength[i] = oslLo + ranged.nextInt(osl - oslLo + 1);
      const len = o.islJitter > 0 ? Math.max(1, Math.round(base + base * o.islJitter * lengths.nextNormal())) : base;
      inputLength[i] = len;
      blocks += Math.ceil(len / bs);
      contentStart[i + 1] = blocks;
    }
  }
  sessionStart[n] = count;
  const contentIds = new Uint32Array(blocks);
  for (let b = 0; b < blocks; b++) contentIds[b] = b; // every block fresh: no prefix is shared
  return {
    name: `closed-loop(clients=${n} × ${k} isl=${isl} osl=${osl} seed=${o.seed})`,
    count,
    sessions: n,
    sessionStart,
    timeMs,
    inputLength,
    outputLength,
    contentStart,
    contentIds,
    blockSize: bs,
    sourceLine: new Int32Array(count),
  };
}

function posInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`closed loop: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}
