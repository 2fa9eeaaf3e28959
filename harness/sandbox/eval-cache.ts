import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from '../../sim/workload/workload.js';
import { getSimBundle } from './bundle.js';
import type { SandboxResult } from './result.js';

const workloadHashes = new WeakMap<Workload, string>();

/** A digest of a workload's contents (cached per workload object). */
export function workloadHash(w: Workload): string {
  let h = workloadHashes.get(w);
  if (h === undefined) {
    const d = createHash('sha256').update(`${w.count}|${w.sessions}|${w.blockSize}|`);
    for (const a of [w.sessionStart, w.timeMs, w.inputLength, w.outputLength, w.contentStart, w.contentIds]) {
      d.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    h = d.digest('hex');
    workloadHashes.set(w, h);
  }
  return h;
}

/**
 * Content-addressed evaluation results: the key covers the candidate source, the exact simulator
 * build, the scenario and the workload, so a (candidate, simulator, scenario, seed) is simulated once.
 * Kept in memory and, with a directory, on disk (one JSON file per key) across runs. Only results
 * that do not depend on the machine's limits are kept: reports and deterministic failures, not
 * timeouts or memory kills.
 */
export class EvaluationCache {
  private readonly memory = new Map<string, SandboxResult>();
  hits = 0;
  misses = 0;

  constructor(private readonly dir: string | null = null) {
    if (dir !== null) mkdirSync(dir, { recursive: true });
  }

  async key(source: string, spec: unknown, workload: Workload): Promise<string> {
    const sim = await getSimBundle();
    return createHash('sha256').update(source).update('\0').update(sim.hash).update('\0')
      .update(JSON.stringify(spec)).update('\0').update(workloadHash(workload)).digest('hex');
  }

  get(key: string): SandboxResult | undefined {
    let r = this.memory.get(key);
    if (r === undefined && this.dir !== null) {
      const f = join(this.dir, `${key}.json`);
      if (existsSync(f)) {
        try {
          r = JSON.parse(readFileSync(f, 'utf8')) as SandboxResult;
          this.memory.set(key, r);
        } catch {
          r = undefined; // a torn or foreign file: evaluate again
        }
      }
    }
    if (r === undefined) this.misses++;
    else this.hits++;
    return r;
  }

  set(key: string, r: SandboxResult): void {
    if (!r.ok && (r.kind === 'timeout' || r.kind === 'memory' || r.kind === 'crashed' || r.kind === 'cancelled')) return;
    this.memory.set(key, r);
    if (this.dir !== null) {
      const f = join(this.dir, `${key}.json`);
      writeFileSync(`${f}.tmp`, JSON.stringify(r));
      renameSync(`${f}.tmp`, f);
    }
  }
}
