// The synthetic record generator of the reference kernels (workloads/gen/kernel_access.h), its
// memory records: (a) against every trace captured on a GPU (reference/data/<gpu>/), per CTA, and
// the instruction mix per warp; (b) properties derived independently, element by element, from
// each kernel's tiling: how often each sector of each tensor is read and written, nothing outside
// the tensors, edge predication, causal tile skipping, split-KV coverage, closed-form counts;
// (c) CTA sampling; (d) the written trace round-trips and `trace info` reads it; bad input is an
// error. The instruction mix, the streaming source and the wave order: kernel_mix_test.cpp.
#include "workloads/gen/kernel_access.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "tests/unit/workloads/kernel_test_util.h"
#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/trace/kernel_mix.h"
#include "workloads/trace/op_trace.h"
#include "workloads/trace/trace_file.h"

namespace accsim::workloads {
namespace {

namespace fs = std::filesystem;
using Shape = std::vector<std::pair<std::string, std::uint64_t>>;

// --- helpers ----------------------------------------------------------------------------------

KernelBuildOptions opts(DType dt = DType::kFp16, bool causal = false, std::uint32_t sms = 132) {
  KernelBuildOptions o;
  o.dtype = dt;
  o.causal = causal;
  o.sm_count = sms;
  return o;
}

const TensorRef& find_tensor(const OpRecord& r, const std::string& name) {
  for (const auto& t : r.tensors)
    if (t.name == name) return t;
  throw std::logic_error("no tensor " + name);
}

// Per tensor and sector: loads and stores. Every record must fall inside exactly one tensor
// (a record outside is a test failure).
struct Tally {
  std::map<std::string, std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>>> t;
  std::uint64_t outside = 0;
  std::uint64_t loads(const std::string& n, std::uint64_t s) const {
    auto it = t.find(n);
    if (it == t.end()) return 0;
    auto j = it->second.find(s);
    return j == it->second.end() ? 0 : j->second.first;
  }
  std::uint64_t stores(const std::string& n, std::uint64_t s) const {
    auto it = t.find(n);
    if (it == t.end()) return 0;
    auto j = it->second.find(s);
    return j == it->second.end() ? 0 : j->second.second;
  }
};

Tally tally(const std::vector<AccessRecord>& recs, const std::vector<TensorRef>& tensors) {
  Tally out;
  for (const auto& r : recs) {
    EXPECT_EQ(r.size, 32u);
    EXPECT_EQ(r.address % 32, 0u);
    const TensorRef* hit = nullptr;
    for (const auto& t : tensors) {
      // A sector may start before a tensor that is not sector-aligned; tensors here are.
      if (r.address >= t.addr && r.address < t.addr + t.bytes) {
        if (hit && hit->addr != t.addr) ADD_FAILURE() << "address in two tensors";
        hit = &t;
      }
    }
    if (!hit) {
      ++out.outside;
      continue;
    }
    auto& c = out.t[hit->name][r.address];
    (r.kind == static_cast<std::uint8_t>(AccessKind::kStore) ? c.second : c.first)++;
  }
  return out;
}

// Expected count per sector: the number of distinct instruction groups among the elements of
// the sector. `group(e)` is the warp-level access that touches element e of the tensor, or -1.
using Groups = std::map<std::uint64_t, std::set<std::int64_t>>;
void add_groups(Groups& g, const TensorRef& t, std::uint64_t es, std::uint64_t n_elems,
                const std::function<std::int64_t(std::uint64_t)>& group) {
  for (std::uint64_t e = 0; e < n_elems; ++e) {
    const std::int64_t id = group(e);
    if (id >= 0) g[(t.addr + e * es) & ~31ull].insert(id);
  }
}

// Compares a tensor's tallied counts with the expected groups × multiplicity.
void expect_counts(const Tally& tl, const TensorRef& t, const Groups& g, std::uint64_t mult,
                   bool store, const std::string& what) {
  std::uint64_t bad = 0;
  for (const auto& [s, ids] : g) {
    const std::uint64_t got = store ? tl.stores(t.name, s) : tl.loads(t.name, s);
    if (got != ids.size() * mult && bad++ < 5)
      ADD_FAILURE() << what << ": sector 0x" << std::hex << s << std::dec << " of " << t.name
                    << (store ? " stored " : " loaded ") << got << " times, expected "
                    << ids.size() * mult;
  }
  // And nothing outside the expected sectors.
  auto it = tl.t.find(t.name);
  if (it != tl.t.end())
    for (const auto& [s, c] : it->second)
      if ((store ? c.second : c.first) > 0 && !g.count(s) && bad++ < 10)
        ADD_FAILURE() << what << ": unexpected sector 0x" << std::hex << s << " of " << t.name;
  EXPECT_EQ(bad, 0u) << what;
}

// Memory records only (the instruction mix is tested in kernel_mix_test.cpp).
std::vector<AccessRecord> gen(const KernelLaunch& l, std::uint32_t sample = 1) {
  KernelGenOptions o;
  o.cta_sample = sample;
  o.instruction_mix = false;
  return kernel_accesses(l, o);
}

std::uint64_t cdiv(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

// --- (a) against captured traces ---------------------------------------------------------------

struct Captured {
  AccessTraceMeta meta;
  std::uint16_t version = 0;
  std::vector<AccessRecord> recs;
};
Captured read_capture(const std::string& path) {
  AccessTraceReader rd(path);
  Captured c{rd.meta(), rd.header().version, {}};
  AccessRecord r;
  while (rd.next(r)) c.recs.push_back(r);
  return c;
}

// The launch a capture ran: the op-trace record, plus the causal mask of a QK^T gemm, which only
// the capture's metadata says (params.causal is the case's; the harness masks the [N,K] product
// of naive attention, never the P.V one).
KernelLaunch captured_launch(const std::vector<OpRecord>& recs, std::size_t i,
                             const AccessTraceMeta& meta, std::uint16_t kernel) {
  KernelLaunch l = launch_from_op_trace(recs, i);
  if (l.rec.op == OpKind::kGemm && kernel < meta.kernels.size()) {
    const auto& p = meta.kernels[kernel].params;
    l.gemm_causal = p.is_object() && p.value("causal", false) && l.b_layout == GemmBLayout::kNK;
  }
  return l;
}

// Memory records of `kernel` per CTA: sorted (sector | kind).
std::map<std::uint32_t, std::vector<std::uint64_t>> sectors_per_cta(
    const std::vector<AccessRecord>& recs, std::uint16_t kernel) {
  std::map<std::uint32_t, std::vector<std::uint64_t>> out;
  for (const auto& r : recs)
    if (r.kernel == kernel && is_memory_kind(r.kind)) out[r.cta].push_back(r.address | r.kind);
  for (auto& [c, v] : out) std::sort(v.begin(), v.end());
  return out;
}

void compare_memory(const std::string& what, const std::vector<AccessRecord>& captured,
                    const std::vector<AccessRecord>& generated, std::uint16_t kernel,
                    std::vector<std::string>& errors) {
  const auto want = sectors_per_cta(captured, kernel), got = sectors_per_cta(generated, kernel);
  if (want.size() != got.size())
    errors.push_back(what + ": " + std::to_string(want.size()) + " CTAs captured, " +
                     std::to_string(got.size()) + " generated");
  std::uint64_t bad = 0;
  for (const auto& [cta, v] : want) {
    auto it = got.find(cta);
    if ((it == got.end() || it->second != v) && bad++ < 3)
      errors.push_back(what + ": CTA " + std::to_string(cta) + " captured " +
                       std::to_string(v.size()) + " memory records, generated " +
                       std::to_string(it == got.end() ? 0 : it->second.size()) +
                       " (or other sectors)");
  }
}

// Per CTA and warp: the multiset of (class, n) of the compute records and the barrier count.
void compare_mix(const std::string& what, const std::vector<AccessRecord>& captured,
                 const std::vector<AccessRecord>& generated, std::uint16_t kernel,
                 std::vector<std::string>& errors) {
  const auto want = testing::mix_per_warp(captured, kernel);
  const auto got = testing::mix_per_warp(generated, kernel);
  std::set<std::pair<std::uint32_t, std::uint16_t>> keys;
  for (const auto* m : {&want, &got})
    for (const auto& [key, mix] : *m) keys.insert(key);
  const auto text = [](const auto& m, const auto& key) {
    const auto it = m.find(key);
    if (it == m.end()) return std::string("nothing");
    std::uint64_t n = 0;
    for (const auto& [item, times] : it->second.items) n += times;
    return std::to_string(n) + " compute records, " + std::to_string(it->second.barriers) +
           " barriers";
  };
  std::uint64_t bad = 0;
  for (const auto& key : keys) {
    const auto w = want.find(key), g = got.find(key);
    if (w != want.end() && g != got.end() && w->second == g->second) continue;
    if (bad++ < 3)
      errors.push_back(what + ": CTA " + std::to_string(key.first) + " warp " +
                       std::to_string(key.second) + ": instruction mix captured " +
                       text(want, key) + ", generated " + text(got, key) +
                       " (or other classes / counts)");
  }
}

// Compares every launch of every `*optrace.jsonl` under `root` that links an access trace with
// the generator: the multiset of (sector, kind) per CTA and, for version-2 captures, the
// instruction mix per warp. Returns the launches compared; appends a message per mismatch to
// `errors` and a note per version-1 capture (memory compared only) to `notes`.
std::uint64_t compare_captures(const fs::path& root, std::vector<std::string>& errors,
                               std::vector<std::string>* notes = nullptr) {
  std::vector<fs::path> logs;
  if (fs::exists(root))
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const std::string n = e.path().filename().string();
      if (e.is_regular_file() && n.ends_with("optrace.jsonl")) logs.push_back(e.path());
    }
  std::sort(logs.begin(), logs.end());
  std::uint64_t compared = 0;
  for (const auto& log : logs) {
    const auto recs = read_op_trace(log.string());
    std::map<std::string, Captured> traces;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (!recs[i].access_trace) continue;
      const auto& link = *recs[i].access_trace;
      const std::string path = (log.parent_path() / link.file).string();
      if (!traces.count(path)) traces[path] = read_capture(path);
      const Captured& cap = traces[path];
      const std::string what = log.string() + " record " + std::to_string(i) + " (" +
                               recs[i].kernel + ", " + link.file + ")";
      if (cap.meta.capture.is_object() && cap.meta.capture.value("dropped", 0) > 0) {
        errors.push_back(what +
                         ": the capture overflowed; recapture with a larger buffer or "
                         "--sample before committing it");
        continue;
      }
      KernelGenOptions o;
      o.cta_sample = cap.meta.capture.is_object() ? cap.meta.capture.value("cta_sample", 1u) : 1u;
      o.kernel_index = link.kernel;
      o.instruction_mix = cap.version >= 2;
      const auto generated = kernel_accesses(captured_launch(recs, i, cap.meta, link.kernel), o);
      compare_memory(what, cap.recs, generated, link.kernel, errors);
      if (o.instruction_mix)
        compare_mix(what, cap.recs, generated, link.kernel, errors);
      else if (notes)
        notes->push_back(what + ": a version-1 capture: memory records compared only");
      ++compared;
    }
  }
  return compared;
}

TEST(KernelAccessCapture, MatchesEveryCapturedTracePerCta) {
  std::vector<std::string> errors, notes;
  const std::uint64_t compared =
      compare_captures(fs::path(ACCSIM_SOURCE_DIR) / "reference" / "data", errors, &notes);
  for (const auto& e : errors) ADD_FAILURE() << e;
  for (const auto& n : notes) std::cout << "note: " << n << "\n";
  if (compared == 0 && errors.empty())
    GTEST_SKIP() << "no captured traces under reference/data/<gpu>/: the GPU capture is pending "
                    "(run `bash reference/run_h100.sh` on a GPU and unpack its bundle there, "
                    "see reference/README.md); the generator's memory records and instruction "
                    "mix are checked against the kernel sources and kernel_mix.h only";
}

// The comparison itself, on a capture-shaped folder (what accsim_ref capture writes: an op trace
// linking .atrace files whose records are time-sorted, with SM ids, timestamps and a
// capture.cta_sample): it accepts a faithful capture and flags a missing or moved sector, a
// missing or changed compute record and a missing barrier; a version-1 capture is compared on
// its memory records.
class KernelCaptureCompare : public testing::TraceTest {};

// The first record at or after `from` whose kind is `k` (memory: any memory kind).
std::size_t find_kind(const std::vector<AccessRecord>& v, std::size_t from, RecordKind k) {
  for (std::size_t i = from; i < v.size(); ++i)
    if (k == RecordKind::kLoad ? is_memory_kind(v[i].kind) : testing::is_kind(v[i], k)) return i;
  throw std::logic_error("no such record");
}

TEST_F(KernelCaptureCompare, AcceptsAFaithfulCaptureAndFlagsADifference) {
  auto launches = build_kernel_launches("sdpa_naive", {{"B", 1}, {"H", 2}, {"N", 256}, {"d", 64}},
                                        opts(DType::kFp16, true));
  std::vector<OpRecord> recs;
  const std::uint32_t sample = 3;
  std::vector<AccessRecord> all;
  for (std::size_t j = 0; j < launches.size(); ++j) {
    OpRecord r = launches[j].rec;
    r.access_trace = AccessTraceLink{"case.atrace", static_cast<std::uint16_t>(j)};
    recs.push_back(r);
    KernelGenOptions o;
    o.cta_sample = sample;
    o.kernel_index = static_cast<std::uint16_t>(j);
    for (auto a : kernel_accesses(launches[j], o)) all.push_back(a);
  }
  // As a GPU would leave them: interleaved in time, with SM ids and timestamps.
  std::uint64_t x = 12345;
  for (auto& a : all) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    a.timestamp = x >> 40;
    a.sm = static_cast<std::uint16_t>((x >> 20) % 132);
  }
  std::stable_sort(all.begin(), all.end(), [](const AccessRecord& a, const AccessRecord& b) {
    return a.timestamp < b.timestamp;
  });
  write_op_trace(path("capture.optrace.jsonl"), {}, recs);
  AccessTraceMeta meta = kernel_trace_meta(launches, sample);
  meta.timestamp_unit = TimestampUnit::kNs;
  meta.capture = {{"cta_sample", sample}, {"dropped", 0}};
  for (auto& k : meta.kernels) k.params["causal"] = true;  // the harness writes the case's flag
  const auto expect_errors = [&](const std::vector<AccessRecord>& v, std::size_t n,
                                 const std::string& what) {
    write_access_trace(path("case.atrace"), meta, v);
    std::vector<std::string> errors;
    EXPECT_EQ(compare_captures(dir_, errors), 3u) << what;
    EXPECT_EQ(errors.size(), n) << what << ": " << (errors.empty() ? "" : errors.front());
  };
  expect_errors(all, 0, "faithful");
  auto v = all;
  v[find_kind(v, v.size() / 2, RecordKind::kLoad)].address += 4096;
  expect_errors(v, 1, "a sector moved to another CTA's tile");
  v = all;
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(find_kind(v, 0, RecordKind::kLoad)));
  expect_errors(v, 1, "a memory record missing");
  v = all;
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(find_kind(v, 0, RecordKind::kCompute)));
  expect_errors(v, 1, "a compute record missing");
  v = all;
  v[find_kind(v, v.size() / 3, RecordKind::kCompute)].address += 1;
  expect_errors(v, 1, "a compute record's count changed");
  v = all;
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(find_kind(v, 0, RecordKind::kBarrier)));
  expect_errors(v, 1, "a barrier missing");
  // Version 1 (memory records only): compared on memory, with a note per launch.
  v.clear();
  for (auto r : all)
    if (is_memory_kind(r.kind)) {
      r.flags &= static_cast<std::uint8_t>(~kFlagToShared);  // a version-1 flag set
      v.push_back(r);
    }
  write_access_trace(path("case.atrace"), meta, v);
  std::vector<std::string> errors, notes;
  EXPECT_EQ(compare_captures(dir_, errors, &notes), 3u);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(notes.size(), 3u);
  // An overflowed capture is reported, not compared.
  meta.capture["dropped"] = 5;
  write_access_trace(path("case.atrace"), meta, all);
  errors.clear();
  EXPECT_EQ(compare_captures(dir_, errors), 0u);
  EXPECT_EQ(errors.size(), 3u);
}

