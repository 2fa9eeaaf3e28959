import { defineObjective, type Objective } from './objective.js';

/** The shipped objectives, one per policy kind at least. */
const LIST: Objective[] = [
  defineObjective({
    name: 'router-latency',
    description: 'Route the Mooncake conversation trace for low TTFT without hurting decode (mean TPOT ≤ 50 ms)',
    kind: 'router',
    // the tuned configuration, not the defaults: what the search finds beyond it is its own merit
    baseline: 'candidates/router/kv-tuned.ts',
    shippedDefault: 'candidates/router/kv-formula.ts',
    search: ['conversation-8x-poly', 'shared-prefix-4x-h100-qwen32b-tp2'],
    // other traffic families, loads, cluster sizes, GPUs and models than the search scenarios: never the same trace
    heldOut: ['azure-conv-6x-h200-llama8b', 'agentic-prefix-12x-b200-qwen32b'],
    metrics: [
      { key: 'p95_ttft_ms', better: 'min' },
      { key: 'mean_ttft_ms', better: 'min' },
      { key: 'output_throughput_tok_s', better: 'max' },
    ],
    // latency may not be bought with throughput at equal offered load
    constraints: [{ key: 'mean_tpot_ms', bound: 'max', limit: 50 }, { key: 'output_throughput_tok_s', bound: 'min', limit: 0.99, relative: true }],
    noiseMargin: 0.005,
  }),
  defineObjective({
    name: 'planner-cost-sla',
    description: 'Autoscale for fewest GPU-hours, with cold starts, keeping SLA attainment ≥ 90%',
    kind: 'planner',
    // a feasible reference: Dynamo's SLA planner tuned (candidates/planner/dynamo-sla-tuned.ts)
    baseline: 'candidates/planner/dynamo-sla-tuned.ts',
    shippedDefault: 'candidates/planner/dynamo-sla.ts',
    search: ['conversation-autoscale-h200-qwen32b-tp2'],
    heldOut: ['azure-code-autoscale-h100-llama8b'],
    // SLA attainment is the constraint and GPU-hours the cost: no latency metric a bigger cluster could buy
    metrics: [{ key: 'gpu_hours', better: 'min' }],
    constraints: [{ key: 'sla_attainment', bound: 'min', limit: 0.9 }],
    noiseMargin: 0.01,
  }),
  defineObjective({
    name: 'eviction-hit-rate',
    description: 'Evict KV blocks so more prefixes are reused under cache pressure, without a worse p95 TTFT',
    kind: 'eviction',
    // the tuned configuration (LRU with frequency and depth weighted), not plain LRU
    baseline: 'candidates/eviction/lru-tuned.ts',
    shippedDefault: 'candidates/eviction/lru.ts',
    search: ['multiturn-pressure-2x-h200-qwen32b-tp2', 'conversation-pressure-4x-poly'],
    heldOut: ['shared-prefix-pressure-4x-poly'],
    metrics: [
      { key: 'prefix_cache_reused_ratio', better: 'max' },
      { key: 'p95_ttft_ms', better: 'min' },
    ],
    noiseMargin: 0.002,
  }),
];

export const OBJECTIVES: ReadonlyMap<string, Objective> = new Map(LIST.map((o) => [o.name, o]));

export function getObjective(name: string): Objective {
  const o = OBJECTIVES.get(name);
  if (!o) throw new Error(`unknown objective ${name}; known: ${[...OBJECTIVES.keys()].join(', ')}`);
  return o;
}
