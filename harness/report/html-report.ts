import { basename } from 'node:path';
import type { Objective } from '../../objectives/objective.js';
import { change, fmt, metricRows, pairedSamplesOf, type PairedSamples, type RunInfo } from './run-info.js';
import { BASELINE_ID, type LedgerEntry } from '../runlog/ledger.js';
import { parseFront, plotSection } from './front-section.js';
import { esc } from './html-escape.js';
import { CSS } from './report-style.js';

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
