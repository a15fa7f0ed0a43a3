#include "workloads/gen/kernel_access.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "sim/core/error.h"
#include "sim/core/slot_pool.h"
#include "workloads/gen/kernel_tiling.h"

namespace accsim::workloads {
namespace {

using detail::decode_splits;
using detail::Dim3;
using detail::grid_stride_grid;

struct KernelEntry {
  RefKernel kernel;
  std::string_view name;
  OpKind op;
};
constexpr std::array<KernelEntry, 9> kKernels{{
    {RefKernel::kGemm, "gemm_tc_kernel", OpKind::kGemm},
    {RefKernel::kGemv, "gemv_kernel", OpKind::kGemv},
    {RefKernel::kSoftmax, "softmax_kernel", OpKind::kSoftmax},
    {RefKernel::kLayernorm, "layernorm_kernel", OpKind::kLayernorm},
    {RefKernel::kGelu, "gelu_kernel", OpKind::kGelu},
    {RefKernel::kAdd, "add_kernel", OpKind::kElementwise},
    {RefKernel::kFlashFwd, "flash_fwd_kernel", OpKind::kSdpa},
    {RefKernel::kDecodeSplit, "decode_split_kernel", OpKind::kSdpa},
    {RefKernel::kDecodeCombine, "decode_combine_kernel", OpKind::kElementwise},
}};

// --- the generated source ------------------------------------------------------------------------

// The metadata entry of a launch (the source's info() and kernel_trace_meta).
KernelInfo kernel_info(const KernelLaunch& l, const detail::KernelPlan& plan) {
  const OpRecord& r = l.rec;
  KernelInfo k;
  k.name = r.kernel;
  k.grid = plan.grid();  // the record's, when it has one (the plan checked they agree)
  k.block = plan.block();
  k.smem = r.smem > 0 ? r.smem : plan.smem();
  k.regs = r.regs > 0 ? r.regs : plan.regs();
  nlohmann::json shape = nlohmann::json::object();
  for (const auto& [key, v] : r.shape) shape[key] = v;
  k.params = {{"op", std::string(op_kind_name(r.op))},
              {"shape", shape},
              {"dtype", std::string(dtype_name(r.dtype))},
              {"causal", r.op == OpKind::kGemm ? l.gemm_causal : r.causal}};
  if (r.op == OpKind::kGemm) k.params["b_layout"] = l.b_layout == GemmBLayout::kNK ? "NK" : "KN";
  if (l.kv_len) k.params["kv_len"] = l.kv_len;
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : r.tensors)
    tensors.push_back({{"name", t.name}, {"addr", t.addr}, {"bytes", t.bytes}});
  k.params["tensors"] = tensors;
  return k;
}

// CTAs in ascending linear id; each warp a coroutine (kernel_tiling.h) resumed by fill().
class GeneratedSource final : public KernelRecordSource {
 public:
  GeneratedSource(const KernelLaunch& l, const KernelGenOptions& o)
      : plan_(detail::make_kernel_plan(l)), info_(kernel_info(l, *plan_)), opt_(o) {
    if (o.cta_sample == 0) throw usage_error("kernel access generator: cta_sample must be >= 1");
  }
  const KernelInfo& info() const override { return info_; }
  bool has_compute() const override { return opt_.instruction_mix; }
  std::uint64_t records() const override { return handed_; }

  bool next_cta(CtaStart& out) override {
    if (next_ >= plan_->ctas()) return false;
    const auto cta = static_cast<std::uint32_t>(next_);
    next_ += opt_.cta_sample;
    const std::uint32_t h = slots_.acquire();
    for (std::uint32_t w = 0; w < plan_->warps(); ++w) {
      auto wp = std::make_unique<Warp>(cta, w, opt_);
      wp->prog = plan_->warp(cta, w, wp->out);
      slots_[h].push_back(std::move(wp));
    }
    out = CtaStart{h, cta, 0, plan_->warps()};
    return true;
  }

