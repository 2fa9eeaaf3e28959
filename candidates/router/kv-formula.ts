import { defineRouter } from '../../sim/policy/index.js';

/**
 * Dynamo's KV-aware cost with its default weights written out, so a search can edit every term:
 * prefill blocks still to compute (minus what the worker has cached, device and host tier) plus the
 * worker's decode blocks. Routes exactly like dynamo-kv.
 */
export default defineRouter({
  name: 'kv-formula',
  cost: (req, w) => {
    const prefillBlocks = (w.activePrefillTokens + req.isl) / req.blockSize;
    const cached = 1.0 * w.overlapBlocks + 0.75 * w.hostOverlapBlocks;
    const prefill = Math.max(prefillBlocks - cached, 0);
    const decode = w.activeBlocks + w.newBlocks;
    return 1.0 * prefill + decode + 0.0 * w.activeRequests;
  },
});
