import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Workload } from '../../sim/workload/workload.js';
import { parseAzureCsv } from './azure.js';
import { parseMooncake } from './mooncake.js';

export type TraceFormat = 'mooncake' | 'azure';

export interface LoadTraceOptions {
  /** 'auto' (default) picks by extension, then by the first non-blank line. */
  format?: TraceFormat | 'auto';
  /** Tokens per hash id / content id; default 512. */
  traceBlockSize?: number;
}

/** Reads and parses a trace file. Errors name the path as given; parse errors are TraceErrors. */
export function loadTrace(path: string, opts: LoadTraceOptions = {}): Workload {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new Error(`trace path is a directory, not a file: ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Error(`trace file not found: ${path}`);
    if (code === 'EACCES') throw new Error(`trace file not readable (permission denied): ${path}`);
    throw e;
  }
  const format = opts.format === undefined || opts.format === 'auto' ? detectFormat(path, text) : opts.format;
  const parseOpts = opts.traceBlockSize === undefined ? {} : { traceBlockSize: opts.traceBlockSize };
  return format === 'azure' ? parseAzureCsv(text, path, parseOpts) : parseMooncake(text, path, parseOpts);
}

/** Extension first (it is what the user chose); content sniffing only for unknown extensions. */
export function detectFormat(path: string, text: string): TraceFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'mooncake';
  if (ext === '.csv') return 'azure';
  const first = /^\uFEFF?\s*(\S.*)$/m.exec(text)?.[1] ?? '';
  if (first.startsWith('{')) return 'mooncake';
  if (/^TIMESTAMP\s*,/i.test(first)) return 'azure';
  throw new Error(`cannot tell the trace format of ${path} from its extension or first line; pass format 'mooncake' or 'azure'`);
}
