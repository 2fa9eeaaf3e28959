/**
 * Sweeps the knobs of Dynamo's KV-router cost on the router-latency search scenarios and prints the
 * configurations ranked against the shipped defaults: the tuned reference a search must beat
 * (candidates/router/kv-tuned.ts records the winner and this sweep's figures).
 *
 *   node --no-node-snapshot --import tsx scripts/sweep-router.ts [--replicas N]
 *
 * Knobs (Dynamo's names in brackets): the weight of prefill work against decode load
 * [overlap_score_weight scales the prefill side], the credit for cached blocks, the weight of decode
 * blocks [router_track_active_blocks off = 0], and a per-request load term in blocks
 * [decode_active_request_weight]. A configuration counts only if it keeps output throughput ≥ 0.99 × the
 * default's and mean TPOT ≤ 50 ms on every scenario, as the objective requires. Score: the mean over
 * scenarios of (p95 TTFT ratio + mean TTFT ratio) / 2 against the defaults, over the first N replicas.
 */
import { parseArgs } from 'node:util';
import { getObjective } from '../objectives/objectives.js';
import { getScenario } from '../objectives/scenarios/index.js';
import { POLICY_API, sweep } from './sweep-grid.js';

const { values } = parseArgs({ options: { replicas: { type: 'string' } } });
const replicas = Number(values.replicas ?? 2);
const objective = getObjective('router-latency');
const scenarios = objective.search.map(getScenario);

interface Knobs { prefill: number; cached: number; decode: number; perRequest: number }
const source = (k: Knobs): string => `import { defineRouter } from ${POLICY_API};
export default defineRouter({
  name: 'kv-sweep',
  cost: (req, w) => {
    const prefillBlocks = (w.activePrefillTokens + req.isl) / req.blockSize;
    const cached = ${k.cached} * w.overlapBlocks + ${0.75 * k.cached} * w.hostOverlapBlocks;
    const prefill = Math.max(prefillBlocks - cached, 0);
    const decode = w.activeBlocks + w.newBlocks;
    return ${k.prefill} * prefill + ${k.decode} * decode + ${k.perRequest} * w.activeRequests;
  },
});
`;

const grid: Knobs[] = [];
for (const prefill of [1, 2, 4]) for (const cached of [0.5, 1, 2]) for (const decode of [0, 0.5, 1]) for (const perRequest of [0, 8]) grid.push({ prefill, cached, decode, perRequest });
const t0 = Date.now();
const rows = (await sweep(objective, grid, source, ['p95_ttft_ms', 'mean_ttft_ms', 'output_throughput_tok_s', 'mean_tpot_ms'], replicas))
  .map((r) => ({ k: r.knobs, m: Object.fromEntries(Object.entries(r.m).map(([s, x]) => [s, { p95: x.p95_ttft_ms!, mean: x.mean_ttft_ms!, thr: x.output_throughput_tok_s!, tpot: x.mean_tpot_ms! }])) }));
const def = rows.find((r) => r.k.prefill === 1 && r.k.cached === 1 && r.k.decode === 1 && r.k.perRequest === 0)!;
const ranked = rows.map((r) => {
  let sc = 0, ok = true;
  for (const s of scenarios) {
    const a = r.m[s.name]!, b = def.m[s.name]!;
    sc += (a.p95 / b.p95 + a.mean / b.mean) / 2 / scenarios.length;
    if (a.thr < 0.99 * b.thr || a.tpot > 50) ok = false;
  }
  return { ...r, sc, ok };
}).sort((a, b) => Number(b.ok) - Number(a.ok) || a.sc - b.sc);
console.log(`router-latency search scenarios, ${replicas} replicas, ${grid.length} configurations, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log('prefill  cached  decode  per-request  score   ' + scenarios.map((s) => `${s.name} p95/mean ms`).join('   '));
for (const r of ranked.slice(0, 12)) {
  console.log(`${String(r.k.prefill).padStart(7)}  ${String(r.k.cached).padStart(6)}  ${String(r.k.decode).padStart(6)}  ${String(r.k.perRequest).padStart(11)}  ${r.sc.toFixed(3)}${r.ok ? ' ' : '*'}  ` + scenarios.map((s) => `${r.m[s.name]!.p95.toFixed(0)}/${r.m[s.name]!.mean.toFixed(0)}`).join('   '));
}
console.log(`default (1, 1, 1, 0): ${scenarios.map((s) => `${def.m[s.name]!.p95.toFixed(0)}/${def.m[s.name]!.mean.toFixed(0)}`).join('   ')}; * = breaks a constraint`);
