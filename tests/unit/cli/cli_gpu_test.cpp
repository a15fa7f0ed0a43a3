// The gpu target through the accsim program: generated kernel accesses and an access trace
// replay deterministically with the GPU figures; bad workloads are clear errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kConfig = 3, kInput = 4;

TEST(CliGpu, GeneratedKernelRunWritesTheGpuReport) {
  TempDir d;
  const std::string sys = src("configs/systems/gpu_h100.yaml") +
                          " --set workload.kernel=softmax --set workload.shape=rows=64,cols=1024";
  CliResult a = run_accsim("run " + sys + " -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  CliResult b = run_accsim("run " + sys + " -o " + d.file("b.json"));
  ASSERT_EQ(b.code, 0) << b.out;
  const std::string ta = slurp(d.file("a.json"));
  EXPECT_EQ(ta, slurp(d.file("b.json")));
  EXPECT_NE(a.out.find("hit rates"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(ta);
  EXPECT_EQ(j["summary"]["target"], "gpu");
  const auto& k = j["components"]["gpu"]["latency"]["kernels"];
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0]["kernel"], "softmax_kernel");
  EXPECT_EQ(k[0]["ctas"], 64);
  // softmax reads its 64 x 1024 fp16 input (128 KiB) from DRAM once: pass 2 hits in L1 or L2,
  // and writes its output (which stays in L2).
  EXPECT_EQ(k[0]["dram_read_bytes"], 64 * 1024 * 2);
  EXPECT_GT(k[0]["l1_hit_rate"].get<double>() + k[0]["l2_hit_rate"].get<double>(), 0.3);
  EXPECT_GT(j["components"]["gpu"]["energy"]["gpu_pj"].get<double>(), 0);
}

TEST(CliGpu, ReplaysAnAccessTrace) {
  TempDir d;
  // A trace written by the kernel access generator.
  CliResult g =
      run_accsim("trace gen kernel " + d.file("g.atrace") + " --kernel gemv --shape M=256,K=512");
  ASSERT_EQ(g.code, 0) << g.out;
  CliResult a = run_accsim("run " + src("configs/systems/gpu_h100.yaml") + " --workload " +
                           d.file("g.atrace") + " -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  auto j = nlohmann::json::parse(slurp(d.file("a.json")));
  EXPECT_EQ(j["components"]["gpu"]["latency"]["kernels"][0]["kernel"], "gemv_kernel");
  EXPECT_GE(j["stats"]["gpu"]["dram_read_bytes"]["value"].get<double>(), 256.0 * 512 * 2);
}

TEST(CliGpu, BadWorkloadsAreErrors) {
  const std::string sys = src("configs/systems/gpu_h100.yaml");
  CliResult r = run_accsim("run " + sys + " --set workload.kernel=frobnicate -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("frobnicate"), std::string::npos) << r.out;
  r = run_accsim("run " + sys + " --set workload.shape=M=0,K=4 -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  r = run_accsim("run " + sys + " --set gpu.l2.size=3MiB -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("whole number of sets"), std::string::npos) << r.out;
  r = run_accsim("run " + sys + " --workload /nonexistent.atrace -o /dev/null");
  EXPECT_EQ(r.code, kInput) << r.out;
  EXPECT_NE(r.out.find("/nonexistent.atrace"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::test
