// Kernel tests: every kernel family against the fp64 references on fresh random inputs, the
// capture build's records and overflow handling. Each test skips with "no CUDA device" where
// there is no GPU (CI builds these but has none).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "reference/harness/device.h"
#include "reference/harness/ops.h"
#include "reference/host/cases.h"

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
    ::testing::Values("sdpa impl=flash N=256 d=64 B=2 H=3",
                      "sdpa impl=flash N=384 d=128 B=1 H=2 causal=1",
                      "sdpa impl=flash N=256 d=128 B=1 H=2 dtype=bf16",
                      "sdpa impl=naive N=256 d=64 B=1 H=2 causal=1",
                      "sdpa impl=naive N=128 d=128 B=2 H=1 dtype=bf16",
                      "decode L=1000 d=64 B=2 H=3", "decode L=5000 d=128 B=1 H=2 dtype=bf16",
                      "decode L=300 d=128 B=1 H=1 splits=7", "gemm M=200 N=136 K=96",
                      "gemm M=256 N=256 K=256 dtype=bf16", "gemv N=100 K=776",
                      "gemv N=64 K=1024 dtype=bf16", "gemv N=33 K=40 dtype=f32",
                      "softmax rows=9 cols=1000", "softmax rows=4 cols=8192 dtype=bf16",
                      "softmax rows=3 cols=37 dtype=f32", "layernorm rows=5 cols=768",
                      "layernorm rows=3 cols=1001 dtype=f32", "layernorm rows=2 cols=64 dtype=bf16",
                      "gelu n=10001", "gelu n=4096 dtype=f32", "gelu n=77 dtype=bf16",
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
      EXPECT_EQ(addr % 32, 0u);
      EXPECT_EQ(size, 32u);
      EXPECT_EQ(cta % sample, 0u);
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
  EXPECT_EQ(n, 2u * 65536 * 2 / 32);  // every sector of x and y was claimed
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
