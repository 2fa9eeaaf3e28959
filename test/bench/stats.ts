/**
 * The middle value of `xs`, one of the samples (never an average): for an even count the lower of the
 * two middle ones, or the higher with `upper`.
 */
export function median(xs: readonly number[], { upper = false }: { upper?: boolean } = {}): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((upper ? s.length : s.length - 1) / 2)]!;
}
