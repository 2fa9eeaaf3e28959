/**
 * esbuild in memory: the simulator and the candidate become two IIFE scripts for one isolate.
 *
 * - The simulator bundle (sim/sandbox-entry.ts + the policy API) is built once per process and cached
 *   (`hash` names the exact build). Its `policy:candidate` import resolves to a small slot module that
 *   `loadCandidate()` fills from the candidate bundle's exports once the candidate has loaded.
 * - The candidate bundle is the candidate's source alone (a virtual module, loader 'ts'). Its imports
 *   of the policy API ('twinsearch/policy', or a path under sim/policy/) become a shim that reads the
 *   simulator's instance (`globalThis.__twinsearchPolicy`, set by the runner), so `defineRouter` and
 *   the error classes are the very ones the simulator checks against. Every other import is refused.
 * Building only the candidate per evaluation takes a few ms; rebuilding the simulator each time ~35 ms.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import ts from 'typescript';
import { failure, type SandboxFailure } from './result.js';
import type { RawSourceMap } from './source-map.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIM_DIR = join(REPO_ROOT, 'sim');
const POLICY_DIR = join(SIM_DIR, 'policy');
const POLICY_INDEX = join(POLICY_DIR, 'index.ts');

/** The bare specifier a candidate may use for the policy API. */
export const POLICY_SPECIFIER = 'twinsearch/policy';
/** Filenames the isolate shows in stack traces. */
export const SIM_FILENAME = 'twinsearch-sim.js';
export const CANDIDATE_FILENAME = 'twinsearch-candidate.js';
export const DEFAULT_MAX_SOURCE_BYTES = 64 * 1024;
/**
 * The candidate script catches what its own top level throws, inside the isolate: a thrown value that
 * crossed into the host would be read there (a `message` getter that never returns hung the host).
 * Banner and footer stay on the first and last line, so the source map's lines still hold.
 */
const CANDIDATE_THROWN = '__twinsearchCandidateThrown';
const CANDIDATE_BANNER = '"use strict";try{';
const CANDIDATE_FOOTER = `}catch(e){var ${CANDIDATE_THROWN}={thrown:e}}`;
/** Where a candidate notionally lives (relative imports resolve from here): candidates/<kind>/<name>.ts. */
export const DEFAULT_CANDIDATE_FILE = 'candidates/candidate/candidate.ts';

export interface SimBundle {
  code: string;
  /** sha256 of `code`: identifies the simulator build for content-addressed results. */
  hash: string;
  /** Whether sim/policy/index.ts existed (else the policy API is empty). */
  hasPolicyApi: boolean;
}

export interface CandidateBundle {
  code: string;
  /** Source map of `code` back to the candidate source. */
  map: RawSourceMap;
  /** The candidate's notional path, as reported in locations. */
  file: string;
  /** The candidate's source (for the line text of runtime error locations). */
  source: string;
}

export interface SandboxBundle {
  sim: SimBundle;
  candidate: CandidateBundle;
  /** Time to build the candidate (plus the simulator when it was not cached yet). */
  bundleMs: number;
}

export interface BundleOptions {
  /** Notional repo-relative path of the candidate; default DEFAULT_CANDIDATE_FILE. */
  file?: string;
  /** Source size cap in UTF-8 bytes; default 64 KB. */
  maxSourceBytes?: number;
}

const BASE: esbuild.BuildOptions = {
  bundle: true, write: false, format: 'iife', target: 'es2022', platform: 'neutral',
  charset: 'utf8', legalComments: 'none', logLevel: 'silent',
  // Both scripts strict as a whole: in sloppy code `fn.caller` and `fn.arguments` hand whoever can
  // name a running function its caller and its live arguments, which is how a candidate would reach
  // the simulator's inputs from inside a callback.
  banner: { js: '"use strict";' },
};

let simBundle: Promise<SimBundle> | null = null;

/** The simulator bundle, built on first use and then shared by every evaluation in this process. */
export function getSimBundle(): Promise<SimBundle> {
  simBundle ??= buildSim().catch((e: unknown) => {
    simBundle = null; // a broken sim/ (mid-edit) must not stick
    throw e;
  });
  return simBundle;
}

