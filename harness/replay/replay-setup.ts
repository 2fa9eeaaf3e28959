import { deriveNumGpuBlocks } from '../../sim/catalog/kv-capacity.js';
import type { Parallelism } from '../../sim/catalog/parallelism.js';
import { getGpu } from '../../sim/catalog/gpus.js';
import { getModel, gpuKvBytesPerToken } from '../../sim/catalog/models.js';
import { EngineArgsError, resolveEngineArgs, type EngineArgs } from '../../sim/engine/engine-args.js';
import { MAX_CLOCK_MS, workloadSpanMs } from '../../sim/cluster/workload-driver.js';
import type { ReplayConfig, RouterMode } from '../../sim/replay.js';
import { buildReplayConfig, type ScenarioSpec } from '../../sim/scenario-config.js';
import { RouterConfigError } from '../../sim/router/router-config.js';
import { generateSynthetic, type Arrival } from '../../sim/workload/synthetic.js';
import type { Workload } from '../../sim/workload/workload.js';
import { loadTrace } from '../trace/load-trace.js';
import { EngineArgsJson, PlannerConfigJson, RouterConfigJson } from './engine-args-schema.js';
import { PlannerConfigError } from '../../sim/planner/planner-config.js';
import { describeZodError, parseJsonArg, UsageError } from './json-arg.js';
import { PLANNER_FLAGS, ReplayFlagValues, SYNTHETIC_FLAGS, type ReplayFlags } from './replay-flags.js';

export interface ReplaySetup {
  workload: Workload;
  config: Omit<ReplayConfig, 'onProgress'>;
  flags: ReplayFlagValues;
  /** One line saying what is simulated. */
  summary: string;
}

/** Turns parsed command-line flags into a workload and a replay configuration; throws UsageError. */
export function setupReplay(raw: ReplayFlags, positionals: string[]): ReplaySetup {
  const parsed = ReplayFlagValues.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0]) as keyof ReplayFlags;
    const given = raw[flag];
    throw new UsageError(`--${flag}: ${issue.message.replace(/^Invalid option: expected one of /, 'expected one of ')}${typeof given === 'string' ? `, got ${JSON.stringify(given)}` : ''}`);
  }
  const f = parsed.data;
  const workload = buildWorkload(f, raw, positionals);
  const span = workloadSpanMs(workload, f.concurrency !== undefined);
  if (span / f['arrival-speedup-ratio'] > MAX_CLOCK_MS) {
    throw new UsageError(`--arrival-speedup-ratio ${f['arrival-speedup-ratio']} stretches the workload's ${span.toFixed(0)} ms of arrivals and delays beyond the simulator's clock range (${MAX_CLOCK_MS.toExponential(0)} ms, about 31.7 years); expected at least ${(span / MAX_CLOCK_MS).toExponential(2)}`);
  }
  const engine = buildEngineArgs(f, f['engine-args'], '--engine-args');
  const disagg = buildDisagg(f, engine);
  const workers = f.workers ?? 1;
  const routerConfig = f['router-config'] ? parseJsonArg('--router-config', f['router-config'], RouterConfigJson) : {};
  const router: RouterMode = f.router === 'kv_router' ? 'kv' : f.router;
  const sla = f['sla-ttft-ms'] || f['sla-tpot-ms'] || f['sla-e2e-ms']
    ? { ttftMs: f['sla-ttft-ms'], tpotMs: f['sla-tpot-ms'], e2eMs: f['sla-e2e-ms'] }
    : null;
  const faults = buildFaults(f);
  const plannerSettings = plannerInput(f, raw);
  // the flags as a scenario: the one place a replay configuration is built does the rest
  const spec: ScenarioSpec = {
    cluster: {
      workers, engine: { ...engine }, router, routerConfig,
      ...(plannerSettings ? { planner: plannerSettings, plannerPolicy: f.planner! } : {}),
      ...(disagg ? { disagg: { ...disagg, prefillEngine: { ...disagg.prefillEngine }, decodeEngine: { ...disagg.decodeEngine } } } : {}),
      ...(faults ? { faults } : {}),
    },
    hardware: buildHardware(f),
    seed: f.seed,
    arrivalSpeedupRatio: f['arrival-speedup-ratio'],
    concurrency: f.concurrency ?? null,
    gpusPerWorker: f.tp ?? 1,
    sla,
    fastForward: !f['no-fast-forward'],
  };
  const config = configOf(spec, raw);
  const { planner, timing } = config;
  const starting = disagg ? disagg.prefillWorkers + disagg.decodeWorkers : workers;
  if (planner && disagg && (disagg.prefillWorkers < planner.config.min_endpoint || disagg.decodeWorkers < planner.config.min_endpoint || starting > planner.config.maxWorkers)) {
    throw new UsageError(`--prefill-workers ${disagg.prefillWorkers} / --decode-workers ${disagg.decodeWorkers} are outside the planner's bounds: at least ${planner.config.min_endpoint} per pool, at most ${planner.config.maxWorkers} workers in all (GPU budget ${planner.config.max_gpu_budget} / ${planner.config.gpusPerWorker} GPUs per worker)`);
  }
  if (planner && !disagg && (workers < planner.config.min_endpoint || workers > planner.config.maxWorkers)) {
    throw new UsageError(`--workers ${workers} is outside the planner's bounds: ${planner.config.min_endpoint}..${planner.config.maxWorkers} workers (GPU budget ${planner.config.max_gpu_budget} / ${planner.config.gpusPerWorker} GPUs per worker)`);
  }
  const hw = f.model || f.gpu ? ` ${f.model ?? '?'} on ${f.tp ?? 1}× ${f.gpu ?? '?'}` : '';
  const plan = planner ? ` · ${planner.policy.name} planner (${planner.config.min_endpoint}..${planner.config.maxWorkers} workers, cold start ${planner.config.startupMs / 1000} s)` : '';
  const pools = disagg ? `${disagg.prefillWorkers} prefill + ${disagg.decodeWorkers} decode` : `${workers}`;
  const summary = `${workload.name}: ${workload.count} requests · ${pools} × ${engine.engine_type}${hw}${plan} · ${timing.name} timing · `
    + `${router} router · block ${engine.block_size} × ${engine.num_gpu_blocks} · `
    + (f.concurrency ? `concurrency ${f.concurrency}` : `arrival speedup ${f['arrival-speedup-ratio']}`) + ` · seed ${f.seed}`;
  return { workload, config, flags: f, summary };
}

