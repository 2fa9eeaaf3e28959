import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The simulator's dependency picture (docs/architecture.md): folders from the bottom up; a file may
 * import from its own folder or from a folder below its own, never from one above. The top-level
 * files (replay, deployment, scenario configuration, sandbox entry) assemble everything.
 */
export const SIM_LAYERS = ['core', 'contracts', 'catalog', 'workload', 'timing', 'metrics', 'kvcache', 'engine', 'router', 'cluster', 'planner', 'policy', '.'] as const;

const SIM = join(import.meta.dirname, '..', '..', 'sim');

function simFiles(dir = SIM): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? simFiles(p) : f.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, re-exports and dynamic), resolved to repository paths under sim/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) out.push(normalize(join(dirname(file), `${m[1]}.ts`)));
  return out;
}

const folderOf = (file: string): string => {
  const rel = relative(SIM, file).split('/');
  return rel.length === 1 ? '.' : rel[0]!;
};

describe('simulator architecture', () => {
  const files = simFiles();
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('every folder of sim/ has its place in the picture', () => {
    const folders = new Set(files.map(folderOf));
    for (const f of folders) expect(SIM_LAYERS as readonly string[], `sim/${f} is not in SIM_LAYERS (test/sim/architecture.test.ts, docs/architecture.md)`).toContain(f);
  });

  it('no file imports from a folder above its own', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = SIM_LAYERS.indexOf(folderOf(file) as (typeof SIM_LAYERS)[number]);
      for (const d of deps) {
        if (!d.startsWith(SIM)) {
          wrong.push(`${relative(SIM, file)} imports ${d} outside sim/`);
          continue;
        }
        const to = SIM_LAYERS.indexOf(folderOf(d) as (typeof SIM_LAYERS)[number]);
        if (to > from) wrong.push(`sim/${relative(SIM, file)} (${folderOf(file)}) imports sim/${relative(SIM, d)} (${folderOf(d)}, above it)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycles, type imports included', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      state.set(f, 1);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].map((p) => relative(SIM, p)).join(' → '));
        else if (!state.has(d)) visit(d, [...path, d]);
      }
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });

  it('the checker sees a violation (it is not vacuous)', () => {
    const engine = files.find((f) => f.endsWith('engine/vllm-engine.ts'))!;
    expect(graph.get(engine)!.some((d) => folderOf(d) === 'kvcache')).toBe(true);
    expect(SIM_LAYERS.indexOf('kvcache')).toBeLessThan(SIM_LAYERS.indexOf('engine'));
  });
});

describe('source files stay small', () => {
  const ROOT = join(import.meta.dirname, '..', '..');
  const sources = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });

  it('no source file is over 400 lines unless its top says why one concept needs it', () => {
    const long: string[] = [];
    for (const dir of ['sim', 'harness', 'objectives', 'scripts', 'candidates']) {
      for (const file of sources(join(ROOT, dir))) {
        const lines = readFileSync(file, 'utf8').split('\n');
        if (lines.length <= 400) continue;
        // the reason sits in the file's opening comment
        if (!lines.slice(0, 40).some((l) => /Longer than 400 lines:/.test(l))) long.push(`${relative(ROOT, file)} (${lines.length} lines)`);
      }
    }
    expect(long).toEqual([]);
  });
});
