import type { Objective } from '../../objectives/objective.js';
import { failureKind, type SearchEvent } from '../search/search-events.js';

/**
 * The non-terminal form of the dashboard: one line per event, no escape codes, parseable —
 * `<ISO time> <event> [<candidate id>] key=value …`, where a value with spaces, quotes, `=` or
 * non-printing characters is a JSON string. Phase changes and single evaluations are left out
 * (the dashboard's detail); everything a log reader needs is there.
 */

function field(k: string, v: string | number | boolean): string {
  const s = String(v);
  return `${k}=${/^[^\s"=\\\x00-\x1f\x7f]+$/.test(s) ? s : JSON.stringify(s)}`;
}

function metricFields(o: Objective | undefined, metrics: Record<string, Record<string, number>> | undefined): string[] {
  if (!o || !metrics) return [];
  const probe = o.search[0]!;
  const m = metrics[probe];
  if (!m) return [];
  return [field('probe', probe), ...o.metrics.filter((k) => m[k.key] !== undefined).map((k) => field(k.key, Number(m[k.key]!.toPrecision(6))))];
}

export function formatEvent(e: SearchEvent, o: Objective | undefined): string | null {
  const at = (ms: number): string => new Date(ms).toISOString();
  switch (e.type) {
    case 'start':
      return [at(e.atMs), 'start', field('objective', e.objective), field('proposer', e.proposer), field('seed', e.seed), field('parallel', e.parallel),
        ...Object.entries(e.budgets).filter(([, v]) => v !== null).map(([k, v]) => field(`budget_${k}`, v!)), field('resumed', e.resumed), field('run', e.runDir)].join(' ');
    case 'message':
      return `${at(e.atMs)} ${e.level} ${field('text', e.text)}`;
    case 'result': {
      if (e.past) return null; // a resumed run's history: already in its ledger and earlier logs
      const x = e.entry;
      const parts = [at(x.atMs), x.status, x.id, ...(x.parent ? [field('parent', x.parent)] : [])];
      if (x.status === 'accepted') parts.push(...(x.commit ? [field('commit', x.commit.slice(0, 12))] : []), ...metricFields(o, x.metrics));
      if (x.status === 'failed') parts.push(field('kind', failureKind(x) ?? 'other'));
      if (x.status !== 'accepted') parts.push(field('reason', (x.reason ?? '').split('\n')[0]!));
      if (x.description) parts.push(field('desc', x.description));
      if (x.tokens) parts.push(field('tokens', x.tokens));
      if (x.usd) parts.push(field('usd', Number(x.usd.toFixed(6))));
      return parts.join(' ');
    }
    case 'paused':
      return `${at(e.atMs)} ${e.paused ? 'paused' : 'resumed'}`;
    case 'stopping':
      return `${at(e.atMs)} stopping ${field('text', 'no new candidates; those in flight are cancelled (no verdict, a resume proposes afresh)')}`;
    case 'done':
      return `${at(e.atMs)} done ${field('stopped_by', e.stoppedBy)}`;
    case 'front':
      return `${at(e.atMs)} front ${field('members', e.front.map((m) => m.id).join(','))}`;
    case 'phase':
    case 'evaluation':
      return null;
  }
}

export interface PlainLine {
  time: string;
  event: string;
  id?: string;
  fields: Record<string, string>;
}

/** Reads a line back (tests, and anyone post-processing a log). Null when it is not one of ours. */
export function parseLine(line: string): PlainLine | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([a-z]+)(?: (c\d+|baseline)(?= |$))?/.exec(line);
  if (!m) return null;
  const fields: Record<string, string> = {};
  const rest = line.slice(m[0].length);
  const re = / ([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|[^\s"]+)/gy;
  let at = 0, f: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((f = re.exec(rest))) {
    fields[f[1]!] = f[2]!.startsWith('"') ? (JSON.parse(f[2]!) as string) : f[2]!;
    at = re.lastIndex;
  }
  if (at !== rest.length) return null;
  return { time: m[1]!, event: m[2]!, ...(m[3] ? { id: m[3] } : {}), fields };
}
