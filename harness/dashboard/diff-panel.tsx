import { Box, Text } from 'ink';
import { cut } from './format.js';

/** A front member's diff against its parent, scrollable. `diff` undefined while it loads. */
export function DiffPanel({ title, diff, offset, width, height }: { title: string; diff: string | undefined; offset: number; width: number; height: number }) {
  const lines = diff === undefined ? ['loading…'] : diff === '' ? ['(no change to candidate.ts: this is the root of the run)'] : diff.split('\n');
  const body = Math.max(1, height - 1);
  const from = Math.max(0, Math.min(offset, lines.length - body));
  const more = lines.length - from - body;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end" color="cyan">{cut(`${title}${lines.length > body ? `  [lines ${from + 1}–${Math.min(lines.length, from + body)} of ${lines.length}${more > 0 ? ', PgDn for more' : ''}]` : ''}`, width)}</Text>
      {lines.slice(from, from + body).map((l, i) => (
        <Text key={from + i} wrap="truncate-end" color={l.startsWith('@@') ? 'cyan' : l.startsWith('+') ? 'green' : l.startsWith('-') ? 'red' : undefined}>{l.replace(/\t/g, '  ') || ' '}</Text>
      ))}
    </Box>
  );
}
