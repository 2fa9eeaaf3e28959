import { describe, expect, it } from 'vitest';
import { dominates, paretoFront } from '../../objectives/pareto.js';

describe('Pareto utilities', () => {
  const dir = ['min', 'max'] as const;
  it('dominance needs no worse anywhere and better somewhere', () => {
    expect(dominates([1, 5], [2, 5], dir)).toBe(true);
    expect(dominates([1, 5], [1, 5], dir)).toBe(false);
    expect(dominates([1, 4], [2, 5], dir)).toBe(false);
  });
  it('a margin keeps noise from winning', () => {
    expect(dominates([0.99, 5], [1, 5], dir, 0.02)).toBe(false);
    expect(dominates([0.9, 5], [1, 5], dir, 0.02)).toBe(true);
  });
  it('finds the front', () => {
    expect(paretoFront([[1, 1], [2, 3], [3, 3], [0.5, 0.5]], dir)).toEqual([0, 1, 3]);
  });
});

describe('non-dominated sorting and crowding', () => {
  it('peels fronts and ranks lonely points first', async () => {
    const { nonDominatedSort, crowding } = await import('../../objectives/pareto.js');
    const pts = [[1, 5], [2, 2], [5, 1], [3, 3], [6, 6]];
    expect(nonDominatedSort(pts, ['min', 'min'])).toEqual([[0, 1, 2], [3], [4]]);
    const c = crowding([[1, 5], [2, 4], [3, 3.9], [5, 1]]);
    expect(c[0]).toBe(Infinity);
    expect(c[3]).toBe(Infinity);
    expect(c[2]!).toBeGreaterThan(c[1]!); // [3,3.9] sits in the wider gap
  });
});
