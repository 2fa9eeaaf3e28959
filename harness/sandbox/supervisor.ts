/**
 * Evaluation in supervised processes: candidates are bundled, type-checked and run in a pool of child
 * processes (harness/sandbox/eval-process.ts), never in the process that owns the run log. An
 * isolate's memory limit is not a hard wall (one large allocation ends the whole process with a V8
 * fatal error) and a type check can run away; here such a process dies alone. The supervisor holds a
 * wall-clock deadline and a resident-memory ceiling per evaluation, records a death, a hang or a
 * runaway as a typed failure (`crashed`, `timeout`, `memory`) of the candidate in flight, replaces
 * the process and goes on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CPU_MS, type RunOptions } from './isolate-runner.js';
import { EvalReady, EvalReply, type EvalJob } from './eval-job.js';
import { failure, type SandboxResult } from './result.js';
import type { SandboxInput } from './scenario.js';

export interface SupervisorOptions {
  /** Evaluation processes at most (default: the number of cores). */
  processes?: number;
  /** Wall time granted on top of the isolate's own wall limit, for bundling and the type check, ms (default 30 000). */
  graceMs?: number;
  /** Resident memory at which a process is killed and its candidate failed with `memory`, MB (default 1 024 + 2 × the isolate limit). */
  rssCeilingMb?: number;
}

const ENTRY = fileURLToPath(new URL('./eval-process.ts', import.meta.url));
/** The package's compiler settings for tsx in the child, whatever directory the user runs from. */
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
/** How often a busy process's resident memory is read (Linux /proc), ms. */
const RSS_POLL_MS = 200;
/** Fresh processes that die before they are ready, in a row, before the supervisor gives up (a broken install, not a candidate). */
const MAX_START_FAILURES = 3;
/** The end of a process's stderr kept to tell a V8 out-of-memory death from another crash. */
const STDERR_TAIL = 4096;
/** What V8 prints when it gives up on memory: a fatal OOM, or its last-resort collections before one. */
const OUT_OF_MEMORY = /out of memory|heap limit|allocation failed|invalid size error|invalid array length|CALL_AND_RETRY_LAST|last resort/i;

interface Pending {
  job: EvalJob;
  limits: RunOptions;
  resolve: (r: SandboxResult) => void;
}

interface Proc {
  child: ChildProcess;
  ready: boolean;
  busy: Pending | null;
  /** Why the supervisor killed it, if it did. */
  killedFor: SandboxResult | null;
  stderr: string;
  timers: NodeJS.Timeout[];
}

export class EvaluationSupervisor {
  private readonly size: number;
  private readonly graceMs: number;
  private readonly rssCeilingMb: number | undefined;
  private readonly procs = new Set<Proc>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(opts: SupervisorOptions = {}) {
    this.size = Math.max(1, opts.processes ?? availableParallelism());
    this.graceMs = opts.graceMs ?? 30_000;
    this.rssCeilingMb = opts.rssCeilingMb;
  }

  /** Bundle, type-check and run one candidate on one scenario in a supervised process. */
  run(source: string, file: string, input: SandboxInput, limits: RunOptions = {}): Promise<SandboxResult> {
    if (this.closed) return Promise.resolve(failure('cancelled', 'the evaluation was cancelled (the search is stopping)'));
    const spec = typeof input.spec === 'string' ? input.spec : JSON.stringify(input.spec);
    const job: EvalJob = { id: this.nextId++, source, file, spec, arrays: input.arrays, limits: { ...(limits.cpuMs ? { cpuMs: limits.cpuMs } : {}), ...(limits.memoryMb ? { memoryMb: limits.memoryMb } : {}) } };
    return new Promise((resolve) => {
      this.queue.push({ job, limits, resolve });
      this.pump();
    });
  }

