/**
 * Sorting order of non-negative values that are whole nanoseconds when expressed in ms (inter-token
 * gaps are quantised that way): an LSD radix sort on the integer ns keys, 16 bits per pass, 3 passes
 * (keys below 2^48 ns ≈ 78 h). Millions of gaps sort in tens of ms, where a comparator sort of an
 * index array takes seconds. Falls back to a comparator sort for any other value. Stable.
 */
export function sortOrder(values: Float64Array, n: number): Int32Array {
  const digits = [new Uint16Array(n), new Uint16Array(n), new Uint16Array(n)] as const;
  let top = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const k = Math.round(v * 1e6);
    if (!(k >= 0 && k < 2 ** 48) || Math.abs(k / 1e6 - v) > 1e-9 * Math.max(1, v)) return comparatorOrder(values, n);
    const high = Math.floor(k / 65536);
    digits[0][i] = k - high * 65536;
    digits[1][i] = high & 0xffff;
    digits[2][i] = high >>> 16;
    if (k > top) top = k;
  }
  const passes = top < 65536 ? 1 : top < 2 ** 32 ? 2 : 3;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Int32Array(n);
  const count = new Int32Array(65536);
  for (let pass = 0; pass < passes; pass++) {
    const d = digits[pass]!;
    count.fill(0);
    for (let i = 0; i < n; i++) count[d[i]!]!++;
    let sum = 0;
    for (let x = 0; x < 65536; x++) {
      const c = count[x]!;
      count[x] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[count[d[i]!]!++] = i;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}

function comparatorOrder(values: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  return order;
}
