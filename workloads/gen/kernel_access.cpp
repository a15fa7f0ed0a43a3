#include "workloads/gen/kernel_access.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "sim/core/error.h"

namespace accsim::workloads {
namespace {

constexpr std::uint64_t kSector = 32;
constexpr std::uint64_t kIntMax = std::numeric_limits<std::int32_t>::max();

struct KernelEntry {
  RefKernel kernel;
  std::string_view name;
  OpKind op;
};
constexpr std::array<KernelEntry, 8> kKernels{{
    {RefKernel::kGemm, "gemm_tc_kernel", OpKind::kGemm},
    {RefKernel::kGemv, "gemv_kernel", OpKind::kGemv},
    {RefKernel::kSoftmax, "softmax_kernel", OpKind::kSoftmax},
    {RefKernel::kLayernorm, "layernorm_kernel", OpKind::kLayernorm},
    {RefKernel::kGelu, "gelu_kernel", OpKind::kGelu},
    {RefKernel::kFlashFwd, "flash_fwd_kernel", OpKind::kSdpa},
    {RefKernel::kDecodeSplit, "decode_split_kernel", OpKind::kSdpa},
    {RefKernel::kDecodeCombine, "decode_combine_kernel", OpKind::kElementwise},
}};

[[noreturn]] void fail(const OpRecord& r, const std::string& msg) {
  std::string where = "kernel access generator: " + (r.kernel.empty() ? "?" : r.kernel);
  if (r.line > 0) where += " (op-trace line " + std::to_string(r.line) + ")";
  throw Error(ExitCode::kInput, where + ": " + msg);
}

std::uint64_t need_dim(const OpRecord& r, const char* key) {
  auto v = r.dim(key);
  if (!v) fail(r, std::string("the record lacks shape key '") + key + "'");
  if (*v == 0) fail(r, std::string("shape key '") + key + "' is 0");
  return *v;
}

const TensorRef& tensor(const OpRecord& r, const char* name, std::uint64_t need_bytes) {
  for (const auto& t : r.tensors)
    if (t.name == name) {
      if (t.bytes < need_bytes)
        fail(r, std::string("tensor '") + name + "' has " + std::to_string(t.bytes) +
                    " bytes; the kernel touches " + std::to_string(need_bytes));
      if (t.addr > std::numeric_limits<std::uint64_t>::max() - t.bytes)
        fail(r, std::string("tensor '") + name + "' wraps past 2^64");
      return t;
    }
  std::string have;
  for (const auto& t : r.tensors) have += (have.empty() ? "" : ", ") + t.name;
  fail(r, std::string("the record has no tensor '") + name +
              "' (it has: " + (have.empty() ? "none" : have) + ")");
}

std::uint64_t elem_bytes(const OpRecord& r, bool allow_f32) {
  switch (r.dtype) {
    case DType::kFp16:
    case DType::kBf16:
      return 2;
    case DType::kFp32:
      if (allow_f32) return 4;
      break;
    default:
      break;
  }
  fail(r, "dtype " + std::string(dtype_name(r.dtype)) + " is not supported by this kernel (" +
              (allow_f32 ? "fp16, bf16, fp32" : "fp16, bf16") + ")");
}

// The product of a tensor's dimensions and element size; a shape whose tensors would exceed
// 2^56 bytes (far beyond any device memory) is an error, so no product wraps.
std::uint64_t prod(const OpRecord& r, std::initializer_list<std::uint64_t> factors) {
  std::uint64_t p = 1;
  for (std::uint64_t f : factors)
    if (__builtin_mul_overflow(p, f, &p) || p > (std::uint64_t{1} << 56))
      fail(r, "the shape's tensors would be larger than 2^56 bytes");
  return p;
}

using Dim3 = std::array<std::uint32_t, 3>;

void check_launch_dims(const OpRecord& r, const Dim3& grid, const Dim3& block) {
  const auto str = [](const Dim3& d) {
    return "[" + std::to_string(d[0]) + "," + std::to_string(d[1]) + "," + std::to_string(d[2]) +
           "]";
  };
  if (r.grid && *r.grid != grid)
    fail(r, "grid " + str(*r.grid) + " is not the launcher's " + str(grid) + " for this shape");
  if (r.block && *r.block != block)
    fail(r, "block " + str(*r.block) + " is not the launcher's " + str(block) + " for this shape");
}

// --- launch configuration: mirrors reference/kernels/*.cu host launchers ----------------------

constexpr std::uint32_t kGemmBM = 128, kGemmBN = 128, kGemmBK = 32, kGemmThreads = 256;
constexpr std::uint32_t kGemvWarps = 8, kGemvUnroll = 4;
constexpr std::uint32_t kFaBM = 128, kFaBN = 64, kFaThreads = 256, kFaPad = 8;
constexpr std::uint32_t kDecWarps = 4, kDecThreads = 128, kDecUnroll = 4;
constexpr std::uint32_t kGeluThreads = 256;

std::uint64_t cdiv(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

// rowwise.cu row_threads(): the smallest power of two >= the row's vectors, 32..512.
std::uint32_t row_threads(std::uint64_t cols, std::uint64_t vec) {
  const std::uint64_t work = cdiv(cols, vec);
  std::uint32_t t = 32;
  while (t < 512 && t < work) t *= 2;
  return t;
}

std::uint32_t gemm_smem(std::uint64_t es, GemmBLayout b) {
  const std::uint64_t a = 2ull * kGemmBM * (kGemmBK + 8) * es;
  const std::uint64_t bb = b == GemmBLayout::kNK ? 2ull * kGemmBN * (kGemmBK + 8) * es
                                                 : 2ull * kGemmBK * (kGemmBN + 8) * es;
  return static_cast<std::uint32_t>(a + bb);
}

std::uint32_t flash_smem(std::uint64_t d) {
  return static_cast<std::uint32_t>((kFaBM + 4 * kFaBN) * (d + kFaPad) * 2);
}

// GELU: enough CTAs for 8 per SM (2048 threads), fewer when the tensor is small.
std::uint32_t gelu_grid(std::uint64_t n, std::uint64_t es, std::uint32_t sms) {
  const std::uint64_t nvec = std::max<std::uint64_t>(1, n / (16 / es));
  const std::uint64_t g = std::min<std::uint64_t>(cdiv(nvec, kGeluThreads), 8ull * sms);
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, g));
}

// host/checks.cpp decode_splits(): about 8 CTAs of 4 warps per SM, at least 256 keys each.
std::uint64_t decode_splits(std::uint64_t heads, std::uint64_t L, std::uint64_t sms,
                            std::optional<std::uint64_t> given) {
  if (given) return std::min(*given, L);
  const std::uint64_t wanted = sms * 8;
  const std::uint64_t by_occupancy = cdiv(wanted, heads);
  const std::uint64_t by_length = std::max<std::uint64_t>(1, L / 256);
  return std::clamp<std::uint64_t>(std::min(by_occupancy, by_length), 1, 4096);
}

// --- one warp-level access ---------------------------------------------------------------------

// Collects the addresses of a warp's active lanes for one access instruction and emits one record
// per distinct 32-byte sector, in the order of the lowest lane of each sector (the capture's slot
// order: base + popc(leaders below the lane)).
class Warp {
 public:
  Warp(const AccessSink& sink, std::uint64_t& count, std::uint32_t cta, std::uint32_t warp,
       std::uint16_t kernel)
      : sink_(sink), count_(count) {
    rec_.cta = cta;
    rec_.warp = static_cast<std::uint16_t>(warp);
    rec_.kernel = kernel;
    rec_.size = static_cast<std::uint32_t>(kSector);
  }
  void lane(std::uint64_t addr) {
    if (n_ == 32) throw Error(ExitCode::kInternal, "kernel access generator: more than 32 lanes");
    lanes_[n_++] = addr & ~(kSector - 1);
  }
  void issue(AccessKind kind, std::uint8_t flags) {
    std::array<std::uint64_t, 32> seen{};
    int ns = 0;
    rec_.kind = static_cast<std::uint8_t>(kind);
    rec_.flags = flags;
    for (int i = 0; i < n_; ++i) {
      const std::uint64_t s = lanes_[i];
      if (std::find(seen.begin(), seen.begin() + ns, s) != seen.begin() + ns) continue;
      seen[ns++] = s;
      rec_.address = s;
      sink_(rec_);
      ++count_;
    }
    n_ = 0;
  }
  void load(std::uint8_t flags = 0) { issue(AccessKind::kLoad, flags); }
  void load_cg() { issue(AccessKind::kLoad, kFlagL1Bypass); }  // cp.async.cg: L2 only
  void store() { issue(AccessKind::kStore, 0); }