// --- (b) properties per kernel -----------------------------------------------------------------

TEST(KernelAccess, GemmEdgeTilesAndReadCounts) {
  for (auto lay : {GemmBLayout::kNK, GemmBLayout::kKN}) {
    const std::uint64_t M = 200, N = 136, K = 96, batch = 2, es = 2;
    auto l = build_kernel_launches("gemm", {{"M", M}, {"N", N}, {"K", K}, {"batch", batch}})[0];
    l.b_layout = lay;
    const auto recs = gen(l);
    const auto tl = tally(recs, l.rec.tensors);
    EXPECT_EQ(tl.outside, 0u);
    const auto &A = find_tensor(l.rec, "A"), &B = find_tensor(l.rec, "B"),
               &C = find_tensor(l.rec, "C");
    // A is read once per column tile (N/128 rounded up), B once per row tile, C is written in
    // 16-byte halves: two stores per sector. All tensors here are sector-aligned rows.
    Groups ga, gb, gc;
    add_groups(ga, A, es, batch * M * K, [](std::uint64_t) { return std::int64_t{0}; });
    // [K, N] rows of 272 bytes are not sector-aligned: a sector at a row end and the next row's
    // start is read by two column tiles.
    add_groups(gb, B, es, batch * N * K, [&](std::uint64_t e) {
      return lay == GemmBLayout::kNK ? 0 : static_cast<std::int64_t>((e % N) / 128);
    });
    add_groups(gc, C, es, batch * M * N, [&](std::uint64_t e) {
      return static_cast<std::int64_t>((e / N) * 64 + (e % N) / 8);
    });
    expect_counts(tl, A, ga, cdiv(N, 128), false, "gemm A");
    expect_counts(tl, B, gb, cdiv(M, 128), false, "gemm B");
    expect_counts(tl, C, gc, 1, true, "gemm C");
    // Closed form: loads = batch * (ceil(N/128) * M*K*2/32 + ceil(M/128) * N*K*2/32),
    // stores = batch * M * N * 2 / 16.
    std::uint64_t loads = 0, stores = 0;
    for (const auto& r : recs) (r.kind ? stores : loads)++;
    if (lay == GemmBLayout::kNK) {
      EXPECT_EQ(loads, batch * (cdiv(N, 128) * M * K * es / 32 + cdiv(M, 128) * N * K * es / 32));
    }
    EXPECT_EQ(stores, batch * M * N * es / 16);
    for (const auto& r : recs)
      EXPECT_EQ(r.flags, r.kind ? 0 : kFlagL1Bypass);  // loads are cp.async.cg
  }
}

