import { basename } from 'node:path';
import { Box, Text } from 'ink';
import { activeMs, type DashboardState, type RunState } from './state.js';
import { clock, cut, dollars, tokens } from './format.js';

const STATE: Record<RunState, { label: string; color: string }> = {
  starting: { label: 'starting', color: 'yellow' },
  running: { label: 'running', color: 'green' },
  paused: { label: 'paused', color: 'yellow' },
  stopping: { label: 'stopping', color: 'yellow' },
  finished: { label: 'finished', color: 'cyan' },
  'not running': { label: 'not running', color: 'red' },
};

function stateLabel(s: DashboardState): string {
  if (s.state !== 'finished' || !s.stoppedBy) return STATE[s.state].label;
  return s.stoppedBy === 'signal' ? 'stopped' : s.stoppedBy === 'exhausted' ? 'finished (no new code to propose)' : `finished (${s.stoppedBy} budget)`;
}

/** Budgets used and left: "14/24 (10 left)", or the use alone when there is no limit. */
function budget(used: string, usedN: number, limit: number | null, fmtLimit: (n: number) => string, left: (n: number) => string): string {
  return limit === null ? used : `${used}/${fmtLimit(limit)} (${usedN >= limit ? 'spent' : `${left(limit - usedN)} left`})`;
}

/** Run header: what is searched, by whom, how long, and the budgets used and left. */
export function HeaderPanel({ s, now, width }: { s: DashboardState; now: number; width: number }) {
  const st = STATE[s.state];
  const kind = s.spec ? ` (${s.spec.kind})` : '';
  const title = `${s.spec?.name ?? '?'}${kind} · proposer ${s.proposer}${s.seed !== undefined ? ` · seed ${s.seed}` : ''} · ${s.parallel} in flight max`;
  const elapsed = activeMs(s, now);
  const b = s.budgets;
  const parts = [
    `candidates ${budget(String(s.counts.evaluated), s.counts.evaluated, b.iterations, String, String)}`,
    `time ${budget(clock(elapsed), elapsed, b.minutes === null ? null : b.minutes * 60_000, clock, clock)}`,
    `tokens ${budget(tokens(s.tokens), s.tokens, b.tokens, tokens, tokens)}`,
    `cost ${budget(dollars(s.usd), s.usd, b.usd, dollars, dollars)}`,
  ];
  const status = `● ${stateLabel(s)} ${clock(elapsed)}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Text bold color="cyan">twinsearch </Text>
        <Box flexGrow={1}><Text wrap="truncate-end">{cut(title, Math.max(0, width - 12 - status.length))}</Text></Box>
        <Text color={st.color} bold>{status}</Text>
      </Box>
      <Text wrap="truncate-end" dimColor>{cut(`${parts.join(' · ')} · ${basename(s.runDir)}`, width)}</Text>
    </Box>
  );
}
