import { nearFocus } from '../dashboard/scatter.js';
import { metricAxes, paddedRange } from '../dashboard/plot-axes.js';
import { basename } from 'node:path';
import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import { paretoFront } from '../../objectives/pareto.js';
import { change, fmt, metricRows, pairedSamplesOf, type PairedSamples, type RunInfo } from './run-info.js';
import { BASELINE_ID, type LedgerEntry } from '../runlog/run-log.js';

/** Exported so tests can look for these exact colours in screenshots. */
export const REPORT_COLORS = {
  front: '#f76707',
  accepted: '#4263eb',
  faded: '#868e96',
  baseline: '#111111',
  addBg: '#e6ffec',
  delBg: '#ffebe9',
  hunkBg: '#ddf4ff',
} as const;

export interface HtmlReportOptions {
  /** Restrict the per-candidate sections to this accepted candidate (the plot and lineage stay whole). */
  candidate?: string;
}

/**
 * A self-contained HTML report of a run: summary, Pareto front plot (inline SVG), lineage of the
 * accepted candidates and one section per accepted candidate with its diff and metric table.
 * Everything is inline so the file can be mailed or opened offline; every run-derived string is
 * escaped because candidate code and descriptions come from a proposer and are untrusted.
 */
export async function htmlReport(run: RunInfo, opts: HtmlReportOptions = {}): Promise<string> {
  const spec = run.spec;
  if (!spec) throw new Error(`${run.dir}: the run's objective ${run.config.objective} is unknown and run.json has no objective spec`);
  const byId = new Map<string, LedgerEntry>();
  for (const e of run.ledger) byId.set(e.id, e); // a candidate recorded twice: the later entry wins
  const acceptedById = new Map(run.ledger.filter((e) => e.status === 'accepted').map((e) => [e.id, e]));
  const front = parseFront(run.log.readFront());
  const frontIds = new Set(front.map((f) => f.id));
  const shown = opts.candidate === undefined ? run.accepted : run.accepted.filter((e) => e.id === opts.candidate);
  const sectionIds = new Set(shown.map((e) => e.id));

  const sections: string[] = [];
  for (const e of shown) {
    const diff = e.parent ? await run.log.diffBetween(e.parent, e.id) : '';
    sections.push(candidateSection(spec, e, diff, e.parent ? acceptedById.get(e.parent) : undefined, frontIds.has(e.id), sectionIds, pairedSamplesOf(run, e)));
  }

  const name = basename(run.dir);
  const body = [
    header(run, spec, name, front.length),
    plotSection(spec, byId, front, sectionIds),
    lineageSection(spec, acceptedById, run.accepted, frontIds, sectionIds),
    `<section id="accepted"><h2>Accepted candidates</h2>`,
    run.accepted.length === 0
      ? `<p class="empty">No candidate was accepted${run.counts.evaluated === 0 ? ' (nothing was evaluated yet)' : ''}: the baseline is still the best known policy.</p>`
      : opts.candidate !== undefined
        ? `<p class="note">Only <code>${esc(opts.candidate)}</code> is shown here (<code>--candidate</code>); the plot and the lineage cover the whole run.</p>`
        : `<p class="note">In the order they were accepted, each diffed against its parent.</p>`,
    ...sections,
    `</section>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`twinsearch · ${name} · ${spec.name}`)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
${body}
<footer>twinsearch review · ${esc(run.dir)}</footer>
</main>
</body>
</html>
`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface FrontMember { id: string; commit?: string; metrics?: ScenarioMetrics }

function parseFront(raw: unknown[]): FrontMember[] {
  const out: FrontMember[] = [];
  for (const f of raw) {
    if (typeof f !== 'object' || f === null || typeof (f as { id?: unknown }).id !== 'string') continue;
    const { id, commit, metrics } = f as { id: string; commit?: unknown; metrics?: unknown };
    out.push({ id, ...(typeof commit === 'string' ? { commit } : {}), ...(typeof metrics === 'object' && metrics !== null ? { metrics: metrics as ScenarioMetrics } : {}) });
  }
  return out;
}

function header(run: RunInfo, spec: Objective, name: string, frontSize: number): string {
  const c = run.counts;
  const cfg = run.config as { createdAt?: unknown; proposer?: unknown; seed?: unknown };
  const stat = (label: string, value: string, cls = ''): string => `<div${cls ? ` class="${cls}"` : ''}><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`;
  const meta = [
    typeof cfg.createdAt === 'string' ? `created <time datetime="${esc(cfg.createdAt)}">${esc(when(cfg.createdAt))}</time>` : '',
    typeof cfg.proposer === 'string' ? `proposer <code>${esc(cfg.proposer)}</code>` : '',
    typeof cfg.seed === 'number' ? `seed ${cfg.seed}` : '',
    `probe scenario <code>${esc(spec.search[0]!)}</code>`,
  ].filter(Boolean);
  return `<header>
<p class="kicker">twinsearch run</p>
<h1>${esc(name)}</h1>
<p class="objective"><strong>${esc(spec.name)}</strong> — ${esc(spec.description)}</p>
<dl class="stats">${stat('evaluated', String(c.evaluated))}${stat('accepted', String(c.accepted), 'good')}${stat('rejected', String(c.rejected))}${stat('failed', String(c.failed), c.failed ? 'bad' : '')}${stat('on the front', String(frontSize))}${stat('tokens', run.tokens.toLocaleString('en-US'))}${stat('spent', `$${run.usd.toFixed(4)}`)}</dl>
<p class="meta">${meta.join(' · ')}</p>
</header>`;
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// ---- Pareto front plot ----

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

function plotSection(spec: Objective, byId: Map<string, LedgerEntry>, front: FrontMember[], sectionIds: Set<string>): string {
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

// ---- lineage ----

function lineageSection(spec: Objective, acceptedById: Map<string, LedgerEntry>, accepted: LedgerEntry[], frontIds: Set<string>, sectionIds: Set<string>): string {
  const probe = spec.search[0]!, m0 = spec.metrics[0]!;
  const baseValue = acceptedById.get(BASELINE_ID)?.metrics?.[probe]?.[m0.key];
  const children = new Map<string, LedgerEntry[]>();
  const orphans: LedgerEntry[] = [];
  for (const e of accepted) {
    const p = e.parent ?? BASELINE_ID;
    if (p !== BASELINE_ID && !acceptedById.has(p)) {
      orphans.push(e);
      continue;
    }
    children.set(p, [...(children.get(p) ?? []), e]);
  }
  const node = (id: string, e: LedgerEntry | undefined, note = ''): string => {
    const link = sectionIds.has(id) ? `<a href="#cand-${esc(id)}"><code>${esc(id)}</code></a>` : `<code>${esc(id)}</code>`;
    const v = e?.metrics?.[probe]?.[m0.key];
    const c = id === BASELINE_ID ? undefined : change(baseValue, v);
    const val = v === undefined ? '' : ` <span class="val">${esc(m0.key)} ${esc(fmt(v))}${c ? ` (${esc(c)})` : ''}</span>`;
    return `<div class="node${frontIds.has(id) ? ' is-front' : ''}">${link} <span class="desc">${esc(e?.description ?? '')}</span>${frontIds.has(id) ? ' <span class="badge">front</span>' : ''}${val}${note ? ` <span class="note">${esc(note)}</span>` : ''}</div>`;
  };
  // a line of single descendants stays at one indentation; only a branch indents, so long chains fit
  const render = (id: string, note = ''): string => {
    const rows = [node(id, acceptedById.get(id), note)];
    let cur = id;
    while ((children.get(cur) ?? []).length === 1) {
      cur = children.get(cur)![0]!.id;
      rows.push(node(cur, acceptedById.get(cur)));
    }
    const kids = children.get(cur) ?? [];
    return `<li>${rows.join('')}${kids.length ? `<ul>${kids.map((k) => render(k.id)).join('')}</ul>` : ''}</li>`;
  };
  const orphanItems = orphans.map((e) => render(e.id, `(parent ${e.parent ?? '?'} is not in the ledger)`)).join('');
  return `<section id="lineage">
<h2>Lineage</h2>
<p class="note">Accepted candidates under the parent each was derived from; ↳ continues a line of single descendants, a branch indents. The value is ${esc(m0.key)} on <code>${esc(probe)}</code>, change against the baseline.</p>
<ul class="tree">${render(BASELINE_ID)}${orphanItems}</ul>
</section>`;
}

// ---- one accepted candidate ----

function candidateSection(spec: Objective, e: LedgerEntry, diff: string, parent: LedgerEntry | undefined, onFront: boolean, sectionIds: Set<string>, paired?: PairedSamples): string {
  const parentId = e.parent ?? 'none';
  const parentLink = e.parent && sectionIds.has(e.parent) ? `<a href="#cand-${esc(e.parent)}"><code>${esc(e.parent)}</code></a>` : `<code>${esc(parentId)}</code>`;
  const meta = [`parent ${parentLink}`, `proposer <code>${esc(e.proposer ?? '?')}</code>`];
  if (e.commit) meta.push(`commit <code title="${esc(e.commit)}">${esc(e.commit.slice(0, 12))}</code>`);
  if (e.tokens !== undefined || e.usd !== undefined) meta.push(`${(e.tokens ?? 0).toLocaleString('en-US')} tokens, $${(e.usd ?? 0).toFixed(4)}`);
  const diffHtml = diff
    ? `<pre class="diff">${diff.split('\n').map((l) => `<span class="${l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('\\') ? 'meta-line' : 'ctx'}">${esc(l) || ' '}</span>`).join('')}</pre>`
    : '<p class="empty">No change to candidate.ts.</p>';
  const rows = metricRows(spec, parent?.metrics, e.metrics ?? {}, paired);
  let lastScenario = '';
  const body = rows.map((r) => {
    const first = r.scenario !== lastScenario;
    lastScenario = r.scenario;
    const mark = r.mark === 'better' ? 'mark-better' : r.mark === 'worse' ? 'mark-worse' : 'mark-noise';
    return `<tr${first ? ' class="group"' : ''}><td>${first ? esc(r.scenario) : ''}</td><td>${esc(r.metric)}</td><td class="num">${esc(fmt(r.before))}</td><td class="arrow">→</td><td class="num">${esc(fmt(r.after))}</td><td class="num">${esc(r.change ?? '—')}</td><td class="${mark}">${esc(r.mark)}</td><td class="num">${r.z === undefined ? '' : Number.isFinite(r.z) ? `z ${r.z.toFixed(1)}` : 'exact'}</td></tr>`;
  }).join('');
  const table = `<div class="table-wrap"><table class="metrics"><thead><tr><th>scenario</th><th>metric</th><th class="num">${esc(parentId)}</th><th></th><th class="num">${esc(e.id)}</th><th class="num">change ±95 %</th><th></th><th class="num">confidence</th></tr></thead><tbody>${body}</tbody></table></div>`;
  return `<section class="candidate${onFront ? ' is-front' : ''}" id="cand-${esc(e.id)}">
<h3><code>${esc(e.id)}</code> ${esc(e.description ?? '(no description)')}${onFront ? ' <span class="badge">on the front</span>' : ''}</h3>
<p class="meta">${meta.join(' · ')}</p>
${diffHtml}
${table}
</section>`;
}

const C = REPORT_COLORS;
const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1060px;margin:0 auto;padding:28px 24px 48px}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:28px;line-height:1.2;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:20px;margin:40px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:16px;margin:0 0 4px;overflow-wrap:anywhere}
.kicker{margin:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.08em}
.objective{margin:0 0 14px}
.meta,.note,footer{color:var(--muted);font-size:13.5px}
.empty{color:var(--muted);font-style:italic}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 10px}
.stats div{border:1px solid var(--border);border-radius:8px;padding:6px 14px;min-width:96px;background:var(--soft)}
.stats dt{font-size:12px;color:var(--muted)}
.stats dd{margin:0;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.stats .good dd{color:#1a7f37}.stats .bad dd{color:#cf222e}
.plot-wrap{border:1px solid var(--border);border-radius:8px;padding:10px 10px 6px;overflow-x:auto}
#front-plot{display:block;width:100%;min-width:560px;height:auto;font-family:inherit}
#front-plot .frame{fill:#fff;stroke:#afb8c1}
#front-plot .grid{stroke:#eaeef2}
#front-plot .tick{font-size:11px;fill:var(--muted);font-variant-numeric:tabular-nums}
#front-plot .axis-title{font-size:12.5px;fill:var(--fg);font-weight:600}
#front-plot .better{fill:#1a7f37;font-weight:600}
#front-plot .empty-plot{fill:var(--muted);font-size:14px}
#front-plot .front-line{fill:none;stroke:${C.front};stroke-width:1.6;stroke-opacity:.55}
.point-faded{fill:${C.faded};fill-opacity:.35}
.point-accepted{fill:${C.accepted};fill-opacity:.85}
.point-front{fill:${C.front};stroke:#fff;stroke-width:1.5}
.point-baseline{fill:${C.baseline};stroke:#fff;stroke-width:1.2}
.point-baseline.on-front{stroke:${C.front};stroke-width:2}
#front-plot .label{font-size:11.5px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
#front-plot .label-front{fill:#b34700}#front-plot .label-baseline{fill:${C.baseline}}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;justify-content:center;font-size:12.5px;color:var(--muted);padding:4px 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
.legend .lg-front{background:${C.front};width:12px;height:12px}
.legend .lg-accepted{background:${C.accepted}}
.legend .lg-faded{background:${C.faded};opacity:.45}
.legend .lg-baseline{background:${C.baseline};border-radius:0;transform:rotate(45deg) scale(.85)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums;margin:10px 0}
caption{text-align:left;color:var(--muted);font-size:13px;padding-bottom:4px}
th,td{padding:3px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-weight:600;font-size:12.5px;color:var(--muted);border-bottom-color:var(--border)}
.num{text-align:right;white-space:nowrap}
td.arrow{color:var(--muted);padding:3px 0}
tr.group td{border-top:1px solid var(--border)}
td.desc{max-width:420px;overflow-wrap:anywhere}
.mark-better{color:#1a7f37;font-weight:600}.mark-worse{color:#cf222e;font-weight:600}.mark-noise{color:var(--muted)}
small{font-size:11.5px}
.badge{display:inline-block;font:600 11px/1.6 system-ui,sans-serif;padding:0 7px;border-radius:10px;background:#fff4e6;color:#b34700;border:1px solid #ffc078;vertical-align:2px}
.tree,.tree ul{list-style:none;margin:0;padding:0}
.tree ul{margin-left:9px;padding-left:16px;border-left:2px solid #eaeef2}
.tree li{margin:2px 0}
.tree .node{padding:1px 0;overflow-wrap:anywhere}
.tree .node+.node::before{content:"↳ ";color:#8c959f}
.tree .node.is-front code{color:#b34700;font-weight:600}
.tree .val{color:var(--muted);font-size:12.5px;font-variant-numeric:tabular-nums;margin-left:4px}
.candidate{border:1px solid var(--border);border-radius:8px;padding:14px 18px 8px;margin:18px 0}
.candidate.is-front{border-left:4px solid ${C.front}}
pre.diff{margin:12px 0;padding:6px 0;border:1px solid var(--border);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45;background:#fff}
pre.diff span{display:block;padding:0 12px}
pre.diff .add{background:${C.addBg}}
pre.diff .del{background:${C.delBg}}
pre.diff .hunk{background:${C.hunkBg};color:#0550ae}
pre.diff .meta-line{color:var(--muted)}
footer{margin-top:40px;border-top:1px solid var(--border);padding-top:8px;overflow-wrap:anywhere}
@media print{
  body{font-size:12px}main{max-width:none;padding:0}
  a{color:inherit}
  h2,h3{break-after:avoid}
  .plot-wrap,.candidate h3,.candidate .meta{break-inside:avoid}
  pre.diff{font-size:10.5px}
}
`.trim();