async function buildSim(): Promise<SimBundle> {
  const hasPolicyApi = existsSync(POLICY_INDEX);
  const entry = [
    `import { runGuarded, loadGuarded } from './sandbox-entry.js';`,
    `import { loadCandidate } from 'policy:candidate';`,
    // a plain copy of the namespace (whose getters would hide the values from the runner's deep freeze)
    hasPolicyApi ? `import * as policyNs from './policy/index.js';\nconst policyApi = { ...policyNs };` : `const policyApi = {};`,
    // read and deleted by the runner before any candidate code runs
    `globalThis.__twinsearchSim = { run: runGuarded, loadCandidate: () => loadGuarded(loadCandidate), policyApi };`,
  ].join('\n');
  const slot = [
    `let policy;`,
    `export { policy as default };`,
    // called by the runner after the candidate script ran (with a time limit: it may hit candidate getters);
    // what the candidate's top level threw was caught by the candidate bundle's own footer (CANDIDATE_FOOTER)
    `export function loadCandidate() {`,
    `  const t = globalThis.${CANDIDATE_THROWN};`,
    `  if (t !== undefined) throw t.thrown;`,
    `  const m = globalThis.__twinsearchCandidate;`,
    `  policy = m == null ? undefined : m.default;`,
    `}`,
  ].join('\n');
  const result = await esbuild.build({
    ...BASE,
    stdin: { contents: entry, resolveDir: SIM_DIR, sourcefile: 'sandbox-sim-entry.js', loader: 'js' },
    plugins: [{
      name: 'candidate-slot',
      setup(b) {
        b.onResolve({ filter: /^policy:candidate$/ }, () => ({ path: 'policy:candidate', namespace: 'slot' }));
        b.onLoad({ filter: /.*/, namespace: 'slot' }, () => ({ contents: slot, loader: 'js' }));
      },
    }],
  });
  const code = result.outputFiles![0]!.text;
  return { code, hash: createHash('sha256').update(code).digest('hex'), hasPolicyApi };
}

/**
 * Bundles a candidate and returns it with the (cached) simulator bundle, or a 'size', 'syntax' or
 * 'import' failure. Throws only for faults of the harness itself (e.g. sim/ does not build).
 */
export async function bundleCandidate(source: string, opts: BundleOptions = {}): Promise<{ ok: true; bundle: SandboxBundle } | SandboxFailure> {
  const t0 = performance.now();
  const file = opts.file ?? DEFAULT_CANDIDATE_FILE;
  const max = opts.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > max) return failure('size', `${file}: the candidate source is ${bytes} bytes; the limit is ${max} bytes (${Math.round(max / 1024)} KB)`);
  const refused = scanSource(source, file);
  if (refused) return refused;
  const sim = await getSimBundle();
  const candidateDir = dirname(resolve(REPO_ROOT, file));
  let result: esbuild.BuildResult;
  try {
    result = await esbuild.build({
      ...BASE,
      entryPoints: ['candidate'],
      outfile: CANDIDATE_FILENAME,
      globalName: '__twinsearchCandidate',
      banner: { js: CANDIDATE_BANNER },
      footer: { js: CANDIDATE_FOOTER },
      sourcemap: 'external',
      sourcesContent: false,
      // fixed compiler settings, whatever tsconfig lies around: strict mode, standard class fields, and
      // imports kept as written (an unused `import fs from 'node:fs'` is still refused)
      tsconfigRaw: { compilerOptions: { strict: true, useDefineForClassFields: true, target: 'ES2022', verbatimModuleSyntax: true } },
      plugins: [candidatePlugin(source, file, candidateDir, sim.hasPolicyApi)],
    });
  } catch (e) {
    const errors = (e as { errors?: esbuild.Message[] }).errors;
    if (!errors || errors.length === 0) throw e;
    return describeBuildError(errors[0]!, file, errors.length);
  }
  const out = result.outputFiles!;
  const js = out.find((f) => f.path.endsWith('.js'))!;
  const map = out.find((f) => f.path.endsWith('.js.map'))!;
  return {
    ok: true,
    bundle: {
      sim,
      candidate: { code: js.text, map: JSON.parse(map.text) as RawSourceMap, file, source },
      bundleMs: performance.now() - t0,
    },
  };
}

const IMPORT_ERROR = 'import-not-allowed';

/** A source-map comment: esbuild would read the file it names (any path on the host) while bundling. */
const SOURCE_MAP_COMMENT = /\/[/*][#@]\s*sourceMappingURL\s*=/;

/**
 * What the bundler cannot be trusted to refuse on its own: a source-map comment (the bundler would
 * open the file it names, /dev/zero or /proc/self/environ alike, and quote it in its error), and a
 * dynamic import() of a computed name (left in the bundle as it is, to fail only at run time). Also
 * the nesting depth: a parser recursing on 20 000 nested parentheses overflows the host's stack.
 */
function scanSource(source: string, file: string): SandboxFailure | null {
  const m = SOURCE_MAP_COMMENT.exec(source);
  if (m) {
    return located('import', file, source, m.index, 'a source-map comment is not allowed: a candidate is bundled alone, and the bundler would read the file it names');
  }
  const tooDeep = nestingTooDeep(source);
  if (tooDeep !== null) return located('syntax', file, source, tooDeep, `brackets nest deeper than ${MAX_NESTING} levels`);
  let sf: ts.SourceFile;
  try {
    sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  } catch (e) {
    return failure('syntax', `${file}: the source could not be parsed (${e instanceof RangeError ? 'it nests too deeply' : 'parser failure'})`);
  }
  // `/// <reference path|types|lib>`: the type checker would go and read them
  const ref = [...sf.referencedFiles, ...sf.typeReferenceDirectives, ...sf.libReferenceDirectives][0];
  if (ref) return located('import', file, source, ref.pos, 'a triple-slash reference is not allowed: a candidate may import only the policy API');
  const candidateDir = dirname(resolve(REPO_ROOT, file));
  const stack: ts.Node[] = [sf];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      return located('import', file, source, n.getStart(sf), 'dynamic import() is not allowed: a candidate may import only the policy API, statically');
    }
    // every module specifier, type-only imports and `import('x')` types included (the bundler never sees those)
    const spec = ts.isImportDeclaration(n) || ts.isExportDeclaration(n) ? n.moduleSpecifier
      : ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) ? n.argument.literal
      : ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) ? n.moduleReference.expression
      : undefined;
    if (spec !== undefined) {
      const text = ts.isStringLiteral(spec) ? spec.text : null;
      if (text === null || !isPolicyImport(text, candidateDir, existsSync(POLICY_INDEX))) {
        return located('import', file, source, spec.getStart(sf), `import of ${text === null ? 'a computed module' : `"${text}"`} is not allowed: a candidate may import only the policy API ('${POLICY_SPECIFIER}' or a module under sim/policy/), types included`);
      }
    }
    n.forEachChild((c) => { stack.push(c); });
  }
  return null;
}

