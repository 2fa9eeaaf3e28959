import { useEffect, useState } from 'react';
import { Box, Text, useInput, useStdin, useStdout } from 'ink';
import type { DashboardState } from './state.js';
import { HeaderPanel } from './header-panel.js';
import { ProgressPanel } from './progress-panel.js';
import { FrontPanel, frontOrder } from './front-panel.js';
import { EventFeed } from './event-feed.js';
import { TimingsPanel } from './timings-panel.js';
import { DiffPanel } from './diff-panel.js';
import { cut } from './format.js';

export interface DashboardProps {
  state: DashboardState;
  /** live: this process runs the search (q stops it); watch: another process does (q stops watching). p pauses either. */
  mode: 'live' | 'watch';
  /** A candidate's diff against its parent. */
  loadDiff: (id: string) => Promise<string>;
  /** q (or Ctrl-C); `times` counts the presses (live: the second one exits at once). */
  onQuit: (times: number) => void;
  onPause?: () => void;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  now?: () => number;
  /** How often the screen may change, in ms: the search's work is never held up by drawing. */
  refreshMs?: number;
}

function useTerminalSize(fixed: DashboardProps['size']): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { columns: number; rows: number } => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const on = (): void => setSize(read());
    stdout.on('resize', on);
    return () => void stdout.off('resize', on);
  }, [stdout, fixed]);
  return fixed ?? size;
}

/**
 * The search dashboard. It redraws on a timer, at most every `refreshMs` and only when the state
 * changed or the clock ticked, so a burst of events costs one frame. Its height stays below the
 * terminal's: a frame as tall as the screen makes ink clear the whole screen (flicker).
 */
export function Dashboard(p: DashboardProps) {
  const s = p.state;
  const now = p.now ?? Date.now;
  const { columns, rows } = useTerminalSize(p.size);
  const [, setFrame] = useState(0);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [offset, setOffset] = useState(0);
  const [diffs, setDiffs] = useState<Map<string, string>>(new Map());
  const [quits, setQuits] = useState(0);
  const { isRawModeSupported } = useStdin(); // no keys when stdin is not a terminal (nohup, pipes)

  useEffect(() => {
    let seen = s.version, second = Math.floor(now() / 1000);
    const t = setInterval(() => {
      const sec = Math.floor(now() / 1000);
      if (s.version !== seen || sec !== second) {
        seen = s.version;
        second = sec;
        setFrame((f) => f + 1);
      }
    }, p.refreshMs ?? 250);
    return () => clearInterval(t);
  }, [s, p.refreshMs]);

  useEffect(() => {
    if (!selected || diffs.has(selected)) return;
    let live = true;
    p.loadDiff(selected).then((d) => live && setDiffs((m) => new Map(m).set(selected, d)), (e: Error) => live && setDiffs((m) => new Map(m).set(selected, `(diff unavailable: ${e.message})`)));
    return () => void (live = false);
  }, [selected]);

  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      setQuits((n) => n + 1);
      p.onQuit(quits + 1);
      return;
    }
    if (input === 'p') return p.onPause?.();
    const order = frontOrder(s);
    if (key.upArrow || key.downArrow) {
      if (order.length === 0) return;
      const i = order.findIndex((m) => m.id === selected);
      const j = i < 0 ? (key.upArrow ? order.length - 1 : 0) : Math.max(0, Math.min(order.length - 1, i + (key.upArrow ? -1 : 1)));
      setSelected(order[j]!.id);
      setOffset(0);
      return;
    }
    if (key.escape) return setSelected(undefined);
    if (key.pageDown || input === ' ') return setOffset((o) => o + 10);
    if (key.pageUp) return setOffset((o) => Math.max(0, o - 10));
  }, { isActive: Boolean(isRawModeSupported) }); // ink treats only `false` as inactive; a pipe's isTTY is undefined

  const width = Math.max(40, columns);
  const avail = Math.max(8, rows - 1 - 6); // header 2, progress 2, timings 1, footer 1, one spare row
  const frontH = Math.max(6, Math.min(20, Math.round(avail * 0.55)));
  const lowerH = Math.max(2, avail - frontH);
  const sel = selected ? s.accepted.get(selected) : undefined;
  const onFront = selected !== undefined && s.front.some((m) => m.id === selected);
  const at = now(); // one instant for the header and the progress line
  const keys = p.mode === 'live'
    ? (s.state === 'finished' ? 'the search has ended' : s.state === 'stopping' ? 'stopping: finishing the candidates in flight · q again exits now (the run stays resumable)' : `q stop · p ${s.state === 'paused' ? 'resume' : 'pause'} · ↑↓ front member + diff · esc close · PgUp/PgDn scroll`)
    : `q quit watching (the search goes on)${s.state === 'running' || s.state === 'paused' ? ` · p ${s.state === 'paused' ? 'resume' : 'pause'} the search` : ''} · ↑↓ member + diff · esc · PgUp/PgDn`;
  return (
    <Box flexDirection="column" width={width}>
      <HeaderPanel s={s} now={at} width={width} />
      <ProgressPanel s={s} now={at} width={width} />
      <FrontPanel s={s} width={width} height={frontH} selected={selected} />
      {selected
        ? <DiffPanel title={`${selected} vs ${sel?.parent ?? 'its parent'}: ${sel?.description ?? ''}${onFront ? '' : ' (no longer on the front)'}`} diff={diffs.get(selected)} offset={offset} width={width} height={lowerH} />
        : <EventFeed s={s} width={width} height={lowerH} />}
      <TimingsPanel s={s} width={width} />
      <Text dimColor wrap="truncate-end">{cut(keys, width)}</Text>
    </Box>
  );
}
