#pragma once
// GpuSpec: the GPU memory hierarchy the `gpu` target replays access traces on (models/gpu):
// SMs with their L1 data caches, the L2 slices, and HBM (the `dram:` section, HBM3 by default).
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

struct GpuEnergySpec {
  double l1_j_per_bit = 0.16e-12;  // KB-sized SRAM (Horowitz)
  double l2_j_per_bit = 1.6e-12;   // MB-sized SRAM (Horowitz)
  double noc_j_per_bit = 0.0;      // SM <-> L2 crossbar (no figure: 0)
};

struct GpuSpec {
  std::string preset;  // H100 or ""
  std::string name = "NVIDIA H100 SXM";
  int sms = 132;
  double sm_clock_hz = 1.98e9;
  int max_threads_per_sm = 2048;
  int max_ctas_per_sm = 32;
  double smem_per_sm = 228.0 * 1024;  // shared memory a CTA may use per SM
  int max_outstanding = 256;          // sectors in flight per SM (L1 miss queue)
  int warp_outstanding = 8;           // sectors in flight per warp
  GpuCacheSpec l1;
  GpuCacheSpec l2;
  int l2_slices = 80;
  int dram_latency = 69;  // SM cycles added to the DRAM's own service time on an L2 miss
  GpuEnergySpec energy;

  ClockDomain clock() const;
  static std::vector<std::string> sources();
};

const config::Schema<GpuSpec>& gpu_spec_schema();
std::vector<std::string> gpu_preset_names();

}  // namespace accsim::hw
