import { defineScenario } from '../scenario.js';

/** Planner scenarios: how many workers to run, given cold starts, a GPU budget and SLA targets. */
export const plannerScenarios = [
  defineScenario({
    name: 'conversation-autoscale-h200-qwen32b-tp2',
    description: 'Mooncake conversation trace, Qwen3-32B TP2 on H200, start at 6 workers, 24-GPU budget, 60 s cold start, SLA TTFT 5 s / ITL 50 ms; the whole budget wastes about 30 % over a tuned SLA planner',
    kind: 'planner',
    workload: { source: 'trace', file: 'data/traces/conversation_trace.jsonl' },
    // from 2 workers the first minutes' backlog alone keeps every planner below 90 % SLA attainment
    cluster: { workers: 6, planner: { max_gpu_budget: 24, startup_time: 60, ttft: 5000, itl: 50, load_adjustment_interval: 10 } },
    hardware: { timing: 'roofline', gpu: 'h200_sxm', model: 'qwen3-32b', tp: 2 },
  }),
  defineScenario({
    name: 'azure-code-autoscale-h100-llama8b',
    description: 'Held out: bursty Azure code trace (peak 4× mean), Llama-3.1-8B on H100, 8-GPU budget, 30 s cold start, SLA TTFT 1 s / ITL 30 ms',
    kind: 'planner',
    heldOut: true,
    workload: { source: 'trace', file: 'data/traces/AzureLLMInferenceTrace_code.csv', arrivalSpeedupRatio: 3 },
    cluster: { workers: 1, planner: { max_gpu_budget: 8, startup_time: 30, ttft: 1000, itl: 30, load_adjustment_interval: 5 } },
    hardware: { timing: 'roofline', gpu: 'h100_sxm', model: 'llama-3.1-8b', tp: 1 },
  }),
];
