import { existsSync } from 'node:fs';
import { parseFlags } from './parse-flags.js';
import { resolve } from 'node:path';
import { getScenario, scenariosFor } from '../../objectives/scenarios/index.js';
import type { Scenario } from '../../objectives/scenario.js';
import { benchTable, meanEvaluation, pairedAgainstFirst, summarize, type BenchRow } from '../bench/bench-table.js';
import { replicaOf } from '../../objectives/scenario.js';
import { InProcessEvaluator, SandboxEvaluator, type Evaluator, type PolicyKind } from '../bench/evaluator.js';
import { UsageError } from '../replay/json-arg.js';
import { evaluationCacheDir } from '../sandbox/cache-dir.js';
import { scenarioFromTrace, scenariosFromFile, type TraceScenarioOptions } from '../bench/user-scenario.js';
import { fitHelp } from './help-text.js';

export const BENCH_HELP = fitHelp(`Usage: twinsearch bench <candidate.ts ...> [flags]

Runs every candidate policy module on every scenario, each in a fresh isolated-vm sandbox (memory and
CPU limits, no I/O), and prints, per scenario, the candidates ranked
on the policy kind's metrics, with a ★ on the ones no other candidate beats on every metric of every
scenario (the Pareto front). Candidates are modules whose default export is made by defineRouter,
definePlanner or defineEviction (see candidates/ for the baselines); all must be of one kind.

Flags:
  --scenarios NAME[,NAME...]   scenarios to run (default: the shipped scenarios of the candidates' kind)
  --scenario-file FILE         your own scenarios: a JSON object or array in the shape of the shipped
                               ones (objectives/scenarios/*.ts: name, description, kind, workload,
                               cluster, hardware); trace paths are relative to FILE. Repeatable
  --trace FILE                 your own traffic: replay this trace (Mooncake JSONL or Azure CSV) on
                               --workers workers, with Dynamo's polynomial timing, or the roofline
                               timing of --model on --gpu at --tp
  --workers N                  workers for --trace (default 8)
  --model NAME, --gpu NAME, --tp N
                               the deployment for --trace (see twinsearch replay --help for the names)
  --speedup R                  --trace arrivals R times faster than recorded (default 1)
  --seeds K                    run every scenario as K seed replicas (tie-break seed and arrival jitter,
                               as a search does; default 1): the tables show means, and each candidate
                               is compared with the first one given, paired replica by replica, as a
                               change ± its 95 % interval, marked ✓ better or ✗ worse where the paired
                               test says so (docs/search.md); a verdict needs K ≥ 2, better 4
  --json                       print the results as JSON (reports per candidate and scenario)
  --markdown                   print Markdown tables
  --time-limit S               CPU time one evaluation may use in the sandbox (default 60)
  --memory-limit MB            memory one sandbox may use (default 256)
  --cache DIR                  keep results on disk: a candidate already evaluated on a scenario by the
                               same simulator build is not run again (default $XDG_CACHE_HOME/twinsearch/evaluations,
                               else ~/.cache/twinsearch/evaluations; --no-cache)
  --no-cache                   evaluate everything again
  --in-process                 run the modules in this process instead of the sandbox (your own, trusted code; easier to debug)
  --quiet                      no progress on stderr
  --help                       show this help

Examples:
  twinsearch bench candidates/router/*.ts --scenarios conversation-8x-poly
  twinsearch bench candidates/router/kv-tuned.ts my-router.ts --seeds 4
  twinsearch bench candidates/router/kv-tuned.ts my-router.ts --seeds 4 --trace my-traffic.jsonl --workers 16
`);

/** The cluster of a --trace scenario, from --workers, --model, --gpu, --tp and --speedup. */
function traceDeployment(v: { workers?: string; model?: string; gpu?: string; tp?: string; speedup?: string }): Omit<TraceScenarioOptions, 'kind'> {
  const positive = (flag: string, raw: string | undefined, integer: boolean): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag}: expected a positive ${integer ? 'whole ' : ''}number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const workers = positive('workers', v.workers, true) ?? 8;
  const speedup = positive('speedup', v.speedup, false);
  const tp = positive('tp', v.tp, true);
  const given = [v.model, v.gpu].filter((x) => x !== undefined).length;
  if (given === 1 || (tp !== undefined && given === 0)) throw new UsageError('--model, --gpu (and --tp, default 1) go together: the roofline timing needs the model and the GPU');
  return { workers, ...(speedup !== undefined ? { speedup } : {}), ...(v.model && v.gpu ? { hardware: { model: v.model, gpu: v.gpu, tp: tp ?? 1 } } : {}) };
}

