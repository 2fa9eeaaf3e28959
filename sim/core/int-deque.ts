/** Double-ended queue of integers on a ring buffer; indexable from the front. */
export class IntDeque {
  private buf: Int32Array;
  private head = 0;
  length = 0;

  constructor(capacity = 16) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.buf = new Int32Array(c);
  }

  at(i: number): number {
    return this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  pushBack(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length++) & (this.buf.length - 1)] = v;
  }

  pushFront(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.length++;
  }

  popFront(): number {
    const v = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return v;
  }

  popBack(): number {
    this.length--;
    return this.buf[(this.head + this.length) & (this.buf.length - 1)]!;
  }

  /** Keeps the elements for which keep(v) is true, in order. */
  filter(keep: (v: number) => boolean): void {
    const mask = this.buf.length - 1;
    let w = 0;
    for (let i = 0; i < this.length; i++) {
      const v = this.buf[(this.head + i) & mask]!;
      if (keep(v)) this.buf[(this.head + w++) & mask] = v;
    }
    this.length = w;
  }

  /** Removes the element at index i (order kept). */
  removeAt(i: number): void {
    const mask = this.buf.length - 1;
    for (let k = i; k < this.length - 1; k++) this.buf[(this.head + k) & mask] = this.buf[(this.head + k + 1) & mask]!;
    this.length--;
  }

  private grow(): void {
    const b = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = b;
    this.head = 0;
  }
}
