import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` (appends the block if absent). */
export function replaceBlock(path: string, name: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`, end = `<!-- ${name}:end -->`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const i = text.indexOf(begin), j = text.indexOf(end);
  const next = i >= 0 && j > i
    ? `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`
    : `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}\n${begin}\n${body}\n${end}\n`;
  writeFileSync(path, next);
}

/**
 * Tees what the benchmark prints into its block of docs/benchmarks.md (as a text block headed by the
 * command and the date), written when the process ends without an error: the figures in the document
 * are the script's own, never copied by hand.
 */
export function recordConsole(name: string, command: string, doc = join(import.meta.dirname, '../../docs/benchmarks.md')): void {
  const lines: string[] = [];
  const log = console.log.bind(console);
  console.log = (...args: unknown[]): void => {
    lines.push(args.map(String).join(' '));
    log(...args);
  };
  process.on('exit', (code) => {
    if (code !== 0) return;
    replaceBlock(doc, name, `\`${command}\` (${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, Node ${process.version}):\n\n\`\`\`text\n${lines.join('\n').replace(/^\n+/, '').trimEnd()}\n\`\`\``);
  });
}
