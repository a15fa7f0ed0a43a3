// Attention kernels: the fused FlashAttention-2-style forward pass and split-KV decode attention.
//
// flash_fwd_kernel (Dao, "FlashAttention-2", 2023, Algorithm 1, forward only):
//   A CTA of 8 warps owns 128 query rows of one (batch, head); each warp owns 16 rows, so the
//   score tile of a warp is one 16 x 64 strip of mma accumulators and no score ever leaves the
//   registers. K and V stream through shared memory in 64-key tiles, two stages deep (cp.async),
//   so tile j+1 is in flight while tile j is multiplied. Scores are kept in the log2 domain
//   (q.k * log2(e)/sqrt(d)) so the online softmax uses exp2: per tile, the running row max m
//   grows, the accumulators and the running sum are rescaled by exp2(m_old - m_new), and the
//   probabilities (rounded to f16/bf16) feed the P.V product straight from the score registers
//   (the accumulator layout of m16n8 is the A-operand layout of m16n8k16). One division at the
//   end. Causal: key tiles past the CTA's last row are never loaded, fully masked warps skip the
//   tile, and CTAs are issued longest-first. The Q fragments are re-read from shared memory for
//   each key tile (ldmatrix, a quarter of the tile's shared reads) so that the kernel fits in 128
//   registers and two CTAs (16 warps) share an SM.
//
// decode_split_kernel + decode_combine_kernel (flash-decoding: Dao, Haziza, Massa, Sizov 2023;
// Lean Attention, Sanovar et al. 2024): one query token per (batch, head) against a KV cache of
// length L. The L keys are cut into `splits` chunks, one CTA each (4 warps); inside a CTA, groups
// of d/8 lanes each own one key at a time (one 16-byte load of K and of V per lane), reduce the
// dot product with shuffles and keep a private online softmax; the groups are merged through
// shared memory and the CTA writes an unnormalised fp32 partial (o, m, l). The combine kernel
// rescales the partials of all splits to a common max and divides once.
#include <cmath>

#include "reference/host/launch_plan.h"
#include "reference/kernels/common.cuh"
#include "reference/kernels/mem.cuh"

