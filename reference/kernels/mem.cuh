#pragma once
// The one place where the reference kernels touch global memory.
//
// Every global load and store of every kernel goes through a Mem policy passed as a kernel
// argument:
//   PlainMem    the timing build: each call is the plain access and nothing else;
//   CaptureMem  the capture build: before the access, the warp's active lanes are grouped by
//               32-byte sector (__match_any_sync on addr >> 5); the lowest lane of each group
//               appends one record {sector address, %globaltimer, CTA, SM, warp, kind} to a
//               preallocated device buffer. One lane per warp claims the slots of all the
//               warp's sectors with a single atomicAdd on the cursor; a record that does not fit
//               sets the overflow flag and is dropped, so the buffer is never overrun.
// The capture build perturbs timing (extra instructions, atomics, record stores share the memory
// system), which is why only PlainMem kernels are timed; it keeps the access order of each warp
// and the order and gaps between a warp's accesses.
#include <cstdint>

#include "reference/kernels/common.cuh"
#include "reference/kernels/launch.h"

namespace accsim::ref {

// Device image of workloads::AccessRecord (workloads/trace/access_trace_format.h); the launcher
// side static_asserts that the layouts agree.
struct DevRecord {
  std::uint64_t address;
  std::uint64_t timestamp;
  std::uint32_t cta;
  std::uint32_t size;
  std::uint16_t sm;
  std::uint16_t warp;
  std::uint16_t kernel;
  std::uint8_t kind;
  std::uint8_t flags;
};
static_assert(sizeof(DevRecord) == 32, "access record is 32 bytes");

enum : std::uint8_t { kKindLoad = 0, kKindStore = 1, kKindAtomic = 2 };
enum : std::uint8_t { kFlagL1Bypass = 1 };

__device__ __forceinline__ std::uint64_t global_timer_ns() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
__device__ __forceinline__ std::uint32_t sm_id() {
  std::uint32_t s;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(s));
  return s;
}
__device__ __forceinline__ std::uint32_t linear_cta() {
  return blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
}
__device__ __forceinline__ std::uint32_t warp_in_cta() {
  return (threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)) >> 5;
}

// Explicitly cached loads for the microbenchmarks (PTX ld.global.ca / ld.global.cg).
__device__ __forceinline__ std::uint64_t ld_u64(const std::uint64_t* p, bool cg) {
  std::uint64_t v;
  if (cg)
    asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(v) : "l"(p) : "memory");
  else
    asm volatile("ld.global.ca.u64 %0, [%1];" : "=l"(v) : "l"(p) : "memory");
  return v;
}
__device__ __forceinline__ uint4 ld_v4(const uint4* p, bool cg) {
  uint4 v;
  if (cg)
    asm volatile("ld.global.cg.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
  else
    asm volatile("ld.global.ca.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
  return v;
}

struct PlainMem {
  static constexpr bool kCapture = false;

  template <class T>
  __device__ __forceinline__ T ld_global(const T* p) const {
    return *p;
  }
  template <class T>
  __device__ __forceinline__ void st_global(T* p, const T& v) const {
    *p = v;
  }
  __device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool pred) const {
    cp_async16_raw(smem, gmem, pred);
  }
  __device__ __forceinline__ std::uint64_t ld_chase(const std::uint64_t* p, bool cg) const {
    return ld_u64(p, cg);
  }
  __device__ __forceinline__ uint4 ld_sweep(const uint4* p, bool cg) const { return ld_v4(p, cg); }
};

struct CaptureMem {
  static constexpr bool kCapture = true;
  CaptureSink sink;

  // Appends one record per distinct 32-byte sector among the calling lanes.
  __device__ __forceinline__ void record(const void* addr, std::uint8_t kind,
                                         std::uint8_t flags) const {
    const std::uint32_t cta = linear_cta();
    if (cta % sink.sample != 0) return;  // uniform over the CTA: no divergence inside a warp
    const unsigned active = __activemask();
    const unsigned long long sector = reinterpret_cast<unsigned long long>(addr) >> 5;
    const unsigned peers = __match_any_sync(active, sector);
    const unsigned lane = lane_id();
    const bool leader = (__ffs(peers) - 1) == static_cast<int>(lane);
    const unsigned leaders = __ballot_sync(active, leader);
    const int first = __ffs(active) - 1;
    unsigned long long base = 0;
    if (static_cast<int>(lane) == first)
      base = atomicAdd(sink.cursor, static_cast<unsigned long long>(__popc(leaders)));
    base = __shfl_sync(active, base, first);
    if (!leader) return;
    const unsigned long long slot = base + __popc(leaders & ((1u << lane) - 1u));
    if (slot >= sink.capacity) {
      *sink.overflow = 1u;  // benign race: every writer stores the same value
      return;
    }
    DevRecord r;
    r.address = sector << 5;
    r.timestamp = global_timer_ns();
    r.cta = cta;
    r.size = 32;
    r.sm = static_cast<std::uint16_t>(sm_id());
    r.warp = static_cast<std::uint16_t>(warp_in_cta());
    r.kernel = sink.kernel;
    r.kind = kind;
    r.flags = flags;
    static_cast<DevRecord*>(sink.records)[slot] = r;
  }

  template <class T>
  __device__ __forceinline__ T ld_global(const T* p) const {
    record(p, kKindLoad, 0);
    return *p;
  }
  template <class T>
  __device__ __forceinline__ void st_global(T* p, const T& v) const {
    record(p, kKindStore, 0);
    *p = v;
  }
  __device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool pred) const {
    if (pred) record(gmem, kKindLoad, kFlagL1Bypass);  // cp.async.cg caches in L2 only
    cp_async16_raw(smem, gmem, pred);
  }
  __device__ __forceinline__ std::uint64_t ld_chase(const std::uint64_t* p, bool cg) const {
    record(p, kKindLoad, cg ? kFlagL1Bypass : 0);
    return ld_u64(p, cg);
  }
  __device__ __forceinline__ uint4 ld_sweep(const uint4* p, bool cg) const {
    record(p, kKindLoad, cg ? kFlagL1Bypass : 0);
    return ld_v4(p, cg);
  }
};

}  // namespace accsim::ref
