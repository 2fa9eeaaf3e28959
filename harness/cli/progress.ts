/** What a progress line says, given how far the work is and how long it has taken. */
export type ProgressLine = (done: number, total: number, elapsedS: number, tty: boolean, extra: number) => string;

/**
 * Progress of long work on stderr: a self-overwriting line on a terminal, a plain line every ~10%
 * otherwise (logs stay readable). Throttled so it costs nothing measurable. By default the line is a
 * replay's (requests done, simulated time, `extra` being the simulated ms); commands with other units
 * pass their own `describe`.
 */
export class Progress {
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty: boolean;
  private readonly t0 = performance.now();
  private readonly describe: ProgressLine;

  constructor(label: string, private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr, describe?: ProgressLine) {
    this.tty = Boolean(stream.isTTY);
    this.describe = describe ?? ((done, total, elapsedS, _tty, simMs) =>
      `${label} ${(total > 0 ? (100 * done) / total : 100).toFixed(0).padStart(3)}%  ${done}/${total} requests  ${(simMs / 1000).toFixed(0)} s simulated  ${elapsedS.toFixed(1)} s wall`);
  }

  update(done: number, total: number, extra = 0): void {
    if (!this.enabled) return;
    const now = performance.now();
    const pct = total > 0 ? (100 * done) / total : 100;
    const line = (): string => this.describe(done, total, (now - this.t0) / 1000, this.tty, extra);
    if (this.tty) {
      if (now - this.lastDraw < 200 && done < total) return;
      this.lastDraw = now;
      this.stream.write(`\r${line()}\x1b[K`);
    } else {
      const decile = Math.floor(pct / 10);
      if (decile === this.lastDecile || now - this.t0 < 1000) return;
      this.lastDecile = decile;
      this.stream.write(line() + '\n');
    }
  }

  done(): void {
    if (this.enabled && this.tty && this.lastDraw > 0) this.stream.write('\r\x1b[K');
  }
}
