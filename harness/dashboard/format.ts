/** Short human forms for the dashboard. */

/** 75 s → "1:15", 3725 s → "1:02:05". */
export function clock(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** Milliseconds as "12 ms", "3.4 s", "2.1 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function dollars(x: number): string {
  return `$${x.toFixed(x >= 100 ? 0 : x >= 1 ? 2 : 4)}`;
}

/** A metric value: 4 significant digits at most. */
export function value(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(1) : a === 0 ? '0' : x.toPrecision(2);
}

/** Relative change against a reference, signed, in percent: "−4.7%". */
export function pct(ref: number | undefined, x: number | undefined): string {
  if (ref === undefined || x === undefined || !Number.isFinite(ref) || !Number.isFinite(x) || ref === 0) return '';
  const p = ((x - ref) / Math.abs(ref)) * 100;
  if (Math.abs(p) < 0.05) return '±0%';
  return `${p > 0 ? '+' : '−'}${Math.abs(p).toFixed(Math.abs(p) >= 100 ? 0 : 1)}%`;
}

/** Cuts a string to `n` characters with an ellipsis. */
export function cut(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : n === 1 ? '…' : `${s.slice(0, n - 1)}…`;
}

/** "HH:MM:SS" local time. */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
