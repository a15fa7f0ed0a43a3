#pragma once
// The one place where the reference kernels touch global memory, and where they say what they
// execute (access-trace format version 2, workloads/trace/access_trace_format.h).
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
//
// Version-2 records. Next to the memory accesses, each kernel tells the policy, per warp and in
// program order, what else it does:
//   mem.mix(body)      the warp issues the instructions of one program point (kernel_mix.h: one
//                      compute record per item of the body);
//   mem.commit()       closes the warp's loads since the last commit into a group (next to
//                      cp_async_commit, and before the first use of values of plain loads);
//   mem.wait(n)        cp.async.wait_group n semantics (next to cp_async_wait<n>; wait(0) before
//                      using plain loads);
//   mem.barrier(id)    bar.sync id (next to every __syncthreads; id 0);
//   mem.cta_begin()    the first statement of every kernel (records by warp 0 lane 0 only);
//   mem.warp_exit()    at every point where a warp leaves the kernel (early returns too).
// PlainMem's versions are empty and inlined away: the timing build's code is unchanged. In
// CaptureMem each call appends one record per warp (mix: one per item), written by the warp's
// lowest active lane after one atomicAdd on the cursor, with the CTA sampling rule of the memory
// records. The calls must be placed where the warp's active lanes are converged (never inside a
// lane-divergent branch), so that a warp writes each record once.
//
// Order of cta_begin. Warps of a CTA run unsynchronised, so warp 0's cta_begin record can be
// claimed, and time-stamped, after another warp's first record. No device-side ordering is
// attempted (it would need a barrier or a spin on shared memory in the capture build only); the
// host restores the format's rule when it orders the buffer (host/capture_order.h,
// order_capture_records): per CTA, cta_begin's timestamp becomes the smallest timestamp of the
// CTA's records (it is never later than the CTA's first record), and among equal timestamps
// cta_begin sorts first. The records of one warp are claimed in program order (one thread's
// atomics on one address are ordered), and the host keeps that order.
//
// Marks (ACCSIM_MIX_MARKERS defined, PTX builds of the mix test only): the calls and the
// ACCSIM_MIX / ACCSIM_MIX_END / ACCSIM_MIX_PART / ACCSIM_MIX_PART_END macros also emit PTX
// comments ("// accsim-mix begin gemm_ktile" ...), asm volatile statements that occupy no
// instruction, so that reference/scripts/mix_check.py can find each program point's
// instructions in the PTX and compare them with kernel_mix.h.
#include <cstdint>
#include <type_traits>

#include "reference/kernels/common.cuh"
#include "reference/kernels/launch.h"
#include "workloads/trace/kernel_mix.h"

// A PTX comment in marked builds, nothing otherwise. `text` must be a string literal.
#if defined(ACCSIM_MIX_MARKERS)
#define ACCSIM_MIX_MARK(text) asm volatile("// accsim-mix " text ";")
#else
#define ACCSIM_MIX_MARK(text) \
  do {                        \
  } while (0)
#endif
// The program point `point` (a function of accsim::workloads::mix, called with the arguments
// that follow) starts here: its records are written here and, in marked builds, its region of
// the PTX runs from here to ACCSIM_MIX_END(point).
//
// The body is evaluated only in the capture build (`if constexpr` on Mem::kCapture): a body
// computed at run time (a runtime flag among its arguments) would otherwise stay in the timing
// build as a dead local array (nvcc does not remove it).
#define ACCSIM_MIX_RECORD(mem, point, ...)                                                \
  do {                                                                                    \
    if constexpr (::std::remove_cv_t<::std::remove_reference_t<decltype(mem)>>::kCapture) \
      (mem).mix(::accsim::workloads::mix::point(__VA_ARGS__));                            \
  } while (0)
