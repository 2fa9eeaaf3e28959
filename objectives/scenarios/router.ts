import { defineScenario } from '../scenario.js';

/** Router scenarios: where requests go decides cache reuse and load balance. */
export const routerScenarios = [
  defineScenario({
    name: 'conversation-8x-h200-llama70b-tp4',
    description: 'Mooncake conversation trace (12,031 requests, 1 h), 8 Llama-3.1-70B TP4 workers on H200, roofline timing',
    kind: 'router',
    workload: { source: 'trace', file: 'data/traces/conversation_trace.jsonl' },
    cluster: { workers: 8 },
    hardware: { timing: 'roofline', gpu: 'h200_sxm', model: 'llama-3.1-70b', tp: 4 },
  }),
  defineScenario({
    name: 'conversation-8x-poly',
    description: 'Mooncake conversation trace on 8 workers with Dynamo\'s polynomial timing (DynoSim parity, fastest)',
    kind: 'router',
    workload: { source: 'trace', file: 'data/traces/conversation_trace.jsonl' },
    cluster: { workers: 8 },
  }),
  defineScenario({
    name: 'shared-prefix-4x-h100-qwen32b-tp2',
    description: 'Synthetic chat with 40 shared system prompts on 4 small-cache Qwen3-32B TP2 workers on H100',
    kind: 'router',
    workload: { source: 'synthetic', requests: 1500, isl: 3000, osl: 200, arrival: { kind: 'poisson', ratePerSec: 1.5 }, sharedPrefixRatio: 0.6, numPrefixGroups: 40, turnsPerSession: 2, interTurnDelayMs: 4000 },
    cluster: { workers: 4, engine: { num_gpu_blocks: 1200 } },
    hardware: { timing: 'roofline', gpu: 'h100_sxm', model: 'qwen3-32b', tp: 2 },
  }),
  defineScenario({
    name: 'azure-conv-6x-h200-llama8b',
    description: 'Held out: Azure conversation trace (19,366 requests, no prefix sharing) at 20× its recorded rate, near saturation, on 6 Llama-3.1-8B workers on H200',
    kind: 'router',
    heldOut: true,
    // at 4× the cluster idles and every router ties; at 20× load balance decides the tail
    workload: { source: 'trace', file: 'data/traces/AzureLLMInferenceTrace_conv.csv', arrivalSpeedupRatio: 20 },
    cluster: { workers: 6 },
    hardware: { timing: 'roofline', gpu: 'h200_sxm', model: 'llama-3.1-8b', tp: 1 },
  }),
  defineScenario({
    name: 'agentic-prefix-12x-b200-qwen32b',
    description: 'Held out: agent-like sessions (4 turns, 2 s apart, 20 shared 2.8k-token prefixes) on 12 Qwen3-32B workers on B200; cache affinity alone piles sessions onto hot workers here',
    kind: 'router',
    heldOut: true,
    workload: { source: 'synthetic', requests: 4000, isl: 4000, osl: 300, arrival: { kind: 'poisson', ratePerSec: 4 }, sharedPrefixRatio: 0.7, numPrefixGroups: 20, turnsPerSession: 4, interTurnDelayMs: 2000, seed: 11 },
    cluster: { workers: 12 },
    hardware: { timing: 'roofline', gpu: 'b200_sxm', model: 'qwen3-32b', tp: 1 },
  }),
];
