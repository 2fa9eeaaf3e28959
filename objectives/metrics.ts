/** A report metric and which way is better. */
export interface MetricSpec {
  key: string;
  label: string;
  better: 'min' | 'max';
}

/** What `twinsearch bench` compares for each policy kind; the first metric ranks candidates. */
export const KIND_METRICS: Record<'router' | 'planner' | 'eviction', MetricSpec[]> = {
  router: [
    { key: 'mean_ttft_ms', label: 'mean TTFT (ms)', better: 'min' },
    { key: 'p90_ttft_ms', label: 'p90 TTFT (ms)', better: 'min' },
    { key: 'mean_tpot_ms', label: 'mean TPOT (ms)', better: 'min' },
    { key: 'prefix_cache_reused_ratio', label: 'prefix reuse', better: 'max' },
  ],
  planner: [
    { key: 'gpu_hours', label: 'GPU-hours', better: 'min' },
    { key: 'p90_ttft_ms', label: 'p90 TTFT (ms)', better: 'min' },
    { key: 'sla_attainment', label: 'SLA attained', better: 'max' },
  ],
  eviction: [
    { key: 'prefix_cache_reused_ratio', label: 'prefix reuse', better: 'max' },
    { key: 'mean_ttft_ms', label: 'mean TTFT (ms)', better: 'min' },
    { key: 'p90_ttft_ms', label: 'p90 TTFT (ms)', better: 'min' },
  ],
};
