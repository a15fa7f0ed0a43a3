#include "workloads/gen/kernel_tiling.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "sim/core/error.h"

namespace accsim::workloads::detail {
namespace {

constexpr std::uint64_t kSector = 32;
constexpr std::uint64_t kIntMax = std::numeric_limits<std::int32_t>::max();

// --- launch configuration ------------------------------------------------------------------

constexpr std::uint32_t kGemmBM = 128, kGemmBN = 128, kGemmBK = 32, kGemmThreads = 256;
constexpr std::uint32_t kGemvWarps = 8, kGemvUnroll = 4;
constexpr std::uint32_t kFaBM = 128, kFaBN = 64, kFaThreads = 256, kFaPad = 8;
constexpr std::uint32_t kDecWarps = 4, kDecThreads = 128, kDecUnroll = 4;
constexpr std::uint32_t kGridStrideThreads = 256;  // gelu_kernel, add_kernel

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

// --- checking a launch ------------------------------------------------------------------------

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

const TensorRef& find_tensor(const OpRecord& r, const char* name) {
  for (const auto& t : r.tensors)
    if (t.name == name) return t;
  std::string have;
  for (const auto& t : r.tensors) have += (have.empty() ? "" : ", ") + t.name;
  fail(r, std::string("the record has no tensor '") + name +
              "' (it has: " + (have.empty() ? "none" : have) + ")");
}

// The start address of tensor `name`, which must hold at least `need_bytes`.
std::uint64_t tensor(const OpRecord& r, const char* name, std::uint64_t need_bytes) {
  const TensorRef& t = find_tensor(r, name);
  if (t.bytes < need_bytes)
    fail(r, std::string("tensor '") + name + "' has " + std::to_string(t.bytes) +
                " bytes; the kernel touches " + std::to_string(need_bytes));
  if (t.addr > std::numeric_limits<std::uint64_t>::max() - t.bytes)
    fail(r, std::string("tensor '") + name + "' wraps past 2^64");
  return t.addr;
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

// The element type of the row kernels' bodies (kernel_mix.h).
mix::Elem mix_elem(const OpRecord& r) {
  return r.dtype == DType::kFp32   ? mix::Elem::kF32
         : r.dtype == DType::kBf16 ? mix::Elem::kBF16
                                   : mix::Elem::kF16;
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

std::uint64_t check_head_dim(const OpRecord& r) {
  const std::uint64_t d = need_dim(r, "d");
  if (d != 64 && d != 128) fail(r, "d must be 64 or 128 (d=" + std::to_string(d) + ")");
  return d;
}

std::uint32_t u32(std::uint64_t v) {
  return static_cast<std::uint32_t>(v);
}

// --- gemm_tc_kernel (reference/kernels/gemm.cu) -----------------------------------------------

class GemmPlan final : public KernelPlan {
 public:
  explicit GemmPlan(const KernelLaunch& l) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, false);
    M_ = need_dim(r, "M"), N_ = need_dim(r, "N"), K_ = need_dim(r, "K");
    const std::uint64_t batch = r.dim("batch").value_or(1);
    if (K_ % kGemmBK != 0 || N_ % 8 != 0)
      fail(r, "K must be a multiple of 32 and N of 8 (K=" + std::to_string(K_) +
                  ", N=" + std::to_string(N_) + ")");
    if (M_ > kIntMax || N_ > kIntMax || K_ > kIntMax || batch > 65535 || cdiv(M_, kGemmBM) > 65535)
      fail(r, "shape outside the kernel's limits (int dimensions, batch and M/128 <= 65535)");
    A_ = tensor(r, "A", prod(r, {batch, M_, K_, es_}));
    B_ = tensor(r, "B", prod(r, {batch, N_, K_, es_}));
    C_ = tensor(r, "C", prod(r, {batch, M_, N_, es_}));
    grid_ = {u32(cdiv(N_, kGemmBN)), u32(cdiv(M_, kGemmBM)), u32(batch)};
    nk_ = l.b_layout == GemmBLayout::kNK;
    bf16_ = r.dtype == DType::kBf16;
    causal_ = l.gemm_causal;
    set_launch(r, grid_, {kGemmThreads, 1, 1}, gemm_smem(es_, l.b_layout),
               u32(mix::regs_gemm(bf16_, nk_)));
  }

  // gemm_prologue, load_tile(0), commit; per k-tile: [gemm_load_tile, load_tile(kt + 1)],
  // commit, wait 1, barrier, gemm_ktile, barrier; gemm_epilogue and the stores.
  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    const Tile t = tile(cta);
    const std::uint64_t ktiles = K_ / kGemmBK;
    o.mix(mix::gemm_prologue(nk_));
    load_tile(o, t, w, 0);
    o.commit();
    co_yield kPointEnd;
    for (std::uint64_t kt = 0; kt < ktiles; ++kt) {
      if (kt + 1 < ktiles) {
        o.mix(mix::gemm_load_tile(nk_));
        load_tile(o, t, w, kt + 1);
      }
      o.commit();
      o.wait(1);
      o.barrier();
      o.mix(mix::gemm_ktile(bf16_));
      o.barrier();
      co_yield kPointEnd;
    }
    o.mix(mix::gemm_epilogue(bf16_, causal_));
    epilogue(o, t, w);
  }