export async function benchCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags({
    args: argv, allowPositionals: true,
    options: { scenarios: { type: 'string', multiple: true }, 'scenario-file': { type: 'string', multiple: true }, trace: { type: 'string' }, workers: { type: 'string' }, model: { type: 'string' }, gpu: { type: 'string' }, tp: { type: 'string' }, speedup: { type: 'string' }, seeds: { type: 'string' }, json: { type: 'boolean' }, markdown: { type: 'boolean' }, quiet: { type: 'boolean' }, 'in-process': { type: 'boolean' }, 'time-limit': { type: 'string' }, 'memory-limit': { type: 'string' }, cache: { type: 'string' }, 'no-cache': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  const limit = (flag: 'time-limit' | 'memory-limit', min: number): number | undefined => {
    const raw = v[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${flag}: expected a number >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const cpuS = limit('time-limit', 0.01), memoryMb = limit('memory-limit', 16);
  const seeds = v.seeds === undefined ? 1 : Number(v.seeds);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 32) throw new UsageError(`--seeds: expected a whole number from 1 to 32, got ${JSON.stringify(v.seeds)}`);
  const evaluator: Evaluator = v['in-process'] ? new InProcessEvaluator()
    : new SandboxEvaluator({ ...(cpuS !== undefined ? { cpuMs: cpuS * 1000 } : {}), ...(memoryMb !== undefined ? { memoryMb } : {}) },
      v['no-cache'] ? null : resolve(v.cache ?? evaluationCacheDir()));
  const files = parsed.positionals.map((p) => resolve(p));
  if (files.length === 0) throw new UsageError('give one or more candidate files, e.g. candidates/router/*.ts');
  for (const f of files) if (!existsSync(f)) throw new UsageError(`candidate file not found: ${f}`);
  const kinds = new Map<string, PolicyKind>();
  for (const f of files) {
    try {
      kinds.set(f, await evaluator.kindOf(f));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const kind = kinds.get(files[0]!)!;
  const other = files.find((f) => kinds.get(f) !== kind);
  if (other) throw new UsageError(`all candidates must be of one kind: ${files[0]} is a ${kind} policy, ${other} a ${kinds.get(other)} policy`);
  const names = (v.scenarios ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  let scenarios: Scenario[];
  try {
    scenarios = names.map(getScenario);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const f of v['scenario-file'] ?? []) scenarios.push(...scenariosFromFile(f));
  if (v.trace !== undefined) scenarios.push(scenarioFromTrace(v.trace, { kind, ...traceDeployment(v) }));
  else for (const flag of ['workers', 'model', 'gpu', 'tp', 'speedup'] as const) if (v[flag] !== undefined) throw new UsageError(`--${flag} describes the deployment of --trace; give --trace FILE too`);
  if (scenarios.length === 0) scenarios = scenariosFor(kind);
  const wrong = scenarios.find((s) => s.kind !== kind);
  if (wrong) throw new UsageError(`scenario ${wrong.name} scores ${wrong.kind} policies, not ${kind} policies`);
  const label = (f: string): string => f.replace(/^.*\//, '').replace(/\.ts$/, '');
  // all evaluations at once: the sandbox pool runs as many as there are cores
  const t0 = performance.now();
  // one replica is the scenario as defined; several are the search's replicas (objectives/scenario.ts)
  const rows: BenchRow[] = await Promise.all(scenarios.flatMap((s) => files.map(async (f) => {
    const replicas = await Promise.all(Array.from({ length: seeds }, (_, i) => evaluator.evaluate(f, seeds === 1 ? s : replicaOf(s, i))));
    const result = meanEvaluation(replicas);
    if (!v.quiet) {
      const what = result.ok ? `done (${((performance.now() - t0) / 1000).toFixed(1)} s)` : `failed: ${result.kind}`;
      process.stderr.write(`bench: ${label(f)} on ${s.name}${seeds > 1 ? ` (${seeds} replicas)` : ''} ${what}\n`);
    }
    return { candidate: label(f), scenario: s.name, result, ...(seeds > 1 ? { replicas } : {}) };
  })));
  if (evaluator instanceof SandboxEvaluator) evaluator.close();
  const sum = summarize(kind, files.map(label), scenarios, rows);
  if (v.json) {
    process.stdout.write(JSON.stringify({
      kind, scenarios: scenarios.map((s) => s.name), pareto: sum.pareto,
      results: rows.map((r) => ({
        candidate: r.candidate, scenario: r.scenario,
        ...(r.result.ok ? { report: r.result.report } : { error: { kind: r.result.kind, message: r.result.message } }),
        ...(r.replicas ? { replicas: r.replicas.map((x) => (x.ok ? x.report : null)) } : {}),
      })),
      ...(seeds > 1 ? { seeds, reference: sum.candidates[0], paired: pairedAgainstFirst(sum) } : {}),
    }, null, 2) + '\n');
  } else {
    process.stdout.write(benchTable(sum, Boolean(v.markdown)) + '\n');
  }
  return rows.every((r) => r.result.ok) ? 0 : 1;
}
