/**
 * Supervised evaluation processes: what no isolate limit can stop (a V8 fatal out-of-memory from one
 * allocation, a process that grows or hangs) ends the candidate's own process, is recorded as its
 * failure, and the next candidate gets a fresh process. The test process itself must survive.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EvaluationSupervisor } from '../../harness/sandbox/supervisor.js';
import { sandboxInput } from '../../harness/sandbox/scenario.js';
import type { SandboxResult } from '../../harness/sandbox/result.js';
import { generateSynthetic } from '../../sim/workload/synthetic.js';

const API = `import { defineRouter } from 'twinsearch/policy';\n`;
const router = (cost: string, top = '') => `${API}${top}\nexport default defineRouter({ name: 'x', cost: ${cost} });\n`;
const honest = router('(req, w) => (req.isl / req.blockSize - w.overlapBlocks) + w.activeBlocks');
const workload = generateSynthetic({ requests: 30, isl: 600, osl: 20, arrival: { kind: 'poisson', ratePerSec: 20 }, sharedPrefixRatio: 0.5, numPrefixGroups: 3, seed: 2 });
const input = sandboxInput(workload, {
  scenario: { cluster: { workers: 2, engine: {}, router: 'kv', routerConfig: {} }, hardware: { timing: 'dynamo-poly' }, seed: 1, arrivalSpeedupRatio: 1, concurrency: null },
  expectKind: 'router',
});
const limits = { cpuMs: 5000, memoryMb: 64 };
const FILE = '/tmp/supervised/candidate.ts';
const kindOf = (r: SandboxResult): string => (r.ok ? 'ok' : r.kind);

const sup = new EvaluationSupervisor({ processes: 2 });
afterAll(() => sup.close());

describe('evaluation in supervised processes', () => {
  it('a candidate whose one allocation kills its process is a memory failure; the next one runs in a fresh process', async () => {
    const [bomb, perCall, ok] = await Promise.all([
      sup.run(router('() => 1', 'const big = new Array(2 ** 28).fill(0);'), FILE, input, limits),
      sup.run(router('() => { const a = new Array(2 ** 28).fill(0); return a.length; }'), FILE, input, limits),
      sup.run(honest, FILE, input, limits),
    ]);
    expect(kindOf(bomb), JSON.stringify(bomb)).toBe('memory');
    expect(bomb.ok ? '' : bomb.message).toMatch(/ran out of memory and its process died/);
    expect(kindOf(perCall)).toBe('memory');
    expect(kindOf(ok)).toBe('ok');
    const after = await sup.run(honest, FILE, input, limits);
    expect(after.ok && ok.ok && after.reportJson === ok.reportJson).toBe(true);
  });

  it('reports the candidate faults the isolate catches exactly as before (kinds, locations)', async () => {
    const loop = await sup.run(router('() => { for (;;) {} }'), FILE, input, { cpuMs: 500, memoryMb: 64 });
    expect(kindOf(loop)).toBe('timeout');
    const nan = await sup.run(router('() => NaN'), FILE, input, limits);
    expect(nan).toMatchObject({ ok: false, kind: 'invalid-decision' });
    const typo = await sup.run(router('(req) => req.ilss'), FILE, input, limits);
    expect(typo).toMatchObject({ ok: false, kind: 'type', location: { file: FILE, line: 3 } });
  });

  it('kills a process past its resident-memory ceiling or its deadline, and says which', async () => {
    const tight = new EvaluationSupervisor({ processes: 1, rssCeilingMb: 40 });
    try {
      const r = await tight.run(honest, FILE, input, limits);
      expect(kindOf(r)).toBe('memory');
      expect(r.ok ? '' : r.message).toMatch(/resident memory, past the ceiling of 40 MB/);
    } finally {
      tight.close();
    }
    const hurried = new EvaluationSupervisor({ processes: 1, graceMs: 0 });
    try {
      const r = await hurried.run(honest, FILE, input, { ...limits, wallMs: 1 });
      expect(kindOf(r)).toBe('timeout');
      expect(r.ok ? '' : r.message).toMatch(/did not finish within 0 s of wall-clock time/);
      // the next evaluation gets a fresh process and a normal deadline
      expect(kindOf(await hurried.run(honest, FILE, input, limits))).toBe('ok');
    } finally {
      hurried.close();
    }
  });

  it('closing cancels what runs and waits (no verdict), and refuses new work', async () => {
    const s = new EvaluationSupervisor({ processes: 1 });
    const running = s.run(router('() => { for (;;) {} }'), FILE, input, { cpuMs: 20_000, memoryMb: 64 });
    const waiting = s.run(honest, FILE, input, limits);
    s.close();
    expect(kindOf(await running)).toBe('cancelled');
    expect(kindOf(await waiting)).toBe('cancelled');
    expect(kindOf(await s.run(honest, FILE, input, limits))).toBe('cancelled');
  });
});

describe('what an evaluation process inherits', () => {
  it('has no credentials in its environment', async () => {
    if (process.platform !== 'linux') return; // reads /proc
    process.env.OPENAI_API_KEY = 'sk-test-not-for-children';
    const s = new EvaluationSupervisor({ processes: 1 });
    try {
      expect(kindOf(await s.run(honest, FILE, input, limits))).toBe('ok');
      const pid = [...(s as unknown as { procs: Set<{ child: { pid: number } }> }).procs][0]!.child.pid;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(env).not.toContain('sk-test-not-for-children');
      expect(env).toContain('TSX_TSCONFIG_PATH=');
    } finally {
      s.close();
      delete process.env.OPENAI_API_KEY;
    }
  });
});