#define ACCSIM_MIX(mem, point, ...)             \
  do {                                          \
    ACCSIM_MIX_RECORD(mem, point, __VA_ARGS__); \
    ACCSIM_MIX_MARK("begin " #point);           \
  } while (0)
#define ACCSIM_MIX_END(point) ACCSIM_MIX_MARK("end " #point)
// The same for one of several copies of a program point's code that the source writes out per
// value of a runtime flag (marks "begin point/variant"); the check compares each copy with the
// body of its variant.
#define ACCSIM_MIX_AS(mem, variant, point, ...)    \
  do {                                             \
    ACCSIM_MIX_RECORD(mem, point, __VA_ARGS__);    \
    ACCSIM_MIX_MARK("begin " #point "/" #variant); \
  } while (0)
#define ACCSIM_MIX_END_AS(variant, point) ACCSIM_MIX_MARK("end " #point "/" #variant)
// A part of a program point's region that runs only in some of its variants (a runtime branch
// the body's parameters select); nested inside the region. Marks only, no records.
#define ACCSIM_MIX_PART(part) ACCSIM_MIX_MARK("part " #part)
#define ACCSIM_MIX_PART_END(part) ACCSIM_MIX_MARK("partend " #part)

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

enum : std::uint8_t {
  kKindLoad = 0,
  kKindStore = 1,
  kKindAtomic = 2,
  kKindCompute = 3,
  kKindBarrier = 4,
  kKindCommit = 5,
  kKindWait = 6,
  kKindCtaBegin = 7,
  kKindWarpExit = 8,
};
// Memory-record flags (workloads/trace/access_trace_format.h): bit 0 the load bypassed L1, bit 1
// (version 2) its data went to shared memory (cp.async).
enum : std::uint8_t { kFlagL1Bypass = 1, kFlagToShared = 2 };

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

  // Version-2 records: nothing in the timing build (marks only in marked PTX builds).
  __device__ __forceinline__ void mix(const workloads::mix::Body&) const {}
  __device__ __forceinline__ void commit() const { ACCSIM_MIX_MARK("commit"); }
  __device__ __forceinline__ void wait(unsigned) const { ACCSIM_MIX_MARK("wait"); }
  __device__ __forceinline__ void barrier(unsigned = 0) const { ACCSIM_MIX_MARK("barrier"); }
  __device__ __forceinline__ void cta_begin() const { ACCSIM_MIX_MARK("cta_begin"); }
  __device__ __forceinline__ void warp_exit() const { ACCSIM_MIX_MARK("warp_exit"); }
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

  // Appends `n` (1 .. 16) non-memory records of the calling warp: record i is
  // {address addr[i], size size[i], kind, flags[i]}. The warp's lowest active lane claims the n
  // slots with one atomicAdd and reads the timer once; the active lanes write the records.
  __device__ __forceinline__ void emit(std::uint8_t kind, unsigned n, const std::uint64_t* addr,
                                       const std::uint32_t* size, const std::uint8_t* flags) const {
    const std::uint32_t cta = linear_cta();
    if (cta % sink.sample != 0 || n == 0) return;
    const unsigned active = __activemask();
    const int first = __ffs(active) - 1;
    const unsigned lane = lane_id();
    unsigned long long base = 0, t = 0;
    if (static_cast<int>(lane) == first) {
      base = atomicAdd(sink.cursor, static_cast<unsigned long long>(n));
      t = global_timer_ns();
    }
    base = __shfl_sync(active, base, first);
    t = __shfl_sync(active, t, first);
    const unsigned rank = __popc(active & ((1u << lane) - 1u)), lanes = __popc(active);
    for (unsigned i = rank; i < n; i += lanes) {
      const unsigned long long slot = base + i;
      if (slot >= sink.capacity) {
        *sink.overflow = 1u;
        continue;
      }
      DevRecord r;
      r.address = addr[i];
      r.timestamp = t;
      r.cta = cta;
      r.size = size[i];
      r.sm = static_cast<std::uint16_t>(sm_id());
      r.warp = static_cast<std::uint16_t>(warp_in_cta());
      r.kernel = sink.kernel;
      r.kind = kind;
      r.flags = flags[i];
      static_cast<DevRecord*>(sink.records)[slot] = r;
    }
  }
  __device__ __forceinline__ void emit1(std::uint8_t kind, std::uint64_t addr) const {
    const std::uint32_t size = 0;
    const std::uint8_t flags = 0;
    emit(kind, 1, &addr, &size, &flags);
  }

  // One compute record per item: address = n, size = InstrClass id, flags = dep/chain.
  __device__ __forceinline__ void mix(const workloads::mix::Body& b) const {
    std::uint64_t addr[16];
    std::uint32_t size[16];
    std::uint8_t flags[16];
    const unsigned n = b.count < 16 ? b.count : 16;
    for (unsigned i = 0; i < n; ++i) {
      addr[i] = b.items[i].n;
      size[i] = static_cast<std::uint32_t>(b.items[i].cls);
      flags[i] = b.items[i].flags;
    }
    emit(kKindCompute, n, addr, size, flags);
  }
  __device__ __forceinline__ void commit() const {
    ACCSIM_MIX_MARK("commit");
    emit1(kKindCommit, 0);
  }
  __device__ __forceinline__ void wait(unsigned n) const {
    ACCSIM_MIX_MARK("wait");
    emit1(kKindWait, n);
  }
  __device__ __forceinline__ void barrier(unsigned id = 0) const {
    ACCSIM_MIX_MARK("barrier");
    emit1(kKindBarrier, id);
  }
  // Warp 0 lane 0 only; the host moves it in front of the CTA's other records (see the top).
  __device__ __forceinline__ void cta_begin() const {
    ACCSIM_MIX_MARK("cta_begin");
    if (warp_in_cta() == 0 && lane_id() == 0) emit1(kKindCtaBegin, 0);
  }
  __device__ __forceinline__ void warp_exit() const {
    ACCSIM_MIX_MARK("warp_exit");
    emit1(kKindWarpExit, 0);
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
    // cp.async.cg caches in L2 only and writes shared memory.
    if (pred) record(gmem, kKindLoad, kFlagL1Bypass | kFlagToShared);
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
