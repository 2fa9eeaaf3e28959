import { wrap } from '../io/wrap-text.js';

/** Where a flag's description starts, at most (a longer flag puts its description on the next line). */
const MAX_COLUMN = 30;

/**
 * A command's --help laid out for a terminal of `width` columns (80: the narrowest one people use):
 * paragraphs are re-wrapped; table entries ("  --flag ARG   description", continuation lines indented
 * to the description) keep their left part and wrap the description in a column of at most 30;
 * example command lines longer than the width are broken with a shell continuation (" \").
 * The help texts are written once, as prose and tables; this is the only place that knows the width.
 */
export function fitHelp(text: string, width = 80): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  const out: string[] = [];
  const indentOf = (l: string): number => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    if (line.trim() === '') {
      out.push('');
      i++;
      continue;
    }
    if (indentOf(line) === 0) {
      // a paragraph: its lines up to a blank line, an indented line or a heading that ends in ':'
      const words: string[] = [line];
      i++;
      while (i < lines.length && lines[i]!.trim() !== '' && indentOf(lines[i]!) === 0 && !words[words.length - 1]!.endsWith(':')) words.push(lines[i++]!);
      out.push(...wrap(words.join(' '), width));
      continue;
    }
    const entry = /^( {2}\S.*?)( {2,})(\S.*)$/.exec(line);
    const next = lines[i + 1];
    const ownLine = !entry && indentOf(line) === 2 && next !== undefined && indentOf(next) > 4;
    if (entry || ownLine) {
      // a table entry and its continuation lines
      const left = entry ? entry[1]! : line;
      const col = entry ? entry[1]!.length + entry[2]!.length : indentOf(next!);
      const desc: string[] = entry ? [entry[3]!] : [];
      i++;
      while (i < lines.length && lines[i]!.trim() !== '' && indentOf(lines[i]!) >= Math.min(col, 6)) desc.push(lines[i++]!.trim());
      const column = Math.min(col, MAX_COLUMN);
      const body = wrap(desc.join(' '), width - column);
      if (left.length + 2 <= column) {
        out.push(left.padEnd(column) + (body[0] ?? ''));
        for (const b of body.slice(1)) out.push(' '.repeat(column) + b);
      } else {
        out.push(left);
        for (const b of body) out.push(' '.repeat(column) + b);
      }
      continue;
    }
    // an example command or other indented text: broken where it is too long
    const indent = indentOf(line);
    const parts = wrap(line.trim(), width - indent - 4);
    out.push(' '.repeat(indent) + parts[0] + (parts.length > 1 ? ' \\' : ''));
    parts.slice(1).forEach((p, k) => out.push(' '.repeat(indent + 2) + p + (k < parts.length - 2 ? ' \\' : '')));
    i++;
  }
  return out.join('\n') + '\n';
}

/** A command's flag table, one entry a line, for fitHelp to lay out beside its description column. */
export function flagTable(flags: Readonly<Record<string, { readonly arg?: string; readonly help: string }>>): string {
  return Object.entries(flags).map(([name, f]) => {
    const left = `  --${name}${f.arg !== undefined ? ` ${f.arg}` : ''}`;
    return `${left.length + 2 <= MAX_COLUMN ? left.padEnd(MAX_COLUMN) : `${left}  `}${f.help}`;
  }).join('\n');
}
