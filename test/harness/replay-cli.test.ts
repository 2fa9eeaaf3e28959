import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupReplay } from '../../harness/replay/replay-setup.js';
import { runReplay } from '../../sim/replay.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'harness/cli/main.ts');
const trace = join(root, 'data/traces/conversation_trace.jsonl');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

describe('twinsearch replay (CLI process)', () => {
  it('runs a synthetic workload and writes the JSON report with Dynamo\'s keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-replay-'));
    const out = join(dir, 'r.json');
    const r = cli(['replay', '--isl', '600', '--osl', '20', '--requests', '50', '--workers', '2', '--router', 'kv', '--report-json', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Time To First Token (ms)');
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    for (const k of ['completed_requests', 'duration_ms', 'mean_ttft_ms', 'p90_ttft_ms', 'prefix_cache_reused_ratio', 'p99_itl_ms', 'mean_output_token_throughput_per_user']) {
      expect(rep).toHaveProperty(k);
    }
    expect(rep.completed_requests).toBe(50);
    expect(Object.keys(rep)).toEqual([...Object.keys(rep)].sort());
  });

  it('gives a one-line error naming the bad flag', () => {
    const r = cli(['replay', trace, '--wrokers', '8']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('twinsearch replay: unknown flag --wrokers');
    const w = cli(['replay', trace, '--workers', 'many']);
    expect(w.err).toBe('twinsearch replay: --workers: expected an integer >= 1, got "many"');
  });

  it('gives a one-line error naming the trace line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-replay-'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"timestamp":0,"input_length":10,"output_length":5,"hash_ids":[1]}\n{"timestamp":1,"input_length":10,"output_length":5,"hash_ids":"x"}\n');
    const r = cli(['replay', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`twinsearch replay: ${bad}:2: hash_ids must be an array of integers`);
  });

  it('prints help that lists every flag', () => {
    const r = cli(['replay', '--help']);
    expect(r.code).toBe(0);
    for (const f of ['--trace-format', '--trace-block-size', '--arrival-speedup-ratio', '--concurrency', '--workers', '--router', '--router-config', '--engine', '--engine-args', '--model', '--gpu', '--tp', '--timing', '--seed', '--report-json']) {
      expect(r.out).toContain(f);
    }
  });

  it('the bin shim works from another directory', () => {
    const out = execFileSync(join(root, 'bin/twinsearch.js'), ['replay', '--help'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(out).toContain('Usage: twinsearch replay');
  });
});

describe('replay setup (flag validation)', () => {
  const msg = (flags: Record<string, string | boolean>, pos: string[] = [trace]) => {
    try {
      setupReplay(flags, pos);
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('rejects unknown and invalid engine args with the field name', () => {
    expect(msg({ 'engine-args': '{"block_size":64,"foo":1}' })).toBe('--engine-args: unknown field "foo"');
    expect(msg({ 'engine-args': '{"sglang":{"page_sise":4}}' })).toBe('--engine-args: unknown field "sglang.page_sise"');
    expect(msg({ 'engine-args': '{"max_num_seqs":0}' })).toMatch(/^--engine-args: max_num_seqs: /);
    expect(msg({ 'engine-args': '{"dp_size":2}' })).toBe('--engine-args: dp_size must be 1 (attention data parallelism is not simulated)');
    expect(msg({ 'engine-args': '{"engine_type":"sglang","block_size":4,"sglang":{"page_size":8}}' })).toMatch(/block_size must equal sglang.page_size/);
    expect(msg({ engine: 'sglang', 'engine-args': '{"engine_type":"vllm"}' })).toMatch(/contradicts/);
  });

  it('rejects bad combinations', () => {
    expect(msg({ isl: '10', osl: '2' })).toMatch(/either a trace file or synthetic flags/);
    expect(msg({}, [])).toMatch(/give a trace file/);
    expect(msg({ isl: '10', osl: '2', arrival: 'poisson' }, [])).toBe('--arrival poisson needs --request-rate');
    expect(msg({ timing: 'roofline' })).toMatch(/needs --model and --gpu/);
    expect(msg({ model: 'gpt-5', gpu: 'h100_sxm' })).toMatch(/unknown model "gpt-5"/);
    expect(msg({ 'router-config': '{"router_temperature":-1}' })).toMatch(/^--router-config: router_temperature must be >= 0/);
    expect(msg({ 'router-config': '{"router_ttl":1}' })).toBe('--router-config: unknown field "router_ttl"');
  });

  it('refuses a speed-up ratio that stretches the trace beyond the clock (it ended in a dead end)', () => {
    expect(msg({ 'arrival-speedup-ratio': '5e-324' })).toMatch(/^--arrival-speedup-ratio 5e-324 stretches the workload's \d+ ms of arrivals and delays beyond the simulator's clock range/);
    expect(msg({ 'arrival-speedup-ratio': '1e-12' })).toMatch(/expected at least/);
    expect(msg({ 'arrival-speedup-ratio': '0.001' })).toBe('ok');
    // in the simulator itself, the same refusal instead of "dead end at … ms: … requests unfinished"
    const { workload, config } = setupReplay({}, [trace]);
    expect(() => runReplay(workload, { ...config, arrivalSpeedupRatio: 5e-324 })).toThrow(/beyond the simulator's clock range/);
    expect(() => runReplay(workload, { ...config, arrivalSpeedupRatio: 1e-300 })).toThrow(/beyond the simulator's clock range/);
  });

  it('checks disaggregated and planner flags', () => {
    expect(msg({ 'prefill-workers': '2' })).toBe('disaggregated serving needs both --prefill-workers and --decode-workers');
    expect(msg({ 'prefill-workers': '2', 'decode-workers': '2', workers: '4' })).toMatch(/--workers is for aggregated serving/);
    expect(msg({ 'prefill-workers': '1', 'decode-workers': '1', 'decode-engine-args': '{"block_size":32}' })).toMatch(/same KV block size/);
    expect(msg({ 'kv-transfer-bandwidth': '5' })).toBe('--kv-transfer-bandwidth needs --prefill-workers and --decode-workers');
    expect(msg({ 'startup-time': '5' })).toBe('--startup-time needs --planner (static, dynamo-load or dynamo-sla)');
    expect(msg({ planner: 'magic' })).toMatch(/^--planner: expected one of/);
    expect(msg({ planner: 'dynamo-sla', 'startup-time': '-3' })).toBe('--startup-time: expected a number >= 0, got "-3"');
    expect(msg({ planner: 'dynamo-sla', 'gpu-budget': '1', tp: '2', model: 'qwen3-32b', gpu: 'h200_sxm' })).toMatch(/^--gpu-budget: max_gpu_budget \(1 GPUs\) is below min_endpoint/);
    expect(msg({ planner: 'dynamo-load', 'planner-config': '{"load_predictor":"arima"}' })).toBe('--planner-config: unknown field "load_predictor"');
    const s = setupReplay({ 'prefill-workers': '2', 'decode-workers': '3', model: 'qwen3-32b', gpu: 'h200_sxm', tp: '2' }, [trace]);
    expect(s.config.disagg!.kvBytesPerToken).toBe(262144);
    expect(s.config.disagg!.kvTransferBandwidthGBs).toBe(64);
  });

  it('derives KV capacity from the catalog when num_gpu_blocks is not pinned', () => {
    const s = setupReplay({ model: 'qwen3-32b', gpu: 'h200_sxm', tp: '2' }, [trace]);
    expect(s.config.timing.name).toMatch(/roofline/);
    expect(s.config.engine.num_gpu_blocks).toBeGreaterThan(1000);
    const pinned = setupReplay({ model: 'qwen3-32b', gpu: 'h200_sxm', tp: '2', 'engine-args': '{"num_gpu_blocks":5000}' }, [trace]);
    expect(pinned.config.engine.num_gpu_blocks).toBe(5000);
  });
});

describe('npm run twinsearch from another directory', () => {
  it('reads relative paths from the caller\'s directory, not the package root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-npm-'));
    writeFileSync(join(dir, 'mine.jsonl'), Array.from({ length: 5 }, (_, i) => JSON.stringify({ timestamp: i * 100, input_length: 600, output_length: 20, hash_ids: [i, i + 1] })).join('\n') + '\n');
    const r = spawnSync('npm', ['--prefix', root, 'run', '--silent', 'twinsearch', '--', 'replay', 'mine.jsonl', '--workers', '2', '--json', '--no-report-json'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/not found/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).completed_requests).toBe(5);
  }, 60_000);
});

describe('twinsearch bench (CLI process)', () => {
  it('ranks router candidates on a scenario and marks the Pareto front', () => {
    const r = cli(['bench', 'candidates/router/dynamo-kv.ts', 'candidates/router/round-robin.ts', '--scenarios', 'shared-prefix-4x-h100-qwen32b-tp2', '--json', '--quiet', '--no-cache']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { pareto: string[]; results: { candidate: string; report: Record<string, number> }[] };
    const kv = out.results.find((x) => x.candidate === 'dynamo-kv')!.report;
    const rr = out.results.find((x) => x.candidate === 'round-robin')!.report;
    expect(kv.mean_ttft_ms).toBeLessThan(rr.mean_ttft_ms!);
    expect(kv.prefix_cache_reused_ratio).toBeGreaterThan(rr.prefix_cache_reused_ratio!);
    expect(out.pareto).toContain('dynamo-kv');
  });

  it('sandboxed and in-process runs give the same numbers; a hostile candidate is contained', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-bench-'));
    const evil = join(dir, 'evil.ts');
    writeFileSync(evil, `import { defineRouter } from '${join(root, 'sim/policy/index.js')}';\nexport default defineRouter({ name: 'evil', cost: () => { for (;;) {} } });\n`);
    const args = ['bench', 'candidates/router/dynamo-kv.ts', '--scenarios', 'shared-prefix-4x-h100-qwen32b-tp2', '--json', '--quiet', '--no-cache'];
    const sandboxed = JSON.parse(cli(args).out) as { results: { report: unknown }[] };
    const inProcess = JSON.parse(cli([...args, '--in-process']).out) as { results: { report: unknown }[] };
    expect(sandboxed.results[0]!.report).toEqual(inProcess.results[0]!.report);
    const r = cli(['bench', evil, 'candidates/router/dynamo-kv.ts', '--scenarios', 'shared-prefix-4x-h100-qwen32b-tp2', '--time-limit', '1', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/evil: timeout/);
    expect(r.out).toMatch(/dynamo-kv ★/);
  });

  it('with --seeds runs replicas and compares each candidate with the first, paired', () => {
    const r = cli(['bench', 'candidates/router/kv-tuned.ts', 'candidates/router/round-robin.ts', '--scenarios', 'shared-prefix-4x-h100-qwen32b-tp2', '--seeds', '2', '--json', '--quiet', '--no-cache', '--in-process']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { seeds: number; reference: string; results: { replicas: { mean_ttft_ms: number }[] }[]; paired: { candidate: string; metric: string; difference: { mean: number; n: number; call: string } }[] };
    expect(out.seeds).toBe(2);
    expect(out.reference).toBe('kv-tuned');
    expect(out.results[0]!.replicas).toHaveLength(2);
    expect(out.results[0]!.replicas[0]!.mean_ttft_ms).not.toBe(out.results[0]!.replicas[1]!.mean_ttft_ms); // different seeds, different runs
    const reuse = out.paired.find((p) => p.candidate === 'round-robin' && p.metric === 'prefix_cache_reused_ratio')!.difference;
    expect(reuse.n).toBe(2);
    expect(reuse.mean).toBeLessThan(-0.3); // round robin loses half the cache hits
    expect(cli(['bench', 'candidates/router/kv-tuned.ts', '--seeds', '0']).err).toMatch(/--seeds: expected a whole number from 1 to 32/);
  });

  it('benches on the user\'s own traffic: a trace with a cluster size, or a scenario file beside its trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-own-'));
    mkdirSync(join(dir, 'traces'));
    writeFileSync(join(dir, 'traces', 'ours.jsonl'), Array.from({ length: 60 }, (_, i) => JSON.stringify({ timestamp: i * 150, input_length: 2000, output_length: 30, hash_ids: [i % 5, 10 + (i % 5), 100 + i, 200 + i] })).join('\n') + '\n');
    const byTrace = cli(['bench', 'candidates/router/kv-tuned.ts', 'candidates/router/round-robin.ts', '--trace', join(dir, 'traces', 'ours.jsonl'), '--workers', '3', '--json', '--quiet', '--no-cache', '--in-process']);
    expect(byTrace.code).toBe(0);
    const t = JSON.parse(byTrace.out) as { scenarios: string[]; results: { candidate: string; report: Record<string, number> }[] };
    expect(t.scenarios).toEqual(['ours']);
    expect(t.results.find((r) => r.candidate === 'kv-tuned')!.report.prefix_cache_reused_ratio)
      .toBeGreaterThan(t.results.find((r) => r.candidate === 'round-robin')!.report.prefix_cache_reused_ratio!);
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify([{ name: 'ours-2x', description: 'our traffic on two workers', kind: 'router', workload: { source: 'trace', file: 'traces/ours.jsonl' }, cluster: { workers: 2 } }]));
    const byFile = cli(['bench', 'candidates/router/kv-tuned.ts', '--scenario-file', file, '--json', '--quiet', '--no-cache', '--in-process']);
    expect(byFile.code).toBe(0);
    expect((JSON.parse(byFile.out) as { results: { report: { completed_requests: number } }[] }).results[0]!.report.completed_requests).toBe(60);
    writeFileSync(file, JSON.stringify({ name: 'ours', description: 'x', kind: 'router', workload: { source: 'trace', file: 'traces/ours.jsonl' }, cluster: { workers: 0 } }));
    expect(cli(['bench', 'candidates/router/kv-tuned.ts', '--scenario-file', file]).err).toMatch(/--scenario-file .*mine\.json: scenario ours: cluster\.workers: /);
  });

  it('explains bad arguments', () => {
    expect(cli(['bench']).err).toBe('twinsearch bench: give one or more candidate files, e.g. candidates/router/*.ts');
    expect(cli(['bench', 'candidates/router/dynamo-kv.ts', 'candidates/eviction/lru.ts']).err).toMatch(/all candidates must be of one kind/);
    expect(cli(['bench', 'candidates/router/dynamo-kv.ts', '--scenarios', 'conversation-pressure-4x-poly']).err).toMatch(/scores eviction policies, not router policies/);
    expect(cli(['bench', 'candidates/router/dynamo-kv.ts', '--scenarios', 'nope']).err).toMatch(/unknown scenario "nope"/);
    expect(cli(['bench', 'package.json']).err).toMatch(/default export must be made by defineRouter/);
  });

  it('replays a multi-node expert-parallel deployment in a block-scaled precision, and checks the layout', () => {
    const ok = cli(['replay', '--isl', '2000', '--osl', '50', '--requests', '40', '--arrival', 'poisson', '--request-rate', '2',
      '--engine', 'trtllm', '--model', 'deepseek-v3', '--gpu', 'h200_sxm', '--tp', '16', '--ep', '16', '--weight-dtype', 'fp8_block', '--json', '--no-report-json']);
    expect(ok.code).toBe(0);
    expect(ok.err).toContain('deepseek-v3 on 16× h200_sxm');
    expect(ok.err).toContain('tp16 moe tp1×ep16, fp8_block');
    expect(JSON.parse(ok.out).completed_requests).toBe(40);
    const bad = cli(['replay', '--isl', '100', '--osl', '10', '--model', 'deepseek-v3', '--gpu', 'h200_sxm', '--tp', '8', '--ep', '3', '--no-report-json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('twinsearch replay: --ep 3 must divide --tp 8 (the experts are spread over the worker\'s TP GPUs)');
  });
});
