/**
 * Autoscaling planner settings, with Dynamo's planner field names where Dynamo has one (intervals
 * in seconds, SLA targets in ms). Validated by resolvePlannerConfig with errors that name the field.
 */
export interface PlannerConfig {
  /** Seconds between load-based decisions (Dynamo default 5). */
  load_adjustment_interval: number;
  /** Seconds between throughput-based decisions (Dynamo default 180). */
  throughput_adjustment_interval: number;
  enable_load_scaling: boolean;
  enable_throughput_scaling: boolean;
  /** dynamo-load thresholds: "throughput" (scale up past 100% KV load) or "latency" (40%). */
  optimization_target: 'throughput' | 'latency';
  /** TTFT target for SLA planning, ms. */
  ttft: number;
  /** ITL target for SLA planning, ms. */
  itl: number;
  /** GPUs the planner may use in total (workers × GPUs per worker). */
  max_gpu_budget: number;
  /** Fewest workers. */
  min_endpoint: number;
  /** Most workers (default: as many as the GPU budget allows). */
  max_endpoint: number | null;
  /** Cold start of an added worker, seconds (default: engine args' startup_time, else 0). */
  startup_time: number | null;
  /** Pass samples kept for the pass-time regression (Dynamo default 64). */
  max_num_fpm_samples: number;
}

export const PLANNER_DEFAULTS: PlannerConfig = {
  load_adjustment_interval: 5,
  throughput_adjustment_interval: 180,
  enable_load_scaling: true,
  enable_throughput_scaling: false,
  optimization_target: 'throughput',
  ttft: 500,
  itl: 50,
  max_gpu_budget: 8,
  min_endpoint: 1,
  max_endpoint: null,
  startup_time: null,
  max_num_fpm_samples: 64,
};

export class PlannerConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`planner config: ${field} ${message}`);
    this.name = 'PlannerConfigError';
  }
}

/** A config with every bound resolved for a cluster whose workers each use `gpusPerWorker` GPUs. */
export interface ResolvedPlannerConfig extends PlannerConfig {
  maxWorkers: number;
  startupMs: number;
  gpusPerWorker: number;
}

export function resolvePlannerConfig(partial: Partial<PlannerConfig>, gpusPerWorker: number, engineStartupS: number | null): ResolvedPlannerConfig {
  const c: PlannerConfig = { ...PLANNER_DEFAULTS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  const pos = (f: keyof PlannerConfig, v: number): void => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new PlannerConfigError(f, `must be a number > 0, got ${JSON.stringify(v)}`);
  };
  const posInt = (f: keyof PlannerConfig, v: number): void => {
    if (!(Number.isInteger(v) && v >= 1)) throw new PlannerConfigError(f, `must be an integer >= 1, got ${JSON.stringify(v)}`);
  };
  pos('load_adjustment_interval', c.load_adjustment_interval);
  pos('throughput_adjustment_interval', c.throughput_adjustment_interval);
  if (c.enable_load_scaling && c.enable_throughput_scaling && c.load_adjustment_interval >= c.throughput_adjustment_interval) {
    throw new PlannerConfigError('load_adjustment_interval', `must be shorter than throughput_adjustment_interval (${c.throughput_adjustment_interval} s) when both are enabled`);
  }
  if (c.optimization_target !== 'throughput' && c.optimization_target !== 'latency') {
    throw new PlannerConfigError('optimization_target', `must be "throughput" or "latency", got ${JSON.stringify(c.optimization_target)}`);
  }
  pos('ttft', c.ttft);
  pos('itl', c.itl);
  posInt('max_gpu_budget', c.max_gpu_budget);
  posInt('min_endpoint', c.min_endpoint);
  posInt('max_num_fpm_samples', c.max_num_fpm_samples);
  if (c.max_endpoint !== null) posInt('max_endpoint', c.max_endpoint);
  if (c.min_endpoint * gpusPerWorker > c.max_gpu_budget) {
    throw new PlannerConfigError('max_gpu_budget', `(${c.max_gpu_budget} GPUs) is below min_endpoint × GPUs per worker (${c.min_endpoint} × ${gpusPerWorker})`);
  }
  const byBudget = Math.floor(c.max_gpu_budget / gpusPerWorker);
  const maxWorkers = Math.min(byBudget, c.max_endpoint ?? byBudget);
  if (maxWorkers < c.min_endpoint) throw new PlannerConfigError('max_endpoint', `(${c.max_endpoint}) is below min_endpoint (${c.min_endpoint})`);
  const startupS = c.startup_time ?? engineStartupS ?? 0;
  if (!(Number.isFinite(startupS) && startupS >= 0)) throw new PlannerConfigError('startup_time', `must be >= 0 seconds, got ${JSON.stringify(startupS)}`);
  return { ...c, maxWorkers, startupMs: startupS * 1000, gpusPerWorker };
}
