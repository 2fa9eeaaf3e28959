/**
 * `npm run bench:sandbox` (node --no-node-snapshot --import tsx test/bench/sandbox-bench.ts): the cost of
 * scoring a candidate in the sandbox.
 *   (a) esbuild of a candidate, warm (the simulator bundle is cached after the first build);
 *   (b) isolate + context + lockdown + compiling and loading the simulator and the candidate;
 *   (c) total per candidate: evaluateCandidate on a one-request workload (a + b + a trivial replay);
 *   (d) the conversation trace (12,031 requests, 8 vLLM workers, dynamo-poly) replayed in the sandbox
 *       (a fresh isolate, so a cold JIT, every time) against runReplay on the host, both cold (first
 *       replay of a fresh process, the fair comparison) and warm (later replays in the same process);
 *   (e) two sandboxed trace replays at once through the pool against one after the other.
 * Targets: (a)+(b) ≤ 50 ms median; sandbox speed ≥ 90% of the host's. BENCH_REPS sets repetitions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RouterPolicy } from '../../sim/policy/index.js';
import { typecheckCandidate } from '../../harness/sandbox/typecheck.js';
import { join } from 'node:path';
import { bundleCandidate } from '../../harness/sandbox/bundle.js';
import { evaluateCandidate, runBundle } from '../../harness/sandbox/isolate-runner.js';
import { createSandboxPool } from '../../harness/sandbox/pool.js';
import type { SandboxResult } from '../../harness/sandbox/result.js';
import { loadTrace } from '../../harness/trace/load-trace.js';
import { hostReportJson, scenarioInput, smallWorkload } from '../fixtures/sandbox/host-replay.js';
import { median } from './stats.js';
import { recordConsole } from './bench-doc.js';

const root = join(import.meta.dirname, '..', '..');
const reps = Number(process.env.BENCH_REPS ?? 5);
const candidateFile = 'candidates/router/dynamo-kv.ts';
const candidate = readFileSync(join(root, candidateFile), 'utf8');

function ok(r: SandboxResult): Extract<SandboxResult, { ok: true }> {
  if (!r.ok) throw new Error(`sandbox failed: ${r.kind}: ${r.message}`);
  return r;
}

const fmt = (ms: number): string => `${ms.toFixed(1).padStart(7)} ms`;
const traceScenario = (router: 'round_robin' | 'kv') => ({ workers: 8, router, seed: 42, engine: { block_size: 64 } });

if (process.argv[2] === '--host-cold') {
  // child: the first replay of a fresh process (cold JIT), as a fresh isolate sees it
  const trace = loadTrace(join(root, 'data/traces/conversation_trace.jsonl'), { traceBlockSize: 512 });
  const file = process.argv[3] === 'kv' ? 'candidates/router/dynamo-kv.ts' : 'candidates/router/round-robin.ts';
  const policy = ((await import(join(root, file))) as { default: RouterPolicy }).default;
  const t = performance.now();
  hostReportJson(trace, traceScenario(process.argv[3] as 'kv'), policy);
  process.stdout.write(String(performance.now() - t));
  process.exit(0);
}

function hostColdMs(router: string): number {
  const xs: number[] = [];
  for (let i = 0; i < Math.min(reps, 3); i++) {
    const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', import.meta.filename, '--host-cold', router], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`host child failed: ${r.stderr}`);
    xs.push(Number(r.stdout));
  }
  return median(xs);
}

recordConsole('bench:sandbox', 'npm run bench:sandbox');
console.log(`twinsearch sandbox benchmark — node ${process.version}, isolated-vm 5, esbuild; candidate ${candidateFile}`);

// (a)-(c): per-candidate overhead on a one-request workload
const tiny = scenarioInput(smallWorkload(1), { workers: 1, router: 'kv' });
const first = performance.now();
ok(await evaluateCandidate(candidate, tiny, { file: candidateFile }));
console.log(`first evaluation in this process (esbuild start, simulator bundle, V8 code cache): ${fmt(performance.now() - first)}`);
const bundleMs: number[] = [], compileMs: number[] = [], totalMs: number[] = [], checkMs: number[] = [];
typecheckCandidate(candidate, join(root, candidateFile)); // warm the checker's caches
for (let i = 0; i < 30; i++) {
  // a different source each time, as in a search (nothing cached for the candidate itself)
  const src = `${candidate}\n// variant ${i}\n`;
  const tc = performance.now();
  if (typecheckCandidate(src, join(root, candidateFile)) !== null) throw new Error('baseline does not type-check');
  checkMs.push(performance.now() - tc);
  const t = performance.now();
  const r = ok(await evaluateCandidate(src, tiny, { file: candidateFile }));
  totalMs.push(performance.now() - t + checkMs[i]!);
  bundleMs.push(r.timings.bundleMs);
  compileMs.push(r.timings.compileMs);
}
console.log(`(a) bundle (esbuild, candidate only)          ${fmt(median(bundleMs))}  median of 30`);
console.log(`(b) type check against the policy API         ${fmt(median(checkMs))}`);
console.log(`(c) isolate + lockdown + compile + load       ${fmt(median(compileMs))}`);
console.log(`    (a) + (b) + (c)                           ${fmt(median(bundleMs.map((b, i) => b + checkMs[i]! + compileMs[i]!)))}  target ≤ 50 ms`);
console.log(`    whole evaluation (1-request replay)       ${fmt(median(totalMs))}`);

// (d): the conversation trace
const trace = loadTrace(join(root, 'data/traces/conversation_trace.jsonl'), { traceBlockSize: 512 });
// each router row runs the baseline module of that router in the sandbox against the built-in router
// on the host (the modules reproduce the built-ins exactly)
const bundles = new Map<string, Awaited<ReturnType<typeof bundleCandidate>>>();
const modules = new Map<string, RouterPolicy>();
for (const [router, file] of [['round_robin', 'candidates/router/round-robin.ts'], ['kv', candidateFile]] as const) {
  bundles.set(router, await bundleCandidate(readFileSync(join(root, file), 'utf8'), { file }));
  modules.set(router, ((await import(join(root, file))) as { default: RouterPolicy }).default);
}
const b = bundles.get('kv')!;
if (!b.ok) throw new Error(b.message);
console.log('');
console.log(`(d) conversation trace, ${trace.count} requests, 8 workers; sandbox: ${reps} runs, a fresh isolate each; host cold: fresh processes; host warm: ${reps} runs in this process`);
console.log('    router (module)  sandbox replay  (+ setup)     host cold   speed vs cold     host warm   speed vs warm   identical');
for (const router of ['round_robin', 'kv'] as const) {
  const s = traceScenario(router);
  const input = scenarioInput(trace, s);
  const hostMs: number[] = [];
  let host = '';
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    host = hostReportJson(trace, s, modules.get(router));
    if (i > 0 || reps === 1) hostMs.push(performance.now() - t);
  }
  const runMs: number[] = [], wallMs: number[] = [];
  let same = true;
  const rb = bundles.get(router)!;
  if (!rb.ok) throw new Error(rb.message);
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const r = ok(await runBundle(rb.bundle, input));
    wallMs.push(performance.now() - t);
    runMs.push(r.timings.runMs);
    same &&= r.reportJson === host;
  }
  const cold = hostColdMs(router);
  const pct = (x: number): string => `${((x / median(runMs)) * 100).toFixed(0).padStart(5)}%`;
  console.log(`    ${router.padEnd(12)} ${fmt(median(runMs))}  ${fmt(median(wallMs) - median(runMs))}  ${fmt(cold)}     ${pct(cold)}     ${fmt(median(hostMs))}     ${pct(median(hostMs))}        ${same ? 'yes' : 'NO'}`);
}

// (e): two at once
const input = scenarioInput(trace, traceScenario('kv'));
let t = performance.now();
ok(await runBundle(b.bundle, input));
ok(await runBundle(b.bundle, input));
const seqMs = performance.now() - t;
const pool = createSandboxPool();
t = performance.now();
await Promise.all([pool.run(b.bundle, input), pool.run(b.bundle, input)]).then((rs) => rs.forEach(ok));
const parMs = performance.now() - t;
console.log('');
console.log(`(e) two kv trace replays: one after the other ${fmt(seqMs)}, pool of ${pool.concurrency} ${fmt(parMs)} (${(seqMs / parMs).toFixed(2)}×)`);