TEST(KernelAccess, GemmOnlyEdgeRowsArePredicated) {
  // M = 130: the second row tile has 2 valid rows; its warps with no valid row load nothing of
  // A and store nothing.
  auto l = build_kernel_launches("gemm", {{"M", 130}, {"N", 128}, {"K", 32}})[0];
  const auto recs = gen(l);
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::uint64_t> per_warp_stores;
  for (const auto& r : recs)
    if (r.kind == 1) per_warp_stores[{r.cta, r.warp}]++;
  // CTA 1 rows 128, 129 lie in warp row wm = 0 (rows 0..63), i = 0, g = 0, 1: warps 0..3 store
  // 2 rows x 4 column blocks each -> 8 sectors (16-byte halves, one record each).
  for (std::uint16_t w = 0; w < 8; ++w) {
    const std::uint64_t got = per_warp_stores.count({1, w}) ? per_warp_stores[{1, w}] : 0;
    EXPECT_EQ(got, w < 4 ? 8u : 0u) << "warp " << w;
    // A full tile: 64 rows x 32 columns per warp, 4 x 2 x 4 stores of 8 rows each.
    EXPECT_EQ(per_warp_stores[std::make_pair(0u, w)], 256u) << "full tile warp " << w;
  }
}

TEST(KernelAccess, GemvReadsEachWeightOnceAndXOncePerRow) {
  for (DType dt : {DType::kFp16, DType::kFp32}) {
    const std::uint64_t M = 21, K = 1048, es = dtype_bytes(dt);  // 21: a partial last CTA
    auto l = build_kernel_launches("gemv", {{"M", M}, {"K", K}}, opts(dt))[0];
    const auto recs = gen(l);
    const auto tl = tally(recs, l.rec.tensors);
    EXPECT_EQ(tl.outside, 0u);
    const auto &W = find_tensor(l.rec, "W"), &x = find_tensor(l.rec, "x"),
               &y = find_tensor(l.rec, "y");
    Groups gw, gx, gy;
    const std::uint64_t kv = 16 / es;
    // W: element (row, k) is loaded by instruction (row, k / kv / 32) of the row's warp; a
    // row of 1048 halves is not sector-aligned, so a sector at a row boundary is read twice.
    add_groups(gw, W, es, M * K, [&](std::uint64_t e) {
      return static_cast<std::int64_t>((e / K) * 1000 + (e % K) / kv / 32);
    });
    add_groups(gx, x, es, K,
               [&](std::uint64_t e) { return static_cast<std::int64_t>(e / kv / 32); });
    add_groups(gy, y, es, M, [](std::uint64_t e) { return static_cast<std::int64_t>(e); });
    expect_counts(tl, W, gw, 1, false, "gemv W");
    expect_counts(tl, x, gx, M, false, "gemv x");
    expect_counts(tl, y, gy, 1, true, "gemv y");
    EXPECT_EQ(l.rec.grid->at(0), cdiv(M, 8));
  }
}

