import { MAX_REQUEST_TOKENS } from '../../sim/workload/workload.js';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Workload } from '../../sim/workload/workload.js';
import { TraceError } from './trace-error.js';

/**
 * Mooncake JSONL traces (Dynamo `Trace::from_mooncake` semantics, reference §8.1): one request per line,
 * `hash_ids` name `traceBlockSize`-token prompt blocks, rows sharing a `session_id` are closed-loop turns.
 * Where Dynamo is lenient or silent we fail loudly instead, naming the line and field:
 * - a session's first turn must carry a timestamp (it is the arrival time; we have no concurrency mode);
 * - giving both a field and its alias (`timestamp` + `created_time`, ...) is an error, as serde's
 *   duplicate-field check makes it in Dynamo;
 * - `input_length` above `len(hash_ids) × traceBlockSize` is an error (newer Dynamo clamps it silently);
 * - lengths must be >= 1 because the simulator cannot serve an empty prompt or generation.
 * JSON `null` counts as absent, like serde's `Option`.
 */

const finiteMs = (what: string) =>
  z.number({ error: `must be a finite number of ms >= 0 (${what})` }).min(0, { error: `must be a finite number of ms >= 0 (${what})` });
const tokens = z.int({ error: 'must be an integer >= 1' }).min(1, { error: 'must be an integer >= 1' })
  .max(MAX_REQUEST_TOKENS, { error: `must be at most ${MAX_REQUEST_TOKENS} (longer than any model's context window)` });
const hashId = z
  .int({ error: 'must be a non-negative integer below 2^53' })
  .min(0, { error: 'must be a non-negative integer below 2^53' });

/** What one trace line is. The hand-written fast path below must accept exactly a subset of this. */
export const MooncakeLine = z
  .object(
    {
      timestamp: finiteMs('arrival time').nullish(),
      created_time: finiteMs('arrival time').nullish(),
      input_length: tokens.nullish(),
      input_tokens: tokens.nullish(),
      output_length: tokens.nullish(),
      output_tokens: tokens.nullish(),
      hash_ids: z.array(hashId, {
        error: (iss) => (iss.input === undefined || iss.input === null ? 'is required (an array of integers)' : 'must be an array of integers'),
      }),
      session_id: z.string({ error: 'must be a string' }).nullish(),
      delay: finiteMs('wait after the previous turn completes').nullish(),
      delay_ms: finiteMs('wait after the previous turn completes').nullish(),
    },
    { error: 'each line must be a JSON object' },
  )
  .superRefine((v, ctx) => {
    for (const [a, b] of ALIASES) {
      if (v[a] != null && v[b] != null) ctx.addIssue({ code: 'custom', path: [b], message: `is an alias of ${a}; give only one of them` });
    }
    if (v.output_length == null && v.output_tokens == null) {
      ctx.addIssue({ code: 'custom', path: ['output_length'], message: 'is required (output_length or output_tokens)' });
    }
  });
export type MooncakeLine = z.infer<typeof MooncakeLine>;

const ALIASES = [
  ['timestamp', 'created_time'],
  ['input_length', 'input_tokens'],
  ['output_length', 'output_tokens'],
  ['delay', 'delay_ms'],
] as const;

export interface MooncakeOptions {
  /** Tokens per hash id (Dynamo `--trace-block-size`); 512 for the public Mooncake traces. */
  traceBlockSize?: number;
}

