import { defineEviction } from '../../sim/policy/index.js';

/** Least recently used first: the block referenced longest ago goes. */
export default defineEviction({ name: 'lru', priority: (b) => b.lastAccessMs });
