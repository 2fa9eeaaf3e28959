import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { simulateRow, type Protocol, type RowResult } from './simulate-row.js';
import type { SiliconRow } from './silicon-csv.js';

const CHILD = fileURLToPath(new URL('./validate-child.ts', import.meta.url));

/**
 * Simulates every row, `jobs` at a time in child processes (the simulator is CPU-bound and
 * single-threaded); `jobs` = 1 runs in this process. Results come back in row order.
 */
export async function runValidation(rows: SiliconRow[], protocol: Protocol, jobs: number,
  onResult?: (done: number, total: number, r: RowResult) => void): Promise<RowResult[]> {
  const results: RowResult[] = new Array(rows.length);
  let done = 0;
  if (jobs <= 1 || rows.length <= 1) {
    for (let i = 0; i < rows.length; i++) {
      results[i] = simulateRow(rows[i]!, protocol);
      onResult?.(++done, rows.length, results[i]!);
      // let a progress line reach the terminal between rows
      if (i % 8 === 7) await new Promise((r) => setImmediate(r));
    }
    return results;
  }
  // longest rows first, so the last minutes are not spent on one straggler
  const order = rows.map((_, i) => i).sort((a, b) => cost(rows[b]!) - cost(rows[a]!));
  let next = 0;
  const children: ChildProcess[] = [];
  await new Promise<void>((resolve, reject) => {
    let live = Math.min(jobs, rows.length);
    const feed = (child: ChildProcess): void => {
      if (next < order.length) {
        const index = order[next++]!;
        child.send({ index, row: rows[index], protocol });
      } else {
        child.send('exit');
      }
    };
    for (let k = 0; k < live; k++) {
      const child = fork(CHILD, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (msg: 'ready' | { index: number; result: RowResult }) => {
        if (msg !== 'ready') {
          results[msg.index] = msg.result;
          onResult?.(++done, rows.length, msg.result);
        }
        feed(child);
      });
      child.on('exit', (code) => {
        if (code !== 0 && done < rows.length) {
          for (const c of children) c.kill();
          reject(new Error(`a validation worker exited with code ${code}`));
          return;
        }
        if (--live === 0) resolve();
      });
    }
  });
  return results;
}

/** Rough simulation cost of a row: passes × batch. */
function cost(r: SiliconRow): number {
  return r.concurrency * (r.osl + r.isl / 512);
}
