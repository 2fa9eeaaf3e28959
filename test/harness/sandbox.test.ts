import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleCandidate, DEFAULT_MAX_SOURCE_BYTES } from '../../harness/sandbox/bundle.js';
import { evaluateCandidate, runBundle, type RunOptions } from '../../harness/sandbox/isolate-runner.js';
import { createSandboxPool } from '../../harness/sandbox/pool.js';
import type { SandboxFailure, SandboxResult } from '../../harness/sandbox/result.js';
import { sandboxInput } from '../../harness/sandbox/scenario.js';
import { loadTrace } from '../../harness/trace/load-trace.js';
import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { reportJson } from '../../sim/metrics/report.js';
import { runReplay } from '../../sim/replay.js';
import { resolveKvRouterConfig } from '../../sim/router/router-config.js';
import { createRooflineModel } from '../../sim/timing/roofline.js';
import { hostReportJson, scenarioInput, smallWorkload } from '../fixtures/sandbox/host-replay.js';

const w = smallWorkload();
const input = scenarioInput(w, { workers: 3, router: 'kv' });
const baseline = hostReportJson(w, { workers: 3, router: 'kv' });
const NOTHING = 'export {};\n';

function failed(r: SandboxResult): SandboxFailure {
  if (r.ok) throw new Error('expected a failure, got a report');
  return r;
}

function succeeded(r: SandboxResult): string {
  if (!r.ok) throw new Error(`expected a report, got ${r.kind}: ${r.message}`);
  return r.reportJson;
}

/** Runs a candidate whose top-level code throws a message; returns the message. */
async function thrownMessage(src: string, opts: RunOptions = {}): Promise<string> {
  const r = failed(await evaluateCandidate(src, input, opts));
  expect(r.kind).toBe('runtime');
  return r.message.split('\n')[0]!;
}

describe('sandboxed replay matches the host', () => {
  it('gives byte-identical reports for round robin and kv (synthetic workload)', async () => {
    for (const router of ['round_robin', 'kv'] as const) {
      const host = hostReportJson(w, { workers: 3, router });
      const r = await evaluateCandidate(NOTHING, scenarioInput(w, { workers: 3, router }));
      expect(succeeded(r)).toBe(host);
    }
  });

  it('resolves partial engine args, router config and the roofline timing model inside the isolate', async () => {
    const engine = { block_size: 32, num_gpu_blocks: 4000, max_num_seqs: 64 };
    const routerConfig = { overlap_score_credit: 0.5, router_temperature: 0.3 };
    const hardware = { timing: 'roofline', gpu: 'h200_sxm', model: 'qwen3-32b', tp: 2, weightDtype: 'fp8', kvDtype: 'fp8' } as const;
    const scenario = { cluster: { workers: 2, engine, router: 'kv' as const, routerConfig }, hardware, seed: 3, arrivalSpeedupRatio: 2, concurrency: null };
    const r = await evaluateCandidate(NOTHING, sandboxInput(w, { scenario }));
    const { timing: _t, ...hw } = hardware;
    const host = reportJson(runReplay(w, {
      workers: 2, engine: resolveEngineArgs(engine), router: 'kv', routerConfig: resolveKvRouterConfig(routerConfig),
      timing: createRooflineModel({ ...hw, framework: 'vllm' }), seed: 3, arrivalSpeedupRatio: 2, concurrency: null, gpusPerWorker: 2,
    }).report);
    expect(succeeded(r)).toBe(host);
  });

  it('gives byte-identical reports on the conversation trace (kv router, 8 workers)', async () => {
    const trace = loadTrace('data/traces/conversation_trace.jsonl', { traceBlockSize: 512 });
    const s = { workers: 8, router: 'kv' as const, seed: 42, engine: { block_size: 64 } };
    const host = hostReportJson(trace, s);
    const r = await evaluateCandidate(NOTHING, scenarioInput(trace, s));
    expect(succeeded(r)).toBe(host);
  });

  it('runs the repository candidates (policy API imports resolve to the simulator instance)', async () => {
    for (const name of ['round-robin', 'least-loaded', 'dynamo-kv']) {
      const file = `candidates/router/${name}.ts`;
      const r = await evaluateCandidate(readFileSync(file, 'utf8'), input, { file });
      expect(r.ok, r.ok ? '' : r.message).toBe(true);
    }
  });

  it('reports simulator errors raised inside the isolate (Error subclasses still work when intrinsics are frozen)', async () => {
    const r = failed(await evaluateCandidate(NOTHING, scenarioInput(w, { workers: 2, router: 'kv', engine: { block_size: -3 } })));
    expect(r.kind).toBe('runtime');
    expect(r.message).toMatch(/^EngineArgsError: engine args: block_size/);
  });
});

