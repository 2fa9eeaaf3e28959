import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // isolated-vm needs --no-node-snapshot, which worker threads reject; forks accept it.
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 120_000,
  },
});
