#pragma once
// GpuSpec: the GPU the `gpu` target replays access traces on (models/gpu): SMs (sub-partition
// schedulers, execution pipes, occupancy limits) with their L1 data caches, the L2 slices, and
// HBM (the `dram:` section).
// Loaded from a `gpu:` section; every default and its source is in gpu_spec.cpp.
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace accsim::hw {

struct GpuCacheSpec {
  double size_bytes = 256.0 * 1024;  // capacity (per SM for L1, whole for L2)
  int line_bytes = 128;
  int sector_bytes = 32;
  int ways = 4;
  int hit_latency = 39;       // SM cycles from issue to data, on a hit
  int sectors_per_cycle = 4;  // throughput (per SM for L1, per slice for L2)
};

// One execution pipe of an SM (models/gpu/README.md, "SM model"). `rate` is per SM per SM cycle,
// in the unit the sources give: results (lanes) for the arithmetic pipes, multiply-accumulates for
// the tensor pipe, bytes for shared memory. The model spreads it evenly over the sub-partitions
// (a warp-instruction of 32 lanes occupies its sub-partition's pipe for 32 / (rate / SMSPs)
// cycles). `latency`: SM cycles from issue to a dependent instruction's issue.
struct GpuPipeSpec {
  double rate = 1;
  int latency = 1;
};

struct GpuPipesSpec {
  GpuPipeSpec tensor;  // mma.sync m16n8k16, 16-bit inputs, fp32 accumulation: MACs / cycle / SM
  GpuPipeSpec fma;     // fp32 fma/add/mul: results / cycle / SM
  GpuPipeSpec fp16;    // half2 fma/add/mul: results / cycle / SM (a half2 lane = 2 results)
  GpuPipeSpec sfu;     // ex2/rcp/rsqrt (MUFU): results / cycle / SM
  GpuPipeSpec alu;     // 32-bit integer/logic/compare: results / cycle / SM
  GpuPipeSpec cvt;     // type conversions: results / cycle / SM
  GpuPipeSpec shfl;    // warp shuffles: results / cycle / SM
  GpuPipeSpec smem;    // shared memory (lds/sts/ldmatrix): bytes / cycle / SM
};

struct GpuEnergySpec {
  double l1_j_per_bit = 0.16e-12;  // KB-sized SRAM (Horowitz)
  double l2_j_per_bit = 1.6e-12;   // MB-sized SRAM (Horowitz)
  double noc_j_per_bit = 0.0;      // SM <-> L2 crossbar (no figure: 0)
  // Per operation (one lane, or one MAC for the tensor pipe), joules; sources in gpu_spec.cpp.
  double tensor_j_per_mac = 0;  // 16-bit multiply-add into fp32
  double fma_j_per_op = 0;      // fp32 fma
  double fp16_j_per_op = 0;     // half2 lane (two 16-bit fma)
  double sfu_j_per_op = 0;
  double alu_j_per_op = 0;
  double cvt_j_per_op = 0;
  double shfl_j_per_op = 0;
  double smem_j_per_bit = 0;     // shared memory bytes moved
  double issue_j_per_instr = 0;  // per warp-instruction: fetch, decode, schedule, register file
  double static_w = 0;           // static (leakage and idle) power of the whole GPU, watts
};

struct GpuSpec {
  std::string preset;  // H100, H200, A100-40GB, A100-80GB, T4 or ""
  std::string name = "NVIDIA H100 SXM";
  std::string compute_capability = "9.0";
  int sms = 132;
  double sm_clock_hz = 1.98e9;
  int max_threads_per_sm = 2048;
  int max_ctas_per_sm = 32;
  int max_warps_per_sm = 64;
  double smem_per_sm = 228.0 * 1024;    // shared memory a CTA may use per SM
  double smem_reserved_per_cta = 1024;  // shared memory the system reserves per CTA (cc >= 8.0)
  int regs_per_sm = 65536;              // 32-bit registers
  int reg_alloc_unit = 256;             // registers are allocated per warp in units of this
  int max_regs_per_thread = 255;
  int sub_partitions = 4;   // SMSPs: one warp scheduler each
  int issue_per_cycle = 1;  // warp-instructions per scheduler per cycle
  int issue_batch = 32;     // a compute record issues in batches of at most this many
  GpuPipesSpec pipes;
  int max_outstanding = 1536;  // sectors in flight per SM (L1 miss queue)
  int warp_outstanding = 8;    // sectors in flight per warp
  GpuCacheSpec l1;
  GpuCacheSpec l2;
  int l2_slices = 80;
  int dram_latency = 69;  // SM cycles added to the DRAM's own service time on an L2 miss
  // The GPU's device memory as a DRAM-model configuration (the `dram:` section's preset, speed
  // bin and channel count), used when a system file gives no `dram:` section.
  std::string memory_preset = "HBM3";
  std::string memory_speed = "HBM3-5.2";
  int memory_channels = 80;
  GpuEnergySpec energy;

  ClockDomain clock() const;
  static std::vector<std::string> sources();
};

const config::Schema<GpuSpec>& gpu_spec_schema();
std::vector<std::string> gpu_preset_names();

}  // namespace accsim::hw
