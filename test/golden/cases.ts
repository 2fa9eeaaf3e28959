import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessEvaluator, SandboxEvaluator, type Evaluation } from '../../harness/bench/evaluator.js';
import { parseFlags } from '../../harness/cli/parse-flags.js';
import { MutationProposer } from '../../harness/propose/proposer.js';
import { REPLAY_FLAGS, type ReplayFlags } from '../../harness/replay/replay-flags.js';
import { setupReplay } from '../../harness/replay/replay-setup.js';
import { runSearch } from '../../harness/search/search-loop.js';
import { parseSiliconCsv } from '../../harness/validate/silicon-csv.js';
import { simulateRow } from '../../harness/validate/simulate-row.js';
import { CLOSED_LOOP_DEFAULTS } from '../../sim/workload/closed-loop.js';
import { OBJECTIVES } from '../../objectives/objectives.js';
import { SCENARIOS, getScenario } from '../../objectives/scenarios/index.js';
import { replicaOf } from '../../objectives/scenario.js';
import { reportJson } from '../../sim/metrics/report.js';
import { runReplay } from '../../sim/replay.js';
import { defineObjective } from '../../objectives/objective.js';
import { tiny } from '../helpers/tiny-objective.js';

/**
 * Golden outputs: what the simulator and the search produce today, byte for byte, on a spread of
 * configurations (both engines and TensorRT-LLM's scheduler, aggregated and disaggregated, planners,
 * faults, the host tier, every shipped scenario, validation rows, a seeded search). A refactoring
 * step that changes any byte here changes behaviour. `npm run golden:record` rewrites the files
 * after a deliberate change of behaviour; the commit says why.
 */

const ROOT = join(import.meta.dirname, '..', '..');
export const GOLDEN_DIR = join(import.meta.dirname, 'expected');

export interface GoldenCase {
  name: string;
  run(): Promise<string>;
}

const TRACE = (f: string): string => join(ROOT, 'data/traces', f);
const ROOFLINE = (model: string, gpu: string, tp: number): string[] => ['--timing', 'roofline', '--model', model, '--gpu', gpu, '--tp', String(tp)];

/** `twinsearch replay` argument lists, run in-process through the command's own setup. */
const REPLAYS: Record<string, string[]> = {
  'replay-vllm-kv-conversation': [TRACE('conversation_trace.jsonl'), '--workers', '8', '--router', 'kv'],
  'replay-sglang-kv-azure-roofline': [TRACE('AzureLLMInferenceTrace_conv.csv'), '--engine', 'sglang', '--workers', '4', '--router', 'kv', '--arrival-speedup-ratio', '2', ...ROOFLINE('llama-3.1-8b', 'h200_sxm', 1)],
  'replay-trtllm-closed-loop': ['--engine', 'trtllm', '--isl', '2000', '--osl', '200', '--requests', '400', '--concurrency', '32', '--workers', '2', ...ROOFLINE('qwen3-32b', 'h100_sxm', 2)],
  'replay-vllm-disagg': ['--prefill-workers', '2', '--decode-workers', '3', '--isl', '3000', '--osl', '300', '--requests', '600', '--arrival', 'poisson', '--request-rate', '8', '--router', 'kv', '--shared-prefix-ratio', '0.5', '--num-prefix-groups', '4', ...ROOFLINE('qwen3-32b', 'h200_sxm', 2)],
  'replay-sglang-disagg-moe': ['--engine', 'sglang', '--prefill-workers', '1', '--decode-workers', '1', '--isl', '4000', '--osl', '500', '--requests', '300', '--arrival', 'poisson', '--request-rate', '3', '--kv-transfer-bandwidth', '25', '--ep', '8', ...ROOFLINE('deepseek-v3', 'h200_sxm', 8), '--weight-dtype', 'fp8_block'],
  'replay-planner-sla': [TRACE('conversation_trace.jsonl'), '--workers', '2', '--router', 'kv', '--planner', 'dynamo-sla', '--startup-time', '30', '--gpu-budget', '16', '--load-interval', '10', '--throughput-interval', '60', '--sla-ttft-ms', '3000', '--sla-tpot-ms', '50', ...ROOFLINE('qwen3-32b', 'h200_sxm', 2)],
  'replay-planner-load-disagg': ['--prefill-workers', '1', '--decode-workers', '1', '--planner', 'dynamo-load', '--gpu-budget', '8', '--startup-time', '10', '--isl', '2500', '--osl', '400', '--requests', '1500', '--arrival', 'poisson', '--request-rate', '12', ...ROOFLINE('llama-3.1-8b', 'h100_sxm', 1)],
  'replay-faults': ['--isl', '1500', '--osl', '200', '--requests', '800', '--turns-per-session', '3', '--inter-turn-delay-ms', '500', '--arrival', 'poisson', '--request-rate', '20', '--workers', '4', '--router', 'kv', '--shared-prefix-ratio', '0.3', '--fail-at', '5,20', '--failure-rate', '40', '--replace-after', '10'],
  'replay-host-tier': ['--isl', '3000', '--osl', '100', '--requests', '600', '--turns-per-session', '4', '--inter-turn-delay-ms', '2000', '--arrival', 'poisson', '--request-rate', '6', '--workers', '2', '--router', 'kv', '--engine-args', '{"num_gpu_blocks":1200,"block_size":16}', '--host-kv-blocks', '4000', ...ROOFLINE('llama-3.1-8b', 'h100_sxm', 1)],
  'replay-random-sessions-sglang': ['--engine', 'sglang', '--isl', '800', '--osl', '150', '--requests', '500', '--turns-per-session', '3', '--inter-turn-delay-ms', '300', '--arrival', 'burst', '--workers', '3', '--router', 'random', '--seed', '7', '--sla-ttft-ms', '500', '--sla-tpot-ms', '40'],
  'replay-no-fast-forward': ['--isl', '1000', '--osl', '400', '--requests', '200', '--arrival', 'poisson', '--request-rate', '5', '--workers', '2', '--no-fast-forward', ...ROOFLINE('llama-3.1-70b', 'h100_sxm', 4), '--kv-dtype', 'fp8'],
};

