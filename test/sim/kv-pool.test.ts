import { describe, expect, it } from 'vitest';
import { LineageEvictor, LruEvictor } from '../../sim/kvcache/evictor.js';
import { KvBlockManager } from '../../sim/kvcache/kv-block-manager.js';
import { KV_REMOVED, KV_STORED, KvEventLog } from '../../sim/contracts/kv-events.js';
import { buildPromptBlocks } from '../../sim/workload/prompt-blocks.js';
import { makeWorkload } from '../helpers/workloads.js';

function events(log: KvEventLog): string[] {
  const out: string[] = [];
  for (let i = 0; i < log.length; i += 2) out.push(`${log.data[i] === KV_STORED ? 'S' : log.data[i] === KV_REMOVED ? 'R' : '?'}${log.data[i + 1]}`);
  log.clear();
  return out;
}

describe('KV block pool', () => {
  it('reuses cached blocks, stores only fresh full blocks, and evicts least recently released first', () => {
    const log = new KvEventLog();
    const kv = new KvBlockManager(3, new LruEvictor(3), log);
    expect(kv.use(10, true, -1)).toBe(true);
    expect(kv.use(11, true, 10)).toBe(true);
    expect(kv.use(-1, false, 11)).toBe(true); // partial: no event
    expect(events(log)).toEqual(['S10', 'S11']);
    expect(kv.use(12, true, -1)).toBe(false); // full of referenced blocks
    kv.deref(-1);
    kv.deref(11); // released tail first: 11 is older in the cache than 10
    kv.deref(10);
    expect(kv.activeBlocks).toBe(0);
    expect(kv.inactiveBlocks).toBe(2);
    expect(kv.use(10, true, -1)).toBe(true); // cache hit: no event
    expect(events(log)).toEqual([]);
    expect(kv.use(20, true, -1)).toBe(true);
    expect(kv.use(21, true, 20)).toBe(true); // evicts 11 (the only inactive block)
    expect(events(log)).toEqual(['S20', 'R11', 'S21']);
    expect(kv.check()).toBeNull();
  });

  it('promotes a partial block, reusing an identical cached full block', () => {
    const log = new KvEventLog();
    const kv = new KvBlockManager(4, new LruEvictor(4), log);
    kv.use(5, true, -1);
    kv.deref(5); // 5 cached, inactive
    kv.use(-7, false, -1);
    kv.promote(-7, 5, -1);
    expect(kv.activeBlocks).toBe(1);
    expect(kv.inactiveBlocks).toBe(0);
    kv.use(-8, false, 5);
    kv.promote(-8, 6, 5);
    expect(events(log)).toEqual(['S5', 'S6']);
    expect(kv.check()).toBeNull();
  });

  it('lineage evicts leaves before the prefixes they hang off', () => {
    // A prefix released while its child is still referenced is the oldest cache entry: LRU evicts
    // it, lineage keeps it while the child is cached. (With tail-first release inside the engine the
    // two orders coincide; they differ when blocks are released out of prefix order.)
    for (const [name, evictor, victim] of [['lru', new LruEvictor(3), 1], ['lineage', new LineageEvictor(3), 2]] as const) {
      const log = new KvEventLog();
      const kv = new KvBlockManager(2, evictor, log);
      kv.use(1, true, -1);
      kv.use(2, true, 1);
      kv.deref(1);
      kv.deref(2);
      events(log);
      kv.use(9, true, -1);
      expect(events(log), name).toEqual([`R${victim}`, 'S9']);
      expect(kv.check()).toBeNull();
    }
  });
});

describe('prompt block identities', () => {
  it('equal ids mean equal prefixes, for aligned and unaligned engine block sizes', () => {
    const w = makeWorkload([
      { at: 0, input: 1024, output: 1, content: [1, 2] },
      { at: 0, input: 1024, output: 1, content: [1, 3] },
      { at: 0, input: 1024, output: 1, content: [2, 1] },
      { at: 0, input: 700, output: 1, content: [1, 2] },
    ], 512);
    for (const bs of [64, 512, 48, 100]) {
      const b = buildPromptBlocks(w, bs);
      const ids = (r: number) => Array.from(b.ids.subarray(b.start[r]!, b.start[r + 1]!));
      const full = Math.floor(512 / bs); // blocks entirely inside the first content block
      expect(ids(0).slice(0, full), `bs ${bs}`).toEqual(ids(1).slice(0, full));
      expect(ids(0)[full]).not.toBe(ids(1)[full]);
      expect(ids(2)[0]).not.toBe(ids(0)[0]);
      expect(ids(3)).toEqual(ids(0).slice(0, Math.floor(700 / bs)));
      for (let j = 1; j < ids(0).length; j++) expect(b.parent[ids(0)[j]!]).toBe(ids(0)[j - 1]);
      expect(b.parent[ids(0)[0]!]).toBe(-1);
    }
  });
});
