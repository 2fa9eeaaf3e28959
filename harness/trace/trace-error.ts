/**
 * A problem in a trace file, pinned to the line (and field) where it is, so a user can open the file
 * at that spot. The message is one line: `conversation_trace.jsonl:812: hash_ids must be an array of
 * integers`. Line 0 means the problem belongs to the whole file (e.g. it has no requests).
 */
export class TraceError extends Error {
  override readonly name = 'TraceError';

  constructor(
    /** The path as the user gave it. */
    readonly file: string,
    /** 1-based line number, counting blank lines; 0 for whole-file problems. */
    readonly line: number,
    /** The field or column at fault, or '' when the line as a whole is bad (e.g. invalid JSON). */
    readonly field: string,
    /** What is wrong, without the `file:line:` prefix. */
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}
