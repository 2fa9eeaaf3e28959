import { Box, Text } from 'ink';
import type { DashboardState, FeedItem } from './state.js';
import { timeOfDay } from './format.js';

const STYLE: Record<FeedItem['kind'], { icon: string; color: string | undefined }> = {
  accepted: { icon: '✔', color: 'green' },
  rejected: { icon: '✘', color: undefined },
  failed: { icon: '!', color: 'red' },
  info: { icon: '·', color: 'cyan' },
  warning: { icon: '⚠', color: 'yellow' },
};

/** The latest events, newest at the bottom: accepted with their summary, rejections with the reason, failures with their kind. */
export function EventFeed({ s, width, height }: { s: DashboardState; width: number; height: number }) {
  const items = s.feed.slice(-Math.max(0, height - 1));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>latest events</Text>
      {items.length === 0 ? <Text dimColor>{s.state === 'starting' ? 'evaluating the baseline…' : 'no candidate has finished yet'}</Text> : null}
      {items.map((f, i) => {
        const st = STYLE[f.kind];
        return (
          <Text key={`${f.atMs}-${i}`} wrap="truncate-end" color={st.color} dimColor={f.kind === 'rejected'}>
            {timeOfDay(f.atMs)} {st.icon} {f.text.split('\n')[0]}
          </Text>
        );
      })}
    </Box>
  );
}
