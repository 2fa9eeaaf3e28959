import { describe, expect, it } from 'vitest';
import { SharedLink } from '../../sim/kvcache/shared-link.js';

const MB = 1e6;

function run(starts: [id: number, t: number][], until = 100): Map<number, number> {
  const link = new SharedLink(1);
  const done = new Map<number, number>();
  const cb = (id: number, at: number) => done.set(id, at);
  for (const [id, t] of starts) link.start(id, MB, t, cb);
  link.advanceTo(until, cb);
  return done;
}

describe('processor-sharing link (KVBM bandwidth vectors)', () => {
  it('1 MB at 1 GB/s takes 1.0 ms', () => {
    expect(run([[1, 0]]).get(1)).toBeCloseTo(1.0, 12);
  });
  it('two simultaneous 1 MB transfers both finish at 2.0 ms', () => {
    const d = run([[1, 0], [2, 0]]);
    expect(d.get(1)).toBeCloseTo(2.0, 12);
    expect(d.get(2)).toBeCloseTo(2.0, 12);
  });
  it('staggered by 0.5 ms: 1.5 and 2.0 ms', () => {
    const d = run([[1, 0], [2, 0.5]]);
    expect(d.get(1)).toBeCloseTo(1.5, 12);
    expect(d.get(2)).toBeCloseTo(2.0, 12);
  });
  it('ten at once finish at 10 ms', () => {
    const d = run(Array.from({ length: 10 }, (_, i) => [i, 0] as [number, number]));
    for (let i = 0; i < 10; i++) expect(d.get(i)).toBeCloseTo(10, 12);
  });
  it('an arrival after the link went idle at 5 ms finishes at 6 ms', () => {
    expect(run([[1, 5]]).get(1)).toBeCloseTo(6, 12);
  });
  it('reports the next completion and never goes back in time', () => {
    const link = new SharedLink(1);
    const cb = () => {};
    link.start(1, 2 * MB, 0, cb);
    expect(link.nextCompletion()).toBeCloseTo(2, 12);
    link.advanceTo(1, cb);
    link.start(2, MB, 0.5, cb); // clamped to t = 1
    expect(link.nextCompletion()).toBeCloseTo(3, 12);
  });
});
