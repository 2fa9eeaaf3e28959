import { describe, expect, it } from 'vitest';
import { dynamoPoly, polyDecode, polyPrefill } from '../../sim/timing/dynamo-poly.js';

describe('dynamo-poly timing', () => {
  it('matches the published prefill reference values', () => {
    expect(polyPrefill(8)).toBeCloseTo(16.622914, 6);
    expect(polyPrefill(8192)).toBeCloseTo(169.136918, 6);
    expect(polyPrefill(1024)).toBeCloseTo(32.490712, 6);
    expect(polyPrefill(16384)).toBeCloseTo(378.277933, 6);
  });

  it('matches the published decode reference values', () => {
    expect(polyDecode(0.0625)).toBeCloseTo(9.015078, 6);
    expect(polyDecode(1)).toBeCloseTo(34.01, 6);
    expect(polyDecode(0)).toBeCloseTo(5.74, 6);
    expect(polyDecode(0.25)).toBeCloseTo(17.63375, 6);
  });

  it('uses per-request means with integer division like Dynamo', () => {
    // 3 requests, Σisl 10, Σprefix 1 → isl 3, prefix 0 → T = 9
    expect(dynamoPoly.prefillMs(3, 10, 1, 0)).toBeCloseTo(polyPrefill(9), 9);
    expect(dynamoPoly.prefillMs(0, 0, 0, 0)).toBe(0);
  });

  it('clamps KV usage to 1 and treats an empty pool as full', () => {
    expect(dynamoPoly.decodeMs(4, 200, 0, 100)).toBeCloseTo(34.01, 9);
    expect(dynamoPoly.decodeMs(4, 0, 0, 0)).toBeCloseTo(34.01, 9);
  });
});
