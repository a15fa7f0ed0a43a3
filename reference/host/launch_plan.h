#pragma once
// How each reference kernel is launched: its name, tile configuration in words, grid, block and
// shared memory as functions of its arguments. This is the one place those come from: the
// launchers in kernels/*.cu take their LaunchInfo from here (and static_assert that the shared
// memory formulas equal the sizes of their shared-memory structs), and `accsim_ref plan` uses it
// to write a transformer step's launches on a machine without a GPU (host/step_plan.h).
//
// Plain C++17, no CUDA types: nvcc and the host compiler both include it.
#include <cstdint>
#include <vector>

#include "reference/host/cases.h"
#include "reference/host/dtype.h"
#include "reference/host/launch_info.h"

// The shared-memory formulas are also checked in device code (static_assert in the kernels).
#ifdef __CUDACC__
#define ACCSIM_PLAN_HD __host__ __device__
#else
#define ACCSIM_PLAN_HD
#endif

namespace accsim::ref::plan {

// Tiles (kernels/gemm.cu): CTA 128 x 128 x 32, 8 warps; shared rows padded by 8 elements.
inline constexpr int kGemmBM = 128, kGemmBN = 128, kGemmBK = 32, kGemmThreads = 256, kGemmPad = 8;
// kernels/attention.cu: flash CTA = 8 warps x 16 query rows, 64-key tiles; decode 4 warps.
inline constexpr int kFlashWarps = 8, kFlashThreads = kFlashWarps * 32, kFlashBM = 16 * kFlashWarps,
                     kFlashBN = 64, kFlashPad = 8;
inline constexpr int kDecodeWarps = 4, kDecodeThreads = 32 * kDecodeWarps;
// kernels/rowwise.cu: one warp per GEMV row, 8 rows per CTA; grid-stride kernels of 256 threads.
inline constexpr int kGemvWarps = 8, kGridStrideThreads = 256;
// Shared memory of the row kernels: softmax merges (max, sum) per warp, layer norm a sum per warp.
inline constexpr unsigned kSoftmaxSmem = 2 * 32 * 4, kLayernormSmem = 32 * 4;

// Elements of T in one 16-byte vector access.
ACCSIM_PLAN_HD constexpr int vec_elems(std::size_t elem_bytes) {
  return 16 / static_cast<int>(elem_bytes);
}

// Shared memory of gemm_tc_kernel: two stages of the A tile [BM][BK+pad] and the B tile,
// [BN][BK+pad] when B is [N, K] (b_nk), [BK][BN+pad] when it is [K, N].
ACCSIM_PLAN_HD constexpr unsigned gemm_smem_bytes(std::size_t elem_bytes, bool b_nk) {
  const std::size_t a = std::size_t{2} * kGemmBM * (kGemmBK + kGemmPad);
  const std::size_t b = b_nk ? std::size_t{2} * kGemmBN * (kGemmBK + kGemmPad)
                             : std::size_t{2} * kGemmBK * (kGemmBN + kGemmPad);
  return static_cast<unsigned>((a + b) * elem_bytes);
}
// flash_fwd_kernel: the Q tile and two stages of K and V tiles, rows of d + pad halves.
ACCSIM_PLAN_HD constexpr unsigned flash_smem_bytes(int d) {
  return static_cast<unsigned>((kFlashBM + 4 * kFlashBN) * (d + kFlashPad) * 2);
}
// decode_split_kernel: per key group of d/8 lanes an fp32 row of d + 2 (o, max, sum).
ACCSIM_PLAN_HD constexpr unsigned decode_split_smem_bytes(int d) {
  return static_cast<unsigned>((32 / (d / 8) * kDecodeWarps) * (d + 2) * 4);
}
// The fp32 partials of split-KV decode: o (d), max and sum per split and head.
ACCSIM_PLAN_HD constexpr std::uint64_t decode_workspace_bytes(int BH, int splits, int d) {
  return static_cast<std::uint64_t>(BH) * static_cast<std::uint64_t>(splits) *
         static_cast<std::uint64_t>(d + 2) * 4;
}

// Threads of a one-CTA-per-row kernel: a power of two from 32 to 512, no more than the row's
// vector (or scalar) accesses.
int row_threads(long long cols, int vec);
// CTAs of a grid-stride kernel over n elements of `t`: enough for 8 per SM (2048 threads), fewer
// for small tensors.
unsigned grid_stride_ctas(DType t, long long n, int sm_count);

// One launch each (regs left 0: the launcher asks the driver, a dry run takes plan_regs).
LaunchInfo gemm(DType t, int M, int N, int batch, bool b_nk);
LaunchInfo flash(int BH, int N, int d);
// which = 0: decode_split_kernel, 1: decode_combine_kernel.
LaunchInfo decode(int which, int BH, int d, int splits);
LaunchInfo gemv(int N);
LaunchInfo softmax(DType t, long long rows, long long cols);
LaunchInfo layernorm(DType t, long long rows, long long cols);
LaunchInfo gelu(DType t, long long n, int sm_count);
LaunchInfo add(DType t, long long n, int sm_count);

// Registers per thread of a kernel's timing build, from workloads/trace/kernel_mix.h's ptxas
// table (what the driver reports on a GPU run, checked by the CTest test reference_ptx_regs).
// `b_nk` and `d` apply to the kernels that have such variants.
int plan_regs(const LaunchInfo& l, DType t, bool b_nk, int d);

// The launches a case makes, in order, with the split count `decode_splits` chooses for
// `sm_count` SMs and the registers of plan_regs: what the harness would launch, without a GPU.
// Microbenchmarks have no plan (empty).
std::vector<LaunchInfo> case_launches(const Case& c, int sm_count);
// The fp32 workspace of a decode case on `sm_count` SMs.
std::uint64_t case_decode_workspace(const Case& c, int sm_count);

}  // namespace accsim::ref::plan
