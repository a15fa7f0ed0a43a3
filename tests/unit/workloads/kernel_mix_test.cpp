// The generator's instruction mix, streaming source and wave order (workloads/gen/kernel_access.h):
// (a) per kernel, each instruction class's total over the grid and the commit / wait / barrier
// counts equal closed forms derived from the kernel's tiling and kernel_mix.h's bodies (the table
// in workloads/README.md, "Instruction mix"); (b) structure: equal barrier counts per CTA, waits
// within the committed groups, every load committed and waited for before the compute that uses
// it; (c) the streamed source yields, warp by warp, the sink-based generator's records, whatever
// order the warps are asked in; (d) a written file streams back through open_trace_kernels with
// the same per-warp records and a read-ahead buffer bounded independently of the grid; (e) the
// largest batch fill() returns does not grow with K, N, L or the row length.
#include "workloads/trace/kernel_mix.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "tests/unit/workloads/kernel_test_util.h"
#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/kernel_source.h"

namespace accsim::workloads {
namespace {

using testing::is_kind;
using testing::per_warp;
using Shape = std::vector<std::pair<std::string, std::uint64_t>>;

std::uint64_t cdiv(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

KernelBuildOptions opts(DType dt = DType::kFp16, bool causal = false, std::uint32_t sms = 132) {
  KernelBuildOptions o;
  o.dtype = dt;
  o.causal = causal;
  o.sm_count = sms;
  return o;
}

KernelLaunch one(const std::string& op, const Shape& sh, const KernelBuildOptions& o = {}) {
  return build_kernel_launches(op, sh, o).at(0);
}

// --- (a) totals ----------------------------------------------------------------------------------

// Instructions per class, and records per kind, over a kernel's grid.
struct Totals {
  std::array<std::uint64_t, kInstrClassCount> instr{};
  std::uint64_t compute = 0, commit = 0, wait = 0, barrier = 0;
  // The body runs `times` times over the grid.
  void add(const mix::Body& b, std::uint64_t times) {
    for (std::uint32_t i = 0; i < b.count; ++i)
      instr[static_cast<std::uint32_t>(b.items[i].cls)] += std::uint64_t{b.items[i].n} * times;
    compute += std::uint64_t{b.count} * times;
  }
  bool operator==(const Totals&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Totals& t) {
  for (std::uint32_t c = 0; c < kInstrClassCount; ++c)
    if (t.instr[c]) os << kInstrClasses[c].name << " " << t.instr[c] << ", ";
  return os << "compute records " << t.compute << ", commit " << t.commit << ", wait " << t.wait
            << ", barrier " << t.barrier;
}

Totals tally(const std::vector<AccessRecord>& recs) {
  Totals t;
  for (const auto& r : recs) {
    if (is_kind(r, RecordKind::kCompute)) {
      t.instr.at(r.size) += r.address;
      ++t.compute;
    }
    t.commit += is_kind(r, RecordKind::kCommit);
    t.wait += is_kind(r, RecordKind::kWait);
    t.barrier += is_kind(r, RecordKind::kBarrier);
  }
  return t;
}

std::vector<AccessRecord> gen(const KernelLaunch& l) {
  return kernel_accesses(l);
}

// gemm_tc_kernel: per warp the prologue, K/32 - 1 load_tile, K/32 ktile bodies, the epilogue;
// K/32 + 1 commits, K/32 waits, 2 K/32 barriers.
Totals gemm_totals(std::uint64_t M, std::uint64_t N, std::uint64_t K, std::uint64_t batch, bool nk,
                   bool bf16, bool causal) {
  const std::uint64_t warps = 8 * cdiv(N, 128) * cdiv(M, 128) * batch, T = K / 32;
  Totals t;
  t.add(mix::gemm_prologue(nk), warps);
  t.add(mix::gemm_load_tile(nk), warps * (T - 1));
  t.add(mix::gemm_ktile(bf16), warps * T);
  t.add(mix::gemm_epilogue(bf16, causal), warps);
  t.commit = warps * (T + 1), t.wait = warps * T, t.barrier = warps * 2 * T;
  return t;
}

TEST(KernelMix, GemmTotalsFollowTheTiling) {
  for (auto lay : {GemmBLayout::kNK, GemmBLayout::kKN})
    for (DType dt : {DType::kFp16, DType::kBf16})
      for (bool causal : {false, true}) {
        const std::uint64_t M = 200, N = 136, K = 96, batch = 2;
        auto l = one("gemm", {{"M", M}, {"N", N}, {"K", K}, {"batch", batch}}, opts(dt));
        l.b_layout = lay;
        l.gemm_causal = causal;
        const bool nk = lay == GemmBLayout::kNK, bf16 = dt == DType::kBf16;
        const Totals got = tally(gen(l)), want = gemm_totals(M, N, K, batch, nk, bf16, causal);
        EXPECT_EQ(got, want) << nk << bf16 << causal;
        // The headline: mma = ceil(M/128) ceil(N/128) batch x 8 warps x K/32 x 32.
        const auto mma = static_cast<std::uint32_t>(bf16 ? InstrClass::kMmaBf16F32M16N8K16
                                                         : InstrClass::kMmaF16F32M16N8K16);
        EXPECT_EQ(got.instr[mma], 2 * 2 * batch * 8 * (K / 32) * 32);
      }
}

// gemv_kernel: warps with a row (M of them) run the prologue, ceil((K/kv)/128) trips of load and
// step, the epilogue; one commit and one wait per trip; the other warps nothing.
TEST(KernelMix, GemvTotalsFollowTheTiling) {
  for (DType dt : {DType::kFp16, DType::kBf16, DType::kFp32}) {
    const std::uint64_t M = 21, K = 1048, kv = 16 / dtype_bytes(dt), trips = cdiv(K / kv, 128);
    const auto e = dt == DType::kFp32   ? mix::Elem::kF32
                   : dt == DType::kBf16 ? mix::Elem::kBF16
                                        : mix::Elem::kF16;
    Totals want;
    want.add(mix::gemv_prologue(), M);
    want.add(mix::gemv_load(), M * trips);
    want.add(mix::gemv_step(e), M * trips);
    want.add(mix::gemv_epilogue(e), M);
    want.commit = want.wait = M * trips;
    EXPECT_EQ(tally(gen(one("gemv", {{"M", M}, {"K", K}}, opts(dt)))), want) << dtype_name(dt);
  }
}

mix::Elem elem(DType dt) {
  return dt == DType::kFp32   ? mix::Elem::kF32
         : dt == DType::kBf16 ? mix::Elem::kBF16
                              : mix::Elem::kF16;
}

// Row kernels: a warp trip covers 32 consecutive vectors (or elements) and the trips of a row go
// round-robin over the warps, so a row has ceil(nvec / 32) vector trips per pass, nvec = cols/kv
// when cols % kv == 0, and otherwise ceil(cols / 32) scalar trips.
struct RowTrips {
  std::uint64_t vec = 0, scalar = 0;
};
RowTrips row_trips(std::uint64_t cols, DType dt) {
  const std::uint64_t kv = 16 / dtype_bytes(dt);
  return cols % kv == 0 ? RowTrips{cdiv(cols / kv, 32), 0} : RowTrips{0, cdiv(cols, 32)};
}

// softmax_kernel: per warp prologue, reduce_warp, reduce_block, one barrier; per trip of each
// pass its load body, a commit, a wait and its math body.
TEST(KernelMix, SoftmaxTotalsFollowTheTiling) {
  struct Case {
    std::uint64_t rows, cols;
    DType dt;
  };
  for (const auto& c : {Case{3, 4096, DType::kFp16}, Case{2, 40000, DType::kBf16},
                        Case{5, 1001, DType::kFp16}, Case{4, 100, DType::kFp32}}) {
    const auto l = one("softmax", {{"rows", c.rows}, {"cols", c.cols}}, opts(c.dt));
    const std::uint64_t warps = c.rows * l.rec.block->at(0) / 32;
    const RowTrips t = row_trips(c.cols, c.dt);
    const mix::Elem e = elem(c.dt);
    Totals want;
    want.add(mix::softmax_prologue(), warps);
    want.add(mix::softmax_reduce_warp(), warps);
    want.add(mix::softmax_reduce_block(), warps);
    for (bool vec : {true, false}) {
      const std::uint64_t trips = c.rows * (vec ? t.vec : t.scalar);
      want.add(mix::softmax_pass1_load(e, vec), trips);
      want.add(mix::softmax_pass1(e, vec), trips);
      want.add(mix::softmax_pass2_load(e, vec), trips);
      want.add(mix::softmax_pass2(e, vec), trips);
      want.commit += 2 * trips;
    }
    want.wait = want.commit;
    want.barrier = warps;
    EXPECT_EQ(tally(gen(l)), want) << c.cols;
  }
}

// layernorm_kernel: per warp prologue, 2 x (reduce_warp, reduce_store), mean, rstd, 4 barriers;
// per trip of each of the 3 passes its load body, a commit, a wait and its math body.
TEST(KernelMix, LayernormTotalsFollowTheTiling) {
  struct Case {
    std::uint64_t rows, cols;
    DType dt;
  };
  for (const auto& c :
       {Case{3, 768, DType::kFp16}, Case{4, 1001, DType::kBf16}, Case{2, 5000, DType::kFp32}}) {
    const auto l = one("layernorm", {{"rows", c.rows}, {"cols", c.cols}}, opts(c.dt));
    const std::uint64_t warps = c.rows * l.rec.block->at(0) / 32;
    const RowTrips t = row_trips(c.cols, c.dt);
    const mix::Elem e = elem(c.dt);
    Totals want;
    want.add(mix::layernorm_prologue(), warps);
    want.add(mix::layernorm_reduce_warp(), 2 * warps);
    want.add(mix::layernorm_reduce_store(), 2 * warps);
    want.add(mix::layernorm_mean(), warps);
    want.add(mix::layernorm_rstd(), warps);
    for (bool vec : {true, false}) {
      const std::uint64_t trips = c.rows * (vec ? t.vec : t.scalar);
      want.add(mix::layernorm_pass1_load(e, vec), trips);
      want.add(mix::layernorm_pass1(e, vec), trips);
      want.add(mix::layernorm_pass2_load(e, vec), trips);
      want.add(mix::layernorm_pass2(e, vec), trips);
      want.add(mix::layernorm_pass3_load(e, vec), trips);
      want.add(mix::layernorm_pass3(e, vec), trips);
      want.commit += 3 * trips;
    }
    want.wait = want.commit;
    want.barrier = 4 * warps;
    EXPECT_EQ(tally(gen(l)), want) << c.cols;
  }
}

// gelu_kernel: every warp runs the prologue; over the grid, one vector trip per 32 consecutive
// vectors (ceil(nvec/32), nvec = n / kv) and one scalar trip when n % kv != 0 (CTA 0, warp 0).
TEST(KernelMix, GeluTotalsFollowTheTiling) {
  struct Case {
    std::uint64_t n;
    DType dt;
  };
  for (const auto& c : {Case{100003, DType::kFp16}, Case{4096, DType::kFp32}, Case{7, DType::kBf16},
                        Case{50001, DType::kFp32}}) {
    const auto l = one("gelu", {{"n", c.n}}, opts(c.dt, false, 1));
    const std::uint64_t kv = 16 / dtype_bytes(c.dt), warps = 8 * l.rec.grid->at(0);
    const std::uint64_t vec = cdiv(c.n / kv, 32), scalar = c.n % kv != 0;
    const mix::Elem e = elem(c.dt);
    Totals want;
    want.add(mix::gelu_prologue(), warps);
    want.add(mix::gelu_load(e, true), vec);
    want.add(mix::gelu_step(e, true), vec);
    want.add(mix::gelu_load(e, false), scalar);
    want.add(mix::gelu_step(e, false), scalar);
    want.commit = want.wait = vec + scalar;
    EXPECT_EQ(tally(gen(l)), want) << c.n;
  }
}

// add_kernel: gelu_kernel's trips with add's bodies: the prologue per warp, ceil(nvec / 32)
// vector trips and one scalar trip when n % kv != 0; per trip one commit and one wait (the two
// loads are one group). Counts per trip, f16 vector: 16 unpacks + 4 packs (cvt), 8 add.f32.
TEST(KernelMix, AddTotalsFollowTheTiling) {
  struct Case {
    std::uint64_t n;
    DType dt;
  };
  for (const auto& c : {Case{100003, DType::kFp16}, Case{4096, DType::kFp32}, Case{7, DType::kBf16},
                        Case{20, DType::kFp16}, Case{50001, DType::kFp32}}) {
    const auto l = one("add", {{"n", c.n}}, opts(c.dt, false, 1));
    const std::uint64_t kv = 16 / dtype_bytes(c.dt), warps = 8 * l.rec.grid->at(0);
    const std::uint64_t vec = cdiv(c.n / kv, 32), scalar = c.n % kv != 0;
    const mix::Elem e = elem(c.dt);
    Totals want;
    want.add(mix::add_prologue(), warps);
    want.add(mix::add_load(e, true), vec);
    want.add(mix::add_step(e, true), vec);
    want.add(mix::add_load(e, false), scalar);
    want.add(mix::add_step(e, false), scalar);
    want.commit = want.wait = vec + scalar;
    const Totals got = tally(gen(l));
    EXPECT_EQ(got, want) << c.n;
    // The same in warp-instructions (workloads/README.md): one add.f32 per element of a lane
    // (kv per vector trip, 1 per scalar trip); 16-bit types 2 unpacks per element and a pack per
    // 2 elements (vector trips) or per element (the tail).
    EXPECT_EQ(got.instr[static_cast<std::uint32_t>(InstrClass::kFfma)], vec * kv + scalar) << c.n;
    const bool half = c.dt != DType::kFp32;
    EXPECT_EQ(got.instr[static_cast<std::uint32_t>(InstrClass::kCvt)],
              half ? vec * (2 * kv + kv / 2) + scalar * 3 : 0)
        << c.n;
  }
}

// flash_fwd_kernel, Q = N/128 query tiles per head, 8 warps each. A CTA visits T key tiles
// (N/64; causal: query tile qb visits 2 qb + 2); per warp one copy body per 16-byte copy trip
// (d/16 for Q, d/16 per key tile: K and V d/32 each, tiles 0 .. T-1), T + 1 commits, T waits,
// 2 T barriers. Non-causal: every warp computes every tile. Causal, query tile qb: warps 0-3
// compute tiles 0 .. 2qb (the last one masked), warps 4-7 tiles 0 .. 2qb+1 (the last masked);
// per head 8Q^2 - 4Q unmasked and 8Q masked tiles, sum of T over the tiles Q(Q+1).
Totals flash_totals(std::uint64_t bh, std::uint64_t N, std::uint64_t d, bool causal, bool bf16) {
  const std::uint64_t Q = N / 128, sum_t = causal ? Q * (Q + 1) : Q * (N / 64);
  const int di = static_cast<int>(d);
  Totals t;
  t.add(mix::flash_prologue(di), bh * 8 * Q);
  t.add(mix::flash_epilogue(bf16, di), bh * 8 * Q);
  t.add(mix::flash_copy(di), bh * 8 * (d / 16) * (Q + sum_t));
  t.add(mix::flash_tile(bf16, di, false), bh * (causal ? 8 * Q * Q - 4 * Q : 8 * Q * (N / 64)));
  t.add(mix::flash_tile(bf16, di, true), causal ? bh * 8 * Q : 0);
  t.commit = bh * 8 * (Q + sum_t), t.wait = bh * 8 * sum_t, t.barrier = bh * 8 * 2 * sum_t;
  return t;
}

TEST(KernelMix, FlashTotalsFollowTheTilingAndTheCausalSkips) {
  for (bool causal : {false, true})
    for (std::uint64_t d : {64, 128})
      for (DType dt : {DType::kFp16, DType::kBf16}) {
        const std::uint64_t B = 1, H = 2, N = 384;
        const auto l =
            one("sdpa_flash", {{"B", B}, {"H", H}, {"N", N}, {"d", d}}, opts(dt, causal));
        EXPECT_EQ(tally(gen(l)), flash_totals(B * H, N, d, causal, dt == DType::kBf16))
            << causal << " d " << d;
      }
}

// decode_split_kernel, S splits of chunk = ceil(L/S) keys, 4 warps, 1024/d key groups per CTA:
// split s has steps_s = ceil(keys_s / (4 x 1024/d)) steps; per warp prologue, q, merge, one
// barrier, 1 + steps_s commits and waits, steps_s load and step bodies; the combine body in the
// d/32 warps that own output columns. decode_combine_kernel, d/32 warps: prologue, S x
// (max_load, max), S sum_load, E x (sum_load2, sum), epilogue, 2 S + E commits and waits,
// E = ceil(L/chunk) splits with keys.
TEST(KernelMix, DecodeTotalsFollowTheSplits) {
  struct Case {
    std::uint64_t L, d, splits;
  };
  for (const auto& c : {Case{1000, 64, 7}, Case{4096, 128, 0}, Case{9, 128, 4}, Case{300, 64, 3}}) {
    Shape sh{{"B", 1}, {"H", 3}, {"L", c.L}, {"d", c.d}};
    if (c.splits) sh.emplace_back("splits", c.splits);
    const auto ls = build_kernel_launches("decode", sh, opts(DType::kBf16));
    const std::uint64_t S = ls[0].rec.grid->at(0), BH = 3, chunk = cdiv(c.L, S);
    const int d = static_cast<int>(c.d);
    std::uint64_t steps = 0;
    for (std::uint64_t s = 0; s < S; ++s) {
      const std::uint64_t b = std::min(c.L, s * chunk), e = std::min(c.L, (s + 1) * chunk);
      steps += cdiv(e - b, 4 * (1024 / c.d));
    }
    Totals split;
    split.add(mix::decode_split_prologue(d), BH * 4 * S);
    split.add(mix::decode_split_q(true), BH * 4 * S);
    split.add(mix::decode_split_merge(d), BH * 4 * S);
    split.add(mix::decode_split_combine(d), BH * S * (c.d / 32));
    split.add(mix::decode_split_load(d), BH * 4 * steps);
    split.add(mix::decode_split_step(true, d), BH * 4 * steps);
    split.barrier = BH * 4 * S;
    split.commit = split.wait = BH * 4 * (S + steps);
    EXPECT_EQ(tally(gen(ls[0])), split) << c.L;
    const std::uint64_t warps = BH * c.d / 32, E = cdiv(c.L, chunk);
    Totals comb;
    comb.add(mix::decode_combine_prologue(), warps);
    comb.add(mix::decode_combine_max_load(), warps * S);
    comb.add(mix::decode_combine_max(), warps * S);
    comb.add(mix::decode_combine_sum_load(), warps * S);
    comb.add(mix::decode_combine_sum_load2(), warps * E);
    comb.add(mix::decode_combine_sum(), warps * E);
    comb.add(mix::decode_combine_epilogue(true), warps);
    comb.commit = comb.wait = warps * (2 * S + E);
    EXPECT_EQ(tally(gen(ls[1])), comb) << c.L;
  }
}

// The mix changes no memory record but for marking cp.async loads as going to shared memory
// (bit 1, version 2), and memory-only generation has no other record.
TEST(KernelMix, TheMixLeavesTheMemoryRecordsAsTheyAre) {
  std::vector<KernelLaunch> ls = build_kernel_launches(
      "sdpa_naive", {{"B", 1}, {"H", 2}, {"N", 256}, {"d", 64}}, opts(DType::kFp16, true));
  ls.push_back(one("gelu", {{"n", 1003}}));
  ls.push_back(one("add", {{"n", 1003}}));
  for (const auto& l : ls) {
    KernelGenOptions mem;
    mem.instruction_mix = false;
    const auto only = kernel_accesses(l, mem);
    std::vector<AccessRecord> filtered;
    for (auto r : gen(l))
      if (is_memory_kind(r.kind)) {
        EXPECT_EQ((r.flags & kFlagToShared) != 0, (r.flags & kFlagL1Bypass) != 0)
            << "every L1-bypassing load of the reference kernels is a cp.async";
        r.flags &= static_cast<std::uint8_t>(~kFlagToShared);
        filtered.push_back(r);
      }
    EXPECT_EQ(only, filtered) << l.rec.kernel;
    for (const auto& r : only) ASSERT_TRUE(is_memory_kind(r.kind));
  }
}

// Registers per thread: kernel_mix.h's, on the built records, the source and an op-trace record
// that lacks them; a record's own value is kept.
TEST(KernelMix, RegistersComeFromKernelMix) {
  const auto g = one("gemm", {{"M", 128}, {"N", 128}, {"K", 32}}, opts(DType::kBf16));
  EXPECT_EQ(g.rec.regs, static_cast<std::uint32_t>(mix::regs_gemm(true, true)));
  const auto f = one("sdpa_flash", {{"B", 1}, {"H", 1}, {"N", 128}, {"d", 64}});
  EXPECT_EQ(make_generated_kernel_source(f)->info().regs,
            static_cast<std::uint32_t>(mix::regs_flash(false, 64)));
  const auto s = one("softmax", {{"rows", 2}, {"cols", 64}}, opts(DType::kFp32));
  EXPECT_EQ(s.rec.regs, static_cast<std::uint32_t>(mix::regs_softmax(mix::Elem::kF32)));
  std::vector<OpRecord> recs{g.rec};
  recs[0].regs = 0;
  EXPECT_EQ(launch_from_op_trace(recs, 0).rec.regs, g.rec.regs);
  recs[0].regs = 200;
  EXPECT_EQ(launch_from_op_trace(recs, 0).rec.regs, 200u);
  EXPECT_EQ(make_generated_kernel_source(launch_from_op_trace(recs, 0))->info().regs, 200u);
}

// --- (b) structure -------------------------------------------------------------------------------

// One warp's records against the format's rules and the kernels' use of them: a wait asks for no
// more groups than are in flight and comes after every load was committed; every group holding
// loads is completed by a wait before the warp exits; loads a wait completed are used (a compute
// record comes) before the warp's next load. Returns what is wrong, or "".
std::string check_warp(const std::vector<AccessRecord>& v) {
  std::uint64_t uncommitted = 0;
  std::deque<std::uint64_t> open;  // loads per committed group in flight, oldest first
  bool unused = false;             // a wait completed loads no compute has used yet
  for (std::size_t i = 0; i < v.size(); ++i) {
    const AccessRecord& r = v[i];
    const std::string at = "record " + std::to_string(i) + ": ";
    if (is_kind(r, RecordKind::kLoad)) {
      if (unused) return at + "a load before the loads a wait completed were used";
      ++uncommitted;
    } else if (is_kind(r, RecordKind::kCommit)) {
      open.push_back(uncommitted);
      uncommitted = 0;
    } else if (is_kind(r, RecordKind::kWait)) {
      if (uncommitted) return at + "a wait with uncommitted loads";
      if (r.address > open.size())
        return at + "wait " + std::to_string(r.address) + " with " + std::to_string(open.size()) +
               " groups in flight";
      for (; open.size() > r.address; open.pop_front()) unused |= open.front() > 0;
    } else if (is_kind(r, RecordKind::kCompute)) {
      unused = false;
    }
  }
  if (uncommitted) return "loads never committed";
  for (std::uint64_t g : open)
    if (g) return "a group of loads never waited for";
  if (unused) return "loads waited for and never used";
  return {};
}

// Every warp of a kernel (per_warp keys), and equal barrier counts within each CTA.
void check_structure(const std::vector<AccessRecord>& recs, const std::string& what) {
  std::map<std::uint32_t, std::set<std::uint64_t>> barriers;  // per CTA: the warps' counts
  for (const auto& [key, v] : per_warp(recs)) {
    const std::string bad = check_warp(v);
    EXPECT_EQ(bad, "") << what << " CTA " << std::get<1>(key) << " warp " << std::get<2>(key);
    std::uint64_t n = 0;
    for (const auto& r : v) n += is_kind(r, RecordKind::kBarrier);
    barriers[std::get<1>(key)].insert(n);
  }
  for (const auto& [cta, counts] : barriers)
    EXPECT_EQ(counts.size(), 1u) << what << " CTA " << cta << ": warps differ in barriers";
}

// A varied set of small launches: every kernel, both B layouts, causal and not, vector and
// scalar row paths, edge tiles, idle GEMV warps, empty decode splits.
std::vector<KernelLaunch> variety() {
  std::vector<KernelLaunch> ls;
  for (const auto& l : build_kernel_launches(
           "sdpa_naive", {{"B", 1}, {"H", 1}, {"N", 256}, {"d", 64}}, opts(DType::kBf16, true)))
    ls.push_back(l);
  ls.push_back(one("gemm", {{"M", 200}, {"N", 136}, {"K", 96}}));
  ls.push_back(one("gemv", {{"M", 21}, {"K", 1048}}));
  ls.push_back(one("softmax", {{"rows", 3}, {"cols", 1001}}));
  ls.push_back(one("layernorm", {{"rows", 2}, {"cols", 768}}, opts(DType::kFp32)));
  ls.push_back(one("gelu", {{"n", 100003}}, opts(DType::kFp16, false, 1)));
  ls.push_back(one("add", {{"n", 100003}}, opts(DType::kBf16, false, 1)));
  for (bool causal : {false, true})
    for (std::uint64_t d : {64, 128})
      ls.push_back(one("sdpa_flash", {{"B", 1}, {"H", 1}, {"N", 512}, {"d", d}},
                       opts(DType::kFp16, causal)));
  for (const auto& l :
       build_kernel_launches("decode", {{"B", 1}, {"H", 2}, {"L", 9}, {"d", 128}, {"splits", 4}}))
    ls.push_back(l);
  for (const auto& l :
       build_kernel_launches("decode", {{"B", 1}, {"H", 2}, {"L", 3000}, {"d", 64}}))
    ls.push_back(l);
  return ls;
}

TEST(KernelMix, EveryWarpCommitsWaitsAndSynchronisesConsistently) {
  for (const auto& l : variety()) check_structure(gen(l), l.rec.kernel);
}

TEST(KernelMix, TheStructureCheckFlagsBrokenStreams) {
  const auto rec = [](RecordKind k, std::uint64_t a = 0) {
    AccessRecord r;
    r.kind = static_cast<std::uint8_t>(k);
    r.address = a;
    return r;
  };
  const auto ld = rec(RecordKind::kLoad), commit = rec(RecordKind::kCommit);
  const auto exec = rec(RecordKind::kCompute, 1);
  EXPECT_EQ(check_warp({ld, commit, rec(RecordKind::kWait), exec}), "");
  EXPECT_NE(check_warp({ld, rec(RecordKind::kWait), exec}), "");             // not committed
  EXPECT_NE(check_warp({ld, commit, rec(RecordKind::kWait, 2), exec}), "");  // too many
  EXPECT_NE(check_warp({ld, commit, exec}), "");                             // never waited
  EXPECT_NE(check_warp({ld, commit, rec(RecordKind::kWait), ld}), "");       // not used
  // A kernel's stream with its first commit dropped fails.
  auto v = per_warp(gen(one("gemv", {{"M", 8}, {"K", 4096}}))).begin()->second;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (is_kind(v[i], RecordKind::kCommit)) {
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  EXPECT_NE(check_warp(v), "");
}

// --- (c)-(e) streaming ---------------------------------------------------------------------------

// The read-ahead of open_trace_kernels' version-2 reader as kernel_source.h describes it: it
// reads records in file order only when the warp asked for has none buffered, stops at the first
// one for that warp (or its warp_exit), hands out all that warp has buffered; next_cta() reads up
// to the next cta_begin. `buffered` counts records read and not yet handed out.
class ReaderModel {
 public:
  explicit ReaderModel(std::vector<AccessRecord> file) : file_(std::move(file)) {}
  std::optional<std::uint32_t> next_cta() {
    while (ready_.empty() && pos_ < file_.size()) take();
    if (ready_.empty()) return std::nullopt;
    const std::uint32_t c = ready_.front();
    ready_.pop_front();
    return c;
  }
  std::uint64_t fill(std::uint32_t cta, std::uint32_t w) {  // records handed out
    Warp& q = warps_[{cta, w}];
    while (q.queued == 0 && !q.exited && pos_ < file_.size()) take();
    const std::uint64_t n = q.queued;
    q.queued = 0;
    buffered_ -= n;
    return n;
  }
  std::uint64_t max_buffered() const { return max_; }

 private:
  struct Warp {
    std::uint64_t queued = 0;
    bool exited = false;
  };
  void take() {
    const AccessRecord& r = file_[pos_++];
    if (is_kind(r, RecordKind::kCtaBegin)) {
      ready_.push_back(r.cta);
    } else if (is_kind(r, RecordKind::kWarpExit)) {
      warps_[{r.cta, r.warp}].exited = true;
    } else {
      ++warps_[{r.cta, r.warp}].queued;
      max_ = std::max(max_, ++buffered_);
    }
  }
  std::vector<AccessRecord> file_;
  std::size_t pos_ = 0;
  std::deque<std::uint32_t> ready_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, Warp> warps_;
  std::uint64_t buffered_ = 0, max_ = 0;
};

// A replay that keeps `resident` CTAs running and asks each live warp for one batch per round
// (a CTA that finishes is replaced by the next): per warp, what the source handed out; the
// largest batch; and, when `model` is given, that its batches are the source's.
struct Replayed {
  testing::PerWarp warps;
  std::uint64_t max_batch = 0;
};
class Replay {
 public:
  Replay(KernelRecordSource& src, ReaderModel* model) : src_(src), model_(model) {}
  Replayed run(std::uint32_t resident) {
    for (Slot s; res_.size() < resident && admit(s);) res_.push_back(s);
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
    return std::move(out_);
  }

 private:
  struct Slot {
    CtaStart c;
    std::vector<bool> live;
    std::uint32_t left = 0;
  };
  bool admit(Slot& s) {
    const bool more = src_.next_cta(s.c);
    if (model_) {
      EXPECT_EQ(model_->next_cta(), more ? std::optional(s.c.cta) : std::nullopt);
    }
    s.live.assign(more ? s.c.warps : 0, true);
    s.left = more ? s.c.warps : 0;
    return more;
  }
  // One batch of every live warp of `s`; false once all its warps have exited.
  bool round(Slot& s) {
    for (std::uint32_t w = 0; w < s.c.warps; ++w) {
      if (!s.live[w]) continue;
      buf_.clear();
      const bool more = src_.fill(s.c.handle, w, buf_);
      if (model_) {
        EXPECT_EQ(model_->fill(s.c.cta, w), buf_.size()) << src_.info().name << " " << s.c.cta;
      }
      out_.max_batch = std::max<std::uint64_t>(out_.max_batch, buf_.size());
      for (const auto& r : buf_) out_.warps[{r.kernel, r.cta, r.warp}].push_back(r);
      if (!more) s.live[w] = false, --s.left;
    }
    return s.left > 0;
  }

  KernelRecordSource& src_;
  ReaderModel* model_;
  std::vector<Slot> res_;
  std::vector<AccessRecord> buf_;
  Replayed out_;
};
Replayed replay(KernelRecordSource& src, std::uint32_t resident, ReaderModel* model = nullptr) {
  return Replay(src, model).run(resident);
}

TEST(KernelStream, TheSourceYieldsTheSinkGeneratorsRecordsPerWarp) {
  for (const auto& l : variety())
    for (bool mix : {true, false})
      for (std::uint32_t resident : {1u, 3u}) {
        KernelGenOptions o;
        o.instruction_mix = mix;
        o.cta_sample = resident;  // sampled and not
        auto src = make_generated_kernel_source(l, o);
        EXPECT_EQ(src->has_compute(), mix);
        const Replayed got = replay(*src, resident);
        const auto want = kernel_accesses(l, o);
        EXPECT_EQ(got.warps, per_warp(want)) << l.rec.kernel << " mix " << mix;
        std::uint64_t n = 0;
        for (const auto& r : want) n += !testing::is_structure(r);
        EXPECT_EQ(src->records(), n);
      }
}

// A source dropped half-way (CTAs handed out and not released, warps suspended inside their
// loops) frees its warps' programs (ASan builds check), and handles of released CTAs are reused.
TEST(KernelStream, ASourceCanBeDroppedHalfWay) {
  auto src = make_generated_kernel_source(one("gemm", {{"M", 512}, {"N", 128}, {"K", 256}}));
  CtaStart a, b, c;
  std::vector<AccessRecord> buf;
  ASSERT_TRUE(src->next_cta(a) && src->next_cta(b));
  for (std::uint32_t w = 0; w < a.warps; ++w) EXPECT_TRUE(src->fill(a.handle, w, buf));
  EXPECT_TRUE(src->fill(b.handle, 3, buf));
  src->release(a.handle);
  ASSERT_TRUE(src->next_cta(c));
  EXPECT_EQ(c.handle, a.handle);
  EXPECT_EQ(c.cta, 2u);
  EXPECT_EQ(src->records(), buf.size());
  src.reset();
}

// (e) The largest batch is one program point's records: the same for a small and a 16x longer
// problem (K, N, the row, L, the splits, n).
TEST(KernelStream, BatchesDoNotGrowWithTheProblem) {
  const auto max_batch = [](const KernelLaunch& l) {
    return replay(*make_generated_kernel_source(l), 2).max_batch;
  };
  const auto both = [&](const std::string& op, const Shape& small, const Shape& big,
                        const KernelBuildOptions& o = {}) {
    const auto a = build_kernel_launches(op, small, o), b = build_kernel_launches(op, big, o);
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(max_batch(a[i]), max_batch(b[i])) << op << " launch " << i;
  };
  both("gemm", {{"M", 128}, {"N", 128}, {"K", 64}}, {{"M", 128}, {"N", 128}, {"K", 1024}});
  both("gemv", {{"M", 8}, {"K", 1024}}, {{"M", 8}, {"K", 16384}});
  both("softmax", {{"rows", 1}, {"cols", 4096}}, {{"rows", 1}, {"cols", 65536}});
  both("layernorm", {{"rows", 1}, {"cols", 4096}}, {{"rows", 1}, {"cols", 65536}});
  both("gelu", {{"n", 1u << 14}}, {{"n", 1u << 18}}, opts(DType::kFp16, false, 1));
  both("add", {{"n", 1u << 14}}, {{"n", 1u << 18}}, opts(DType::kFp16, false, 1));
  both("sdpa_flash", {{"B", 1}, {"H", 1}, {"N", 256}, {"d", 128}},
       {{"B", 1}, {"H", 1}, {"N", 2048}, {"d", 128}}, opts(DType::kFp16, true));
  both("decode", {{"B", 1}, {"H", 1}, {"L", 4096}, {"d", 64}, {"splits", 4}},
       {{"B", 1}, {"H", 1}, {"L", 65536}, {"d", 64}, {"splits", 64}});
}

class KernelStreamFile : public testing::TraceTest {};

// The most records (cta_begin and warp_exit aside) of one CTA of the launch.
std::uint64_t largest_cta(const KernelLaunch& l) {
  std::map<std::uint32_t, std::uint64_t> per_cta;
  for (const auto& r : gen(l)) per_cta[r.cta] += !testing::is_structure(r);
  std::uint64_t most = 0;
  for (const auto& [c, n] : per_cta) most = std::max(most, n);
  return most;
}

// (d) A written file streams back: per warp the generator's records, CTAs in order, and the
// reader's buffer bounded by the wave, not by the grid.
TEST_F(KernelStreamFile, WrittenTracesStreamBackWithABoundedBuffer) {
  std::vector<KernelLaunch> ls = variety();
  KernelTraceOptions o;
  o.wave_ctas = 4;
  write_kernel_trace(path("t.atrace"), ls, o);
  const auto file = read_access_trace(path("t.atrace"));
  testing::PerWarp want;
  for (std::size_t j = 0; j < ls.size(); ++j) {
    KernelGenOptions g;
    g.kernel_index = static_cast<std::uint16_t>(j);
    for (const auto& [k, v] : per_warp(kernel_accesses(ls[j], g))) want[k] = v;
  }
  EXPECT_EQ(per_warp(file), want);
  auto tk = open_trace_kernels(path("t.atrace"));
  testing::PerWarp got;
  std::size_t kernels = 0;
  while (KernelRecordSource* s = tk->next_kernel()) {
    std::vector<AccessRecord> mine;
    for (const auto& r : file)
      if (r.kernel == kernels) mine.push_back(r);
    ReaderModel model(mine);
    for (auto& [k, v] : replay(*s, o.wave_ctas, &model).warps) got[k] = std::move(v);
    EXPECT_LE(model.max_buffered(), o.wave_ctas * largest_cta(ls[kernels])) << s->info().name;
    ++kernels;
  }
  EXPECT_EQ(kernels, ls.size());
  EXPECT_EQ(got, want);
}

// The buffer a replay needs when it runs `resident` CTAs of a file written in waves of `wave`:
// the model's largest read-ahead, checked against the real reader batch by batch.
std::uint64_t buffered(const std::string& p, const KernelLaunch& l, std::uint32_t wave,
                       std::uint32_t resident) {
  KernelTraceOptions o;
  o.wave_ctas = wave;
  write_kernel_trace(p, {l}, o);
  ReaderModel model(read_access_trace(p));
  auto tk = open_trace_kernels(p);
  replay(*tk->next_kernel(), resident, &model);
  return model.max_buffered();
}

// The bound. A replay that runs R CTAs at a time, each warp asked in turn, buffers at most
// max(R, wave) x the largest CTA's records (reading on to the next cta_begin passes at most the
// other resident CTAs' records; at a kernel's end, to learn there is no further CTA, the rest
// of the wave's). One that runs the wave's CTAs (R = wave) on a grid of equal CTAs buffers at
// most one round: every warp of the wave one program point, wave x warps x the largest batch.
// Neither depends on the grid: the same for a 2x2 and a 4x4 grid. A file written CTA after
// CTA (waves of 1) makes the same replay read every record of its first R - 1 CTAs before the
// first one starts.
TEST_F(KernelStreamFile, TheReadAheadIsBoundedByTheWaveNotTheGrid) {
  const std::uint32_t wave = 2;
  std::set<std::uint64_t> same_wave;
  for (std::uint64_t tiles : {2, 4}) {
    const std::uint64_t side = 128 * tiles;
    const auto l = one("gemm", {{"M", side}, {"N", side}, {"K", 128}});
    const std::uint64_t batch = replay(*make_generated_kernel_source(l), 1).max_batch;
    const std::uint64_t cta = largest_cta(l), same = buffered(path("t.atrace"), l, wave, wave);
    EXPECT_LE(same, wave * 8 * batch) << tiles;
    same_wave.insert(same);
    for (std::uint32_t resident : {wave / 2, 2 * wave})
      EXPECT_LE(buffered(path("t.atrace"), l, wave, resident), std::max(resident, wave) * cta)
          << resident;
    EXPECT_GE(buffered(path("t.atrace"), l, 1, wave), (wave - 1) * cta);
  }
  EXPECT_EQ(same_wave.size(), 1u);  // the same for both grids
}

}  // namespace
}  // namespace accsim::workloads
