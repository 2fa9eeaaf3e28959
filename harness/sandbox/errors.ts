/**
 * Turns whatever a sandboxed evaluation threw into a SandboxFailure: isolate kills (memory, time),
 * errors the simulator raises on purpose (invariants, bad policy decisions) and plain candidate bugs,
 * the latter with the candidate source line found through the bundle's source map.
 */
import { CANDIDATE_FILENAME, type CandidateBundle } from './bundle.js';
import { failure, type SandboxFailure, type SourceLocation } from './result.js';
import { decodeMappings, originalPosition } from './source-map.js';

/**
 * What the sandbox says of a thrown value (sim/sandbox-entry.ts `describeThrown`): who raised it, by
 * identity, and its name, message and stack as bounded strings.
 */
export interface ThrownInfo {
  origin: 'invariant' | 'decision' | 'wrong-kind' | 'thrown';
  name: string;
  message: string;
  stack: string;
}

export interface ClassifyContext {
  candidate: CandidateBundle;
  cpuMs: number;
  wallMs: number;
  memoryMb: number;
  /** The host's wall-clock timer disposed the isolate. */
  killedByWall: boolean;
}

/** What the host itself saw when a step of the evaluation ended abnormally. */
export interface HostFacts {
  /** isolated-vm disposed the isolate for exceeding its memory limit (not the host's wall timer). */
  memoryLimit: boolean;
  /** The step ran for its whole CPU budget, or the wall timer fired. */
  deadline: 'cpu' | 'wall' | null;
}

/** isolated-vm answers import() with "Not supported": shown as a hint, never used to pick the kind. */
const IMPORT_HINT = ' (dynamic import() is not available in the sandbox; a candidate may import only the policy API)';

/**
 * The failure of a step that threw at the host boundary: decided only from what the host saw (the
 * isolate's state, the clock), never from the words of the error, which a candidate controls.
 */
export function classifyAbort(facts: HostFacts, ctx: ClassifyContext, said = ''): SandboxFailure {
  if (facts.memoryLimit) return failure('memory', `the candidate exceeded the memory limit of ${ctx.memoryMb} MB (the isolate was killed)`);
  if (facts.deadline === 'wall') return failure('timeout', `the evaluation exceeded the wall-clock limit of ${ctx.wallMs} ms (the isolate was killed)`);
  if (facts.deadline === 'cpu') return failure('timeout', `the evaluation exceeded the CPU-time limit of ${ctx.cpuMs} ms (an endless or far too slow loop?)`);
  // the words are shown, not believed (isolated-vm's refusal of import() arrives this way)
  const hint = said === 'Error: Not supported' ? IMPORT_HINT : '';
  return failure('runtime', `the candidate ended the evaluation abnormally: ${said || 'no reason given'}${hint}`);
}

/**
 * The failure for what the sandbox caught and described (sim/sandbox-entry.ts `describeThrown`). The
 * kind comes from the origin the simulator established by identity, and — for a candidate's own
 * throw — from the isolate's heap when it threw (`nearMemoryLimit`: an allocation refused at the
 * limit surfaces as a catchable RangeError), never from the error's name or message.
 */
export function classify(t: ThrownInfo, ctx: ClassifyContext, nearMemoryLimit = false): SandboxFailure {
  const location = candidateLocation(t.stack, ctx.candidate);
  const where = location ? `\n    at ${location.file}:${location.line}:${location.column}\n    ${location.lineText.trim()}` : '';
  if (t.origin === 'invariant') return failure('invariant', `simulator invariant broken: ${t.message}${where}`, location);
  if (t.origin === 'decision') return failure('invalid-decision', `${t.message}${where}`, location);
  if (t.origin === 'wrong-kind') return failure('wrong-kind', t.message);
  if (nearMemoryLimit) return failure('memory', `the candidate ran out of memory (limit ${ctx.memoryMb} MB): ${t.name}: ${t.message}${where}`, location);
  // isolated-vm's answer to import(): a hint only, the kind stays the host's (a candidate may throw these words too)
  const hint = t.message === 'Not supported' ? IMPORT_HINT : '';
  return failure('runtime', `${t.name}: ${t.message}${hint}${where}`, location);
}

/** The first stack frame in the candidate bundle, mapped back to the candidate's source. */
export function candidateLocation(stack: string, c: CandidateBundle): SourceLocation | undefined {
  const re = new RegExp(`${CANDIDATE_FILENAME.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`, 'g');
  let decoded: ReturnType<typeof decodeMappings> | null = null;
  for (const m of stack.matchAll(re)) {
    decoded ??= decodeMappings(c.map.mappings);
    const pos = originalPosition(decoded, c.map.sources, Number(m[1]), Number(m[2]));
    if (!pos || !pos.source.endsWith(c.file)) continue;
    return { file: c.file, line: pos.line, column: pos.column, lineText: c.source.split(/\r?\n/)[pos.line - 1] ?? '' };
  }
  return undefined;
}
