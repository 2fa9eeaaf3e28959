/**
 * GPU catalog. Values are transcribed from the system specs of NVIDIA's AI Configurator,
 * ai-dynamo/aiconfigurator @ 095f58a51c4ca8e61b66ec108d86f223f8d559ce (Apache-2.0), copied to
 * data/calibration/aic/systems/*.yaml. mi300x is not in AIC: it comes from AMD's published
 * specification (see docs/timing-model.md §3.1) and has no measured data behind it.
 * Bandwidths are one direction, as in the AIC YAMLs.
 */

/** Where a GPU entry's numbers come from. */
export type GpuSource = 'aic' | 'spec-only';

/** Hardware description of one GPU and the node it sits in. */
export interface GpuSpec {
  /** Catalog key, e.g. `h100_sxm`. */
  readonly name: string;
  /** `aic`: transcribed from an AIC system YAML; `spec-only`: vendor datasheet only, no measurements. */
  readonly source: GpuSource;
  /** Device-memory (HBM/GDDR) peak bandwidth, bytes/s. */
  readonly memBw: number;
  /** Device-memory capacity, bytes. */
  readonly memCapacity: number;
  /** Dense (no 2:4 sparsity) BF16 tensor-core peak, FLOP/s. */
  readonly bf16Flops: number;
  /** Dense FP8 tensor-core peak, FLOP/s; undefined when the GPU has no FP8 tensor cores. */
  readonly fp8Flops?: number;
  /** Dense FP4 tensor-core peak, FLOP/s; undefined when the GPU has no FP4 tensor cores. */
  readonly fp4Flops?: number;
  /** GPU-to-GPU bandwidth inside a node (NVLink/fabric, or PCIe when there is none), bytes/s per GPU, one direction. */
  readonly intraNodeBw: number;
  /** Host PCIe bandwidth, bytes/s, one direction. */
  readonly pcieBw: number;
  /** How the GPUs of a node talk to each other; decides the all-reduce latency floor. */
  readonly interconnect: 'nvlink' | 'pcie' | 'infinity-fabric';
  /** GPUs per node (one host / compute tray); see `nvlinkDomain` for how far NVLink reaches. */
  readonly gpusPerNode: number;
  /** Memory NCCL/custom all-reduce buffers take per GPU, bytes, keyed by TP size (1, 2, 4, 8). */
  readonly ncclMem: Readonly<Record<1 | 2 | 4 | 8, number>>;
  /** Other per-GPU reserve (activations, CUDA context, allocator slack), bytes. */
  readonly otherMem: number;
  /**
   * Bandwidth to a GPU in another node, bytes/s per GPU, one direction: NVLink through the rack's NVSwitches
   * inside a GB200/GB300 NVL72, otherwise the node's network adapter share (AIC `inter_node_bw`).
   */
  readonly interNodeBw: number;
  /** Bandwidth to a GPU outside the NVLink domain (the scale-out network), bytes/s per GPU, one direction. */
  readonly scaleOutBw: number;
  /** GPUs one scale-up fabric (NVLink / Infinity Fabric) connects: 8 for HGX/OAM boards, 72 for NVL72 racks, 1 without one. */
  readonly nvlinkDomain: number;
  /** Fixed latency of one GPU-to-GPU transfer, ms (AIC `p2p_latency`). */
  readonly p2pLatencyMs: number;
  /** Architecture family, for per-architecture kernel efficiencies. */
  readonly arch: GpuArch;
  /** CUDA compute capability × 10 (80 Ampere, 89 Ada, 90 Hopper, 100/103 Blackwell); undefined for AMD. */
  readonly smVersion?: number;
  /** Dense INT8 tensor-core peak, OP/s; undefined when not published. */
  readonly int8Flops?: number;
  /** Board power limit, W. */
  readonly powerW: number;
}

/** GPU architecture family. */
export type GpuArch = 'ampere' | 'ada' | 'hopper' | 'blackwell' | 'cdna3';

const GiB = 1024 ** 3;

// AIC uses the same NCCL and activation reserves for every system.
const AIC_NCCL_MEM = { 1: 0, 2: 358612992, 4: 411041792, 8: 411041792 } as const;
const AIC_OTHER_MEM = 3758096384;
// AIC's p2p_latency, 10 µs, for every system.
const AIC_P2P_LATENCY_MS = 0.01;

