// Microbenchmarks that calibrate the GPU model, and the input fills every check relies on.
//
//   chase_kernel      one thread follows a random cycle of pointers spread over a working set
//                     (one pointer per `stride` bytes); each load depends on the previous one, so
//                     clock64 cycles / steps is the load-to-use latency of whatever level holds
//                     the working set. ld.global.ca caches in L1; ld.global.cg goes to L2.
//   bandwidth_kernel  the whole grid reads a working set `passes` times with 16-byte loads, four
//                     independent loads in flight per thread; each thread always reads the same
//                     addresses, so a working set that fits the SMs' L1s (ca) or the L2 (cg) is
//                     served from there after the first pass.
#include <algorithm>

#include "reference/kernels/common.cuh"
#include "reference/kernels/mem.cuh"

namespace accsim::ref {
namespace {

template <class T>
__global__ void fill_random_kernel(T* dst, unsigned long long n, RandomSpec spec) {
  const unsigned long long stride = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const float v = random_value(spec, Num<T>::kType, i);
    if constexpr (sizeof(T) == 4) {
      dst[i] = v;
    } else if constexpr (Num<T>::kType == DType::kF16) {
      reinterpret_cast<std::uint16_t*>(dst)[i] = float_to_half_bits(v);
    } else {
      reinterpret_cast<std::uint16_t*>(dst)[i] = float_to_bf16_bits(v);
    }
  }
}

__global__ void fill_words_kernel(std::uint32_t* dst, unsigned long long n,
                                  unsigned long long seed) {
  const unsigned long long stride = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride)
    dst[i] = random_word(seed, i);
}

__global__ void build_chase_kernel(unsigned char* base, const std::uint32_t* next,
                                   unsigned long long nodes, unsigned long long stride) {
  const unsigned long long step = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < nodes; i += step)
    *reinterpret_cast<unsigned long long*>(base + i * stride) =
        reinterpret_cast<unsigned long long>(base + next[i] * stride);
}

template <class Mem>
__global__ void chase_kernel(const std::uint64_t* start, unsigned long long warm,
                             unsigned long long steps, bool cg, unsigned long long* result,
                             Mem mem) {
  // Version-2 records: the structure only (no instruction mix: the microbenchmarks have no
  // program points in workloads/trace/kernel_mix.h); each load's value is the next address, so
  // every load is its own group, waited for before the next.
  mem.cta_begin();
  const std::uint64_t* p = start;
  for (unsigned long long i = 0; i < warm; ++i) {
    p = reinterpret_cast<const std::uint64_t*>(mem.ld_chase(p, cg));
    mem.commit();
    mem.wait(0);
  }
  const long long c0 = clock64();
  const std::uint64_t t0 = global_timer_ns();
  for (unsigned long long i = 0; i < steps; ++i) {
    p = reinterpret_cast<const std::uint64_t*>(mem.ld_chase(p, cg));
    mem.commit();
    mem.wait(0);
  }
  const long long c1 = clock64();
  const std::uint64_t t1 = global_timer_ns();
  result[0] = reinterpret_cast<unsigned long long>(p);
  result[1] = static_cast<unsigned long long>(c1 - c0);
  result[2] = t1 - t0;
  mem.warp_exit();
}

constexpr int kBwThreads = 512, kBwUnroll = 4;

template <bool kCG, class Mem>
__global__ void __launch_bounds__(kBwThreads)
    bandwidth_kernel(const uint4* data, unsigned long long nvec, unsigned long long passes,
                     std::uint32_t* partial, Mem mem) {
  const unsigned long long nthreads = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  const unsigned long long tid =
      static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  mem.cta_begin();  // version-2 structure only, as in chase_kernel
  std::uint32_t sum = 0;
  for (unsigned long long pass = 0; pass < passes; ++pass) {
    for (unsigned long long i = tid; i < nvec; i += nthreads * kBwUnroll) {
      uint4 v[kBwUnroll];
#pragma unroll
      for (int u = 0; u < kBwUnroll; ++u) {
        const unsigned long long idx = i + u * nthreads;
        v[u] = idx < nvec ? mem.ld_sweep(data + idx, kCG) : make_uint4(0, 0, 0, 0);
      }
      mem.commit();
      mem.wait(0);
#pragma unroll
      for (int u = 0; u < kBwUnroll; ++u) sum += v[u].x + v[u].y + v[u].z + v[u].w;
    }
  }
  mem.st_global(partial + tid, sum);
  mem.warp_exit();
}

__global__ void clock_probe_kernel(unsigned long long ns, unsigned long long* out) {
  const long long c0 = clock64();
  const std::uint64_t t0 = global_timer_ns();
  std::uint64_t t = t0;
  while (t - t0 < ns) t = global_timer_ns();
  const long long c1 = clock64();
  out[0] = static_cast<unsigned long long>(c1 - c0);
  out[1] = t - t0;
}

unsigned fill_grid(unsigned long long n) {
  return static_cast<unsigned>(std::min<unsigned long long>((n + 255) / 256, 65536));
}

}  // namespace

