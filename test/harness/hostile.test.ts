/**
 * Hostile candidates: each module below is evaluated through the whole gate (size cap, bundle with
 * import allow-list, type check, fresh isolate with limits) and must be contained with the right
 * failure kind, or — for attempts to tamper with the simulator or to be nondeterministic — give the
 * same report as an honest run. The host must stay alive throughout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCandidate } from '../../harness/sandbox/isolate-runner.js';
import { sandboxInput } from '../../harness/sandbox/scenario.js';
import type { SandboxResult } from '../../harness/sandbox/result.js';
import type { ScenarioSpec } from '../../sim/scenario-config.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';

const API = `import { defineRouter, definePlanner, defineEviction } from 'twinsearch/policy';\n`;
const router = (cost: string, top = '') => `${API}${top}\nexport default defineRouter({ name: 'x', cost: ${cost} });\n`;

const workload = generateSynthetic({ requests: 40, isl: 600, osl: 20, arrival: { kind: 'poisson', ratePerSec: 20 }, sharedPrefixRatio: 0.5, numPrefixGroups: 3, seed: 2 });
const spec = (over: Partial<ScenarioSpec['cluster']> = {}): ScenarioSpec => ({
  cluster: { workers: 2, engine: {}, router: 'kv', routerConfig: {}, ...over },
  hardware: { timing: 'dynamo-poly' }, seed: 1, arrivalSpeedupRatio: 1, concurrency: null,
});
const input = (s: ScenarioSpec) => sandboxInput(workload, { scenario: s });
const limits = { cpuMs: 2000, memoryMb: 64, typecheck: true, file: '/tmp/hostile/candidate.ts' };
const run = (src: string, s = spec()): Promise<SandboxResult> => evaluateCandidate(src, input(s), limits);

const honestRouter = router('(req, w) => (req.isl / req.blockSize - w.overlapBlocks) + w.activeBlocks');
let reference = '';

type Case = [name: string, source: string, expect: string | ((r: SandboxResult) => void), scenario?: ScenarioSpec];
const plannerSpec = spec({ planner: { load_adjustment_interval: 1, max_gpu_budget: 4 } });
const evictSpec = spec({ engine: { num_gpu_blocks: 30 } });

const cases: Case[] = [
  ['infinite loop in the cost', router('() => { for (;;) {} }'), 'timeout'],
  ['infinite loop at load time', router('() => 1', 'while (true) {}'), 'timeout'],
  ['deep recursion', router('(req) => { const f = (n: number): number => f(n + 1) + 1; return f(req.isl); }'), 'runtime'],
  ['memory bomb: arrays', router('() => { const a: number[][] = []; for (;;) a.push(new Array(1e5).fill(1)); }'), 'memory'],
  ['string length cap (a rope, not memory)', router('() => { let s = "x"; for (;;) s += s; }'), 'runtime'],
  ['memory bomb: ArrayBuffers', router('() => { const a: ArrayBuffer[] = []; for (;;) a.push(new ArrayBuffer(1 << 20)); }'), 'memory'],
  ['dynamic import of fs', router('() => { void import("fs"); return 1; }'), 'import'],
  ['static import of node:fs', `import fs from 'node:fs';\n${router('() => 1')}`, 'import'],
  ['require', `const fs = require('fs');\n${router('() => 1')}`, 'import'],
  ['process', router('() => { (globalThis as any).process.exit(1); return 1; }'), 'runtime'],
  ['the Function constructor to reach the host', router('() => { (new Function("return this")() as any).process.exit(1); return 1; }'), 'runtime'],
  ['replacing the sandbox entry on globalThis', honestRouter.replace('export default', '(globalThis as any).__twinsearch = { run: () => "{}", runGuarded: () => "{}" };\nexport default'), 'same'],
  // a running simulator function's live arguments (the workload) through fn.arguments / fn.caller
  ['reading the live workload through a global entry point', router('(req, w) => { const g = (globalThis as any).__twinsearch; if (g && g.run && g.run.arguments) (g.run.arguments[1].timeMs as Float64Array).fill(0); return (req.isl / req.blockSize - w.overlapBlocks) + w.activeBlocks; }'), 'same'],
  ['walking every global function for live arguments', router('(req, w) => { for (const k of Object.getOwnPropertyNames(globalThis)) { try { const v = (globalThis as any)[k]; for (const f of [v, ...(v && typeof v === "object" ? Object.values(v) : [])]) if (typeof f === "function" && f.arguments) for (const x of f.arguments) if (x && x.timeMs) x.timeMs.fill(0); } catch { /* strict functions refuse */ } } return (req.isl / req.blockSize - w.overlapBlocks) + w.activeBlocks; }'), 'same'],
  ['a stateful router reaching its caller from create()', `${API}let seen = 0;\nconst r: any = defineRouter({ name: 'x', create() { try { let f: any = r.instantiate.caller; while (f) { for (const x of f.arguments ?? []) if (x && x.timeMs) { x.timeMs.fill(0); seen++; } f = f.caller; } } catch { /* refused */ } return { cost: (req, w) => (req.isl / req.blockSize - w.overlapBlocks) + w.activeBlocks + seen }; } });\nexport default r;\n`, 'same'],
  // the bundler must read nothing but the candidate
  ['a source map comment naming /dev/zero', `${honestRouter}//# sourceMappingURL=/dev/zero\n`, 'import: /tmp/hostile/candidate.ts:4:1: a source-map comment is not allowed'],
  ['a source map comment naming the environment', `${honestRouter}/*# sourceMappingURL=/proc/self/environ */\n`, 'import'],
  ['a triple-slash reference to a host file', `/// <reference path="/etc/passwd" />\n${honestRouter}`, (r) => {
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.kind}: ${r.message}`).toMatch(/^import: .*a triple-slash reference is not allowed/);
    if (!r.ok) expect(r.message).not.toMatch(/root:|\/bin\/(ba)?sh/);
  }],
  ['a type-only import of a harness module', `import type { RunLog } from '../../harness/runlog/run-log.js';\n${honestRouter}`, 'import: /tmp/hostile/candidate.ts:1:29: import of "../../harness/runlog/run-log.js" is not allowed'],
  ['an import() type of a host module', router('() => 1', "type Fs = typeof import('node:fs');"), 'import'],
  ['a re-export from elsewhere', `export { readFileSync } from 'node:fs';\n${honestRouter}`, 'import'],
  ['20 000 nested parentheses', router(`() => ${'('.repeat(20000)}1${')'.repeat(20000)}`), 'syntax'],
  // the failure kind is the host's, not the candidate's words
  ['an error that claims the memory limit', router('() => { throw new Error("Isolate was disposed during execution due to memory limit"); }'), 'runtime'],
  ['an error that claims a timeout', router('() => { throw new Error("Script execution timed out."); }'), 'runtime'],
  ['an error named like a simulator invariant', router('() => { const e = new Error("clock went backwards"); e.name = "SimInvariantError"; throw e; }'), 'runtime'],
  ['a top-level error whose message getter never returns', router('() => 1', 'const e = new Error("x"); Object.defineProperty(e, "message", { get() { for (;;) {} } }); throw e;'), 'runtime'],
  ['a call-time error whose getters never return', router('() => { const e = new Error("x"); Object.defineProperty(e, "message", { get() { for (;;) {} } }); Object.defineProperty(e, "name", { get() { for (;;) {} } }); throw e; }'), 'runtime'],
  ['an enormous error message', router('() => { throw new Error("x".repeat(1 << 24)); }'), (r) => {
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeLessThan(5000);
  }],
  ['prototype pollution: Array', router('() => 1', '(Array.prototype as any).push = () => 0;'), 'runtime'],
  ['prototype pollution: Object', router('() => 1', '(Object.prototype as any).evil = 1;'), 'runtime'],
  ['prototype pollution: Math', router('() => 1', '(Math as any).max = () => 0;'), 'runtime'],
  ['monkey-patching JSON.stringify', router('() => 1', '(JSON as any).stringify = () => "{}";'), 'runtime'],
  ['defining a global the simulator might read', honestRouter.replace('export default', '(globalThis as any).reportJson = () => "{}";\nexport default'), 'same'],
  ['mutating the worker view', router('(_req, w) => { (w as any).overlapBlocks = 1e9; return 1; }'), 'runtime'],
  ['mutating the request view', router('(req) => { (req as any).isl = 0; return 1; }'), 'runtime'],
  ['keeping views and changing them later', router('(_req, w) => { kept.push(w); if (kept.length > 5) (kept[0] as any).activeBlocks = -1; return 1; }', 'const kept: object[] = [];'), 'runtime'],
  ['returning NaN', router('() => NaN'), 'invalid-decision'],
  ['returning Infinity', router('() => Infinity'), 'invalid-decision'],
  ['returning a string', router('() => "cheap" as unknown as number'), 'invalid-decision'],
  ['returning an object', router('() => ({ valueOf: () => 1 }) as unknown as number'), 'invalid-decision'],
  ['throwing', router('() => { throw new Error("no route"); }'), (r) => {
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe('runtime');
      expect(r.message).toMatch(/no route/);
    }
  }],
  ['a planner asking for far too many workers (clamped to the budget)', `${API}export default definePlanner({ decide: () => ({ workers: 1e9 }) });\n`, 'ok', plannerSpec],
  ['a planner answering NaN', `${API}export default definePlanner({ decide: () => ({ workers: NaN }) });\n`, 'invalid-decision', plannerSpec],
  ['an eviction priority of -Infinity', `${API}export default defineEviction({ priority: () => -Infinity });\n`, 'invalid-decision', evictSpec],
  ['Math.random for tie-breaking (seeded: deterministic)', router('(_req, w) => Math.random() + w.activeBlocks'), 'deterministic'],
  ['Date.now as an input (fixed clock: deterministic)', router('(_req, w) => (Date.now() % 7) + w.activeBlocks'), 'deterministic'],
  ['WeakRef to observe garbage collection', router('() => { new WeakRef({}); return 1; }'), 'runtime: ReferenceError'],
  ['Intl to read the real clock', router('() => { (globalThis as any).Intl.DateTimeFormat(); return 1; }'), 'runtime: TypeError'],
  ['SharedArrayBuffer and Atomics to block', router('() => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return 1; }'), 'runtime: ReferenceError'],
  ['a huge source file', router('() => 1', `// ${'x'.repeat(70_000)}`), 'size'],
  ['a syntax error', router('() => { return 1 +; }'), 'syntax'],
  ['a type error', router('(_req, w) => w.overlapBlock'), 'type'],
  ['not a policy module', `${API}export default { kind: 'router', cost: () => 1 };\n`, 'wrong-kind: the default export must be made by defineRouter'],
];

