import type { Objective, ScenarioMetrics } from '../../objectives/objective.js';
import type { ScenarioSamples } from '../../objectives/paired.js';
import type { Member } from './archive.js';

const TRAILER = 'twinsearch-metrics:';

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** `key=value` of the objective's metrics on one scenario, for progress lines. */
export function metricsLine(o: Objective, m: Record<string, number>): string {
  return o.metrics.map((k) => `${k.key}=${fmt(m[k.key]!)}`).join(' ');
}

/** The commit message of an accepted candidate: what changed, metrics per scenario, delta against the parent. */
export function commitMessage(o: Objective, id: string, parent: Member, metrics: ScenarioMetrics, e: { description: string; proposer: string; tokens?: number; usd?: number }, samples?: ScenarioSamples): string {
  const lines = [`${id}: ${e.description}`, '', `parent: ${parent.id}   proposer: ${e.proposer}${e.tokens ? `   tokens: ${e.tokens}` : ''}${e.usd ? `   cost: $${e.usd.toFixed(4)}` : ''}`, ''];
  for (const s of [...o.search, ...o.heldOut]) {
    const m = metrics[s];
    if (!m) continue;
    const p = parent.metrics[s] ?? {};
    const parts = o.metrics.map((k) => {
      const a = m[k.key]!;
      const b = p[k.key];
      const d = b !== undefined && b !== 0 ? ` (${a >= b ? '+' : ''}${(((a - b) / Math.abs(b)) * 100).toFixed(1)}%)` : '';
      return `${k.key}=${fmt(a)}${d}`;
    });
    lines.push(`${s}${o.heldOut.includes(s) ? ' [held out]' : ''}: ${parts.join('  ')}`);
  }
  // machine-readable copy: a resumed run recovers accepted candidates from git if the ledger lost them
  lines.push('', `${TRAILER} ${JSON.stringify({ parent: parent.id === id ? null : parent.id, metrics, ...(samples ? { samples } : {}) })}`);
  return lines.join('\n') + '\n';
}

/** The metrics a commit message carries (null if it has none, or they do not parse). */
export function fromTrailer(message: string): { parent: string | null; metrics: ScenarioMetrics; samples?: ScenarioSamples } | null {
  const line = message.split('\n').find((l) => l.startsWith(TRAILER));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(TRAILER.length)) as { parent: string | null; metrics: ScenarioMetrics; samples?: ScenarioSamples };
  } catch {
    return null;
  }
}