// Row-wise kernels: expected per-sector counts from the element -> (row, warp-iteration)
// assignment; cols that are not a multiple of the vector width use scalar accesses.
void check_rowwise(bool layernorm, std::uint64_t rows, std::uint64_t cols, DType dt) {
  const std::uint64_t es = dtype_bytes(dt), kv = 16 / es;
  auto l = build_kernel_launches(layernorm ? "layernorm" : "softmax",
                                 {{"rows", rows}, {"cols", cols}}, opts(dt))[0];
  const auto recs = gen(l);
  const auto tl = tally(recs, l.rec.tensors);
  EXPECT_EQ(tl.outside, 0u);
  const bool vec = cols % kv == 0;
  const std::uint64_t per_instr = vec ? 32 * kv : 32;  // elements per warp access
  // Element (r, c) is touched by instruction (r, c / per_instr) in every pass.
  const auto grp = [&](std::uint64_t e) {
    return static_cast<std::int64_t>((e / cols) * 1000000 + (e % cols) / per_instr);
  };
  Groups gx;
  add_groups(gx, find_tensor(l.rec, "x"), es, rows * cols, grp);
  expect_counts(tl, find_tensor(l.rec, "x"), gx, layernorm ? 3 : 2, false, "x");
  Groups gy;
  add_groups(gy, find_tensor(l.rec, "y"), es, rows * cols, grp);
  expect_counts(tl, find_tensor(l.rec, "y"), gy, 1, true, "y");
  if (layernorm)
    for (const char* n : {"gamma", "beta"}) {
      Groups g;
      add_groups(g, find_tensor(l.rec, n), es, cols,
                 [&](std::uint64_t e) { return static_cast<std::int64_t>(e / per_instr); });
      expect_counts(tl, find_tensor(l.rec, n), g, rows, false, n);
    }
}

TEST(KernelAccess, SoftmaxReadsTwiceWritesOnce) {
  check_rowwise(false, 3, 4096, DType::kFp16);   // vector path, 512 threads, 1 trip
  check_rowwise(false, 2, 40000, DType::kFp16);  // several trips per thread
  check_rowwise(false, 5, 1001, DType::kFp16);   // scalar path, rows not sector-aligned
  check_rowwise(false, 4, 100, DType::kFp32);
  check_rowwise(false, 6, 8, DType::kFp16);  // two rows per sector: each CTA reads its half
}

TEST(KernelAccess, LayernormReadsThreeTimesWritesOnce) {
  check_rowwise(true, 3, 768, DType::kFp16);
  check_rowwise(true, 4, 1001, DType::kBf16);
  check_rowwise(true, 2, 5000, DType::kFp32);
}

TEST(KernelAccess, GeluGridStrideCoversEveryElementOnce) {
  // sm_count 1: at most 8 CTAs, so the grid-stride loop runs several trips; odd n: scalar tail.
  for (std::uint64_t n : {std::uint64_t{100003}, std::uint64_t{4096}, std::uint64_t{7}}) {
    auto l = build_kernel_launches("gelu", {{"n", n}}, opts(DType::kFp16, false, 1))[0];
    const auto recs = gen(l);
    const auto tl = tally(recs, l.rec.tensors);
    EXPECT_EQ(tl.outside, 0u);
    const std::uint64_t nvec = n / 8;
    const auto grp = [&](std::uint64_t e) {
      return e < nvec * 8 ? static_cast<std::int64_t>(e / 8 / 32) : std::int64_t{1} << 40;
    };
    for (const char* name : {"x", "y"}) {
      Groups g;
      add_groups(g, find_tensor(l.rec, name), 2, n, grp);
      expect_counts(tl, find_tensor(l.rec, name), g, 1, name[0] == 'y', name);
    }
    EXPECT_LE(l.rec.grid->at(0), 8u);
  }
}

// add_kernel: gelu_kernel's grid-stride trips, with a and b each read once per element and y
// written once. n not a multiple of the vector width (scalar tail), below one warp, fp32.
TEST(KernelAccess, AddGridStrideReadsAAndBOnceWritesYOnce) {
  struct Case {
    std::uint64_t n;
    DType dt;
  };
  for (const auto& c : {Case{100003, DType::kFp16}, Case{4096, DType::kFp32}, Case{7, DType::kBf16},
                        Case{20, DType::kFp16}, Case{50001, DType::kFp32}}) {
    auto l = build_kernel_launches("add", {{"n", c.n}}, opts(c.dt, false, 1))[0];
    ASSERT_EQ(l.rec.tensors.size(), 3u);
    const auto recs = gen(l);
    const auto tl = tally(recs, l.rec.tensors);
    EXPECT_EQ(tl.outside, 0u);
    const std::uint64_t es = dtype_bytes(c.dt), kv = 16 / es, nvec = c.n / kv;
    // The warp-level access of element e: vector trip e / kv / 32, or the one scalar trip.
    const auto grp = [&](std::uint64_t e) {
      return e < nvec * kv ? static_cast<std::int64_t>(e / kv / 32) : std::int64_t{1} << 40;
    };
    for (const char* name : {"a", "b", "y"}) {
      Groups g;
      add_groups(g, find_tensor(l.rec, name), es, c.n, grp);
      expect_counts(tl, find_tensor(l.rec, name), g, 1, name[0] == 'y',
                    std::string(name) + " n=" + std::to_string(c.n));
    }
    EXPECT_LE(l.rec.grid->at(0), 8u);
  }
}