 private:
  const AccessSink& sink_;
  std::uint64_t& count_;
  AccessRecord rec_;
  std::array<std::uint64_t, 32> lanes_{};
  int n_ = 0;
};

struct Ctx {
  const AccessSink& sink;
  const KernelGenOptions& opt;
  std::uint64_t count = 0;
  bool sampled(std::uint64_t cta) const { return cta % opt.cta_sample == 0; }
  Warp warp(std::uint64_t cta, std::uint64_t w) {
    return Warp(sink, count, static_cast<std::uint32_t>(cta), static_cast<std::uint32_t>(w),
                opt.kernel_index);
  }
};

// --- gemm_tc_kernel (reference/kernels/gemm.cu) -----------------------------------------------

void gen_gemm(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, false);
  const std::uint64_t M = need_dim(r, "M"), N = need_dim(r, "N"), K = need_dim(r, "K");
  const std::uint64_t batch = r.dim("batch").value_or(1);
  if (K % kGemmBK != 0 || N % 8 != 0)
    fail(r, "K must be a multiple of 32 and N of 8 (K=" + std::to_string(K) +
                ", N=" + std::to_string(N) + ")");
  if (M > kIntMax || N > kIntMax || K > kIntMax || batch > 65535 || cdiv(M, kGemmBM) > 65535)
    fail(r, "shape outside the kernel's limits (int dimensions, batch and M/128 <= 65535)");
  const TensorRef& A = tensor(r, "A", prod(r, {batch, M, K, es}));
  const TensorRef& B = tensor(r, "B", prod(r, {batch, N, K, es}));
  const TensorRef& C = tensor(r, "C", prod(r, {batch, M, N, es}));
  const Dim3 grid{static_cast<std::uint32_t>(cdiv(N, kGemmBN)),
                  static_cast<std::uint32_t>(cdiv(M, kGemmBM)), static_cast<std::uint32_t>(batch)};
  check_launch_dims(r, grid, {kGemmThreads, 1, 1});
  const bool nk = l.b_layout == GemmBLayout::kNK;
  const std::uint64_t ktiles = K / kGemmBK;
  for (std::uint64_t z = 0; z < grid[2]; ++z)
    for (std::uint64_t by = 0; by < grid[1]; ++by)
      for (std::uint64_t bx = 0; bx < grid[0]; ++bx) {
        const std::uint64_t cta = bx + grid[0] * (by + grid[1] * z);
        if (!cx.sampled(cta)) continue;
        const std::uint64_t m0 = by * kGemmBM, n0 = bx * kGemmBN;
        const std::uint64_t a0 = A.addr + z * M * K * es, b0 = B.addr + z * N * K * es;
        const std::uint64_t c0 = C.addr + z * M * N * es;
        for (std::uint64_t w = 0; w < kGemmThreads / 32; ++w) {
          Warp wp = cx.warp(cta, w);
          // load_tile(kt): two 16-byte cp.async chunks of A and two of B per thread; rows past M
          // (or columns past N) are zero-filled without a copy (pred false: no record).
          for (std::uint64_t kt = 0; kt < ktiles; ++kt) {
            const std::uint64_t k0 = kt * kGemmBK;
            for (std::uint64_t i = 0; i < 2; ++i) {
              for (std::uint32_t lane = 0; lane < 32; ++lane) {
                const std::uint64_t c = w * 32 + lane + i * kGemmThreads;
                const std::uint64_t gm = m0 + (c >> 2), col = (c & 3) * 8;
                if (gm < M) wp.lane(a0 + (gm * K + k0 + col) * es);
              }
              wp.load_cg();
            }
            for (std::uint64_t i = 0; i < 2; ++i) {
              for (std::uint32_t lane = 0; lane < 32; ++lane) {
                const std::uint64_t c = w * 32 + lane + i * kGemmThreads;
                if (nk) {
                  const std::uint64_t gn = n0 + (c >> 2), col = (c & 3) * 8;
                  if (gn < N) wp.lane(b0 + (gn * K + k0 + col) * es);
                } else {
                  const std::uint64_t row = c >> 4, gn = n0 + (c & 15) * 8;
                  if (gn < N) wp.lane(b0 + ((k0 + row) * N + gn) * es);
                }
              }
              wp.load_cg();
            }
          }
          // Epilogue: lane holds rows g and g+8, columns 2t, 2t+1 of each 16x8 tile; one 4-byte
          // store per (i, half, j), rows past M and columns past N skipped.
          const std::uint64_t wm = w / 4, wn = w % 4;
          for (std::uint64_t i = 0; i < 4; ++i)
            for (std::uint64_t half = 0; half < 2; ++half)
              for (std::uint64_t j = 0; j < 4; ++j) {
                for (std::uint32_t lane = 0; lane < 32; ++lane) {
                  const std::uint64_t g = lane >> 2, t4 = lane & 3;
                  const std::uint64_t gm = m0 + wm * 64 + i * 16 + g + half * 8;
                  const std::uint64_t gn = n0 + wn * 32 + j * 8 + t4 * 2;
                  if (gm < M && gn < N) wp.lane(c0 + (gm * N + gn) * es);
                }
                wp.store();
              }
        }
      }
}

