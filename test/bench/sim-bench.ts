/**
 * `npm run bench:sim`: replay speed on the Mooncake conversation trace (12,031 requests, ~59 min),
 * 8 aggregated vLLM workers, dynamo-poly timing, engine block 64, trace block 512, round robin and
 * the kv router. Each run is a fresh process (cold JIT, own peak RSS), repeated; medians reported.
 * Targets (vLLM): >= 3,000x real time (round robin), >= 1,500x (kv), peak RSS < 500 MB. SGLang runs
 * (page size 1, 1M-token pools) are reported for information, 3 runs each.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tracePath = join(root, 'data/traces/conversation_trace.jsonl');

interface Sample { router: string; parseMs: number; replayMs: number; simS: number; passes: number; rssMb: number; completed: number }

async function child(router: string, engineType: string): Promise<void> {
  const { loadTrace } = await import('../../harness/trace/load-trace.js');
  const { runReplay } = await import('../../sim/replay.js');
  const { resolveEngineArgs } = await import('../../sim/engine/engine-args.js');
  const { resolveKvRouterConfig } = await import('../../sim/router/router-config.js');
  const { dynamoPoly } = await import('../../sim/timing/dynamo-poly.js');
  const t0 = performance.now();
  const w = loadTrace(tracePath, { traceBlockSize: 512 });
  const t1 = performance.now();
  const res = runReplay(w, {
    workers: 8, engine: resolveEngineArgs(engineType === 'sglang' ? { engine_type: 'sglang' } : { block_size: 64 }), timing: dynamoPoly, router: router as 'kv',
    routerConfig: resolveKvRouterConfig({}), seed: 42, arrivalSpeedupRatio: 1, concurrency: null, gpusPerWorker: 1,
  });
  const t2 = performance.now();
  const s: Sample = {
    router: `${engineType} ${router}`, parseMs: t1 - t0, replayMs: t2 - t1, simS: res.report.duration_ms! / 1000, passes: res.passes,
    rssMb: process.resourceUsage().maxRSS / 1024, completed: res.report.completed_requests!,
  };
  process.stdout.write(JSON.stringify(s));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function parent(): void {
  const reps = Number(process.env.BENCH_REPS ?? 5);
  console.log(`twinsearch sim benchmark — conversation trace, 8 workers, dynamo-poly, vLLM block 64 (trace 512); ${reps} fresh processes per vLLM router, 3 per SGLang router`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('');
  console.log('engine router     replay wall  real-time factor  + trace parse  total wall  passes      peak RSS  completed');
  const runs: [string, string, number][] = [['vllm', 'round_robin', reps], ['vllm', 'kv', reps], ['sglang', 'round_robin', Math.min(reps, 3)], ['sglang', 'kv', Math.min(reps, 3)]];
  for (const [engineType, router, n] of runs) {
    const samples: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', import.meta.filename, '--child', router, engineType], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
      samples.push(JSON.parse(r.stdout) as Sample);
    }
    const replay = median(samples.map((s) => s.replayMs));
    const parse = median(samples.map((s) => s.parseMs));
    const sim = samples[0]!.simS;
    console.log(
      `${samples[0]!.router.padEnd(18)} ${(replay / 1000).toFixed(2).padStart(8)} s  ${Math.round((sim * 1000) / replay).toLocaleString('en-US').padStart(13)}×  `
      + `${(parse / 1000).toFixed(2).padStart(10)} s  ${((replay + parse) / 1000).toFixed(2).padStart(8)} s  `
      + `${samples[0]!.passes.toLocaleString('en-US').padStart(10)}  ${Math.round(Math.max(...samples.map((s) => s.rssMb))).toString().padStart(5)} MB  ${samples[0]!.completed}`,
    );
    console.log(`${''.padEnd(18)} (replay wall per run: ${samples.map((s) => (s.replayMs / 1000).toFixed(2)).join(', ')} s; simulated ${sim.toFixed(1)} s)`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else parent();
