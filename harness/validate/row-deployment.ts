import { GPUS } from '../../sim/catalog/gpus.js';
import { getModel, MODELS, type KvDtype, type WeightDtype } from '../../sim/catalog/models.js';
import { validateParallelism } from '../../sim/catalog/parallelism.js';
import type { PoolDeployment, ServingDeployment } from '../../sim/deployment.js';
import type { PoolShape, SiliconRow } from './silicon-csv.js';

/**
 * What a measured row deploys, in the simulator's terms, or why it cannot be simulated (the reason
 * names the missing piece, e.g. `model zai-org/GLM-5 not in catalog`).
 */
export type RowDeployment = { ok: true; deployment: ServingDeployment } | { ok: false; reason: string };

/** Catalog key of a Hugging Face model path as benchmarks record it (fine-tunes map to their architecture). */
export function catalogModelOf(path: string): string | null {
  const p = path.toLowerCase();
  const name = p.slice(p.lastIndexOf('/') + 1).replace(/-(instruct|fp8|nvfp4|fp4|bf16)$/g, '').replace(/-(instruct|fp8|nvfp4|fp4|bf16)$/g, '');
  for (const m of Object.values(MODELS)) {
    const own = m.hfId.toLowerCase();
    const base = own.slice(own.lastIndexOf('/') + 1);
    if (own === p || base === name || base.replace(/^meta-/, '') === name) return m.name;
  }
  // DeepSeek-R1 is DeepSeek-V3's architecture
  if (/deepseek-r1/.test(name)) return MODELS['deepseek-v3'] ? 'deepseek-v3' : null;
  return null;
}

/** Weight dtype of a quantisation column ('' = the checkpoint's own BF16). */
function quantDtype(q: string, precision: string): WeightDtype | null {
  const s = (q || (precision === 'fp4' ? 'nvfp4' : precision)).toLowerCase();
  if (s === '' || s === 'bf16' || s === 'bfloat16' || s === 'fp16') return 'bf16';
  if (s === 'fp8' || s === 'fp8_block' || s === 'nvfp4' || s === 'mxfp4' || s === 'int4') return s as WeightDtype;
  return null;
}

export function rowDeployment(row: SiliconRow): RowDeployment {
  const model = catalogModelOf(row.modelPath);
  if (model === null) return { ok: false, reason: `model ${row.modelPath} not in catalog` };
  if (!Object.prototype.hasOwnProperty.call(GPUS, row.system)) return { ok: false, reason: `GPU ${row.system} not in catalog` };
  const spec = getModel(model);
  let weightDtype = quantDtype(row.gemmQuant, row.precision);
  let moeDtype = quantDtype(row.moeQuant || row.gemmQuant, row.precision);
  if (weightDtype === null) return { ok: false, reason: `precision ${row.gemmQuant || row.precision} not supported` };
  if (moeDtype === null) return { ok: false, reason: `MoE precision ${row.moeQuant} not supported` };
  // a checkpoint that ships only its experts in 4 bits (gpt-oss: MXFP4) keeps its other weights in BF16
  // and its experts in their own 4-bit format, whatever the benchmark calls the precision
  if (spec.nativeExpertDtype === 'mxfp4' && (weightDtype === 'nvfp4' || weightDtype === 'mxfp4')) {
    weightDtype = 'bf16';
    moeDtype = 'mxfp4';
  }
  if (!spec.moe) moeDtype = weightDtype;
  // vLLM and SGLang keep the KV cache in the activation dtype unless told otherwise ("auto");
  // TensorRT-LLM takes the KV dtype from the quantised checkpoint, and its FP8 checkpoints (ModelOpt)
  // carry FP8 KV scales, so their cache is FP8
  const kvDtype: KvDtype = row.backend === 'trtllm' && weightDtype !== 'bf16' ? 'fp8' : 'bf16';
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
    return row.mode === 'disagg' && s.batch > 0 ? { replicas: s.workers, parallel, maxBatch: s.batch } : { replicas: s.workers, parallel };
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
      weightDtype, moeDtype, kvDtype, pools,
    },
  };
}
