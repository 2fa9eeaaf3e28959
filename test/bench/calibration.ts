/**
 * Calibration report for the roofline timing model against measured serving results
 * (data/calibration/silicon_calibration.csv, from ai-dynamo/aiconfigurator, Apache-2.0).
 *
 *   node --import tsx test/bench/calibration.ts [--rows]
 *
 * Uses vLLM/SGLang rows with batch_size ≤ 8, where decode dominates and a closed loop of `batch_size`
 * clients keeps about that many requests running. Predictions:
 *   TPOT ≈ decode step at batch b, context isl + osl/2, plus the other b−1 requests' prefills spread
 *          over this request's osl−1 steps (each prefill rides in a mixed pass);
 *   TTFT ≈ prefill of isl tokens alone + one decode step (the pass it waits behind).
 * Replica size: tp_size, or moe_tp·moe_ep when larger (rows with implied attention-DP are run as plain TP
 * and counted as "approximated"); rows needing more than 8 GPUs are skipped. gpt-oss "fp4" rows run BF16 attention with the
 * checkpoint's MXFP4 experts (weightDtype bf16). KV cache is BF16 (the engines' default).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRooflineModel, type Framework, type RooflineOptions } from '../../sim/timing/roofline.js';

export interface CalibrationRow {
  backend: Framework;
  system: string;
  modelPath: string;
  model: string;
  weightDtype: 'bf16' | 'fp8';
  isl: number;
  osl: number;
  batch: number;
  tp: number;
  ttftMs: number;
  tpotMs: number;
  /** Set when the row's parallelism is only approximated (attention-DP MoE run as plain TP). */
  approximated: boolean;
}

const MODEL_KEYS: [RegExp, string][] = [
  [/Llama-3\.1-8B/i, 'llama-3.1-8b'],
  [/Llama-3\.1-70B/i, 'llama-3.1-70b'],
  [/Qwen3-32B/i, 'qwen3-32b'],
  [/Qwen3-235B-A22B/i, 'qwen3-235b-a22b'],
  [/DeepSeek-(V3|R1)/i, 'deepseek-v3'],
  [/MiniMax-M2\.5/i, 'minimax-m2.5'],
  [/gpt-oss-120b/i, 'gpt-oss-120b'],
];

