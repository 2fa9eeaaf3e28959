import { readBoundedText } from '../io/bounded-read.js';
import { availableParallelism } from 'node:os';
import { parseFlags } from './parse-flags.js';
import { join, resolve } from 'node:path';
import { OBJECTIVES, getObjective } from '../../objectives/objectives.js';
import { SandboxEvaluator } from '../bench/evaluator.js';
import { z } from 'zod';
import { LlmProposer, parseModels } from '../propose/llm-proposer.js';
import { MutationProposer, type Proposer } from '../propose/proposer.js';

const Prices = z.record(z.string(), z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }));
import { UsageError } from '../replay/json-arg.js';
import { REPO_ROOT } from '../scenario/scenario-workload.js';
import { evaluationCacheDir } from '../sandbox/cache-dir.js';
import { runSearch } from '../search/search-loop.js';
import { RunLog } from '../runlog/run-log.js';
import { PauseGate } from '../search/pause-gate.js';
import type { SearchEvent } from '../search/search-events.js';
import { formatEvent } from '../dashboard/plain-lines.js';
import { wantsDashboard } from '../dashboard/dashboard-mode.js';
import { fitHelp } from './help-text.js';
import { wrap } from '../io/wrap-text.js';

export const SEARCH_HELP = fitHelp(`Usage: twinsearch search --objective NAME [flags]

Searches for better policies: proposes candidate modules from the current Pareto front, scores each in
an isolated-vm sandbox on seed replicas of the objective's scenarios (one replica of the first scenario
first, stopping early when a candidate is clearly worse), accepts it only if it is feasible and, by a
paired test over the replicas, significantly better than every front member somewhere without being
dominated, rejects it if it is significantly worse than its parent on any held-out scenario, and commits
it to the run directory, a git repository in which \`git show cand-<id>\` is the candidate's algorithm
diff. docs/search.md states the rule.

Flags:
  --objective NAME        what to optimise: ${[...OBJECTIVES.keys()].join(', ')} (required)
  --proposer llm|mutate   who writes candidates: llm (an OpenAI-compatible chat model; the default when
                          OPENAI_API_KEY is set) or mutate (offline AST mutations and crossover)
  --base-url URL          the endpoint of the llm proposer (default: OpenAI's; any compatible server,
                          e.g. http://localhost:8000/v1 for vLLM or Dynamo)
  --model NAME[:W],...    model(s) to ask, with optional weights (default gpt-4o-mini); the key comes
                          from OPENAI_API_KEY
  --prices FILE           JSON {"model": {"input": $/Mtok, "output": $/Mtok}} added to the built-in table
  --llm-parallel N        LLM calls in flight at once (default 2)
  --llm-deadline S        hard deadline of one LLM call, retries on 429/5xx included (default 120)
  --replay-llm DIR        answer prompts from a run's recorded transcripts (DIR/.twinsearch/llm)
                          instead of calling the LLM: a run replayed without an API key
  --budget-usd X          stop starting candidates once the LLM calls have cost X dollars
  --budget-tokens N       stop starting candidates once the LLM calls have used N tokens
  --budget-iterations N   stop after N candidates in the whole run (default 20 unless --budget-minutes
                          is given; a resumed run keeps its budgets unless new ones are given)
  --budget-minutes M      stop starting new candidates after M minutes
  --parallel P            candidates in flight at once (default: cores/2, at least 1)
  --seed S                seed of parent choice and mutations (default 1)
  --run-dir DIR           where the run lives (default runs/<objective>-<timestamp>)
  --resume                continue the run in --run-dir: accepted candidates, the front and the
                          candidates already tried are read back from its ledger and history
  --time-limit S          CPU seconds one evaluation may use in the sandbox (default 60)
  --memory-limit MB       memory one sandbox may use (default 256)
  --no-tui                plain log lines instead of the dashboard (the default when stdout is not a
                          terminal, and under CI): one line per event,
                          \`<ISO time> <event> [<id>] key=value ...\`
  --help                  show this help

Objectives:
${[...OBJECTIVES.values()].map((o) => `  ${o.name.padEnd(20)} ${o.description}`).join('\n')}

On a terminal a dashboard shows the budgets, progress, the Pareto front (plot and table), the latest
events and sandbox timings. Keys: q stops (no new candidates; those in flight finish, the run stays
resumable) and q again exits at once; p pauses and resumes proposing (paused time does not count
against --budget-minutes); up/down select a front member and show its diff against its parent, PgUp/PgDn
scroll it, Esc closes it. Ctrl-C is q. Follow a run from another terminal with \`twinsearch watch DIR\`.
Review a run with \`twinsearch review DIR\` (add --html FILE for a report to share) or
\`git -C DIR show cand-<id>\`.
`);

