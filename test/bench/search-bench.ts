/**
 * Search throughput: candidates and evaluations per hour with the offline mutation proposer on the
 * router-latency objective, every candidate evaluated in a fresh sandbox (no result cache), and how
 * proposals ended. Target (issue #12): ≥ 3,000 evaluations per hour, probe included, on 2 cores.
 * Writes its figures into docs/benchmarks.md. Usage: npm run bench:search [-- --candidates N --parallel P]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceBlock } from './bench-doc.js';
import { getObjective } from '../../objectives/objectives.js';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { RunLog } from '../../harness/runlog/run-log.js';
import { baselineReplicas, runSearch } from '../../harness/search/search-loop.js';

const { values } = parseArgs({ options: { candidates: { type: 'string' }, parallel: { type: 'string' } } });
const n = Number(values.candidates ?? 60);
const parallel = Number(values.parallel ?? Math.max(1, availableParallelism()));
const dir = join(mkdtempSync(join(tmpdir(), 'ts-bench-search-')), 'run');
const objective = getObjective('router-latency');
let baselineDone = 0;
const t0 = performance.now();
const s = await runSearch({
  objective, runDir: dir, resume: false, seed: 1, parallel, budgetIterations: n, proposer: new MutationProposer(),
  evaluator: new SandboxEvaluator({}, null),
  log: (l) => { if (!baselineDone && /^c\d+/.test(l)) baselineDone = performance.now(); },
});
const wall = (performance.now() - t0) / 1000;
const loop = (performance.now() - baselineDone) / 1000;
const ledger = RunLog.open(dir).ledger().filter((e) => e.id !== 'baseline');
// every seed replica of every scenario is one evaluation
const scenarioRuns = ledger.reduce((k, e) => k + (e.timings?.evaluations ?? 0), 0);
const early = ledger.filter((e) => e.reason?.includes('stopped early') || e.reason?.startsWith('same behaviour')).length;
console.log(`search bench: router-latency, ${n} candidates, ${parallel} in flight, ${availableParallelism()} cores`);
console.log(`  wall ${wall.toFixed(1)} s (baseline on ${objective.search.length + objective.heldOut.length} scenarios ${(wall - loop).toFixed(1)} s, then ${loop.toFixed(1)} s for the candidates)`);
console.log(`  ${s.accepted} accepted, ${s.rejected} rejected (${early} after the probe replica only), ${s.failed} failed; ${scenarioRuns} evaluations (${objective.seeds} seed replicas per scenario)`);
console.log(`  candidates per hour: ${Math.round((s.evaluated / loop) * 3600)} (target ≥ 1,000 on 2 cores); evaluations per hour: ${Math.round((scenarioRuns / loop) * 3600)}`);
const dup = ledger.filter((e) => e.reason === 'duplicate code').length;
const same = ledger.filter((e) => e.reason?.startsWith('same behaviour')).length;
const evPerHour = Math.round((scenarioRuns / loop) * 3600);
replaceBlock(join(import.meta.dirname, '../../docs/benchmarks.md'), 'bench:search',
  `\`npm run bench:search -- --candidates ${n} --parallel ${parallel}\` (${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores): router-latency, offline proposer, no result cache. `
  + `${s.evaluated} candidates in ${loop.toFixed(0)} s after the baseline (${(wall - loop).toFixed(0)} s on ${baselineReplicas(objective)} replicas of ${objective.search.length + objective.heldOut.length} scenarios): `
  + `${scenarioRuns} evaluations (${objective.seeds} seed replicas per scenario), **${evPerHour.toLocaleString('en-US')} evaluations per hour** (target ≥ 3,000 on 2 cores: ${evPerHour >= 3000 ? 'met' : '**not met**'}), `
  + `${Math.round((s.evaluated / loop) * 3600).toLocaleString('en-US')} candidates per hour. Proposals: ${s.accepted} accepted, ${dup} duplicate code (dropped before any evaluation), ${same} the same behaviour as an earlier candidate after the probe (${((100 * same) / Math.max(1, ledger.length)).toFixed(0)} %; target ≤ 20 % dropped as duplicates after evaluation), ${s.failed} failed.`);
rmSync(dir, { recursive: true, force: true });
