import { z } from 'zod';
import { TraceError } from '../trace/trace-error.js';

/**
 * Reader of AI Configurator's silicon CSV format (`systems/silicon_sample.csv`): one measured serving
 * benchmark per row. A malformed row becomes a located error (file:line: field …) in `errors` and is
 * left out; it never stops the others. A missing required column is a whole-file error (thrown).
 */

/** One pool of identical replicas (an aggregated deployment has one, a disaggregated one two). */
export interface PoolShape {
  /** Replicas in the pool. */
  workers: number;
  /** False when the row leaves the replica count blank (`workers` is then 1). */
  workersRecorded: boolean;
  tp: number;
  pp: number;
  attnDp: number;
  moeTp: number;
  moeEp: number;
  /** Closed-loop concurrency per replica rank as the CSV gives it (informative; 0 = not recorded). */
  batch: number;
}

export interface SiliconRow {
  /** 1-based line in the file. */
  line: number;
  id: string;
  backend: 'vllm' | 'sglang' | 'trtllm';
  backendVersion: string;
  modelPath: string;
  system: string;
  /** `precision` column; '' means the checkpoint's own dtype (BF16). */
  precision: string;
  gemmQuant: string;
  moeQuant: string;
  mode: 'agg' | 'disagg';
  isl: number;
  osl: number;
  /** Total closed-loop clients over the whole deployment. */
  concurrency: number;
  /** agg: the one pool; disagg: prefill and decode pools. */
  agg: PoolShape | null;
  prefill: PoolShape | null;
  decode: PoolShape | null;
  measuredTtftMs: number;
  measuredTpotMs: number;
}

const REQUIRED = ['id', 'backend', 'model_path', 'system', 'mode', 'isl', 'osl', 'silicon_ttft_ms', 'silicon_tpot_ms'] as const;

const posInt = cellInt(1, null, 'a positive whole number');
/** A whole number ≥ `min` from a cell; blank gives `blank` (when allowed). */
function cellInt(min: number, blank: number | null, what: string) {
  return z.string().transform((raw, ctx) => {
    const s = raw.trim();
    if (s === '' && blank !== null) return blank;
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < min) {
      ctx.addIssue({ code: 'custom', message: `must be ${what}` });
      return z.NEVER;
    }
    return n;
  });
}
/** Parallel sizes: blank or 0 mean "not used" (1). */
const size = cellInt(0, 1, 'a whole number (blank or 0 = not used)').transform((n) => (n === 0 ? 1 : n));
const positiveMs = z.coerce.number().refine((n) => Number.isFinite(n) && n > 0, 'must be a positive number of ms');

const RowSchema = z.object({
  id: z.string().min(1, 'must not be empty'),
  backend: z.enum(['vllm', 'sglang', 'trtllm']),
  backend_version: z.string().default(''),
  model_path: z.string().min(1, 'must not be empty'),
  system: z.string().min(1, 'must not be empty'),
  precision: z.string().default(''),
  gemm_quant_mode: z.string().default(''),
  moe_quant_mode: z.string().default(''),
  mode: z.enum(['agg', 'disagg']),
  isl: posInt,
  osl: posInt,
  silicon_ttft_ms: positiveMs,
  silicon_tpot_ms: positiveMs,
});

const AggSchema = z.object({
  batch_size: posInt,
  tp_size: size, pp_size: size, attention_dp_size: size, moe_tp_size: size, moe_ep_size: size,
});
/** Blank means "not recorded": batch from the total concurrency, one worker. */
const optPosInt = cellInt(1, 0, 'a positive whole number or blank');
const poolSchema = (p: 'prefill' | 'decode') => z.object({
  [`${p}_batch_size`]: optPosInt,
  [`${p}_num_workers`]: optPosInt,
  [`${p}_tp_size`]: size, [`${p}_pp_size`]: size, [`${p}_attention_dp_size`]: size,
  [`${p}_moe_tp_size`]: size, [`${p}_moe_ep_size`]: size,
});

export interface SiliconFile {
  rows: SiliconRow[];
  /** One per malformed row, located. */
  errors: TraceError[];
}

