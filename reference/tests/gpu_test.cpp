// Kernel tests: every kernel family against the fp64 references on fresh random inputs, the
// capture build's records and overflow handling. Each test skips with "no CUDA device" where
// there is no GPU (CI builds these but has none).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "reference/harness/device.h"
#include "reference/harness/ops.h"
#include "reference/host/capture_order.h"
#include "reference/host/cases.h"
#include "workloads/trace/access_trace_format.h"
#include "workloads/trace/kernel_mix.h"

namespace accsim::ref {
namespace {

#define REQUIRE_GPU()                                                                         \
  do {                                                                                        \
    std::string why;                                                                          \
    if (!cuda_device_available(&why))                                                         \
      GTEST_SKIP() << "no CUDA device: skipping "                                             \
                   << ::testing::UnitTest::GetInstance()->current_test_info()->name() << " (" \
                   << why << ")";                                                             \
  } while (0)

Case one(const std::string& line) {
  auto cs = parse_case_line(line, "gpu_test");
  validate_case(cs.at(0));
  return cs.at(0);
}

CheckResult run_and_check(const Case& c, std::uint64_t seed) {
  const DeviceInfo dev = query_device(false);
  Stream s;
  auto inst = OpInstance::create(c, dev, RunMode::kTiming);
  inst->fill_inputs(seed, s.get());
  inst->poison(s.get());
  inst->enqueue(s.get(), nullptr, [](int) {});
  s.sync();
  return inst->check(seed, CheckOptions{});
}

class KernelCheck : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelCheck, MatchesFp64OnFreshInputs) {
  REQUIRE_GPU();
  const Case c = one(GetParam());
  for (std::uint64_t seed : {11u, 12u}) {
    const CheckResult r = run_and_check(c, seed);
    EXPECT_TRUE(r.pass) << c.id() << " seed " << seed << ": " << r.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Reference, KernelCheck,
    ::testing::Values(
        "sdpa impl=flash N=256 d=64 B=2 H=3", "sdpa impl=flash N=384 d=128 B=1 H=2 causal=1",
        "sdpa impl=flash N=256 d=128 B=1 H=2 dtype=bf16",
        "sdpa impl=naive N=256 d=64 B=1 H=2 causal=1",
        "sdpa impl=naive N=128 d=128 B=2 H=1 dtype=bf16", "decode L=1000 d=64 B=2 H=3",
        "decode L=5000 d=128 B=1 H=2 dtype=bf16", "decode L=300 d=128 B=1 H=1 splits=7",
        "gemm M=200 N=136 K=96", "gemm M=256 N=256 K=256 dtype=bf16", "gemv N=100 K=776",
        "gemv N=64 K=1024 dtype=bf16", "gemv N=33 K=40 dtype=f32", "softmax rows=9 cols=1000",
        "softmax rows=4 cols=8192 dtype=bf16", "softmax rows=3 cols=37 dtype=f32",
        "layernorm rows=5 cols=768", "layernorm rows=3 cols=1001 dtype=f32",
        "layernorm rows=2 cols=64 dtype=bf16", "gelu n=10001", "gelu n=4096 dtype=f32",
        "gelu n=77 dtype=bf16", "add n=10001", "add n=4096 dtype=f32", "add n=13 dtype=bf16",
        "chase impl=ca bytes=64K steps=500", "chase impl=cg bytes=1M steps=500",
        "bandwidth impl=ca bytes=64K", "bandwidth impl=cg bytes=1M"));

TEST(Capture, RecordsCoverTheTensorsAndRespectSampling) {
  REQUIRE_GPU();
  const Case c = one("gemm M=256 N=128 K=64");
  const DeviceInfo dev = query_device(false);
  Stream s;
  auto inst = OpInstance::create(c, dev, RunMode::kCapture);
  inst->fill_inputs(5, s.get());
  const std::uint64_t cap = 1 << 16;
  DeviceBuffer recs(cap * 32), counters(16);
  for (std::uint32_t sample : {1u, 2u}) {
    // On the case's stream: a legacy-stream memset is not ordered with a non-blocking stream.
    cuda_ok(cudaMemsetAsync(counters.get(), 0, 16, s.get()), "memset");
    inst->poison(s.get());
    CaptureSink sink;
    sink.records = recs.get();
    sink.cursor = counters.as<unsigned long long>();
    sink.overflow = reinterpret_cast<unsigned*>(counters.as<unsigned char>() + 8);
    sink.capacity = cap;
    sink.sample = sample;
    inst->enqueue(s.get(), &sink, [](int) {});
    s.sync();
    EXPECT_TRUE(inst->check(5, CheckOptions{}).pass);
    unsigned long long n = 0;
    unsigned overflow = 0;
    cuda_ok(cudaMemcpy(&n, counters.get(), 8, cudaMemcpyDeviceToHost), "copy");
    cuda_ok(cudaMemcpy(&overflow, counters.as<unsigned char>() + 8, 4, cudaMemcpyDeviceToHost),
            "copy");
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, cap);
    EXPECT_EQ(overflow, 0u);
    std::vector<unsigned char> raw(n * 32);
    cuda_ok(cudaMemcpy(raw.data(), recs.get(), raw.size(), cudaMemcpyDeviceToHost), "copy");
    const auto ts = inst->tensors();
    std::set<std::uint64_t> a_sectors;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint64_t addr;
      std::uint32_t cta, size;
      std::uint8_t kind;
      std::memcpy(&addr, &raw[i * 32], 8);
      std::memcpy(&cta, &raw[i * 32 + 16], 4);
      std::memcpy(&size, &raw[i * 32 + 20], 4);
      kind = raw[i * 32 + 30];
      EXPECT_EQ(cta % sample, 0u);
      if (!workloads::is_memory_kind(kind)) continue;  // version-2 records: see below
      EXPECT_EQ(addr % 32, 0u);
      EXPECT_EQ(size, 32u);
      const OpTensor* hit = nullptr;
      for (const auto& t : ts)
        if (addr >= t.addr && addr < t.addr + t.bytes) hit = &t;
      ASSERT_NE(hit, nullptr) << "record outside every tensor: 0x" << std::hex << addr;
      EXPECT_EQ(kind, hit->name == "C" ? 1 : 0) << hit->name;
      if (hit->name == "A") a_sectors.insert(addr);
    }
    // Grid 1 x 2 CTAs: each reads its own 128 rows of A, so every sector of A is read when all
    // CTAs are recorded and exactly half of them with sampling 2.
    const std::uint64_t a_total = 256 * 64 * 2 / 32;
    EXPECT_EQ(a_sectors.size(), sample == 1 ? a_total : a_total / 2);
  }
}

