import { existsSync, readFileSync, writeFileSync } from 'node:fs';

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
