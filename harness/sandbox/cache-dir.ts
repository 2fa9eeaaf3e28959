import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where evaluation results are kept across runs: the user's cache directory (XDG), never the working
 * directory or the repository a run happens to start from.
 */
export function evaluationCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'twinsearch', 'evaluations');
}