function buildWorkload(f: ReplayFlagValues, raw: ReplayFlags, positionals: string[]): Workload {
  const synthetic = SYNTHETIC_FLAGS.filter((k) => raw[k] !== undefined);
  if (positionals.length > 1) throw new UsageError(`expected one trace file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (positionals.length === 1) {
    if (synthetic.length > 0) throw new UsageError(`--${synthetic[0]} is for synthetic workloads; use either a trace file or synthetic flags, not both`);
    return loadTrace(positionals[0]!, { format: f['trace-format'], traceBlockSize: f['trace-block-size'] });
  }
  if (f.isl === undefined || f.osl === undefined) {
    throw new UsageError('give a trace file (e.g. data/traces/conversation_trace.jsonl) or a synthetic workload with --isl and --osl');
  }
  const kind = f.arrival ?? (f['request-rate'] !== undefined ? 'poisson' : 'fixed');
  let arrival: Arrival;
  if (kind === 'poisson') {
    if (f['request-rate'] === undefined) throw new UsageError('--arrival poisson needs --request-rate');
    if (f['arrival-interval-ms'] !== undefined) throw new UsageError('--arrival-interval-ms is for --arrival fixed, not poisson');
    arrival = { kind: 'poisson', ratePerSec: f['request-rate'] };
  } else if (kind === 'burst') {
    if (f['request-rate'] !== undefined || f['arrival-interval-ms'] !== undefined) throw new UsageError('--arrival burst takes no rate or interval');
    arrival = { kind: 'burst' };
  } else {
    if (f['request-rate'] !== undefined) throw new UsageError('--request-rate is for --arrival poisson');
    arrival = { kind: 'fixed', intervalMs: f['arrival-interval-ms'] ?? 1 };
  }
  try {
    return generateSynthetic({
      requests: f.requests ?? 1000,
      isl: f.isl,
      osl: f.osl,
      arrival,
      sharedPrefixRatio: f['shared-prefix-ratio'],
      numPrefixGroups: f['num-prefix-groups'],
      turnsPerSession: f['turns-per-session'],
      interTurnDelayMs: f['inter-turn-delay-ms'],
      seed: f.seed,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Disaggregated pools from --prefill-workers/--decode-workers, or undefined. */
function buildDisagg(f: ReplayFlagValues, base: EngineArgs): ReplaySetup['config']['disagg'] {
  const p = f['prefill-workers'], d = f['decode-workers'];
  if (p === undefined && d === undefined) {
    for (const k of ['prefill-engine-args', 'decode-engine-args', 'kv-transfer-bandwidth'] as const) {
      if (f[k] !== undefined) throw new UsageError(`--${k} needs --prefill-workers and --decode-workers`);
    }
    return undefined;
  }
  if (p === undefined || d === undefined) throw new UsageError('disaggregated serving needs both --prefill-workers and --decode-workers');
  if (f.workers !== undefined) throw new UsageError('--workers is for aggregated serving; with --prefill-workers/--decode-workers leave it out');
  const prefillEngine = f['prefill-engine-args'] ? buildEngineArgs(f, mergeJson(f['engine-args'], f['prefill-engine-args'], '--prefill-engine-args'), '--prefill-engine-args') : base;
  const decodeEngine = f['decode-engine-args'] ? buildEngineArgs(f, mergeJson(f['engine-args'], f['decode-engine-args'], '--decode-engine-args'), '--decode-engine-args') : base;
  if (prefillEngine.block_size !== decodeEngine.block_size) {
    throw new UsageError(`prefill and decode workers need the same KV block size to hand KV over: prefill block_size ${prefillEngine.block_size}, decode ${decodeEngine.block_size}`);
  }
  if (prefillEngine.engine_type !== decodeEngine.engine_type) {
    throw new UsageError(`prefill and decode workers must run the same engine: prefill ${prefillEngine.engine_type}, decode ${decodeEngine.engine_type}`);
  }
  return {
    prefillWorkers: p,
    decodeWorkers: d,
    prefillEngine,
    decodeEngine,
    kvTransferBandwidthGBs: f['kv-transfer-bandwidth'] ?? prefillEngine.kv_transfer_bandwidth ?? 64,
    kvBytesPerToken: prefillEngine.kv_bytes_per_token,
  };
}

/** Per-pool engine args JSON laid over the shared --engine-args JSON. */
function mergeJson(base: string | undefined, over: string, flag: string): string {
  const b = base ? parseJsonArg('--engine-args', base, EngineArgsJson) : {};
  const o = parseJsonArg(flag, over, EngineArgsJson);
  return JSON.stringify({ ...b, ...o, sglang: b.sglang || o.sglang ? { ...(b.sglang ?? {}), ...(o.sglang ?? {}) } : undefined });
}

function buildEngineArgs(f: ReplayFlagValues, text: string | undefined, flag: string): EngineArgs {
  const json: EngineArgsJson = text ? parseJsonArg(flag, text, EngineArgsJson) : {};
  const { is_prefill, is_decode, sglang, ...rest } = json;
  if (is_prefill && is_decode) throw new UsageError('--engine-args: is_prefill and is_decode cannot both be true');
  const workerType = is_prefill ? 'prefill' : is_decode ? 'decode' : rest.worker_type;
  if (workerType !== undefined && workerType !== 'aggregated') {
    throw new UsageError(`${flag}: worker_type is set by the pool; use --prefill-workers/--decode-workers for disaggregated serving`);
  }
  if (f.engine && rest.engine_type && f.engine !== rest.engine_type) {
    throw new UsageError(`--engine ${f.engine} contradicts engine_type "${rest.engine_type}" in ${flag}`);
  }
  const input = { ...rest, engine_type: f.engine ?? rest.engine_type, worker_type: workerType, sglang };
  try {
    const args = resolveEngineArgs(input);
    if (f.model) getModel(f.model);
    if (f.gpu) getGpu(f.gpu);
    if (rest.num_gpu_blocks === undefined && f.model && f.gpu) {
      args.num_gpu_blocks = deriveNumGpuBlocks({
        gpu: f.gpu, model: f.model, tp: f.tp ?? 1, weightDtype: f['weight-dtype'], kvDtype: f['kv-dtype'], parallelism: layoutOf(f),
        blockSize: args.block_size, gpuMemoryUtilization: f['gpu-memory-utilization'],
        // the pool the server itself would carve out: its memory fraction, weights, activation peak
        backend: args.engine_type,
      });
    }
    if (rest.kv_bytes_per_token === undefined && f.model) args.kv_bytes_per_token = gpuKvBytesPerToken(f.model, layoutOf(f), f['kv-dtype']) * (f.tp ?? 1);
    if (f['host-kv-blocks'] !== undefined) args.num_g2_blocks = f['host-kv-blocks'];
    if (f['host-kv-bandwidth'] !== undefined) args.bandwidth_g1_to_g2_gbps = args.bandwidth_g2_to_g1_gbps = f['host-kv-bandwidth'];
    if (args.num_g2_blocks > 0 && args.kv_bytes_per_token === null) {
      throw new UsageError('a host KV tier needs the KV size of a token: give --model (with --tp) or "kv_bytes_per_token" in --engine-args');
    }
    if (args.num_g2_blocks > 0 && args.engine_type !== 'vllm') throw new UsageError('the host KV tier is simulated for the vllm engine only');
    resolveEngineArgs({ ...args, sglang: args.sglang }); // re-check the overridden fields
    return args;
  } catch (e) {
    if (e instanceof EngineArgsError) throw new UsageError(`${flag}: ${e.message.replace(/^engine args: /, '')}`);
    throw new UsageError((e as Error).message);
  }
}

/** Planner settings from --planner and its flags (Dynamo's field names), or undefined without --planner. */
function plannerInput(f: ReplayFlagValues, raw: ReplayFlags): Record<string, unknown> | undefined {
  if (!f.planner) {
    const stray = PLANNER_FLAGS.find((k) => raw[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --planner (static, dynamo-load or dynamo-sla)`);
    return undefined;
  }
  const json: PlannerConfigJson = f['planner-config'] ? parseJsonArg('--planner-config', f['planner-config'], PlannerConfigJson) : {};
  return {
    enable_throughput_scaling: f.planner === 'dynamo-sla',
    ...json,
    ...(f['startup-time'] !== undefined ? { startup_time: f['startup-time'] } : {}),
    ...(f['gpu-budget'] !== undefined ? { max_gpu_budget: f['gpu-budget'] } : {}),
    ...(f['min-workers'] !== undefined ? { min_endpoint: f['min-workers'] } : {}),
    ...(f['max-workers'] !== undefined ? { max_endpoint: f['max-workers'] } : {}),
    ...(f['load-interval'] !== undefined ? { load_adjustment_interval: f['load-interval'] } : {}),
    ...(f['throughput-interval'] !== undefined ? { throughput_adjustment_interval: f['throughput-interval'] } : {}),
    ...(f['sla-ttft-ms'] !== undefined ? { ttft: f['sla-ttft-ms'] } : {}),
    ...(f['sla-tpot-ms'] !== undefined ? { itl: f['sla-tpot-ms'] } : {}),
  };
}

