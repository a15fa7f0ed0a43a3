#pragma once
// Device helpers shared by the reference kernels: storage types, tensor-core and async-copy
// instructions (PTX ISA 8.x: mma.sync m16n8k16, ldmatrix, cp.async), warp reductions, and the
// host-side error check used by the launchers.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "reference/host/dtype.h"

namespace accsim::ref {

// --- host-side error check ----------------------------------------------------------------------

inline void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorName(e) + " (" +
                             cudaGetErrorString(e) + ")");
}
// After a launch: configuration errors show up here, execution errors at the next sync.
inline void check_launch(const char* kernel) {
  cuda_check(cudaGetLastError(), kernel);
}
// Registers per thread of a kernel (cudaFuncAttributes::numRegs, CUDA Runtime API). Launchers
// keep it in a static local of their per-instantiation template, so it is asked once: a host
// call between the timing events and the launch would be timed.
template <class F>
inline int func_regs(F* fn) {
  cudaFuncAttributes a{};
  cuda_check(cudaFuncGetAttributes(&a, reinterpret_cast<const void*>(fn)), "cudaFuncGetAttributes");
  return a.numRegs;
}

// --- storage types ------------------------------------------------------------------------------

template <class T>
struct Num;

template <>
struct Num<__half> {
  static constexpr DType kType = DType::kF16;
  __device__ static float to_float(__half v) { return __half2float(v); }
  __device__ static __half from_float(float v) { return __float2half_rn(v); }
  // Two floats as one 32-bit register, `lo` in the low half (the mma/ldmatrix element order).
  __device__ static std::uint32_t pack2(float lo, float hi) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<std::uint32_t*>(&h);
  }
  __device__ static float2 unpack2(std::uint32_t u) {
    return __half22float2(*reinterpret_cast<__half2*>(&u));
  }
};

template <>
struct Num<__nv_bfloat16> {
  static constexpr DType kType = DType::kBF16;
  __device__ static float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
  __device__ static __nv_bfloat16 from_float(float v) { return __float2bfloat16_rn(v); }
  __device__ static std::uint32_t pack2(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<std::uint32_t*>(&h);
  }
  __device__ static float2 unpack2(std::uint32_t u) {
    return __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u));
  }
};

template <>
struct Num<float> {
  static constexpr DType kType = DType::kF32;
  __device__ static float to_float(float v) { return v; }
  __device__ static float from_float(float v) { return v; }
};

// 16 bytes of T, the width of one vector load: 8 halves or 4 floats.
template <class T>
inline constexpr int kVec = 16 / static_cast<int>(sizeof(T));

// Unpacks a 16-byte vector of T into floats.
template <class T>
__device__ __forceinline__ void unpack16(const uint4& v, float* out) {
  if constexpr (sizeof(T) == 4) {
    out[0] = __uint_as_float(v.x), out[1] = __uint_as_float(v.y);
    out[2] = __uint_as_float(v.z), out[3] = __uint_as_float(v.w);
  } else {
    const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float2 f = Num<T>::unpack2(w[i]);
      out[2 * i] = f.x;
      out[2 * i + 1] = f.y;
    }
  }
}

template <class T>
__device__ __forceinline__ uint4 pack16(const float* in) {
  if constexpr (sizeof(T) == 4) {
    return make_uint4(__float_as_uint(in[0]), __float_as_uint(in[1]), __float_as_uint(in[2]),
                      __float_as_uint(in[3]));
  } else {
    return make_uint4(Num<T>::pack2(in[0], in[1]), Num<T>::pack2(in[2], in[3]),
                      Num<T>::pack2(in[4], in[5]), Num<T>::pack2(in[6], in[7]));
  }
}

// --- tensor cores -------------------------------------------------------------------------------

// D = A * B + D for one 16x8x16 tile, fp32 accumulators. Fragment layouts: PTX ISA, "Matrix
// Fragments for mma.m16n8k16 with floating point type".
template <class T>
__device__ __forceinline__ void mma16816(float* d, const std::uint32_t* a, const std::uint32_t* b);

template <>
__device__ __forceinline__ void mma16816<__half>(float* d, const std::uint32_t* a,
                                                 const std::uint32_t* b) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <>
__device__ __forceinline__ void mma16816<__nv_bfloat16>(float* d, const std::uint32_t* a,
                                                        const std::uint32_t* b) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Four 8x8 b16 matrices from shared memory; lanes 8i..8i+7 give the row addresses of matrix i.
__device__ __forceinline__ void ldmatrix_x4(std::uint32_t* r, const void* smem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(s));
}

__device__ __forceinline__ void ldmatrix_x4_trans(std::uint32_t* r, const void* smem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(s));
}

// --- asynchronous copies (global -> shared, 16 bytes, L2 only) ----------------------------------

// Copies 16 bytes, or writes 16 zero bytes when !pred (src-size 0: nothing is read).
__device__ __forceinline__ void cp_async16_raw(void* smem, const void* gmem, bool pred) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  const int n = pred ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(n)
               : "memory");
}
__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;\n" ::: "memory");
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// --- warp reductions ----------------------------------------------------------------------------

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ __forceinline__ std::uint32_t lane_id() {
  return threadIdx.x & 31u;
}

}  // namespace accsim::ref