TEST(KernelAccess, FlashReadsKvOncePerQueryTileAndSkipsCausalTiles) {
  for (bool causal : {false, true})
    for (std::uint64_t d : {64, 128}) {
      const std::uint64_t B = 1, H = 2, N = 512, es = 2;
      auto l = build_kernel_launches("sdpa_flash", {{"B", B}, {"H", H}, {"N", N}, {"d", d}},
                                     opts(DType::kFp16, causal))[0];
      const auto recs = gen(l);
      const auto tl = tally(recs, l.rec.tensors);
      EXPECT_EQ(tl.outside, 0u);
      const std::uint64_t qtiles = N / 128;
      Groups gq, go;
      add_groups(gq, find_tensor(l.rec, "Q"), es, B * H * N * d,
                 [](std::uint64_t) { return std::int64_t{0}; });
      expect_counts(tl, find_tensor(l.rec, "Q"), gq, 1, false, "Q");
      add_groups(go, find_tensor(l.rec, "O"), es, B * H * N * d,
                 [&](std::uint64_t e) { return static_cast<std::int64_t>((e % d) / 8); });
      expect_counts(tl, find_tensor(l.rec, "O"), go, 1, true, "O");
      for (const char* kv : {"K", "V"}) {
        const auto& t = find_tensor(l.rec, kv);
        // Key row n is in tile j = n / 64; query tile qb loads tiles 0 .. 2 qb + 1 when causal,
        // all tiles otherwise: non-causal N/128 loads, causal N/128 - floor(j/2).
        for (std::uint64_t bh = 0; bh < B * H; ++bh)
          for (std::uint64_t n = 0; n < N; ++n) {
            const std::uint64_t j = n / 64, want = causal ? qtiles - j / 2 : qtiles;
            const std::uint64_t s = t.addr + ((bh * N + n) * d) * es;
            for (std::uint64_t b = 0; b < d * es; b += 32)
              ASSERT_EQ(tl.loads(kv, s + b), want) << kv << " row " << n << " causal " << causal;
          }
      }
      // Causal CTAs run the longest query tile first: CTA 0 of each head loads all K/V tiles.
      if (causal) {
        std::map<std::uint32_t, std::uint64_t> per_cta;
        for (const auto& r : recs) per_cta[r.cta]++;
        EXPECT_GT(per_cta[0], per_cta[qtiles - 1]);
        EXPECT_EQ(per_cta[0], per_cta[qtiles]);  // head 1, its longest
      }
    }
}

TEST(KernelAccess, DecodeSplitsCoverTheKvLengthExactlyOnce) {
  struct Case {
    std::uint64_t L, d, splits;
  };
  for (const auto& c : {Case{1000, 64, 7}, Case{4096, 128, 0}, Case{9, 64, 4}, Case{300, 128, 3}}) {
    Shape sh{{"B", 1}, {"H", 3}, {"L", c.L}, {"d", c.d}};
    if (c.splits) sh.emplace_back("splits", c.splits);
    const auto ls = build_kernel_launches("decode", sh);
    ASSERT_EQ(ls.size(), 2u);
    const auto& split = ls[0];
    const std::uint64_t splits = split.rec.grid->at(0), BH = 3, es = 2;
    if (c.splits) {
      EXPECT_EQ(splits, c.splits);
    }
    const auto recs = gen(split);
    const auto tl = tally(recs, split.rec.tensors);
    EXPECT_EQ(tl.outside, 0u);
    // Every K and V sector read exactly once over all CTAs.
    for (const char* kv : {"K", "V"}) {
      Groups g;
      add_groups(g, find_tensor(split.rec, kv), es, BH * c.L * c.d,
                 [](std::uint64_t) { return std::int64_t{0}; });
      expect_counts(tl, find_tensor(split.rec, kv), g, 1, false, kv);
    }
    // Each CTA reads exactly the keys of its chunk: [s*chunk, min(L, (s+1)*chunk)).
    const std::uint64_t chunk = cdiv(c.L, splits);
    const auto& K = find_tensor(split.rec, "K");
    std::map<std::uint32_t, std::set<std::uint64_t>> keys;
    for (const auto& r : recs)
      if (r.address >= K.addr && r.address < K.addr + K.bytes) {
        const std::uint64_t key = (r.address - K.addr) / (c.d * es);
        keys[r.cta].insert(key);
      }
    for (std::uint64_t bh = 0; bh < BH; ++bh)
      for (std::uint64_t s = 0; s < splits; ++s) {
        const std::uint32_t cta = static_cast<std::uint32_t>(s + splits * bh);
        std::set<std::uint64_t> want;
        for (std::uint64_t k = s * chunk; k < std::min(c.L, (s + 1) * chunk); ++k)
          want.insert(bh * c.L + k);
        EXPECT_EQ(keys[cta], want) << "split " << s << " head " << bh;
      }
    // q: every warp of every split loads the head's query row.
    Groups gq;
    add_groups(gq, find_tensor(split.rec, "q"), es, BH * c.d,
               [](std::uint64_t) { return std::int64_t{0}; });
    expect_counts(tl, find_tensor(split.rec, "q"), gq, splits * 4, false, "q");
    // Partials: o written once per sector, (m, l) by two stores of thread 0 per split.
    std::uint64_t ml_stores = 0, o_stores = 0;
    const std::uint64_t ml0 = find_tensor(split.rec, "partials").addr + BH * splits * c.d * 4;
    for (const auto& r : recs)
      if (r.kind == 1) (r.address >= ml0 ? ml_stores : o_stores)++;  // ml0 is sector-aligned
    EXPECT_EQ(ml_stores, 2 * BH * splits);
    EXPECT_EQ(o_stores, BH * splits * c.d * 4 / 32);

    // Combine: per head, per warp: splits loads of m, then for each split m again and, for a
    // split with keys, l and 4 sectors of o; one store of 32 outputs (2 sectors).
    const auto crecs = gen(ls[1]);
    const auto ctl = tally(crecs, ls[1].rec.tensors);
    EXPECT_EQ(ctl.outside, 0u);
    std::uint64_t nonempty = 0;
    for (std::uint64_t s = 0; s < splits; ++s) nonempty += s * chunk < c.L;
    if (c.L == 9) {
      EXPECT_EQ(nonempty, 3u);  // 4 splits of 3 keys: the last has none
    }
    const std::uint64_t warps = c.d / 32;
    EXPECT_EQ(crecs.size(), BH * warps * (2 * splits + nonempty * (1 + 4) + 2));
  }
}

TEST(KernelAccess, NaiveSdpaIsThreeLaunchesAndCausalChangesNoAddress) {
  const Shape sh{{"B", 1}, {"H", 2}, {"N", 256}, {"d", 64}};
  const auto a = build_kernel_launches("sdpa_naive", sh);
  const auto b = build_kernel_launches("sdpa_naive", sh, opts(DType::kFp16, true));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].b_layout, GemmBLayout::kNK);
  EXPECT_EQ(a[2].b_layout, GemmBLayout::kKN);
  EXPECT_EQ(a[1].rec.kernel, "softmax_kernel");
  EXPECT_TRUE(b[0].gemm_causal);  // QK^T is masked; P V is not
  EXPECT_FALSE(b[2].gemm_causal || a[0].gemm_causal);
  // The mask only changes values; the three kernels touch the same sectors.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gen(a[i]), gen(b[i]));
  // P V: S is read once per output column tile (d = 64: one), V once per row tile.
  const auto recs = gen(a[2]);
  const auto tl = tally(recs, a[2].rec.tensors);
  EXPECT_EQ(tl.outside, 0u);
  Groups gv;
  add_groups(gv, find_tensor(a[2].rec, "B"), 2, std::uint64_t{2} * 256 * 64,
             [](std::uint64_t) { return std::int64_t{0}; });
  expect_counts(tl, find_tensor(a[2].rec, "B"), gv, 256 / 128, false, "V");
}

