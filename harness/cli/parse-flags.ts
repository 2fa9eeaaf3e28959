import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../replay/json-arg.js';

/** node:util's parseArgs, strict, with its errors turned into one-line usage errors ("unknown flag --x"). */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(m ? `unknown flag ${m[1]}` : (e as Error).message.split('\n')[0]!);
  }
}
