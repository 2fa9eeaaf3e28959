import { nearFocus } from '../dashboard/scatter.js';
import { metricAxes, paddedRange } from '../dashboard/plot-axes.js';
import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { paretoFront } from '../../objectives/pareto.js';
import { change, fmt } from './run-info.js';
import { BASELINE_ID, type LedgerEntry } from '../runlog/ledger.js';
import { esc } from './html-escape.js';

/** The report's Pareto front section: the run's front as written, its plot (inline SVG) and its table. */

export interface FrontMember { id: string; commit?: string; metrics?: ScenarioMetrics }

export function parseFront(raw: unknown[]): FrontMember[] {
  const out: FrontMember[] = [];
  for (const f of raw) {
    if (typeof f !== 'object' || f === null || typeof (f as { id?: unknown }).id !== 'string') continue;
    const { id, commit, metrics } = f as { id: string; commit?: unknown; metrics?: unknown };
    out.push({ id, ...(typeof commit === 'string' ? { commit } : {}), ...(typeof metrics === 'object' && metrics !== null ? { metrics: metrics as ScenarioMetrics } : {}) });
  }
  return out;
}

interface Axis {
  /** Short name for tooltips and tables. */
  name: string;
  /** Full axis title. */
  title: string;
  better?: 'min' | 'max';
  value: (m: ScenarioMetrics | undefined, order: number) => number | undefined;
}

function axesOf(spec: Objective): { x: Axis; y: Axis } {
  const { x, y } = metricAxes(spec);
  // the same metric on two scenarios: the names must say which is which
  const withScenario = y !== null && y.scenario !== x.scenario;
  const metricAxis = (a: { key: string; scenario: string; better: 'min' | 'max' }): Axis => ({
    name: withScenario ? `${a.key} (${a.scenario})` : a.key,
    title: `${a.key} on ${a.scenario}`,
    better: a.better,
    value: (m) => m?.[a.scenario]?.[a.key],
  });
  // one metric on one scenario: spread the values out by when they were evaluated
  return { x: metricAxis(x), y: y ? metricAxis(y) : { name: 'evaluation order', title: 'evaluation order (later is higher)', value: (_m, order) => order } };
}

type Kind = 'faded' | 'accepted' | 'front' | 'baseline';

interface Point { id: string; kind: Kind; front: boolean; x: number; y: number; px: number; py: number; title: string; merged: number }