 private:
  struct Tile {
    std::uint64_t m0, n0, a0, b0, c0;  // first row and column; batch item's A, B, C
  };
  Tile tile(std::uint64_t cta) const {
    const std::uint64_t bx = cta % grid_[0], by = cta / grid_[0] % grid_[1];
    const std::uint64_t z = cta / grid_[0] / grid_[1];
    return {by * kGemmBM, bx * kGemmBN, A_ + z * M_ * K_ * es_, B_ + z * N_ * K_ * es_,
            C_ + z * M_ * N_ * es_};
  }
  // load_tile(kt): two 16-byte cp.async chunks of A and two of B per thread; rows past M (or
  // columns past N) are zero-filled without a copy (pred false: no record).
  void load_tile(WarpOut& o, const Tile& t, std::uint64_t w, std::uint64_t kt) const {
    const std::uint64_t k0 = kt * kGemmBK;
    for (std::uint64_t i = 0; i < 2; ++i) {
      for (std::uint32_t lane = 0; lane < 32; ++lane) {
        const std::uint64_t c = w * 32 + lane + i * kGemmThreads;
        const std::uint64_t gm = t.m0 + (c >> 2), col = (c & 3) * 8;
        if (gm < M_) o.lane(t.a0 + (gm * K_ + k0 + col) * es_);
      }
      o.load_cg();
    }
    for (std::uint64_t i = 0; i < 2; ++i) {
      for (std::uint32_t lane = 0; lane < 32; ++lane) {
        const std::uint64_t c = w * 32 + lane + i * kGemmThreads;
        if (nk_) {
          const std::uint64_t gn = t.n0 + (c >> 2), col = (c & 3) * 8;
          if (gn < N_) o.lane(t.b0 + (gn * K_ + k0 + col) * es_);
        } else {
          const std::uint64_t row = c >> 4, gn = t.n0 + (c & 15) * 8;
          if (gn < N_) o.lane(t.b0 + ((k0 + row) * N_ + gn) * es_);
        }
      }
      o.load_cg();
    }
  }
  // Lane holds rows g and g+8, columns 2t, 2t+1 of each 16x8 tile; one 4-byte store per
  // (i, half, j), rows past M and columns past N skipped.
  void epilogue(WarpOut& o, const Tile& t, std::uint64_t w) const {
    const std::uint64_t wm = w / 4, wn = w % 4;
    for (std::uint64_t i = 0; i < 4; ++i)
      for (std::uint64_t half = 0; half < 2; ++half)
        for (std::uint64_t j = 0; j < 4; ++j) {
          for (std::uint32_t lane = 0; lane < 32; ++lane) {
            const std::uint64_t g = lane >> 2, t4 = lane & 3;
            const std::uint64_t gm = t.m0 + wm * 64 + i * 16 + g + half * 8;
            const std::uint64_t gn = t.n0 + wn * 32 + j * 8 + t4 * 2;
            if (gm < M_ && gn < N_) o.lane(t.c0 + (gm * N_ + gn) * es_);
          }
          o.store();
        }
  }

  std::uint64_t M_ = 0, N_ = 0, K_ = 0, es_ = 0, A_ = 0, B_ = 0, C_ = 0;
  Dim3 grid_{};
  bool nk_ = true, bf16_ = false, causal_ = false;
};

// --- gemv_kernel (rowwise.cu) -----------------------------------------------------------------

class GemvPlan final : public KernelPlan {
 public:
  explicit GemvPlan(const KernelLaunch& l) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, true);
    N_ = need_dim(r, "M"), K_ = need_dim(r, "K");
    if (r.dim("batch") && *r.dim("batch") != 1) fail(r, "gemv_kernel has no batch");
    if (K_ % 8 != 0) fail(r, "K must be a multiple of 8 (K=" + std::to_string(K_) + ")");
    if (N_ > kIntMax || K_ > kIntMax) fail(r, "M and K must fit the kernel's int");
    W_ = tensor(r, "W", prod(r, {N_, K_, es_}));
    x_ = tensor(r, "x", prod(r, {K_, es_}));
    y_ = tensor(r, "y", prod(r, {N_, es_}));
    elem_ = mix_elem(r);
    set_launch(r, {u32(cdiv(N_, kGemvWarps)), 1, 1}, {kGemvWarps * 32, 1, 1}, 0,
               u32(mix::regs_gemv(elem_)));
  }

  // Warps past the last row exit at once. Else gemv_prologue; per trip gemv_load, 4 x (W, x)
  // loads, commit, wait 0, gemv_step; gemv_epilogue and lane 0's store.
  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    const std::uint64_t row = cta * kGemvWarps + w;
    if (row >= N_) co_return;  // the whole warp returns
    const std::uint64_t wr = W_ + row * K_ * es_, nvec = K_ / (16 / es_);
    o.mix(mix::gemv_prologue());
    for (std::uint64_t i0 = 0; i0 < nvec; i0 += std::uint64_t{32} * kGemvUnroll) {
      o.mix(mix::gemv_load());
      for (std::uint64_t u = 0; u < kGemvUnroll; ++u) {
        const std::uint64_t v0 = i0 + u * 32;
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (v0 + lane < nvec) o.lane(wr + (v0 + lane) * 16);
        o.load();
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          if (v0 + lane < nvec) o.lane(x_ + (v0 + lane) * 16);
        o.load();
      }
      o.commit();
      o.wait(0);
      o.mix(mix::gemv_step(elem_));
      co_yield kPointEnd;
    }
    o.mix(mix::gemv_epilogue(elem_));
    o.lane(y_ + row * es_);  // lane 0
    o.store();
  }

 private:
  std::uint64_t N_ = 0, K_ = 0, es_ = 0, W_ = 0, x_ = 0, y_ = 0;
  mix::Elem elem_ = mix::Elem::kF16;
};

