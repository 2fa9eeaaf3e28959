import { describe, expect, it } from 'vitest';
import { BENCH_HELP } from '../../harness/cli/bench-command.js';
import { fitHelp } from '../../harness/cli/help-text.js';
import { REPLAY_HELP } from '../../harness/cli/replay-command.js';
import { REVIEW_HELP } from '../../harness/cli/review-command.js';
import { RUNS_HELP } from '../../harness/cli/runs-command.js';
import { SEARCH_HELP } from '../../harness/cli/search-command.js';
import { VALIDATE_HELP } from '../../harness/cli/validate-command.js';
import { WATCH_HELP } from '../../harness/cli/watch-command.js';

describe('--help in an 80-column terminal', () => {
  const helps = { bench: BENCH_HELP, replay: REPLAY_HELP, review: REVIEW_HELP, runs: RUNS_HELP, search: SEARCH_HELP, validate: VALIDATE_HELP, watch: WATCH_HELP };

  it.each(Object.entries(helps))('%s --help: no line wider than 80 columns, every flag kept', (_name, help) => {
    const wide = help.split('\n').filter((l) => [...l].length > 80);
    expect(wide).toEqual([]);
    expect(help).toMatch(/--help/);
  });

  it('re-wraps paragraphs and flag descriptions, and breaks long example lines with a continuation', () => {
    const text = `Usage: x\n\n${'word '.repeat(40)}\n\nFlags:\n  --a-long-flag-name ARG-WITH-A-LONG-NAME  ${'describe '.repeat(15)}\n  --b   short\n\nExample:\n  twinsearch x ${'--flag value '.repeat(10)}\n`;
    const out = fitHelp(text);
    for (const l of out.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(out).toMatch(/^ {2}--a-long-flag-name ARG-WITH-A-LONG-NAME\n {30}describe/m);
    expect(out).toMatch(/^ {2}--b {3}short$/m);
    expect(out).toMatch(/ \\\n {4}\S/);
    expect(out.replace(/\s+/g, ' ')).toContain('describe '.repeat(15).trim());
  });
});