/** Deep enough for any policy, shallow enough for every parser on the way (esbuild, TypeScript, V8). */
const MAX_NESTING = 500;

/** Offset of the first bracket that opens level MAX_NESTING + 1 (counting (, [ and { outside nothing else), or null. */
function nestingTooDeep(source: string): number | null {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 41 || c === 93 || c === 125) depth = Math.max(0, depth - 1);
  }
  return null;
}

function located(kind: 'import' | 'syntax', file: string, source: string, offset: number, text: string): SandboxFailure {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const lineText = source.split('\n')[line - 1] ?? '';
  return failure(kind, `${file}:${line}:${column}: ${text}\n    ${lineText.trim()}`, { file, line, column, lineText });
}

function candidatePlugin(source: string, file: string, candidateDir: string, hasPolicyApi: boolean): esbuild.Plugin {
  return {
    name: 'candidate',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: file, namespace: 'candidate' };
        if (args.namespace === 'candidate' && isPolicyImport(args.path, candidateDir, hasPolicyApi)) {
          return { path: POLICY_SPECIFIER, namespace: 'policy-api' };
        }
        const allowed = hasPolicyApi ? `'${POLICY_SPECIFIER}' or a module under sim/policy/` : `'${POLICY_SPECIFIER}'`;
        return { errors: [{ text: `import of "${args.path}" is not allowed: a candidate may import only the policy API (${allowed})`, detail: IMPORT_ERROR }] };
      });
      b.onLoad({ filter: /.*/, namespace: 'candidate' }, () => ({ contents: source, loader: 'ts', resolveDir: candidateDir }));
      // CommonJS on purpose: named imports are then read from the object at run time
      b.onLoad({ filter: /.*/, namespace: 'policy-api' }, () => ({ contents: 'module.exports = globalThis.__twinsearchPolicy;', loader: 'js' }));
    },
  };
}

/** 'twinsearch/policy', or a relative/absolute path to an existing module under sim/policy/. */
function isPolicyImport(spec: string, fromDir: string, hasPolicyApi: boolean): boolean {
  if (spec === POLICY_SPECIFIER) return true;
  if (!hasPolicyApi || !(spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec))) return false;
  const abs = resolve(fromDir, spec);
  const rel = relative(POLICY_DIR, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
  const base = abs.replace(/\.(js|ts)$/, '');
  return rel.split(sep).every((part) => part !== 'node_modules') && (existsSync(`${base}.ts`) || existsSync(join(base, 'index.ts')));
}

function describeBuildError(m: esbuild.Message, file: string, count: number): SandboxFailure {
  const kind = m.detail === IMPORT_ERROR || /^Could not resolve/.test(m.text) ? 'import' : 'syntax';
  const more = count > 1 ? ` (and ${count - 1} more error${count > 2 ? 's' : ''})` : '';
  const loc = m.location;
  // a message about any other file (a source map, a module on disk) is not quoted: it may hold host content
  if (loc && loc.file !== `candidate:${file}`) return failure(kind, `${file}: the bundler refused the candidate (${kind === 'import' ? 'an import' : 'a file it refers to'} outside the candidate)${more}`);
  if (!loc) return failure(kind, `${file}: ${m.text}${more}`);
  // esbuild: line 1-based, column 0-based
  const location = { file, line: loc.line, column: loc.column + 1, lineText: loc.lineText };
  const caret = `${' '.repeat(loc.column)}${'^'.repeat(Math.max(1, loc.length))}`;
  return failure(kind, `${file}:${location.line}:${location.column}: ${m.text}${more}\n    ${loc.lineText}\n    ${caret}`, location);
}