// --- softmax_kernel and layernorm_kernel (rowwise.cu) -----------------------------------------

// The trips of one warp through for_row / write_row: the 16-byte loop (when the row is
// vector-aligned), then the scalar tail; per trip the byte offsets, from the row start, of the
// warp's active lanes. A warp makes a trip when any lane has an element in it (lane 0 then has).
class RowTrips {
 public:
  RowTrips(std::uint64_t cols, std::uint64_t es, bool vec_ok, std::uint64_t bd, std::uint64_t w)
      : cols_(cols),
        es_(es),
        bd_(bd),
        w_(w),
        nvec_(vec_ok ? cols / (16 / es) : 0),
        in_vec_(vec_ok),
        i0_(w * 32) {}
  // Advances to the next trip; false after the last.
  bool next() {
    if (in_vec_ && i0_ >= nvec_) {
      in_vec_ = false;
      i0_ = nvec_ * (16 / es_) + w_ * 32;
    }
    const std::uint64_t end = in_vec_ ? nvec_ : cols_, width = in_vec_ ? 16 : es_;
    if (i0_ >= end) return false;
    n_ = 0;
    for (std::uint32_t lane = 0; lane < 32; ++lane)
      if (i0_ + lane < end) off_[n_++] = (i0_ + lane) * width;
    vec_ = in_vec_;
    i0_ += bd_;
    return true;
  }
  bool vec() const { return vec_; }  // this trip is of the 16-byte loop
  // One access of the trip: every active lane at `base` + its offset.
  void access(WarpOut& o, std::uint64_t base) const {
    for (int i = 0; i < n_; ++i) o.lane(base + off_[i]);
  }

 private:
  std::uint64_t cols_, es_, bd_, w_, nvec_;
  bool in_vec_, vec_ = false;
  std::uint64_t i0_;
  std::array<std::uint64_t, 32> off_{};
  int n_ = 0;
};

class RowPlan final : public KernelPlan {
 public:
  RowPlan(const KernelLaunch& l, bool layernorm) : layernorm_(layernorm) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, true);
    const std::uint64_t rows = need_dim(r, "rows");
    cols_ = need_dim(r, "cols");
    if (rows > kIntMax) fail(r, "rows must be below 2^31");
    x_ = tensor(r, "x", prod(r, {rows, cols_, es_}));
    y_ = tensor(r, "y", prod(r, {rows, cols_, es_}));
    if (layernorm) {
      gamma_ = tensor(r, "gamma", prod(r, {cols_, es_}));
      beta_ = tensor(r, "beta", prod(r, {cols_, es_}));
    }
    vec_ok_ = cols_ % (16 / es_) == 0;
    bd_ = row_threads(cols_, vec_ok_ ? 16 / es_ : 1);
    elem_ = mix_elem(r);
    // Shared memory: softmax sh_m[32], sh_s[32]; layernorm scratch[32] (floats).
    set_launch(r, {u32(rows), 1, 1}, {bd_, 1, 1}, layernorm ? 32 * 4 : 2 * 32 * 4,
               u32(layernorm ? mix::regs_layernorm(elem_) : mix::regs_softmax(elem_)));
  }

  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    return layernorm_ ? layernorm_warp(cta, w, o) : softmax_warp(cta, w, o);
  }

 private:
  RowTrips trips(std::uint64_t w) const { return RowTrips(cols_, es_, vec_ok_, bd_, w); }
  std::uint64_t row_x(std::uint64_t row) const { return x_ + row * cols_ * es_; }
  std::uint64_t row_y(std::uint64_t row) const { return y_ + row * cols_ * es_; }

  // softmax_prologue; pass 1 trips (pass1_load, load x, commit, wait 0, pass1);
  // softmax_reduce_warp, barrier, softmax_reduce_block; pass 2 trips (pass2_load, load x,
  // commit, wait 0, pass2, store y).
  WarpProgram softmax_warp(std::uint64_t row, std::uint64_t w, WarpOut& o) const {
    o.mix(mix::softmax_prologue());
    for (RowTrips t = trips(w); t.next();) {
      o.mix(mix::softmax_pass1_load(elem_, t.vec()));
      t.access(o, row_x(row));
      o.load();
      o.commit();
      o.wait(0);
      o.mix(mix::softmax_pass1(elem_, t.vec()));
      co_yield kPointEnd;
    }
    o.mix(mix::softmax_reduce_warp());
    o.barrier();
    o.mix(mix::softmax_reduce_block());
    for (RowTrips t = trips(w); t.next();) {
      o.mix(mix::softmax_pass2_load(elem_, t.vec()));
      t.access(o, row_x(row));
      o.load();
      o.commit();
      o.wait(0);
      o.mix(mix::softmax_pass2(elem_, t.vec()));
      t.access(o, row_y(row));
      o.store();
      co_yield kPointEnd;
    }
  }

  // The block-wide sum's first half (layernorm_kernel's to_scratch).
  static void to_scratch(WarpOut& o) {
    o.mix(mix::layernorm_reduce_warp());
    o.barrier();
    o.mix(mix::layernorm_reduce_store());
    o.barrier();
  }

  // layernorm_prologue; pass 1 trips; to_scratch, layernorm_mean; pass 2 trips; to_scratch,
  // layernorm_rstd; pass 3 trips (load x, gamma, beta; store y).
  WarpProgram layernorm_warp(std::uint64_t row, std::uint64_t w, WarpOut& o) const {
    o.mix(mix::layernorm_prologue());
    for (RowTrips t = trips(w); t.next();) {
      o.mix(mix::layernorm_pass1_load(elem_, t.vec()));
      t.access(o, row_x(row));
      o.load();
      o.commit();
      o.wait(0);
      o.mix(mix::layernorm_pass1(elem_, t.vec()));
      co_yield kPointEnd;
    }
    to_scratch(o);
    o.mix(mix::layernorm_mean());
    for (RowTrips t = trips(w); t.next();) {
      o.mix(mix::layernorm_pass2_load(elem_, t.vec()));
      t.access(o, row_x(row));
      o.load();
      o.commit();
      o.wait(0);
      o.mix(mix::layernorm_pass2(elem_, t.vec()));
      co_yield kPointEnd;
    }
    to_scratch(o);
    o.mix(mix::layernorm_rstd());
    for (RowTrips t = trips(w); t.next();) {
      o.mix(mix::layernorm_pass3_load(elem_, t.vec()));
      const std::array<std::uint64_t, 3> bases{row_x(row), gamma_, beta_};
      for (std::uint64_t base : bases) {
        t.access(o, base);
        o.load();
      }
      o.commit();
      o.wait(0);
      o.mix(mix::layernorm_pass3(elem_, t.vec()));
      t.access(o, row_y(row));
      o.store();
      co_yield kPointEnd;
    }
  }

  bool layernorm_;
  std::uint64_t es_ = 0, cols_ = 0, x_ = 0, y_ = 0, gamma_ = 0, beta_ = 0;
  bool vec_ok_ = false;
  std::uint32_t bd_ = 32;
  mix::Elem elem_ = mix::Elem::kF16;
};

