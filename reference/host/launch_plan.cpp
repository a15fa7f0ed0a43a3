#include "reference/host/launch_plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "reference/host/checks.h"
#include "workloads/trace/kernel_mix.h"

namespace accsim::ref::plan {
namespace {

unsigned u(long long v) {
  return static_cast<unsigned>(v);
}

LaunchInfo info(const char* kernel, const char* config, Dim3 grid, Dim3 block, unsigned smem) {
  LaunchInfo l;
  l.kernel = kernel;
  l.config = config;
  l.grid = grid;
  l.block = block;
  l.smem = smem;
  return l;
}

workloads::mix::Elem elem(DType t) {
  switch (t) {
    case DType::kF16:
      return workloads::mix::Elem::kF16;
    case DType::kBF16:
      return workloads::mix::Elem::kBF16;
    case DType::kF32:
      return workloads::mix::Elem::kF32;
  }
  return workloads::mix::Elem::kF16;
}

}  // namespace

int row_threads(long long cols, int vec) {
  const long long work = (cols + vec - 1) / vec;
  int t = 32;
  while (t < 512 && t < work) t *= 2;
  return t;
}

unsigned grid_stride_ctas(DType t, long long n, int sm_count) {
  const long long nvec = std::max<long long>(1, n / vec_elems(dtype_bytes(t)));
  const long long grid =
      std::min<long long>((nvec + kGridStrideThreads - 1) / kGridStrideThreads, 8LL * sm_count);
  return u(std::max<long long>(1, grid));
}

LaunchInfo gemm(DType t, int M, int N, int batch, bool b_nk) {
  return info("gemm_tc_kernel",
              "BM128 BN128 BK32, 8 warps (2x4, 64x32 each), 2-stage cp.async, mma.sync m16n8k16",
              {u((N + kGemmBN - 1) / kGemmBN), u((M + kGemmBM - 1) / kGemmBM), u(batch)},
              {kGemmThreads, 1, 1}, gemm_smem_bytes(dtype_bytes(t), b_nk));
}

LaunchInfo flash(int BH, int N, int d) {
  return info("flash_fwd_kernel",
              "BM128 BN64, 8 warps x 16 query rows, 2-stage K/V cp.async, mma.sync m16n8k16",
              {u(N / kFlashBM), u(BH), 1}, {kFlashThreads, 1, 1}, flash_smem_bytes(d));
}

LaunchInfo decode(int which, int BH, int d, int splits) {
  if (which == 0)
    return info("decode_split_kernel",
                "4 warps, d/8 lanes per key, 16-byte K/V loads unrolled x4, fp32 partials",
                {u(splits), u(BH), 1}, {kDecodeThreads, 1, 1}, decode_split_smem_bytes(d));
  return info("decode_combine_kernel", "one CTA of d threads per (batch, head)", {u(BH), 1, 1},
              {u(d), 1, 1}, 0);
}

LaunchInfo gemv(int N) {
  return info("gemv_kernel", "one warp per row, 8 warps per CTA, 16-byte loads x4 in flight",
              {u((N + kGemvWarps - 1) / kGemvWarps), 1, 1}, {kGemvWarps * 32, 1, 1}, 0);
}

LaunchInfo softmax(DType t, long long rows, long long cols) {
  const int vec = vec_elems(dtype_bytes(t));
  return info(
      "softmax_kernel", "one CTA per row, online max/sum pass + write pass, 16-byte accesses",
      {u(rows), 1, 1}, {u(row_threads(cols, cols % vec == 0 ? vec : 1)), 1, 1}, kSoftmaxSmem);
}

LaunchInfo layernorm(DType t, long long rows, long long cols) {
  const int vec = vec_elems(dtype_bytes(t));
  return info("layernorm_kernel",
              "one CTA per row, three passes (mean, variance, normalise), 16-byte accesses",
              {u(rows), 1, 1}, {u(row_threads(cols, cols % vec == 0 ? vec : 1)), 1, 1},
              kLayernormSmem);
}

LaunchInfo gelu(DType t, long long n, int sm_count) {
  return info("gelu_kernel", "grid-stride, 256 threads, 16-byte accesses",
              {grid_stride_ctas(t, n, sm_count), 1, 1}, {kGridStrideThreads, 1, 1}, 0);
}

LaunchInfo add(DType t, long long n, int sm_count) {
  return info("add_kernel", "grid-stride, 256 threads, 16-byte accesses",
              {grid_stride_ctas(t, n, sm_count), 1, 1}, {kGridStrideThreads, 1, 1}, 0);
}

int plan_regs(const LaunchInfo& l, DType t, bool b_nk, int d) {
  namespace mix = workloads::mix;
  const bool bf16 = t == DType::kBF16;
  const std::string& k = l.kernel;
  if (k == "gemm_tc_kernel") return mix::regs_gemm(bf16, b_nk);
  if (k == "flash_fwd_kernel") return mix::regs_flash(bf16, d);
  if (k == "decode_split_kernel") return mix::regs_decode_split(bf16, d);
  if (k == "decode_combine_kernel") return mix::regs_decode_combine(bf16, d);
  if (k == "gemv_kernel") return mix::regs_gemv(elem(t));
  if (k == "softmax_kernel") return mix::regs_softmax(elem(t));
  if (k == "layernorm_kernel") return mix::regs_layernorm(elem(t));
  if (k == "gelu_kernel") return mix::regs_gelu(elem(t));
  if (k == "add_kernel") return mix::regs_add(elem(t));
  throw std::logic_error("plan_regs: no register figure for " + k);
}

std::uint64_t case_decode_workspace(const Case& c, int sm_count) {
  // About 8 CTAs of 4 warps per SM in flight (the harness's Decode runner).
  return decode_workspace_bytes(static_cast<int>(c.B * c.H), decode_splits(c, sm_count * 8),
                                static_cast<int>(c.d));
}

std::vector<LaunchInfo> case_launches(const Case& c, int sm_count) {
  const int bh = static_cast<int>(c.B * c.H), d = static_cast<int>(c.d);
  std::vector<LaunchInfo> out;
  const auto push = [&](LaunchInfo l, bool b_nk = true) {
    l.regs = plan_regs(l, c.dtype, b_nk, d);
    out.push_back(std::move(l));
  };
  switch (c.op) {
    case Op::kSdpa:
      if (c.impl == "flash") {
        push(flash(bh, static_cast<int>(c.N), d));
      } else {  // S = Q K^T ([N, K] B), softmax(S) in place, O = P V ([K, N] B)
        const int n = static_cast<int>(c.N);
        push(gemm(c.dtype, n, n, bh, true), true);
        push(softmax(c.dtype, static_cast<long long>(bh) * n, n));
        push(gemm(c.dtype, n, d, bh, false), false);
      }
      break;
    case Op::kDecode: {
      const int splits = decode_splits(c, sm_count * 8);
      push(decode(0, bh, d, splits));
      push(decode(1, bh, d, splits));
      break;
    }
    case Op::kGemm:
      push(gemm(c.dtype, static_cast<int>(c.M), static_cast<int>(c.N), 1, true));
      break;
    case Op::kGemv:
      push(gemv(static_cast<int>(c.N)));
      break;
    case Op::kSoftmax:
      push(softmax(c.dtype, c.rows, c.cols));
      break;
    case Op::kLayernorm:
      push(layernorm(c.dtype, c.rows, c.cols));
      break;
    case Op::kGelu:
      push(gelu(c.dtype, c.n, sm_count));
      break;
    case Op::kAdd:
      push(add(c.dtype, c.n, sm_count));
      break;
    case Op::kChase:
    case Op::kBandwidth:
      break;
  }
  return out;
}

}  // namespace accsim::ref::plan
