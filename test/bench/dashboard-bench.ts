/**
 * What the dashboard costs the search: the same search (router-latency, offline mutation proposer, same
 * seed, so the same candidates; fresh sandboxes, no result cache) with plain log lines and with the ink
 * dashboard drawing into a terminal-sized stream, alternated, median of each. Target: ≤ 5% slower.
 * Usage: npm run bench:dashboard [-- --candidates N --repeats R --parallel P]
 */
import '../../harness/cli/production-env.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { getObjective } from '../../objectives/objectives.js';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { runSearch } from '../../harness/search/search-loop.js';
import { formatEvent } from '../../harness/dashboard/plain-lines.js';
import { mountLiveDashboard } from '../../harness/dashboard/live-dashboard.js';
import { median } from './stats.js';
import { recordConsole } from './bench-doc.js';

const { values } = parseArgs({ options: { candidates: { type: 'string' }, repeats: { type: 'string' }, parallel: { type: 'string' } } });
const n = Number(values.candidates ?? 24);
const repeats = Number(values.repeats ?? 3);
const parallel = Number(values.parallel ?? 1);
const objective = getObjective('router-latency');
recordConsole('bench:dashboard', `npm run bench:dashboard -- --candidates ${n} --repeats ${repeats} --parallel ${parallel}`);

/** A 120×40 terminal that keeps nothing but the byte count. */
function fakeTerminal(): NodeJS.WriteStream & { bytes: number } {
  const w = new Writable({ write(chunk: Buffer, _enc, cb) { (w as unknown as { bytes: number }).bytes += chunk.length; cb(); } }) as unknown as NodeJS.WriteStream & { bytes: number };
  Object.assign(w, { bytes: 0, isTTY: true, columns: 120, rows: 40, getColorDepth: () => 8, hasColors: () => true });
  return w;
}

async function once(mode: 'plain' | 'dashboard'): Promise<{ wall: number; bytes: number; evaluated: number; frames: number; renderMs: number }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ts-bench-dash-')), 'run');
  const term = fakeTerminal();
  let sink = 0, frames = 0, renderMs = 0;
  const dash = mode === 'dashboard'
    ? mountLiveDashboard({ spec: objective, runDir: dir, onQuit: () => undefined, onPause: () => undefined, stdout: term, stdin: new PassThrough() as unknown as NodeJS.ReadStream, onRender: (ms) => { frames++; renderMs += ms; } })
    : null;
  const t0 = performance.now();
  const probe = process.env.DBG ? setInterval(() => console.error('bytes', term.bytes, dash?.state.version), 2000) : undefined;
  const s = await runSearch({
    objective, runDir: dir, resume: false, seed: 1, parallel, budgetIterations: n, proposer: new MutationProposer(), evaluator: new SandboxEvaluator({}, null),
    onEvent: dash ? dash.onEvent : (e) => { sink += formatEvent(e, objective)?.length ?? 0; },
  });
  const wall = (performance.now() - t0) / 1000;
  clearInterval(probe);
  await dash?.close();
  rmSync(dir, { recursive: true, force: true });
  return { wall, bytes: mode === 'dashboard' ? term.bytes : sink, evaluated: s.evaluated, frames, renderMs };
}

const runs: Record<'plain' | 'dashboard', { wall: number; bytes: number; frames: number; renderMs: number }[]> = { plain: [], dashboard: [] };
await once('plain'); // warm-up: the simulator bundle, the code cache, the ink import
for (let i = 0; i < repeats; i++) {
  const order: ('plain' | 'dashboard')[] = i % 2 ? ['dashboard', 'plain'] : ['plain', 'dashboard'];
  for (const mode of order) {
    const r = await once(mode);
    runs[mode].push(r);
    console.log(`  ${mode.padEnd(9)} run ${i + 1}: ${r.wall.toFixed(2)} s, ${r.evaluated} candidates, ${(r.bytes / 1024).toFixed(0)} KiB written${mode === 'dashboard' ? `, ${r.frames} frames, ${r.renderMs.toFixed(0)} ms rendering` : ''}`);
  }
}
const p = median(runs.plain.map((r) => r.wall), { upper: true }), d = median(runs.dashboard.map((r) => r.wall), { upper: true });
console.log(`dashboard bench: router-latency, ${n} candidates, ${parallel} in flight, ${repeats} runs each`);
console.log(`  plain lines ${p.toFixed(2)} s, dashboard ${d.toFixed(2)} s (medians): overhead ${(((d - p) / p) * 100).toFixed(1)}% (target ≤ 5%)`);
const dr = runs.dashboard;
const frames = dr.reduce((a, r) => a + r.frames, 0), renderMs = dr.reduce((a, r) => a + r.renderMs, 0), wallMs = dr.reduce((a, r) => a + r.wall * 1000, 0);
console.log(`  drawing itself: ${frames} frames, ${(renderMs / frames).toFixed(1)} ms each, ${((renderMs / wallMs) * 100).toFixed(2)}% of the dashboard runs' wall time (the direct cost, without run-to-run noise)`);
process.exit(0);
