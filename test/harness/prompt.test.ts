import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../../harness/propose/prompt.js';
import { getObjective } from '../../objectives/objectives.js';
import { Prng } from '../../sim/core/prng.js';

describe('the LLM proposer prompt', () => {
  const member = (id: string, source: string) => ({ id, source, metrics: { s: { gpu_hours: 1, sla_attainment: 0.9 } } });

  it.each([
    ['planner-cost-sla', ['hysteresis', 'predictive', 'queue-based', 'sla-lead', 'idle-release']],
    ['eviction-hit-rate', ['frequency', 'lineage', 'cost-aware', 'tail-first']],
    ['router-latency', ['imbalance-guard', 'lmetric', 'two-choices', 'queue-cap']],
  ])('for %s carries the idea library, the units and the front members\' code', (name, ideas) => {
    const objective = getObjective(name);
    const parent = member('c0003', '// PARENT CODE\n');
    const other = member('c0009', '// OTHER FRONT MEMBER\n');
    const p = buildPrompt({ id: 'c0010', objective, parent, front: [parent, other], rng: new Prng(1), recentFailures: ['timeout: too slow'] });
    for (const i of ideas) expect(p).toContain(`- ${i}: `);
    expect(p).not.toMatch(/idea: /); // the markers the offline proposer uses are not shown
    expect(p).toContain('// OTHER FRONT MEMBER');
    expect(p.split('// PARENT CODE').length - 1).toBe(1); // the parent once, in its own section
    expect(p).toContain('timeout: too slow');
    if (name === 'planner-cost-sla') expect(p).toMatch(/per-replay `state = \{ wants: \[\] as number\[\] \}`/);
    if (name === 'eviction-hit-rate') expect(p).toMatch(/milliseconds of recency/);
  });
});
