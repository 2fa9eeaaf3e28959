import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { z } from 'zod';
import { LedgerEntry, parseLedgerLine } from './ledger.js';
import { RunControl, RunStatus } from './run-status.js';

export { BASELINE_ID, LedgerEntry, ledgerTotals, parseLedgerLine, type LedgerTotals } from './ledger.js';

/** The algorithm file every candidate commit changes (and nothing else). */
export const CANDIDATE_FILE = 'candidate.ts';
/** Run metadata lives beside the history, ignored by it, so `git show` is exactly the algorithm diff. */
const META = '.twinsearch';

/** The fields of run.json every reader relies on (the rest is informative). */
const RunConfig = z.looseObject({ objective: z.string().min(1), seed: z.number() });

/** A write of the run log failed (a full or read-only disk): names the file; the run stays resumable. */
export class RunLogWriteError extends Error {
  constructor(readonly file: string, readonly code: string, cause: unknown) {
    super(`cannot write ${file}: ${WRITE_ERRORS[code] ?? firstLine(cause)} (${code}); what was written before is intact, and the run can be resumed with --resume once this is fixed`, { cause });
    this.name = 'RunLogWriteError';
  }
}
const WRITE_ERRORS: Record<string, string> = {
  EISDIR: 'a directory is in the way',
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'the file system is read-only',
  EACCES: 'permission denied', EPERM: 'operation not permitted', EIO: 'input/output error',
};

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.trim().split('\n')[0] ?? '').replace(/^fatal: /, 'git: ').slice(0, 300);
}

/** Runs a write; a file-system failure becomes a RunLogWriteError naming `file`. */
function writing<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new RunLogWriteError(file, code, e);
    throw e;
  }
}

/** git's own words for a disk that refuses writes, and the error code they stand for. */
const GIT_DISK_ERRORS: [RegExp, string][] = [
  [/No space left on device|Out of diskspace|ENOSPC/i, 'ENOSPC'],
  [/Disk quota exceeded|EDQUOT/i, 'EDQUOT'],
  [/Read-only file system|EROFS/i, 'EROFS'],
];

/** Runs git commands; a git failure caused by the disk becomes a RunLogWriteError naming the repository. */
async function gitWriting<T>(file: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof RunLogWriteError) throw e;
    const text = (e as Error).message ?? '';
    const hit = GIT_DISK_ERRORS.find(([re]) => re.test(text));
    // any other failure of git while it records a candidate is the run log's too, never the candidate's
    throw new RunLogWriteError(file, hit ? hit[1] : 'EGIT', e);
  }
}

/**
 * A search run's log: its own git repository in which every accepted candidate is one commit whose
 * parent is its parent candidate's commit (a tree of algorithm diffs, one tag per candidate), plus a
 * ledger with one JSON line per evaluated candidate, the run's config and the current front.
 */
export class RunLog {
  private constructor(readonly dir: string, private readonly git: SimpleGit) {}

  /** Creates a run directory (a fresh repository) with the baseline as its root commit. */
  static async create(dir: string, config: unknown, baseline: { id: string; source: string; message: string }): Promise<RunLog> {
    if (existsSync(join(dir, '.git'))) throw new Error(`${dir} already holds a run; resume it instead`);
    mkdirSync(join(dir, META), { recursive: true });
    const git = simpleGit(dir);
    await git.init();
    await git.addConfig('user.name', 'twinsearch');
    await git.addConfig('user.email', 'twinsearch@localhost');
    writeAtomic(join(dir, '.gitignore'), `${META}/\n`);
    writeAtomic(join(dir, META, 'run.json'), JSON.stringify(config, null, 2) + '\n');
    const log = new RunLog(dir, git);
    writeAtomic(join(dir, CANDIDATE_FILE), baseline.source);
    // non-quiet git commands: simple-git waits 50 ms after a command that prints nothing
    await git.raw(['add', '-v', '--', '.gitignore', CANDIDATE_FILE]);
    await git.commit(baseline.message);
    await git.raw(['tag', '-f', `cand-${baseline.id}`]);
    return log;
  }

  /** Opens an existing run directory. */
  static open(dir: string): RunLog {
    if (!existsSync(join(dir, '.git')) || !existsSync(join(dir, META, 'run.json'))) throw new Error(`${dir} is not a twinsearch run directory`);
    return new RunLog(dir, simpleGit(dir));
  }