/** The replay configuration of the flags' scenario; what it rejects is named by the flag that set it. */
function configOf(spec: ScenarioSpec, raw: ReplayFlags): ReplaySetup['config'] {
  try {
    return buildReplayConfig(spec);
  } catch (e) {
    if (e instanceof PlannerConfigError) {
      const flagFor: Record<string, string> = { startup_time: '--startup-time', max_gpu_budget: '--gpu-budget', min_endpoint: '--min-workers', max_endpoint: '--max-workers', load_adjustment_interval: '--load-interval', throughput_adjustment_interval: '--throughput-interval' };
      const own = flagFor[e.field];
      const flag = own !== undefined && raw[own.slice(2) as keyof ReplayFlags] !== undefined ? own : '--planner-config';
      throw new UsageError(`${flag}: ${e.message.replace(/^planner config: /, '')}`);
    }
    if (e instanceof RouterConfigError) throw new UsageError(`--router-config: ${e.message.replace(/^router config: /, '')}`);
    if (e instanceof EngineArgsError) throw new UsageError(`--engine-args: ${e.message.replace(/^engine args: /, '')}`);
    throw new UsageError((e as Error).message);
  }
}

function buildFaults(f: ReplayFlagValues): ReplaySetup['config']['faults'] {
  const at = f['fail-at'] ? f['fail-at'].split(',').map((x) => Number(x.trim()) * 1000) : [];
  const rate = f['failure-rate'] ?? 0;
  if (at.length === 0 && rate === 0) {
    if (f['replace-after'] !== undefined) throw new UsageError('--replace-after needs --fail-at or --failure-rate');
    return undefined;
  }
  return { atMs: at, perWorkerHour: rate, replaceAfterMs: f['replace-after'] !== undefined ? f['replace-after'] * 1000 : null };
}