export function parseSiliconCsv(text: string, file: string): SiliconFile {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first === lines.length) throw new TraceError(file, 0, '', 'the file is empty; expected a header line and rows in AI Configurator silicon CSV format');
  const header = splitCsvLine(lines[first]!.replace(/\r$/, '')).map((h) => h.trim());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new TraceError(file, first + 1, missing[0]!, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; expected AI Configurator's silicon CSV header (id, backend, model_path, system, mode, isl, osl, batch_size, tp_size, …, silicon_ttft_ms, silicon_tpot_ms)`);
  }
  const rows: SiliconRow[] = [];
  const errors: TraceError[] = [];
  for (let li = first + 1; li < lines.length; li++) {
    const raw = lines[li]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const cells = splitCsvLine(raw);
    const lineNo = li + 1;
    if (cells.length !== header.length) {
      errors.push(new TraceError(file, lineNo, '', `has ${cells.length} fields, the header has ${header.length}`));
      continue;
    }
    const rec: Record<string, string> = {};
    header.forEach((h, i) => { rec[h] = cells[i]!.trim(); });
    try {
      rows.push(toRow(rec, lineNo, file));
    } catch (e) {
      if (e instanceof TraceError) errors.push(e);
      else throw e;
    }
  }
  return { rows, errors };
}

function toRow(rec: Record<string, string>, line: number, file: string): SiliconRow {
  const base = check(RowSchema, rec, line, file);
  const sourceConc = /silicon_concurrency=(\d+)/.exec(rec.silicon_data_source ?? '');
  let agg: PoolShape | null = null, prefill: PoolShape | null = null, decode: PoolShape | null = null;
  let concurrency: number;
  if (base.mode === 'agg') {
    const a = check(AggSchema, rec, line, file);
    agg = { workers: 1, workersRecorded: true, tp: a.tp_size, pp: a.pp_size, attnDp: a.attention_dp_size, moeTp: a.moe_tp_size, moeEp: a.moe_ep_size, batch: a.batch_size };
    // batch_size is per attention-DP rank (AIC's convention); the source note has the total when present
    concurrency = sourceConc ? Number(sourceConc[1]) : a.batch_size * a.attention_dp_size;
  } else {
    const pool = (p: 'prefill' | 'decode'): PoolShape => {
      const x = check(poolSchema(p), rec, line, file) as Record<string, number>;
      return {
        workers: x[`${p}_num_workers`]! || 1, workersRecorded: x[`${p}_num_workers`]! > 0, tp: x[`${p}_tp_size`]!, pp: x[`${p}_pp_size`]!, attnDp: x[`${p}_attention_dp_size`]!,
        moeTp: x[`${p}_moe_tp_size`]!, moeEp: x[`${p}_moe_ep_size`]!, batch: x[`${p}_batch_size`]!,
      };
    };
    prefill = pool('prefill');
    decode = pool('decode');
    // without the total, the decode side holds every request in flight
    const decodeTotal = decode.batch * decode.workers * decode.attnDp;
    if (!sourceConc && decodeTotal === 0) {
      throw new TraceError(file, line, 'decode_batch_size', 'a disaggregated row needs decode_batch_size or its total concurrency as "silicon_concurrency=N" in silicon_data_source');
    }
    concurrency = sourceConc ? Number(sourceConc[1]) : decodeTotal;
  }
  if (!(concurrency >= 1)) throw new TraceError(file, line, 'silicon_data_source', `silicon_concurrency must be >= 1, got ${concurrency}`);
  return {
    line, id: base.id, backend: base.backend, backendVersion: base.backend_version, modelPath: base.model_path, system: base.system,
    precision: base.precision, gemmQuant: base.gemm_quant_mode, moeQuant: base.moe_quant_mode, mode: base.mode,
    isl: base.isl, osl: base.osl, concurrency, agg, prefill, decode,
    measuredTtftMs: base.silicon_ttft_ms, measuredTpotMs: base.silicon_tpot_ms,
  };
}

function check<T extends z.ZodType>(schema: T, rec: Record<string, string>, line: number, file: string): z.output<T> {
  const r = schema.safeParse(rec);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  const given = rec[field];
  const what = issue.code === 'invalid_value' && 'values' in issue
    ? `must be one of ${(issue.values as unknown[]).map(String).join(', ')}`
    : issue.code === 'invalid_type' && given === undefined ? 'is missing' : issue.message.replace(/^Invalid input: /, '');
  throw new TraceError(file, line, field, `${field} ${what}${given !== undefined ? `, got ${JSON.stringify(given)}` : ''}`);
}

/** One CSV line into fields (RFC 4180 quoting; no embedded newlines). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}