// The closed forms of workloads/README.md ("Kernel access generator"), on sector-aligned rows.
TEST(KernelAccess, TotalsMatchTheDocumentedClosedForms) {
  const auto count = [](const KernelLaunch& l) {
    std::pair<std::uint64_t, std::uint64_t> ls{0, 0};
    for (const auto& r : gen(l)) (r.kind ? ls.second : ls.first)++;
    return ls;
  };
  using P = std::pair<std::uint64_t, std::uint64_t>;
  {
    const std::uint64_t M = 768, K = 3072;
    EXPECT_EQ(count(build_kernel_launches("gemv", {{"M", M}, {"K", K}})[0]),
              (P{M * K * 2 / 32 + M * cdiv(K * 2, 32), M}));
  }
  {
    const std::uint64_t rows = 8, cols = 1024;
    EXPECT_EQ(count(build_kernel_launches("softmax", {{"rows", rows}, {"cols", cols}})[0]),
              (P{2 * rows * cols * 2 / 32, rows * cols * 2 / 32}));
    EXPECT_EQ(count(build_kernel_launches("layernorm", {{"rows", rows}, {"cols", cols}})[0]),
              (P{5 * rows * cols * 2 / 32, rows * cols * 2 / 32}));
  }
  for (std::uint64_t n : {std::uint64_t{1} << 16, std::uint64_t{1000003}}) {
    const std::uint64_t nvec = n / 8, want = cdiv(nvec, 2) + (n % 8 != 0);
    EXPECT_EQ(count(build_kernel_launches("gelu", {{"n", n}})[0]), (P{want, want})) << n;
  }
  // add: a and b loaded, y stored, each in gelu's sectors: 2 s loads and s stores, s = ceil(nvec /
  // 2) + (n mod kv != 0) (a 16-byte vector is half a sector; the tail fits in one sector).
  for (DType dt : {DType::kFp16, DType::kFp32})
    for (std::uint64_t n :
         {std::uint64_t{1} << 16, std::uint64_t{1000003}, std::uint64_t{768}, std::uint64_t{7}}) {
      const std::uint64_t kv = 16 / dtype_bytes(dt), nvec = n / kv;
      const std::uint64_t want = cdiv(nvec, 2) + (n % kv != 0);
      EXPECT_EQ(count(build_kernel_launches("add", {{"n", n}}, opts(dt))[0]), (P{2 * want, want}))
          << n;
    }
  for (bool causal : {false, true}) {
    const std::uint64_t B = 2, H = 1, N = 1024, d = 128, t = N / 128;
    const std::uint64_t kv = causal ? t * (t + 1) * 64 * d * 2 / 32 : t * N * d * 2 / 32;
    EXPECT_EQ(count(build_kernel_launches("sdpa_flash", {{"B", B}, {"H", H}, {"N", N}, {"d", d}},
                                          opts(DType::kFp16, causal))[0]),
              (P{B * H * (N * d * 2 / 32 + 2 * kv), B * H * 2 * N * d * 2 / 32}))
        << causal;
  }
  {
    const std::uint64_t B = 1, H = 4, L = 4096, d = 128;
    const auto ls = build_kernel_launches("decode", {{"B", B}, {"H", H}, {"L", L}, {"d", d}});
    const std::uint64_t splits = ls[0].rec.grid->at(0), bh = B * H;
    EXPECT_EQ(count(ls[0]), (P{2 * bh * L * d * 2 / 32 + 4 * splits * bh * d * 2 / 32,
                               bh * splits * (d * 4 / 32 + 2)}));
    const std::uint64_t chunk = cdiv(L, splits), nonempty = cdiv(L, chunk);
    const auto c = count(ls[1]);
    EXPECT_EQ(c.first + c.second, bh * (d / 32) * (2 * splits + 5 * nonempty + 2));
  }
}

// The accsim program itself: `trace gen kernel` writes what the library generates and `trace
// info` reads it. Skips when the accsim binary has not been built in this build folder.
TEST(KernelAccessCli, GenKernelWritesWhatTheLibraryGeneratesAndInfoReadsIt) {
  const fs::path accsim = fs::path(ACCSIM_BINARY_DIR) / "sim" / "cli" / "accsim";
  if (!fs::exists(accsim)) GTEST_SKIP() << "accsim not built at " << accsim;
  const fs::path dir =
      fs::temp_directory_path() / ("accsim_kgen_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "g.atrace").string(), ops = (dir / "g.jsonl").string();
  const std::string cmd = accsim.string() + " trace gen kernel " + out +
                          " --kernel gemm --shape M=200,N=136,K=64 --cta-sample 2 " +
                          "--write-op-trace " + ops + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto launch = launch_from_op_trace(read_op_trace(ops), 0);
  KernelGenOptions o;
  o.cta_sample = 2;
  // In wave order: per warp, the same records as the library generates.
  EXPECT_EQ(testing::per_warp(read_access_trace(out)),
            testing::per_warp(kernel_accesses(launch, o)));
  // --memory-only: a version-1 file of the memory records.
  const std::string mem = accsim.string() + " trace gen kernel " + out +
                          " --kernel gemm --shape M=200,N=136,K=64 --cta-sample 2 --memory-only " +
                          "--wave-ctas 3 2>/dev/null";
  ASSERT_EQ(std::system(mem.c_str()), 0) << mem;
  EXPECT_EQ(AccessTraceReader(out).header().version, 1);
  o.instruction_mix = false;
  EXPECT_EQ(testing::per_warp(read_access_trace(out)),
            testing::per_warp(kernel_accesses(launch, o)));
  const std::string info =
      accsim.string() + " trace info " + out + " > " + (dir / "info.txt").string();
  ASSERT_EQ(std::system(info.c_str()), 0);
  EXPECT_NE(testing::read_text((dir / "info.txt").string()).find("gemm_tc_kernel"),
            std::string::npos);
  // Unknown op: exit code 2 (usage) and the known ops listed.
  const std::string bad = accsim.string() + " trace gen kernel " + out +
                          " --kernel conv --shape n=1 2> " + (dir / "err.txt").string();
  EXPECT_NE(std::system(bad.c_str()), 0);
  EXPECT_NE(testing::read_text((dir / "err.txt").string()).find("sdpa_flash"), std::string::npos);
  fs::remove_all(dir);
}

// --- launch records -----------------------------------------------------------------------------

TEST(KernelAccess, LaunchConfigurationFollowsTheHostLaunchers) {
  auto g = build_kernel_launches("gelu", {{"n", 1u << 20}})[0];
  EXPECT_EQ(*g.rec.grid, (std::array<std::uint32_t, 3>{512, 1, 1}));
  g = build_kernel_launches("gelu", {{"n", 1u << 26}})[0];
  EXPECT_EQ(g.rec.grid->at(0), 8u * 132);
  // add: gelu's grid rule (rowwise.cu grid_stride_ctas), 256 threads, tensors a, b, y of n
  // elements.
  for (DType dt : {DType::kFp16, DType::kBf16, DType::kFp32})
    for (std::uint64_t n : {std::uint64_t{7}, std::uint64_t{1000003}, std::uint64_t{1} << 26}) {
      const auto a = build_kernel_launches("add", {{"n", n}}, opts(dt))[0];
      EXPECT_EQ(*a.rec.grid, *build_kernel_launches("gelu", {{"n", n}}, opts(dt))[0].rec.grid);
      EXPECT_EQ(*a.rec.block, (std::array<std::uint32_t, 3>{256, 1, 1}));
      EXPECT_EQ(a.rec.kernel, "add_kernel");
      EXPECT_EQ(a.rec.op, OpKind::kElementwise);
      ASSERT_EQ(a.rec.tensors.size(), 3u);
      for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(a.rec.tensors[i].name, std::string(1, "aby"[i]));
        EXPECT_EQ(a.rec.tensors[i].bytes, n * dtype_bytes(dt));
      }
    }
  EXPECT_EQ(build_kernel_launches("add", {{"n", 1u << 20}})[0].rec.grid->at(0), 512u);
  EXPECT_EQ(build_kernel_launches("add", {{"n", 1u << 20}}, opts(DType::kFp32))[0].rec.grid->at(0),
            1024u);
  EXPECT_EQ(build_kernel_launches("add", {{"n", 100}})[0].rec.grid->at(0), 1u);
  EXPECT_EQ(build_kernel_launches("add", {{"n", 1u << 20}}, opts(DType::kBf16))[0].rec.regs,
            static_cast<std::uint32_t>(mix::regs_add(mix::Elem::kBF16)));
  EXPECT_NE(kernel_op_names().find("add"), std::string::npos);
  auto d = build_kernel_launches("decode", {{"B", 1}, {"H", 12}, {"L", 4096}, {"d", 64}});
  EXPECT_EQ(d[0].rec.grid->at(0), 16u);  // min(ceil(1056/12) = 88, 4096/256 = 16)
  d = build_kernel_launches("decode", {{"B", 4}, {"H", 32}, {"L", 131072}, {"d", 128}});
  EXPECT_EQ(d[0].rec.grid->at(0), 9u);  // ceil(1056/128)
  auto s = build_kernel_launches("softmax", {{"rows", 1}, {"cols", 1001}})[0];
  EXPECT_EQ(s.rec.block->at(0), 512u);
  s = build_kernel_launches("softmax", {{"rows", 1}, {"cols", 1024}})[0];
  EXPECT_EQ(s.rec.block->at(0), 128u);  // 128 vectors of 8 halves
  auto f = build_kernel_launches("sdpa_flash", {{"B", 2}, {"H", 3}, {"N", 1024}, {"d", 128}})[0];
  EXPECT_EQ(*f.rec.grid, (std::array<std::uint32_t, 3>{8, 6, 1}));
  EXPECT_EQ(f.rec.smem, 104448u);
}

