import { readBoundedText, type ReadLimits } from '../io/bounded-read.js';
import { extname } from 'node:path';
import type { Workload } from '../../sim/workload/workload.js';
import { parseAzureCsv } from './azure.js';
import { parseMooncake } from './mooncake.js';

export type TraceFormat = 'mooncake' | 'azure';

/**
 * A trace is read whole: at most 512 MB (a string V8 can still hold with room to parse; the shipped
 * traces are a few MB) and 1 MB per line (the hash_ids of a 50 M-token prompt at 512 tokens a block).
 */
export const TRACE_LIMITS: ReadLimits = { what: 'trace file', maxBytes: 512 << 20, maxLineBytes: 1 << 20 };

export interface LoadTraceOptions {
  /** 'auto' (default) picks by extension, then by the first non-blank line. */
  format?: TraceFormat | 'auto';
  /** Tokens per hash id / content id; default 512. */
  traceBlockSize?: number;
}

/** Reads and parses a trace file. Errors name the path as given; parse errors are TraceErrors. */
export function loadTrace(path: string, opts: LoadTraceOptions = {}): Workload {
  const text = readBoundedText(path, TRACE_LIMITS);
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
