import type { RouterRequestView, RouterWorkerView } from '../contracts/router-views.js';
import type { KvRouterConfig } from './router-config.js';

/**
 * Dynamo's KV-router cost (the current release's formula, which reduces to the older
 * overlap_score_weight one): prefill_load_scale · max((pending prefill + isl)/bs − credit · overlap
 * − host weight · host overlap, 0) + decode blocks + decode_active_request_weight · active requests.
 * The built-in kv router and the dynamo-kv baseline candidate both use this one function.
 */
export function dynamoKvCost(cfg: KvRouterConfig): (req: RouterRequestView, w: RouterWorkerView) => number {
  return (req, w) => {
    const bs = req.blockSize;
    const rawPrefill = (w.activePrefillTokens + req.isl) / bs;
    let credit = cfg.overlap_score_credit;
    if (cfg.overlap_score_credit_decay > 0 && cfg.router_track_prefill_tokens) {
      const requestBlocks = Math.max(1, Math.ceil(req.isl / bs));
      credit /= 1 + (cfg.overlap_score_credit_decay * ((w.activePrefillTokens - req.minActivePrefillTokens) / bs)) / requestBlocks;
    }
    const overlapCredit = credit * w.overlapBlocks + cfg.host_cache_hit_weight * w.hostOverlapBlocks;
    const prefill = Math.max(rawPrefill - overlapCredit, 0);
    const decode = cfg.router_track_active_blocks ? w.activeBlocks + w.newBlocks : 0;
    return cfg.prefill_load_scale * prefill + decode + cfg.decode_active_request_weight * w.activeRequests;
  };
}