  config<T>(): T {
    const f = join(this.dir, META, 'run.json');
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new Error(`${f}: not a run configuration (expected the JSON object a search writes: ${(e as Error).message.split('\n')[0]})`);
    }
    const r = RunConfig.safeParse(v);
    if (!r.success) throw new Error(`${f}: not a run configuration (${r.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ')})`);
    return v as T;
  }

  /** The commit of a candidate (by its tag). */
  async commitOf(id: string): Promise<string> {
    return (await this.git.raw(['rev-list', '-n', '1', `cand-${id}`])).trim();
  }

  /**
   * Commits an accepted candidate on top of its parent's commit and tags it; returns the commit.
   * Works in a detached worktree state: the history is a tree, not a line.
   */
  async commitCandidate(id: string, parentId: string, source: string, message: string): Promise<string> {
    return gitWriting(join(this.dir, '.git'), async () => {
      const parent = await this.commitOf(parentId);
      await this.git.raw(['checkout', '-q', '--detach', parent]);
      writeAtomic(join(this.dir, CANDIDATE_FILE), source);
      await this.git.raw(['add', '-v', '--', CANDIDATE_FILE]);
      const r = await this.git.commit(message, undefined, { '--allow-empty': null });
      await this.git.raw(['tag', '-f', `cand-${id}`]);
      return r.commit ? (await this.git.revparse(['HEAD'])).trim() : parent;
    });
  }

  /** The source of a candidate as committed. */
  async source(id: string): Promise<string> {
    return this.git.show([`cand-${id}:${CANDIDATE_FILE}`]);
  }

  /** `git show` of a candidate: its algorithm diff against its parent. */
  async diff(id: string): Promise<string> {
    return this.git.show([`cand-${id}`]);
  }

  /** The diff of candidate.ts from one candidate to another, hunks only (the file is always the same). */
  async diffBetween(from: string, to: string): Promise<string> {
    const out = await this.git.raw(['diff', '--no-color', '--no-ext-diff', `cand-${from}`, `cand-${to}`, '--', CANDIDATE_FILE]);
    const at = out.search(/^@@/m);
    return at < 0 ? '' : out.slice(at).replace(/\n$/, '');
  }

  /** Appends one evaluated candidate to the ledger (one JSON line, flushed at once). */
  record(entry: LedgerEntry): void {
    const f = this.ledgerFile;
    const line = JSON.stringify(LedgerEntry.parse(entry)) + '\n';
    // after a crash tore the last line, start on a fresh line so the torn one stays the only damage
    const text = endsMidLine(f) ? `\n${line}` : line;
    writing(f, () => {
      const fd = openSync(f, 'a');
      try {
        writeSync(fd, text);
        fsyncSync(fd); // an accepted entry survives a power cut once record() returns
      } finally {
        closeSync(fd);
      }
    });
  }

  /**
   * The ledger's entries. A torn last line (a crash mid-write) is skipped silently; a damaged line
   * elsewhere is reported through `onDamage` and skipped — accepted candidates survive it in git
   * (see `acceptedInGit`).
   */
  ledger(onDamage: (message: string) => void = () => undefined): LedgerEntry[] {
    const f = this.ledgerFile;
    if (!existsSync(f)) return [];
    const lines = readFileSync(f, 'utf8').split('\n');
    let last = lines.length - 1;
    while (last >= 0 && lines[last]!.trim() === '') last--;
    const out: LedgerEntry[] = [];
    const ids = new Set<string>();
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const e = parseLedgerLine(line, `${f}:${i + 1}`);
      if (typeof e === 'string') {
        if (i !== last) onDamage(e); // the last line may be torn by a crash while it was written
      } else if (ids.has(e.id)) {
        onDamage(`${f}:${i + 1}: a second entry for ${e.id}; the first one counts`);
      } else {
        ids.add(e.id);
        out.push(e);
      }
    });
    return out;
  }

  /** Accepted candidates as git knows them (tag → commit message), for recovery when the ledger lost some. */
  async acceptedInGit(): Promise<{ id: string; commit: string; message: string }[]> {
    // one git process for all tags (lightweight tags: the object is the commit, the contents its message)
    const raw = await this.git.raw(['for-each-ref', '--format=%(refname:short)%00%(objectname)%00%(contents)%00', 'refs/tags/cand-*']);
    const fields = raw.split('\0');
    const out = [];
    for (let i = 0; i + 2 < fields.length; i += 3) {
      out.push({ id: fields[i]!.trim().slice('cand-'.length), commit: fields[i + 1]!, message: fields[i + 2]! });
    }
    return out;
  }

  /** The live process holding the run's lock, or null (a search killed with SIGKILL leaves a stale lock). */
  lockHolder(): number | null {
    const f = join(this.dir, META, 'lock');
    if (!existsSync(f)) return null;
    const pid = Number(readFileSync(f, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  }

  /**
   * Marks the run as in use by this process, atomically (the lock file is created exclusively, so of
   * two processes resuming at once exactly one gets it); takes over a lock whose process is dead.
   * Refuses a run another live process holds.
   */
  lock(): void {
    const f = join(this.dir, META, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writing(f, () => {
          const fd = openSync(f, 'wx');
          try {
            writeSync(fd, `${process.pid}\n`);
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        });
        return;
      } catch (e) {
        if (!(e instanceof RunLogWriteError && e.code === 'EEXIST')) throw e;
      }
      const pid = this.lockHolder();
      if (pid === process.pid) return;
      if (pid !== null) throw new Error(`${this.dir} is in use by process ${pid} (a search is running there)`);
      // a dead holder (SIGKILL): remove its lock and try once more; a process faster than us wins
      rmSync(f, { force: true });
    }
    throw new Error(`${this.dir} is in use by another process that has just taken it`);
  }

  /**
   * Puts the worktree back to the last commit: a search killed inside \`git add\` or \`git commit\`
   * leaves git's index lock and a modified candidate.ts behind. Only while holding the run's lock
   * (then no git command of this run is running). Returns what it had to repair, or null.
   */
  async restoreCleanTree(): Promise<string | null> {
    const repaired: string[] = [];
    const indexLock = join(this.dir, '.git', 'index.lock');
    if (existsSync(indexLock)) {
      rmSync(indexLock, { force: true });
      repaired.push("git's index lock left by a killed git command");
    }
    const status = await this.git.raw(['status', '--porcelain', '--untracked-files=no']);
    if (status.trim() !== '') {
      await this.git.raw(['reset', '-q', '--hard', 'HEAD']);
      repaired.push(`uncommitted changes (${status.trim().split('\n').map((l) => l.slice(3)).join(', ')})`);
    }
    return repaired.length ? repaired.join(' and ') : null;
  }

  unlock(): void {
    rmSync(join(this.dir, META, 'lock'), { force: true });
  }

  /** The front as last written (empty before the first write). */
  readFront(): unknown[] {
    try {
      const f = JSON.parse(readFileSync(this.frontFile, 'utf8')) as unknown;
      return Array.isArray(f) ? f : [];
    } catch {
      return [];
    }
  }

  writeFront(front: unknown): void {
    writeAtomic(this.frontFile, JSON.stringify(front, null, 2) + '\n');
  }

  /** The live search's status as last written, or null (none yet, or unreadable). */
  readStatus(): RunStatus | null {
    return this.readMeta('status.json', RunStatus);
  }

  writeStatus(status: RunStatus): void {
    writeAtomic(join(this.dir, META, 'status.json'), JSON.stringify(status) + '\n');
  }

  /** The last pause/resume request another process made, or null. */
  readControl(): RunControl | null {
    return this.readMeta('control.json', RunControl);
  }

  /** A metadata file another process rewrites atomically: absent, unreadable or malformed all read as null. */
  private readMeta<T>(name: string, schema: z.ZodType<T>): T | null {
    try {
      const r = schema.safeParse(JSON.parse(readFileSync(join(this.dir, META, name), 'utf8')));
      return r.success ? r.data : null;
    } catch {
      return null;
    }
  }

  writeControl(control: RunControl): void {
    writeAtomic(join(this.dir, META, 'control.json'), JSON.stringify(control) + '\n');
  }

  /** Where the ledger lives (followers read it incrementally). */
  get ledgerFile(): string {
    return join(this.dir, META, 'ledger.jsonl');
  }

  /** Where the front lives (followers re-read it when it changes). */
  get frontFile(): string {
    return join(this.dir, META, 'front.json');
  }
}

/**
 * A reader never sees half a file, and a power cut leaves the old one or the new one: written to a
 * temporary name, flushed to disk, renamed over. A failed write leaves the old file and no temporary.
 */
function writeAtomic(f: string, text: string): void {
  const tmp = `${f}.tmp`;
  writing(f, () => {
    try {
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, f);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch { /* not ours to remove (a directory): the write error is what matters */ }
      throw e;
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, just not ours
  }
}

/** Whether a file's last byte is not a newline (a line torn by a crash); reads that byte only. */
function endsMidLine(f: string): boolean {
  if (!existsSync(f)) return false;
  const fd = openSync(f, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
