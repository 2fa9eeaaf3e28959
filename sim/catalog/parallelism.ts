/**
 * How one model replica is laid out over GPUs, in AI Configurator's terms (the columns of its silicon
 * CSV): attention runs `tp`-way tensor parallel in each of `attnDp` data-parallel groups, the MoE
 * layers run `moeTp`-way tensor parallel × `moeEp`-way expert parallel over the same GPUs, and the
 * layers are cut into `pp` pipeline stages. GPUs per replica = tp × attnDp × pp; for a MoE model
 * moeTp × moeEp = tp × attnDp. A dense model ignores moeTp/moeEp.
 */
export interface Parallelism {
  /** Tensor-parallel size of attention (and of dense FFNs). */
  readonly tp: number;
  /** Pipeline stages. */
  readonly pp: number;
  /** Attention data-parallel groups (each holds its own requests and KV cache). */
  readonly attnDp: number;
  /** Tensor-parallel split of each expert. */
  readonly moeTp: number;
  /** Expert-parallel split of the experts. */
  readonly moeEp: number;
}

/** Plain tensor parallelism over `tp` GPUs: experts split tensor-parallel on the same GPUs. */
export function tensorParallel(tp: number): Parallelism {
  return { tp, pp: 1, attnDp: 1, moeTp: tp, moeEp: 1 };
}

/** GPUs one replica occupies. */
export function gpusOf(p: Parallelism): number {
  return p.tp * p.attnDp * p.pp;
}

/** Throws unless every size is a positive integer and the MoE split covers the attention GPUs of a stage. */
export function validateParallelism(p: Parallelism, moe: boolean): void {
  for (const k of ['tp', 'pp', 'attnDp', 'moeTp', 'moeEp'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw new Error(`parallelism: ${k} must be a positive integer, got ${String(p[k])}`);
  }
  if (moe && p.moeTp * p.moeEp !== p.tp * p.attnDp) {
    throw new Error(`parallelism: moe_tp × moe_ep (${p.moeTp} × ${p.moeEp}) must equal tp × attention_dp (${p.tp} × ${p.attnDp}) for a MoE model`);
  }
}
