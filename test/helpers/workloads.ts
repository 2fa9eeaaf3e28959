import type { Workload } from '../../sim/workload/workload.js';

export interface SimpleRequest {
  /** Arrival (first turn) or delay after the previous turn (later turns), ms. */
  at: number;
  input: number;
  output: number;
  /** Content ids (blockSize tokens each); default: unique ids covering the input. */
  content?: number[];
  /** Requests with the same session are consecutive turns. */
  session?: number;
}

let uniqueContent = 1_000_000;

/** Builds a Workload from a short list of requests, for tests. */
export function makeWorkload(reqs: SimpleRequest[], blockSize = 64, name = 'test'): Workload {
  const n = reqs.length;
  const sessionStart: number[] = [];
  const contentStart = new Int32Array(n + 1);
  const ids: number[] = [];
  let prevSession: number | undefined;
  reqs.forEach((r, i) => {
    if (i === 0 || r.session === undefined || r.session !== prevSession) sessionStart.push(i);
    prevSession = r.session;
    contentStart[i] = ids.length;
    const content = r.content ?? Array.from({ length: Math.ceil(r.input / blockSize) }, () => uniqueContent++);
    ids.push(...content);
  });
  contentStart[n] = ids.length;
  sessionStart.push(n);
  return {
    name,
    count: n,
    sessions: sessionStart.length - 1,
    sessionStart: Int32Array.from(sessionStart),
    timeMs: Float64Array.from(reqs.map((r) => r.at)),
    inputLength: Int32Array.from(reqs.map((r) => r.input)),
    outputLength: Int32Array.from(reqs.map((r) => r.output)),
    contentStart,
    contentIds: Uint32Array.from(ids),
    blockSize,
    sourceLine: new Int32Array(n),
  };
}
