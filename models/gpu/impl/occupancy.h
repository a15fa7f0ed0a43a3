#pragma once
// CTAs resident per SM, as the CUDA occupancy calculator computes it: the smallest of the limits
// by CTAs, warps, threads, registers and shared memory (CUDA C++ Programming Guide, "Hardware
// Multithreading" and the occupancy calculator's rules: registers are allocated per warp in
// units of `reg_alloc_unit`; each CTA also takes the shared memory the system reserves). Plain
// C++, unit-tested.
#include <cstdint>
#include <string>

#include "hw/gpu_spec.h"

namespace accsim::gpu {

struct CtaOccupancy {
  int ctas_per_sm = 0;  // 0: the kernel cannot run (a CTA needs more than an SM has)
  std::string limiter;  // "ctas", "warps", "threads", "registers" or "shared memory"
  int warps_per_cta = 0;
  int regs_per_warp = 0;  // allocated (0 when the register count is not known)
  std::string why_zero;   // when ctas_per_sm is 0: which resource, how much is asked and offered
};

// `threads` per CTA (> 0), `regs` per thread (0 = not known: registers do not limit), `smem`
// bytes of shared memory per CTA.
CtaOccupancy compute_occupancy(const hw::GpuSpec& g, std::uint64_t threads, std::uint32_t regs,
                               std::uint64_t smem);

}  // namespace accsim::gpu