// --- gemv_kernel (rowwise.cu) -----------------------------------------------------------------

void gen_gemv(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, true);
  const std::uint64_t N = need_dim(r, "M"), K = need_dim(r, "K");
  if (r.dim("batch") && *r.dim("batch") != 1) fail(r, "gemv_kernel has no batch");
  if (K % 8 != 0) fail(r, "K must be a multiple of 8 (K=" + std::to_string(K) + ")");
  if (N > kIntMax || K > kIntMax) fail(r, "M and K must fit the kernel's int");
  const TensorRef& W = tensor(r, "W", prod(r, {N, K, es}));
  const TensorRef& x = tensor(r, "x", prod(r, {K, es}));
  const TensorRef& y = tensor(r, "y", prod(r, {N, es}));
  const Dim3 grid{static_cast<std::uint32_t>(cdiv(N, kGemvWarps)), 1, 1};
  check_launch_dims(r, grid, {kGemvWarps * 32, 1, 1});
  const std::uint64_t nvec = K / (16 / es);
  for (std::uint64_t cta = 0; cta < grid[0]; ++cta) {
    if (!cx.sampled(cta)) continue;
    for (std::uint64_t w = 0; w < kGemvWarps; ++w) {
      const std::uint64_t row = cta * kGemvWarps + w;
      if (row >= N) continue;  // the whole warp returns
      Warp wp = cx.warp(cta, w);
      const std::uint64_t wr = W.addr + row * K * es;
      for (std::uint64_t i0 = 0; i0 < nvec; i0 += std::uint64_t{32} * kGemvUnroll)
        for (std::uint64_t u = 0; u < kGemvUnroll; ++u) {
          for (std::uint32_t lane = 0; lane < 32; ++lane)
            if (i0 + u * 32 + lane < nvec) wp.lane(wr + (i0 + u * 32 + lane) * 16);
          wp.load();
          for (std::uint32_t lane = 0; lane < 32; ++lane)
            if (i0 + u * 32 + lane < nvec) wp.lane(x.addr + (i0 + u * 32 + lane) * 16);
          wp.load();
        }
      wp.lane(y.addr + row * es);  // lane 0
      wp.store();
    }
  }
}

// --- softmax_kernel and layernorm_kernel (rowwise.cu) -----------------------------------------

// One pass of for_row / write_row over a row: `per` is called once per loop trip with the
// warp's active element offsets (bytes from the row start) and the access width.
template <class F>
void row_pass(std::uint64_t cols, std::uint64_t es, bool vec_ok, std::uint64_t bd, std::uint64_t w,
              F&& per) {
  const std::uint64_t kv = 16 / es;
  std::uint64_t done = 0;
  std::array<std::uint64_t, 32> off{};
  if (vec_ok) {
    const std::uint64_t nvec = cols / kv;
    for (std::uint64_t i0 = w * 32; i0 < nvec; i0 += bd) {
      int n = 0;
      for (std::uint32_t lane = 0; lane < 32; ++lane)
        if (i0 + lane < nvec) off[n++] = (i0 + lane) * 16;
      per(off.data(), n);
    }
    done = nvec * kv;
  }
  for (std::uint64_t i0 = done + w * 32; i0 < cols; i0 += bd) {
    int n = 0;
    for (std::uint32_t lane = 0; lane < 32; ++lane)
      if (i0 + lane < cols) off[n++] = (i0 + lane) * es;
    per(off.data(), n);
  }
}

void gen_rowwise(const KernelLaunch& l, Ctx& cx, bool layernorm) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, true);
  const std::uint64_t rows = need_dim(r, "rows"), cols = need_dim(r, "cols");
  if (rows > kIntMax) fail(r, "rows must be below 2^31");
  const TensorRef& x = tensor(r, "x", prod(r, {rows, cols, es}));
  const TensorRef& y = tensor(r, "y", prod(r, {rows, cols, es}));
  const TensorRef* gamma = layernorm ? &tensor(r, "gamma", prod(r, {cols, es})) : nullptr;
  const TensorRef* beta = layernorm ? &tensor(r, "beta", prod(r, {cols, es})) : nullptr;
  const bool vec_ok = cols % (16 / es) == 0;
  const std::uint32_t bd = row_threads(cols, vec_ok ? 16 / es : 1);
  check_launch_dims(r, {static_cast<std::uint32_t>(rows), 1, 1}, {bd, 1, 1});
  for (std::uint64_t row = 0; row < rows; ++row) {
    if (!cx.sampled(row)) continue;
    const std::uint64_t xr = x.addr + row * cols * es, yr = y.addr + row * cols * es;
    for (std::uint64_t w = 0; w < bd / 32; ++w) {
      Warp wp = cx.warp(row, w);
      const auto read = [&](std::uint64_t base) {
        return [&wp, base](const std::uint64_t* off, int n) {
          for (int i = 0; i < n; ++i) wp.lane(base + off[i]);
          wp.load();
        };
      };
      // Softmax: pass 1 (online max/sum). Layer norm: mean, then squared deviations.
      row_pass(cols, es, vec_ok, bd, w, read(xr));
      if (layernorm) row_pass(cols, es, vec_ok, bd, w, read(xr));
      // write_row: re-read x (and gamma, beta), store y.
      row_pass(cols, es, vec_ok, bd, w, [&](const std::uint64_t* off, int n) {
        for (int i = 0; i < n; ++i) wp.lane(xr + off[i]);
        wp.load();
        if (layernorm) {
          for (int i = 0; i < n; ++i) wp.lane(gamma->addr + off[i]);
          wp.load();
          for (int i = 0; i < n; ++i) wp.lane(beta->addr + off[i]);
          wp.load();
        }
        for (int i = 0; i < n; ++i) wp.lane(yr + off[i]);
        wp.store();
      });
    }
  }
}