TEST(KernelAccess, OpTraceRoundTripInfersLayoutAndKvLength) {
  const fs::path dir = fs::temp_directory_path() / ("accsim_kgen_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<OpRecord> recs;
  std::vector<KernelLaunch> built;
  for (const auto& l :
       build_kernel_launches("sdpa_naive", {{"B", 1}, {"H", 1}, {"N", 128}, {"d", 64}}))
    built.push_back(l);
  for (const auto& l :
       build_kernel_launches("decode", {{"B", 1}, {"H", 2}, {"L", 9}, {"d", 64}, {"splits", 4}}))
    built.push_back(l);
  recs.reserve(built.size());
  for (const auto& l : built) recs.push_back(l.rec);
  write_op_trace((dir / "ops.jsonl").string(), {}, recs);
  const auto back = read_op_trace((dir / "ops.jsonl").string());
  ASSERT_EQ(back.size(), built.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    const auto l = launch_from_op_trace(back, i);
    EXPECT_EQ(l.b_layout, built[i].b_layout) << i;
    EXPECT_EQ(l.kv_len, built[i].kv_len) << i;
    EXPECT_EQ(gen(l), gen(built[i])) << i;
  }
  fs::remove_all(dir);
}

// --- (c) CTA sampling
// -----------------------------------------------------------------------------

TEST(KernelAccess, CtaSamplingKeepsExactlyTheSampledCtas) {
  std::vector<KernelLaunch> ls;
  ls.push_back(build_kernel_launches("gemm", {{"M", 300}, {"N", 264}, {"K", 64}, {"batch", 2}})[0]);
  ls.push_back(build_kernel_launches("sdpa_flash", {{"B", 1}, {"H", 2}, {"N", 512}, {"d", 64}},
                                     opts(DType::kFp16, true))[0]);
  for (const auto& l :
       build_kernel_launches("decode", {{"B", 1}, {"H", 3}, {"L", 1000}, {"d", 64}, {"splits", 5}}))
    ls.push_back(l);
  ls.push_back(build_kernel_launches("softmax", {{"rows", 17}, {"cols", 300}})[0]);
  ls.push_back(build_kernel_launches("gelu", {{"n", 50000}}, opts(DType::kFp16, false, 1))[0]);
  ls.push_back(build_kernel_launches("add", {{"n", 50001}}, opts(DType::kFp32, false, 1))[0]);
  ls.push_back(build_kernel_launches("gemv", {{"M", 50}, {"K", 64}})[0]);
  for (const auto& l : ls)
    for (bool mix : {false, true})
      for (std::uint32_t s : {2u, 3u, 7u}) {
        KernelGenOptions o;
        o.instruction_mix = mix;
        const auto all = kernel_accesses(l, o);
        std::vector<AccessRecord> want;
        for (const auto& r : all)
          if (r.cta % s == 0) want.push_back(r);
        o.cta_sample = s;
        const auto got = kernel_accesses(l, o);
        EXPECT_FALSE(got.empty()) << l.rec.kernel;
        EXPECT_EQ(got, want) << l.rec.kernel << " sample " << s << " mix " << mix;
      }
}

// --- (d) writing, reading, info; errors
// -----------------------------------------------------------

class KernelTrace : public testing::TraceTest {};

TEST_F(KernelTrace, RoundTripsThroughWriterReaderAndInfo) {
  auto ls = build_kernel_launches("decode", {{"B", 1}, {"H", 2}, {"L", 2048}, {"d", 128}});
  const std::string p = path("decode.atrace");
  const std::uint64_t n = write_kernel_trace(p, ls);
  AccessTraceMeta meta;
  const auto back = read_access_trace(p, &meta);
  ASSERT_EQ(back.size(), n);
  std::vector<AccessRecord> want;
  for (std::size_t j = 0; j < ls.size(); ++j) {
    KernelGenOptions o;
    o.kernel_index = static_cast<std::uint16_t>(j);
    for (const auto& r : kernel_accesses(ls[j], o)) want.push_back(r);
  }
  // The same records (in wave order: the same per warp, and the same multiset).
  EXPECT_EQ(back.size(), want.size());
  EXPECT_EQ(testing::per_warp(back), testing::per_warp(want));
  EXPECT_EQ(AccessTraceReader(p).header().version, 2);
  ASSERT_EQ(meta.kernels.size(), 2u);
  EXPECT_EQ(meta.kernels[0].name, "decode_split_kernel");
  EXPECT_EQ(meta.kernels[0].regs, 56u);  // kernel_mix.h regs_decode_split(f16, 128)
  EXPECT_EQ(meta.kernels[1].grid, (std::array<std::uint32_t, 3>{2, 1, 1}));
  EXPECT_EQ(meta.timestamp_unit, TimestampUnit::kNone);
  EXPECT_EQ(meta.capture.value("wave_ctas", 0u), 264u);
  const auto info = trace_info(p);
  EXPECT_NE(info.to_text().find(std::to_string(n) + " records"), std::string::npos)
      << info.to_text();
  std::uint64_t ex2 = 0;
  for (const auto& r : want)
    if (testing::is_kind(r, RecordKind::kCompute) &&
        r.size == static_cast<std::uint32_t>(InstrClass::kSfuEx2))
      ex2 += r.address;
  EXPECT_GT(ex2, 0u);
  EXPECT_EQ(info.to_json()["instruction_mix"].value("ex2", std::uint64_t{0}), ex2);
  // Memory only: version 1, the memory records.
  KernelTraceOptions mem;
  mem.instruction_mix = false;
  write_kernel_trace(p, ls, mem);
  EXPECT_EQ(AccessTraceReader(p).header().version, 1);
  want.clear();
  for (std::size_t j = 0; j < ls.size(); ++j)
    for (auto r : gen(ls[j])) {
      r.kernel = static_cast<std::uint16_t>(j);
      want.push_back(r);
    }
  EXPECT_EQ(testing::per_warp(read_access_trace(p)), testing::per_warp(want));
}

TEST(KernelAccessErrors, BadInputIsAnErrorWithAClearMessage) {
  const auto expect_err = [](const std::function<void()>& fn, const std::string& part) {
    try {
      fn();
      ADD_FAILURE() << "no error; expected one containing: " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  auto l = build_kernel_launches("gemm", {{"M", 128}, {"N", 128}, {"K", 32}})[0];
  KernelLaunch bad = l;
  bad.rec.kernel = "my_kernel";
  expect_err([&] { gen(bad); }, "gemm_tc_kernel, gemv_kernel");
  bad = l;
  bad.rec.tensors[1].bytes -= 2;
  expect_err([&] { gen(bad); }, "tensor 'B'");
  bad = l;
  bad.rec.grid = std::array<std::uint32_t, 3>{2, 1, 1};
  expect_err([&] { gen(bad); }, "grid [2,1,1]");
  bad = l;
  bad.rec.tensors.pop_back();
  expect_err([&] { gen(bad); }, "no tensor 'C'");
  bad = l;
  bad.rec.dtype = DType::kFp32;
  expect_err([&] { gen(bad); }, "dtype fp32");
  expect_err([&] { build_kernel_launches("gemv", {{"M", 8}, {"K", 12}}); }, "multiple of 8");
  expect_err(
      [&] {
        build_kernel_launches("sdpa_flash", {{"B", 1}, {"H", 1}, {"N", 100}, {"d", 64}});
      },
      "multiple of 128");
  expect_err(
      [&] {
        build_kernel_launches("sdpa_flash", {{"B", 1}, {"H", 1}, {"N", 128}, {"d", 96}});
      },
      "64 or 128");
  expect_err([&] { build_kernel_launches("conv", {{"n", 1}}); }, "expected gemm, gemv");
  expect_err([&] { build_kernel_launches("gemm", {{"M", 1}, {"N", 8}}); }, "lacks K");
  expect_err(
      [&] {
        build_kernel_launches("gemm", {{"M", 1}, {"N", 8}, {"K", 32}, {"Q", 2}});
      },
      "unknown shape key 'Q'");
  expect_err([&] { parse_kernel_shape("M=1,N"); }, "KEY=VALUE");
  expect_err([&] { parse_kernel_shape("M=x"); }, "not KEY=<integer>");
  EXPECT_EQ(parse_kernel_shape("M=2K,N=8"), (Shape{{"M", 2048}, {"N", 8}}));
  auto d = build_kernel_launches("decode", {{"B", 1}, {"H", 1}, {"L", 100}, {"d", 64}});
  d[1].kv_len = 0;
  expect_err([&] { gen(d[1]); }, "KV length");
  d[0].rec.shape.pop_back();  // N_kv
  expect_err([&] { gen(d[0]); }, "N_kv");
  KernelGenOptions zero;
  zero.cta_sample = 0;
  expect_err([&] { kernel_accesses(l, zero); }, "cta_sample");
  // The streaming source checks the launch when it is made, before any record.
  bad = l;
  bad.rec.tensors[0].bytes = 64;
  expect_err([&] { make_generated_kernel_source(bad); }, "tensor 'A' has 64 bytes");
  expect_err(
      [&] {
        build_kernel_launches("gemm",
                              {{"M", 1u << 20}, {"N", 1u << 20}, {"K", 32}, {"batch", 256}});
      },
      "linear CTA ids are 32-bit");
  KernelTraceOptions no_wave;
  no_wave.wave_ctas = 0;
  expect_err([&] { write_kernel_trace("/nonexistent/x.atrace", {l}, no_wave); }, "wave_ctas");
  // A bad launch among several: nothing is written.
  bad = l;
  bad.rec.grid = std::array<std::uint32_t, 3>{3, 1, 1};
  const std::string out =
      (fs::temp_directory_path() / ("accsim_kgen_err_" + std::to_string(::getpid()) + ".atrace"))
          .string();
  expect_err([&] { write_kernel_trace(out, {l, bad}); }, "grid [3,1,1]");
  EXPECT_FALSE(fs::exists(out));
}

// add_kernel's record: a, b and y present and large enough; the record is named (kernel, and the
// op-trace line when it comes from one).
TEST(KernelAccessErrors, AddRecordsNeedThreeLargeEnoughTensors) {
  const auto expect_err = [](const KernelLaunch& l, const std::vector<std::string>& parts) {
    try {
      gen(l);
      ADD_FAILURE() << "no error; expected one containing: " << parts[0];
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kInput);
      for (const auto& p : parts)
        EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  const auto l = build_kernel_launches("add", {{"n", 1000}})[0];
  KernelLaunch bad = l;
  bad.rec.tensors.erase(bad.rec.tensors.begin() + 1);  // b
  expect_err(bad, {"add_kernel", "no tensor 'b'", "it has: a, y"});
  bad = l;
  bad.rec.tensors[2].bytes = 1998;  // y: 1000 fp16 elements need 2000 bytes
  expect_err(bad, {"add_kernel", "tensor 'y' has 1998 bytes; the kernel touches 2000"});
  bad = l;
  bad.rec.tensors[0].bytes = 0;
  expect_err(bad, {"tensor 'a' has 0 bytes"});
  bad = l;
  bad.rec.shape.clear();
  expect_err(bad, {"add_kernel", "lacks shape key 'n'"});
  bad = l;
  bad.rec.op = OpKind::kGelu;
  expect_err(bad, {"op kind gelu does not match the kernel (elementwise)"});
  bad = l;
  bad.rec.grid.reset();
  expect_err(bad, {"add_kernel needs the record's grid"});
  // From an op trace: the message names its line (the header is line 1).
  const fs::path dir =
      fs::temp_directory_path() / ("accsim_kgen_add_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  bad = l;
  bad.rec.tensors[2].bytes = 64;
  write_op_trace((dir / "ops.jsonl").string(), {}, {l.rec, bad.rec});
  const auto back = read_op_trace((dir / "ops.jsonl").string());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_FALSE(gen(launch_from_op_trace(back, 0)).empty());
  expect_err(launch_from_op_trace(back, 1), {"add_kernel (op-trace line 3)", "tensor 'y' has 64"});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace accsim::workloads