// Captures `line` and returns its records in file order (host/capture_order.h) and launches.
std::vector<workloads::AccessRecord> capture(const std::string& line, std::vector<LaunchInfo>* ls,
                                             std::uint32_t sample = 1) {
  const Case c = one(line);
  const DeviceInfo dev = query_device(false);
  Stream s;
  auto inst = OpInstance::create(c, dev, RunMode::kCapture);
  inst->fill_inputs(3, s.get());
  const std::uint64_t cap = 1 << 20;
  DeviceBuffer recs(cap * 32), counters(16);
  cuda_ok(cudaMemsetAsync(counters.get(), 0, 16, s.get()), "memset");
  CaptureSink sink;
  sink.records = recs.get();
  sink.cursor = counters.as<unsigned long long>();
  sink.overflow = reinterpret_cast<unsigned*>(counters.as<unsigned char>() + 8);
  sink.capacity = cap;
  sink.sample = sample;
  *ls = inst->enqueue(s.get(), &sink, [](int) {});
  s.sync();
  EXPECT_TRUE(inst->check(3, CheckOptions{}).pass) << line;
  unsigned long long n = 0;
  cuda_ok(cudaMemcpy(&n, counters.get(), 8, cudaMemcpyDeviceToHost), "copy");
  EXPECT_LT(n, cap) << line;
  std::vector<workloads::AccessRecord> out(std::min<unsigned long long>(n, cap));
  cuda_ok(cudaMemcpy(out.data(), recs.get(), out.size() * 32, cudaMemcpyDeviceToHost), "copy");
  order_capture_records(out);
  return out;
}

std::vector<std::uint32_t> warps_of(const std::vector<LaunchInfo>& ls) {
  std::vector<std::uint32_t> w;
  for (const auto& l : ls) w.push_back((l.block.x * l.block.y * l.block.z + 31) / 32);
  return w;
}

TEST(Capture, Version2StructureInEveryKernel) {
  REQUIRE_GPU();
  for (const char* line :
       {"sdpa impl=flash N=256 d=64 B=1 H=2 causal=1", "sdpa impl=naive N=128 d=64 B=1 H=1",
        "decode L=1000 d=128 B=1 H=2", "gemv N=13 K=776", "softmax rows=3 cols=1001",
        "layernorm rows=2 cols=768 dtype=f32", "gelu n=1001 dtype=bf16", "add n=1003",
        "chase impl=cg bytes=64K steps=50", "bandwidth impl=ca bytes=64K"}) {
    for (std::uint32_t sample : {1u, 2u}) {
      std::vector<LaunchInfo> ls;
      const auto recs = capture(line, &ls, sample);
      ASSERT_FALSE(recs.empty()) << line;
      EXPECT_EQ(capture_structure_errors(recs, warps_of(ls)), "") << line;
      for (const auto& r : recs) {
        EXPECT_EQ(r.cta % sample, 0u);
        EXPECT_LT(r.kind, workloads::kRecordKindCount);
        if (r.kind == static_cast<std::uint8_t>(workloads::RecordKind::kCompute)) {
          EXPECT_LT(r.size, workloads::kInstrClassCount);
          EXPECT_GT(r.address, 0u);
        }
      }
      for (const auto& l : ls) EXPECT_GT(l.regs, 0) << l.kernel;
    }
  }
}