// --- gelu_kernel (rowwise.cu) -------------------------------------------------------------------

void gen_gelu(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, true);
  const std::uint64_t n = need_dim(r, "n");
  const TensorRef& x = tensor(r, "x", prod(r, {n, es}));
  const TensorRef& y = tensor(r, "y", prod(r, {n, es}));
  // The grid depends on the GPU's SM count, so the record's grid is taken as given.
  if (!r.grid) fail(r, "gelu_kernel needs the record's grid (it depends on the SM count)");
  const std::uint32_t g = (*r.grid)[0];
  if (g == 0) fail(r, "grid is 0");
  check_launch_dims(r, {g, 1, 1}, {kGeluThreads, 1, 1});
  const std::uint64_t kv = 16 / es, nvec = n / kv;
  const std::uint64_t stride = std::uint64_t{g} * kGeluThreads;
  for (std::uint64_t cta = 0; cta < g; ++cta) {
    if (!cx.sampled(cta)) continue;
    for (std::uint64_t w = 0; w < kGeluThreads / 32; ++w) {
      Warp wp = cx.warp(cta, w);
      const std::uint64_t first = cta * kGeluThreads + w * 32;
      for (std::uint64_t i0 = first; i0 < nvec; i0 += stride) {
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (i0 + lane < nvec) wp.lane(x.addr + (i0 + lane) * 16);
        wp.load();
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (i0 + lane < nvec) wp.lane(y.addr + (i0 + lane) * 16);
        wp.store();
      }
      for (std::uint64_t i0 = nvec * kv + first; i0 < n; i0 += stride) {
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (i0 + lane < n) wp.lane(x.addr + (i0 + lane) * es);
        wp.load();
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (i0 + lane < n) wp.lane(y.addr + (i0 + lane) * es);
        wp.store();
      }
    }
  }
}

// --- flash_fwd_kernel (attention.cu) ------------------------------------------------------------

std::uint64_t check_head_dim(const OpRecord& r) {
  const std::uint64_t d = need_dim(r, "d");
  if (d != 64 && d != 128) fail(r, "d must be 64 or 128 (d=" + std::to_string(d) + ")");
  return d;
}

void gen_flash(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, false);
  const std::uint64_t B = need_dim(r, "B"), H = need_dim(r, "H"), N = need_dim(r, "N");
  const std::uint64_t D = check_head_dim(r);
  if (r.dim("N_kv") && *r.dim("N_kv") != N) fail(r, "flash_fwd_kernel needs N_kv == N");
  if (r.dim("H_kv") && *r.dim("H_kv") != H) fail(r, "flash_fwd_kernel needs H_kv == H");
  if (N % kFaBM != 0) fail(r, "N must be a multiple of 128 (N=" + std::to_string(N) + ")");
  const std::uint64_t BH = prod(r, {B, H});
  if (BH > 65535 || N > kIntMax) fail(r, "B*H must be at most 65535 and N fit an int");
  const std::uint64_t bytes = prod(r, {BH, N, D, es});
  const TensorRef& Q = tensor(r, "Q", bytes);
  const TensorRef& K = tensor(r, "K", bytes);
  const TensorRef& V = tensor(r, "V", bytes);
  const TensorRef& O = tensor(r, "O", bytes);
  const Dim3 grid{static_cast<std::uint32_t>(N / kFaBM), static_cast<std::uint32_t>(BH), 1};
  check_launch_dims(r, grid, {kFaThreads, 1, 1});
  const std::uint64_t q_chunks = kFaBM * D / 8, kv_chunks = kFaBN * D / 8;  // 16-byte chunks
  for (std::uint64_t bh = 0; bh < BH; ++bh)
    for (std::uint64_t bx = 0; bx < grid[0]; ++bx) {
      const std::uint64_t cta = bx + grid[0] * bh;
      if (!cx.sampled(cta)) continue;
      // Causal CTAs are issued longest first: block x runs query tile gridDim.x - 1 - x.
      const std::uint64_t qb = r.causal ? grid[0] - 1 - bx : bx;
      const std::uint64_t q0 = qb * kFaBM, head = bh * N * D * es;
      std::uint64_t ntiles = N / kFaBN;
      if (r.causal) ntiles = std::min(ntiles, (q0 + kFaBM + kFaBN - 1) / kFaBN);
      for (std::uint64_t w = 0; w < kFaThreads / 32; ++w) {
        Warp wp = cx.warp(cta, w);
        // Tiles are contiguous in memory: chunk c of a tile is at byte 16 c.
        const auto tile = [&](std::uint64_t base, std::uint64_t chunks) {
          for (std::uint64_t c0 = 0; c0 < chunks; c0 += kFaThreads) {
            for (std::uint32_t lane = 0; lane < 32; ++lane) {
              const std::uint64_t c = c0 + w * 32 + lane;
              if (c < chunks) wp.lane(base + c * 16);
            }
            wp.load_cg();
          }
        };
        const auto load_kv = [&](std::uint64_t j) {
          tile(K.addr + head + j * kFaBN * D * es, kv_chunks);
          tile(V.addr + head + j * kFaBN * D * es, kv_chunks);
        };
        tile(Q.addr + head + q0 * D * es, q_chunks);
        load_kv(0);
        for (std::uint64_t j = 0; j + 1 < ntiles; ++j) load_kv(j + 1);
        // Output: rows w*16 + g (+8), 4-byte stores of columns dt*8 + 2 t4.
        const std::uint64_t og = O.addr + head + q0 * D * es;
        for (std::uint64_t half = 0; half < 2; ++half)
          for (std::uint64_t dt = 0; dt < D / 8; ++dt) {
            for (std::uint32_t lane = 0; lane < 32; ++lane) {
              const std::uint64_t g = lane >> 2, t4 = lane & 3;
              wp.lane(og + ((w * 16 + g + half * 8) * D + dt * 8 + t4 * 2) * es);
            }
            wp.store();
          }
      }
    }
}

