#!/usr/bin/env node
// Starts the TypeScript CLI through tsx, with the V8 flag isolated-vm needs on Node 20.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// resolve tsx from this package, not from the user's working directory
const tsx = import.meta.resolve('tsx');
const res = spawnSync(process.execPath, ['--no-node-snapshot', '--import', tsx, join(root, 'harness/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
  // the package's own compiler settings (JSX for the dashboard), not whatever tsconfig the working directory has
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
});
process.exit(res.status ?? 1);
