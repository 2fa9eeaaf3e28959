import { defineEviction } from '../../sim/policy/index.js';

/** Least frequently used first (fewest reuses), least recently used among equals. */
export default defineEviction({ name: 'lfu', priority: (b) => b.hits * 1e13 + b.lastAccessMs });
