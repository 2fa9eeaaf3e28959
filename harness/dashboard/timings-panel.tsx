import { Text } from 'ink';
import type { DashboardState } from './state.js';
import { cut, duration } from './format.js';

/** Where evaluation time goes: per sandboxed evaluation (bundle, isolate + load, replay) and per candidate. */
export function TimingsPanel({ s, width }: { s: DashboardState; width: number }) {
  const t = s.timings;
  const fresh = t.evaluations - t.cached;
  if (t.evaluations === 0) return <Text dimColor>sandbox: no evaluation timed yet</Text>;
  if (fresh === 0) return <Text dimColor wrap="truncate-end">{cut(`sandbox: all ${t.evaluations} evaluations so far came from the result cache`, width)}</Text>;
  const per = (x: number): string => duration(x / fresh);
  // most telling first: a narrow terminal cuts the end
  const line = `per evaluation: replay ${per(t.runMs)}, isolate+load ${per(t.compileMs)}, bundle+check ${per(t.bundleMs)}, wall ${duration(t.wallMs / t.evaluations)}`
    + `${t.candidates ? ` · per candidate ${duration(t.candidateMs / t.candidates)}` : ''} · ${t.evaluations} evaluations, ${t.cached} cached`;
  return <Text wrap="truncate-end" dimColor>{cut(line, width)}</Text>;
}
