/**
 * Turns whatever a sandboxed evaluation threw into a SandboxFailure: isolate kills (memory, time),
 * errors the simulator raises on purpose (invariants, bad policy decisions) and plain candidate bugs,
 * the latter with the candidate source line found through the bundle's source map.
 */
import { CANDIDATE_FILENAME, type CandidateBundle } from './bundle.js';
import { failure, type SandboxFailure, type SourceLocation } from './result.js';
import { decodeMappings, originalPosition } from './source-map.js';

/** The fields of a thrown error that survive the isolate boundary. */
export interface ThrownInfo {
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

const MEMORY_RANGE_ERRORS = ['Invalid string length', 'Array buffer allocation failed', 'Invalid array length', 'Invalid typed array length'];

export function thrownInfo(e: unknown): ThrownInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: typeof e.stack === 'string' ? e.stack : '' };
  let text: string;
  try { text = String(e); } catch { text = typeof e; }
  return { name: 'Thrown', message: `a non-Error value was thrown: ${text}`, stack: '' };
}

export function classify(t: ThrownInfo, ctx: ClassifyContext): SandboxFailure {
  const { name, message } = t;
  if (message.startsWith('Isolate was disposed during execution due to memory limit')) {
    return failure('memory', `the candidate exceeded the memory limit of ${ctx.memoryMb} MB (the isolate was killed)`);
  }
  if (ctx.killedByWall || message.startsWith('Isolate was disposed during execution')) {
    return failure('timeout', `the evaluation exceeded the wall-clock limit of ${ctx.wallMs} ms (the isolate was killed)`);
  }
  if (message === 'Script execution timed out.') {
    return failure('timeout', `the evaluation exceeded the CPU-time limit of ${ctx.cpuMs} ms (an endless or far too slow loop?)`);
  }
  const location = candidateLocation(t.stack, ctx.candidate);
  const where = location ? `\n    at ${location.file}:${location.line}:${location.column}\n    ${location.lineText.trim()}` : '';
  if (name === 'RangeError' && MEMORY_RANGE_ERRORS.some((m) => message.startsWith(m))) {
    return failure('memory', `RangeError: ${message} (memory exhausted)${where}`, location);
  }
  if (name === 'SimInvariantError') return failure('invariant', `simulator invariant broken: ${message}${where}`, location);
  if (name === 'PolicyDecisionError') return failure('invalid-decision', `${message}${where}`, location);
  if (message === 'Not supported') {
    return failure('import', `dynamic import() is not available in the sandbox; a candidate may import only the policy API${where}`, location);
  }
  return failure('runtime', `${name}: ${message}${where}`, location);
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
