// Memory-bound kernels: GEMV, row softmax, layer norm, GELU, elementwise addition.
//
// All of them move 16 bytes per lane per load (8 halves or 4 floats) and accumulate in fp32.
//   gemv_kernel       one warp per output row, 8 rows per CTA; each lane keeps 4 independent
//                     16-byte loads of W (and x, which stays in L1) in flight.
//   softmax_kernel    one CTA per row; pass 1 keeps a running (max, sum) per thread (online
//                     softmax: Milakov & Gimelshein 2018) and merges them across the CTA; pass 2
//                     re-reads the row (from L1/L2 for rows up to tens of KB) and writes
//                     exp(x - max) / sum. Two reads and one write of the row instead of three
//                     reads.
//   layernorm_kernel  one CTA per row: mean, then the mean of squared deviations (two-pass, so
//                     no cancellation), then the normalised output.
//   gelu_kernel       grid-stride elementwise.
//   add_kernel        grid-stride elementwise y = a + b (a transformer layer's residual
//                     additions), the same grid and trips as gelu_kernel with two loads per trip.
// Rows whose length is not a multiple of the vector width fall back to scalar accesses.
#include <algorithm>
#include <cmath>

#include "reference/host/launch_plan.h"
#include "reference/kernels/common.cuh"
#include "reference/kernels/mem.cuh"

