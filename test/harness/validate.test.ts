import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPUS } from '../../sim/catalog/gpus.js';
import { parseSiliconCsv } from '../../harness/validate/silicon-csv.js';
import { simulateRow, sizeDisaggPools, type Protocol } from '../../harness/validate/simulate-row.js';
import { rowDeployment } from '../../harness/validate/row-deployment.js';
import { summarize } from '../../harness/validate/summary.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'twinsearch.js');

const HEADER = 'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';
const agg = (id: string, backend: string, model: string, system: string, prec: string, isl: number, osl: number, batch: number, tp: number, ttft: string, tpot: string): string =>
  `${id},src,${backend},,${model},${system},${prec},agg,${isl},${osl},${prec},${prec},${batch},${tp},1,,1,1,,,,,,,,,,,,,,,${ttft},${tpot}`;
const ROWS = [
  agg('llama8b_vllm', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct', 'h100_sxm', '', 1024, 128, 4, 1, '40', '7'),
  agg('qwen32b_sglang', 'sglang', 'Qwen/Qwen3-32B', 'h200_sxm', 'fp8', 2048, 64, 8, 2, '120', '12'),
  agg('llama8b_trtllm', 'trtllm', 'meta-llama/Llama-3.1-8B-Instruct', 'h100_sxm', '', 512, 64, 16, 1, '60', '9'),
  agg('unknown_model', 'vllm', 'acme/Frobnicator-7B', 'h100_sxm', '', 512, 64, 4, 1, '30', '5'),
  // a disaggregated row: 1 prefill worker TP2, 1 decode worker TP2, 16 clients in all
  'qwen32b_disagg,silicon_concurrency=16,vllm,,Qwen/Qwen3-32B,h200_sxm,fp8,disagg,2048,64,fp8,fp8,,,,,,,1,1,2,1,1,1,1,16,1,2,1,1,1,1,300,15',
];
const PROTOCOL: Protocol = { requestsPerClient: 2, islJitter: 0.005, rangeRatio: 1, rampLifetimes: 1, turnaroundMs: 2, seed: 1 };

describe('silicon CSV reader', () => {
  it('reads aggregated and disaggregated rows', () => {
    const f = parseSiliconCsv([HEADER, ...ROWS].join('\n'), 'rows.csv');
    expect(f.errors).toEqual([]);
    expect(f.rows).toHaveLength(5);
    expect(f.rows[1]).toMatchObject({ backend: 'sglang', isl: 2048, osl: 64, concurrency: 8, agg: { tp: 2, attnDp: 1 } });
    expect(f.rows[4]).toMatchObject({ mode: 'disagg', concurrency: 16, prefill: { tp: 2, workers: 1 }, decode: { tp: 2, batch: 16 } });
  });

  it('names the file, line and field of a malformed row and keeps the others', () => {
    const bad = [
      HEADER,
      ROWS[0],
      ROWS[0]!.replace('vllm,,meta', 'tgi,,meta'),
      ROWS[0]!.replace(',1024,128,', ',1k,128,'),
      ROWS[0]!.replace(',40,7', ',-3,7'),
      'too,few,fields',
    ].join('\n');
    const f = parseSiliconCsv(bad, 'mine.csv');
    expect(f.rows).toHaveLength(1);
    expect(f.errors.map((e) => e.message)).toEqual([
      'mine.csv:3: backend must be one of vllm, sglang, trtllm, got "tgi"',
      'mine.csv:4: isl must be a positive whole number, got "1k"',
      'mine.csv:5: silicon_ttft_ms must be a positive number of ms, got "-3"',
      'mine.csv:6: has 3 fields, the header has 34',
    ]);
    expect(f.errors.map((e) => e.field)).toEqual(['backend', 'isl', 'silicon_ttft_ms', '']);
  });

  it('rejects a file without the required columns as a whole', () => {
    expect(() => parseSiliconCsv('id,backend\nx,vllm\n', 'x.csv')).toThrow(/x\.csv:1: missing columns model_path, system, mode/);
  });
});

describe('simulated rows', () => {
  it('skips a row whose model is not in the catalog, naming it', () => {
    const f = parseSiliconCsv([HEADER, ROWS[3]].join('\n'), 'rows.csv');
    expect(simulateRow(f.rows[0]!, PROTOCOL).skipped).toBe('model acme/Frobnicator-7B not in catalog');
  });

  it('come from the simulator: halving the GPU memory bandwidth slows decode', () => {
    const f = parseSiliconCsv([HEADER, ROWS[0]].join('\n'), 'rows.csv');
    const before = simulateRow(f.rows[0]!, PROTOCOL);
    const gpu = GPUS.h100_sxm as { memBw: number };
    const bw = gpu.memBw;
    gpu.memBw = bw / 2;
    try {
      const after = simulateRow(f.rows[0]!, PROTOCOL);
      expect(after.skipped).toBeNull();
      expect(after.predicted_tpot_ms!).toBeGreaterThan(1.5 * before.predicted_tpot_ms!);
      expect(after.predicted_ttft_ms!).toBeGreaterThan(before.predicted_ttft_ms!);
    } finally {
      gpu.memBw = bw;
    }
    expect(simulateRow(f.rows[0]!, PROTOCOL)).toEqual(before); // and the same inputs give the same numbers
  });

  it('simulates aggregated rows of every backend and disaggregated rows', () => {
    const f = parseSiliconCsv([HEADER, ...ROWS].join('\n'), 'rows.csv');
    const results = f.rows.map((r) => simulateRow(r, PROTOCOL));
    for (const r of results.filter((x) => x.id !== 'unknown_model')) {
      expect(r.skipped, r.id).toBeNull();
      expect(r.predicted_ttft_ms!, r.id).toBeGreaterThan(0);
      expect(r.predicted_tpot_ms!, r.id).toBeGreaterThan(0);
    }
    const s = summarize(results, 0);
    expect(s).toMatchObject({ rows: 5, simulated: 4, skipped: 1, skipReasons: [{ reason: 'model acme/Frobnicator-7B not in catalog', rows: 1 }] });
    expect(s.byBackend.map((g) => g.group)).toEqual(['sglang', 'trtllm', 'vllm']);
    expect(s.byMode.map((g) => [g.group, g.rows])).toEqual([['agg', 3], ['disagg', 1]]);
  });
});

describe('disaggregated rows without worker counts', () => {
  it('get the smallest pools that carry their load, from the simulator\'s own model', () => {
    // 1,024 clients on Llama-3.1-8B pools with blank worker counts and batch sizes
    const row = 'blank_pools,silicon_concurrency=1024,vllm,,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,,disagg,4096,256,,,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,800,20';
    const f = parseSiliconCsv([HEADER, row].join('\n'), 'rows.csv');
    expect(f.errors).toEqual([]);
    expect(f.rows[0]!.prefill!.workersRecorded).toBe(false);
    const dep = rowDeployment(f.rows[0]!);
    if (!dep.ok) throw new Error(dep.reason);
    const sized = sizeDisaggPools(dep.deployment, f.rows[0]!, 1);
    if (!('prefill' in sized.pools)) throw new Error('not disaggregated');
    // vLLM holds at most 1,024 running requests per worker on an 80 GB GPU, and 4k-token prompts
    // arriving from 1,024 clients need several prefill GPUs
    expect(sized.pools.decode.replicas).toBeGreaterThanOrEqual(1);
    expect(sized.pools.prefill.replicas).toBeGreaterThan(1);
    const res = simulateRow(f.rows[0]!, PROTOCOL);
    expect(res.skipped).toBeNull();
    // the sized pools keep up: TTFT stays within seconds, not the minutes one prefill worker would queue
    expect(res.predicted_ttft_ms!).toBeLessThan(10_000);
  });
});

describe('twinsearch validate', () => {
  it('runs from another directory on a user CSV, writes JSON, CSV and HTML, and exits 2 on a malformed row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinsearch-validate-'));
    writeFileSync(join(dir, 'mine.csv'), [HEADER, ...ROWS, ROWS[0]!.replace('h100_sxm', 'h100_sxm,extra')].join('\n') + '\n');
    const r = spawnSync(process.execPath, [bin, 'validate', 'mine.csv', '--json', 'out.json', '--csv', 'out.csv', '--html', 'out.html', '--requests-per-client', '2', '--jobs', '2'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toContain('twinsearch validate: mine.csv:7: has 35 fields, the header has 34');
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('By backend × GPU × model × mode');
    expect(r.stdout).toContain('Coverage: 4 of 6 rows simulated, 1 skipped, 1 malformed');
    expect(r.stdout).toContain('1 skipped: model acme/Frobnicator-7B not in catalog');
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(json.rows).toHaveLength(5);
    expect(Object.keys(json.rows[0]).sort()).toEqual(['backend', 'concurrency', 'id', 'isl', 'measured_tpot_ms', 'measured_ttft_ms', 'mode', 'model',
      'osl', 'precision', 'predicted_tpot_ms', 'predicted_ttft_ms', 'skipped', 'system'].sort());
    expect(json.rows.find((x: { id: string }) => x.id === 'qwen32b_disagg').predicted_ttft_ms).toBeGreaterThan(0);
    expect(json.summary.simulated).toBe(4);
    const csv = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,backend,system,model,mode,precision,isl,osl,concurrency,measured_ttft_ms,predicted_ttft_ms,measured_tpot_ms,predicted_tpot_ms,skipped');
    expect(csv).toHaveLength(6);
    const html = readFileSync(join(dir, 'out.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('Llama-3.1-8B-Instruct');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('explains its protocol and flags, and rejects bad flags with exit 2', () => {
    const help = spawnSync(process.execPath, [bin, 'validate', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const flag of ['--json', '--csv', '--html', '--jobs', '--filter', '--requests-per-client', '--isl-jitter', '--ramp', '--turnaround-ms', '--seed']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toMatch(/Protocol simulated/);
    expect(help.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
    const bad = spawnSync(process.execPath, [bin, 'validate', '--jobs', 'zero'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--jobs: /);
    const missing = spawnSync(process.execPath, [bin, 'validate', 'nope.csv'], { encoding: 'utf8', cwd: tmpdir() });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.csv: no such file');
  });
});