// --- gelu_kernel, add_kernel (rowwise.cu): grid-stride elementwise -----------------------------

class GridStridePlan final : public KernelPlan {
 public:
  // add: y = a + b (add_kernel), otherwise y = gelu(x) (gelu_kernel).
  GridStridePlan(const KernelLaunch& l, bool add) : add_(add) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, true);
    n_ = need_dim(r, "n");
    const std::uint64_t bytes = prod(r, {n_, es_});
    for (const char* name : add ? std::vector<const char*>{"a", "b"} : std::vector{"x"})
      in_.push_back(tensor(r, name, bytes));
    y_ = tensor(r, "y", bytes);
    // The grid depends on the GPU's SM count, so the record's grid is taken as given.
    if (!r.grid) fail(r, r.kernel + " needs the record's grid (it depends on the SM count)");
    grid_ = (*r.grid)[0];
    if (grid_ == 0) fail(r, "grid is 0");
    elem_ = mix_elem(r);
    const int regs = add ? mix::regs_add(elem_) : mix::regs_gelu(elem_);
    set_launch(r, {grid_, 1, 1}, {kGridStrideThreads, 1, 1}, 0, u32(regs));
  }

  // <k>_prologue; grid-stride trips of 16-byte vectors, then of single elements: <k>_load, the
  // loads (x; or a, then b), commit, wait 0, <k>_step, the store of y.
  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    const std::uint64_t kv = 16 / es_, nvec = n_ / kv;
    const std::uint64_t stride = std::uint64_t{grid_} * kGridStrideThreads;
    const std::uint64_t first = cta * kGridStrideThreads + w * 32;
    o.mix(add_ ? mix::add_prologue() : mix::gelu_prologue());
    for (int pass = 0; pass < 2; ++pass) {
      const bool vec = pass == 0;
      const std::uint64_t end = vec ? nvec : n_, width = vec ? 16 : es_;
      for (std::uint64_t i0 = first + (vec ? 0 : nvec * kv); i0 < end; i0 += stride) {
        o.mix(add_ ? mix::add_load(elem_, vec) : mix::gelu_load(elem_, vec));
        for (const std::uint64_t base : in_) {
          access(o, base, i0, end, width);
          o.load();
        }
        o.commit();
        o.wait(0);
        o.mix(add_ ? mix::add_step(elem_, vec) : mix::gelu_step(elem_, vec));
        access(o, y_, i0, end, width);
        o.store();
        co_yield kPointEnd;
      }
    }
  }

 private:
  // The lanes of one warp access: element (or vector) i0 + lane of the tensor at `base`.
  static void access(WarpOut& o, std::uint64_t base, std::uint64_t i0, std::uint64_t end,
                     std::uint64_t width) {
    for (std::uint32_t lane = 0; lane < 32; ++lane)
      if (i0 + lane < end) o.lane(base + (i0 + lane) * width);
  }

  bool add_;
  std::uint64_t es_ = 0, n_ = 0, y_ = 0;
  std::vector<std::uint64_t> in_;
  std::uint32_t grid_ = 1;
  mix::Elem elem_ = mix::Elem::kF16;
};

