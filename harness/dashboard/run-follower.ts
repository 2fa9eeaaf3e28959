import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { z } from 'zod';
import { parseLedgerLine, RunLog, type LedgerEntry } from '../runlog/run-log.js';
import type { RunStatus } from '../runlog/run-status.js';
import type { Budgets, InFlight, SearchEvent } from '../search/search-events.js';

const FrontFile = z.array(z.object({ id: z.string(), commit: z.string(), metrics: z.record(z.string(), z.record(z.string(), z.number())) }));

export interface Observation {
  /** What happened since the last look, as the search's own events. */
  events: SearchEvent[];
  /** The candidates in flight now (empty when no search runs). */
  inFlight: InFlight[];
  /** Whether a live process holds the run. */
  live: boolean;
  /** No live process, and the last status does not say the search finished: it was killed (or is from before status files). */
  orphaned: boolean;
  /** Time the search spent paused, as its status last said, and when it said so (the pause in progress counts up to then). */
  pausedMs: number;
  statusAtMs: number | null;
}

/**
 * Follows a run directory that another process writes: the ledger read incrementally (a line
 * half-written is kept for the next look), the front and the status file when they change, and the
 * lock's holder to tell a live search from a finished or killed one.
 */
export class RunFollower {
  readonly log: RunLog;
  private offset = 0;
  private partial = '';
  private lineNo = 0;
  private frontStamp = '';
  private started = false;
  private lastState: RunStatus['state'] | 'orphaned' | undefined;

  constructor(readonly dir: string) {
    this.log = RunLog.open(dir);
  }

  look(): Observation {
    const events: SearchEvent[] = [];
    // the lock before the status: a search writes its final status before it unlocks, so a search seen
    // unlocked has its last word in the status already (read the other way round, a search ending in
    // between looked killed)
    const live = this.log.lockHolder() !== null;
    const status = this.log.readStatus();
    if (!this.started) {
      this.started = true;
      const cfg = this.log.config<{ objective: string; seed?: number; proposer?: string; budgets?: Partial<Budgets>; createdAt?: string }>();
      const b = cfg.budgets ?? {};
      events.push({
        type: 'start', atMs: status?.startedAtMs ?? (cfg.createdAt ? Date.parse(cfg.createdAt) : Date.now()), runDir: this.dir, objective: cfg.objective,
        proposer: status?.proposer ?? cfg.proposer ?? '?', seed: cfg.seed ?? 0, parallel: status?.parallel ?? 1,
        budgets: status?.budgets ?? { iterations: b.iterations ?? null, minutes: b.minutes ?? null, usd: b.usd ?? null, tokens: b.tokens ?? null }, resumed: false,
      });
    }
    for (const e of this.newEntries(events)) events.push({ type: 'result', entry: e, summary: '', past: status ? e.atMs < status.startedAtMs : !live });
    const front = this.readFrontIfChanged();
    if (front) events.push({ type: 'front', atMs: Date.now(), front });
    const state = live ? status?.state ?? 'running' : status?.state === 'finished' ? 'finished' : 'orphaned';
    if (state !== this.lastState) {
      const at = status?.updatedAtMs ?? Date.now();
      if (state === 'paused') events.push({ type: 'paused', atMs: at, paused: true });
      else if (this.lastState === 'paused' && state === 'running') events.push({ type: 'paused', atMs: at, paused: false });
      else if (state === 'stopping') events.push({ type: 'stopping', atMs: at });
      else if (state === 'finished') events.push({ type: 'done', atMs: at, stoppedBy: status?.stoppedBy ?? 'iterations' });
      else if (state === 'orphaned') events.push({ type: 'message', atMs: at, level: 'warning', text: 'no search is running in this run (it was stopped without finishing, or killed); it can be resumed with --resume' });
      this.lastState = state;
    }
    return { events, inFlight: live && status ? status.inFlight : [], live, orphaned: state === 'orphaned', pausedMs: status?.pausedMs ?? 0, statusAtMs: status?.updatedAtMs ?? null };
  }

  /** Complete ledger lines written since the last look; damaged ones become warnings. */
  private newEntries(events: SearchEvent[]): LedgerEntry[] {
    const f = this.log.ledgerFile;
    if (!existsSync(f)) return [];
    const fd = openSync(f, 'r');
    let text = '';
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) { // rewritten from scratch: start over
        this.offset = 0;
        this.partial = '';
        this.lineNo = 0;
      }
      if (size === this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      text = this.partial + buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out: LedgerEntry[] = [];
    for (const line of lines) {
      this.lineNo++;
      if (line.trim() === '') continue;
      const e = parseLedgerLine(line, `${f}:${this.lineNo}`);
      if (typeof e !== 'string') out.push(e);
      else events.push({ type: 'message', atMs: Date.now(), level: 'warning', text: e });
    }
    return out;
  }

  private readFrontIfChanged(): z.infer<typeof FrontFile> | null {
    const f = this.log.frontFile;
    if (!existsSync(f)) return null;
    const st = statSync(f);
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp === this.frontStamp) return null;
    this.frontStamp = stamp;
    const r = FrontFile.safeParse(this.log.readFront());
    return r.success ? r.data : null;
  }
}
