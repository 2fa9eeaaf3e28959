/**
 * `npm run bench:sim`: replay speed on the Mooncake conversation trace (12,031 requests, ~59 min),
 * 8 aggregated vLLM workers, dynamo-poly timing, engine block 64, trace block 512, round robin and
 * the kv router. Each run is a fresh process (cold JIT, own peak RSS), repeated; medians reported.
 * Targets (vLLM): >= 3,000x real time (round robin), >= 1,500x (kv), peak RSS < 500 MB, and the
 * planner (5 s ticks) costs at most 30% of the speed. Also reported: a disaggregated 3 prefill + 5
 * decode cluster, and SGLang (page size 1, 1M-token pools), 3 runs each.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './stats.js';
import { recordConsole } from './bench-doc.js';

const root = join(import.meta.dirname, '..', '..');
const tracePath = join(root, 'data/traces/conversation_trace.jsonl');

interface Sample { router: string; parseMs: number; replayMs: number; simS: number; passes: number; rssMb: number; completed: number }

async function child(router: string, engineType: string, variant: string): Promise<void> {
  const { loadTrace } = await import('../../harness/trace/load-trace.js');
  const { runReplay } = await import('../../sim/replay.js');
  const { resolveEngineArgs } = await import('../../sim/engine/engine-args.js');
  const { resolveKvRouterConfig } = await import('../../sim/router/router-config.js');
  const { dynamoPoly } = await import('../../sim/timing/dynamo-poly.js');
  const { resolvePlannerConfig } = await import('../../sim/planner/planner-config.js');
  const { builtinPlanner } = await import('../../sim/planner/builtin-policies.js');
  const t0 = performance.now();
  const w = loadTrace(tracePath, { traceBlockSize: 512 });
  const t1 = performance.now();
  const engine = resolveEngineArgs(engineType === 'sglang' ? { engine_type: 'sglang' } : { block_size: 64 });
  const res = runReplay(w, {
    workers: 8, engine, timing: dynamoPoly, router: router as 'kv',
    routerConfig: resolveKvRouterConfig({}), seed: 42, arrivalSpeedupRatio: 1, concurrency: null, gpusPerWorker: 1,
    // the planner's own cost: 5 s ticks observing 8 workers, bounds that keep all 8
    planner: variant === 'planner'
      ? { policy: builtinPlanner('dynamo-load', 'throughput'), config: resolvePlannerConfig({ min_endpoint: 8, max_gpu_budget: 8 }, 1, null) }
      : undefined,
    disagg: variant === 'disagg'
      ? { prefillWorkers: 3, decodeWorkers: 5, prefillEngine: engine, decodeEngine: engine, kvTransferBandwidthGBs: 64, kvBytesPerToken: 262144 }
      : undefined,
  });
  const t2 = performance.now();
  const s: Sample = {
    router: `${engineType} ${router}${variant === 'planner' ? ' +planner' : variant === 'disagg' ? ' 3P+5D' : ''}`, parseMs: t1 - t0, replayMs: t2 - t1, simS: res.report.duration_ms! / 1000, passes: res.passes,
    rssMb: process.resourceUsage().maxRSS / 1024, completed: res.report.completed_requests!,
  };
  process.stdout.write(JSON.stringify(s));
}

function parent(): void {
  const reps = Number(process.env.BENCH_REPS ?? 5);
  recordConsole('bench:sim', 'npm run bench:sim');
  console.log(`twinsearch sim benchmark — conversation trace, 8 workers, dynamo-poly, vLLM block 64 (trace 512); ${reps} fresh processes per vLLM router, 3 per SGLang router`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('');
  console.log('engine router               replay wall  real-time factor  + trace parse  total wall  passes      peak RSS  completed');
  const few = Math.min(reps, 3);
  const runs: [string, string, string, number][] = [
    ['vllm', 'round_robin', 'plain', reps], ['vllm', 'kv', 'plain', reps],
    ['vllm', 'round_robin', 'planner', reps], ['vllm', 'kv', 'planner', reps],
    ['vllm', 'kv', 'disagg', few],
    ['sglang', 'round_robin', 'plain', few], ['sglang', 'kv', 'plain', few],
  ];
  for (const [engineType, router, variant, n] of runs) {
    const samples: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', import.meta.filename, '--child', router, engineType, variant], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
      samples.push(JSON.parse(r.stdout) as Sample);
    }
    const replay = median(samples.map((s) => s.replayMs));
    const parse = median(samples.map((s) => s.parseMs));
    const sim = samples[0]!.simS;
    console.log(
      `${samples[0]!.router.padEnd(28)} ${(replay / 1000).toFixed(2).padStart(8)} s  ${Math.round((sim * 1000) / replay).toLocaleString('en-US').padStart(13)}×  `
      + `${(parse / 1000).toFixed(2).padStart(10)} s  ${((replay + parse) / 1000).toFixed(2).padStart(8)} s  `
      + `${samples[0]!.passes.toLocaleString('en-US').padStart(10)}  ${Math.round(Math.max(...samples.map((s) => s.rssMb))).toString().padStart(5)} MB  ${samples[0]!.completed}`,
    );
    console.log(`${''.padEnd(28)} (replay wall per run: ${samples.map((s) => (s.replayMs / 1000).toFixed(2)).join(', ')} s; simulated ${sim.toFixed(1)} s)`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else parent();
