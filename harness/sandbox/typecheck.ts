import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import ts from 'typescript';
import { DEFAULT_CANDIDATE_FILE, REPO_ROOT } from './bundle.js';
import { failure, type SandboxFailure } from './result.js';

const POLICY_API = join(REPO_ROOT, 'sim/policy/index.ts');

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
  skipLibCheck: true,
  isolatedModules: true,
  allowImportingTsExtensions: false,
  paths: { 'twinsearch/policy': [POLICY_API] },
};

/**
 * The only places the checker may read: TypeScript's own lib files and the simulator's sources (the
 * policy API and what it imports). A `/// <reference path>` or an import naming any other file on the
 * host is "not found" — its content never reaches a message.
 */
const READABLE_ROOTS = [dirname(ts.getDefaultLibFilePath(OPTIONS)), join(REPO_ROOT, 'sim')].map((d) => resolve(d) + sep);
const readable = (name: string): boolean => READABLE_ROOTS.some((r) => resolve(name).startsWith(r));

/** Parsed lib and simulator files, shared by every check (they never change within a process). */
const fileCache = new Map<string, ts.SourceFile>();

/**
 * Type-checks a candidate module against the policy API, in process (TypeScript's compiler API with
 * cached library and simulator sources: a few ms per candidate once warm). Returns the first error
 * in the candidate as a 'type' failure with its location and line, or null.
 */
export function typecheckCandidate(source: string, file = DEFAULT_CANDIDATE_FILE): SandboxFailure | null {
  // relative to the repository, as the bundler resolves it: the search names candidates by repo path
  const path = resolve(REPO_ROOT, file);
  const base = ts.createCompilerHost(OPTIONS, true);
  const host: ts.CompilerHost = {
    ...base,
    getSourceFile(name, lang) {
      if (resolve(name) === path) return ts.createSourceFile(name, source, lang, true);
      if (!readable(name)) return undefined;
      let sf = fileCache.get(name);
      if (!sf) {
        const text = base.readFile(name);
        if (text === undefined) return undefined;
        sf = ts.createSourceFile(name, text, lang, true);
        fileCache.set(name, sf);
      }
      return sf;
    },
    fileExists: (name) => resolve(name) === path || (readable(name) && base.fileExists(name)),
    readFile: (name) => (resolve(name) === path ? source : readable(name) ? base.readFile(name) : undefined),
    directoryExists: (d) => resolve(d) === dirname(path) || (readable(d + sep) && (base.directoryExists?.(d) ?? existsSync(d))),
    getDirectories: (d) => (readable(d + sep) ? base.getDirectories?.(d) ?? [] : []),
    realpath: (p) => p,
  };
  let sf: ts.SourceFile;
  let diags: ts.Diagnostic[];
  try {
    const program = ts.createProgram({ rootNames: [path], options: OPTIONS, host });
    sf = program.getSourceFile(path)!;
    diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  } catch (e) {
    // the checker's own recursion (types instantiated without end, nesting) overflowed the stack
    return failure('type', `${file}: the type check could not finish (${e instanceof RangeError ? 'types or expressions nest too deeply' : 'checker failure'})`);
  }
  const d = diags.find((x) => x.category === ts.DiagnosticCategory.Error);
  if (!d) return null;
  const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (d.start === undefined) return failure('type', `TS${d.code}: ${message}`);
  const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
  const lineText = source.split('\n')[line] ?? '';
  // the location first, as the bundler's syntax and import errors put it
  return failure('type', `${file}:${line + 1}:${character + 1}: TS${d.code}: ${message}\n    ${lineText.trim()}`, { file, line: line + 1, column: character + 1, lineText });
}
