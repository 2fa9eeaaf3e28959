import { existsSync } from 'node:fs';
import { InputFileError, readBoundedText } from '../io/bounded-read.js';
import { z } from 'zod';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A JSON flag value given inline (`'{"block_size":64}'`) or as a path to a JSON file; parsed with
 * `schema`, and any problem reported as `--flag: field: what was expected`.
 */
export function parseJsonArg<T>(flag: string, value: string, schema: z.ZodType<T>): T {
  const trimmed = value.trim();
  let text = trimmed;
  let where = `${flag}`;
  if (!trimmed.startsWith('{')) {
    if (!existsSync(trimmed)) throw new UsageError(`${flag}: expected inline JSON or a path to a JSON file, got ${JSON.stringify(value)}`);
    try {
      // a settings file is small: 1 MB is thousands of times what any of them needs
      text = readBoundedText(trimmed, { what: `${flag} file`, maxBytes: 1 << 20 });
    } catch (e) {
      if (e instanceof InputFileError) throw new UsageError(`${flag}: ${e.message}`);
      throw e;
    }
    where = `${flag} ${trimmed}`;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: invalid JSON (${(e as Error).message})`);
  }
  const res = schema.safeParse(raw);
  if (!res.success) throw new UsageError(`${where}: ${describeZodError(res.error)}`);
  return res.data;
}

/** First zod issue as `field: message`. */
export function describeZodError(err: z.ZodError): string {
  const issue = err.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const field = path ? `${path}.${keys[0]}` : keys[0];
    return `unknown field "${field}"`;
  }
  return path ? `${path}: ${issue.message}` : issue.message;
}
