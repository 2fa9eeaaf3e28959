import { defineRouter } from '../../sim/policy/index.js';

/**
 * Dynamo's KV-router cost at its best setting for the router-latency search scenarios: the reference
 * a search must beat (gains over kv-formula.ts, the shipped defaults, are mostly this tuning).
 * `node --no-node-snapshot --import tsx scripts/sweep-router.ts` (54 settings × 2 scenarios × 2 seed
 * replicas, 130 s) ranked prefill weight 2, cached-block credit 1, decode weight 0 (Dynamo's
 * router_track_active_blocks off) and 8 blocks per active request (decode_active_request_weight) first:
 * p95 / mean TTFT 729 / 223 ms on conversation-8x-poly and 237 / 156 ms on
 * shared-prefix-4x-h100-qwen32b-tp2, against 771 / 257 and 348 / 194 ms for the defaults, at the same
 * throughput and TPOT.
 */
export default defineRouter({
  name: 'kv-tuned',
  cost: (req, w) => {
    const prefillBlocks = (w.activePrefillTokens + req.isl) / req.blockSize;
    const cached = 1.0 * w.overlapBlocks + 0.75 * w.hostOverlapBlocks;
    const prefill = Math.max(prefillBlocks - cached, 0);
    const decode = w.activeBlocks + w.newBlocks;
    return 2.0 * prefill + 0.0 * decode + 8.0 * w.activeRequests;
  },
});
