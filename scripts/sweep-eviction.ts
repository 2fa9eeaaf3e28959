/**
 * Sweeps the weights of LRU eviction's block facts on the eviction-hit-rate search scenarios and
 * prints the settings ranked against plain LRU: the tuned reference a search must beat
 * (candidates/eviction/lru-tuned.ts records the winner and this sweep's figures).
 *
 *   node --no-node-snapshot --import tsx scripts/sweep-eviction.ts [--replicas N]
 *
 * Knobs, each in seconds of recency: per reuse of the block (frequency, as LRU-K / LFU aging), per
 * position in its prompt subtracted (tail first, as vLLM frees a finished sequence's blocks from its
 * end), and for having cached children (leaf first, as SGLang's radix cache). A setting counts only
 * if its p95 TTFT is no worse than LRU's on every scenario (beyond 1 %). Score: the mean over scenarios
 * of the prefix reuse ratio against LRU's, over the first N replicas.
 */
import { parseArgs } from 'node:util';
import { getObjective } from '../objectives/objectives.js';
import { POLICY_API, sweep } from './sweep-grid.js';

const { values } = parseArgs({ options: { replicas: { type: 'string' } } });
const replicas = Number(values.replicas ?? 2);
const objective = getObjective('eviction-hit-rate');

interface Knobs { perHit: number; perDepth: number; children: number }
const source = (k: Knobs): string => `import { defineEviction } from ${POLICY_API};
export default defineEviction({
  name: 'lru-sweep',
  priority: (b) => b.lastAccessMs + ${k.perHit * 1000} * b.hits + ${k.children * 1000} * b.cachedChildren - ${k.perDepth * 1000} * b.depth,
});
`;

const grid: Knobs[] = [];
for (const perHit of [0, 5, 30, 120]) for (const perDepth of [0, 0.02, 0.1, 0.5]) for (const children of [0, 600]) grid.push({ perHit, perDepth, children });
const t0 = Date.now();
const rows = await sweep(objective, grid, source, ['prefix_cache_reused_ratio', 'p95_ttft_ms', 'mean_ttft_ms'], replicas);
const lru = rows.find((r) => r.knobs.perHit === 0 && r.knobs.perDepth === 0 && r.knobs.children === 0)!;
const ranked = rows.map((r) => {
  let sc = 0, ok = true;
  for (const s of objective.search) {
    const a = r.m[s]!, b = lru.m[s]!;
    sc += a.prefix_cache_reused_ratio! / b.prefix_cache_reused_ratio! / objective.search.length;
    if (a.p95_ttft_ms! > 1.01 * b.p95_ttft_ms!) ok = false;
  }
  return { ...r, sc, ok };
}).sort((a, b) => Number(b.ok) - Number(a.ok) || b.sc - a.sc);
const cell = (m: Record<string, number>): string => `${(100 * m.prefix_cache_reused_ratio!).toFixed(1)} % / ${m.p95_ttft_ms!.toFixed(0)} ms`;
console.log(`eviction-hit-rate search scenarios, ${replicas} replicas, ${grid.length} settings, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`s/hit  s/depth  s/child  score   ${objective.search.map((s) => `${s} reuse / p95 TTFT`).join('   ')}`);
for (const r of ranked.slice(0, 12)) {
  console.log(`${String(r.knobs.perHit).padStart(5)}  ${String(r.knobs.perDepth).padStart(7)}  ${String(r.knobs.children).padStart(7)}  ${r.sc.toFixed(3)}${r.ok ? ' ' : '*'}  ${objective.search.map((s) => cell(r.m[s]!)).join('   ')}`);
}
console.log(`LRU: ${objective.search.map((s) => cell(lru.m[s]!)).join('   ')}; * = p95 TTFT worse than LRU's`);
