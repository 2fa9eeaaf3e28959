/** A scatter plot drawn with characters, for the terminal. Pure: rows of marked segments, colours are the caller's. */

import { value } from './format.js';
import { paddedRange } from './plot-axes.js';

export type Mark = 'faded' | 'front' | 'baseline' | 'newest' | 'selected';

export interface ScatterPoint {
  x: number;
  y: number;
  mark: Mark;
}

export interface Segment {
  text: string;
  mark?: Mark | 'axis';
}

export const GLYPH: Record<Mark, string> = { faded: '·', front: '●', baseline: '◆', newest: '★', selected: '◉' };
// on a shared cell the more telling mark wins
const RANK: Record<Mark, number> = { faded: 0, front: 1, baseline: 2, newest: 3, selected: 4 };

/** Compact numbers for tick labels: 12345 → 12.3k, 2.5e6 → 2.5M; smaller ones as metric values (0.01234 → 0.012). */
function compact(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return value(x);
}

function range(v: number[]): [number, number] {
  if (v.length === 0 || !v.every(Number.isFinite)) return [0, 1];
  return paddedRange(v, 0.04);
}

/**
 * The points worth a plot's scale: the marked ones (front, baseline, …) and the faded ones within one
 * span of them on each side. A single disastrous candidate would otherwise squash the front into a corner.
 */
export function nearFocus<T extends { x: number; y: number }>(all: readonly T[], faded: (p: T) => boolean): { kept: T[]; off: number } {
  const marked = all.filter((p) => !faded(p));
  if (marked.length === 0) return { kept: [...all], off: 0 };
  const reach = (v: number[]): [number, number] => {
    const lo = Math.min(...v), hi = Math.max(...v);
    const span = Math.max(hi - lo, Math.abs(hi) * 0.05, 1e-9);
    return [lo - span, hi + span];
  };
  const [x0, x1] = reach(marked.map((p) => p.x)), [y0, y1] = reach(marked.map((p) => p.y));
  const kept = all.filter((p) => !faded(p) || (p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1));
  return { kept, off: all.length - kept.length };
}

/**
 * Rows of `width` characters, `height` rows in all: y tick labels on the left, the plot area, an x
 * axis and its tick labels. Larger y is up. Faded points far outside the span of the marked ones
 * are left out and counted (`offScale`).
 */
export function scatter(points: readonly ScatterPoint[], width: number, height: number): { rows: Segment[][]; offScale: number } {
  const all = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const pts = nearFocus(all, (p) => p.mark === 'faded').kept;
  const [x0, x1] = range(pts.map((p) => p.x));
  const [y0, y1] = range(pts.map((p) => p.y));
  const yTop = compact(y1), yBot = compact(y0);
  const left = Math.max(yTop.length, yBot.length);
  const w = Math.max(4, width - left - 1);
  const h = Math.max(2, height - 2);
  const grid: (Mark | null)[][] = Array.from({ length: h }, () => new Array<Mark | null>(w).fill(null));
  for (const p of pts) {
    const c = Math.round(((p.x - x0) / (x1 - x0)) * (w - 1));
    const r = h - 1 - Math.round(((p.y - y0) / (y1 - y0)) * (h - 1));
    const cur = grid[r]![c];
    if (cur == null || RANK[p.mark] > RANK[cur]) grid[r]![c] = p.mark;
  }
  const rows: Segment[][] = grid.map((cells, i) => {
    const label = i === 0 ? yTop : i === h - 1 ? yBot : '';
    const segs: Segment[] = [{ text: label.padStart(left), mark: 'axis' }, { text: '│', mark: 'axis' }];
    let run = '', runMark: Mark | null = null;
    const flush = (): void => {
      if (run) segs.push(runMark ? { text: run, mark: runMark } : { text: run });
      run = '';
    };
    for (const m of cells) {
      if (m !== runMark) {
        flush();
        runMark = m;
      }
      run += m ? GLYPH[m] : ' ';
    }
    flush();
    return segs;
  });
  rows.push([{ text: `${' '.repeat(left)}└${'─'.repeat(w)}`, mark: 'axis' }]);
  const xl = compact(x0), xr = compact(x1);
  rows.push([{ text: `${' '.repeat(left + 1)}${xl}${' '.repeat(Math.max(1, w - xl.length - xr.length))}${xr}`, mark: 'axis' }]);
  return { rows, offScale: all.length - pts.length };
}
