/**
 * Progress of a long replay on stderr: a self-overwriting line on a terminal, a plain line every
 * ~10% otherwise (logs stay readable). Throttled so it costs nothing measurable.
 */
export class Progress {
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty: boolean;
  private readonly t0 = performance.now();

  constructor(private readonly label: string, private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, total: number, simMs: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    const pct = total > 0 ? (100 * done) / total : 100;
    if (this.tty) {
      if (now - this.lastDraw < 200) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(done, total, pct, simMs, now)}\x1b[K`);
    } else {
      const decile = Math.floor(pct / 10);
      if (decile === this.lastDecile || now - this.t0 < 1000) return;
      this.lastDecile = decile;
      this.stream.write(this.line(done, total, pct, simMs, now) + '\n');
    }
  }

  done(): void {
    if (this.enabled && this.tty && this.lastDraw > 0) this.stream.write('\r\x1b[K');
  }

  private line(done: number, total: number, pct: number, simMs: number, now: number): string {
    return `${this.label} ${pct.toFixed(0).padStart(3)}%  ${done}/${total} requests  ${(simMs / 1000).toFixed(0)} s simulated  ${((now - this.t0) / 1000).toFixed(1)} s wall`;
  }
}