namespace accsim::ref {
namespace {

constexpr float kLog2e = 1.4426950408889634f;

// ---------------------------------------------------------------------------------------------
// FlashAttention-2 forward

// The tile sizes are the launch plan's (host/launch_plan.h), which sizes the grid.
constexpr int kFaThreads = plan::kFlashThreads, kFaBM = plan::kFlashBM, kFaBN = plan::kFlashBN;
constexpr int kFaPad = plan::kFlashPad;

struct FlashDev {
  const void* Q;
  const void* K;
  const void* V;
  void* O;
  int N;
  bool causal;
  float scale_log2;  // log2(e) / sqrt(d)
};

template <int D>
constexpr int fa_smem_bytes() {
  return static_cast<int>(plan::flash_smem_bytes(D));
}

template <class T, int D, class Mem>
__global__ void __launch_bounds__(kFaThreads, 2) flash_fwd_kernel(FlashDev p, Mem mem) {
  constexpr int kStride = D + kFaPad;  // padded shared row, in elements
  constexpr int kChunksPerRow = D / 8;
  constexpr bool kBf16 = Num<T>::kType == DType::kBF16;
  mem.cta_begin();
  ACCSIM_MIX(mem, flash_prologue, D);
  extern __shared__ __align__(16) unsigned char fa_smem[];
  T* sq = reinterpret_cast<T*>(fa_smem);
  T* sk = sq + kFaBM * kStride;      // [2][kFaBN][kStride]
  T* sv = sk + 2 * kFaBN * kStride;  // [2][kFaBN][kStride]

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int g = lane >> 2, t4 = lane & 3;
  const int bh = blockIdx.y;
  // Causal CTAs differ in work; issue the longest (last query tiles) first.
  const int qb =
      p.causal ? static_cast<int>(gridDim.x - 1 - blockIdx.x) : static_cast<int>(blockIdx.x);
  const int q0 = qb * kFaBM;
  const long long head = static_cast<long long>(bh) * p.N * D;
  const T* Qg = static_cast<const T*>(p.Q) + head + static_cast<long long>(q0) * D;
  const T* Kg = static_cast<const T*>(p.K) + head;
  const T* Vg = static_cast<const T*>(p.V) + head;
  T* Og = static_cast<T*>(p.O) + head + static_cast<long long>(q0) * D;

  int ntiles = p.N / kFaBN;
  if (p.causal) ntiles = min(ntiles, (q0 + kFaBM + kFaBN - 1) / kFaBN);

  const auto load_kv = [&](int j, int stage) {
    const T* kt = Kg + static_cast<long long>(j) * kFaBN * D;
    const T* vt = Vg + static_cast<long long>(j) * kFaBN * D;
    T* dk = sk + stage * kFaBN * kStride;
    T* dv = sv + stage * kFaBN * kStride;
    // The copy loops' trip counts (d/32 for K and V, d/16 for Q, the same for every thread) are
    // not known to the compiler, which unrolls them by 4 with a remainder; each trip is one
    // program point.
#pragma unroll
    for (int c = tid; c < kFaBN * kChunksPerRow; c += kFaThreads) {
      ACCSIM_MIX(mem, flash_copy, D);
      const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * 8;
      mem.cp_async16(dk + r * kStride + col, kt + r * D + col, true);
      ACCSIM_MIX_END(flash_copy);
    }
#pragma unroll
    for (int c = tid; c < kFaBN * kChunksPerRow; c += kFaThreads) {
      ACCSIM_MIX(mem, flash_copy, D);
      const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * 8;
      mem.cp_async16(dv + r * kStride + col, vt + r * D + col, true);
      ACCSIM_MIX_END(flash_copy);
    }
  };
  ACCSIM_MIX_END(flash_prologue);

#pragma unroll
  for (int c = tid; c < kFaBM * kChunksPerRow; c += kFaThreads) {
    ACCSIM_MIX(mem, flash_copy, D);
    const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * 8;
    mem.cp_async16(sq + r * kStride + col, Qg + r * D + col, true);
    ACCSIM_MIX_END(flash_copy);
  }
  load_kv(0, 0);
  mem.commit();
  cp_async_commit();

  float o[D / 8][4];
#pragma unroll
  for (int i = 0; i < D / 8; ++i) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.0f, 0.0f};
  const T* q_row = sq + (warp * 16 + (lane & 15)) * kStride + (lane >> 4) * 8;