const CSV_PATH = fileURLToPath(new URL('../../data/calibration/silicon_calibration.csv', import.meta.url));

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const split = (line: string): string[] => {
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
  };
  const header = split(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** The rows the report uses, plus how many matching rows were skipped and why. */
export function loadRows(path = CSV_PATH): { rows: CalibrationRow[]; skipped: string[] } {
  const rows: CalibrationRow[] = [];
  const skipped: string[] = [];
  for (const r of parseCsv(readFileSync(path, 'utf8'))) {
    if (r.backend !== 'vllm' && r.backend !== 'sglang') continue;
    const batch = Number(r.batch_size);
    if (!(batch <= 8)) continue;
    const key = MODEL_KEYS.find(([re]) => re.test(r.model_path));
    if (!key) { skipped.push(`${r.id}: model ${r.model_path} not in catalog`); continue; }
    const num = (s: string): number => (s === '' ? 1 : Number(s));
    const attnGpus = num(r.tp_size) * num(r.attention_dp_size);
    const tp = Math.max(attnGpus, num(r.moe_tp_size) * num(r.moe_ep_size));
    if (tp > 8) { skipped.push(`${r.id}: needs ${tp} GPUs (attention-DP × EP), not modelled`); continue; }
    rows.push({
      backend: r.backend, system: r.system, modelPath: r.model_path, model: key[1],
      weightDtype: r.precision === 'fp8' ? 'fp8' : 'bf16',
      isl: Number(r.isl), osl: Number(r.osl), batch, tp,
      ttftMs: Number(r.silicon_ttft_ms), tpotMs: Number(r.silicon_tpot_ms),
      approximated: attnGpus < tp,
    });
  }
  return { rows, skipped };
}

export interface Prediction { row: CalibrationRow; tpotMs: number; ttftMs: number }

/** Predicted TPOT/TTFT of each row; `extra` overrides model options (constants, overhead) for tuning. */
export function predict(rows: CalibrationRow[], extra: Partial<RooflineOptions> = {}): Prediction[] {
  return rows.map((row) => {
    const tm = createRooflineModel({
      gpu: row.system, model: row.model, tp: row.tp, weightDtype: row.weightDtype, kvDtype: 'bf16',
      framework: row.backend, ...extra,
    });
    const { isl, osl, batch: b } = row;
    const ctx = isl + osl / 2;
    const decode = tm.decodeMs(b, 0, b * ctx, 0);
    const others = b - 1;
    const prefillAlone = tm.prefillMs(1, isl, 0, isl * isl);
    const prefillInMix = others > 0
      ? tm.mixedMs(1, isl, 0, isl * isl, others, 0, others * ctx, 0) - tm.decodeMs(others, 0, others * ctx, 0)
      : prefillAlone;
    const tpotMs = decode + others * prefillInMix / Math.max(1, osl - 1);
    const ttftMs = prefillAlone + decode;
    return { row, tpotMs, ttftMs };
  });
}

export interface ErrorSummary { group: string; n: number; tpotMape: number; tpotBias: number; ttftMape: number; ttftBias: number }

/** MAPE of TPOT and TTFT per (backend, system, model) and overall; bias = mean signed relative error. */
export function summarize(preds: Prediction[]): ErrorSummary[] {
  const groups = new Map<string, Prediction[]>();
  for (const p of preds) {
    const g = `${p.row.backend} ${p.row.system} ${p.row.model}`;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(p);
  }
  const sum = (group: string, ps: Prediction[]): ErrorSummary => {
    let tp = 0; let tt = 0; let tpBias = 0; let ttBias = 0;
    for (const p of ps) {
      const e = p.tpotMs / p.row.tpotMs - 1;
      const f = p.ttftMs / p.row.ttftMs - 1;
      tp += Math.abs(e); tpBias += e;
      tt += Math.abs(f); ttBias += f;
    }
    const n = ps.length;
    return { group, n, tpotMape: tp / n, tpotBias: tpBias / n, ttftMape: tt / n, ttftBias: ttBias / n };
  };
  const out = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([g, ps]) => sum(g, ps));
  out.push(sum('overall', preds));
  const exact = preds.filter((p) => !p.row.approximated);
  if (exact.length < preds.length) out.push(sum('overall, excl. approximated rows', exact));
  return out;
}

function main(): void {
  const { rows, skipped } = loadRows();
  const preds = predict(rows);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(7);
  if (process.argv.includes('--rows')) {
    for (const p of preds) {
      const r = p.row;
      console.log(`${r.backend.padEnd(6)} ${r.system} ${r.model.padEnd(16)} tp${r.tp} ${r.weightDtype} isl ${r.isl} osl ${r.osl}`
        + ` b${r.batch}  TPOT ${p.tpotMs.toFixed(2)} vs ${r.tpotMs.toFixed(2)}  TTFT ${p.ttftMs.toFixed(1)} vs ${r.ttftMs.toFixed(1)}`);
    }
    console.log('');
  }
  const cols = ['TPOT MAPE', 'TPOT bias', 'TTFT MAPE', 'TTFT bias'].map((c) => c.padStart(9)).join(' ');
  console.log(`${'group'.padEnd(40)} ${'n'.padStart(3)} ${cols}`);
  for (const s of summarize(preds)) {
    const vals = [s.tpotMape, s.tpotBias, s.ttftMape, s.ttftBias].map((v) => pct(v).padStart(9)).join(' ');
    console.log(`${s.group.padEnd(40)} ${String(s.n).padStart(3)} ${vals}`);
  }
  if (skipped.length > 0) console.log(`\nskipped ${skipped.length} rows:\n  ${skipped.join('\n  ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