/** Parses a Mooncake JSONL trace into a Workload; throws TraceError at the first bad line. */
export function parseMooncake(text: string, file: string, opts: MooncakeOptions = {}): Workload {
  const bs = opts.traceBlockSize ?? 512;
  if (!Number.isSafeInteger(bs) || bs < 1) throw new Error(`traceBlockSize must be a positive integer, got ${bs}`);

  const rows: Row[] = [];
  const sessionOf = new Map<string, number>();
  const turns: number[] = []; // turns seen so far, per session
  const lastTs: number[] = []; // latest timestamp seen, per session (a first turn always has one)
  const lastTsLine: number[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (let li = 0; li < lines.length; li++) {
    const src = lines[li]!;
    if (isBlank(src)) continue;
    const lineNo = li + 1;
    const fail = (field: string, detail: string): never => {
      throw new TraceError(file, lineNo, field, field ? `${field} ${detail}` : detail);
    };

    let obj: unknown;
    try {
      obj = JSON.parse(src);
    } catch (e) {
      fail('', `invalid JSON (${oneLine((e as Error).message)})`);
    }
    const line = isValidFast(obj) ? obj : validateSlow(obj, fail);

    const hashIds = line.hash_ids;
    const cap = hashIds.length * bs;
    const inKey = line.input_length != null ? 'input_length' : 'input_tokens';
    const input = line[inKey] ?? cap;
    if (input > cap) {
      fail(inKey, `${input} exceeds len(hash_ids) × trace block size = ${hashIds.length} × ${bs} = ${cap} (is the trace block size right?)`);
    }
    if (input < 1) fail('hash_ids', 'is empty and input_length is absent, so the prompt would have no tokens');
    const tsKey = line.timestamp != null ? 'timestamp' : 'created_time';
    const ts = line[tsKey] ?? undefined;
    const delayKey = line.delay != null ? 'delay' : 'delay_ms';
    const delay = line[delayKey] ?? undefined;

    let s: number;
    const sid = line.session_id ?? undefined;
    if (sid === undefined) {
      s = turns.length; // its own session; never looked up, so it cannot collide with a named one
    } else {
      s = sessionOf.get(sid) ?? turns.length;
      if (s === turns.length) sessionOf.set(sid, s);
    }
    let time: number;
    if (s === turns.length) {
      if (delay !== undefined && delay !== 0) fail(delayKey, `must be 0 or absent on the first turn of a session (got ${delay})`);
      if (ts === undefined) fail('timestamp', 'is required on the first turn of a session (it is the arrival time)');
      time = ts!;
      turns.push(0);
      lastTs.push(ts!);
      lastTsLine.push(0);
    } else if (delay !== undefined) {
      time = delay;
    } else if (ts !== undefined) {
      time = ts - lastTs[s]!; // Dynamo's rule: timestamp gap, used as the wait after the previous turn completes
      if (time < 0) {
        fail(tsKey, `${ts} is earlier than the previous turn of session ${JSON.stringify(sid)} (line ${lastTsLine[s]}, ${lastTs[s]}); give an explicit delay or fix the order`);
      }
    } else {
      time = 0;
    }
    if (ts !== undefined) {
      lastTs[s] = ts;
      lastTsLine[s] = lineNo;
    }
    rows.push({ session: s, turn: turns[s]!++, line: lineNo, time, input, output: (line.output_length ?? line.output_tokens)!, hashIds });
  }
  if (rows.length === 0) throw new TraceError(file, 0, '', 'trace contains no requests');
  return build(rows, turns, bs, basename(file));
}

interface Row {
  session: number;
  turn: number;
  line: number;
  time: number;
  input: number;
  output: number;
  hashIds: number[];
}

/** Lays the rows out session by session (sessions in order of first appearance, turns in file order). */
function build(rows: Row[], turns: number[], blockSize: number, name: string): Workload {
  const count = rows.length;
  const sessions = turns.length;
  const sessionStart = new Int32Array(sessions + 1);
  for (let s = 0; s < sessions; s++) sessionStart[s + 1] = sessionStart[s]! + turns[s]!;
  const timeMs = new Float64Array(count);
  const inputLength = new Int32Array(count);
  const outputLength = new Int32Array(count);
  const sourceLine = new Int32Array(count);
  const blocks = new Int32Array(count);
  const at = new Int32Array(count); // position of each row in the workload
  for (let r = 0; r < count; r++) {
    const row = rows[r]!;
    const i = sessionStart[row.session]! + row.turn;
    at[r] = i;
    timeMs[i] = row.time;
    inputLength[i] = row.input;
    outputLength[i] = row.output;
    sourceLine[i] = row.line;
    blocks[i] = row.hashIds.length;
  }
  const contentStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) contentStart[i + 1] = contentStart[i]! + blocks[i]!;
  const contentIds = new Uint32Array(contentStart[count]!);
  for (let r = 0; r < count; r++) {
    // Uint32Array stores ToUint32(h) = h mod 2^32, exact for every safe integer: Dynamo's `hash_id as u32`.
    contentIds.set(rows[r]!.hashIds, contentStart[at[r]!]!);
  }
  return { name, count, sessions, sessionStart, timeMs, inputLength, outputLength, contentStart, contentIds, blockSize, sourceLine };
}

/** Full zod validation, only for lines the fast path rejected: turns the first issue into a TraceError. */
function validateSlow(obj: unknown, fail: (field: string, detail: string) => never): MooncakeLine {
  const r = MooncakeLine.safeParse(obj);
  if (r.success) return r.data;
  const iss = r.error.issues[0]!;
  const [field, index] = iss.path;
  if (field === undefined) return fail('', iss.message);
  const value = (obj as Record<string, unknown>)[String(field)];
  if (index === undefined) {
    // The hash_ids type message is kept bare: it is the one users grep for.
    const got = value === undefined || field === 'hash_ids' ? '' : ` (got ${show(value)})`;
    return fail(String(field), iss.message + got);
  }
  return fail(String(field), `must be an array of integers: ${String(field)}[${String(index)}] = ${show((value as unknown[])[index as number])} ${iss.message}`);
}

const show = (x: unknown): string => (typeof x === 'number' ? String(x) : (JSON.stringify(x) ?? String(x)));

/**
 * Hand-written check for well-formed lines, several times faster than zod per line; anything it rejects
 * goes to zod. Exported only so tests can check it never accepts what MooncakeLine rejects.
 */
export function isValidFast(o: unknown): o is MooncakeLine {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const v = o as Record<string, unknown>;
  const h = v.hash_ids;
  if (!Array.isArray(h)) return false;
  for (let i = 0; i < h.length; i++) {
    const x = h[i];
    if (!Number.isSafeInteger(x) || (x as number) < 0) return false;
  }
  return (
    oneOf(v.timestamp, v.created_time, isMs) &&
    oneOf(v.input_length, v.input_tokens, isTokens) &&
    oneOf(v.output_length, v.output_tokens, isTokens) &&
    (v.output_length != null || v.output_tokens != null) &&
    oneOf(v.delay, v.delay_ms, isMs) &&
    (v.session_id == null || typeof v.session_id === 'string')
  );
}

function oneOf(a: unknown, b: unknown, ok: (x: unknown) => boolean): boolean {
  if (a == null) return b == null || ok(b);
  return b == null && ok(a);
}
const isMs = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const isTokens = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 1 && (x as number) <= MAX_REQUEST_TOKENS;

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
