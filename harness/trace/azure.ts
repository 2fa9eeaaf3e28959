import { MAX_REQUEST_TOKENS } from '../../sim/workload/workload.js';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Workload } from '../../sim/workload/workload.js';
import { TraceError } from './trace-error.js';

/**
 * Azure LLM inference traces (Splitwise 2023 CSVs: `TIMESTAMP,ContextTokens,GeneratedTokens`).
 * Decisions:
 * - Timestamps are wall-clock without a time zone; only differences matter, so they are read as UTC
 *   (no DST jumps) and timeMs is relative to the first row.
 * - Rows must be in non-decreasing time order. The published files are; a row going back in time
 *   means a damaged or concatenated file, so it is an error rather than silently re-sorted.
 * - There are no prefix hashes: every prompt block gets a fresh content id, so nothing is reused.
 * - GeneratedTokens = 0 is clamped to 1 (the request still did its prefill, and the simulator needs
 *   >= 1 output) and counted in `outputsClampedToOne`. The shipped files contain no zeros.
 *   ContextTokens = 0 is an error: an empty prompt cannot be served.
 * - Every row is its own single-turn session.
 */
export interface AzureWorkload extends Workload {
  /** Rows whose GeneratedTokens was 0 and was replaced by 1. */
  readonly outputsClampedToOne: number;
}

export interface AzureOptions {
  /** Prompt tokens per content id; only sets the id granularity since no id is ever shared. */
  traceBlockSize?: number;
}

const COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const TOKENS_RE = /^\d{1,9}$/;
const tokens = z.string().regex(TOKENS_RE, { error: 'must be a non-negative integer' }).transform(Number)
  .pipe(z.number().max(MAX_REQUEST_TOKENS, { error: `must be at most ${MAX_REQUEST_TOKENS} (longer than any model's context window)` }));

/** What one data row is (fields already split and trimmed, in the column order above). */
export const AzureRow = z.tuple([
  z.string().regex(TIME_RE, { error: 'must be a date-time like 2023-11-16 18:17:03.9799600' }).refine((s) => parseTime(s) !== undefined, {
    error: 'is not a valid calendar date-time',
  }),
  tokens.refine((n) => n >= 1, { error: 'must be >= 1 (a request needs a prompt)' }),
  tokens,
]);

interface Time {
  /** Whole milliseconds since the epoch (UTC reading). */
  ms: number;
  /** Sub-millisecond part in nanoseconds, kept apart so 100 ns ticks survive the subtraction. */
  ns: number;
}

function parseTime(s: string): Time | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const y = +m[1]!, mo = +m[2]!, d = +m[3]!, h = +m[4]!, mi = +m[5]!, sec = +m[6]!;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const frac = (m[7] ?? '').padEnd(9, '0');
  return { ms: ms + Number(frac.slice(0, 3)), ns: Number(frac.slice(3)) };
}

type Row = z.infer<typeof AzureRow>;

function slowRow(f: string[], fail: (column: number, message: string) => never): Row {
  const r = AzureRow.safeParse(f);
  if (r.success) return r.data;
  const iss = r.error.issues[0]!;
  return fail(iss.path[0] as number, iss.message);
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Parses an Azure LLM inference CSV into a Workload; throws TraceError at the first bad row. */
export function parseAzureCsv(text: string, file: string, opts: AzureOptions = {}): AzureWorkload {
  const bs = opts.traceBlockSize ?? 512;
  if (!Number.isSafeInteger(bs) || bs < 1) throw new Error(`traceBlockSize must be a positive integer, got ${bs}`);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');

  let li = 0;
  while (li < lines.length && lines[li]!.trim() === '') li++;
  if (li === lines.length) throw new TraceError(file, 0, '', 'trace contains no requests (the file is empty)');
  const header = lines[li]!.split(',').map((c) => c.trim());
  const col = COLUMNS.map((name) => header.indexOf(name));
  if (col.includes(-1)) {
    throw new TraceError(file, li + 1, '', `header must name the columns ${COLUMNS.join(',')} (got ${JSON.stringify(lines[li]!.trim())})`);
  }

  const time: number[] = [];
  const input: number[] = [];
  const output: number[] = [];
  const line: number[] = [];
  let first: Time | undefined;
  let prev = -Infinity;
  let prevLine = 0;
  let clamped = 0;
  for (li++; li < lines.length; li++) {
    const src = lines[li]!;
    if (src.trim() === '') continue;
    const lineNo = li + 1;
    const cells = src.split(',');
    if (cells.length !== header.length) {
      throw new TraceError(file, lineNo, '', `expected ${header.length} comma-separated columns, got ${cells.length}`);
    }
    const fields = [cells[col[0]!]!.trim(), cells[col[1]!]!.trim(), cells[col[2]!]!.trim()] as const;
    // Hand-written fast path (zod per row doubles the parse time); it accepts a subset of AzureRow.
    let t = parseTime(fields[0]);
    let ctx = TOKENS_RE.test(fields[1]) && +fields[1] <= MAX_REQUEST_TOKENS ? +fields[1] : 0;
    let gen = TOKENS_RE.test(fields[2]) && +fields[2] <= MAX_REQUEST_TOKENS ? +fields[2] : -1;
    if (t === undefined || ctx < 1 || gen < 0) {
      [, ctx, gen] = slowRow([...fields], (k, message) => {
        const name = COLUMNS[k]!;
        throw new TraceError(file, lineNo, name, `${name} (column ${col[k]! + 1}) ${message} (got ${JSON.stringify(fields[k])})`);
      });
      t = parseTime(fields[0])!;
    }
    const ts = fields[0];
    first ??= t;
    const ms = t.ms - first.ms + (t.ns - first.ns) / 1e6;
    if (ms < prev) {
      throw new TraceError(file, lineNo, 'TIMESTAMP', `TIMESTAMP (column ${col[0]! + 1}) ${ts} is earlier than the row on line ${prevLine}; rows must be in time order`);
    }
    prev = ms;
    prevLine = lineNo;
    time.push(ms);
    input.push(ctx);
    output.push(gen === 0 ? 1 : gen);
    if (gen === 0) clamped++;
    line.push(lineNo);
  }
  const count = time.length;
  if (count === 0) throw new TraceError(file, 0, '', 'trace contains no requests (only a header)');

  const contentStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) contentStart[i + 1] = contentStart[i]! + Math.ceil(input[i]! / bs);
  const total = contentStart[count]!;
  const contentIds = new Uint32Array(total);
  for (let k = 0; k < total; k++) contentIds[k] = k; // a fresh id per block: no prefix is ever shared
  const sessionStart = new Int32Array(count + 1);
  for (let i = 0; i <= count; i++) sessionStart[i] = i;
  return {
    name: basename(file),
    count,
    sessions: count,
    sessionStart,
    timeMs: Float64Array.from(time),
    inputLength: Int32Array.from(input),
    outputLength: Int32Array.from(output),
    contentStart,
    contentIds,
    blockSize: bs,
    sourceLine: Int32Array.from(line),
    outputsClampedToOne: clamped,
  };
}
