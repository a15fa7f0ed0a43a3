// Compute-bound kernels on the H100 preset, run as a user would (sampled: the first wave of CTAs,
// extrapolated): a 4096^3 fp16 GEMM and fused attention at N = 4096 with d = 64 and 128. Each is
// bound by an SM pipe, and its time follows the tensor pipe's throughput as the preset sets it,
// computed here by hand from the instruction counts the report gives: per wave, each
// sub-partition issues its share of the resident CTAs' mma.sync instructions at one per (2048
// MACs / (tensor rate / sub-partitions)) cycles. At the preset's rates the shared-memory
// bandwidth (ldmatrix and the cp.async data, 128 bytes per cycle per SM) binds a little before the
// tensor pipe (models/gpu/README.md, "Validation"); with the tensor rate lowered the tensor pipe
// binds and the time is the tensor time. Memory-bound kernels stay bound by DRAM bandwidth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

struct Run {
  nlohmann::json k;  // the kernel's report entry
  double tensor_ns = 0, smem_ns = 0;
};

Run run(const std::string& kernel, const std::string& shape, const std::string& extra = "") {
  TempDir d;
  const CliResult r =
      run_accsim("run " + src("configs/systems/gpu_h100.yaml") +
                 " --set workload.kernel=" + kernel + " --set workload.shape=" + shape +
                 " --set workload.sample_waves=1 " + extra + " -o " + d.file("r.json"));
  EXPECT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(slurp(d.file("r.json")));
  Run out;
  out.k = j["components"]["gpu"]["latency"]["kernels"].at(0);
  const auto& g = j["config"]["gpu"];
  const double clock = g["sm_clock"].get<double>(), smsp = g["sub_partitions"].get<double>();
  const double tensor_rate = g["pipes"]["tensor"]["rate"].get<double>();
  const double smem_rate = g["pipes"]["smem"]["rate"].get<double>();
  const double sms = g["sms"].get<double>();
  const auto& k = out.k;
  const double ctas = k["ctas"].get<double>(), per_sm = k["ctas_per_sm"].get<double>();
  const double waves = std::ceil(ctas / (sms * per_sm));
  const auto& mix = k["instructions"];
  const double mma =
      mix.value("mma_f16_f32_m16n8k16", 0.0) + mix.value("mma_bf16_f32_m16n8k16", 0.0);
  const double ii = 2048 / (tensor_rate / smsp);
  out.tensor_ns = waves * (mma / ctas * per_sm / smsp) * ii / clock * 1e9;
  // Shared-memory bytes: ldmatrix x4 (512 B each), and the sectors cp.async wrote into it.
  const double smem_bytes =
      mix.value("ldmatrix_x4", 0.0) * 512 + k["smem_async_bytes"].get<double>();
  out.smem_ns = waves * (smem_bytes / ctas * per_sm) / smem_rate / clock * 1e9;
  return out;
}

// With the preset: bound by an SM pipe (the tensor pipe or shared memory), never faster than
// either pipe allows.
void expect_pipe_bound(const Run& r, const std::string& what) {
  SCOPED_TRACE(what);
  const std::string bound = r.k["bound"];
  EXPECT_TRUE(bound == "tensor" || bound == "smem") << bound;
  EXPECT_TRUE(r.k.contains("sampled"));
  EXPECT_GE(r.k["time_ns"].get<double>(), 0.98 * std::max(r.tensor_ns, r.smem_ns))
      << "tensor " << r.tensor_ns << " ns, shared memory " << r.smem_ns << " ns";
  EXPECT_GT(r.k["utilisation"]["tensor"].get<double>(), 0.4);
}

// With the preset's tensor pipe at a quarter and an eighth of its rate, the tensor pipe binds and
// the time is the hand-computed tensor time (within 3 %): it follows the rate the preset sets.
void expect_follows_the_tensor_rate(const std::string& kernel, const std::string& shape) {
  const Run q = run(kernel, shape, "--set gpu.pipes.tensor.rate=341.25");
  const Run e = run(kernel, shape, "--set gpu.pipes.tensor.rate=170.625");
  for (const Run* r : {&q, &e}) {
    SCOPED_TRACE(kernel + " " + shape + (r == &q ? ", tensor rate / 4" : ", tensor rate / 8"));
    EXPECT_EQ(r->k["bound"], "tensor");
    EXPECT_GT(r->k["bound_utilisation"].get<double>(), 0.85);
    // Never faster than the tensor pipe allows; at most 3 % slower (the pipeline's fill and drain
    // in each wave: 0.7-1.6 % measured on these shapes).
    EXPECT_GE(r->k["time_ns"].get<double>(), 0.995 * r->tensor_ns);
    EXPECT_LE(r->k["time_ns"].get<double>(), 1.03 * r->tensor_ns);
  }
  EXPECT_NEAR(e.k["time_ns"].get<double>() / q.k["time_ns"].get<double>(), 2.0, 0.1);
}

TEST(CliGpuLong, Gemm4096IsPipeBoundAndFollowsTheTensorRate) {
  expect_pipe_bound(run("gemm", "M=4096,N=4096,K=4096"), "gemm 4096^3");
  expect_follows_the_tensor_rate("gemm", "M=4096,N=4096,K=4096");
}

TEST(CliGpuLong, FlashAttentionN4096IsPipeBoundAndFollowsTheTensorRate) {
  for (const char* d : {"64", "128"}) {
    const std::string shape = std::string("B=1,H=16,N=4096,d=") + d;
    expect_pipe_bound(run("sdpa_flash", shape), "flash " + shape);
    expect_follows_the_tensor_rate("sdpa_flash", shape);
  }
}

// A large GEMV and the residual addition y = a + b (4 M fp16 elements; per warp trip of 256
// elements 32 warp-instructions for 1 KiB read and 512 B written) are bound by DRAM bandwidth.
// GELU (tanhf: ~16 FFMA, an ex2 and an rcp per element in the reference kernel) sits near the
// balance of issue and DRAM bandwidth: it keeps the DRAM busy at least 60 % of the time, whichever
// of the two binds.
TEST(CliGpu, MemoryBoundKernelsKeepTheDramBusy) {
  const auto bound_of = [](const std::string& kernel, const std::string& shape) {
    TempDir d;
    const CliResult r = run_accsim(
        "run " + src("configs/systems/gpu_h100.yaml") + " --set workload.kernel=" + kernel +
        " --set workload.shape=" + shape + " --set workload.sample_waves=2 -o " + d.file("r.json"));
    EXPECT_EQ(r.code, 0) << r.out;
    return nlohmann::json::parse(slurp(d.file("r.json")))["components"]["gpu"]["latency"]["kernels"]
        .at(0);
  };
  const auto gemv = bound_of("gemv", "M=16384,K=4096");
  EXPECT_EQ(gemv["bound"], "dram") << gemv.dump();
  const auto gelu = bound_of("gelu", "n=16777216");
  EXPECT_TRUE(gelu["bound"] == "dram" || gelu["bound"] == "issue") << gelu.dump();
  EXPECT_GT(gelu["utilisation"]["dram"].get<double>(), 0.6) << gelu.dump();
  const auto add = bound_of("add", "n=4194304");
  EXPECT_EQ(add["bound"], "dram") << add.dump();
  EXPECT_GT(add["utilisation"]["dram"].get<double>(), 0.6) << add.dump();
}

}  // namespace
}  // namespace accsim::test