  bool fill(std::uint32_t h, std::uint32_t w, std::vector<AccessRecord>& out) override {
    if (h >= slots_.slots().size() || w >= slots_[h].size())
      throw Error(ExitCode::kInternal,
                  "generated kernel source: fill() of a CTA or warp it "
                  "did not hand out");
    Warp& wp = *slots_[h][w];
    const std::size_t before = out.size();
    wp.out.set_dst(&out);
    while (!wp.exited && out.size() == before) wp.exited = !wp.prog.step();
    handed_ += out.size() - before;
    return out.size() > before;
  }

  void release(std::uint32_t h) override {
    slots_.at(h).clear();
    slots_.release(h);
  }

 private:
  struct Warp {
    Warp(std::uint32_t cta, std::uint32_t w, const KernelGenOptions& o)
        : out(cta, w, o.kernel_index, o.instruction_mix) {}
    detail::WarpOut out;  // the program refers to it: a Warp never moves
    detail::WarpProgram prog;
    bool exited = false;
  };

  std::unique_ptr<detail::KernelPlan> plan_;
  KernelInfo info_;
  KernelGenOptions opt_;
  std::uint64_t next_ = 0, handed_ = 0;
  SlotPool<std::vector<std::unique_ptr<Warp>>> slots_;  // per CTA handle, its warps
};

AccessRecord structure_record(RecordKind kind, std::uint32_t cta, std::uint32_t warp,
                              std::uint16_t kernel) {
  AccessRecord r;
  r.kind = static_cast<std::uint8_t>(kind);
  r.cta = cta;
  r.warp = static_cast<std::uint16_t>(warp);
  r.kernel = kernel;
  r.size = 0;
  return r;
}

// --- wave order ----------------------------------------------------------------------------------

// Writes a kernel's records as up to `window` resident CTAs would run: cta_begin of each CTA when
// it becomes resident; then rounds, each giving every live warp of every resident CTA (in
// residency order, warps in order) one fill(), i.e. one program point; a warp whose fill() says
// it has exited gets its warp_exit; a CTA whose warps have all exited is released and its place
// taken by the next CTA (its cta_begin written there and then). `structure` false: no cta_begin
// or warp_exit records (memory-only traces).
class WaveWriter {
 public:
  WaveWriter(KernelRecordSource& src, std::uint16_t kernel, bool structure, const AccessSink& put)
      : src_(src), kernel_(kernel), structure_(structure), put_(put) {}

  void run(std::uint32_t window) {
    for (Resident r; res_.size() < window && admit(r);) res_.push_back(r);
    while (!res_.empty())
      for (std::size_t i = 0; i < res_.size();) {
        if (round(res_[i])) {
          ++i;
          continue;
        }
        src_.release(res_[i].c.handle);
        if (admit(res_[i]))
          ++i;
        else
          res_.erase(res_.begin() + static_cast<std::ptrdiff_t>(i));
      }
  }

 private:
  struct Resident {
    CtaStart c;
    std::vector<bool> live;
    std::uint32_t left = 0;
  };
  bool admit(Resident& r) {
    if (!src_.next_cta(r.c)) return false;
    r.live.assign(r.c.warps, true);
    r.left = r.c.warps;
    if (structure_) put_(structure_record(RecordKind::kCtaBegin, r.c.cta, 0, kernel_));
    return true;
  }
  // One program point of every live warp of `r`; false once all its warps have exited.
  bool round(Resident& r) {
    for (std::uint32_t w = 0; w < r.c.warps; ++w) {
      if (!r.live[w]) continue;
      buf_.clear();
      if (src_.fill(r.c.handle, w, buf_)) {
        for (const auto& rec : buf_) put_(rec);
        continue;
      }
      r.live[w] = false;
      --r.left;
      if (structure_) put_(structure_record(RecordKind::kWarpExit, r.c.cta, w, kernel_));
    }
    return r.left > 0;
  }

