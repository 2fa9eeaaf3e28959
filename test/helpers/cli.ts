import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'harness/cli/main.ts');

/** Runs `twinsearch ARGS` in a fresh process from the repository root; `opts` add to (or override) the spawn options. */
export function cli(args: string[], opts: Partial<SpawnSyncOptionsWithStringEncoding> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8', ...opts });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

/** Polls `ok` every `pollMs` until it holds (true) or `deadlineMs` have passed (false). */
export async function until(ok: () => boolean, deadlineMs: number, pollMs = 20): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (!ok()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return true;
}
