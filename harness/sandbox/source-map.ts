/**
 * Just enough of Source Map v3 to turn a stack frame of the candidate bundle (esbuild's reprinted
 * JavaScript) back into a line of the candidate's TypeScript, so runtime errors point at code the
 * proposer wrote.
 */
export interface RawSourceMap {
  version: number;
  sources: string[];
  mappings: string;
}

/** Per generated line: segments [generatedColumn, sourceIndex, sourceLine, sourceColumn], 0-based, sorted. */
export type DecodedMap = number[][][];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) DIGIT[B64.charCodeAt(i)] = i;

export function decodeMappings(mappings: string): DecodedMap {
  const lines: DecodedMap = [];
  let line: number[][] = [];
  let src = 0, srcLine = 0, srcCol = 0, genCol = 0;
  let i = 0;
  const vlq = (): number => {
    let result = 0, shift = 0, digit: number;
    do {
      digit = DIGIT[mappings.charCodeAt(i++)]!;
      result += (digit & 31) << shift;
      shift += 5;
    } while (digit & 32);
    return result & 1 ? -(result >>> 1) : result >>> 1;
  };
  while (i <= mappings.length) {
    const ch = mappings[i];
    if (ch === undefined || ch === ';') {
      lines.push(line);
      line = [];
      genCol = 0;
      i++;
      continue;
    }
    if (ch === ',') { i++; continue; }
    genCol += vlq();
    const next = mappings[i];
    if (next !== undefined && next !== ',' && next !== ';') {
      src += vlq(); srcLine += vlq(); srcCol += vlq();
      if (mappings[i] !== undefined && mappings[i] !== ',' && mappings[i] !== ';') vlq(); // name index
      line.push([genCol, src, srcLine, srcCol]);
    }
  }
  return lines;
}

/** Original position (1-based line and column) of a generated 1-based line/column, or null. */
export function originalPosition(map: DecodedMap, sources: string[], line: number, column: number): { source: string; line: number; column: number } | null {
  const segs = map[line - 1];
  if (!segs || segs.length === 0) return null;
  let best: number[] | undefined;
  for (const s of segs) {
    if (s[0]! <= column - 1) best = s;
    else break;
  }
  best ??= segs[0]!;
  return { source: sources[best[1]!] ?? '', line: best[2]! + 1, column: best[3]! + 1 };
}
