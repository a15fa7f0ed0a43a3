#include "models/gpu/impl/occupancy.h"

#include <algorithm>
#include <limits>

namespace accsim::gpu {

CtaOccupancy compute_occupancy(const hw::GpuSpec& g, std::uint64_t threads, std::uint32_t regs,
                               std::uint64_t smem) {
  CtaOccupancy o;
  const std::uint64_t warps = (threads + 31) / 32;
  o.warps_per_cta = static_cast<int>(std::min<std::uint64_t>(warps, 1u << 30));
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  const auto limit = [&](std::uint64_t n, const char* what) {
    if (n < best) {
      best = n;
      o.limiter = what;
    }
  };
  limit(static_cast<std::uint64_t>(g.max_ctas_per_sm), "ctas");
  limit(static_cast<std::uint64_t>(g.max_warps_per_sm) / warps, "warps");
  limit(static_cast<std::uint64_t>(g.max_threads_per_sm) / threads, "threads");
  if (regs > 0) {
    const auto unit = static_cast<std::uint64_t>(g.reg_alloc_unit);
    const std::uint64_t per_warp = (std::uint64_t{regs} * 32 + unit - 1) / unit * unit;
    o.regs_per_warp = static_cast<int>(per_warp);
    if (regs > static_cast<std::uint32_t>(g.max_regs_per_thread)) {
      o.ctas_per_sm = 0;
      o.why_zero = std::to_string(regs) + " registers per thread exceed the GPU's " +
                   std::to_string(g.max_regs_per_thread);
      return o;
    }
    limit(static_cast<std::uint64_t>(g.regs_per_sm) / (per_warp * warps), "registers");
  }
  const auto reserved = static_cast<std::uint64_t>(g.smem_reserved_per_cta);
  const auto smem_sm = static_cast<std::uint64_t>(g.smem_per_sm);
  if (smem > 0) limit(smem_sm / (smem + reserved), "shared memory");
  o.ctas_per_sm = static_cast<int>(best);
  if (best == 0) {
    if (o.limiter == "registers")
      o.why_zero = "a CTA of " + std::to_string(warps) + " warps x " +
                   std::to_string(o.regs_per_warp) + " registers needs " +
                   std::to_string(warps * static_cast<std::uint64_t>(o.regs_per_warp)) +
                   " registers; an SM has " + std::to_string(g.regs_per_sm);
    else if (o.limiter == "shared memory")
      o.why_zero = "a CTA needs " + std::to_string(smem + reserved) +
                   " bytes of shared memory (with the reserved " + std::to_string(reserved) +
                   "); an SM offers " + std::to_string(smem_sm);
    else
      o.why_zero = "a CTA of " + std::to_string(threads) + " threads (" + std::to_string(warps) +
                   " warps) exceeds the SM's " + std::to_string(g.max_threads_per_sm) +
                   " threads / " + std::to_string(g.max_warps_per_sm) + " warps";
  }
  return o;
}

}  // namespace accsim::gpu
