#pragma once
// The GPU model's one public header: a GPU memory hierarchy (SMs issuing the sector accesses of
// an access trace, per-SM L1 data caches, L2 slices, HBM through models/dram) replaying kernels
// one after another. See models/gpu/README.md.
//
// What it is: a trace-driven model of the memory system. Each CTA's warps issue their recorded
// 32-byte sector accesses in program order; a warp keeps up to `warp_outstanding` of them in
// flight and an SM up to `max_outstanding`; CTAs occupy SMs by the occupancy limits. Compute
// between accesses is not in the trace and is not modelled, so a kernel's time is the time its
// memory accesses need: a memory-bound estimate (a lower bound for compute-bound kernels).
//
// Time is event-driven (a queue of timed events in picoseconds; the DRAM runs on its own clock
// through dram::DramBackend); idle hardware costs nothing.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/gpu_spec.h"
#include "models/dram/dram.h"
#include "models/gpu/impl/cache.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "workloads/trace/access_trace.h"

namespace accsim::gpu {

struct KernelStats {
  std::string name;
  std::uint64_t records = 0, ctas = 0;
  int ctas_per_sm = 0;  // occupancy used
  double time_ns = 0;
  std::uint64_t l1_hits = 0, l1_misses = 0;  // loads through L1 (bypassing loads not counted)
  std::uint64_t l2_hits = 0, l2_misses = 0;  // sector lookups at L2 (loads, stores, atomics)
  std::uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  std::uint64_t latency_sum_cycles = 0, latency_max_cycles = 0, accesses = 0;
};

class GpuReplay {
 public:
  // Statistics go to "gpu" and the DRAM's to "dram" (DramBackend); energy to "gpu" and "dram".
  GpuReplay(const hw::GpuSpec& gpu, const hw::DramSpec& dram, const dram::ControllerConfig& ctrl,
            StatsRegistry& stats, EnergyLedger& energy);
  ~GpuReplay();
  GpuReplay(const GpuReplay&) = delete;
  GpuReplay& operator=(const GpuReplay&) = delete;

  // Runs one kernel (its records, any order: they are grouped by CTA and warp, keeping each
  // warp's order) to completion, starting when the previous kernel ended. `info` gives the
  // block size and shared memory for occupancy.
  KernelStats run_kernel(const workloads::KernelInfo& info,
                         std::vector<workloads::AccessRecord> records);
  // Closes statistics and energy (DRAM background included) at the current time. Call once.
  void finalize();
  double now_s() const;
  const std::vector<KernelStats>& kernels() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accsim::gpu
