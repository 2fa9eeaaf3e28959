import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, goldenCases } from '../test/golden/cases.js';

/**
 * Records the golden outputs (test/golden/expected): run after a deliberate change of behaviour and
 * say in the commit why the outputs moved. `npm run golden:record [NAME-FILTER]`.
 */
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
mkdirSync(GOLDEN_DIR, { recursive: true });
for (const c of goldenCases()) {
  if (filter && !filter.test(c.name)) continue;
  const t0 = performance.now();
  writeFileSync(join(GOLDEN_DIR, `${c.name}.txt`), await c.run());
  process.stderr.write(`${c.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