// --- decode_split_kernel and decode_combine_kernel (attention.cu) -----------------------------

void gen_decode_split(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, false);
  const std::uint64_t B = need_dim(r, "B"), H = need_dim(r, "H"), D = check_head_dim(r);
  if (need_dim(r, "N") != 1) fail(r, "decode_split_kernel has one query token (N = 1)");
  if (!r.dim("N_kv")) fail(r, "the record lacks shape key 'N_kv' (the KV length)");
  const std::uint64_t L = need_dim(r, "N_kv"), BH = prod(r, {B, H});
  if (r.dim("H_kv") && *r.dim("H_kv") != H) fail(r, "decode_split_kernel needs H_kv == H");
  if (!r.grid) fail(r, "decode_split_kernel needs the record's grid (grid.x is the split count)");
  const std::uint64_t splits = (*r.grid)[0];
  if (splits == 0 || L > kIntMax || BH > 65535)
    fail(r, "splits must be positive, N_kv fit an int and B*H be at most 65535");
  check_launch_dims(r, {static_cast<std::uint32_t>(splits), static_cast<std::uint32_t>(BH), 1},
                    {kDecThreads, 1, 1});
  const TensorRef& q = tensor(r, "q", prod(r, {BH, D, es}));
  const TensorRef& K = tensor(r, "K", prod(r, {BH, L, D, es}));
  const TensorRef& V = tensor(r, "V", prod(r, {BH, L, D, es}));
  const TensorRef& part = tensor(r, "partials", prod(r, {BH, splits, (D + 2), 4}));
  const std::uint64_t chunk = cdiv(L, splits), lanes_per_key = D / 8;
  const std::uint64_t groups_per_warp = 32 / lanes_per_key, groups = kDecWarps * groups_per_warp;
  const std::uint64_t part_ml = part.addr + BH * splits * D * 4;
  for (std::uint64_t bh = 0; bh < BH; ++bh)
    for (std::uint64_t split = 0; split < splits; ++split) {
      const std::uint64_t cta = split + splits * bh;
      if (!cx.sampled(cta)) continue;
      const std::uint64_t kbeg = split * chunk, kend = std::min(L, kbeg + chunk);
      const std::uint64_t steps = kend > kbeg ? cdiv(kend - kbeg, groups * kDecUnroll) : 0;
      const std::uint64_t head = bh * L * D * es, slot = bh * splits + split;
      for (std::uint64_t w = 0; w < kDecWarps; ++w) {
        Warp wp = cx.warp(cta, w);
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          wp.lane(q.addr + bh * D * es + (lane % lanes_per_key) * 16);
        wp.load();
        for (std::uint64_t st = 0; st < steps; ++st)
          for (std::uint64_t u = 0; u < kDecUnroll; ++u) {
            const auto keys = [&](std::uint64_t base) {
              for (std::uint32_t lane = 0; lane < 32; ++lane) {
                const std::uint64_t group = w * groups_per_warp + lane / lanes_per_key;
                const std::uint64_t key = kbeg + (st * kDecUnroll + u) * groups + group;
                if (key < kend) wp.lane(base + head + key * D * es + (lane % lanes_per_key) * 16);
              }
              wp.load();
            };
            keys(K.addr);
            keys(V.addr);
          }
        for (std::uint64_t c0 = 0; c0 < D; c0 += kDecThreads) {
          for (std::uint32_t lane = 0; lane < 32; ++lane) {
            const std::uint64_t c = c0 + w * 32 + lane;
            if (c < D) wp.lane(part.addr + (slot * D + c) * 4);
          }
          wp.store();
          if (c0 == 0 && w == 0) {  // thread 0 (c == 0): the split's max and sum
            wp.lane(part_ml + slot * 2 * 4);
            wp.store();
            wp.lane(part_ml + (slot * 2 + 1) * 4);
            wp.store();
          }
        }
      }
    }
}

void gen_decode_combine(const KernelLaunch& l, Ctx& cx) {
  const OpRecord& r = l.rec;
  const std::uint64_t es = elem_bytes(r, false);
  const std::uint64_t n = need_dim(r, "n");
  if (!r.grid || !r.block)
    fail(r, "decode_combine_kernel needs the record's grid (B*H) and block (d)");
  const std::uint64_t BH = (*r.grid)[0], D = (*r.block)[0];
  if (D != 64 && D != 128) fail(r, "block.x is d and must be 64 or 128");
  if (BH == 0 || n != BH * D) fail(r, "n must be grid.x * block.x (B*H*d)");
  check_launch_dims(r, {static_cast<std::uint32_t>(BH), 1, 1},
                    {static_cast<std::uint32_t>(D), 1, 1});
  const TensorRef& part = tensor(r, "partials", 1);
  const std::uint64_t per_split = BH * (D + 2) * 4;
  if (part.bytes % per_split != 0)
    fail(r, "tensor 'partials' (" + std::to_string(part.bytes) +
                " bytes) is not a whole number of splits of B*H*(d+2)*4 bytes");
  const std::uint64_t splits = part.bytes / per_split;
  const TensorRef& out = tensor(r, "out", prod(r, {BH, D, es}));
  if (l.kv_len == 0)
    fail(r,
         "decode_combine_kernel needs the KV length L of its split launch (a split with no "
         "keys is skipped); give the split record before it in the op trace");
  const std::uint64_t chunk = cdiv(l.kv_len, splits);
  const std::uint64_t part_ml = part.addr + BH * splits * D * 4;
  for (std::uint64_t bh = 0; bh < BH; ++bh) {
    if (!cx.sampled(bh)) continue;
    const std::uint64_t base = bh * splits;
    for (std::uint64_t w = 0; w < D / 32; ++w) {
      Warp wp = cx.warp(bh, w);
      const auto all = [&](std::uint64_t a) {  // every lane, the same address
        for (std::uint32_t lane = 0; lane < 32; ++lane) wp.lane(a);
        wp.load();
      };
      for (std::uint64_t s = 0; s < splits; ++s) all(part_ml + (base + s) * 2 * 4);
      for (std::uint64_t s = 0; s < splits; ++s) {
        all(part_ml + (base + s) * 2 * 4);
        // A split with no keys wrote m = -inf and is skipped (assumes finite scores elsewhere).
        if (s * chunk >= l.kv_len) continue;
        all(part_ml + ((base + s) * 2 + 1) * 4);
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          wp.lane(part.addr + ((base + s) * D + w * 32 + lane) * 4);
        wp.load();
      }
      for (std::uint32_t lane = 0; lane < 32; ++lane)
        wp.lane(out.addr + (bh * D + w * 32 + lane) * es);
      wp.store();
    }
  }
}