namespace accsim::ref {
namespace {

namespace mix = ::accsim::workloads::mix;

template <class T>
__host__ __device__ constexpr mix::Elem elem_of() {
  if constexpr (sizeof(T) == 4) return mix::Elem::kF32;
  if constexpr (Num<T>::kType == DType::kBF16) return mix::Elem::kBF16;
  return mix::Elem::kF16;
}

// ---------------------------------------------------------------------------------------------
// GEMV

constexpr int kGemvWarps = plan::kGemvWarps, kGemvUnroll = 4;

template <class T, class Mem>
__global__ void __launch_bounds__(kGemvWarps * 32)
    gemv_kernel(const T* __restrict__ W, const T* __restrict__ x, T* __restrict__ y, int N, int K,
                Mem mem) {
  constexpr mix::Elem kElem = elem_of<T>();
  mem.cta_begin();
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int row = blockIdx.x * kGemvWarps + warp;
  if (row >= N) {  // whole warp
    mem.warp_exit();
    return;
  }
  ACCSIM_MIX(mem, gemv_prologue);
  constexpr int kV = kVec<T>;
  const int nvec = K / kV;
  const uint4* wr = reinterpret_cast<const uint4*>(W + static_cast<long long>(row) * K);
  const uint4* xv = reinterpret_cast<const uint4*>(x);
  float acc = 0.0f;
  ACCSIM_MIX_END(gemv_prologue);
  for (int i = lane; i < nvec; i += 32 * kGemvUnroll) {
    ACCSIM_MIX(mem, gemv_load);
    uint4 w[kGemvUnroll], xx[kGemvUnroll];
#pragma unroll
    for (int u = 0; u < kGemvUnroll; ++u) {
      const int idx = i + u * 32;
      if (idx < nvec) {
        w[u] = mem.ld_global(wr + idx);
        xx[u] = mem.ld_global(xv + idx);
      } else {
        w[u] = xx[u] = make_uint4(0, 0, 0, 0);
      }
    }
    ACCSIM_MIX_END(gemv_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX(mem, gemv_step, kElem);
#pragma unroll
    for (int u = 0; u < kGemvUnroll; ++u) {
      float wf[kV], xf[kV];
      unpack16<T>(w[u], wf);
      unpack16<T>(xx[u], xf);
#pragma unroll
      for (int e = 0; e < kV; ++e) acc = fmaf(wf[e], xf[e], acc);
    }
    ACCSIM_MIX_END(gemv_step);
  }
  ACCSIM_MIX(mem, gemv_epilogue, kElem);
  acc = warp_sum(acc);
  if (lane == 0) mem.st_global(y + row, Num<T>::from_float(acc));
  ACCSIM_MIX_END(gemv_epilogue);
  mem.warp_exit();
}

template <class T, class Mem>
LaunchInfo gemv_typed(int N, int K, const void* W, const void* x, void* y, cudaStream_t s,
                      Mem mem) {
  LaunchInfo info = plan::gemv(N);
  static const int regs = func_regs(&gemv_kernel<T, Mem>);
  info.regs = regs;
  gemv_kernel<T, Mem><<<info.grid.x, info.block.x, 0, s>>>(
      static_cast<const T*>(W), static_cast<const T*>(x), static_cast<T*>(y), N, K, mem);
  check_launch("gemv_kernel");
  return info;
}

// ---------------------------------------------------------------------------------------------
// Row-wise helpers: visit a row with vector loads (when aligned) and a scalar tail.
//
// Each trip of their loops is two program points: the load (address arithmetic, then the load's
// records), commit and wait(0), then the math on the loaded values. `mk(point, begin)` marks them,
// begin = true before the code and false after it; ACCSIM_ROW_MARKS maps the four points of a
// loop to a kernel's program points <load>/vec, <math>/vec, <load>/scalar, <math>/scalar.
enum : int { kRowVecLoad, kRowVec, kRowScalarLoad, kRowScalar };
#define ACCSIM_ROW_POINT(mem, pt, begin, kind, vec, point, elem) \
  do {                                                           \
    if ((pt) == (kind)) {                                        \
      if (begin)                                                 \
        ACCSIM_MIX_AS(mem, vec, point, elem, kind < 2);          \
      else                                                       \
        ACCSIM_MIX_END_AS(vec, point);                           \
    }                                                            \
  } while (0)
#define ACCSIM_ROW_MARKS(mem, load_point, math_point, elem)                     \
  [&](int pt, bool begin) {                                                     \
    ACCSIM_ROW_POINT(mem, pt, begin, kRowVecLoad, vec, load_point, elem);       \
    ACCSIM_ROW_POINT(mem, pt, begin, kRowVec, vec, math_point, elem);           \
    ACCSIM_ROW_POINT(mem, pt, begin, kRowScalarLoad, scalar, load_point, elem); \
    ACCSIM_ROW_POINT(mem, pt, begin, kRowScalar, scalar, math_point, elem);     \
  }

template <class T, class Mem, class F, class Mk>
__device__ __forceinline__ void for_row(const T* row, long long cols, bool vec_ok, const Mem& mem,
                                        F&& f, Mk&& mk) {
  constexpr int kV = kVec<T>;
  long long done = 0;
  if (vec_ok) {
    const long long nvec = cols / kV;
    const uint4* rv = reinterpret_cast<const uint4*>(row);
    for (long long i = threadIdx.x; i < nvec; i += blockDim.x) {
      mk(kRowVecLoad, true);
      const uint4 raw = mem.ld_global(rv + i);
      mk(kRowVecLoad, false);
      mem.commit();
      mem.wait(0);
      mk(kRowVec, true);
      float v[kV];
      unpack16<T>(raw, v);
#pragma unroll
      for (int e = 0; e < kV; ++e) f(i * kV + e, v[e]);
      mk(kRowVec, false);
    }
    done = nvec * kV;
  }
  for (long long i = done + threadIdx.x; i < cols; i += blockDim.x) {
    mk(kRowScalarLoad, true);
    const T raw = mem.ld_global(row + i);
    mk(kRowScalarLoad, false);
    mem.commit();
    mem.wait(0);
    mk(kRowScalar, true);
    f(i, Num<T>::to_float(raw));
    mk(kRowScalar, false);
  }
}

// Writes out[i] = g(i) for the row, matching for_row's assignment of elements to threads: per
// trip g.load_vector / g.load_scalar issue the loads, then g.vector / g.scalar compute from them.
template <class T, class Mem, class G, class Mk>
__device__ __forceinline__ void write_row(T* row, long long cols, bool vec_ok, const Mem& mem,
                                          G&& g, Mk&& mk) {
  constexpr int kV = kVec<T>;
  long long done = 0;
  if (vec_ok) {
    const long long nvec = cols / kV;
    uint4* rv = reinterpret_cast<uint4*>(row);
    for (long long i = threadIdx.x; i < nvec; i += blockDim.x) {
      mk(kRowVecLoad, true);
      const auto raw = g.load_vector(i * kV);
      mk(kRowVecLoad, false);
      mem.commit();
      mem.wait(0);
      mk(kRowVec, true);
      float v[kV];
      g.vector(raw, v);
      mem.st_global(rv + i, pack16<T>(v));
      mk(kRowVec, false);
    }
    done = nvec * kV;
  }
  for (long long i = done + threadIdx.x; i < cols; i += blockDim.x) {
    mk(kRowScalarLoad, true);
    const auto raw = g.load_scalar(i);
    mk(kRowScalarLoad, false);
    mem.commit();
    mem.wait(0);
    mk(kRowScalar, true);
    mem.st_global(row + i, Num<T>::from_float(g.scalar(raw)));
    mk(kRowScalar, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Softmax

// Merges two (max, sum) pairs of an online softmax; -inf maxima carry no mass.
__device__ __forceinline__ void merge_ms(float& m, float& s, float m2, float s2) {
  const float mx = fmaxf(m, m2);
  const float a = m == -INFINITY ? 0.0f : s * expf(m - mx);
  const float b = m2 == -INFINITY ? 0.0f : s2 * expf(m2 - mx);
  m = mx;
  s = a + b;
}

template <class T, class Mem>
__global__ void __launch_bounds__(1024)
    softmax_kernel(const T* x, T* y, long long cols, bool vec_ok, Mem mem) {
  __shared__ float sh_m[32], sh_s[32];
  static_assert(sizeof(sh_m) + sizeof(sh_s) == plan::kSoftmaxSmem);
  constexpr mix::Elem kElem = elem_of<T>();
  mem.cta_begin();
  ACCSIM_MIX(mem, softmax_prologue);
  const T* xr = x + static_cast<long long>(blockIdx.x) * cols;
  T* yr = y + static_cast<long long>(blockIdx.x) * cols;
  float m = -INFINITY, s = 0.0f;
  ACCSIM_MIX_END(softmax_prologue);
  for_row(
      xr, cols, vec_ok, mem,
      [&](long long, float v) {
        if (v == -INFINITY) return;  // a masked score
        if (v > m) {
          s = s * expf(m - v) + 1.0f;  // expf(-inf) == 0 on the first element
          m = v;
        } else {
          s += expf(v - m);
        }
      },
      ACCSIM_ROW_MARKS(mem, softmax_pass1_load, softmax_pass1, kElem));
  ACCSIM_MIX(mem, softmax_reduce_warp);
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float m2 = __shfl_xor_sync(0xffffffffu, m, o), s2 = __shfl_xor_sync(0xffffffffu, s, o);
    merge_ms(m, s, m2, s2);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  if (lane == 0) sh_m[warp] = m, sh_s[warp] = s;
  ACCSIM_MIX_END(softmax_reduce_warp);
  mem.barrier();
  __syncthreads();
  ACCSIM_MIX(mem, softmax_reduce_block);
  m = lane < warps ? sh_m[lane] : -INFINITY;
  s = lane < warps ? sh_s[lane] : 0.0f;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float m2 = __shfl_xor_sync(0xffffffffu, m, o), s2 = __shfl_xor_sync(0xffffffffu, s, o);
    merge_ms(m, s, m2, s2);
  }
  const float row_max = m, inv = s > 0.0f ? 1.0f / s : 0.0f;
  ACCSIM_MIX_END(softmax_reduce_block);
  // Pass 2 re-reads the row: in place (y == x) every element is read and written by one thread.
  struct {
    const T* xr;
    bool vec_ok;
    const Mem* mem;
    float row_max, inv;
    __device__ float f(float v) const {
      return (v == -INFINITY || row_max == -INFINITY) ? 0.0f : expf(v - row_max) * inv;
    }
    __device__ uint4 load_vector(long long i) const {
      return mem->ld_global(reinterpret_cast<const uint4*>(xr + i));
    }
    __device__ void vector(const uint4& raw, float* out) const {
      float v[kVec<T>];
      unpack16<T>(raw, v);
#pragma unroll
      for (int e = 0; e < kVec<T>; ++e) out[e] = f(v[e]);
    }
    __device__ T load_scalar(long long i) const {
      return mem->ld_global(xr + i);
    }
    __device__ float scalar(T raw) const {
      return f(Num<T>::to_float(raw));
    }
  } g{xr, vec_ok, &mem, row_max, inv};
  write_row(yr, cols, vec_ok, mem, g,
            ACCSIM_ROW_MARKS(mem, softmax_pass2_load, softmax_pass2, kElem));
  mem.warp_exit();
}

template <class T, class Mem>
LaunchInfo softmax_typed(long long rows, long long cols, const void* x, void* y, cudaStream_t s,
                         Mem mem) {
  const bool vec_ok = cols % kVec<T> == 0;
  LaunchInfo info = plan::softmax(Num<T>::kType, rows, cols);
  static const int regs = func_regs(&softmax_kernel<T, Mem>);
  info.regs = regs;
  softmax_kernel<T, Mem><<<info.grid.x, info.block.x, 0, s>>>(
      static_cast<const T*>(x), static_cast<T*>(y), cols, vec_ok, mem);
  check_launch("softmax_kernel");
  return info;
}

// ---------------------------------------------------------------------------------------------
// LayerNorm

template <class T, class Mem>
__global__ void __launch_bounds__(1024)
    layernorm_kernel(const T* x, const T* gamma, const T* beta, T* y, long long cols, float eps,
                     bool vec_ok, Mem mem) {
  __shared__ float scratch[32];
  static_assert(sizeof(scratch) == plan::kLayernormSmem);
  constexpr mix::Elem kElem = elem_of<T>();
  mem.cta_begin();
  ACCSIM_MIX(mem, layernorm_prologue);
  const T* xr = x + static_cast<long long>(blockIdx.x) * cols;
  T* yr = y + static_cast<long long>(blockIdx.x) * cols;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  float sum = 0.0f;
  ACCSIM_MIX_END(layernorm_prologue);
  // Block-wide sum, first half: warp sums into `scratch`, one float per warp, between the two
  // barriers (the first: scratch may still be read by the previous reduction).
  const auto to_scratch = [&](float v) {
    ACCSIM_MIX(mem, layernorm_reduce_warp);
    v = warp_sum(v);
    ACCSIM_MIX_END(layernorm_reduce_warp);
    mem.barrier();
    __syncthreads();
    ACCSIM_MIX(mem, layernorm_reduce_store);
    if (lane == 0) scratch[warp] = v;
    ACCSIM_MIX_END(layernorm_reduce_store);
    mem.barrier();
    __syncthreads();
  };
  for_row(
      xr, cols, vec_ok, mem, [&](long long, float v) { sum += v; },
      ACCSIM_ROW_MARKS(mem, layernorm_pass1_load, layernorm_pass1, kElem));
  to_scratch(sum);
  ACCSIM_MIX(mem, layernorm_mean);
  const float mean = warp_sum(lane < warps ? scratch[lane] : 0.0f) / static_cast<float>(cols);
  float sq = 0.0f;
  ACCSIM_MIX_END(layernorm_mean);
  for_row(
      xr, cols, vec_ok, mem, [&](long long, float v) { sq += (v - mean) * (v - mean); },
      ACCSIM_ROW_MARKS(mem, layernorm_pass2_load, layernorm_pass2, kElem));
  to_scratch(sq);
  ACCSIM_MIX(mem, layernorm_rstd);
  const float rstd =
      rsqrtf(warp_sum(lane < warps ? scratch[lane] : 0.0f) / static_cast<float>(cols) + eps);
  ACCSIM_MIX_END(layernorm_rstd);
  struct Raw {
    uint4 x, g, b;
  };
  struct RawScalar {
    T x, g, b;
  };
  struct {
    const T *xr, *gamma, *beta;
    const Mem* mem;
    float mean, rstd;
    __device__ Raw load_vector(long long i) const {
      return Raw{mem->ld_global(reinterpret_cast<const uint4*>(xr + i)),
                 mem->ld_global(reinterpret_cast<const uint4*>(gamma + i)),
                 mem->ld_global(reinterpret_cast<const uint4*>(beta + i))};
    }
    __device__ void vector(const Raw& raw, float* out) const {
      float v[kVec<T>], ga[kVec<T>], be[kVec<T>];
      unpack16<T>(raw.x, v);
      unpack16<T>(raw.g, ga);
      unpack16<T>(raw.b, be);
#pragma unroll
      for (int e = 0; e < kVec<T>; ++e) out[e] = (v[e] - mean) * rstd * ga[e] + be[e];
    }
    __device__ RawScalar load_scalar(long long i) const {
      return RawScalar{mem->ld_global(xr + i), mem->ld_global(gamma + i), mem->ld_global(beta + i)};
    }
    __device__ float scalar(const RawScalar& raw) const {
      const float v = Num<T>::to_float(raw.x);
      return (v - mean) * rstd * Num<T>::to_float(raw.g) + Num<T>::to_float(raw.b);
    }
  } g{xr, gamma, beta, &mem, mean, rstd};
  write_row(yr, cols, vec_ok, mem, g,
            ACCSIM_ROW_MARKS(mem, layernorm_pass3_load, layernorm_pass3, kElem));
  mem.warp_exit();
}

template <class T, class Mem>
LaunchInfo layernorm_typed(long long rows, long long cols, const void* x, const void* gamma,
                           const void* beta, float eps, void* y, cudaStream_t s, Mem mem) {
  const bool vec_ok = cols % kVec<T> == 0;
  LaunchInfo info = plan::layernorm(Num<T>::kType, rows, cols);
  static const int regs = func_regs(&layernorm_kernel<T, Mem>);
  info.regs = regs;
  layernorm_kernel<T, Mem><<<info.grid.x, info.block.x, 0, s>>>(
      static_cast<const T*>(x), static_cast<const T*>(gamma), static_cast<const T*>(beta),
      static_cast<T*>(y), cols, eps, vec_ok, mem);
  check_launch("layernorm_kernel");
  return info;
}

// ---------------------------------------------------------------------------------------------
// GELU

__device__ __forceinline__ float gelu_tanh(float v) {
  // GELU tanh approximation (Hendrycks & Gimpel 2016), as GPT-2's "gelu_new".
  return 0.5f * v * (1.0f + tanhf(0.7978845608f * fmaf(0.044715f * v, v * v, v)));
}

template <class T, class Mem>
__global__ void __launch_bounds__(256) gelu_kernel(const T* x, T* y, long long n, Mem mem) {
  constexpr int kV = kVec<T>;
  constexpr mix::Elem kElem = elem_of<T>();
  mem.cta_begin();
  ACCSIM_MIX(mem, gelu_prologue);
  const long long nvec = n / kV;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  ACCSIM_MIX_END(gelu_prologue);
  for (long long i = first; i < nvec; i += stride) {
    ACCSIM_MIX_AS(mem, vec, gelu_load, kElem, true);
    const uint4 raw = mem.ld_global(reinterpret_cast<const uint4*>(x) + i);
    ACCSIM_MIX_END_AS(vec, gelu_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX_AS(mem, vec, gelu_step, kElem, true);
    float v[kV];
    unpack16<T>(raw, v);
#pragma unroll
    for (int e = 0; e < kV; ++e) v[e] = gelu_tanh(v[e]);
    mem.st_global(reinterpret_cast<uint4*>(y) + i, pack16<T>(v));
    ACCSIM_MIX_END_AS(vec, gelu_step);
  }
  for (long long i = nvec * kV + first; i < n; i += stride) {
    ACCSIM_MIX_AS(mem, scalar, gelu_load, kElem, false);
    const T raw = mem.ld_global(x + i);
    ACCSIM_MIX_END_AS(scalar, gelu_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX_AS(mem, scalar, gelu_step, kElem, false);
    mem.st_global(y + i, Num<T>::from_float(gelu_tanh(Num<T>::to_float(raw))));
    ACCSIM_MIX_END_AS(scalar, gelu_step);
  }
  mem.warp_exit();
}

// The SMs of the device, which size the grid-stride kernels' grids (plan::grid_stride_ctas).
int device_sms() {
  // Read once: a host call between the timing events and the launch would be timed.
  static const int sms = [] {
    int dev = 0, n = 0;
    cuda_check(cudaGetDevice(&dev), "cudaGetDevice");
    cuda_check(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev),
               "cudaDeviceGetAttribute");
    return n;
  }();
  return sms;
}

template <class T, class Mem>
LaunchInfo gelu_typed(long long n, const void* x, void* y, cudaStream_t s, Mem mem) {
  LaunchInfo info = plan::gelu(Num<T>::kType, n, device_sms());
  static const int regs = func_regs(&gelu_kernel<T, Mem>);
  info.regs = regs;
  gelu_kernel<T, Mem>
      <<<info.grid.x, 256, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), n, mem);
  check_launch("gelu_kernel");
  return info;
}

// ---------------------------------------------------------------------------------------------
// Elementwise addition

// y[i] = a[i] + b[i] in fp32, stored as T; the grid-stride trips of gelu_kernel (y may alias a or
// b: every element is read and written by one thread, the loads first).
template <class T, class Mem>
__global__ void __launch_bounds__(256)
    add_kernel(const T* a, const T* b, T* y, long long n, Mem mem) {
  constexpr int kV = kVec<T>;
  constexpr mix::Elem kElem = elem_of<T>();
  mem.cta_begin();
  ACCSIM_MIX(mem, add_prologue);
  const long long nvec = n / kV;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  ACCSIM_MIX_END(add_prologue);
  for (long long i = first; i < nvec; i += stride) {
    ACCSIM_MIX_AS(mem, vec, add_load, kElem, true);
    const uint4 ra = mem.ld_global(reinterpret_cast<const uint4*>(a) + i);
    const uint4 rb = mem.ld_global(reinterpret_cast<const uint4*>(b) + i);
    ACCSIM_MIX_END_AS(vec, add_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX_AS(mem, vec, add_step, kElem, true);
    float va[kV], vb[kV];
    unpack16<T>(ra, va);
    unpack16<T>(rb, vb);
#pragma unroll
    for (int e = 0; e < kV; ++e) va[e] += vb[e];
    mem.st_global(reinterpret_cast<uint4*>(y) + i, pack16<T>(va));
    ACCSIM_MIX_END_AS(vec, add_step);
  }
  for (long long i = nvec * kV + first; i < n; i += stride) {
    ACCSIM_MIX_AS(mem, scalar, add_load, kElem, false);
    const T ra = mem.ld_global(a + i);
    const T rb = mem.ld_global(b + i);
    ACCSIM_MIX_END_AS(scalar, add_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX_AS(mem, scalar, add_step, kElem, false);
    mem.st_global(y + i, Num<T>::from_float(Num<T>::to_float(ra) + Num<T>::to_float(rb)));
    ACCSIM_MIX_END_AS(scalar, add_step);
  }
  mem.warp_exit();
}

template <class T, class Mem>
LaunchInfo add_typed(long long n, const void* a, const void* b, void* y, cudaStream_t s, Mem mem) {
  LaunchInfo info = plan::add(Num<T>::kType, n, device_sms());
  static const int regs = func_regs(&add_kernel<T, Mem>);
  info.regs = regs;
  add_kernel<T, Mem><<<info.grid.x, 256, 0, s>>>(static_cast<const T*>(a), static_cast<const T*>(b),
                                                 static_cast<T*>(y), n, mem);
  check_launch("add_kernel");
  return info;
}

template <class F>
LaunchInfo by_type(DType t, F&& f) {
  switch (t) {
    case DType::kF16:
      return f(__half{});
    case DType::kBF16:
      return f(__nv_bfloat16{});
    case DType::kF32:
      return f(float{});
  }
  throw std::invalid_argument("unknown dtype");
}

template <class F>
LaunchInfo with_mem(const CaptureSink* cap, F&& f) {
  if (cap) return f(CaptureMem{*cap});
  return f(PlainMem{});
}

}  // namespace

LaunchInfo launch_gemv(DType t, int N, int K, const void* W, const void* x, void* y, cudaStream_t s,
                       const CaptureSink* cap) {
  if (N <= 0 || K <= 0 || K % 8 != 0)
    throw std::invalid_argument("launch_gemv: K must be a positive multiple of 8");
  return with_mem(cap, [&](auto mem) {
    return by_type(t, [&](auto tv) { return gemv_typed<decltype(tv)>(N, K, W, x, y, s, mem); });
  });
}

LaunchInfo launch_softmax(DType t, std::int64_t rows, std::int64_t cols, const void* x, void* y,
                          cudaStream_t s, const CaptureSink* cap) {
  if (rows <= 0 || cols <= 0 || rows > 0x7fffffff)
    throw std::invalid_argument("launch_softmax: 0 < rows < 2^31, cols > 0");
  return with_mem(cap, [&](auto mem) {
    return by_type(t,
                   [&](auto tv) { return softmax_typed<decltype(tv)>(rows, cols, x, y, s, mem); });
  });
}

LaunchInfo launch_layernorm(DType t, std::int64_t rows, std::int64_t cols, const void* x,
                            const void* gamma, const void* beta, float eps, void* y, cudaStream_t s,
                            const CaptureSink* cap) {
  if (rows <= 0 || cols <= 0 || rows > 0x7fffffff)
    throw std::invalid_argument("launch_layernorm: 0 < rows < 2^31, cols > 0");
  return with_mem(cap, [&](auto mem) {
    return by_type(t, [&](auto tv) {
      return layernorm_typed<decltype(tv)>(rows, cols, x, gamma, beta, eps, y, s, mem);
    });
  });
}

LaunchInfo launch_gelu(DType t, std::int64_t n, const void* x, void* y, cudaStream_t s,
                       const CaptureSink* cap) {
  if (n <= 0) throw std::invalid_argument("launch_gelu: n > 0");
  return with_mem(cap, [&](auto mem) {
    return by_type(t, [&](auto tv) { return gelu_typed<decltype(tv)>(n, x, y, s, mem); });
  });
}

LaunchInfo launch_add(DType t, std::int64_t n, const void* a, const void* b, void* y,
                      cudaStream_t s, const CaptureSink* cap) {
  if (n <= 0) throw std::invalid_argument("launch_add: n > 0");
  return with_mem(cap, [&](auto mem) {
    return by_type(t, [&](auto tv) { return add_typed<decltype(tv)>(n, a, b, y, s, mem); });
  });
}

}  // namespace accsim::ref
