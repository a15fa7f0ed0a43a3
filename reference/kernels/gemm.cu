// Tiled GEMM on tensor cores (mma.sync m16n8k16, fp32 accumulation).
//
// Tiling: a CTA of 8 warps computes a 128x128 tile of C; warps are laid out 2 (M) x 4 (N), so
// each warp owns 64x32 = 4 x 4 mma tiles (64 fp32 accumulators per thread). K advances 32 at a
// time through a two-stage shared-memory pipeline filled by 16-byte cp.async copies, so the next
// k-tile streams in while the current one is multiplied. Shared rows are padded by 16 bytes so
// that the eight row addresses of each ldmatrix fall in distinct bank groups.
//
// B may be [N, K] (a weight matrix, "X W^T", and K^T in attention scores: ldmatrix without
// transpose) or [K, N] (V in attention: ldmatrix .trans). Rows of A and C beyond M and columns
// beyond N are masked (zero-filled loads, skipped stores); K must be a multiple of 32 and N of 8.
#include <cmath>
#include <type_traits>

#include "reference/host/launch_plan.h"
#include "reference/kernels/common.cuh"
#include "reference/kernels/mem.cuh"

namespace accsim::ref {
namespace {

// The tile sizes are the launch plan's (host/launch_plan.h), which sizes the grid.
constexpr int kBM = plan::kGemmBM, kBN = plan::kGemmBN, kBK = plan::kGemmBK,
              kThreads = plan::kGemmThreads;
constexpr int kPad = plan::kGemmPad;  // halves: 16 bytes
constexpr int kWarpM = 64, kWarpN = 32;
constexpr int kMT = kWarpM / 16, kNT = kWarpN / 8;

struct GemmDev {
  const void* A;
  const void* B;
  void* C;
  int M, N, K;
  long long strideA, strideB, strideC;  // elements between batch items
  float alpha;
  bool causal;
};

template <class T, bool kBNK>
struct GemmSmem {
  T a[2][kBM][kBK + kPad];
  // [N][K] when B is N x K, [K][N] when it is K x N.
  T b[2][kBNK ? kBN : kBK][kBNK ? kBK + kPad : kBN + kPad];
};

template <class T, bool kBNK, class Mem>
__global__ void __launch_bounds__(kThreads) gemm_tc_kernel(GemmDev p, Mem mem) {
  __shared__ __align__(16) GemmSmem<T, kBNK> sm;
  constexpr bool kBf16 = Num<T>::kType == DType::kBF16;
  mem.cta_begin();
  ACCSIM_MIX(mem, gemm_prologue, kBNK);
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / 4, wn = warp % 4;  // 2 x 4 warps
  const int m0 = blockIdx.y * kBM, n0 = blockIdx.x * kBN;
  const T* A = static_cast<const T*>(p.A) + blockIdx.z * p.strideA;
  const T* B = static_cast<const T*>(p.B) + blockIdx.z * p.strideB;
  T* C = static_cast<T*>(p.C) + blockIdx.z * p.strideC;

  // Each thread copies 2 of the 512 16-byte chunks of the A tile and 2 of the B tile.
  const auto load_tile = [&](int kt, int stage) {
    const int k0 = kt * kBK;
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const int c = tid + i * kThreads;
      const int r = c >> 2, col = (c & 3) * 8;  // 128 rows x 4 chunks
      const int gm = m0 + r;
      const bool ok = gm < p.M;
      mem.cp_async16(&sm.a[stage][r][col], A + static_cast<long long>(ok ? gm : 0) * p.K + k0 + col,
                     ok);
    }
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const int c = tid + i * kThreads;
      if constexpr (kBNK) {
        const int r = c >> 2, col = (c & 3) * 8;
        const int gn = n0 + r;
        const bool ok = gn < p.N;
        mem.cp_async16(&sm.b[stage][r][col],
                       B + static_cast<long long>(ok ? gn : 0) * p.K + k0 + col, ok);
      } else {
        const int r = c >> 4, col = (c & 15) * 8;  // 32 rows (k) x 16 chunks (n)
        const int gn = n0 + col;
        const bool ok = gn < p.N;
        mem.cp_async16(&sm.b[stage][r][col],
                       B + static_cast<long long>(k0 + r) * p.N + (ok ? gn : 0), ok);
      }
    }
  };