// --- flash_fwd_kernel (attention.cu) ------------------------------------------------------------

class FlashPlan final : public KernelPlan {
 public:
  explicit FlashPlan(const KernelLaunch& l) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, false);
    const std::uint64_t B = need_dim(r, "B"), H = need_dim(r, "H");
    N_ = need_dim(r, "N");
    D_ = check_head_dim(r);
    if (r.dim("N_kv") && *r.dim("N_kv") != N_) fail(r, "flash_fwd_kernel needs N_kv == N");
    if (r.dim("H_kv") && *r.dim("H_kv") != H) fail(r, "flash_fwd_kernel needs H_kv == H");
    if (N_ % kFaBM != 0) fail(r, "N must be a multiple of 128 (N=" + std::to_string(N_) + ")");
    const std::uint64_t BH = prod(r, {B, H});
    if (BH > 65535 || N_ > kIntMax) fail(r, "B*H must be at most 65535 and N fit an int");
    const std::uint64_t bytes = prod(r, {BH, N_, D_, es_});
    Q_ = tensor(r, "Q", bytes), K_ = tensor(r, "K", bytes), V_ = tensor(r, "V", bytes);
    O_ = tensor(r, "O", bytes);
    qtiles_ = N_ / kFaBM;
    causal_ = r.causal;
    bf16_ = r.dtype == DType::kBf16;
    set_launch(r, {u32(qtiles_), u32(BH), 1}, {kFaThreads, 1, 1}, flash_smem(D_),
               u32(mix::regs_flash(bf16_, static_cast<int>(D_))));
  }

  // flash_prologue, the Q and tile-0 copies, commit; per key tile: [the next tile's copies],
  // commit, wait 1, barrier, flash_tile (not for a warp the causal mask skips), barrier;
  // flash_epilogue and the O stores.
  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    const std::uint64_t bx = cta % qtiles_, bh = cta / qtiles_;
    // Causal CTAs are issued longest first: block x runs query tile gridDim.x - 1 - x.
    const std::uint64_t q0 = (causal_ ? qtiles_ - 1 - bx : bx) * kFaBM, head = bh * N_ * D_ * es_;
    std::uint64_t ntiles = N_ / kFaBN;
    if (causal_) ntiles = std::min(ntiles, (q0 + kFaBM + kFaBN - 1) / kFaBN);
    const std::uint64_t warp_row0 = q0 + w * 16;
    const int d = static_cast<int>(D_);
    o.mix(mix::flash_prologue(d));
    copy(o, w, Q_ + head + q0 * D_ * es_, kFaBM * D_ / 8);
    load_kv(o, w, head, 0);
    o.commit();
    co_yield kPointEnd;
    for (std::uint64_t j = 0; j < ntiles; ++j) {
      if (j + 1 < ntiles) load_kv(o, w, head, j + 1);
      o.commit();
      o.wait(1);
      o.barrier();
      const std::uint64_t k0 = j * kFaBN;
      if (!(causal_ && k0 > warp_row0 + 15))
        o.mix(mix::flash_tile(bf16_, d, causal_ && k0 + kFaBN - 1 > warp_row0));
      o.barrier();
      co_yield kPointEnd;
    }
    o.mix(mix::flash_epilogue(bf16_, d));
    store_o(o, w, O_ + head + q0 * D_ * es_);
  }

 private:
  // One cp.async loop over a contiguous tile of `chunks` 16-byte chunks: per trip a flash_copy
  // body and one copy per lane (chunk c of the tile is at byte 16 c).
  void copy(WarpOut& o, std::uint64_t w, std::uint64_t base, std::uint64_t chunks) const {
    for (std::uint64_t c0 = 0; c0 < chunks; c0 += kFaThreads) {
      o.mix(mix::flash_copy(static_cast<int>(D_)));
      for (std::uint32_t lane = 0; lane < 32; ++lane) {
        const std::uint64_t c = c0 + w * 32 + lane;
        if (c < chunks) o.lane(base + c * 16);
      }
      o.load_cg();
    }
  }
  void load_kv(WarpOut& o, std::uint64_t w, std::uint64_t head, std::uint64_t j) const {
    copy(o, w, K_ + head + j * kFaBN * D_ * es_, kFaBN * D_ / 8);
    copy(o, w, V_ + head + j * kFaBN * D_ * es_, kFaBN * D_ / 8);
  }
  // Rows w*16 + g (+8), 4-byte stores of columns dt*8 + 2 t4.
  void store_o(WarpOut& o, std::uint64_t w, std::uint64_t og) const {
    for (std::uint64_t half = 0; half < 2; ++half)
      for (std::uint64_t dt = 0; dt < D_ / 8; ++dt) {
        for (std::uint32_t lane = 0; lane < 32; ++lane) {
          const std::uint64_t g = lane >> 2, t4 = lane & 3;
          o.lane(og + ((w * 16 + g + half * 8) * D_ + dt * 8 + t4 * 2) * es_);
        }
        o.store();
      }
  }

  std::uint64_t es_ = 0, N_ = 0, D_ = 0, Q_ = 0, K_ = 0, V_ = 0, O_ = 0, qtiles_ = 1;
  bool causal_ = false, bf16_ = false;
};