TEST(Capture, GemmRecordsFollowTheProgramPoints) {
  REQUIRE_GPU();
  namespace mx = workloads::mix;
  using K = workloads::RecordKind;
  std::vector<LaunchInfo> ls;
  // K = 64: two k-tiles; per warp: prologue, 1 load_tile, 2 ktiles, the epilogue.
  const auto recs = capture("gemm M=256 N=128 K=64", &ls);
  const std::uint32_t want_compute =
      mx::gemm_prologue(true).count + mx::gemm_load_tile(true).count +
      2 * mx::gemm_ktile(false).count + mx::gemm_epilogue(false, false).count;
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::map<std::uint8_t, std::uint64_t>> per;
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::vector<std::uint8_t>> kinds;
  for (const auto& r : recs) {
    ++per[{r.cta, r.warp}][r.kind];
    if (!workloads::is_memory_kind(r.kind)) kinds[{r.cta, r.warp}].push_back(r.kind);
  }
  ASSERT_EQ(per.size(), 2u * 8u);  // 2 CTAs x 8 warps
  for (const auto& [w, n] : per) {
    EXPECT_EQ(n.at(static_cast<std::uint8_t>(K::kCompute)), want_compute);
    EXPECT_EQ(n.at(static_cast<std::uint8_t>(K::kBarrier)), 4u);
    EXPECT_EQ(n.at(static_cast<std::uint8_t>(K::kCommit)), 3u);
    EXPECT_EQ(n.at(static_cast<std::uint8_t>(K::kWait)), 2u);
    EXPECT_EQ(n.at(static_cast<std::uint8_t>(K::kWarpExit)), 1u);
  }
  // Warp 0 of CTA 0, structure only: cta_begin, prologue, commit, (load_tile), commit, wait,
  // barrier, ktile, barrier, commit, wait, barrier, ktile, barrier, epilogue, warp_exit.
  const auto& k = kinds[{0u, 0}];
  std::string seq;
  for (std::uint8_t x : k) seq += static_cast<char>('0' + x);
  const std::string c(1, '3'), p = std::string(mx::gemm_ktile(false).count, '3');
  EXPECT_EQ(seq, "7" + c + "5" + c + "564" + p + "4" + "564" + p + "4" +
                     std::string(mx::gemm_epilogue(false, false).count, '3') + "8");
}

TEST(Capture, OverflowSetsTheFlagAndNeverWritesPastTheEnd) {
  REQUIRE_GPU();
  const Case c = one("gelu n=65536");
  const DeviceInfo dev = query_device(false);
  Stream s;
  auto inst = OpInstance::create(c, dev, RunMode::kCapture);
  inst->fill_inputs(1, s.get());
  const std::uint64_t cap = 100, canary = 64;
  DeviceBuffer recs((cap + canary) * 32), counters(16);
  cuda_ok(cudaMemsetAsync(recs.get(), 0xAB, recs.bytes(), s.get()), "memset");
  cuda_ok(cudaMemsetAsync(counters.get(), 0, 16, s.get()), "memset");
  CaptureSink sink;
  sink.records = recs.get();
  sink.cursor = counters.as<unsigned long long>();
  sink.overflow = reinterpret_cast<unsigned*>(counters.as<unsigned char>() + 8);
  sink.capacity = cap;
  inst->enqueue(s.get(), &sink, [](int) {});
  s.sync();
  EXPECT_TRUE(inst->check(1, CheckOptions{}).pass);  // the data path is unaffected
  unsigned long long n = 0;
  unsigned overflow = 0;
  cuda_ok(cudaMemcpy(&n, counters.get(), 8, cudaMemcpyDeviceToHost), "copy");
  cuda_ok(cudaMemcpy(&overflow, counters.as<unsigned char>() + 8, 4, cudaMemcpyDeviceToHost),
          "copy");
  EXPECT_EQ(overflow, 1u);
  // Every sector of x and y was claimed, and the version-2 records: per CTA cta_begin, per warp
  // per grid-stride trip a load point, commit, wait and step point, and warp_exit.
  EXPECT_GE(n, 2u * 65536 * 2 / 32);
  std::vector<unsigned char> tail(canary * 32);
  cuda_ok(cudaMemcpy(tail.data(), recs.as<unsigned char>() + cap * 32, tail.size(),
                     cudaMemcpyDeviceToHost),
          "copy");
  EXPECT_TRUE(std::all_of(tail.begin(), tail.end(), [](unsigned char b) { return b == 0xAB; }));
}

TEST(Device, DescribesItself) {
  REQUIRE_GPU();
  const DeviceInfo d = query_device(true);
  EXPECT_GT(d.sm_count, 0);
  EXPECT_GT(d.l2_bytes, 0u);
  EXPECT_GT(d.sm_clock_measured_mhz, 100.0);
  EXPECT_NE(d.to_json().find("\"sm_count\""), std::string::npos);
}

}  // namespace
}  // namespace accsim::ref
