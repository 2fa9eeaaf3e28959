import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRun } from '../../harness/report/run-info.js';
import { htmlReport } from '../../harness/report/html-report.js';
import type { LedgerEntry } from '../../harness/runlog/run-log.js';
import { buildEmptyRun, buildRun, HOSTILE, metrics, objective } from '../helpers/run-fixture.js';
import { cli } from '../helpers/cli.js';

const count = (s: string, re: RegExp): number => [...s.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))].length;
const noWarn = (m: string): never => {
  throw new Error(`unexpected warning: ${m}`);
};

let tmp: string, dir: string, html: string, file: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ts-html-'));
  dir = await buildRun(tmp);
  file = join(tmp, 'out', 'nested', 'report.html'); // parents that do not exist yet
  const r = cli(['review', dir, '--html', file]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toBe(`wrote ${file}\n`); // the path only: no text report
  html = readFileSync(file, 'utf8');
});

describe('twinsearch review --html', () => {
  it('is one self-contained file: no scripts, no network references', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html.trimEnd()).toMatch(/<\/html>$/);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i); // protocol-relative too
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/@import|url\(/i);
    for (const m of html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)) expect(m[1]).toMatch(/^(#|data:)/);
    expect(html.length).toBeLessThan(60_000);
  });

  it('has the header: run name, objective, counts, spending, creation time and proposer', () => {
    expect(html).toContain('<h1>run-a</h1>');
    expect(html).toContain(`<strong>router-latency</strong> — ${objective.description}`);
    for (const [label, v] of [['evaluated', '6'], ['accepted', '3'], ['rejected', '2'], ['failed', '1'], ['on the front', '2'], ['tokens', '150'], ['spent', '$0.0150']]) {
      expect(html).toMatch(new RegExp(`<dt>${label}</dt><dd>${v!.replace('$', '\\$')}</dd>`));
    }
    expect(html).toContain('created <time datetime="2025-01-02T03:04:05.000Z">2025-01-02 03:04:05 UTC</time>');
    expect(html).toContain('proposer <code>mutate</code>');
  });

  it('plots the front in inline SVG: faded others, the baseline diamond, the front highlighted with tooltips', () => {
    const svg = /<svg id="front-plot"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).not.toBe('');
    // c0002 was stopped after the probe: it is plotted all the same
    expect(count(svg, /<circle class="point-faded"/)).toBe(2);
    expect(count(svg, /<circle class="point-front"/)).toBe(2);
    expect(count(svg, /<circle class="point-accepted"/)).toBe(1);
    expect(count(svg, /<path class="point-baseline"/)).toBe(1);
    expect(svg).toContain('<text x="'); // labels and ticks
    expect(svg).toMatch(/class="label label-front">c0001<\/text>/);
    expect(svg).toMatch(/class="label label-front">c0004<\/text>/);
    expect(svg).toMatch(/class="label label-baseline">baseline<\/text>/);
    expect(svg).toContain(`p95_ttft_ms on ${objective.search[0]} <tspan class="better">← better</tspan>`);
    expect(svg).toContain(`mean_ttft_ms on ${objective.search[0]} <tspan class="better">↓ better</tspan>`);
    expect(svg).toMatch(/<circle class="point-front"[^>]*><title>c0001 · accepted · on the front\nhalve decode\np95_ttft_ms: 700\.00\nmean_ttft_ms: 290\.00<\/title><\/circle>/);
    expect(svg).toMatch(/<circle class="point-faded"[^>]*><title>c0002 · rejected\nworse\n\(clearly worse than c0001 \(stopped early\)\)/);
    expect(svg).toContain('class="front-line"');
    // nice round ticks
    expect(svg).toMatch(/class="tick">700<\/text>/);
    expect(svg).toMatch(/class="tick">250<\/text>/);
    expect(html).toContain('Not shown: 1 without metrics (failed before a score).');
    expect(html).toContain('Better is toward the <strong>lower left</strong>.');
  });

  it('draws the lineage as a tree from the baseline, with links to the sections and the front marked', () => {
    const tree = /<ul class="tree">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(tree).toMatch(/^<ul class="tree"><li><div class="node"><code>baseline<\/code>/);
    // c0001 → c0004 is a line (same list item), c0006 a second branch off the baseline
    expect(tree).toMatch(/<ul><li><div class="node is-front"><a href="#cand-c0001"><code>c0001<\/code><\/a> <span class="desc">halve decode<\/span> <span class="badge">front<\/span>[^]*?<\/div><div class="node is-front"><a href="#cand-c0004">[^]*?<\/li><li><div class="node"><a href="#cand-c0006">/);
    expect(tree).toContain('p95_ttft_ms 700.00 (−12.5%)');
  });

  it('has one section per accepted candidate, in acceptance order, with a coloured diff and the metric table', () => {
    const ids = [...html.matchAll(/<section class="candidate[^"]*" id="cand-([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(['c0001', 'c0004', 'c0006']);
    const c1 = /<section class="candidate[^"]*" id="cand-c0001">[\s\S]*?<\/section>/.exec(html)![0];
    expect(c1).toContain('<span class="badge">on the front</span>');
    expect(c1).toMatch(/parent <code>baseline<\/code> · proposer <code>mutate<\/code> · commit <code title="[0-9a-f]{40}">[0-9a-f]{12}<\/code>/);
    expect(c1).toContain('<pre class="diff"><span class="hunk">@@ -1 +1 @@</span>');
    expect(c1).toContain('<span class="del">-export const cost = (prefill: number, decode: number) =&gt; 1.0 * prefill + decode;</span>');
    expect(c1).toContain('<span class="add">+export const cost = (prefill: number, decode: number) =&gt; 1.0 * prefill + 0.5 * decode;</span>');
    expect(c1).toMatch(/<td>conversation-8x-poly<\/td><td>p95_ttft_ms<\/td><td class="num">800\.00<\/td><td class="arrow">→<\/td><td class="num">700\.00<\/td><td class="num">−12\.5%<\/td><td class="mark-better">better<\/td>/);
    expect(c1).toMatch(/<td>mean_tpot_ms \(≤ 50\)<\/td><td class="num">20\.00<\/td><td class="arrow">→<\/td><td class="num">20\.00<\/td><td class="num">\+0\.0%<\/td><td class="mark-noise">within noise<\/td>/);
    // c0004 against c0001, its parent, with a link to it
    const c4 = /<section class="candidate[^"]*" id="cand-c0004">[\s\S]*?<\/section>/.exec(html)![0];
    expect(c4).toContain('parent <a href="#cand-c0001"><code>c0001</code></a>');
    expect(c4).toContain('<span class="add">+export const cost = (prefill: number, decode: number) =&gt; 1.5 * prefill + 0.5 * decode;</span>');
    expect(c4).toMatch(/<td class="num">\+2\.9%<\/td><td class="mark-worse">worse<\/td>/);
    expect(html).not.toContain('id="cand-baseline"');
  });

  it('escapes untrusted descriptions everywhere they appear', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
    const escaped = 'weigh prefill &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;';
    expect(count(html, new RegExp(escaped.replace(/[()]/g, '\\$&')))).toBeGreaterThanOrEqual(4); // tooltip, front table, lineage, section
    expect(HOSTILE).toContain('<script>');
  });

  it('restricts the diff sections to one candidate with --candidate, the plot and lineage still whole', () => {
    const one = join(tmp, 'one.html');
    const r = cli(['review', dir, '--html', one, '--candidate', 'c0004']);
    expect(r.code).toBe(0);
    const h = readFileSync(one, 'utf8');
    expect([...h.matchAll(/<section class="candidate[^"]*" id="cand-([^"]+)">/g)].map((m) => m[1])).toEqual(['c0004']);
    expect(h).toContain('Only <code>c0004</code> is shown here');
    expect(count(h, /<circle class="point-front"/)).toBe(2);
    expect(h).toContain('<div class="node is-front"><code>c0001</code>'); // in the lineage, without a dead link
    expect(h).not.toContain('href="#cand-c0001"');
  });

  it('refuses --html with --markdown, and names the path when its directory cannot be created', () => {
    const both = cli(['review', dir, '--html', join(tmp, 'x.html'), '--markdown']);
    expect(both.code).toBe(2);
    expect(both.err).toBe('twinsearch review: --html and --markdown are two formats of the same report; give one of them');
    expect(existsSync(join(tmp, 'x.html'))).toBe(false);
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const bad = join(blocker, 'sub', 'r.html');
    const r = cli(['review', dir, '--html', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`twinsearch review: cannot write the HTML report ${bad}: cannot create its directory ${join(blocker, 'sub')}`);
    expect(r.err).toContain('ENOTDIR');
    expect(r.out).toBe('');
    const help = cli(['review', '--help']);
    expect(help.out).toContain('--html FILE');
    expect(help.out).toContain('self-contained HTML report');
  });
});

