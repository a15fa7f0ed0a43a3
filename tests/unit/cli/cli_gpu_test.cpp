// The gpu target through the accsim program: generated kernel accesses and an access trace
// replay deterministically with the GPU figures; bad workloads are clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/op_trace.h"

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

// The residual addition y = a + b over 2 M fp16 elements (a GPT-2 medium prefill of 2048 tokens,
// d_model 1024): every sector of a and b comes from DRAM once, y stays in L2 (dirty at the end),
// and the kernel is bound by DRAM bandwidth. (At 1 M elements the 2 us kernel sits just below
// the bound threshold: its ramp-up and the per-bank refreshes of both HBM3 stack IDs keep it
// near 58 % of peak.) Grid and instruction counts as the generator builds
// them (workloads/README.md, "Kernel access generator").
TEST(CliGpu, AddKernelRunIsDramBound) {
  TempDir d;
  const std::uint64_t n = 1u << 21;
  CliResult r =
      run_accsim("run " + src("configs/systems/gpu_h100.yaml") +
                 " --set workload.kernel=add --set workload.shape=n=" + std::to_string(n) + " -o " +
                 d.file("r.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("add_kernel dram"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(d.file("r.json")));
  const auto& k = j["components"]["gpu"]["latency"]["kernels"].at(0);
  workloads::KernelBuildOptions o;
  o.sm_count = j["config"]["gpu"]["sms"].get<std::uint32_t>();
  const auto l = workloads::build_kernel_launches("add", {{"n", n}}, o).at(0);
  EXPECT_EQ(k["kernel"], "add_kernel");
  EXPECT_EQ(k["ctas"], l.rec.grid->at(0));
  EXPECT_EQ(k["bound"], "dram") << k.dump();
  EXPECT_GT(k["utilisation"]["dram"].get<double>(), 0.5) << k.dump();
  EXPECT_EQ(k["dram_read_bytes"], 2 * n * 2);    // a and b, once
  EXPECT_EQ(k["l2_dirty_bytes_at_end"], n * 2);  // y
  EXPECT_EQ(k["sectors"], 3 * n * 2 / 32);
  // Per 32 lanes x 8 elements: 8 add.f32, 16 unpacks and 4 packs (kernel_mix.h add_step).
  const std::uint64_t trips = n / 8 / 32;
  EXPECT_EQ(k["instructions"]["ffma"], 8 * trips);
  EXPECT_EQ(k["instructions"]["cvt"], 20 * trips);
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

// The summary says when figures are extrapolated (sampled waves) or memory-only estimates (a
// version-1 trace, no instruction mix), beside the kernels' own 'sampled' / 'memory_only'.
TEST(CliGpu, TheSummarySaysWhenResultsAreSampledOrMemoryOnly) {
  TempDir d;
  CliResult s = run_accsim("run " + src("configs/systems/gpu_h100.yaml") +
                           " --set workload.kernel=gemv --set workload.shape=M=16384,K=1024" +
                           " --set workload.sample_waves=1 -o " + d.file("s.json"));
  ASSERT_EQ(s.code, 0) << s.out;
  const auto ks =
      nlohmann::json::parse(slurp(d.file("s.json")))["components"]["gpu"]["latency"]["kernels"][0];
  const int wave = 132 * ks["ctas_per_sm"].get<int>();  // one wave: the H100's SMs x occupancy
  ASSERT_LT(wave, 2048);
  EXPECT_NE(
      s.out.find("1 of 1 kernels extrapolated from " + std::to_string(wave) + " of 2048 CTAs"),
      std::string::npos)
      << s.out;
  EXPECT_EQ(ks["sampled"]["simulated_ctas"], wave);
  EXPECT_EQ(s.out.find("memory only"), std::string::npos) << s.out;
  CliResult g = run_accsim("trace gen kernel " + d.file("v1.atrace") +
                           " --kernel gemv --shape M=256,K=512 --memory-only");
  ASSERT_EQ(g.code, 0) << g.out;
  CliResult m = run_accsim("run " + src("configs/systems/gpu_h100.yaml") + " --workload " +
                           d.file("v1.atrace") + " -o " + d.file("m.json"));
  ASSERT_EQ(m.code, 0) << m.out;
  EXPECT_NE(m.out.find("1 kernels without instruction mix (version-1 trace)"), std::string::npos)
      << m.out;
  EXPECT_EQ(m.out.find("extrapolated"), std::string::npos) << m.out;
  auto j = nlohmann::json::parse(slurp(d.file("m.json")));
  EXPECT_TRUE(j["components"]["gpu"]["latency"]["kernels"][0]["memory_only"].get<bool>());
}

TEST(CliGpu, ValidatesAgainstTheMeasuredFiguresOfAnOpTrace) {
  TempDir d;
  // Three launches as the reference harness would log them, with made-up measured figures (the
  // test checks the comparison's arithmetic, not the model's accuracy); the third has none.
  std::vector<workloads::OpRecord> recs;
  for (auto [op, shape] : {std::pair<const char*, const char*>{"gemv", "M=1024,K=1024"},
                           {"softmax", "rows=128,cols=1024"},
                           {"gelu", "n=65536"}})
    for (auto& l : workloads::build_kernel_launches(op, workloads::parse_kernel_shape(shape)))
      recs.push_back(l.rec);
  ASSERT_EQ(recs.size(), 3u);
  recs[0].measured = workloads::MeasuredFigures{3000.0, 2u << 20, 4096u, 10.0, 5.0};
  recs[1].measured = workloads::MeasuredFigures{2500.0, 256u << 10, 256u << 10, 50.0, 1.0};
  workloads::write_op_trace(d.file("ops.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            recs);
  CliResult a = run_accsim("run " + src("configs/systems/gpu_h100.yaml") +
                           " --set workload.op_trace=" + d.file("ops.jsonl") +
                           " --set workload.op_trace_replay=alone -o " + d.file("v.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("MAPE"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(slurp(d.file("v.json")));
  const auto& v = j["validation"];
  ASSERT_EQ(v["launches"].size(), 3u);
  EXPECT_EQ(v["points"], 2);
  EXPECT_FALSE(v["launches"][2].contains("measured_time_ns"));
  const double s0 = v["launches"][0]["sim_time_ns"], s1 = v["launches"][1]["sim_time_ns"];
  EXPECT_GT(s0, 0);
  const double mape = (std::abs(s0 - 3000.0) / 3000.0 + std::abs(s1 - 2500.0) / 2500.0) / 2;
  EXPECT_NEAR(v["time_mape"].get<double>(), mape, 1e-9);
  // Two points: the correlation is +1 or -1 (their order agrees or not).
  EXPECT_NEAR(std::abs(v["time_correlation"].get<double>()), 1.0, 1e-9);
  // DRAM bytes read and written, and the L2 hit rate, each compared on its own.
  const auto& l0 = v["launches"][0];
  const double r0 = l0["sim_dram_read_bytes"], w0 = l0["sim_dram_write_bytes"];
  EXPECT_NEAR(l0["dram_read_bytes_error"].get<double>(), (r0 - (2 << 20)) / (2 << 20), 1e-9);
  EXPECT_NEAR(l0["dram_write_bytes_error"].get<double>(), (w0 - 4096) / 4096.0, 1e-9);
  const double h0 = l0["sim_l2_hit_pct"], h1 = v["launches"][1]["sim_l2_hit_pct"];
  EXPECT_NEAR(l0["l2_hit_error"].get<double>(), (h0 - 5.0) / 5.0, 1e-9);
  EXPECT_NEAR(v["l2_hit_rate"]["mape"].get<double>(),
              (std::abs(h0 - 5.0) / 5.0 + std::abs(h1 - 1.0) / 1.0) / 2, 1e-9);
  EXPECT_EQ(v["dram_read_bytes"]["points"], 2);
  // `accsim validate` is the same run with a per-launch table and a CSV.
  CliResult t =
      run_accsim("validate " + src("configs/systems/gpu_h100.yaml") + " " + d.file("ops.jsonl") +
                 " -o " + d.file("t.json") + " --csv " + d.file("t.csv"));
  ASSERT_EQ(t.code, 0) << t.out;
  EXPECT_NE(t.out.find("time us meas/sim/err"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("gemv_kernel"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("time: 2 launches"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("L2 hit rate: 2 launches"), std::string::npos) << t.out;
  EXPECT_EQ(slurp(d.file("t.json")), slurp(d.file("v.json")));
  const std::string csv = slurp(d.file("t.csv"));
  EXPECT_EQ(csv.rfind("record,kernel,op,shape,bound,measured_time_ns,sim_time_ns,time_error,", 0),
            0u)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);  // header + 3 launches
  CliResult w = run_accsim("validate " + src("configs/systems/pim_gpt.yaml") + " " +
                           d.file("ops.jsonl") + " -o /dev/null");
  EXPECT_EQ(w.code, 2) << w.out;
  EXPECT_NE(w.out.find("needs a gpu system"), std::string::npos) << w.out;
}

// A validation over launches of which none has a measured figure compared nothing: exit 4 naming
// the op trace (was "0 launches, MAPE 0.0 %" and exit 0); the simulated figures are kept. With one
// measured launch the correlation is undefined (null, "-"), not 0.
TEST(CliGpu, ValidationWithoutMeasuredFiguresIsAnError) {
  TempDir d;
  auto launches = workloads::build_kernel_launches("gelu", workloads::parse_kernel_shape("n=4096"));
  std::vector<workloads::OpRecord> recs{launches.at(0).rec};
  workloads::write_op_trace(d.file("none.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            recs);
  CliResult n = run_accsim("validate " + src("configs/systems/gpu_h100.yaml") + " " +
                           d.file("none.jsonl") + " -o " + d.file("n.json"));
  EXPECT_EQ(n.code, 4) << n.out;
  EXPECT_NE(n.out.find(d.file("none.jsonl") + ": no launch carries a measured figure"),
            std::string::npos)
      << n.out;
  EXPECT_NE(n.out.find("time: no measured figure"), std::string::npos) << n.out;
  auto j = nlohmann::json::parse(slurp(d.file("n.json")));
  EXPECT_TRUE(j["validation"]["time"]["mape"].is_null());
  recs[0].measured = workloads::MeasuredFigures{3000.0, 8192u, 8192u, 10.0, 5.0};
  workloads::write_op_trace(d.file("one.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            recs);
  CliResult o = run_accsim("validate " + src("configs/systems/gpu_h100.yaml") + " " +
                           d.file("one.jsonl") + " -o " + d.file("o.json"));
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("time: 1 launches, MAPE"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("correlation - (one launch)"), std::string::npos) << o.out;
  auto k = nlohmann::json::parse(slurp(d.file("o.json")));
  EXPECT_TRUE(k["validation"]["time"]["correlation"].is_null());
  EXPECT_FALSE(k["validation"]["time"]["mape"].is_null());
}

// Every preset's system file runs the default study's GPU workloads (small shapes here), with
// its own memory (peak bandwidth = the preset's memory), and reports the kernels' bounds.
TEST(CliGpu, EveryPresetRunsTheStudyWorkloadsWithItsOwnMemory) {
  TempDir d;
  const std::vector<std::pair<std::string, double>> gpus = {{"gpu_h100.yaml", 3.33e12},
                                                            {"gpu_h200.yaml", 4.8e12},
                                                            {"gpu_a100.yaml", 1.555e12},
                                                            {"gpu_t4.yaml", 320e9}};
  for (const auto& [file, bw] : gpus)
    for (const char* w : {"workload.kernel=gemv --set workload.shape=M=512,K=1024",
                          "workload.kernel=softmax --set workload.shape=rows=64,cols=1024",
                          "workload.kernel=sdpa_flash --set workload.shape=B=1,H=2,N=256,d=64",
                          "workload.kernel=sdpa_naive --set workload.shape=B=1,H=2,N=256,d=64"}) {
      SCOPED_TRACE(file + " " + w);
      CliResult r = run_accsim("run " + src("configs/systems/" + file) + " --set " + w + " -o " +
                               d.file("r.json"));
      ASSERT_EQ(r.code, 0) << r.out;
      auto j = nlohmann::json::parse(slurp(d.file("r.json")));
      EXPECT_NEAR(j["summary"]["peak_bandwidth_Bps"].get<double>(), bw, 0.01 * bw);
      for (const auto& k : j["components"]["gpu"]["latency"]["kernels"]) {
        EXPECT_FALSE(k["memory_only"].get<bool>());
        EXPECT_GT(k["warp_instructions"].get<double>(), 0);
        EXPECT_FALSE(k["bound"].get<std::string>().empty());
      }
    }
  CliResult l = run_accsim("list");
  for (const char* p : {"H100", "H200", "A100-40GB", "A100-80GB", "T4"})
    EXPECT_NE(l.out.find(p), std::string::npos) << p << "\n" << l.out;
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
