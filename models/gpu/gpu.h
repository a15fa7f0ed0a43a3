#pragma once
// The GPU model's one public header: SMs that issue the instruction mix and the memory records of
// an access trace (sub-partition schedulers, execution pipes, occupancy from threads, warps,
// registers and shared memory), per-SM L1 data caches, L2 slices and HBM through models/dram,
// replaying kernels one after another. See models/gpu/README.md.
//
// Each CTA's warps execute their records in program order: compute records occupy their
// sub-partition's issue slot and pipe, memory records go through L1 / L2 / DRAM with up to
// `warp_outstanding` sectors in flight per warp, `wait` records block until the loads they name
// have returned, barriers until every warp of the CTA has arrived. Kernels whose records carry no
// instruction mix (version-1 traces) are replayed as memory accesses only (a memory-bound
// estimate), and their statistics say so.
//
// Time is event-driven in SM cycles (a calendar queue; the DRAM runs on its own clock through
// dram::DramBackend); idle hardware costs nothing. Records stream from a KernelRecordSource, so
// memory does not grow with the length of a kernel.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/gpu_spec.h"
#include "models/dram/backend.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "workloads/trace/access_trace.h"
#include "workloads/trace/kernel_source.h"

namespace accsim::gpu {

using workloads::kInstrClassCount;
using workloads::kPipeCount;

// One resource's share of the kernel's time, in [0, 1] (see models/gpu/README.md, "Bounds").
struct Utilisation {
  std::string resource;  // tensor, fma, fp16, sfu, alu, cvt, shfl, smem, issue, l1, l2, dram
  double value = 0;
};

struct KernelStats {
  std::string name;
  bool memory_only = false;  // no instruction mix in the records: compute not modelled
  std::uint64_t records = 0, ctas = 0;
  int ctas_per_sm = 0;  // occupancy used
  std::string occupancy_limiter;
  int warps_per_sm = 0;        // resident warps at full occupancy
  std::uint64_t l1_bytes = 0;  // L1 data cache per SM: the unified array less the shared memory
  double time_ns = 0;
  std::int64_t cycles = 0;
  // Sampling (RunOptions::sample_waves): simulated CTAs and how the rest was extrapolated.
  bool sampled = false;
  std::uint64_t sampled_ctas = 0, total_ctas = 0;
  double sampled_time_ns = 0;
  std::string extrapolation;  // "waves" or "work"
  // L1: loads through L1 (bypassing loads, stores and atomics are not looked up): hits, primary
  // misses, and lookups merged into a miss already in flight.
  std::uint64_t l1_hits = 0, l1_misses = 0, l1_pending = 0;
  // L2 sector lookups (loads, stores, atomics): hits (sector present), primary misses of loads
  // and atomics (each a DRAM read), lookups merged into a miss in flight, and stores to a sector
  // not present (allocated without a fetch).
  std::uint64_t l2_hits = 0, l2_misses = 0, l2_pending = 0, l2_store_allocs = 0;
  std::uint64_t dram_read_bytes = 0, dram_write_bytes = 0;  // during the kernel
  std::uint64_t smem_async_bytes = 0;       // bytes cp.async wrote into shared memory
  std::uint64_t l2_dirty_bytes_at_end = 0;  // written, still in L2 at the end
  std::uint64_t latency_sum_cycles = 0, latency_max_cycles = 0, accesses = 0;
  std::array<std::uint64_t, kInstrClassCount> instructions{};  // warp-instructions per class
  std::uint64_t issued = 0;                                    // warp-instructions in all
  std::array<double, kPipeCount> pipe_busy{};  // cycles, summed over sub-partitions (smem: SMs)
  // Warp stall cycles (summed over warps) by reason.
  std::uint64_t stall_memory = 0;        // at a wait record: loads not back yet
  std::uint64_t stall_dependency = 0;    // a compute record waits for an earlier result
  std::uint64_t stall_pipe = 0;          // its pipe or the scheduler's issue slot was busy
  std::uint64_t stall_barrier = 0;       // at a barrier
  std::uint64_t stall_mem_slots = 0;     // warp or SM outstanding-request limit, or L1 port busy
  std::vector<Utilisation> utilisation;  // every resource, in the order of `resource` above
  std::string bound;                     // the resource that bounds it, or "latency"
  double bound_utilisation = 0;
  // L2 sector hit rate as Nsight Compute's lts__t_sector_hit_rate counts it (models/gpu/README.md
  // "Counters": a hit needs the sector's data present, so a merged lookup is a miss; every store
  // is a hit), and the model's own primary-miss rate (lookups that read DRAM / all lookups).
  double l2_hit_rate_ncu() const;
  double l2_primary_miss_rate() const;
  std::uint64_t l2_lookups() const { return l2_hits + l2_misses + l2_pending + l2_store_allocs; }
  double l1_hit_rate() const;  // hits / lookups (a merged lookup is a miss, as in ncu)
};

// A resource of Utilisation::resource (or "latency": no resource reached 60 % of its peak) in
// words: "dram" -> "DRAM bandwidth".
std::string_view resource_words(std::string_view resource);
// What bounded a sequence of kernels, weighted by their time: each bound's share of the total
// time, largest first ("DRAM bandwidth 81 % of the time, latency 19 %"); "" for no kernel.
std::string time_weighted_bound(const std::vector<KernelStats>& kernels);

struct RunOptions {
  // 0: simulate every CTA. N > 0: simulate the first N waves of CTAs (a wave = SMs x CTAs per
  // SM) and extrapolate the kernel's time and counts to the whole grid.
  int sample_waves = 0;
  // Called now and then with the CTAs finished so far and the kernel's CTAs.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// An estimate of the host memory GpuReplay takes: every SM's L1 and the L2 slices (one tag and
// state slot per line) and the DRAM model (dram::estimated_model_bytes), checked against
// system.memory_budget before a run.
double estimated_model_bytes(const hw::GpuSpec& gpu, const hw::DramSpec& dram);

class GpuReplay {
 public:
  // Statistics go to "gpu" and the DRAM's to "dram" (DramBackend); energy to "gpu" and "dram".
  GpuReplay(const hw::GpuSpec& gpu, const hw::DramSpec& dram, const dram::ControllerConfig& ctrl,
            StatsRegistry& stats, EnergyLedger& energy);
  ~GpuReplay();
  GpuReplay(const GpuReplay&) = delete;
  GpuReplay& operator=(const GpuReplay&) = delete;

  // Runs one kernel to completion, starting when the previous kernel ended. Bad records (a
  // barrier that not every warp reaches, a kernel whose CTA cannot fit an SM) are accsim::Errors
  // naming the kernel, CTA and warp.
  KernelStats run_kernel(workloads::KernelRecordSource& source, const RunOptions& opt = {});
  // The same from records held in memory (any order: grouped by CTA and warp, keeping each
  // warp's order); `info` gives the block size, registers and shared memory for occupancy.
  KernelStats run_kernel(const workloads::KernelInfo& info,
                         std::vector<workloads::AccessRecord> records);
  // Closes statistics and energy (DRAM background and static power included) at the current
  // time. Call once.
  void finalize();
  double now_s() const;
  const std::vector<KernelStats>& kernels() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accsim::gpu
