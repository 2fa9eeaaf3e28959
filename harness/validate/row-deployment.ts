import { aicRowQuant, checkpointFor, nativeQuant } from '../../sim/catalog/checkpoints.js';
import { aicQuantModeDtype } from '../../sim/catalog/dtypes.js';
import { GPUS } from '../../sim/catalog/gpus.js';
import { catalogModelFor, getModel, type KvDtype, type QuantScheme } from '../../sim/catalog/models.js';
import { validateParallelism } from '../../sim/catalog/parallelism.js';
import type { PoolDeployment, ServingDeployment } from '../../sim/deployment.js';
import type { PoolShape, SiliconRow } from './silicon-csv.js';

/**
 * What a measured row deploys, in the simulator's terms, or why it cannot be simulated (the reason
 * names the missing piece, e.g. `model zai-org/GLM-5 not in catalog`).
 */
export type RowDeployment = { ok: true; deployment: ServingDeployment } | { ok: false; reason: string };

export function rowDeployment(row: SiliconRow): RowDeployment {
  const model = catalogModelFor(row.modelPath);
  if (model === null) return { ok: false, reason: `model ${row.modelPath} not in catalog` };
  if (!Object.prototype.hasOwnProperty.call(GPUS, row.system)) return { ok: false, reason: `GPU ${row.system} not in catalog` };
  const spec = getModel(model);
  const gemmMode = row.gemmQuant || (row.precision === 'fp4' ? 'nvfp4' : row.precision);
  let quant: QuantScheme;
  try {
    // a 4-bit mode only reaches the tensors the checkpoint itself ships in 4 bits (gpt-oss "nvfp4" rows
    // keep BF16 attention and MXFP4 experts); checkpoints we do not list take the mode everywhere
    if (checkpointFor(row.modelPath)) quant = aicRowQuant(row.modelPath, gemmMode, row.moeQuant);
    else {
      const native = nativeQuant(spec);
      const g = gemmMode === '' ? native.dense : aicQuantModeDtype(gemmMode);
      const m = row.moeQuant === '' ? g : aicQuantModeDtype(row.moeQuant);
      quant = { attention: g, dense: g, sharedExpert: g, routedExpert: spec.moe ? m : g };
    }
  } catch (e) {
    return { ok: false, reason: `precision: ${(e as Error).message}` };
  }
  // vLLM and SGLang keep the KV cache in the activation dtype unless told otherwise ("auto");
  // TensorRT-LLM takes the KV dtype from the quantised checkpoint, and its FP8 checkpoints (ModelOpt)
  // carry FP8 KV scales, so their cache is FP8
  const kvDtype: KvDtype = row.backend === 'trtllm' && quant.dense !== 'bf16' ? 'fp8' : 'bf16';
  const pool = (s: PoolShape): PoolDeployment | string => {
    const parallel = spec.moe
      ? { tp: s.tp, pp: s.pp, attnDp: s.attnDp, moeTp: s.moeTp, moeEp: s.moeEp }
      : { tp: s.tp, pp: s.pp, attnDp: s.attnDp, moeTp: 1, moeEp: 1 };
    // AIC's identity is moe_tp × moe_ep = tp × attention_dp. Rows that leave the MoE split blank run
    // the experts tensor-parallel over the attention GPUs; rows that leave attention_dp blank but
    // split the experts over more GPUs than attention has run attention data-parallel on the rest.
    const moeGpus = parallel.moeTp * parallel.moeEp;
    if (spec.moe && moeGpus !== parallel.tp * parallel.attnDp) {
      if (moeGpus === 1) parallel.moeTp = parallel.tp * parallel.attnDp;
      else if (parallel.attnDp === 1 && moeGpus % parallel.tp === 0) parallel.attnDp = moeGpus / parallel.tp;
    }
    try {
      validateParallelism(parallel, spec.moe !== undefined);
    } catch (e) {
      return (e as Error).message;
    }
    // a disaggregated pool's batch size is what its servers were started with (prefill workers often
    // take one prompt at a time); an aggregated row's batch_size is only its load
    const out: PoolDeployment = { replicas: s.workers, parallel };
    if (row.mode === 'disagg' && s.batch > 0) out.maxBatch = s.batch;
    // without chunked context (TensorRT-LLM's default) a prompt must fit one pass: the benchmark's server
    // was started with max_num_tokens above its ISL, as it could not have served the rows otherwise
    if (row.backend === 'trtllm' && row.isl * 1.05 > 8192) out.maxTokens = Math.ceil((row.isl * 1.05) / 1024) * 1024;
    return out;
  };
  let pools: ServingDeployment['pools'];
  if (row.mode === 'agg') {
    const a = pool(row.agg!);
    if (typeof a === 'string') return { ok: false, reason: a };
    pools = { agg: a };
  } else {
    const p = pool(row.prefill!);
    const d = pool(row.decode!);
    if (typeof p === 'string') return { ok: false, reason: `prefill ${p}` };
    if (typeof d === 'string') return { ok: false, reason: `decode ${d}` };
    pools = { prefill: p, decode: d };
  }
  return {
    ok: true,
    deployment: {
      backend: row.backend, backendVersion: row.backendVersion, gpu: row.system, model,
      quant, kvDtype, pools,
    },
  };
}