  KernelRecordSource& src_;
  std::uint16_t kernel_;
  bool structure_;
  const AccessSink& put_;
  std::vector<Resident> res_;
  std::vector<AccessRecord> buf_;
};

// --- building records for a shape --------------------------------------------------------------

// A launch record; grid, block, smem and regs come from the kernel's plan (build_kernel_launches)
// except where the plan takes them from the record (the GELU, add and decode grids, the
// combine's block).
OpRecord make_record(RefKernel k, DType dt,
                     std::vector<std::pair<std::string, std::uint64_t>> shape,
                     std::vector<TensorRef> tensors, std::optional<Dim3> grid = {},
                     std::optional<Dim3> block = {}) {
  OpRecord r;
  r.kernel = std::string(ref_kernel_name(k));
  for (const auto& e : kKernels)
    if (e.kernel == k) r.op = e.op;
  r.shape = std::move(shape);
  r.dtype = dt;
  r.tensors = std::move(tensors);
  r.grid = grid;
  r.block = block;
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
  l.rec = make_record(RefKernel::kGemm, dt, sh, {A, B, C});
  l.b_layout = lay;
  return l;
}

KernelLaunch softmax_launch(DType dt, std::uint64_t rows, std::uint64_t cols, TensorRef x,
                            TensorRef y) {
  x.name = "x", y.name = "y";
  KernelLaunch l;
  l.rec = make_record(RefKernel::kSoftmax, dt, {{"rows", rows}, {"cols", cols}}, {x, y});
  return l;
}

// gelu_kernel (x -> y) or add_kernel (a, b -> y) over n elements, with its launcher's grid.
KernelLaunch grid_stride_launch(RefKernel k, DType dt, std::uint64_t n, TensorArena& lay,
                                std::uint32_t sms) {
  const std::uint64_t es = dtype_bytes(dt);
  const auto names = k == RefKernel::kAdd ? std::vector<const char*>{"a", "b", "y"}
                                          : std::vector<const char*>{"x", "y"};
  std::vector<TensorRef> ts;
  for (const char* name : names) ts.push_back(lay.add(name, n * es));
  KernelLaunch l;
  l.rec = make_record(k, dt, {{"n", n}}, std::move(ts), Dim3{grid_stride_grid(n, es, sms), 1, 1});
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

OpKind ref_kernel_op(RefKernel k) {
  for (const auto& e : kKernels)
    if (e.kernel == k) return e.op;
  return OpKind::kElementwise;
}

std::unique_ptr<KernelRecordSource> make_generated_kernel_source(const KernelLaunch& launch,
                                                                 const KernelGenOptions& opt) {
  return std::make_unique<GeneratedSource>(launch, opt);
}

std::uint64_t generate_kernel_accesses(const KernelLaunch& launch, const KernelGenOptions& opt,
                                       const AccessSink& sink) {
  GeneratedSource src(launch, opt);
  const bool structure = opt.instruction_mix;
  std::uint64_t n = 0;
  const auto put = [&](const AccessRecord& r) {
    sink(r);
    ++n;
  };
  std::vector<AccessRecord> buf;
  CtaStart c;
  while (src.next_cta(c)) {
    if (structure) put(structure_record(RecordKind::kCtaBegin, c.cta, 0, opt.kernel_index));
    for (std::uint32_t w = 0; w < c.warps; ++w) {
      for (buf.clear(); src.fill(c.handle, w, buf); buf.clear())
        for (const auto& r : buf) put(r);
      if (structure) put(structure_record(RecordKind::kWarpExit, c.cta, w, opt.kernel_index));
    }
    src.release(c.handle);
  }
  return n;
}

std::vector<AccessRecord> kernel_accesses(const KernelLaunch& launch, const KernelGenOptions& opt) {
  std::vector<AccessRecord> out;
  generate_kernel_accesses(launch, opt, [&](const AccessRecord& a) { out.push_back(a); });
  return out;
}

std::string kernel_op_names() {
  return "gemm, gemv, softmax, layernorm, gelu, add, sdpa_flash, sdpa_naive, decode";
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
  TensorArena lay{o.base_address, o.align};
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
    l.rec = make_record(RefKernel::kGemv, dt, {{"M", M}, {"K", K}}, {W, x, y});
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
      KernelLaunch l;
      l.rec =
          make_record(RefKernel::kLayernorm, dt, {{"rows", rows}, {"cols", cols}}, {x, g, b, y});
      out.push_back(l);
    }
  } else if (op == "gelu" || op == "add") {
    shape_only(shape, op, {"n"});
    out.push_back(grid_stride_launch(op == "add" ? RefKernel::kAdd : RefKernel::kGelu, dt,
                                     shape_get(shape, op, "n"), lay, o.sm_count));
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
                          {Q, K, V, O});
      l.rec.causal = o.causal;
      out.push_back(l);
    } else {
      // harness/ops.cpp NaiveSdpa: S = Q K^T / sqrt(d) (masked), P = softmax(S) in place, O = P V.
      auto Q = lay.add("Q", e), K = lay.add("K", e), V = lay.add("V", e);
      auto S = lay.add("S", bh * N * N * es);
      auto O = lay.add("O", e);
      out.push_back(gemm_launch(dt, N, N, d, bh, Q, K, S, GemmBLayout::kNK));
      out.back().gemm_causal = o.causal;
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
                        Dim3{u32(splits, "splits"), u32(bh, "B*H"), 1});
    out.push_back(s);
    KernelLaunch c;
    c.rec = make_record(RefKernel::kDecodeCombine, dt, {{"n", bh * d}}, {P, Y},
                        Dim3{u32(bh, "B*H"), 1, 1}, Dim3{u32(d, "d"), 1, 1});
    c.kv_len = L;
    out.push_back(c);
  } else {
    throw usage_error("kernel: unknown op '" + std::string(op) + "'; expected " +
                      kernel_op_names());
  }
  // Validate now, so a bad shape fails before anything is written; the launch configuration.
  for (auto& l : out) {
    check_op_record(l.rec, SourceLoc{"kernel " + std::string(op)});
    const auto plan = detail::make_kernel_plan(l);
    l.rec.grid = plan->grid(), l.rec.block = plan->block();
    l.rec.smem = plan->smem(), l.rec.regs = plan->regs();
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
  if (l.rec.regs == 0 && parse_ref_kernel(l.rec.kernel))
    l.rec.regs = detail::make_kernel_plan(l)->regs();
  return l;
}