  /**
   * Kills every process at once; evaluations running or waiting end as `cancelled` (not a verdict on
   * their candidates), and later ones are refused the same way.
   */
  close(): void {
    this.closed = true;
    const why = failure('cancelled', 'the evaluation was cancelled (the search is stopping)');
    for (const p of this.procs) this.kill(p, why);
    for (const q of this.queue.splice(0)) q.resolve(why);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = [...this.procs].find((p) => p.ready && !p.busy);
      if (idle) {
        this.start(idle, this.queue.shift()!);
        continue;
      }
      if (this.procs.size < this.size) this.spawn();
      return;
    }
  }

  private spawn(): void {
    const child = fork(ENTRY, [], {
      execArgv: ['--no-node-snapshot', '--import', import.meta.resolve('tsx')],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...childEnv(), TSX_TSCONFIG_PATH: TSCONFIG },
    });
    const p: Proc = { child, ready: false, busy: null, killedFor: null, stderr: '', timers: [] };
    this.procs.add(p);
    child.stderr?.on('data', (d: Buffer) => { p.stderr = (p.stderr + d.toString('utf8')).slice(-STDERR_TAIL); });
    child.on('message', (m: unknown) => this.onMessage(p, m));
    child.on('exit', (code, signal) => this.onExit(p, code, signal));
    child.on('error', () => { /* 'exit' follows and says what happened */ });
  }

  private start(p: Proc, q: Pending): void {
    p.busy = q;
    hold(p, true);
    const cpuMs = q.limits.cpuMs ?? DEFAULT_CPU_MS;
    const wallMs = (q.limits.wallMs ?? 2 * cpuMs + 5000) + this.graceMs;
    p.timers.push(setTimeout(() => this.kill(p, failure('timeout', `the evaluation did not finish within ${Math.round(wallMs / 1000)} s of wall-clock time (its process was killed)`)), wallMs));
    const ceiling = this.rssCeilingMb ?? 1024 + 2 * (q.limits.memoryMb ?? 256);
    const pid = p.child.pid;
    if (pid !== undefined && process.platform === 'linux') {
      const poll = setInterval(() => {
        const rss = residentMb(pid);
        if (rss !== null && rss > ceiling) this.kill(p, failure('memory', `the evaluation grew to ${Math.round(rss)} MB of resident memory, past the ceiling of ${ceiling} MB (its process was killed)`));
      }, RSS_POLL_MS);
      poll.unref();
      p.timers.push(poll);
    }
    p.child.send(q.job, (err) => {
      if (err) this.kill(p, failure('crashed', `the evaluation process could not take the job: ${err.message}`));
    });
  }

  private onMessage(p: Proc, m: unknown): void {
    if (!p.ready) {
      if (EvalReady.safeParse(m).success) {
        p.ready = true;
        this.startFailures = 0;
        this.pump();
        if (!p.busy) hold(p, false);
      }
      return;
    }
    const r = EvalReply.safeParse(m);
    if (!p.busy) return;
    if (!r.success || r.data.id !== p.busy.job.id) {
      this.kill(p, failure('crashed', 'the evaluation process answered with something that is not a result'));
      return;
    }
    this.finish(p, r.data.result as SandboxResult);
    this.pump();
    if (!p.busy) hold(p, false);
  }

  private finish(p: Proc, result: SandboxResult): void {
    for (const t of p.timers) clearTimeout(t);
    p.timers = [];
    const q = p.busy;
    p.busy = null;
    q?.resolve(result);
  }

  private kill(p: Proc, why: SandboxResult): void {
    if (p.killedFor === null) p.killedFor = why;
    p.child.kill('SIGKILL');
  }

  private onExit(p: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    this.procs.delete(p);
    const wasReady = p.ready;
    if (p.busy) {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const died = OUT_OF_MEMORY.test(p.stderr)
        ? failure('memory', `the evaluation ran out of memory and its process died (${how}; V8 gave up after its last-resort garbage collections): one allocation or the heap grew past what the process can hold`)
        : failure('crashed', `the evaluation process died (${how})${p.stderr.trim() ? `: ${lastLine(p.stderr)}` : ''}`);
      this.finish(p, p.killedFor ?? died);
    }
    if (this.closed) return;
    if (!wasReady && ++this.startFailures >= MAX_START_FAILURES) {
      const why = `evaluation processes die before they start (${signal ?? `exit code ${code}`}): ${lastLine(p.stderr) || 'no message'}`;
      for (const q of this.queue.splice(0)) q.resolve(failure('crashed', why));
      return;
    }
    this.pump();
  }
}

/**
 * A starting or busy process keeps the host's event loop alive (someone awaits its answer); an idle
 * one does not, so a finished command exits without closing the supervisor first.
 */
function hold(p: Proc, on: boolean): void {
  const handles = [p.child, p.child.channel, p.child.stderr] as ({ ref?: () => void; unref?: () => void } | null | undefined)[];
  for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
}

/**
 * The environment an evaluation process gets: the host's, minus anything that looks like a credential
 * (the LLM's API key above all). Candidate code cannot read the environment from its isolate; this is
 * the second wall, should one ever fall.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|AUTH/i.test(k)) env[k] = v;
  return env;
}

/** VmRSS of a process in MB, or null when it cannot be read. */
function residentMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').map((l) => l.trim()).filter((l) => l && !/^at |^#\s*$|^node:/.test(l));
  const line = lines.find((l) => OUT_OF_MEMORY.test(l)) ?? lines.at(-1) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