describe('htmlReport on unusual runs', () => {
  it('reports a run that evaluated only its baseline: the plot with the baseline alone', async () => {
    const run = loadRun(await buildEmptyRun(), noWarn);
    const h = await htmlReport(run);
    expect(h).toContain('<svg id="front-plot"');
    expect(count(h, /<path class="point-baseline on-front"/)).toBe(1);
    expect(count(h, /<circle /)).toBe(0);
    expect(h).toContain('No candidate was accepted (nothing was evaluated yet)');
    expect(h).not.toContain('class="candidate');
    expect(h).toMatch(/<dt>evaluated<\/dt><dd>0<\/dd>/);
    expect(h.trimEnd()).toMatch(/<\/html>$/);
  });

  it('plots one metric against itself on the second search scenario, leaving out candidates stopped after the probe', async () => {
    const one = { ...objective, metrics: [objective.metrics[0]!] };
    const run = loadRun(await buildRun(mkdtempSync(join(tmpdir(), 'ts-html-')), one), noWarn);
    const h = await htmlReport(run);
    expect(h).toContain(`p95_ttft_ms on ${one.search[0]} <tspan class="better">← better</tspan>`);
    expect(h).toContain(`p95_ttft_ms on ${one.search[1]} <tspan class="better">↓ better</tspan>`);
    expect(count(h, /<circle class="point-faded"/)).toBe(1); // c0002 has the probe only
    expect(h).toContain('Not shown: 1 without metrics (failed before a score), 1 without a value on one of the axes.');
  });

  it('plots one metric on one scenario by evaluation order', async () => {
    const o = { ...objective, search: [objective.search[0]!], metrics: [objective.metrics[0]!] };
    const run = loadRun(await buildRun(mkdtempSync(join(tmpdir(), 'ts-html-')), o), noWarn);
    const h = await htmlReport(run);
    expect(h).toContain('>evaluation order (later is higher)</text>');
    expect(count(h, /<circle class="point-(faded|front|accepted)"/)).toBe(5);
    expect(h).toContain('Better is toward the <strong>left</strong>.');
  });

  it('stays small for a long run: faded points at the same pixel are merged', async () => {
    const run = loadRun(dir, noWarn);
    const many: LedgerEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: `r${i}`, parent: 'baseline', status: 'rejected', reason: 'dominated', description: `try ${i}`, atMs: 10 + i,
      metrics: metrics(750 + (i % 40) * 5, 260 + (Math.floor(i / 40) % 25) * 3, objective, true),
    }));
    const h = await htmlReport({ ...run, ledger: [...run.ledger, ...many] });
    expect(count(h, /<circle class="point-faded"/)).toBeLessThanOrEqual(1000 + 2);
    expect(h).toContain('more at this spot)</title>');
    expect(h.length).toBeLessThan(400_000);
  });

  it('refuses a run without an objective spec', async () => {
    const run = loadRun(dir, noWarn);
    await expect(htmlReport({ ...run, spec: undefined })).rejects.toThrow(/objective router-latency is unknown/);
  });
});