/** The workers' hardware for the timing model: the roofline model of --model on --gpu, or Dynamo's polynomial. */
function buildHardware(f: ReplayFlagValues): ScenarioSpec['hardware'] {
  const kind = f.timing ?? (f.gpu ? 'roofline' : 'dynamo-poly');
  if (kind === 'dynamo-poly') return { timing: 'dynamo-poly' };
  if (!f.model || !f.gpu) throw new UsageError('--timing roofline needs --model and --gpu (e.g. --model qwen3-32b --gpu h200_sxm --tp 2)');
  return { timing: 'roofline', gpu: f.gpu, model: f.model, tp: f.tp ?? 1, parallel: layoutOf(f), weightDtype: f['weight-dtype'], kvDtype: f['kv-dtype'] };
}

export { describeZodError };

/** A worker's layout from --tp and --ep: attention tensor parallel, experts split ep ways over the same GPUs. */
function layoutOf(f: ReplayFlagValues): Parallelism {
  const tp = f.tp ?? 1;
  const ep = f.ep ?? 1;
  if (tp % ep !== 0) throw new UsageError(`--ep ${ep} must divide --tp ${tp} (the experts are spread over the worker's TP GPUs)`);
  return { tp, pp: 1, attnDp: 1, moeTp: tp / ep, moeEp: ep };
}
