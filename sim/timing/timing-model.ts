/**
 * Pass-time models. A forward pass of an engine holds prefill chunks and decode tokens; the engine
 * asks the model for the prefill time of the chunks and the decode time of the batch, and divides by
 * its speedup ratios. Both methods return unscaled milliseconds and must be cheap: they are called
 * once per simulated pass (millions of times per replay).
 */
export interface TimingModel {
  readonly name: string;
  /**
   * Prefill part of a pass.
   * @param count requests with prompt tokens in this pass (0 → return 0)
   * @param sumIsl Σ over those requests of the prompt position the chunk ends at (cached prefix + all
   *               prompt tokens computed so far, including this chunk)
   * @param sumPrefix Σ of the prompt tokens already present before this chunk (cached or computed earlier)
   * @param sumAttnSq Σ (end² − start²) over the chunks: the causal-attention work of the pass
   */
  prefillMs(count: number, sumIsl: number, sumPrefix: number, sumAttnSq: number): number;
  /**
   * Decode part of a pass: one new token for each of `batch` requests.
   * @param activeKvTokens KV tokens resident in the worker's active (referenced) blocks, measured before the pass
   * @param kvReadTokens Σ over the batch of each request's allocated KV tokens (block-granular context it reads)
   * @param totalKvTokens the worker's KV capacity in tokens
   */
  decodeMs(batch: number, activeKvTokens: number, kvReadTokens: number, totalKvTokens: number): number;
  /**
   * Optional: time of a pass that mixes prefill chunks and decode tokens, when running them as one
   * batch is cheaper than the sum of the parts (weights are streamed once). Unscaled ms.
   */
  mixedMs?(count: number, sumIsl: number, sumPrefix: number, sumAttnSq: number, batch: number,
    activeKvTokens: number, kvReadTokens: number, totalKvTokens: number): number;
}