function replayCase(argv: string[]): string {
  const parsed = parseFlags({ args: [...argv, '--quiet', '--no-report-json'], options: REPLAY_FLAGS as never, allowPositionals: true });
  const setup = setupReplay(parsed.values as ReplayFlags, parsed.positionals);
  const result = runReplay(setup.workload, setup.config);
  return `${setup.summary}\npasses ${result.passes}\n${reportJson(result.report)}`;
}

function evaluationText(e: Evaluation): string {
  return e.ok ? reportJson(e.report) : `failed (${e.kind}): ${e.message}\n`;
}

/** The baselines of every objective and every shipped candidate of a kind, on every shipped scenario of it. */
function scenarioCases(): GoldenCase[] {
  const ev = new InProcessEvaluator();
  const out: GoldenCase[] = [];
  for (const s of SCENARIOS.values()) {
    const files = readdirSync(join(ROOT, 'candidates', s.kind)).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) {
      const name = `scenario-${s.name}-${f.replace(/\.ts$/, '')}`;
      out.push({ name, run: async () => evaluationText(await ev.evaluate(join(ROOT, 'candidates', s.kind, f), s)) });
    }
  }
  // a seed replica (another tie-break seed and arrival jitter)
  out.push({ name: 'scenario-conversation-8x-poly-replica-3-kv-tuned', run: async () => evaluationText(await ev.evaluate(join(ROOT, 'candidates/router/kv-tuned.ts'), replicaOf(getScenario('conversation-8x-poly'), 3))) });
  return out;
}

/** The sandbox's own path (bundle, isolate, its entry point) for one candidate of each kind. */
function sandboxCases(): GoldenCase[] {
  const picks: [string, string][] = [['router/kv-formula.ts', 'shared-prefix-4x-h100-qwen32b-tp2'], ['planner/dynamo-sla.ts', 'azure-code-autoscale-h100-llama8b'], ['eviction/lru-tuned.ts', 'multiturn-pressure-2x-h200-qwen32b-tp2']];
  return picks.map(([file, scenario]) => ({
    name: `sandbox-${scenario}-${file.split('/')[1]!.replace(/\.ts$/, '')}`,
    run: async () => {
      const ev = new SandboxEvaluator({}, null);
      try {
        const path = join(ROOT, 'candidates', file);
        return evaluationText(await ev.evaluateSource(readFileSync(path, 'utf8'), path, getScenario(scenario)));
      } finally {
        ev.close();
      }
    },
  }));
}

/** Every 23rd calibration row (all backends, aggregated and disaggregated) as `validate` simulates it. */
function validationCase(): GoldenCase {
  return {
    name: 'validate-rows',
    run: async () => {
      const file = join(ROOT, 'data/calibration/silicon_calibration.csv');
      const { rows } = parseSiliconCsv(readFileSync(file, 'utf8'), file);
      const protocol = { ...CLOSED_LOOP_DEFAULTS, seed: 1 };
      const picked = rows.filter((_, i) => i % 23 === 0);
      return JSON.stringify(picked.map((r) => simulateRow(r, protocol)), null, 1) + '\n';
    },
  };
}

/** The test objective on a scenario that replays in a tenth of a second. */
const GOLDEN_OBJECTIVE = defineObjective({ ...tiny, name: 'golden-router', search: ['shared-prefix-4x-h100-qwen32b-tp2'] });

/** A seeded 30-candidate search with the offline proposer: the ledger without wall-clock fields and commit ids. */
function searchCase(): GoldenCase {
  return {
    name: 'search-ledger',
    run: async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'ts-golden-')), 'run');
      const ev = new SandboxEvaluator({}, null);
      try {
        await runSearch({ objective: GOLDEN_OBJECTIVE, runDir: dir, resume: false, seed: 11, parallel: 1, budgetIterations: 30, proposer: new MutationProposer(), evaluator: ev, log: () => undefined });
      } finally {
        ev.close();
      }
      const lines = readFileSync(join(dir, '.twinsearch', 'ledger.jsonl'), 'utf8').trim().split('\n');
      return lines.map((l) => {
        const { timings: _t, startedMs: _s, atMs: _a, commit: _c, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return JSON.stringify(rest);
      }).join('\n') + '\n';
    },
  };
}

export function goldenCases(): GoldenCase[] {
  void OBJECTIVES; // the scenarios' objectives validate on import: a renamed scenario fails here first
  return [
    ...Object.entries(REPLAYS).map(([name, argv]) => ({ name, run: async () => replayCase(argv) })),
    ...scenarioCases(),
    ...sandboxCases(),
    validationCase(),
    searchCase(),
  ];
}
