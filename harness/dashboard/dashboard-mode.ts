/**
 * Whether to draw the dashboard: only on a terminal and outside CI. On a CI runner's pseudo-terminal ink
 * prints nothing but its final frame (it checks the same variables), so the log would show no progress.
 */
export function wantsDashboard(stdout: { isTTY?: boolean }, noTui: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!stdout.isTTY || noTui) return false;
  if (env.CI === '0' || env.CI === 'false') return true;
  return !('CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((k) => k.startsWith('CI_')));
}