  const int warp_row0 = q0 + warp * 16;
  for (int j = 0; j < ntiles; ++j) {
    const int stage = j & 1;
    if (j + 1 < ntiles) load_kv(j + 1, stage ^ 1);
    mem.commit();
    cp_async_commit();
    mem.wait(1);
    cp_async_wait<1>();
    mem.barrier();
    __syncthreads();
    const int k0 = j * kFaBN;
    // A causal tile whose first key is past every row of this warp contributes nothing.
    const bool skip = p.causal && k0 > warp_row0 + 15;
    if (!skip) {
      // A causal tile that reaches past the warp's first row is masked.
      const bool masked = p.causal && k0 + kFaBN - 1 > warp_row0;
      ACCSIM_MIX(mem, flash_tile, kBf16, D, masked);
      const T* ks = sk + stage * kFaBN * kStride;
      const T* vs = sv + stage * kFaBN * kStride;
      float s[kFaBN / 8][4];
#pragma unroll
      for (int i = 0; i < kFaBN / 8; ++i) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.0f;
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        std::uint32_t qa[4];  // re-read per tile: keeps the kernel within 128 registers
        ldmatrix_x4(qa, q_row + kk * 16);
#pragma unroll
        for (int np = 0; np < kFaBN / 16; ++np) {
          std::uint32_t r[4];
          ldmatrix_x4(r, ks + (np * 16 + (lane & 7) + (lane >> 4) * 8) * kStride + kk * 16 +
                             ((lane >> 3) & 1) * 8);
          mma16816<T>(s[2 * np], qa, r);
          mma16816<T>(s[2 * np + 1], qa, r + 2);
        }
      }
      if (masked) {
        ACCSIM_MIX_PART(flash_tile_mask);
#pragma unroll
        for (int nt = 0; nt < kFaBN / 8; ++nt) {
          const int col = k0 + nt * 8 + t4 * 2;
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int row = warp_row0 + g + (e >> 1) * 8;
            if (col + (e & 1) > row) s[nt][e] = -INFINITY;
          }
        }
        ACCSIM_MIX_PART_END(flash_tile_mask);
      }
      // Online softmax; this thread holds rows g (e = 0, 1) and g + 8 (e = 2, 3).
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        float mx = -INFINITY;
#pragma unroll
        for (int nt = 0; nt < kFaBN / 8; ++nt)
          mx = fmaxf(mx, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
        const float m_new = fmaxf(m_run[r], mx);
        // A row with every key so far masked keeps m = -inf; use 0 so that no inf - inf appears.
        const float m_use = m_new == -INFINITY ? 0.0f : m_new * p.scale_log2;
        const float corr = exp2f(m_run[r] * p.scale_log2 - m_use);
        m_run[r] = m_new;
        float sum = 0.0f;
#pragma unroll
        for (int nt = 0; nt < kFaBN / 8; ++nt) {
          s[nt][2 * r] = exp2f(fmaf(s[nt][2 * r], p.scale_log2, -m_use));
          s[nt][2 * r + 1] = exp2f(fmaf(s[nt][2 * r + 1], p.scale_log2, -m_use));
          sum += s[nt][2 * r] + s[nt][2 * r + 1];
        }
        l_run[r] = l_run[r] * corr + sum;
#pragma unroll
        for (int dt = 0; dt < D / 8; ++dt) {
          o[dt][2 * r] *= corr;
          o[dt][2 * r + 1] *= corr;
        }
      }
      // O += P V: the probabilities of keys 16kk..16kk+15 form the A fragment directly.
#pragma unroll
      for (int kk = 0; kk < kFaBN / 16; ++kk) {
        std::uint32_t pa[4];
        pa[0] = Num<T>::pack2(s[2 * kk][0], s[2 * kk][1]);
        pa[1] = Num<T>::pack2(s[2 * kk][2], s[2 * kk][3]);
        pa[2] = Num<T>::pack2(s[2 * kk + 1][0], s[2 * kk + 1][1]);
        pa[3] = Num<T>::pack2(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
        for (int dp = 0; dp < D / 16; ++dp) {
          std::uint32_t r[4];
          ldmatrix_x4_trans(r, vs + (kk * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * kStride +
                                   dp * 16 + (lane >> 4) * 8);
          mma16816<T>(o[2 * dp], pa, r);
          mma16816<T>(o[2 * dp + 1], pa, r + 2);
        }
      }
      ACCSIM_MIX_END(flash_tile);
    }
    mem.barrier();
    __syncthreads();  // this stage is refilled two iterations from now
  }

  ACCSIM_MIX(mem, flash_epilogue, kBf16, D);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = l_run[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    T* orow = Og + static_cast<long long>(warp * 16 + g + r * 8) * D;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
      const std::uint32_t v = Num<T>::pack2(o[dt][2 * r] * inv, o[dt][2 * r + 1] * inv);
      mem.st_global(reinterpret_cast<std::uint32_t*>(orow + dt * 8 + t4 * 2), v);
    }
  }
  ACCSIM_MIX_END(flash_epilogue);
  mem.warp_exit();
}

template <class T, int D, class Mem>
LaunchInfo flash_typed(const FlashArgs& a, cudaStream_t s, Mem mem) {
  constexpr int kSmem = fa_smem_bytes<D>();
  auto* fn = &flash_fwd_kernel<T, D, Mem>;
  // Above 48 KB a kernel must opt in to dynamic shared memory (CUDA C++ Programming Guide,
  // "Shared Memory", compute capability 8.x/9.x).
  // Once per instantiation: a host call between the timing events and the launch would be timed.
  static const cudaError_t attr =
      cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmem);
  cuda_check(attr, "cudaFuncSetAttribute(flash_fwd_kernel)");
  FlashDev p{a.Q, a.K, a.V, a.O, a.N, a.causal, kLog2e / sqrtf(static_cast<float>(D))};
  LaunchInfo info = plan::flash(a.BH, a.N, D);
  static const int regs = func_regs(fn);
  info.regs = regs;
  fn<<<dim3(info.grid.x, info.grid.y), kFaThreads, kSmem, s>>>(p, mem);
  check_launch("flash_fwd_kernel");
  return info;
}

