/**
 * Bad input gets a quick, located error and exit 2, before anything large is allocated: devices
 * that never end, oversized files and lines, counts past what a deployment can hold, requests longer
 * than any context window.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError, readBoundedText } from '../../harness/io/bounded-read.js';
import { loadTrace } from '../../harness/trace/load-trace.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'twinsearch.js');
const dir = mkdtempSync(join(tmpdir(), 'ts-bounded-'));
const run = (args: string[]) => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr.trim(), ms: Date.now() - t0 };
};

describe('bounded inputs', () => {
  it('reads a file up to its caps, and names the file and line when a cap is hit', () => {
    const f = join(dir, 'small.txt');
    writeFileSync(f, 'a\nbb\nccc\n');
    expect(readBoundedText(f, { what: 'test file', maxBytes: 100, maxLineBytes: 3 })).toBe('a\nbb\nccc\n');
    expect(() => readBoundedText(f, { what: 'test file', maxBytes: 5 })).toThrow(/^test file .*small\.txt is 1 KB, over the limit of 1 KB$/);
    expect(() => readBoundedText(f, { what: 'test file', maxBytes: 100, maxLineBytes: 2 })).toThrow(/small\.txt:3: the line is longer than 2 bytes/);
    expect(() => readBoundedText('/dev/zero', { what: 'test file', maxBytes: 1 << 20, maxLineBytes: 1024 })).toThrow(/^\/dev\/zero:1: the line is longer than 1024 bytes/);
    expect(() => readBoundedText('/dev/zero', { what: 'test file', maxBytes: 4096 })).toThrow(/^test file \/dev\/zero is larger than the limit of 4 KB$/);
    expect(() => readBoundedText(dir, { what: 'test file', maxBytes: 100 })).toThrow(/is a directory/);
    expect(() => readBoundedText(join(dir, 'nope'), { what: 'test file', maxBytes: 100 })).toThrow(InputFileError);
  });

  it('refuses a request longer than any context window, with its line and field', () => {
    const f = join(dir, 'huge.jsonl');
    writeFileSync(f, '{"timestamp": 0, "input_length": 10, "output_length": 1000000000000, "hash_ids": [1]}\n');
    expect(() => loadTrace(f)).toThrow(/huge\.jsonl:1.*output_length must be at most 16777216/);
    const csv = join(dir, 'huge.csv');
    writeFileSync(csv, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,100,999999999\n');
    expect(() => loadTrace(csv)).toThrow(/huge\.csv:2.*GeneratedTokens.*must be at most 16777216/);
  });

  it('the CLI answers quickly with exit 2 and the flag or file at fault', () => {
    const trace = join(root, 'data/traces/conversation_trace.jsonl');
    const cases: [string[], RegExp][] = [
      [['replay', '/dev/zero'], /^twinsearch replay: \/dev\/zero:1: the line is longer than 1048576 bytes/],
      [['replay', trace, '--engine-args', '/dev/zero'], /^twinsearch replay: --engine-args: --engine-args file \/dev\/zero is larger than the limit of 1\.0 MB/],
      [['replay', trace, '--workers', '1000000000'], /^twinsearch replay: --workers: expected an integer in 1\.\.10000/],
      [['replay', '--isl', '100', '--osl', '10', '--requests', '100000000000'], /^twinsearch replay: --requests: expected an integer in 1\.\.10000000/],
      [['replay', '--isl', '100000000', '--osl', '10'], /^twinsearch replay: --isl: expected an integer in 1\.\.16777216/],
      [['replay', trace, '--engine-args', '{"num_gpu_blocks": 1000000000000}'], /^twinsearch replay: --engine-args: num_gpu_blocks: /],
      [['validate', '/dev/zero'], /^twinsearch validate: \/dev\/zero:1: the line is longer than 65536 bytes/],
      [['bench', '/dev/zero'], /^twinsearch bench: .*\/dev\/zero is larger than the limit of 64 KB/],
    ];
    for (const [args, want] of cases) {
      const r = run(args);
      expect(r.err, args.join(' ')).toMatch(want);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.ms, args.join(' ')).toBeLessThan(30_000);
    }
  });
});
