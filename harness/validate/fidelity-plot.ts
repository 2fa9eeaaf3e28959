import type { RowResult } from './simulate-row.js';
import { formatSummary, shortModel, type ValidationSummary } from './summary.js';

/** Colour-blind-safe palette (Okabe–Ito plus two), one per model in order of appearance. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#7F3C8D', '#11A579'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Predicted against measured on log-log axes (one SVG, self-contained): the diagonal is a perfect
 * prediction, the dashed lines are ±`band` (e.g. 0.25 = ±25 %). One colour per model.
 */
export function scatterSvg(results: RowResult[], metric: 'ttft' | 'tpot', band: number): string {
  const pts = results.filter((r) => r.skipped === null).map((r) => ({
    m: metric === 'ttft' ? r.measured_ttft_ms : r.measured_tpot_ms,
    p: (metric === 'ttft' ? r.predicted_ttft_ms : r.predicted_tpot_ms)!,
    model: shortModel(r.model),
    r,
  })).filter((q) => q.m > 0 && q.p > 0);
  const W = 560, H = 480, L = 64, R = 170, T = 30, B = 50;
  const pw = W - L - R, ph = H - T - B;
  const all = pts.flatMap((q) => [q.m, q.p]);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all, 1e9))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 1e-9))));
  const a = Math.log10(lo), b = Math.log10(Math.max(hi, lo * 10));
  const x = (v: number): number => L + ((Math.log10(v) - a) / (b - a)) * pw;
  const y = (v: number): number => T + ph - ((Math.log10(v) - a) / (b - a)) * ph;
  const models = [...new Set(pts.map((q) => q.model))].sort();
  const colour = new Map(models.map((m, i) => [m, PALETTE[i % PALETTE.length]!]));
  const out: string[] = [];
  const label = metric === 'ttft' ? 'TTFT' : 'TPOT';
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${L + pw / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${label}: predicted vs measured (${pts.length} rows)</text>`);
  for (let e = Math.round(a); e <= Math.round(b); e++) {
    const v = Math.pow(10, e);
    out.push(`<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${T + ph}" stroke="#eee"/><line x1="${L}" y1="${y(v)}" x2="${L + pw}" y2="${y(v)}" stroke="#eee"/>`);
    const t = v >= 1000 ? `${v / 1000} s` : `${v} ms`;
    out.push(`<text x="${x(v)}" y="${T + ph + 16}" text-anchor="middle">${t}</text><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${t}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<clipPath id="plot-${metric}"><rect x="${L}" y="${T}" width="${pw}" height="${ph}"/></clipPath>`);
  const line = (k: number, dash: string): string =>
    `<line x1="${x(lo)}" y1="${y(lo * k)}" x2="${x(hi)}" y2="${y(hi * k)}" stroke="#666" clip-path="url(#plot-${metric})" ${dash}/>`;
  out.push(line(1, ''));
  out.push(line(1 + band, 'stroke-dasharray="4 3"'));
  out.push(line(1 - band, 'stroke-dasharray="4 3"'));
  for (const q of pts) {
    const tip = `${q.r.id}: measured ${q.m.toFixed(1)} ms, predicted ${q.p.toFixed(1)} ms (${q.r.backend}, ${q.r.system}, ${q.r.mode}, ${q.r.isl}/${q.r.osl}, c${q.r.concurrency})`;
    out.push(`<circle cx="${x(q.m).toFixed(1)}" cy="${y(q.p).toFixed(1)}" r="3" fill="${colour.get(q.model)}" fill-opacity="0.7"><title>${esc(tip)}</title></circle>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${H - 12}" text-anchor="middle">measured ${label}</text>`);
  out.push(`<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">simulated ${label}</text>`);
  models.forEach((m, i) => {
    const ly = T + 10 + i * 16;
    out.push(`<circle cx="${L + pw + 16}" cy="${ly}" r="4" fill="${colour.get(m)}"/><text x="${L + pw + 26}" y="${ly + 4}">${esc(m)}</text>`);
  });
  out.push(`<text x="${L + pw + 10}" y="${T + ph - 4}" fill="#666">dashed: ±${Math.round(band * 100)} %</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** A self-contained HTML report: both scatters, the summary tables, and the skipped rows. */
export function validationHtml(file: string, results: RowResult[], summary: ValidationSummary, protocol: string): string {
  const skipped = results.filter((r) => r.skipped !== null);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinsearch validate: ${esc(file)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1200px}pre{background:#f6f6f6;padding:12px;overflow-x:auto}
.plots{display:flex;flex-wrap:wrap;gap:16px}svg{max-width:100%;height:auto}td,th{padding:2px 8px;text-align:left}</style></head>
<body><h1>Simulated vs measured serving: ${esc(file)}</h1>
<p>${esc(protocol)}</p>
<div class="plots">${scatterSvg(results, 'ttft', 0.25)}${scatterSvg(results, 'tpot', 0.12)}</div>
<h2>Errors</h2><pre>${esc(formatSummary(summary))}</pre>
${skipped.length > 0 ? `<h2>Skipped rows (${skipped.length})</h2><table><tr><th>line</th><th>id</th><th>reason</th></tr>${skipped.map((r) => `<tr><td>${r.line}</td><td>${esc(r.id)}</td><td>${esc(r.skipped!)}</td></tr>`).join('')}</table>` : ''}
</body></html>
`;
}
