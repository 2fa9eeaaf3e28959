import { defineEviction } from '../../sim/policy/index.js';

/** Leaf first: a block that other cached blocks continue stays while any leaf can go; LRU among each. */
export default defineEviction({ name: 'lineage', priority: (b) => (b.cachedChildren > 0 ? 1e15 : 0) + b.lastAccessMs });
