/** One routable worker's state at the tick. */
export interface WorkerLoadView {
  /** Requests waiting in the worker's queue (new, preempted or retracted). */
  readonly waiting: number;
  /** Requests running (admitted, decoding or mid-prefill). */
  readonly running: number;
  /** Prompt tokens of waiting requests still to compute. */
  readonly queuedPrefillTokens: number;
  /** Context tokens of preempted requests waiting to resume. */
  readonly queuedDecodeKvTokens: number;
  /** Context tokens (prompt + output so far) of running requests. */
  readonly runningKvTokens: number;
  /** KV-cache tokens in use. */
  readonly usedKvTokens: number;
  /** KV-cache capacity in tokens. */
  readonly capacityKvTokens: number;
  /** Output tokens the worker emitted in the window. */
  readonly windowTokens: number;
  /** Mean time those tokens waited for their pass (the worker's inter-token latency), ms; 0 if none. */
  readonly windowItlMs: number;
}

/** Pass statistics of a pool's workers over the window. */
export interface PassesView {
  readonly count: number;
  readonly meanMs: number;
  /** Share of the window the pool's live workers spent in passes (0..1). */
  readonly busyFraction: number;
  /** Mean uncached prompt tokens per pass. */
  readonly meanPrefillTokens: number;
  /** Mean attention work per pass (Σ over its prefill chunks of end² − start², see PassModel). */
  readonly meanAttentionWork: number;
}

/**
 * Pass time fitted on a pool's recent passes: ms ≈ intercept + perPrefillToken·prefill tokens +
 * perAttentionWork·attention work + perDecodeKvToken·decode context tokens, where the attention
 * work of a prefill chunk covering prompt positions [start, end) is end² − start². The intercept
 * can be negative: clamp predictions at a small positive value.
 */
export interface PassModel {
  readonly intercept: number;
  readonly perPrefillToken: number;
  readonly perAttentionWork: number;
  readonly perDecodeKvToken: number;
}

/** One side of a disaggregated cluster. */
export interface PoolView {
  /** Routable workers, workers in their cold start, workers draining before they leave. */
  readonly active: number;
  readonly starting: number;
  readonly draining: number;
  /** Routable workers, in creation order. */
  readonly perWorker: readonly WorkerLoadView[];
  readonly passes: PassesView;
  /** null until enough passes were seen. */
  readonly passModel: PassModel | null;
}

/**
 * What an autoscaling planner sees at a tick: plain numbers, prepared by the simulator. Latencies
 * and durations are in ms, rates per second. "Window" means since the previous tick.
 */
export interface PlannerObservation {
  /** "agg": one pool of workers (perWorker, passes, passModel describe it); "disagg": prefill and decode pools. */
  readonly mode: 'agg' | 'disagg';
  /** Simulated time of the tick, ms since the start of the replay. */
  readonly nowMs: number;
  /** This tick is a load tick (short interval). */
  readonly loadTick: boolean;
  /** This tick is a throughput tick (long interval). */
  readonly throughputTick: boolean;
  /** Length of the window, ms. */
  readonly windowMs: number;
  /** Worker counts (disaggregated: both pools together) and the bounds on each pool. */
  readonly workers: {
    /** Routable workers. */
    readonly active: number;
    /** Workers added but still in their cold start. */
    readonly starting: number;
    /** Workers finishing their requests before they leave. */
    readonly draining: number;
    /** Bounds the simulator enforces on any decision: min per pool, max workers in all (from the GPU budget). */
    readonly min: number;
    readonly max: number;
    readonly gpusPerWorker: number;
    readonly gpuBudget: number;
    /** Cold start of a new worker, ms. */
    readonly startupMs: number;
  };
  /** Aggregated: routable workers, in creation order (empty when disaggregated). */
  readonly perWorker: readonly WorkerLoadView[];
  /** Disaggregated: the prefill and decode pools (null when aggregated). */
  readonly prefill: PoolView | null;
  readonly decode: PoolView | null;
  readonly traffic: {
    /** Requests that arrived in the window. */
    readonly arrivals: number;
    /** Requests that finished in the window. */
    readonly completed: number;
    /** Arrivals per second over the window. */
    readonly requestRate: number;
    /** Mean prompt and output length of requests that finished in the window (0 if none). */
    readonly meanIsl: number;
    readonly meanOsl: number;
    /** TTFT of requests that finished in the window: mean and 90th percentile (0 if none). */
    readonly meanTtftMs: number;
    readonly p90TtftMs: number;
    /** Mean time per output token of requests that finished in the window. */
    readonly meanItlMs: number;
    /** Mean share of the prompt found in the prefix cache, for requests that finished in the window. */
    readonly kvHitRate: number;
  };
  /** Aggregated: forward passes in the window (disaggregated: see prefill/decode). */
  readonly passes: PassesView;
  /** Aggregated: the fitted pass-time model, null until enough passes were seen. */
  readonly passModel: PassModel | null;
  readonly engine: {
    /** Token budget of a pass. */
    readonly maxNumBatchedTokens: number;
    /** Running-request cap of a worker (Infinity if none). */
    readonly maxNumSeqs: number;
    /** KV capacity of one worker, tokens. */
    readonly kvCapacityTokens: number;
  };
  /** Latency targets. */
  readonly sla: { readonly ttftMs: number; readonly itlMs: number };
}

/**
 * A planner's answer: the number of workers wanted (aggregated), or of prefill and decode workers
 * (disaggregated). The simulator clamps it to the bounds and the GPU budget.
 */
export interface PlannerDecision {
  readonly workers?: number;
  readonly prefill?: number;
  readonly decode?: number;
}

/** A planner policy: called at every tick. */
export interface PlannerPolicy {
  readonly name: string;
  decide(obs: PlannerObservation): PlannerDecision;
}