// --- decode_split_kernel and decode_combine_kernel (attention.cu) -----------------------------

class DecodeSplitPlan final : public KernelPlan {
 public:
  explicit DecodeSplitPlan(const KernelLaunch& l) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, false);
    const std::uint64_t B = need_dim(r, "B"), H = need_dim(r, "H");
    D_ = check_head_dim(r);
    if (need_dim(r, "N") != 1) fail(r, "decode_split_kernel has one query token (N = 1)");
    if (!r.dim("N_kv")) fail(r, "the record lacks shape key 'N_kv' (the KV length)");
    L_ = need_dim(r, "N_kv");
    const std::uint64_t BH = prod(r, {B, H});
    if (r.dim("H_kv") && *r.dim("H_kv") != H) fail(r, "decode_split_kernel needs H_kv == H");
    if (!r.grid) fail(r, "decode_split_kernel needs the record's grid (grid.x is the split count)");
    splits_ = (*r.grid)[0];
    if (splits_ == 0 || L_ > kIntMax || BH > 65535)
      fail(r, "splits must be positive, N_kv fit an int and B*H be at most 65535");
    q_ = tensor(r, "q", prod(r, {BH, D_, es_}));
    K_ = tensor(r, "K", prod(r, {BH, L_, D_, es_}));
    V_ = tensor(r, "V", prod(r, {BH, L_, D_, es_}));
    part_ = tensor(r, "partials", prod(r, {BH, splits_, (D_ + 2), 4}));
    part_ml_ = part_ + BH * splits_ * D_ * 4;
    bf16_ = r.dtype == DType::kBf16;
    // Shared memory: sm_o[groups][d], sm_m[groups], sm_l[groups] (floats).
    const std::uint64_t groups = kDecWarps * (32 / (D_ / 8));
    set_launch(r, {u32(splits_), u32(BH), 1}, {kDecThreads, 1, 1}, u32(groups * (D_ + 2) * 4),
               u32(mix::regs_decode_split(bf16_, static_cast<int>(D_))));
  }

  // decode_split_prologue, the q load, commit, wait 0, decode_split_q; per step
  // decode_split_load, 4 x (K, V) loads, commit, wait 0, decode_split_step; decode_split_merge,
  // barrier; warps with output columns: decode_split_combine and the partial's stores.
  WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& o) const override {
    const std::uint64_t split = cta % splits_, bh = cta / splits_;
    const std::uint64_t chunk = cdiv(L_, splits_), lanes_per_key = D_ / 8;
    const std::uint64_t groups = kDecWarps * (32 / lanes_per_key);
    const std::uint64_t kbeg = split * chunk, kend = std::min(L_, kbeg + chunk);
    const std::uint64_t steps = kend > kbeg ? cdiv(kend - kbeg, groups * kDecUnroll) : 0;
    const int d = static_cast<int>(D_);
    const std::array<std::uint64_t, 2> kv{K_ + bh * L_ * D_ * es_, V_ + bh * L_ * D_ * es_};
    o.mix(mix::decode_split_prologue(d));
    for (std::uint32_t lane = 0; lane < 32; ++lane)
      o.lane(q_ + bh * D_ * es_ + (lane % lanes_per_key) * 16);
    o.load();
    o.commit();
    o.wait(0);
    o.mix(mix::decode_split_q(bf16_));
    co_yield kPointEnd;
    for (std::uint64_t st = 0; st < steps; ++st) {
      o.mix(mix::decode_split_load(d));
      for (std::uint64_t u = 0; u < kDecUnroll; ++u) {
        const std::uint64_t key0 = kbeg + (st * kDecUnroll + u) * groups;
        for (std::uint64_t base : kv) {
          for (std::uint32_t lane = 0; lane < 32; ++lane) {
            const std::uint64_t key = key0 + w * (32 / lanes_per_key) + lane / lanes_per_key;
            if (key < kend) o.lane(base + key * D_ * es_ + (lane % lanes_per_key) * 16);
          }
          o.load();
        }
      }
      o.commit();
      o.wait(0);
      o.mix(mix::decode_split_step(bf16_, d));
      co_yield kPointEnd;
    }
    o.mix(mix::decode_split_merge(d));
    o.barrier();
    store_partial(o, w, bh * splits_ + split);
  }

 private:
  // `for (c = threadIdx.x; c < d; c += 128)`: a warp with columns runs decode_split_combine and
  // stores them; thread 0 (c == 0) also the split's max and sum.
  void store_partial(WarpOut& o, std::uint64_t w, std::uint64_t slot) const {
    for (std::uint64_t c0 = 0; c0 + w * 32 < D_; c0 += kDecThreads) {
      o.mix(mix::decode_split_combine(static_cast<int>(D_)));
      for (std::uint32_t lane = 0; lane < 32; ++lane) {
        const std::uint64_t c = c0 + w * 32 + lane;
        if (c < D_) o.lane(part_ + (slot * D_ + c) * 4);
      }
      o.store();
      if (c0 == 0 && w == 0) {
        o.lane(part_ml_ + slot * 2 * 4);
        o.store();
        o.lane(part_ml_ + (slot * 2 + 1) * 4);
        o.store();
      }
    }
  }

  std::uint64_t es_ = 0, D_ = 0, L_ = 0, splits_ = 1, q_ = 0, K_ = 0, V_ = 0, part_ = 0;
  std::uint64_t part_ml_ = 0;
  bool bf16_ = false;
};