void fill_random(void* dst, DType t, std::uint64_t n, const RandomSpec& spec, cudaStream_t s) {
  if (n == 0) return;
  switch (t) {
    case DType::kF16:
      fill_random_kernel<__half><<<fill_grid(n), 256, 0, s>>>(static_cast<__half*>(dst), n, spec);
      break;
    case DType::kBF16:
      fill_random_kernel<__nv_bfloat16>
          <<<fill_grid(n), 256, 0, s>>>(static_cast<__nv_bfloat16*>(dst), n, spec);
      break;
    case DType::kF32:
      fill_random_kernel<float><<<fill_grid(n), 256, 0, s>>>(static_cast<float*>(dst), n, spec);
      break;
  }
  check_launch("fill_random_kernel");
}

void fill_words(std::uint32_t* dst, std::uint64_t n, std::uint64_t seed, cudaStream_t s) {
  if (n == 0) return;
  fill_words_kernel<<<fill_grid(n), 256, 0, s>>>(dst, n, seed);
  check_launch("fill_words_kernel");
}

void build_chase(void* base, const std::uint32_t* next_dev, std::uint64_t nodes,
                 std::uint64_t stride, cudaStream_t s) {
  build_chase_kernel<<<fill_grid(nodes), 256, 0, s>>>(static_cast<unsigned char*>(base), next_dev,
                                                      nodes, stride);
  check_launch("build_chase_kernel");
}

LaunchInfo launch_chase(const void* base, std::uint64_t warm, std::uint64_t steps, bool cg,
                        unsigned long long* result, cudaStream_t s, const CaptureSink* cap) {
  LaunchInfo info;
  info.kernel = "chase_kernel";
  info.config =
      cg ? "1 thread, dependent ld.global.cg.u64" : "1 thread, dependent ld.global.ca.u64";
  const auto* start = static_cast<const std::uint64_t*>(base);
  static const int regs_capture = func_regs(&chase_kernel<CaptureMem>);
  static const int regs_plain = func_regs(&chase_kernel<PlainMem>);
  info.regs = cap ? regs_capture : regs_plain;
  if (cap)
    chase_kernel<<<1, 1, 0, s>>>(start, warm, steps, cg, result, CaptureMem{*cap});
  else
    chase_kernel<<<1, 1, 0, s>>>(start, warm, steps, cg, result, PlainMem{});
  check_launch("chase_kernel");
  return info;
}

BandwidthLaunch bandwidth_shape(int sm_count) {
  // 4 CTAs of 512 threads fill an SM's 2048 thread slots (H100: 64 warps per SM).
  return BandwidthLaunch{static_cast<unsigned>(std::max(1, sm_count) * 4), kBwThreads};
}

LaunchInfo launch_bandwidth(const std::uint32_t* data, std::uint64_t words, std::uint64_t passes,
                            bool cg, std::uint32_t* partial, const BandwidthLaunch& shape,
                            cudaStream_t s, const CaptureSink* cap) {
  if (words % 4 != 0) throw std::invalid_argument("launch_bandwidth: words % 4 != 0");
  LaunchInfo info;
  info.kernel = "bandwidth_kernel";
  info.config = cg ? "grid-stride ld.global.cg.v4.u32 x4 in flight"
                   : "grid-stride ld.global.ca.v4.u32 x4 in flight";
  info.grid = {shape.grid, 1, 1};
  info.block = {shape.block, 1, 1};
  const auto* v = reinterpret_cast<const uint4*>(data);
  const unsigned long long nvec = words / 4;
  static const int regs[4] = {func_regs(&bandwidth_kernel<false, PlainMem>),
                              func_regs(&bandwidth_kernel<true, PlainMem>),
                              func_regs(&bandwidth_kernel<false, CaptureMem>),
                              func_regs(&bandwidth_kernel<true, CaptureMem>)};
  info.regs = regs[(cap ? 2 : 0) + (cg ? 1 : 0)];
  if (cap) {
    if (cg)
      bandwidth_kernel<true>
          <<<shape.grid, shape.block, 0, s>>>(v, nvec, passes, partial, CaptureMem{*cap});
    else
      bandwidth_kernel<false>
          <<<shape.grid, shape.block, 0, s>>>(v, nvec, passes, partial, CaptureMem{*cap});
  } else {
    if (cg)
      bandwidth_kernel<true>
          <<<shape.grid, shape.block, 0, s>>>(v, nvec, passes, partial, PlainMem{});
    else
      bandwidth_kernel<false>
          <<<shape.grid, shape.block, 0, s>>>(v, nvec, passes, partial, PlainMem{});
  }
  check_launch("bandwidth_kernel");
  return info;
}

void launch_clock_probe(std::uint64_t ns, unsigned long long* out, cudaStream_t s) {
  clock_probe_kernel<<<1, 1, 0, s>>>(ns, out);
  check_launch("clock_probe_kernel");
}

}  // namespace accsim::ref
