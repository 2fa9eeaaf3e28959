import { Box, Text } from 'ink';
import { BASELINE_ID } from '../runlog/run-log.js';
import type { FrontMember } from '../search/search-events.js';
import { GLYPH, scatter, type Mark, type ScatterPoint } from './scatter.js';
import type { DashboardState } from './state.js';
import { cut, pct, value } from './format.js';

const MARK_COLOR: Record<Mark | 'axis', string | undefined> = { faded: 'gray', front: 'green', baseline: 'white', newest: 'magenta', selected: 'cyan', axis: 'gray' };

/** Front members in table order: best first on the plot's x metric. */
export function frontOrder(s: DashboardState): FrontMember[] {
  const a = s.axes;
  if (!a) return s.front;
  const v = (m: FrontMember): number => m.metrics[a.x.scenario]?.[a.x.key] ?? NaN;
  return [...s.front].sort((p, q) => (a.x.better === 'min' ? v(p) - v(q) : v(q) - v(p)) || p.id.localeCompare(q.id));
}

function points(s: DashboardState, selected: string | undefined): ScatterPoint[] {
  const onFront = new Set(s.front.map((m) => m.id));
  const markOf = (id: string): Mark => (id === selected ? 'selected' : id === s.newest && onFront.has(id) ? 'newest' : id === BASELINE_ID ? 'baseline' : onFront.has(id) ? 'front' : 'faded');
  const out = s.points.map((p) => ({ x: p.x, y: p.y, mark: markOf(p.id) }));
  // front members recovered from git may have no ledger point: draw them from the front itself
  const a = s.axes;
  if (a) {
    const drawn = new Set(s.points.map((p) => p.id));
    for (const m of s.front) {
      const x = m.metrics[a.x.scenario]?.[a.x.key], y = m.metrics[a.y.scenario]?.[a.y.key];
      if (!drawn.has(m.id) && x !== undefined && y !== undefined) out.push({ x, y, mark: markOf(m.id) });
    }
  }
  return out;
}

const arrow = (better: 'min' | 'max'): string => (better === 'min' ? '↓' : '↑');
/** Metric keys without their unit suffix, for narrow columns: p95_ttft_ms → p95_ttft. */
const short = (key: string): string => key.replace(/_(ms|s|tok_s|ratio)$/, '').replace(/^output_throughput/, 'out_tput');

/** The front: a scatter of every evaluated candidate on the plot's two metrics, and a table of members. */
export function FrontPanel({ s, width, height, selected }: { s: DashboardState; width: number; height: number; selected: string | undefined }) {
  const a = s.axes;
  if (!a || !s.spec) return <Box height={height}><Text dimColor>no objective: nothing to plot</Text></Box>;
  const plotW = Math.max(24, Math.min(60, Math.floor(width * 0.38)));
  const tableW = width - plotW - 2;
  const { rows, offScale } = scatter(points(s, selected), plotW, height - 1);
  const yName = a.y.scenario === a.x.scenario ? a.y.key : `${a.y.key} on ${a.y.scenario}`;
  const order = frontOrder(s);
  const metrics = s.spec.metrics;
  const base = s.baseline?.[a.x.scenario];
  const idW = 3 + Math.min(8, Math.max(5, ...order.map((m) => m.id.length)));
  let colW = Math.max(9, Math.min(18, Math.floor((tableW - idW) / Math.max(1, metrics.length + 0.4))));
  let descW = Math.max(0, tableW - idW - colW * metrics.length);
  if (descW < 12) { // a few letters of description say nothing: the numbers get the room (the diff view has the description)
    colW = Math.max(9, Math.min(18, Math.floor((tableW - idW) / Math.max(1, metrics.length))));
    descW = 0;
  }
  const shown = Math.max(1, order.length > height - 2 ? height - 3 : height - 2);
  const at = Math.max(0, order.findIndex((m) => m.id === selected));
  const first = Math.min(Math.max(0, at - shown + 1), Math.max(0, order.length - shown));
  const slice = order.slice(first, first + shown);
  return (
    <Box width={width} height={height}>
      <Box flexDirection="column" width={plotW}>
        <Text wrap="truncate-end" dimColor>{cut(`x ${short(a.x.key)}${arrow(a.x.better)} y ${yName === a.y.key ? short(yName) : yName}${arrow(a.y.better)}${offScale ? ` +${offScale} off` : ''}`, plotW)}</Text>
        {rows.map((r, i) => (
          <Text key={i} wrap="truncate-end">{r.map((g, j) => <Text key={j} color={g.mark ? MARK_COLOR[g.mark] : undefined} bold={g.mark === 'newest' || g.mark === 'selected'}>{g.text}</Text>)}</Text>
        ))}
      </Box>
      <Box width={2} />
      <Box flexDirection="column" width={tableW}>
        <Text wrap="truncate-end" bold>
          {cut(`front ${s.front.length} on ${a.x.scenario}`, idW + colW * metrics.length).padEnd(Math.min(tableW, idW + colW * metrics.length))}
          {descW > 4 ? <Text dimColor>{cut(`${GLYPH.baseline} base ${GLYPH.front} front ${GLYPH.newest} new`, descW - 1)}</Text> : null}
        </Text>
        <Text wrap="truncate-end" dimColor>{'  id'.padEnd(idW) + metrics.map((m) => `${cut(short(m.key), colW - 2)}${arrow(m.better)}`.padEnd(colW)).join('') + (descW > 4 ? 'what changed' : '')}</Text>
        {slice.map((m) => {
          const e = s.accepted.get(m.id);
          const sel = m.id === selected;
          const mark = sel ? '▶' : m.id === s.newest ? GLYPH.newest : m.id === BASELINE_ID ? GLYPH.baseline : GLYPH.front;
          const cells = metrics.map((k) => {
            const v = m.metrics[a.x.scenario]?.[k.key];
            const d = m.id === BASELINE_ID ? '' : pct(base?.[k.key], v);
            return cut(`${value(v)} ${d}`, colW - 1).padEnd(colW);
          });
          return (
            <Text key={m.id} wrap="truncate-end" inverse={sel}>
              <Text color={sel ? 'cyan' : m.id === s.newest ? 'magenta' : m.id === BASELINE_ID ? undefined : 'green'}>{`${mark} ${cut(m.id, idW - 3)}`.padEnd(idW)}</Text>
              {cells.join('')}
              <Text dimColor>{cut(e?.description ?? (m.id === BASELINE_ID ? 'baseline' : ''), descW)}</Text>
            </Text>
          );
        })}
        {order.length > first + shown ? <Text dimColor>  … {order.length - first - shown} more (↓)</Text> : null}
      </Box>
    </Box>
  );
}