class DecodeCombinePlan final : public KernelPlan {
 public:
  explicit DecodeCombinePlan(const KernelLaunch& l) {
    const OpRecord& r = l.rec;
    es_ = elem_bytes(r, false);
    const std::uint64_t n = need_dim(r, "n");
    if (!r.grid || !r.block)
      fail(r, "decode_combine_kernel needs the record's grid (B*H) and block (d)");
    const std::uint64_t BH = (*r.grid)[0];
    D_ = (*r.block)[0];
    if (D_ != 64 && D_ != 128) fail(r, "block.x is d and must be 64 or 128");
    if (BH == 0 || n != BH * D_) fail(r, "n must be grid.x * block.x (B*H*d)");
    part_ = tensor(r, "partials", 1);
    const std::uint64_t part_bytes = find_tensor(r, "partials").bytes;
    const std::uint64_t per_split = BH * (D_ + 2) * 4;
    if (part_bytes % per_split != 0)
      fail(r, "tensor 'partials' (" + std::to_string(part_bytes) +
                  " bytes) is not a whole number of splits of B*H*(d+2)*4 bytes");
    splits_ = part_bytes / per_split;
    out_ = tensor(r, "out", prod(r, {BH, D_, es_}));
    if (l.kv_len == 0)
      fail(r,
           "decode_combine_kernel needs the KV length L of its split launch (a split with no "
           "keys is skipped); give the split record before it in the op trace");
    kv_len_ = l.kv_len;
    part_ml_ = part_ + BH * splits_ * D_ * 4;
    bf16_ = r.dtype == DType::kBf16;
    set_launch(r, {u32(BH), 1, 1}, {u32(D_), 1, 1}, 0,
               u32(mix::regs_decode_combine(bf16_, static_cast<int>(D_))));
  }

  // decode_combine_prologue; per split: max_load, load m, commit, wait 0, max; per split:
  // sum_load, load m, commit, wait 0 and, for a split with keys, sum_load2, loads of l and o,
  // commit, wait 0, sum; decode_combine_epilogue and the store.
  WarpProgram warp(std::uint64_t bh, std::uint32_t w, WarpOut& o) const override {
    const std::uint64_t base = bh * splits_, chunk = cdiv(kv_len_, splits_);
    const auto all = [&](std::uint64_t a) {  // every lane, the same address
      for (std::uint32_t lane = 0; lane < 32; ++lane) o.lane(a);
      o.load();
      o.commit();
      o.wait(0);
    };
    o.mix(mix::decode_combine_prologue());
    for (std::uint64_t s = 0; s < splits_; ++s) {
      o.mix(mix::decode_combine_max_load());
      all(part_ml_ + (base + s) * 2 * 4);
      o.mix(mix::decode_combine_max());
      co_yield kPointEnd;
    }
    for (std::uint64_t s = 0; s < splits_; ++s) {
      o.mix(mix::decode_combine_sum_load());
      all(part_ml_ + (base + s) * 2 * 4);
      // A split with no keys wrote m = -inf and is skipped (assumes finite scores elsewhere).
      if (s * chunk < kv_len_) {
        o.mix(mix::decode_combine_sum_load2());
        o.lane(part_ml_ + ((base + s) * 2 + 1) * 4);
        o.load();
        for (std::uint32_t lane = 0; lane < 32; ++lane)
          o.lane(part_ + ((base + s) * D_ + w * 32 + lane) * 4);
        o.load();
        o.commit();
        o.wait(0);
        o.mix(mix::decode_combine_sum());
      }
      co_yield kPointEnd;
    }
    o.mix(mix::decode_combine_epilogue(bf16_));
    for (std::uint32_t lane = 0; lane < 32; ++lane) o.lane(out_ + (bh * D_ + w * 32 + lane) * es_);
    o.store();
  }

 private:
  std::uint64_t es_ = 0, D_ = 0, splits_ = 1, out_ = 0, kv_len_ = 0, part_ = 0, part_ml_ = 0;
  bool bf16_ = false;
};

}  // namespace

// --- launch configuration ------------------------------------------------------------------------

std::uint32_t grid_stride_grid(std::uint64_t n, std::uint64_t es, std::uint32_t sms) {
  const std::uint64_t nvec = std::max<std::uint64_t>(1, n / (16 / es));
  const std::uint64_t g = std::min<std::uint64_t>(cdiv(nvec, kGridStrideThreads), 8ull * sms);
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, g));
}

std::uint64_t decode_splits(std::uint64_t heads, std::uint64_t L, std::uint64_t sms,
                            std::optional<std::uint64_t> given) {
  if (given) return std::min(*given, L);
  const std::uint64_t wanted = sms * 8;
  const std::uint64_t by_occupancy = cdiv(wanted, heads);
  const std::uint64_t by_length = std::max<std::uint64_t>(1, L / 256);
  return std::clamp<std::uint64_t>(std::min(by_occupancy, by_length), 1, 4096);
}

