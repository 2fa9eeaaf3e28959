import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAzureCsv } from '../../harness/trace/azure.js';
import { loadTrace, detectFormat } from '../../harness/trace/load-trace.js';
import { isValidFast, MooncakeLine, parseMooncake } from '../../harness/trace/mooncake.js';
import { TraceError } from '../../harness/trace/trace-error.js';
import { checkWorkload } from '../../sim/workload/workload.js';

const CONV = 'data/traces/conversation_trace.jsonl';
const AZURE_CODE = 'data/traces/AzureLLMInferenceTrace_code.csv';
const AZURE_CONV = 'data/traces/AzureLLMInferenceTrace_conv.csv';

/** The TraceError a parse throws; fails the test if it does not throw one. */
function traceError(run: () => unknown): TraceError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    const err = e as TraceError;
    expect(err.message).not.toContain('\n');
    return err;
  }
  throw new Error('expected a TraceError');
}

const jsonl = (...rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n');
const ok = { timestamp: 0, input_length: 10, output_length: 5, hash_ids: [1] };

describe('Mooncake conversation trace (shipped)', () => {
  it('loads all 12,031 requests with the right first line', () => {
    const w = loadTrace(CONV);
    expect(checkWorkload(w)).toBeNull();
    expect(w.name).toBe('conversation_trace.jsonl');
    expect(w.count).toBe(12031);
    expect(w.sessions).toBe(12031); // no session_id: each line is its own session
    expect(w.blockSize).toBe(512);
    expect(w.timeMs[0]).toBe(0);
    expect(w.inputLength[0]).toBe(6758);
    expect(w.outputLength[0]).toBe(500);
    expect(w.contentStart[1]! - w.contentStart[0]!).toBe(14);
    expect(Array.from(w.contentIds.subarray(0, 14))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(w.sourceLine[0]).toBe(1);
    expect(w.sourceLine[12030]).toBe(12031);
    // README statistics: total blocks, distinct ids, span.
    expect(w.contentIds.length).toBe(288500);
    expect(new Set(w.contentIds).size).toBe(182790);
    expect(w.timeMs[12030]).toBe(3536999);
  });

  it('parses fast', () => {
    const text = readFileSync(CONV, 'utf8');
    parseMooncake(text, CONV); // warm-up
    const t0 = performance.now();
    parseMooncake(text, CONV);
    const ms = performance.now() - t0;
    // Typically 30-40 ms warm (about 70 ms cold); the bound is loose because tests share the CPU.
    expect(ms).toBeLessThan(1000);
  });
});

describe('Mooncake errors name file, line and field', () => {
  const cases: [string, string, number, string, RegExp][] = [
    ['bad JSON', jsonl(ok) + '\n{"timestamp": 0,', 2, '', /^x\.jsonl:2: invalid JSON \(.+\)$/],
    ['missing output_length', jsonl(ok, { timestamp: 0, hash_ids: [1] }), 2, 'output_length', /^x\.jsonl:2: output_length is required/],
    ['hash_ids wrong type', jsonl(ok, { timestamp: 0, output_length: 5, hash_ids: 'abc' }), 2, 'hash_ids', /^x\.jsonl:2: hash_ids must be an array of integers$/],
    ['hash_ids missing', jsonl({ timestamp: 0, output_length: 5 }), 1, 'hash_ids', /^x\.jsonl:1: hash_ids is required/],
    ['negative hash id', jsonl({ timestamp: 0, output_length: 5, hash_ids: [1, -2] }), 1, 'hash_ids', /^x\.jsonl:1: hash_ids must be an array of integers: hash_ids\[1\] = -2 /],
    ['fractional hash id', jsonl({ timestamp: 0, output_length: 5, hash_ids: [1.5] }), 1, 'hash_ids', /hash_ids\[0\] = 1\.5/],
    ['hash id beyond 2^53', '{"timestamp": 0, "output_length": 5, "hash_ids": [18446744073709551615]}', 1, 'hash_ids', /below 2\^53/],
    ['input too long', jsonl({ timestamp: 0, input_length: 1025, output_length: 5, hash_ids: [1, 2] }), 1, 'input_length', /^x\.jsonl:1: input_length 1025 exceeds .* = 1024/],
    ['negative timestamp', jsonl({ timestamp: -1, output_length: 5, hash_ids: [1] }), 1, 'timestamp', /^x\.jsonl:1: timestamp must be a finite number .*\(got -1\)$/],
    ['infinite timestamp', '{"timestamp": 1e999, "output_length": 5, "hash_ids": [1]}', 1, 'timestamp', /got Infinity/],
    ['fractional length', jsonl({ timestamp: 0, output_length: 2.5, hash_ids: [1] }), 1, 'output_length', /^x\.jsonl:1: output_length must be an integer >= 1 \(got 2\.5\)$/],
    ['zero output', jsonl({ timestamp: 0, output_length: 0, hash_ids: [1] }), 1, 'output_length', /must be an integer >= 1/],
    ['negative input', jsonl({ timestamp: 0, input_tokens: -3, output_length: 1, hash_ids: [1] }), 1, 'input_tokens', /^x\.jsonl:1: input_tokens must be/],
    ['negative delay', jsonl({ session_id: 'a', timestamp: 0, output_length: 1, hash_ids: [1] }, { session_id: 'a', delay: -5, output_length: 1, hash_ids: [1] }), 2, 'delay', /^x\.jsonl:2: delay must be a finite number/],
    ['string delay', jsonl({ timestamp: 0, output_length: 1, hash_ids: [1], delay_ms: '5' }), 1, 'delay_ms', /delay_ms must be a finite number/],
    ['first-turn delay', jsonl({ session_id: 'a', timestamp: 0, output_length: 1, hash_ids: [1], delay: 100 }), 1, 'delay', /^x\.jsonl:1: delay must be 0 or absent on the first turn/],
    ['first turn without timestamp', jsonl({ output_length: 1, hash_ids: [1] }), 1, 'timestamp', /timestamp is required on the first turn/],
    ['turn timestamp going back', jsonl({ session_id: 's', timestamp: 50, output_length: 1, hash_ids: [1] }, { session_id: 's', timestamp: 40, output_length: 1, hash_ids: [1] }), 2, 'timestamp', /^x\.jsonl:2: timestamp 40 is earlier than the previous turn of session "s" \(line 1/],
    ['alias twice', jsonl({ timestamp: 0, created_time: 0, output_length: 1, hash_ids: [1] }), 1, 'created_time', /give only one/],
    ['session_id not a string', jsonl({ timestamp: 0, output_length: 1, hash_ids: [1], session_id: 7 }), 1, 'session_id', /session_id must be a string/],
    ['not an object', '[1, 2]', 1, '', /^x\.jsonl:1: each line must be a JSON object$/],
    ['empty prompt', jsonl({ timestamp: 0, output_length: 1, hash_ids: [] }), 1, 'hash_ids', /no tokens/],
  ];
  it.each(cases)('%s', (_name, text, line, field, message) => {
    const err = traceError(() => parseMooncake(text, 'x.jsonl'));
    expect(err.message).toMatch(message);
    expect(err.file).toBe('x.jsonl');
    expect(err.line).toBe(line);
    expect(err.field).toBe(field);
  });

  it('counts blank lines in line numbers', () => {
    const err = traceError(() => parseMooncake(jsonl(ok) + '\n\n  \n' + '{"timestamp": 0}', 'dir/x.jsonl'));
    expect(err.message).toMatch(/^dir\/x\.jsonl:4: /); // the path as given
  });

  it('rejects an empty trace and a bad block size', () => {
    expect(traceError(() => parseMooncake('\n\n', 'x.jsonl')).message).toBe('x.jsonl: trace contains no requests');
    expect(() => parseMooncake(jsonl(ok), 'x.jsonl', { traceBlockSize: 0 })).toThrow(/traceBlockSize/);
  });
});

describe('Mooncake fields and sessions', () => {
  it('accepts aliases, defaults input_length, ignores unknown fields, takes hash ids mod 2^32', () => {
    const w = parseMooncake(
      jsonl({ created_time: 7.5, input_tokens: 3, output_tokens: 2, hash_ids: [4294967297, 2 ** 53 - 1], extra: { x: 1 } }, { timestamp: 9, output_length: 1, hash_ids: [5, 6], session_id: null }) + '\r\n',
      'x.jsonl',
      { traceBlockSize: 4 },
    );
    expect(w.count).toBe(2);
    expect(Array.from(w.timeMs)).toEqual([7.5, 9]);
    expect(Array.from(w.inputLength)).toEqual([3, 8]); // missing input_length = len(hash_ids) × block size
    expect(Array.from(w.outputLength)).toEqual([2, 1]);
    expect(Array.from(w.contentIds)).toEqual([1, 4294967295, 5, 6]);
    expect(w.blockSize).toBe(4);
  });

  it('groups turns by session in order of first appearance and infers delays', () => {
    const text = jsonl(
      { session_id: 'b', timestamp: 100, output_length: 1, hash_ids: [1] }, // line 1
      { timestamp: 150, output_length: 1, hash_ids: [2] }, // line 2: its own session
      { session_id: 'a', timestamp: 120, output_length: 1, hash_ids: [3] }, // line 3
      { session_id: 'b', timestamp: 400, output_length: 1, hash_ids: [1, 4] }, // line 4: 400 - 100
      { session_id: 'a', delay: 77, timestamp: 5000, output_length: 1, hash_ids: [3, 5] }, // line 5: explicit delay wins
      { session_id: 'b', output_length: 1, hash_ids: [1, 4, 6] }, // line 6: no delay, no timestamp -> 0
      { session_id: 'b', timestamp: 450, output_length: 1, hash_ids: [7] }, // line 7: 450 - 400 (last timestamp seen)
      { session_id: 'a', delay_ms: 0, output_length: 1, hash_ids: [8] }, // line 8
    );
    const w = parseMooncake(text, 'x.jsonl');
    expect(checkWorkload(w)).toBeNull();
    expect(w.sessions).toBe(3);
    expect(Array.from(w.sessionStart)).toEqual([0, 4, 5, 8]);
    expect(Array.from(w.sourceLine)).toEqual([1, 4, 6, 7, 2, 3, 5, 8]);
    expect(Array.from(w.timeMs)).toEqual([100, 300, 0, 50, 150, 120, 77, 0]);
    expect(Array.from(w.contentStart)).toEqual([0, 1, 3, 6, 7, 8, 9, 11, 12]);
    expect(Array.from(w.contentIds)).toEqual([1, 1, 4, 1, 4, 6, 7, 2, 3, 3, 5, 8]);
  });

  it('keeps an implicit session apart from a named one that looks like Dynamo\'s default name', () => {
    const w = parseMooncake(jsonl(ok, { ...ok, session_id: 'request_1' }), 'x.jsonl');
    expect(w.sessions).toBe(2);
  });

  it('a first turn may carry delay 0', () => {
    expect(parseMooncake(jsonl({ ...ok, session_id: 'a', delay: 0 }), 'x.jsonl').timeMs[0]).toBe(0);
  });

  it('fast path never accepts a line the zod schema rejects', () => {
    const values: unknown[] = [undefined, null, 0, -0, 1, -1, 2.5, 1e999, -1e999, 2 ** 53, 2 ** 53 - 1, '1', true, [], [1], [-1], [1.5], {}, 'x'];
    const fields = ['timestamp', 'created_time', 'input_length', 'input_tokens', 'output_length', 'output_tokens', 'hash_ids', 'session_id', 'delay', 'delay_ms'];
    let accepted = 0;
    for (const field of fields) {
      for (const v of values) {
        for (const base of [ok, { created_time: 1, output_tokens: 3, hash_ids: [2] }]) {
          const line: Record<string, unknown> = { ...base, [field]: v };
          if (isValidFast(line)) {
            accepted++;
            expect(MooncakeLine.safeParse(line).success, JSON.stringify(line)).toBe(true);
          }
        }
      }
    }
    expect(accepted).toBeGreaterThan(20);
    for (const v of values) expect(isValidFast(v)).toBe(false);
  });
});

describe('Azure CSV traces (shipped)', () => {
  const dataRows = (path: string): number => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').length - 1;

  it.each([
    [AZURE_CODE, 8819, 3435948.056],
    [AZURE_CONV, 19366, 3501721.937],
  ])('%s loads every row', (path, rows, spanMs) => {
    expect(dataRows(path)).toBe(rows);
    const w = loadTrace(path);
    expect(checkWorkload(w)).toBeNull();
    expect(w.count).toBe(rows);
    expect(w.sessions).toBe(rows);
    expect(w.timeMs[0]).toBe(0);
    expect(w.timeMs[rows - 1]).toBeCloseTo(spanMs, 6);
    for (let i = 1; i < rows; i++) expect(w.timeMs[i]! >= w.timeMs[i - 1]!).toBe(true);
    expect(new Set(w.contentIds).size).toBe(w.contentIds.length); // no prefix reuse at all
    expect((w as ReturnType<typeof parseAzureCsv>).outputsClampedToOne).toBe(0);
    expect(w.sourceLine[0]).toBe(2);
  });

  it('reads the first rows exactly', () => {
    const w = loadTrace(AZURE_CONV);
    // 18:15:50.9951690 - 18:15:46.6805900
    expect(w.timeMs[1]).toBeCloseTo(4314.579, 9);
    expect(w.inputLength[0]).toBe(374);
    expect(w.outputLength[0]).toBe(44);
    expect(w.contentStart[1]).toBe(1);
  });
});

describe('Azure CSV errors and decisions', () => {
  const H = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
  const row = '2023-11-16 18:17:03.9799600,4808,10\n';
  it.each([
    ['bad number', H + row + '2023-11-16 18:17:04.0000000,12x,5', 3, 'ContextTokens', /^x\.csv:3: ContextTokens \(column 2\) must be a non-negative integer \(got "12x"\)$/],
    ['bad time', H + '2023-11-16 18:17,5,5', 2, 'TIMESTAMP', /^x\.csv:2: TIMESTAMP \(column 1\) must be a date-time/],
    ['impossible date', H + '2023-02-29 10:00:00.0,5,5', 2, 'TIMESTAMP', /not a valid calendar date-time/],
    ['zero prompt', H + '2023-11-16 18:17:03.9799600,0,5', 2, 'ContextTokens', /must be >= 1/],
    ['missing column', H + row + '2023-11-16 18:17:04.0,5', 3, '', /^x\.csv:3: expected 3 comma-separated columns, got 2$/],
    ['out of order', H + row + '2023-11-16 18:17:03.9799599,5,5', 3, 'TIMESTAMP', /^x\.csv:3: TIMESTAMP .* earlier than the row on line 2; rows must be in time order$/],
    ['bad header', 'time,in,out\n' + row, 1, '', /^x\.csv:1: header must name the columns/],
  ])('%s', (_name, text, line, field, message) => {
    const err = traceError(() => parseAzureCsv(text, 'x.csv'));
    expect(err.message).toMatch(message);
    expect([err.line, err.field]).toEqual([line, field]);
  });

  it('clamps GeneratedTokens 0 to 1 and counts it; gives fresh ids per block', () => {
    const w = parseAzureCsv(H + row + '2023-11-16 18:17:04.0319600,1025,0\r\n\n', 'x.csv', { traceBlockSize: 512 });
    expect(w.count).toBe(2);
    expect(w.outputsClampedToOne).toBe(1);
    expect(Array.from(w.outputLength)).toEqual([10, 1]);
    expect(Array.from(w.timeMs)).toEqual([0, 52]);
    expect(Array.from(w.contentStart)).toEqual([0, 10, 13]);
    expect(Array.from(w.contentIds)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('accepts reordered columns, fewer fractional digits and no fraction', () => {
    const w = parseAzureCsv('GeneratedTokens,TIMESTAMP,ContextTokens\n3,2023-12-31 23:59:59.5,7\n4,2024-01-01 00:00:00,8\n', 'x.csv');
    expect(Array.from(w.timeMs)).toEqual([0, 500]);
    expect(Array.from(w.inputLength)).toEqual([7, 8]);
    expect(Array.from(w.outputLength)).toEqual([3, 4]);
  });

  it('rejects a header-only file', () => {
    expect(traceError(() => parseAzureCsv(H, 'x.csv')).message).toBe('x.csv: trace contains no requests (only a header)');
  });
});

describe('loadTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinsearch-trace-'));

  it('reports a missing file', () => {
    expect(() => loadTrace('no/such/trace.jsonl')).toThrow(/^trace file not found: no\/such\/trace\.jsonl$/);
  });

  it('detects the format by extension, then by the first line', () => {
    expect(detectFormat('a.jsonl', '')).toBe('mooncake');
    expect(detectFormat('a.CSV', '')).toBe('azure');
    expect(detectFormat('trace.txt', '\n  {"timestamp": 0}')).toBe('mooncake');
    expect(detectFormat('trace', '\uFEFFTIMESTAMP,ContextTokens,GeneratedTokens\n')).toBe('azure');
    expect(() => detectFormat('trace.bin', 'hello')).toThrow(/cannot tell the trace format of trace\.bin/);
  });

  it('loads sniffed and forced formats and passes the block size on', () => {
    const m = join(dir, 'm.txt');
    writeFileSync(m, jsonl({ timestamp: 3, output_length: 1, hash_ids: [1, 2] }));
    const w = loadTrace(m, { traceBlockSize: 16 });
    expect([w.count, w.inputLength[0], w.blockSize]).toEqual([1, 32, 16]);
    const a = join(dir, 'a.log');
    writeFileSync(a, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,10,1\n');
    expect(loadTrace(a, { format: 'azure' }).count).toBe(1);
    expect(() => loadTrace(a, { format: 'mooncake' })).toThrow(TraceError);
  });

  it('errors name the path as given', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"timestamp": 0, "output_length": 1, "hash_ids": "x"}\n');
    expect(() => loadTrace(bad)).toThrow(`${bad}:1: hash_ids must be an array of integers`);
  });

  it('refuses a directory', () => {
    expect(() => loadTrace(dir)).toThrow(/is a directory/);
  });
});