// --- building records for a shape --------------------------------------------------------------

struct Layout {
  std::uint64_t next, align;
  TensorRef add(std::string name, std::uint64_t bytes) {
    TensorRef t{std::move(name), next, bytes};
    next += (bytes + align - 1) / align * align;
    return t;
  }
};

OpRecord make_record(RefKernel k, DType dt,
                     std::vector<std::pair<std::string, std::uint64_t>> shape,
                     std::vector<TensorRef> tensors, Dim3 grid, Dim3 block, std::uint32_t smem) {
  OpRecord r;
  r.kernel = std::string(ref_kernel_name(k));
  for (const auto& e : kKernels)
    if (e.kernel == k) r.op = e.op;
  r.shape = std::move(shape);
  r.dtype = dt;
  r.tensors = std::move(tensors);
  r.grid = grid;
  r.block = block;
  r.smem = smem;
  return r;
}

using Shape = std::vector<std::pair<std::string, std::uint64_t>>;

std::uint64_t shape_get(const Shape& s, std::string_view op, const char* key,
                        std::optional<std::uint64_t> def = std::nullopt) {
  for (const auto& [k, v] : s)
    if (k == key) {
      if (v == 0) throw usage_error("kernel " + std::string(op) + ": " + key + " must be positive");
      return v;
    }
  if (def) return *def;
  throw usage_error("kernel " + std::string(op) + ": the shape lacks " + key);
}

void shape_only(const Shape& s, std::string_view op, std::initializer_list<std::string_view> keys) {
  for (const auto& [k, v] : s)
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string list;
      for (auto key : keys) list += (list.empty() ? "" : ", ") + std::string(key);
      std::string msg = "kernel " + std::string(op) + ": unknown shape key '";
      msg += k;
      msg += "'; expected ";
      msg += list;
      throw usage_error(msg);
    }
}

std::uint32_t u32(std::uint64_t v, std::string_view what) {
  if (v > std::numeric_limits<std::uint32_t>::max())
    throw usage_error("kernel shape: " + std::string(what) + " is too large");
  return static_cast<std::uint32_t>(v);
}

KernelLaunch gemm_launch(DType dt, std::uint64_t M, std::uint64_t N, std::uint64_t K,
                         std::uint64_t batch, TensorRef A, TensorRef B, TensorRef C,
                         GemmBLayout lay) {
  Shape sh{{"M", M}, {"N", N}, {"K", K}};
  if (batch != 1) sh.emplace_back("batch", batch);
  KernelLaunch l;
  A.name = "A", B.name = "B", C.name = "C";
  l.rec = make_record(RefKernel::kGemm, dt, sh, {A, B, C},
                      {u32(cdiv(N, kGemmBN), "N"), u32(cdiv(M, kGemmBM), "M"), u32(batch, "batch")},
                      {kGemmThreads, 1, 1}, gemm_smem(dtype_bytes(dt), lay));
  l.b_layout = lay;
  return l;
}

KernelLaunch softmax_launch(DType dt, std::uint64_t rows, std::uint64_t cols, TensorRef x,
                            TensorRef y) {
  const std::uint64_t kv = 16 / dtype_bytes(dt);
  x.name = "x", y.name = "y";
  KernelLaunch l;
  l.rec = make_record(RefKernel::kSoftmax, dt, {{"rows", rows}, {"cols", cols}}, {x, y},
                      {u32(rows, "rows"), 1, 1}, {row_threads(cols, cols % kv == 0 ? kv : 1), 1, 1},
                      2 * 32 * 4);
  return l;
}

}  // namespace

std::string_view ref_kernel_name(RefKernel k) {
  for (const auto& e : kKernels)
    if (e.kernel == k) return e.name;
  return "?";
}

std::optional<RefKernel> parse_ref_kernel(std::string_view name) {
  for (const auto& e : kKernels)
    if (e.name == name) return e.kernel;
  return std::nullopt;
}