// --- WarpOut
// ---------------------------------------------------------------------------------------

WarpOut::WarpOut(std::uint32_t cta, std::uint32_t warp, std::uint16_t kernel, bool mix)
    : mix_(mix) {
  rec_.cta = cta;
  rec_.warp = static_cast<std::uint16_t>(warp);
  rec_.kernel = kernel;
}

void WarpOut::lane(std::uint64_t addr) {
  if (n_ == 32) throw Error(ExitCode::kInternal, "kernel access generator: more than 32 lanes");
  lanes_[n_++] = addr & ~(kSector - 1);
}

void WarpOut::issue(RecordKind kind, std::uint8_t flags) {
  std::array<std::uint64_t, 32> seen{};
  int ns = 0;
  for (int i = 0; i < n_; ++i) {
    const std::uint64_t s = lanes_[i];
    if (std::find(seen.begin(), seen.begin() + ns, s) != seen.begin() + ns) continue;
    seen[ns++] = s;
    put(kind, s, static_cast<std::uint32_t>(kSector), flags);
  }
  n_ = 0;
}

void WarpOut::put(RecordKind kind, std::uint64_t address, std::uint32_t size, std::uint8_t flags) {
  rec_.kind = static_cast<std::uint8_t>(kind);
  rec_.address = address;
  rec_.size = size;
  rec_.flags = flags;
  dst_->push_back(rec_);
}

void WarpOut::mix(const mix::Body& body) {
  if (!mix_) return;
  const std::uint32_t n = std::min(body.count, mix::kMaxItems);
  for (std::uint32_t i = 0; i < n; ++i)
    put(RecordKind::kCompute, body.items[i].n, static_cast<std::uint32_t>(body.items[i].cls),
        body.items[i].flags);
}

void WarpOut::commit() {
  if (mix_) put(RecordKind::kCommit, 0, 0, 0);
}
void WarpOut::wait(std::uint32_t groups) {
  if (mix_) put(RecordKind::kWait, groups, 0, 0);
}
void WarpOut::barrier() {
  if (mix_) put(RecordKind::kBarrier, 0, 0, 0);
}

// --- WarpProgram
// ----------------------------------------------------------------------------------

WarpProgram& WarpProgram::operator=(WarpProgram&& o) noexcept {
  if (this != &o) {
    if (h_) h_.destroy();
    h_ = std::exchange(o.h_, {});
  }
  return *this;
}

WarpProgram::~WarpProgram() {
  if (h_) h_.destroy();
}

bool WarpProgram::step() {
  if (!h_ || h_.done()) return false;
  h_.resume();
  if (h_.promise().error) std::rethrow_exception(std::exchange(h_.promise().error, nullptr));
  return !h_.done();
}

// --- plans
// ----------------------------------------------------------------------------------------

void KernelPlan::set_launch(const OpRecord& r, const Dim3& grid, const Dim3& block,
                            std::uint32_t smem, std::uint32_t regs) {
  check_launch_dims(r, grid, block);
  grid_ = grid, block_ = block, smem_ = smem;
  ctas_ = std::uint64_t{grid[0]} * grid[1] * grid[2];
  if (ctas_ > std::numeric_limits<std::uint32_t>::max())
    fail(r, "the grid has " + std::to_string(ctas_) +
                " CTAs; linear CTA ids are 32-bit (at most 2^32 - 1 CTAs)");
  warps_ = u32(cdiv(std::uint64_t{block[0]} * block[1] * block[2], 32));
  regs_ = regs;
}

std::unique_ptr<KernelPlan> make_kernel_plan(const KernelLaunch& launch) {
  const OpRecord& r = launch.rec;
  const auto k = parse_ref_kernel(r.kernel);
  if (!k) fail(r, "unknown kernel '" + r.kernel + "'; the generator knows " + ref_kernel_names());
  if (r.op != ref_kernel_op(*k))
    fail(r, "op kind " + std::string(op_kind_name(r.op)) + " does not match the kernel (" +
                std::string(op_kind_name(ref_kernel_op(*k))) + ")");
  switch (*k) {
    case RefKernel::kGemm:
      return std::make_unique<GemmPlan>(launch);
    case RefKernel::kGemv:
      return std::make_unique<GemvPlan>(launch);
    case RefKernel::kSoftmax:
      return std::make_unique<RowPlan>(launch, false);
    case RefKernel::kLayernorm:
      return std::make_unique<RowPlan>(launch, true);
    case RefKernel::kGelu:
      return std::make_unique<GridStridePlan>(launch, false);
    case RefKernel::kAdd:
      return std::make_unique<GridStridePlan>(launch, true);
    case RefKernel::kFlashFwd:
      return std::make_unique<FlashPlan>(launch);
    case RefKernel::kDecodeSplit:
      return std::make_unique<DecodeSplitPlan>(launch);
    case RefKernel::kDecodeCombine:
      return std::make_unique<DecodeCombinePlan>(launch);
  }
  throw Error(ExitCode::kInternal, "kernel access generator: unhandled kernel");
}

}  // namespace accsim::workloads::detail