  float acc[kMT][kNT][4];
#pragma unroll
  for (int i = 0; i < kMT; ++i)
#pragma unroll
    for (int j = 0; j < kNT; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.0f;

  const int ktiles = p.K / kBK;
  load_tile(0, 0);
  ACCSIM_MIX_END(gemm_prologue);
  mem.commit();
  cp_async_commit();
  for (int kt = 0; kt < ktiles; ++kt) {
    const int stage = kt & 1;
    if (kt + 1 < ktiles) {
      ACCSIM_MIX(mem, gemm_load_tile, kBNK);
      load_tile(kt + 1, stage ^ 1);
      ACCSIM_MIX_END(gemm_load_tile);
    }
    mem.commit();
    cp_async_commit();  // possibly empty: keeps the group count uniform
    mem.wait(1);
    cp_async_wait<1>();
    mem.barrier();
    __syncthreads();
    ACCSIM_MIX(mem, gemm_ktile, kBf16);
#pragma unroll
    for (int kk = 0; kk < kBK; kk += 16) {
      std::uint32_t af[kMT][4], bfr[kNT][2];
#pragma unroll
      for (int i = 0; i < kMT; ++i)
        ldmatrix_x4(af[i], &sm.a[stage][wm * kWarpM + i * 16 + (lane & 15)][kk + (lane >> 4) * 8]);
#pragma unroll
      for (int j = 0; j < kNT; j += 2) {
        std::uint32_t r[4];
        if constexpr (kBNK) {
          ldmatrix_x4(r, &sm.b[stage][wn * kWarpN + j * 8 + (lane & 7) + (lane >> 4) * 8]
                              [kk + ((lane >> 3) & 1) * 8]);
        } else {
          ldmatrix_x4_trans(r, &sm.b[stage][kk + (lane & 7) + ((lane >> 3) & 1) * 8]
                                    [wn * kWarpN + j * 8 + (lane >> 4) * 8]);
        }
        bfr[j][0] = r[0], bfr[j][1] = r[1], bfr[j + 1][0] = r[2], bfr[j + 1][1] = r[3];
      }
#pragma unroll
      for (int i = 0; i < kMT; ++i)
#pragma unroll
        for (int j = 0; j < kNT; ++j) mma16816<T>(acc[i][j], af[i], bfr[j]);
    }
    ACCSIM_MIX_END(gemm_ktile);
    mem.barrier();
    __syncthreads();  // the stage is refilled by the next iteration's copy
  }

  // Epilogue: thread holds rows g and g+8, columns 2t and 2t+1 of each 16x8 tile. The causal and
  // the plain version are written out as two copies of the loops (the compiler unswitches them
  // on p.causal anyway), so that each is one program point.
  const int g = lane >> 2, t4 = lane & 3;
  const auto epilogue = [&](auto causal) {
#pragma unroll
    for (int i = 0; i < kMT; ++i) {
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        const int gm = m0 + wm * kWarpM + i * 16 + g + half * 8;
        if (gm >= p.M) continue;
#pragma unroll
        for (int j = 0; j < kNT; ++j) {
          const int gn = n0 + wn * kWarpN + j * 8 + t4 * 2;
          if (gn >= p.N) continue;
          float v0 = acc[i][j][half * 2] * p.alpha, v1 = acc[i][j][half * 2 + 1] * p.alpha;
          if constexpr (decltype(causal)::value) {
            if (gn > gm) v0 = -INFINITY;
            if (gn + 1 > gm) v1 = -INFINITY;
          }
          const std::uint32_t packed = Num<T>::pack2(v0, v1);
          mem.st_global(reinterpret_cast<std::uint32_t*>(C + static_cast<long long>(gm) * p.N + gn),
                        packed);
        }
      }
    }
  };
  if (p.causal) {
    ACCSIM_MIX_AS(mem, causal, gemm_epilogue, kBf16, true);
    epilogue(std::true_type{});
    ACCSIM_MIX_END_AS(causal, gemm_epilogue);
  } else {
    ACCSIM_MIX_AS(mem, plain, gemm_epilogue, kBf16, false);
    epilogue(std::false_type{});
    ACCSIM_MIX_END_AS(plain, gemm_epilogue);
  }
  mem.warp_exit();
}

template <class T, bool kBNK, class Mem>
LaunchInfo launch_typed(const GemmArgs& a, cudaStream_t s, Mem mem, const char* name) {
  GemmDev p{a.A,
            a.B,
            a.C,
            a.M,
            a.N,
            a.K,
            static_cast<long long>(a.M) * a.K,
            static_cast<long long>(a.N) * a.K,
            static_cast<long long>(a.M) * a.N,
            a.alpha,
            a.causal};
  static_assert(sizeof(GemmSmem<T, kBNK>) == plan::gemm_smem_bytes(sizeof(T), kBNK));
  LaunchInfo info = plan::gemm(a.dtype, a.M, a.N, a.batch, kBNK);
  static const int regs = func_regs(&gemm_tc_kernel<T, kBNK, Mem>);
  info.regs = regs;
  gemm_tc_kernel<T, kBNK, Mem>
      <<<dim3(info.grid.x, info.grid.y, info.grid.z), kThreads, 0, s>>>(p, mem);
  check_launch(name);
  return info;
}

template <class Mem>
LaunchInfo dispatch(const GemmArgs& a, cudaStream_t s, Mem mem) {
  const char* name = "gemm_tc_kernel";
  if (a.dtype == DType::kF16)
    return a.b_nk ? launch_typed<__half, true>(a, s, mem, name)
                  : launch_typed<__half, false>(a, s, mem, name);
  return a.b_nk ? launch_typed<__nv_bfloat16, true>(a, s, mem, name)
                : launch_typed<__nv_bfloat16, false>(a, s, mem, name);
}

}  // namespace

LaunchInfo launch_gemm(const GemmArgs& a, cudaStream_t s, const CaptureSink* cap) {
  if (a.dtype == DType::kF32) throw std::invalid_argument("launch_gemm: f16 or bf16 only");
  if (a.K % kBK != 0 || a.N % 8 != 0 || a.M <= 0 || a.batch <= 0 || a.batch > 65535)
    throw std::invalid_argument("launch_gemm: K must be a multiple of 32, N of 8");
  if (cap) return dispatch(a, s, CaptureMem{*cap});
  return dispatch(a, s, PlainMem{});
}

}  // namespace accsim::ref