std::string ref_kernel_names() {
  std::string s;
  for (const auto& e : kKernels) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

std::uint64_t generate_kernel_accesses(const KernelLaunch& launch, const KernelGenOptions& opt,
                                       const AccessSink& sink) {
  const OpRecord& r = launch.rec;
  auto k = parse_ref_kernel(r.kernel);
  if (!k) fail(r, "unknown kernel '" + r.kernel + "'; the generator knows " + ref_kernel_names());
  for (const auto& e : kKernels)
    if (e.kernel == *k && e.op != r.op)
      fail(r, "op kind " + std::string(op_kind_name(r.op)) + " does not match the kernel (" +
                  std::string(op_kind_name(e.op)) + ")");
  if (opt.cta_sample == 0) throw usage_error("kernel access generator: cta_sample must be >= 1");
  Ctx cx{sink, opt};
  switch (*k) {
    case RefKernel::kGemm:
      gen_gemm(launch, cx);
      break;
    case RefKernel::kGemv:
      gen_gemv(launch, cx);
      break;
    case RefKernel::kSoftmax:
      gen_rowwise(launch, cx, false);
      break;
    case RefKernel::kLayernorm:
      gen_rowwise(launch, cx, true);
      break;
    case RefKernel::kGelu:
      gen_gelu(launch, cx);
      break;
    case RefKernel::kFlashFwd:
      gen_flash(launch, cx);
      break;
    case RefKernel::kDecodeSplit:
      gen_decode_split(launch, cx);
      break;
    case RefKernel::kDecodeCombine:
      gen_decode_combine(launch, cx);
      break;
  }
  return cx.count;
}

std::vector<AccessRecord> kernel_accesses(const KernelLaunch& launch, const KernelGenOptions& opt) {
  std::vector<AccessRecord> out;
  generate_kernel_accesses(launch, opt, [&](const AccessRecord& a) { out.push_back(a); });
  return out;
}

std::string kernel_op_names() {
  return "gemm, gemv, softmax, layernorm, gelu, sdpa_flash, sdpa_naive, decode";
}

std::vector<std::pair<std::string, std::uint64_t>> parse_kernel_shape(std::string_view text) {
  Shape out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, end - pos);
    const std::size_t eq = item.find('=');
    if (item.empty() || eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
      throw usage_error("kernel shape: expected KEY=VALUE[,KEY=VALUE...], got '" +
                        std::string(text) + "'");
    const std::string key(item.substr(0, eq));
    std::string val(item.substr(eq + 1));
    std::uint64_t mul = 1;
    const char suf = static_cast<char>(std::toupper(static_cast<unsigned char>(val.back())));
    if (suf == 'K' || suf == 'M' || suf == 'G') {
      mul = suf == 'K' ? 1ull << 10 : suf == 'M' ? 1ull << 20 : 1ull << 30;
      val.pop_back();
    }
    if (val.empty() ||
        !std::all_of(val.begin(), val.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        val.size() > 12)
      throw usage_error("kernel shape: '" + std::string(item) + "' is not KEY=<integer>[K|M|G]");
    for (const auto& [k, v] : out)
      if (k == key) throw usage_error("kernel shape: '" + key + "' is given twice");
    const std::uint64_t v = std::stoull(val);
    if (v > (std::uint64_t{1} << 40) / mul)
      throw usage_error("kernel shape: '" + std::string(item) + "' is larger than 2^40");
    out.emplace_back(key, v * mul);
    pos = end + 1;
    if (end == text.size()) break;
  }
  return out;
}

std::vector<KernelLaunch> build_kernel_launches(std::string_view op, const Shape& shape,
                                                const KernelBuildOptions& o) {
  if (o.align == 0 || (o.align & (o.align - 1)) != 0)
    throw usage_error("kernel build: align must be a power of two");
  if (o.sm_count == 0) throw usage_error("kernel build: sm_count must be positive");
  const DType dt = o.dtype;
  if (dt != DType::kFp16 && dt != DType::kBf16 && dt != DType::kFp32)
    throw usage_error("kernel build: dtype must be fp16, bf16 or fp32");
  const std::uint64_t es = dtype_bytes(dt);
  Layout lay{o.base_address, o.align};
  std::vector<KernelLaunch> out;
  if (o.causal && op != "sdpa_flash" && op != "sdpa_naive")
    throw usage_error("kernel " + std::string(op) +
                      ": --causal applies to sdpa_flash and "
                      "sdpa_naive only");
  if (op == "gemm") {
    shape_only(shape, op, {"M", "N", "K", "batch"});
    const std::uint64_t M = shape_get(shape, op, "M"), N = shape_get(shape, op, "N"),
                        K = shape_get(shape, op, "K"), b = shape_get(shape, op, "batch", 1);
    auto A = lay.add("A", b * M * K * es), B = lay.add("B", b * N * K * es),
         C = lay.add("C", b * M * N * es);
    out.push_back(gemm_launch(dt, M, N, K, b, A, B, C, GemmBLayout::kNK));
  } else if (op == "gemv") {
    shape_only(shape, op, {"M", "K"});
    const std::uint64_t M = shape_get(shape, op, "M"), K = shape_get(shape, op, "K");
    auto W = lay.add("W", M * K * es), x = lay.add("x", K * es), y = lay.add("y", M * es);
    KernelLaunch l;
    l.rec = make_record(RefKernel::kGemv, dt, {{"M", M}, {"K", K}}, {W, x, y},
                        {u32(cdiv(M, kGemvWarps), "M"), 1, 1}, {kGemvWarps * 32, 1, 1}, 0);
    out.push_back(l);
  } else if (op == "softmax" || op == "layernorm") {
    shape_only(shape, op, {"rows", "cols"});
    const std::uint64_t rows = shape_get(shape, op, "rows"), cols = shape_get(shape, op, "cols");
    auto x = lay.add("x", rows * cols * es);
    if (op == "softmax") {
      auto y = lay.add("y", rows * cols * es);
      out.push_back(softmax_launch(dt, rows, cols, x, y));
    } else {
      auto g = lay.add("gamma", cols * es), b = lay.add("beta", cols * es);
      auto y = lay.add("y", rows * cols * es);
      const std::uint64_t kv = 16 / es;
      KernelLaunch l;
      l.rec = make_record(RefKernel::kLayernorm, dt, {{"rows", rows}, {"cols", cols}}, {x, g, b, y},
                          {u32(rows, "rows"), 1, 1},
                          {row_threads(cols, cols % kv == 0 ? kv : 1), 1, 1}, 32 * 4);
      out.push_back(l);
    }
  } else if (op == "gelu") {
    shape_only(shape, op, {"n"});
    const std::uint64_t n = shape_get(shape, op, "n");
    auto x = lay.add("x", n * es), y = lay.add("y", n * es);
    KernelLaunch l;
    l.rec = make_record(RefKernel::kGelu, dt, {{"n", n}}, {x, y},
                        {gelu_grid(n, es, o.sm_count), 1, 1}, {kGeluThreads, 1, 1}, 0);
    out.push_back(l);
  } else if (op == "sdpa_flash" || op == "sdpa_naive") {
    shape_only(shape, op, {"B", "H", "N", "d"});
    const std::uint64_t B = shape_get(shape, op, "B"), H = shape_get(shape, op, "H"),
                        N = shape_get(shape, op, "N"), d = shape_get(shape, op, "d");
    if (dt == DType::kFp32) throw usage_error("kernel " + std::string(op) + ": fp16 or bf16 only");
    const std::uint64_t bh = B * H, e = bh * N * d * es;
    if (op == "sdpa_flash") {
      auto Q = lay.add("Q", e), K = lay.add("K", e), V = lay.add("V", e), O = lay.add("O", e);
      KernelLaunch l;
      l.rec = make_record(RefKernel::kFlashFwd, dt, {{"B", B}, {"H", H}, {"N", N}, {"d", d}},
                          {Q, K, V, O}, {u32(N / kFaBM, "N"), u32(bh, "B*H"), 1},
                          {kFaThreads, 1, 1}, flash_smem(d));
      l.rec.causal = o.causal;
      out.push_back(l);
    } else {
      // harness/ops.cpp NaiveSdpa: S = Q K^T / sqrt(d) (masked), P = softmax(S) in place, O = P V.
      auto Q = lay.add("Q", e), K = lay.add("K", e), V = lay.add("V", e);
      auto S = lay.add("S", bh * N * N * es);
      auto O = lay.add("O", e);
      out.push_back(gemm_launch(dt, N, N, d, bh, Q, K, S, GemmBLayout::kNK));
      out.push_back(softmax_launch(dt, bh * N, N, S, S));
      out.push_back(gemm_launch(dt, N, d, N, bh, S, V, O, GemmBLayout::kKN));
      // The naive gemm records always carry batch (the harness writes it).
      for (auto* l : {&out[0], &out[2]})
        if (bh == 1) l->rec.shape.emplace_back("batch", 1);
    }
  } else if (op == "decode") {
    shape_only(shape, op, {"B", "H", "L", "d", "splits"});
    if (dt == DType::kFp32) throw usage_error("kernel decode: fp16 or bf16 only");
    const std::uint64_t B = shape_get(shape, op, "B"), H = shape_get(shape, op, "H"),
                        L = shape_get(shape, op, "L"), d = shape_get(shape, op, "d");
    std::optional<std::uint64_t> given;
    for (const auto& [k, v] : shape)
      if (k == "splits") given = shape_get(shape, op, "splits");
    const std::uint64_t bh = B * H, splits = decode_splits(bh, L, o.sm_count, given);
    auto q = lay.add("q", bh * d * es), K = lay.add("K", bh * L * d * es),
         V = lay.add("V", bh * L * d * es), P = lay.add("partials", bh * splits * (d + 2) * 4),
         Y = lay.add("out", bh * d * es);
    KernelLaunch s;
    s.rec = make_record(RefKernel::kDecodeSplit, dt,
                        {{"B", B}, {"H", H}, {"N", 1}, {"d", d}, {"N_kv", L}}, {q, K, V, P},
                        {u32(splits, "splits"), u32(bh, "B*H"), 1}, {kDecThreads, 1, 1},
                        static_cast<std::uint32_t>((32 / (d / 8) * kDecWarps) * (d + 2) * 4));
    out.push_back(s);
    KernelLaunch c;
    c.rec = make_record(RefKernel::kDecodeCombine, dt, {{"n", bh * d}}, {P, Y},
                        {u32(bh, "B*H"), 1, 1}, {u32(d, "d"), 1, 1}, 0);
    c.kv_len = L;
    out.push_back(c);
  } else {
    throw usage_error("kernel: unknown op '" + std::string(op) + "'; expected " +
                      kernel_op_names());
  }
  // Validate now, so a bad shape fails before anything is written.
  for (const auto& l : out) {
    check_op_record(l.rec, SourceLoc{"kernel " + std::string(op)});
    KernelGenOptions probe;
    probe.cta_sample = std::numeric_limits<std::uint32_t>::max();  // CTA 0 only: cheap
    generate_kernel_accesses(l, probe, [](const AccessRecord&) {});
  }
  return out;
}

KernelLaunch launch_from_op_trace(const std::vector<OpRecord>& records, std::size_t i) {
  if (i >= records.size())
    throw usage_error("op trace: record " + std::to_string(i) + " does not exist (the trace has " +
                      std::to_string(records.size()) + " records)");
  KernelLaunch l;
  l.rec = records[i];
  const auto addr_of = [](const OpRecord& r, const char* name) -> std::optional<std::uint64_t> {
    for (const auto& t : r.tensors)
      if (t.name == name) return t.addr;
    return std::nullopt;
  };
  if (l.rec.kernel == ref_kernel_name(RefKernel::kGemm) && i > 0) {
    const OpRecord& prev = records[i - 1];
    const auto a = addr_of(l.rec, "A");
    if (prev.kernel == ref_kernel_name(RefKernel::kSoftmax) && a && addr_of(prev, "y") == a)
      l.b_layout = GemmBLayout::kKN;  // O = P V of naive attention: V is [K, N]
  }
  if (l.rec.kernel == ref_kernel_name(RefKernel::kDecodeCombine) && i > 0) {
    const OpRecord& prev = records[i - 1];
    const auto p = addr_of(l.rec, "partials");
    if (prev.kernel == ref_kernel_name(RefKernel::kDecodeSplit) && p &&
        addr_of(prev, "partials") == p && prev.dim("N_kv"))
      l.kv_len = *prev.dim("N_kv");
  }
  return l;
}

AccessTraceMeta kernel_trace_meta(const std::vector<KernelLaunch>& launches,
                                  std::uint32_t cta_sample) {
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNone;
  m.tool = "accsim kernel access generator";
  for (std::size_t j = 0; j < launches.size(); ++j) {
    const OpRecord& r = launches[j].rec;
    KernelInfo k;
    k.name = r.kernel;
    if (r.grid) k.grid = *r.grid;
    if (r.block) k.block = *r.block;
    k.smem = r.smem;
    nlohmann::json shape = nlohmann::json::object();
    for (const auto& [key, v] : r.shape) shape[key] = v;
    k.params = {{"op", std::string(op_kind_name(r.op))},
                {"shape", shape},
                {"dtype", std::string(dtype_name(r.dtype))},
                {"causal", r.causal}};
    if (r.op == OpKind::kGemm)
      k.params["b_layout"] = launches[j].b_layout == GemmBLayout::kNK ? "NK" : "KN";
    if (launches[j].kv_len) k.params["kv_len"] = launches[j].kv_len;
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& t : r.tensors)
      tensors.push_back({{"name", t.name}, {"addr", t.addr}, {"bytes", t.bytes}});
    k.params["tensors"] = tensors;
    m.kernels.push_back(std::move(k));
  }
  m.capture = {{"generator", "workloads/gen/kernel_access (synthetic, CPU)"},
               {"record", "one per 32-byte sector per warp access"},
               {"cta_sample", cta_sample},
               {"timestamps", "none"},
               {"sm", "not modelled (0)"}};
  return m;
}

std::uint64_t write_kernel_trace(const std::string& path, const std::vector<KernelLaunch>& launches,
                                 std::uint32_t cta_sample, const AccessWriterOptions& wopt) {
  if (launches.size() > std::numeric_limits<std::uint16_t>::max())
    throw usage_error("kernel trace: at most 65535 launches per file");
  AccessTraceWriter w(path, kernel_trace_meta(launches, cta_sample), wopt);
  for (std::size_t j = 0; j < launches.size(); ++j) {
    KernelGenOptions o;
    o.cta_sample = cta_sample;
    o.kernel_index = static_cast<std::uint16_t>(j);
    generate_kernel_accesses(launches[j], o, [&](const AccessRecord& a) { w.append(a); });
  }
  w.close();
  return w.records();
}

}  // namespace accsim::workloads
