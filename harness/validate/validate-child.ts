/**
 * A validation worker process: receives measured rows one at a time from `runValidation` and answers
 * each with its simulated result. One row at a time, so a slow row never holds back a queue of fast ones.
 */
import type { Protocol } from './simulate-row.js';
import { simulateRow } from './simulate-row.js';
import type { SiliconRow } from './silicon-csv.js';

interface Job { index: number; row: SiliconRow; protocol: Protocol }

process.on('message', (msg: Job | 'exit') => {
  if (msg === 'exit') process.exit(0);
  const result = simulateRow(msg.row, msg.protocol);
  process.send!({ index: msg.index, result });
});
process.send!('ready');
