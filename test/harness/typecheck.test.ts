import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typecheckCandidate } from '../../harness/sandbox/typecheck.js';

const root = join(import.meta.dirname, '..', '..');

describe('candidate type check', () => {
  it('accepts every baseline module', () => {
    for (const f of ['router/dynamo-kv.ts', 'router/round-robin.ts', 'router/least-loaded.ts', 'planner/dynamo-sla.ts', 'planner/static.ts', 'eviction/lfu.ts']) {
      const file = join(root, 'candidates', f);
      expect(typecheckCandidate(readFileSync(file, 'utf8'), file), f).toBeNull();
    }
  });

  it('reports the first type error with file, line, column and the line', () => {
    const file = join(root, 'candidates/router/typo.ts');
    const src = `import { defineRouter } from '../../sim/policy/index.js';\n\nexport default defineRouter({ name: 'typo', cost: (_req, w) => w.overlapBlock });\n`;
    const f = typecheckCandidate(src, file)!;
    expect(f.kind).toBe('type');
    expect(f.message).toMatch(/TS2551: Property 'overlapBlock' does not exist.*Did you mean 'overlapBlocks'/);
    expect(f.location).toMatchObject({ file, line: 3, lineText: src.split('\n')[2] });
  });

  it('resolves twinsearch/policy and rejects Node globals (types: none)', () => {
    const ok = `import { defineEviction } from 'twinsearch/policy';\nexport default defineEviction({ priority: (b) => b.lastAccessMs });\n`;
    expect(typecheckCandidate(ok, '/tmp/anywhere/p.ts')).toBeNull();
    const node = `import { defineEviction } from 'twinsearch/policy';\nexport default defineEviction({ priority: () => process.uptime() });\n`;
    expect(typecheckCandidate(node, '/tmp/anywhere/p.ts')!.message).toMatch(/Cannot find name 'process'/);
  });

  it('catches wrong return types of policy functions', () => {
    const src = `import { definePlanner } from 'twinsearch/policy';\nexport default definePlanner({ decide: (o) => ({ workers: String(o.workers.active) }) });\n`;
    expect(typecheckCandidate(src, '/tmp/x/p.ts')!.message).toMatch(/not assignable/);
  });
});
