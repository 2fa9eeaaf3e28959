import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { getScenario } from '../../objectives/scenarios/index.js';

const root = join(import.meta.dirname, '..', '..');

describe('evaluation cache', () => {
  it('never simulates the same candidate on the same scenario twice, across evaluators', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-cache-'));
    const s = getScenario('shared-prefix-4x-h100-qwen32b-tp2');
    const file = join(root, 'candidates/router/least-loaded.ts');
    const a = new SandboxEvaluator({}, dir);
    const first = await a.evaluate(file, s);
    expect(a.cache.misses).toBe(1);
    const again = await a.evaluate(file, s);
    expect(a.cache.hits).toBe(1);
    expect(again).toMatchObject({ ok: true, report: (first as { report: unknown }).report });
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBe(1);
    const b = new SandboxEvaluator({}, dir); // a later run: served from disk
    const fromDisk = await b.evaluate(file, s);
    expect(b.cache.hits).toBe(1);
    expect(fromDisk).toMatchObject({ ok: true, report: (first as { report: unknown }).report });
  });
});
