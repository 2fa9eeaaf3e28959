import { Box, Text } from 'ink';
import { ratePerMinute, type DashboardState } from './state.js';
import { cut, duration } from './format.js';

function breakdown(m: Map<string, number>): string {
  if (m.size === 0) return '';
  return ` (${[...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join(', ')})`;
}

/** Candidates done, in flight and per minute; outcomes with rejections and failures by kind. */
export function ProgressPanel({ s, now, width }: { s: DashboardState; now: number; width: number }) {
  const c = s.counts;
  const rate = ratePerMinute(s, now);
  const flying = [...s.inFlight.values()].sort((a, b) => a.id.localeCompare(b.id));
  const flight = flying.length ? flying.map((f) => `${f.id} ${f.phase} ${duration(now - f.sinceMs)}`).join(', ') : s.state === 'finished' ? 'nothing' : s.state === 'paused' ? 'nothing (paused)' : 'nothing yet';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold>evaluated {c.evaluated}</Text>
        <Text> · {rate.toFixed(1)}/min · </Text>
        <Text color="green">✔ {c.accepted} accepted</Text>
        <Text> · </Text>
        <Text color="yellow">✘ {c.rejected} rejected{breakdown(s.rejectedByKind)}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text color={c.failed ? 'red' : undefined}>! {c.failed} failed{breakdown(s.failedByKind)}</Text>
        <Text dimColor>{cut(` · in flight ${flying.length}: ${flight}`, Math.max(0, width - 12))}</Text>
      </Text>
    </Box>
  );
}
