import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // isolated-vm needs --no-node-snapshot, which worker threads reject; forks accept it.
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 120_000,
    // evaluation results go to the user's cache directory; tests keep theirs apart
    env: { XDG_CACHE_HOME: join(tmpdir(), `twinsearch-test-cache-${process.pid}`) },
  },
});