export function niceScale(values: number[], count: number): { lo: number; hi: number; ticks: number[]; decimals: number } {
  const [lo, hi] = paddedRange(values, 0.06); // points kept off the frame
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.floor(lo / step), last = Math.ceil(hi / step);
  // multiples of the step, not a running sum: no floating-point drift in the labels
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => (first + i) * step);
  return { lo: first * step, hi: last * step, ticks, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

function tickLabel(v: number, decimals: number): string {
  return (Math.abs(v) < 10 ** -(decimals + 1) ? 0 : v).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const W = 760, H = 440, ML = 78, MR = 28, MT = 40, MB = 58;
const PW = W - ML - MR, PH = H - MT - MB;
const n1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function plotSection(spec: Objective, byId: Map<string, LedgerEntry>, front: FrontMember[], sectionIds: Set<string>): string {
  const { x: ax, y: ay } = axesOf(spec);
  const probe = spec.search[0]!;
  const frontById = new Map(front.map((f) => [f.id, f]));
  const raw: Omit<Point, 'px' | 'py' | 'merged'>[] = [];
  let order = 0, withMetrics = 0;
  // a front member whose ledger line was lost (a crash mid-write) is still on the front
  const lost: LedgerEntry[] = front.filter((f) => !byId.has(f.id)).map((f) => ({ id: f.id, parent: null, status: 'accepted', atMs: 0, ...(f.metrics ? { metrics: f.metrics } : {}) }));
  for (const e of [...byId.values(), ...lost]) {
    order++;
    const isFront = frontById.has(e.id);
    // the front's own copy of the metrics is what made it a member
    const m = (isFront ? frontById.get(e.id)!.metrics : undefined) ?? e.metrics;
    if (m && Object.keys(m).length > 0) withMetrics++;
    const x = ax.value(m, order), y = ay.value(m, order);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    const kind: Kind = e.id === BASELINE_ID ? 'baseline' : isFront ? 'front' : e.status === 'accepted' ? 'accepted' : 'faded';
    const lines = [`${e.id} · ${e.status}${isFront ? ' · on the front' : ''}`, e.description ?? '', e.reason && e.status !== 'accepted' ? `(${e.reason})` : '', `${ax.name}: ${fmt(x)}`, `${ay.name}: ${fmt(y)}`];
    raw.push({ id: e.id, kind, front: isFront, x, y, title: lines.filter(Boolean).join('\n') });
  }
  const near = nearFocus(raw, (p) => p.kind === 'faded');
  const evaluated = byId.size + lost.length;
  const caption: string[] = [];
  caption.push(`Every evaluated candidate with values on both axes, on <code>${esc(probe)}</code> (the probe scenario every candidate is scored on first, including the ones stopped early).`);
  if (raw.length < evaluated) {
    const noMetrics = evaluated - withMetrics, partial = withMetrics - raw.length;
    const why = [noMetrics ? `${noMetrics} without metrics (failed before a score)` : '', partial ? `${partial} without a value on one of the axes` : ''].filter(Boolean);
    caption.push(`Not shown: ${why.join(', ')}.`);
  }
  if (near.off) caption.push(`${near.off} rejected or failed candidate${near.off === 1 ? '' : 's'} far from the front (beyond one front-and-baseline span) ${near.off === 1 ? 'is' : 'are'} left off the scale.`);
  const corner = ax.better && ay.better ? `${ay.better === 'min' ? 'lower' : 'upper'} ${ax.better === 'min' ? 'left' : 'right'}` : ax.better === 'min' ? 'left' : 'right';
  caption.push(`Better is toward the <strong>${corner}</strong>. Hover a point for its id, description and values.`);

  let svg: string;
  if (raw.length === 0) {
    svg = `<svg id="front-plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="Pareto front plot: no data"><rect x="${ML}" y="${MT}" width="${PW}" height="${PH}" class="frame"/><text x="${ML + PW / 2}" y="${MT + PH / 2}" text-anchor="middle" class="empty-plot">no candidate has metrics yet</text></svg>`;
  } else {
    svg = plotSvg(near.kept, ax, ay);
  }
  const legend = `<div class="legend"><span><i class="lg-front"></i>on the front</span><span><i class="lg-accepted"></i>accepted, since dominated</span><span><i class="lg-baseline"></i>baseline</span><span><i class="lg-faded"></i>rejected or failed</span></div>`;
  return `<section id="front">
<h2>Pareto front</h2>
<div class="plot-wrap">${svg}${legend}</div>
<p class="note">${caption.join(' ')}</p>
${frontTable(spec, front, byId, sectionIds)}
</section>`;
}

function plotSvg(raw: Omit<Point, 'px' | 'py' | 'merged'>[], ax: Axis, ay: Axis): string {
  const xs = niceScale(raw.map((p) => p.x), 7), ys = niceScale(raw.map((p) => p.y), 6);
  const sx = (v: number): number => ML + ((v - xs.lo) / (xs.hi - xs.lo)) * PW;
  const sy = (v: number): number => MT + PH - ((v - ys.lo) / (ys.hi - ys.lo)) * PH;
  // Faded points closer than a couple of pixels look the same: keep one, so a run of tens of thousands of
  // candidates stays a file that opens quickly.
  const seen = new Map<string, Point>();
  const points: Point[] = [];
  for (const r of raw) {
    const p: Point = { ...r, px: sx(r.x), py: sy(r.y), merged: 0 };
    if (p.kind === 'faded') {
      const key = `${Math.round(p.px / 2)},${Math.round(p.py / 2)}`;
      const prev = seen.get(key);
      if (prev) {
        prev.merged++;
        continue;
      }
      seen.set(key, p);
    }
    points.push(p);
  }
  const out: string[] = [];
  out.push(`<svg id="front-plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`Pareto front: ${ax.title} against ${ay.title}`)}">`);
  out.push(`<rect x="${ML}" y="${MT}" width="${PW}" height="${PH}" class="frame"/>`);
  for (const t of xs.ticks) {
    const x = n1(sx(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${MT}" y2="${MT + PH}" class="grid"/><text x="${x}" y="${MT + PH + 18}" text-anchor="middle" class="tick">${esc(tickLabel(t, xs.decimals))}</text>`);
  }
  for (const t of ys.ticks) {
    const y = n1(sy(t));
    out.push(`<line x1="${ML}" x2="${ML + PW}" y1="${y}" y2="${y}" class="grid"/><text x="${ML - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${esc(tickLabel(t, ys.decimals))}</text>`);
  }
  const hint = (a: Axis, horizontal: boolean): string => (a.better === undefined ? '' : ` <tspan class="better">${horizontal ? (a.better === 'min' ? '← better' : 'better →') : a.better === 'min' ? '↓ better' : '↑ better'}</tspan>`);
  out.push(`<text x="${ML + PW / 2}" y="${H - 14}" text-anchor="middle" class="axis-title">${esc(ax.title)}${hint(ax, true)}</text>`);
  out.push(`<text x="${ML}" y="${MT - 14}" text-anchor="start" class="axis-title">${esc(ay.title)}${hint(ay, false)}</text>`);

  const frontPts = points.filter((p) => p.front);
  if (ax.better && ay.better && frontPts.length > 1) out.push(stepLine(frontPts, ax.better, ay.better));

  const title = (p: Point): string => `<title>${esc(p.title + (p.merged ? `\n(+${p.merged} more at this spot)` : ''))}</title>`;
  const order: Kind[] = ['faded', 'accepted', 'baseline', 'front'];
  for (const kind of order) {
    for (const p of points.filter((q) => q.kind === kind)) {
      const cx = n1(p.px), cy = n1(p.py);
      if (kind === 'baseline') {
        const d = 7.5;
        out.push(`<path class="point-baseline${p.front ? ' on-front' : ''}" d="M${cx} ${n1(p.py - d)}L${n1(p.px + d)} ${cy}L${cx} ${n1(p.py + d)}L${n1(p.px - d)} ${cy}Z">${title(p)}</path>`);
      } else {
        const r = kind === 'front' ? 6.5 : kind === 'accepted' ? 4.5 : 3.5;
        out.push(`<circle class="point-${kind}" cx="${cx}" cy="${cy}" r="${r}">${title(p)}</circle>`);
      }
    }
  }
  out.push(labels(points.filter((p) => p.kind === 'front' || p.kind === 'baseline')));
  out.push('</svg>');
  return out.join('');
}

/** The 2-D attainment staircase through the front members that are not dominated in this projection. */
function stepLine(pts: Point[], bx: 'min' | 'max', by: 'min' | 'max'): string {
  const betterX = (a: number, b: number): boolean => (bx === 'min' ? a < b : a > b);
  const betterY = (a: number, b: number): boolean => (by === 'min' ? a < b : a > b);
  // the plot shows a projection of a front over more metrics and scenarios: some members are dominated here
  const nd = paretoFront(pts.map((p) => [p.x, p.y]), [bx, by]).map((i) => pts[i]!);
  if (nd.length < 2) return '';
  nd.sort((a, b) => a.px - b.px);
  let d = `M${n1(nd[0]!.px)} ${n1(nd[0]!.py)}`;
  for (let i = 1; i < nd.length; i++) {
    const a = nd[i - 1]!, b = nd[i]!;
    // the corner is the worse coordinate of each pair: the edge of the region the front dominates
    const cx = betterX(a.x, b.x) ? b.px : a.px, cy = betterY(a.y, b.y) ? b.py : a.py;
    d += `L${n1(cx)} ${n1(cy)}L${n1(b.px)} ${n1(b.py)}`;
  }
  return `<path class="front-line" d="${d}"/>`;
}

/** Id labels next to the highlighted points, skipping a label that would overlap one already placed. */
function labels(pts: Point[]): string {
  const placed: { x0: number; y0: number; x1: number; y1: number }[] = [];
  const out: string[] = [];
  // baseline first: its label is the one a reader looks for
  for (const p of [...pts].sort((a, b) => (a.kind === 'baseline' ? -1 : b.kind === 'baseline' ? 1 : 0))) {
    const text = p.kind === 'baseline' ? 'baseline' : p.id;
    const w = text.length * 6.8 + 2, h = 13;
    const tries = [[10, -8], [10, 16], [-10 - w, -8], [-10 - w, 16], [-w / 2, -13], [-w / 2, 24]] as const;
    for (const [dx, dy] of tries) {
      const box = { x0: p.px + dx, y0: p.py + dy - h + 3, x1: p.px + dx + w, y1: p.py + dy + 3 };
      if (box.x0 < ML || box.x1 > ML + PW || box.y0 < MT || box.y1 > MT + PH) continue;
      if (placed.some((b) => box.x0 < b.x1 && box.x1 > b.x0 && box.y0 < b.y1 && box.y1 > b.y0)) continue;
      placed.push(box);
      out.push(`<text x="${n1(box.x0)}" y="${n1(p.py + dy)}" class="label label-${p.kind === 'baseline' ? 'baseline' : 'front'}">${esc(text)}</text>`);
      break;
    }
  }
  return out.join('');
}

function frontTable(spec: Objective, front: FrontMember[], byId: Map<string, LedgerEntry>, sectionIds: Set<string>): string {
  if (front.length === 0) return '<p class="empty">The run has not written a front yet.</p>';
  const probe = spec.search[0]!;
  const base = byId.get(BASELINE_ID)?.metrics?.[probe];
  const m0 = spec.metrics[0]!;
  const rows = [...front].sort((a, b) => {
    const va = a.metrics?.[probe]?.[m0.key] ?? Infinity, vb = b.metrics?.[probe]?.[m0.key] ?? Infinity;
    return m0.better === 'min' ? va - vb : vb - va;
  });
  const head = spec.metrics.map((m) => `<th class="num">${esc(m.key)}</th>`).join('');
  const body = rows.map((f) => {
    const e = byId.get(f.id);
    const m = f.metrics?.[probe] ?? e?.metrics?.[probe];
    const cells = spec.metrics.map((k) => {
      const v = m?.[k.key], b = base?.[k.key];
      const c = f.id === BASELINE_ID ? undefined : change(b, v);
      const good = v !== undefined && b !== undefined && v !== b ? (v < b) === (k.better === 'min') : undefined;
      return `<td class="num">${esc(fmt(v))}${c ? ` <small class="${good === undefined ? 'mark-noise' : good ? 'mark-better' : 'mark-worse'}">${esc(c)}</small>` : ''}</td>`;
    }).join('');
    const id = !sectionIds.has(f.id) ? `<code>${esc(f.id)}</code>` : `<a href="#cand-${esc(f.id)}"><code>${esc(f.id)}</code></a>`;
    return `<tr><td>${id}</td><td class="desc">${esc(e?.description ?? '')}</td>${cells}</tr>`;
  }).join('');
  return `<div class="table-wrap"><table class="front-table"><caption>The current front (${front.length}) on <code>${esc(probe)}</code>, change against the baseline</caption><thead><tr><th>id</th><th>description</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}
