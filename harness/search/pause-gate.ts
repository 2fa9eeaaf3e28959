/**
 * Pausing a search: workers wait here before starting a candidate (those in flight carry on). The
 * time spent paused is kept so the minutes budget does not count it.
 */
export class PauseGate {
  private paused = false;
  private since = 0;
  private total = 0;
  private waiters: (() => void)[] = [];
  private readonly listeners: ((paused: boolean) => void)[] = [];

  get isPaused(): boolean {
    return this.paused;
  }

  /** Milliseconds spent paused so far (the current pause included). */
  pausedMs(now = Date.now()): number {
    return this.total + (this.paused ? now - this.since : 0);
  }

  set(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.since = Date.now();
    else {
      this.total += Date.now() - this.since;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
    for (const l of this.listeners) l(paused);
  }

  toggle(): void {
    this.set(!this.paused);
  }

  onChange(listener: (paused: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once not paused, or when the signal aborts (stopping wins over pausing). */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