export const GPUS: Readonly<Record<string, GpuSpec>> = {
  h100_sxm: {
    name: 'h100_sxm', source: 'aic',
    memBw: 3350e9, memCapacity: 80 * GiB,
    bf16Flops: 989e12, fp8Flops: 1978e12,
    intraNodeBw: 450e9, pcieBw: 64e9, interconnect: 'nvlink', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 50e9, scaleOutBw: 50e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'hopper', smVersion: 90, int8Flops: 1978e12, powerW: 700,
  },
  h200_sxm: {
    name: 'h200_sxm', source: 'aic',
    memBw: 4800e9, memCapacity: 141 * GiB,
    bf16Flops: 989e12, fp8Flops: 1978e12,
    intraNodeBw: 450e9, pcieBw: 64e9, interconnect: 'nvlink', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 50e9, scaleOutBw: 50e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'hopper', smVersion: 90, int8Flops: 1978e12, powerW: 700,
  },
  b200_sxm: {
    name: 'b200_sxm', source: 'aic',
    memBw: 7700e9, memCapacity: 180 * GiB,
    bf16Flops: 2250e12, fp8Flops: 4500e12, fp4Flops: 9000e12,
    intraNodeBw: 900e9, pcieBw: 128e9, interconnect: 'nvlink', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 100e9, scaleOutBw: 100e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'blackwell', smVersion: 100, int8Flops: 4500e12, powerW: 1000,
  },
  gb200: {
    name: 'gb200', source: 'aic',
    // 189,471 MiB as reported by nvidia-smi.
    memBw: 8000e9, memCapacity: 198674743296,
    bf16Flops: 2500e12, fp8Flops: 5000e12, fp4Flops: 10000e12,
    // 4 GPUs per tray, but NVLink spans the 72-GPU rack, so any TP ≤ 8 stays on NVLink.
    intraNodeBw: 900e9, pcieBw: 64e9, interconnect: 'nvlink', gpusPerNode: 4,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    // inter_node_bw is NVLink through the rack's switches; inter_rack_bw (100 GB/s, CX8 XDR) leaves the NVL72.
    interNodeBw: 900e9, scaleOutBw: 100e9, nvlinkDomain: 72, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'blackwell', smVersion: 100, int8Flops: 5000e12, powerW: 1200,
  },
  b300_sxm: {
    name: 'b300_sxm', source: 'aic',
    // 275,040 MiB as reported by nvidia-smi; 62 TB/s per 8 GPUs.
    memBw: 7750e9, memCapacity: 288400343040,
    // Blackwell Ultra trades INT8 (153.5 TOPS) for FP4 (14 PFLOPS dense).
    bf16Flops: 2250e12, fp8Flops: 4500e12, fp4Flops: 14000e12,
    intraNodeBw: 900e9, pcieBw: 128e9, interconnect: 'nvlink', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 100e9, scaleOutBw: 100e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'blackwell', smVersion: 103, int8Flops: 153.5e12, powerW: 1100,
  },
  gb300: {
    name: 'gb300', source: 'aic',
    // 284,208 MiB as reported by nvidia-smi.
    memBw: 8000e9, memCapacity: 298013687808,
    bf16Flops: 2500e12, fp8Flops: 5000e12, fp4Flops: 15000e12,
    intraNodeBw: 900e9, pcieBw: 64e9, interconnect: 'nvlink', gpusPerNode: 4,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 900e9, scaleOutBw: 100e9, nvlinkDomain: 72, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'blackwell', smVersion: 103, int8Flops: 165e12, powerW: 1400,
  },
  a100_sxm: {
    name: 'a100_sxm', source: 'aic',
    memBw: 2039e9, memCapacity: 80 * GiB,
    bf16Flops: 312e12,
    intraNodeBw: 300e9, pcieBw: 32e9, interconnect: 'nvlink', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 25e9, scaleOutBw: 25e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'ampere', smVersion: 80, int8Flops: 624e12, powerW: 400,
  },
  l40s: {
    name: 'l40s', source: 'aic',
    // 46,068 MiB.
    memBw: 864e9, memCapacity: 48305799168,
    bf16Flops: 362.05e12, fp8Flops: 733e12,
    intraNodeBw: 32e9, pcieBw: 32e9, interconnect: 'pcie', gpusPerNode: 8,
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    interNodeBw: 50e9, scaleOutBw: 50e9, nvlinkDomain: 1, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    arch: 'ada', smVersion: 89, int8Flops: 733e12, powerW: 350,
  },
  mi300x: {
    name: 'mi300x', source: 'spec-only',
    memBw: 5300e9, memCapacity: 192 * GiB,
    bf16Flops: 1307e12, fp8Flops: 2615e12,
    // AMD quotes 896 GB/s aggregate bidirectional Infinity Fabric (7 links × 128 GB/s); one direction is half.
    intraNodeBw: 448e9, pcieBw: 64e9, interconnect: 'infinity-fabric', gpusPerNode: 8,
    // No AIC data: assume the same reserves as the NVIDIA systems.
    ncclMem: AIC_NCCL_MEM, otherMem: AIC_OTHER_MEM,
    // Not in AIC: one 400 Gb/s NIC per GPU as on AMD's reference MI300X platforms; AIC's 10 µs P2P latency.
    interNodeBw: 50e9, scaleOutBw: 50e9, nvlinkDomain: 8, p2pLatencyMs: AIC_P2P_LATENCY_MS,
    // AMD datasheet: 2,615 TOPS dense INT8, 750 W.
    arch: 'cdna3', int8Flops: 2615e12, powerW: 750,
  },
};

/** Catalog keys, sorted. */
export const GPU_NAMES: readonly string[] = Object.keys(GPUS).sort();

/** Look a GPU up by catalog key; throws listing the valid keys when it is unknown. */
export function getGpu(name: string): GpuSpec {
  const g = Object.prototype.hasOwnProperty.call(GPUS, name) ? GPUS[name] : undefined;
  if (!g) throw new Error(`unknown GPU "${name}"; expected one of: ${GPU_NAMES.join(', ')}`);
  return g;
}

/** NCCL buffer memory per GPU for a TP group of `tp` GPUs (rounded up to the next tabulated size), bytes. */
export function ncclMemBytes(gpu: GpuSpec, tp: number): number {
  if (tp <= 1) return gpu.ncclMem[1];
  if (tp <= 2) return gpu.ncclMem[2];
  if (tp <= 4) return gpu.ncclMem[4];
  return gpu.ncclMem[8];
}

/**
 * One-direction bandwidth per GPU of a collective spanning `gpus` GPUs: the intra-node fabric while the
 * group fits in a node, the NVLink domain's bandwidth while it fits in the domain (NVL72), else the network.
 */
export function groupLinkBw(gpu: GpuSpec, gpus: number): number {
  if (gpus <= gpu.gpusPerNode) return gpu.intraNodeBw;
  if (gpus <= gpu.nvlinkDomain) return gpu.interNodeBw;
  return gpu.scaleOutBw;
}
