/**
 * Reading a file the user names, with limits: a size cap checked before reading (and while reading,
 * for devices and pipes, whose size stat cannot tell: `/dev/zero` is endless) and a line-length cap,
 * each a one-line error naming the file (and line) and the limit. Nothing is allocated past the cap.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ReadLimits {
  /** What the file is, for messages ("trace", "engine args file"...). */
  what: string;
  maxBytes: number;
  /** Longest line, in bytes (default: no line cap); checked while reading, so an endless line stops early. */
  maxLineBytes?: number;
}

/** A file that breaks a limit or cannot be read; `code` is the file-system error code when there is one. */
export class InputFileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

const CHUNK = 1 << 20;

export function readBoundedText(path: string, limits: ReadLimits): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputFileError(`${limits.what} not found: ${path}`, code);
    if (code === 'EACCES' || code === 'EPERM') throw new InputFileError(`${limits.what} not readable (permission denied): ${path}`, code);
    if (code === 'EISDIR') throw new InputFileError(`${limits.what} path is a directory, not a file: ${path}`, code);
    throw new InputFileError(`${limits.what} ${path}: ${(e as Error).message}`, code);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(`${limits.what} path is a directory, not a file: ${path}`, 'EISDIR');
    if (st.isFile() && st.size > limits.maxBytes) throw new InputFileError(tooBig(path, limits, st.size));
    const chunks: Buffer[] = [];
    let total = 0;
    let line = 1;
    let lineBytes = 0;
    const maxLine = limits.maxLineBytes ?? Infinity;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limits.maxBytes + 1 - total));
      if (buf.length === 0) throw new InputFileError(tooBig(path, limits, null));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      if (maxLine !== Infinity) {
        for (let i = 0; i < n; i++) {
          if (buf[i] === 0x0a) {
            line++;
            lineBytes = 0;
          } else if (++lineBytes > maxLine) {
            throw new InputFileError(`${path}:${line}: the line is longer than ${maxLine} bytes, the most a ${limits.what} line may have`);
          }
        }
      }
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > limits.maxBytes) throw new InputFileError(tooBig(path, limits, null));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tooBig(path: string, limits: ReadLimits, size: number | null): string {
  return `${limits.what} ${path} is ${size === null ? 'larger than' : `${mb(size)}, over`} the limit of ${mb(limits.maxBytes)}`;
}

function mb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes >= 10 << 20 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