function posInt(flag: string, v: string | undefined, def: number | undefined): number | undefined {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
  return n;
}

export async function searchCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags({
    args: argv, allowPositionals: false,
    options: {
      objective: { type: 'string' }, proposer: { type: 'string' }, 'budget-iterations': { type: 'string' }, 'budget-minutes': { type: 'string' },
      parallel: { type: 'string' }, seed: { type: 'string' }, 'run-dir': { type: 'string' }, resume: { type: 'boolean' }, 'no-tui': { type: 'boolean' },
      'time-limit': { type: 'string' }, 'memory-limit': { type: 'string' }, help: { type: 'boolean' },
      'base-url': { type: 'string' }, model: { type: 'string' }, prices: { type: 'string' }, 'llm-parallel': { type: 'string' },
      'llm-deadline': { type: 'string' }, 'replay-llm': { type: 'string' }, 'budget-usd': { type: 'string' }, 'budget-tokens': { type: 'string' },
    },
  });
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(SEARCH_HELP);
    return 0;
  }
  if (!v.objective) throw new UsageError(`--objective is required: one of ${[...OBJECTIVES.keys()].join(', ')}`);
  if (!OBJECTIVES.has(v.objective)) throw new UsageError(`unknown objective ${v.objective}; known: ${[...OBJECTIVES.keys()].join(', ')}`);
  const objective = getObjective(v.objective);
  const replayDir = v['replay-llm'];
  const proposerName = v.proposer ?? (process.env.OPENAI_API_KEY || replayDir ? 'llm' : 'mutate');
  if (proposerName !== 'mutate' && proposerName !== 'llm') throw new UsageError(`--proposer must be llm or mutate, got "${proposerName}"`);
  if (proposerName === 'llm' && !process.env.OPENAI_API_KEY && !replayDir) throw new UsageError('--proposer llm needs OPENAI_API_KEY in the environment (or --replay-llm DIR)');
  if (v.resume && !v['run-dir']) throw new UsageError('--resume needs --run-dir: the run to continue');
  // a resumed run keeps the budgets it was started with unless new ones are given
  let saved: { iterations?: number | null; usd?: number | null; tokens?: number | null } = {};
  if (v.resume && v['run-dir']) {
    try { saved = RunLog.open(resolve(v['run-dir'])).config<{ budgets?: typeof saved }>().budgets ?? {}; } catch (e) { throw new UsageError((e as Error).message); }
  }
  const minutes = posInt('--budget-minutes', v['budget-minutes'], undefined);
  const iterations = posInt('--budget-iterations', v['budget-iterations'], saved.iterations ?? (minutes === undefined ? 20 : undefined));
  const parallel = posInt('--parallel', v.parallel, Math.max(1, Math.floor(availableParallelism() / 2)))!;
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${v.seed}"`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const runDir = resolve(v['run-dir'] ?? join(REPO_ROOT, 'runs', `${objective.name}-${stamp}`));
  const limits = {
    ...(v['time-limit'] ? { cpuMs: posInt('--time-limit', v['time-limit'], 60)! * 1000 } : {}),
    ...(v['memory-limit'] ? { memoryMb: posInt('--memory-limit', v['memory-limit'], 256)! } : {}),
  };
  let proposer: Proposer = new MutationProposer();
  if (proposerName === 'llm') {
    let prices: Record<string, { input: number; output: number }> | undefined;
    if (v.prices) {
      let raw: unknown;
      try {
        raw = JSON.parse(readBoundedText(v.prices, { what: '--prices file', maxBytes: 1 << 20 }));
      } catch (e) {
        throw new UsageError(`--prices ${v.prices}: ${e instanceof SyntaxError ? `invalid JSON (${e.message})` : (e as Error).message}`);
      }
      const r = Prices.safeParse(raw);
      if (!r.success) throw new UsageError(`${v.prices}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message} (expected {"model": {"input": number, "output": number}})`);
      prices = r.data;
    }
    let models;
    try { models = parseModels(v.model ?? 'gpt-4o-mini'); } catch (e) { throw new UsageError((e as Error).message); }
    proposer = new LlmProposer({
      apiKey: process.env.OPENAI_API_KEY ?? 'replay', models, ...(v['base-url'] ? { baseURL: v['base-url'] } : {}), ...(prices ? { prices } : {}),
      deadlineMs: posInt('--llm-deadline', v['llm-deadline'], 120)! * 1000,
      transcriptDir: replayDir ? join(resolve(replayDir), '.twinsearch', 'llm') : join(runDir, '.twinsearch', 'llm'), replay: Boolean(replayDir),
    });
  }
  const usd = posInt('--budget-usd', v['budget-usd'], saved.usd ?? undefined);
  const tokens = posInt('--budget-tokens', v['budget-tokens'], saved.tokens ?? undefined);
  const ac = new AbortController();
  const gate = new PauseGate();
  const tui = wantsDashboard(process.stdout, v['no-tui']);
  const plain = (e: SearchEvent): void => {
    const l = formatEvent(e, objective);
    if (l !== null) process.stdout.write(`${l}\n`);
  };
  const dash = tui
    ? (await import('../dashboard/live-dashboard.js')).mountLiveDashboard({
      spec: objective, runDir, onPause: () => gate.toggle(),
      onQuit: (times) => (times > 1 ? exitNow() : ac.abort()),
    })
    : null;
  function exitNow(): never {
    dash?.unmountNow();
    process.stdout.write('exited with candidates in flight; the run can be resumed with --resume\n');
    process.exit(130);
  }
  const onSigint = (): void => {
    if (ac.signal.aborted) exitNow();
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  // after the dashboard, on the same terminal: sentences wrap at its width, commands stay whole to copy
  const say = (text: string): void => void process.stdout.write(`${wrap(text, Math.max(40, process.stdout.columns ?? 80)).join('\n')}\n`);
  const command = (label: string, cmd: string): void => void process.stdout.write(`${label}\n  ${cmd}\n`);
  const evaluator = new SandboxEvaluator(limits, evaluationCacheDir());
  try {
    const s = await runSearch({
      objective, runDir, resume: Boolean(v.resume), seed, parallel, proposer, proposeParallel: posInt('--llm-parallel', v['llm-parallel'], 2)!,
      ...(usd !== undefined ? { budgetUsd: usd } : {}), ...(tokens !== undefined ? { budgetTokens: tokens } : {}),
      evaluator, onEvent: dash ? dash.onEvent : plain, signal: ac.signal, pause: gate,
      ...(iterations !== undefined ? { budgetIterations: iterations } : {}), ...(minutes !== undefined ? { budgetMinutes: minutes } : {}),
    }).finally(() => {
      evaluator.close();
      return dash?.close(); // awaited: the dashboard's last frame is drawn before the summary below
    });
    const summary = `${s.evaluated} candidates, ${s.accepted} accepted, ${s.rejected} rejected, ${s.failed} failed${s.tokens ? `; ${s.tokens} tokens, $${s.usd.toFixed(4)}` : ''}`;
    const unpriced = proposer instanceof LlmProposer && proposer.unpricedModels.size ? `no price known for ${[...proposer.unpricedModels].join(', ')}; their cost counts as 0 (give --prices)` : null;
    if (!dash) { // the plain lines said it all, the done line included
      if (unpriced) plain({ type: 'message', atMs: Date.now(), level: 'warning', text: unpriced });
      return 0;
    }
    say(`${s.stoppedBy === 'signal' ? 'stopped' : s.stoppedBy === 'exhausted' ? 'stopped: the proposer found no new code in 200 proposals in a row' : `done (budget: ${s.stoppedBy})`}: ${summary}; front: ${s.front.map((f) => f.id).join(', ')}`);
    if (unpriced) say(`note: ${unpriced}`);
    command('review it:', `twinsearch review ${runDir}`);
    command('resume it:', `twinsearch search --objective ${objective.name} --run-dir ${runDir} --resume`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
