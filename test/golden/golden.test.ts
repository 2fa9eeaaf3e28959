import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, goldenCases } from './cases.js';

// The simulator's and the search's outputs are pinned byte for byte: a refactoring keeps every one;
// a deliberate change of behaviour re-records them (`npm run golden:record`) and says why.
describe('golden outputs', () => {
  for (const c of goldenCases()) {
    it(c.name, async () => {
      const file = join(GOLDEN_DIR, `${c.name}.txt`);
      expect(existsSync(file), `${file} is missing: npm run golden:record`).toBe(true);
      const got = await c.run();
      // toBe on the whole text shows the first differing lines, not a hash
      expect(got).toBe(readFileSync(file, 'utf8'));
    });
  }
});