describe('candidate faults become failures, and the host survives', () => {
  it('stops an endless loop at the CPU-time limit while the host event loop keeps running', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    const r = failed(await evaluateCandidate('export {};\nwhile (true) {}', input, { cpuMs: 1000 }));
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    expect(r.kind).toBe('timeout');
    expect(r.message).toContain('CPU-time limit of 1000 ms');
    expect(elapsed).toBeLessThan(3000);
    expect(ticks).toBeGreaterThan(50); // the async API left the event loop free
  });

  it('stops an endless microtask loop too', async () => {
    const r = failed(await evaluateCandidate('export {};\nPromise.resolve().then(() => { for (;;) {} });', input, { cpuMs: 500 }));
    expect(r.kind).toBe('timeout');
  });

  it('kills the isolate at the wall-clock limit', async () => {
    const t0 = performance.now();
    const r = failed(await evaluateCandidate('export {};\nfor (;;) {}', input, { cpuMs: 60_000, wallMs: 300 }));
    expect(r.kind).toBe('timeout');
    expect(r.message).toContain('wall-clock limit of 300 ms');
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('reports memory bombs as memory, from the isolate, not from the words of the error', async () => {
    const bombs = [
      'const a: object[] = [];\nfor (;;) a.push({ n: a.length, xs: [1, 2, 3] });',
      'const keep: ArrayBuffer[] = [];\nfor (;;) keep.push(new ArrayBuffer(1 << 24));',
    ];
    for (const src of bombs) {
      const r = failed(await evaluateCandidate(src, input, { memoryMb: 64, cpuMs: 20_000 }));
      expect(r.kind, r.message).toBe('memory');
    }
    // doubling a string hits V8's string length cap (a rope costs almost no memory): a runtime error
    const rope = failed(await evaluateCandidate("let s = 'x';\nfor (;;) s += s;", input, { memoryMb: 64, cpuMs: 20_000 }));
    expect(rope.kind).toBe('runtime');
    expect(rope.message).toMatch(/^RangeError: Invalid string length/);
    // an error that only says so is the candidate's own runtime error
    for (const words of ['Isolate was disposed during execution due to memory limit', 'Array buffer allocation failed', 'Script execution timed out.']) {
      const r = failed(await evaluateCandidate(`throw new RangeError(${JSON.stringify(words)});`, input));
      expect(r.kind, words).toBe('runtime');
    }
  });

  it('reports deep recursion as a runtime RangeError at the candidate line', async () => {
    const r = failed(await evaluateCandidate('export {};\nfunction f(n: number): number { return f(n + 1) + 1; }\nf(0);', input));
    expect(r.kind).toBe('runtime');
    expect(r.message).toMatch(/^RangeError: Maximum call stack size exceeded/);
    expect(r.location).toMatchObject({ line: 2, lineText: 'function f(n: number): number { return f(n + 1) + 1; }' });
  });

  it('refuses imports: static, dynamic, require, and import() that only shows up at run time', async () => {
    const staticImport = failed(await evaluateCandidate("import fs from 'node:fs';\nexport default fs;", input));
    expect(staticImport.kind).toBe('import');
    expect(staticImport.location).toMatchObject({ line: 1, column: 16, lineText: "import fs from 'node:fs';" });
    expect(staticImport.message).toContain('import of "node:fs" is not allowed');

    const unused = failed(await evaluateCandidate("import * as fs from 'fs';\nexport {};", input));
    expect(unused.kind).toBe('import');

    const outside = failed(await evaluateCandidate("import { runReplay } from '../../sim/replay.js';\nexport default runReplay;", input));
    expect(outside.kind).toBe('import');

    const dynamic = failed(await evaluateCandidate("export {};\nexport function f() { return import('fs'); }", input));
    expect(dynamic).toMatchObject({ kind: 'import', location: { line: 2 } });

    // esbuild turns require('fs') into an import, so it is refused before anything runs
    const required = failed(await evaluateCandidate("declare const require: (m: string) => unknown;\nrequire('fs');", input));
    expect(required).toMatchObject({ kind: 'import', location: { line: 2 } });

    const hidden = failed(await evaluateCandidate("export {};\nconst m = 'fs';\n(async () => { await import(m); })();", input));
    expect(hidden).toMatchObject({ kind: 'import', location: { line: 3 } });

    // import() built at run time is not there to refuse before it runs; the isolate has no loader
    const viaEval = failed(await evaluateCandidate(`export {};\neval("import('fs')");`, input));
    expect(viaEval.kind).toBe('runtime');
    expect(viaEval.message).toContain('dynamic import() is not available in the sandbox');
  });

  it('has no require or process at run time', async () => {
    expect(await thrownMessage("export {};\nconst g = globalThis as any;\ng.require('fs');")).toMatch(/^TypeError: g\.require is not a function/);
    const proc = failed(await evaluateCandidate('declare const process: { exit(code: number): never };\nprocess.exit(1);', input));
    expect(proc).toMatchObject({ kind: 'runtime', location: { line: 2 } });
    expect(proc.message).toMatch(/^ReferenceError: process is not defined/);
  });

  it('reports syntax errors with file, 1-based line and column, and the line text', async () => {
    const src = 'const a = 1;\nexport default function f() {\n  return a * ;\n}\n';
    const r = failed(await evaluateCandidate(src, input, { file: 'candidates/router/broken.ts' }));
    expect(r.kind).toBe('syntax');
    expect(r.location).toEqual({ file: 'candidates/router/broken.ts', line: 3, column: 14, lineText: '  return a * ;' });
    expect(r.message.split('\n')[0]).toBe('candidates/router/broken.ts:3:14: Unexpected ";"');
    expect(r.message).toContain('  return a * ;');
    // esbuild does not check regular expression bodies; V8 refuses this one when compiling
    const v8only = failed(await evaluateCandidate('export const re = /(?<a>x)|(?<a>y)/;', input));
    expect(v8only.kind).toBe('syntax');
    expect(v8only.message).toMatch(/^candidates\/candidate\/candidate\.ts: SyntaxError: Invalid regular expression/);
  });

  it('refuses a source over the size cap before bundling', async () => {
    const big = `export const filler = '${'x'.repeat(DEFAULT_MAX_SOURCE_BYTES)}';\n`;
    const r = failed(await evaluateCandidate(big, input));
    expect(r.kind).toBe('size');
    expect(r.message).toContain(`limit is ${DEFAULT_MAX_SOURCE_BYTES} bytes`);
    expect(failed(await evaluateCandidate(NOTHING.repeat(10), input, { maxSourceBytes: 20 })).kind).toBe('size');
  });

  it('takes invariant and invalid-decision kinds only from errors the simulator raised, never from names', async () => {
    const inv = failed(await evaluateCandidate("class E extends Error {\n  constructor(m: string) { super(m); this.name = 'SimInvariantError'; }\n}\nthrow new E('clock went backwards');", input));
    expect(inv).toMatchObject({ kind: 'runtime', location: { line: 4 } });
    expect(inv.message).toMatch(/^SimInvariantError: clock went backwards/);
    const pde = failed(await evaluateCandidate("import { PolicyDecisionError } from 'twinsearch/policy';\nthrow new PolicyDecisionError('p', 'cost must be a finite number, got NaN');", input));
    expect(pde.kind).toBe('runtime');
    const nan = failed(await evaluateCandidate("import { defineRouter } from 'twinsearch/policy';\nexport default defineRouter({ cost: () => NaN });", input));
    expect(nan.kind).toBe('invalid-decision');
    expect(nan.message).toMatch(/^policy "router": cost must be a finite number, got NaN/);
  });

  it('reports a thrown non-Error value', async () => {
    expect(failed(await evaluateCandidate('throw 42;', input)).message).toBe('Thrown: a non-Error value was thrown: 42');
  });

  it('still works after all of the above', async () => {
    expect(succeeded(await evaluateCandidate(NOTHING, input))).toBe(baseline);
  });
});

describe('determinism and integrity', () => {
  const probe = 'throw new Error(JSON.stringify([Math.random(), Math.random(), Date.now(), new Date().toISOString(), Date(), performance.now()]));';

  it('gives Math.random, Date and performance the same values in every run', async () => {
    const a = await thrownMessage(probe);
    const b = await thrownMessage(probe);
    expect(a).toBe(b);
    const [r1, r2, now, iso, , perf] = JSON.parse(a.replace(/^Error: /, '')) as [number, number, number, string, string, number];
    expect(r1).not.toBe(r2);
    expect(now).toBe(Date.UTC(2026, 0, 1));
    expect(iso).toBe('2026-01-01T00:00:00.000Z');
    expect(perf).toBe(0);
    expect(await thrownMessage(probe, { randomSeed: 2 })).not.toBe(a);
    expect(await thrownMessage(probe, { clockMs: 0 })).toContain('1970-01-01T00:00:00.000Z');
  });

  it('freezes the intrinsics', async () => {
    const src = `const bad: string[] = [];
const TA = Object.getPrototypeOf(Int8Array);
const all: Record<string, unknown> = { Object, Array, Function, Math, JSON, Map, Set, Number, String, Boolean, Symbol, Reflect, Promise, RegExp,
  Error, TypeError, RangeError, SyntaxError, ReferenceError, Date, Int32Array, Float64Array, Uint32Array, Uint8Array, TA, performance,
  objectProto: Object.prototype, arrayProto: Array.prototype, functionProto: Function.prototype, errorProto: Error.prototype,
  typedArrayProto: TA.prototype, f64Proto: Float64Array.prototype, mapProto: Map.prototype, promiseProto: Promise.prototype,
  arrayIterProto: Object.getPrototypeOf([][Symbol.iterator]()), dateProto: Date.prototype };
for (const [n, o] of Object.entries(all)) if (!Object.isFrozen(o)) bad.push(n);
for (const n of ['Math', 'JSON', 'Array', 'Object']) if (Object.getOwnPropertyDescriptor(globalThis, n)!.writable) bad.push('global ' + n);
throw new Error('unfrozen: [' + bad.join(',') + ']');`;
    expect(await thrownMessage(src)).toBe('Error: unfrozen: []');
  });

  it('refuses tampering with intrinsics in strict mode, with the candidate line', async () => {
    const r = failed(await evaluateCandidate('export {};\n(Array.prototype as any).push = () => 0;', input));
    expect(r).toMatchObject({ kind: 'runtime', location: { line: 2 } });
    expect(r.message).toMatch(/^TypeError: Cannot assign to read only property 'push'/);
    expect((await thrownMessage('(JSON as any).stringify = () => "{}";'))).toMatch(/^TypeError: Cannot assign to read only property 'stringify'/);
  });

  it('leaves the report unchanged when a candidate tries to tamper and carries on', async () => {
    const src = `const attempts = [
  () => { (Array.prototype as any).push = () => 0; },
  () => { Object.defineProperty(Array.prototype, 'push', { value: () => 0 }); },
  () => { (JSON as any).stringify = () => '{}'; },
  () => { (Math as any).max = () => 0; },
  () => { (globalThis as any).Math = { max: () => 0 }; },
  () => { (Object.prototype as any).faults = { atMs: [1000], perWorkerHour: 0, replaceAfterMs: null }; },
  () => { (Object.prototype as any)[0] = 1; },
  () => { (Float64Array.prototype as any).constructor = function () { return new Float64Array(0); }; },
  () => { (Int32Array.prototype as any).sort = () => 0; },
  () => { (Error.prototype as any).name = 'x'; },
  () => { (Map.prototype as any).get = () => undefined; },
  () => { (Object.getPrototypeOf([][Symbol.iterator]()) as any).next = () => ({ done: true }); },
];
let refused = 0;
for (const attempt of attempts) { try { attempt(); } catch { refused++; } }
if (refused !== attempts.length) throw new Error('only ' + refused + ' of ' + attempts.length + ' refused');
export {};`;
    expect(succeeded(await evaluateCandidate(src, input))).toBe(baseline);
  });

  it('freezes the policy API (it shares objects with the simulator)', async () => {
    const src = `import { KV_ROUTER_DEFAULTS, defineRouter } from '../../sim/policy/index.js';
const k = KV_ROUTER_DEFAULTS as { overlap_score_credit: number };
try { k.overlap_score_credit = 99; } catch { /* refused */ }
throw new Error([Object.isFrozen(KV_ROUTER_DEFAULTS), Object.isFrozen(defineRouter), k.overlap_score_credit].join(' '));`;
    expect(await thrownMessage(src)).toBe('Error: true true 1');
  });

  it('keeps the host-facing entry points away from the candidate', async () => {
    // the candidate cannot replace the run function the host calls (it was taken before the candidate loaded)
    const src = `const g = globalThis as any;
if (g.__twinsearchSim !== undefined) throw new Error('simulator entry points visible');
g.__twinsearch = { run: () => '{}' };
export {};`;
    expect(succeeded(await evaluateCandidate(src, input))).toBe(baseline);
  });
});

describe('concurrency', () => {
  it('runs evaluations in parallel through the pool', async () => {
    const big = smallWorkload(600);
    const inp = scenarioInput(big, { workers: 4, router: 'kv' });
    const b = await bundleCandidate(NOTHING);
    if (!b.ok) throw new Error(b.message);
    await runBundle(b.bundle, inp); // warm caches
    let t = performance.now();
    const seq = [await runBundle(b.bundle, inp), await runBundle(b.bundle, inp)];
    const sequentialMs = performance.now() - t;
    const pool = createSandboxPool(2);
    t = performance.now();
    const par = await Promise.all([pool.run(b.bundle, inp), pool.run(b.bundle, inp)]);
    const parallelMs = performance.now() - t;
    console.log(`two evaluations: sequential ${sequentialMs.toFixed(0)} ms, pool of 2 ${parallelMs.toFixed(0)} ms (${(sequentialMs / parallelMs).toFixed(2)}×)`);
    for (const r of [...seq, ...par]) expect(succeeded(r)).toBe(succeeded(seq[0]!));
  });
});