AccessTraceMeta kernel_trace_meta(const std::vector<KernelLaunch>& launches,
                                  const KernelTraceOptions& opt) {
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNone;
  m.tool = "accsim kernel access generator";
  for (const auto& l : launches) m.kernels.push_back(kernel_info(l, *detail::make_kernel_plan(l)));
  m.capture = {{"generator", "workloads/gen/kernel_access (synthetic, CPU)"},
               {"record", "one per 32-byte sector per warp access"},
               {"cta_sample", opt.cta_sample},
               {"instruction_mix", opt.instruction_mix},
               {"order",
                "waves: up to wave_ctas resident CTAs, interleaved warp by warp and "
                "program point by program point"},
               {"wave_ctas", opt.wave_ctas},
               {"timestamps", "none"},
               {"sm", "not modelled (0)"}};
  return m;
}

AccessTraceMeta kernel_trace_meta(const std::vector<KernelLaunch>& launches,
                                  std::uint32_t cta_sample) {
  KernelTraceOptions opt;
  opt.cta_sample = cta_sample;
  return kernel_trace_meta(launches, opt);
}

std::uint64_t write_kernel_trace(const std::string& path, const std::vector<KernelLaunch>& launches,
                                 const KernelTraceOptions& opt) {
  if (launches.size() > std::numeric_limits<std::uint16_t>::max())
    throw usage_error("kernel trace: at most 65535 launches per file");
  if (opt.wave_ctas == 0) throw usage_error("kernel trace: wave_ctas must be >= 1");
  std::vector<std::unique_ptr<KernelRecordSource>> sources;  // checks every launch first
  for (std::size_t j = 0; j < launches.size(); ++j) {
    KernelGenOptions g;
    g.cta_sample = opt.cta_sample;
    g.kernel_index = static_cast<std::uint16_t>(j);
    g.instruction_mix = opt.instruction_mix;
    sources.push_back(make_generated_kernel_source(launches[j], g));
  }
  AccessTraceWriter w(path, kernel_trace_meta(launches, opt), opt.writer);
  const AccessSink put = [&](const AccessRecord& r) { w.append(r); };
  for (std::size_t j = 0; j < sources.size(); ++j) {
    WaveWriter(*sources[j], static_cast<std::uint16_t>(j), opt.instruction_mix, put)
        .run(opt.wave_ctas);
    sources[j].reset();
  }
  w.close();
  return w.records();
}

}  // namespace accsim::workloads