describe('hostile candidates are contained', () => {
  it('the honest reference runs', async () => {
    const r = await run(honestRouter);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) reference = r.reportJson;
  });

  for (const [name, source, want, scenario] of cases) {
    it(name, async () => {
      const r = await run(source, scenario);
      if (typeof want === 'function') return want(r);
      if (want === 'same') {
        expect(r.ok, JSON.stringify(r)).toBe(true);
        if (r.ok) expect(r.reportJson).toBe(reference);
      } else if (want === 'ok') {
        expect(r.ok, JSON.stringify(r)).toBe(true);
      } else if (want === 'deterministic') {
        const again = await run(source, scenario);
        expect(r.ok && again.ok, JSON.stringify(r)).toBe(true);
        if (r.ok && again.ok) expect(again.reportJson).toBe(r.reportJson);
      } else {
        expect(r.ok, `expected ${want}`).toBe(false);
        // `want` is a failure kind, or a kind and the start of the message
        if (!r.ok) expect(`${r.kind}: ${r.message}`.startsWith(want.includes(':') ? want : `${want}:`), `${r.kind}: ${r.message}`).toBe(true);
      }
    });
  }

  it('a second run in a fresh isolate confirms a result (no nondeterminism is left)', async () => {
    const src = router('(_req, w) => Math.random() * 3 + w.activeBlocks + (Date.now() % 5)');
    const r = await evaluateCandidate(src, input(spec()), { ...limits, checkDeterminism: true });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('scores only a module of the objective\'s kind, made by its define function, with its kind read once', async () => {
    const as = (kind: 'router' | 'planner' | 'eviction', src: string, sc = spec()) =>
      evaluateCandidate(src, sandboxInput(workload, { scenario: sc, expectKind: kind }), limits);
    const kindOf = (r: SandboxResult) => (r.ok ? 'ok' : `${r.kind}: ${r.message}`);
    expect(kindOf(await as('router', honestRouter))).toBe('ok');
    expect(kindOf(await as('planner', honestRouter, plannerSpec))).toBe('wrong-kind: the module defines a router policy, but this objective scores a planner');
    expect(kindOf(await as('eviction', honestRouter, evictSpec))).toMatch(/^wrong-kind: the module defines a router policy/);
    expect(kindOf(await as('router', `${API}export {};\n`))).toMatch(/^wrong-kind: the module has no default export/);
    // hand-made look-alikes: a plain object, a Proxy whose kind changes on every read
    const plain = `${API}export default { kind: 'router', name: 'x', instantiate: () => ({ cost: () => 1 }) } as any;\n`;
    expect(kindOf(await as('router', plain))).toMatch(/^wrong-kind: the default export must be made by defineRouter/);
    const flip = `${API}let n = 0;\nconst real = defineRouter({ cost: () => 1 });\nexport default new Proxy({}, { get: (_t, k) => (k === 'kind' ? (n++ % 2 ? 'router' : 'planner') : (real as any)[k]) }) as any;\n`;
    expect(kindOf(await as('router', flip))).toMatch(/^wrong-kind: the default export must be made by defineRouter/);
    // a name that is not a string does not reach a message through its getters
    const named = `${API}export default defineRouter({ name: { toString() { for (;;) {} } } as any, cost: () => NaN });\n`;
    expect(kindOf(await as('router', named))).toMatch(/^invalid-decision: policy "router": cost must be a finite number, got NaN/);
  });

  it('reads the clock in UTC whatever the host time zone (same seed, same bytes)', () => {
    const script = join(import.meta.dirname, '../fixtures/sandbox/clock-readings.ts');
    const read = (tz: string): string => {
      const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', script], { encoding: 'utf8', env: { ...process.env, TZ: tz } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const utc = read('UTC');
    expect(utc).toBe('Error: 0|0|Thu, 01 Jan 2026 00:00:00 GMT|Thu, 01 Jan 2026 00:00:00 GMT|1780315200000|1772359200000|1772877600000|1970-01-01T00:00:00.000Z|2');
    expect(read('Asia/Kolkata')).toBe(utc);
    expect(read('America/New_York')).toBe(utc);
  });

  it('the host is still alive and evaluates honestly afterwards', async () => {
    const r = await run(honestRouter);
    expect(r.ok && r.reportJson === reference).toBe(true);
  });
});
