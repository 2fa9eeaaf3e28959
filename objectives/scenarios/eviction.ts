import { defineScenario } from '../scenario.js';

/** Eviction scenarios: a cache too small for the working set, where what stays decides the hit rate. */
export const evictionScenarios = [
  defineScenario({
    name: 'conversation-pressure-4x-poly',
    description: 'Mooncake conversation trace on 4 workers with a 16,384-block (1M-token) KV cache each (LRU reuses 13% of prompt tokens, and 25% with 4× the cache)',
    kind: 'eviction',
    workload: { source: 'trace', file: 'data/traces/conversation_trace.jsonl' },
    cluster: { workers: 4, engine: { num_gpu_blocks: 16384 } },
  }),
  defineScenario({
    name: 'multiturn-pressure-2x-h200-qwen32b-tp2',
    description: 'Synthetic multi-turn chat (3 turns, 30 system prompts) on 2 Qwen3-32B TP2 workers with 600 KV blocks each',
    kind: 'eviction',
    workload: { source: 'synthetic', requests: 600, isl: 2000, osl: 100, arrival: { kind: 'poisson', ratePerSec: 1.5 }, sharedPrefixRatio: 0.4, numPrefixGroups: 30, turnsPerSession: 3, interTurnDelayMs: 5000 },
    cluster: { workers: 2, engine: { num_gpu_blocks: 600 } },
    hardware: { timing: 'roofline', gpu: 'h200_sxm', model: 'qwen3-32b', tp: 2 },
  }),
  defineScenario({
    name: 'shared-prefix-pressure-4x-poly',
    description: 'Held out: synthetic traffic over 60 shared prefixes on 4 workers with 600 KV blocks each',
    kind: 'eviction',
    heldOut: true,
    workload: { source: 'synthetic', requests: 3000, isl: 1800, osl: 60, arrival: { kind: 'poisson', ratePerSec: 20 }, sharedPrefixRatio: 0.7, numPrefixGroups: 60, seed: 7 },
    cluster: { workers: 4, engine: { num_gpu_blocks: 600 } },
  }),
];
