import { defineEviction } from '../../sim/policy/index.js';

/**
 * LRU with the other block facts already in the formula at weight 0, so a search can trade recency
 * against reuse count, prefix depth and cached children (each weighted in milliseconds of recency).
 * Evicts exactly like lru until a weight changes.
 */
export default defineEviction({
  name: 'weighted-recency',
  priority: (b) => b.lastAccessMs + 0 * 60000 * b.hits + 0 * 60000 * b.cachedChildren - 0 * 1000 * b.depth,
});
