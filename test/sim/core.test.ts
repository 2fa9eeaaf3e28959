import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/core/event-queue.js';
import { IntMap } from '../../sim/core/int-map.js';
import { Prng } from '../../sim/core/prng.js';
import { WorkloadDriver } from '../../sim/cluster/workload-driver.js';
import { makeWorkload } from '../helpers/workloads.js';

describe('event queue', () => {
  it('pops by time, then kind, then tie key, then insertion order', () => {
    const h = new EventQueue(2);
    h.push(5, 0, 1);
    h.push(3, 0, 2, 0, 9);
    h.push(3, 0, 3, 0, 1);
    h.push(3, 0, 4, 0, 1);
    h.push(1, 0, 5);
    h.push(3, 0, 6, 0, 1, -1);
    h.push(3, 1, 7); // a later kind at the same time goes after every earlier kind, whatever its tie
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop());
    expect(out).toEqual([5, 6, 3, 4, 2, 7, 1]);
  });

  it('carries a second payload and reports the earliest event\'s kind', () => {
    const h = new EventQueue();
    h.push(2, 4, 10, 20);
    h.push(2, 3, 11, 21);
    expect([h.peekTime(), h.peekKind(), h.peekA(), h.peekB()]).toEqual([2, 3, 11, 21]);
    h.pop();
    expect([h.peekKind(), h.peekA(), h.peekB()]).toEqual([4, 10, 20]);
    h.pop();
    expect([h.size, h.peekTime(), h.peekKind()]).toEqual([0, Infinity, -1]);
  });

  it('sorts a large random set like Array.sort', () => {
    const rng = new Prng(1);
    const h = new EventQueue();
    const times = Array.from({ length: 5000 }, () => Math.floor(rng.next() * 100));
    times.forEach((t, i) => h.push(t, 0, i));
    const popped: number[] = [];
    while (h.size > 0) popped.push(h.pop());
    const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1]);
    expect(popped).toEqual(expected);
  });
});

describe('int map', () => {
  it('agrees with Map under random inserts and deletes', () => {
    const rng = new Prng(7);
    const m = new IntMap(500);
    const ref = new Map<number, number>();
    for (let step = 0; step < 50_000; step++) {
      const key = rng.nextInt(900) - 300;
      const op = rng.nextInt(3);
      if (op === 0 && (ref.has(key) || ref.size < 500)) {
        m.set(key, step);
        ref.set(key, step);
      } else if (op === 1) {
        expect(m.delete(key)).toBe(ref.delete(key));
      } else {
        expect(m.get(key)).toBe(ref.get(key) ?? -1);
      }
      expect(m.size).toBe(ref.size);
    }
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
  });

  it('refuses to grow past its capacity', () => {
    const m = new IntMap(2);
    m.set(1, 1);
    m.set(2, 2);
    expect(() => m.set(3, 3)).toThrow(/full/);
  });
});

describe('prng', () => {
  it('is reproducible and splits into independent streams', () => {
    const a = new Prng(42), b = new Prng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(new Prng(42).split('router').next()).not.toBe(new Prng(42).split('workload').next());
    expect(new Prng(42).split('router').next()).toBe(new Prng(42).split('router').next());
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('workload driver', () => {
  it('normalises timestamps to start at 0 and divides by the speedup ratio: [100, 200] / 10 → [0, 10]', () => {
    const w = makeWorkload([{ at: 100, input: 8, output: 1 }, { at: 200, input: 8, output: 1 }], 8);
    const d = new WorkloadDriver(w, 10, null);
    expect(d.nextTime(0)).toBe(0);
    expect(d.releaseOne(0, 0)).toBe(0);
    expect(d.nextTime(0)).toBe(10);
    expect(d.releaseOne(5, 0)).toBe(-1);
    expect(d.releaseOne(10, 0)).toBe(1);
    expect(Array.from(d.arrival)).toEqual([0, 10]);
  });

  it('releases later turns after completion plus delay, and respects a concurrency cap', () => {
    const w = makeWorkload([
      { at: 0, input: 8, output: 1, session: 1 },
      { at: 30, input: 8, output: 1, session: 1 },
      { at: 5, input: 8, output: 1, session: 2 },
    ], 8);
    const d = new WorkloadDriver(w, 2, 1);
    expect(d.releaseOne(0, 0)).toBe(0);
    expect(d.releaseOne(0, 1)).toBe(-1); // cap reached
    expect(d.releaseOne(0, 0)).toBe(2); // concurrency mode ignores timestamps
    d.complete(0, 100);
    expect(d.nextTime(0)).toBe(115); // delay 30 / speedup 2
    expect(() => new WorkloadDriver(w, 0, null)).toThrow(/speedup/);
    expect(() => new WorkloadDriver(w, 1, 0)).toThrow(/concurrency/);
  });
});
