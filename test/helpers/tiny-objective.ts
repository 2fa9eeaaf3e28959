import { defineObjective, type Objective } from '../../objectives/objective.js';

/** One cheap scenario, so the search loop's logic is tested in seconds. */
export const tiny: Objective = defineObjective({
  name: 'tiny-router',
  description: 'test objective',
  kind: 'router',
  baseline: 'candidates/router/kv-formula.ts',
  search: ['conversation-8x-poly'],
  metrics: [{ key: 'p95_ttft_ms', better: 'min' }, { key: 'mean_ttft_ms', better: 'min' }],
  constraints: [{ key: 'mean_tpot_ms', bound: 'max', limit: 50 }],
});