template <class Mem>
LaunchInfo flash_dispatch(const FlashArgs& a, cudaStream_t s, Mem mem) {
  if (a.dtype == DType::kF16)
    return a.d == 64 ? flash_typed<__half, 64>(a, s, mem) : flash_typed<__half, 128>(a, s, mem);
  return a.d == 64 ? flash_typed<__nv_bfloat16, 64>(a, s, mem)
                   : flash_typed<__nv_bfloat16, 128>(a, s, mem);
}

// ---------------------------------------------------------------------------------------------
// Split-KV decode

constexpr int kDecWarps = plan::kDecodeWarps, kDecThreads = plan::kDecodeThreads, kDecUnroll = 4;

struct DecodeDev {
  const void* q;
  const void* K;
  const void* V;
  float* part_o;   // [BH][splits][D]
  float* part_ml;  // [BH][splits][2]: running max (log2 domain) and sum
  int L, splits, chunk;
  float scale_log2;
};

template <class T, int D, class Mem>
__global__ void __launch_bounds__(kDecThreads) decode_split_kernel(DecodeDev p, Mem mem) {
  constexpr int kLanes = D / 8;  // lanes per key: 8 elements (16 bytes) each
  constexpr int kGroupsPerWarp = 32 / kLanes;
  constexpr int kGroups = kDecWarps * kGroupsPerWarp;
  __shared__ float sm_o[kGroups][D];
  __shared__ float sm_m[kGroups], sm_l[kGroups];
  static_assert(sizeof(sm_o) + sizeof(sm_m) + sizeof(sm_l) == plan::decode_split_smem_bytes(D));
  constexpr bool kBf16 = Num<T>::kType == DType::kBF16;
  mem.cta_begin();
  ACCSIM_MIX(mem, decode_split_prologue, D);

  const int split = blockIdx.x, bh = blockIdx.y;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int sub = lane % kLanes, group = warp * kGroupsPerWarp + lane / kLanes;
  const int kbeg = split * p.chunk, kend = min(p.L, kbeg + p.chunk);
  const long long head = static_cast<long long>(bh) * p.L * D;

  float qv[8];
  const uint4 qraw = mem.ld_global(
      reinterpret_cast<const uint4*>(static_cast<const T*>(p.q) + static_cast<long long>(bh) * D) +
      sub);
  ACCSIM_MIX_END(decode_split_prologue);
  mem.commit();
  mem.wait(0);
  ACCSIM_MIX(mem, decode_split_q, kBf16);
  unpack16<T>(qraw, qv);
#pragma unroll
  for (int i = 0; i < 8; ++i) qv[i] *= p.scale_log2;

  float m = -INFINITY, l = 0.0f, o[8];
#pragma unroll
  for (int i = 0; i < 8; ++i) o[i] = 0.0f;

  // The trip count is the same for every lane of the CTA, so the shuffles below never diverge.
  const int steps =
      kend > kbeg ? (kend - kbeg + kGroups * kDecUnroll - 1) / (kGroups * kDecUnroll) : 0;
  const uint4* kbase = reinterpret_cast<const uint4*>(static_cast<const T*>(p.K) + head) + sub;
  const uint4* vbase = reinterpret_cast<const uint4*>(static_cast<const T*>(p.V) + head) + sub;
  ACCSIM_MIX_END(decode_split_q);
  for (int st = 0; st < steps; ++st) {
    ACCSIM_MIX(mem, decode_split_load, D);
    uint4 kv[kDecUnroll], vv[kDecUnroll];
    bool valid[kDecUnroll];
#pragma unroll
    for (int u = 0; u < kDecUnroll; ++u) {
      const int key = kbeg + (st * kDecUnroll + u) * kGroups + group;
      valid[u] = key < kend;
      if (valid[u]) {
        kv[u] = mem.ld_global(kbase + static_cast<long long>(key) * kLanes);
        vv[u] = mem.ld_global(vbase + static_cast<long long>(key) * kLanes);
      } else {
        kv[u] = vv[u] = make_uint4(0, 0, 0, 0);
      }
    }
    ACCSIM_MIX_END(decode_split_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX(mem, decode_split_step, kBf16, D);
#pragma unroll
    for (int u = 0; u < kDecUnroll; ++u) {
      float kf[8];
      unpack16<T>(kv[u], kf);
      float dot = 0.0f;
#pragma unroll
      for (int i = 0; i < 8; ++i) dot = fmaf(qv[i], kf[i], dot);
#pragma unroll
      for (int off = kLanes / 2; off > 0; off >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, off);
      if (!valid[u]) continue;
      const float m_new = fmaxf(m, dot);
      const float corr = exp2f(m - m_new);  // 0 while m is still -inf
      const float pr = exp2f(dot - m_new);
      float vf[8];
      unpack16<T>(vv[u], vf);
      l = l * corr + pr;
#pragma unroll
      for (int i = 0; i < 8; ++i) o[i] = fmaf(pr, vf[i], o[i] * corr);
      m = m_new;
    }
    ACCSIM_MIX_END(decode_split_step);
  }

  ACCSIM_MIX(mem, decode_split_merge, D);
#pragma unroll
  for (int i = 0; i < 8; ++i) sm_o[group][sub * 8 + i] = o[i];
  if (sub == 0) {
    sm_m[group] = m;
    sm_l[group] = l;
  }
  const long long slot = static_cast<long long>(bh) * p.splits + split;
  ACCSIM_MIX_END(decode_split_merge);
  mem.barrier();
  __syncthreads();
  for (int c = threadIdx.x; c < D; c += kDecThreads) {
    ACCSIM_MIX(mem, decode_split_combine, D);
    float mx = -INFINITY;
#pragma unroll
    for (int gi = 0; gi < kGroups; ++gi) mx = fmaxf(mx, sm_m[gi]);
    float lsum = 0.0f, acc = 0.0f;
#pragma unroll
    for (int gi = 0; gi < kGroups; ++gi) {
      if (sm_m[gi] == -INFINITY) continue;  // a group that saw no key
      const float w = exp2f(sm_m[gi] - mx);
      lsum = fmaf(sm_l[gi], w, lsum);
      acc = fmaf(sm_o[gi][c], w, acc);
    }
    mem.st_global(p.part_o + slot * D + c, acc);
    if (c == 0) {
      mem.st_global(p.part_ml + slot * 2, mx);
      mem.st_global(p.part_ml + slot * 2 + 1, lsum);
    }
    ACCSIM_MIX_END(decode_split_combine);
  }
  mem.warp_exit();
}

template <class T, int D, class Mem>
__global__ void __launch_bounds__(D)
    decode_combine_kernel(const float* part_o, const float* part_ml, void* out, int splits,
                          Mem mem) {
  constexpr bool kBf16 = Num<T>::kType == DType::kBF16;
  mem.cta_begin();
  ACCSIM_MIX(mem, decode_combine_prologue);
  const int bh = blockIdx.x, c = threadIdx.x;
  const long long base = static_cast<long long>(bh) * splits;
  float mx = -INFINITY;
  ACCSIM_MIX_END(decode_combine_prologue);
  for (int s = 0; s < splits; ++s) {
    ACCSIM_MIX(mem, decode_combine_max_load);
    const float ms = mem.ld_global(part_ml + (base + s) * 2);
    ACCSIM_MIX_END(decode_combine_max_load);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX(mem, decode_combine_max);
    mx = fmaxf(mx, ms);
    ACCSIM_MIX_END(decode_combine_max);
  }
  float lsum = 0.0f, acc = 0.0f;
  for (int s = 0; s < splits; ++s) {
    ACCSIM_MIX(mem, decode_combine_sum_load);
    const float ms = mem.ld_global(part_ml + (base + s) * 2);
    ACCSIM_MIX_END(decode_combine_sum_load);
    mem.commit();
    mem.wait(0);
    if (ms == -INFINITY) continue;  // a split with no keys (L < splits * chunk); whole CTA
    ACCSIM_MIX(mem, decode_combine_sum_load2);
    const float ls = mem.ld_global(part_ml + (base + s) * 2 + 1);
    const float os = mem.ld_global(part_o + (base + s) * D + c);
    ACCSIM_MIX_END(decode_combine_sum_load2);
    mem.commit();
    mem.wait(0);
    ACCSIM_MIX(mem, decode_combine_sum);
    const float w = exp2f(ms - mx);
    lsum = fmaf(ls, w, lsum);
    acc = fmaf(os, w, acc);
    ACCSIM_MIX_END(decode_combine_sum);
  }
  ACCSIM_MIX(mem, decode_combine_epilogue, kBf16);
  const float v = lsum > 0.0f ? acc / lsum : 0.0f;
  mem.st_global(static_cast<T*>(out) + static_cast<long long>(bh) * D + c, Num<T>::from_float(v));
  ACCSIM_MIX_END(decode_combine_epilogue);
  mem.warp_exit();
}

DecodeDev decode_params(const DecodeArgs& a) {
  DecodeDev p;
  p.q = a.q;
  p.K = a.K;
  p.V = a.V;
  p.part_o = static_cast<float*>(a.workspace);
  p.part_ml = p.part_o + static_cast<long long>(a.BH) * a.splits * a.d;
  p.L = a.L;
  p.splits = a.splits;
  p.chunk = (a.L + a.splits - 1) / a.splits;
  p.scale_log2 = kLog2e / sqrtf(static_cast<float>(a.d));
  return p;
}

template <class T, int D, class Mem>
LaunchInfo decode_typed(int which, const DecodeArgs& a, cudaStream_t s, Mem mem) {
  const DecodeDev p = decode_params(a);
  LaunchInfo info = plan::decode(which, a.BH, D, a.splits);
  if (which == 0) {
    static const int regs = func_regs(&decode_split_kernel<T, D, Mem>);
    info.regs = regs;
    decode_split_kernel<T, D, Mem><<<dim3(a.splits, a.BH), kDecThreads, 0, s>>>(p, mem);
  } else {
    static const int regs = func_regs(&decode_combine_kernel<T, D, Mem>);
    info.regs = regs;
    decode_combine_kernel<T, D, Mem><<<a.BH, D, 0, s>>>(p.part_o, p.part_ml, a.out, a.splits, mem);
  }
  check_launch(info.kernel.c_str());
  return info;
}

template <class Mem>
LaunchInfo decode_dispatch(int which, const DecodeArgs& a, cudaStream_t s, Mem mem) {
  if (a.dtype == DType::kF16)
    return a.d == 64 ? decode_typed<__half, 64>(which, a, s, mem)
                     : decode_typed<__half, 128>(which, a, s, mem);
  return a.d == 64 ? decode_typed<__nv_bfloat16, 64>(which, a, s, mem)
                   : decode_typed<__nv_bfloat16, 128>(which, a, s, mem);
}

}  // namespace

LaunchInfo launch_flash_fwd(const FlashArgs& a, cudaStream_t s, const CaptureSink* cap) {
  if (a.dtype == DType::kF32 || (a.d != 64 && a.d != 128) || a.N <= 0 || a.N % kFaBM != 0 ||
      a.BH <= 0 || a.BH > 65535)
    throw std::invalid_argument("launch_flash_fwd: f16/bf16, d 64 or 128, N a multiple of 128");
  if (cap) return flash_dispatch(a, s, CaptureMem{*cap});
  return flash_dispatch(a, s, PlainMem{});
}

LaunchInfo launch_decode(int which, const DecodeArgs& a, cudaStream_t s, const CaptureSink* cap) {
  if (a.dtype == DType::kF32 || (a.d != 64 && a.d != 128) || a.L <= 0 || a.splits <= 0 ||
      a.BH <= 0 || a.BH > 65535 || (which != 0 && which != 1))
    throw std::invalid_argument("launch_decode: f16/bf16, d 64 or 128, L > 0, splits > 0");
  if (cap) return decode_dispatch(which, a, s, CaptureMem{*cap});
  return decode_dispatch(which, a, s, PlainMem{});
}

}  // namespace accsim::ref
