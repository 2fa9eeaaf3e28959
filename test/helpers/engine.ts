import { resolveEngineArgs } from '../../sim/engine/engine-args.js';
import { buildPromptBlocks } from '../../sim/workload/prompt-blocks.js';
import { RequestTable } from '../../sim/engine/request-table.js';
import { VllmEngine } from '../../sim/engine/vllm-engine.js';
import { Collector } from '../../sim/metrics/collector.js';
import { dynamoPoly } from '../../sim/timing/dynamo-poly.js';
import type { Workload } from '../../sim/workload/workload.js';

/** A lone vLLM engine over a workload, for pass-by-pass tests. */
export function makeVllm(w: Workload, engine: Parameters<typeof resolveEngineArgs>[0]) {
  const args = resolveEngineArgs(engine);
  const table = new RequestTable(w, buildPromptBlocks(w, args.block_size), args.enable_prefix_caching);
  const collector = new Collector(w.count, 1);
  const e = new VllmEngine(0, args, table, dynamoPoly, collector, null);
  e.fastForward = false;
  return { engine: e, table, collector };
}
