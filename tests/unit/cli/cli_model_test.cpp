// `accsim trace gen model`: a transformer step written as an op trace and run on the gpu and pim
// targets; what a target cannot run is refused naming the record; bad options are usage errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kUsage = 2, kConfig = 3;

TEST(CliModel, DecodeStepRunsOnGpuAndPim) {
  TempDir d;
  const std::string ops = d.file("dec.jsonl");
  CliResult g = run_accsim("trace gen model " + ops +
                           " --model gpt2-small --phase decode --context 63 --layers 1");
  ASSERT_EQ(g.code, 0) << g.out;
  EXPECT_NE(g.out.find("wrote 13 launches of one decode step of gpt2-small"), std::string::npos)
      << g.out;
  // PIM-GPT's way: the VMMs of one layer (12 d^2), the attention over 64 cached tokens
  // (scores and values, 2 x 64 x d) and the logits (vocab x d).
  CliResult p = run_accsim("run " + src("configs/systems/pim_gpt.yaml") + " --workload " + ops +
                           " --set workload.tokens=1 -o " + d.file("p.json"));
  ASSERT_EQ(p.code, 0) << p.out;
  auto pj = nlohmann::json::parse(slurp(d.file("p.json")));
  EXPECT_EQ(pj["workload"]["records"], 13);
  EXPECT_EQ(pj["components"]["pim"]["macs"]["useful"], 12 * 768 * 768 + 2 * 64 * 768 + 50257 * 768);
  // The GPU replays every launch (the layer without the logits keeps the test short); its rows
  // carry the records' labels.
  const std::string layer = d.file("layer.jsonl");
  ASSERT_EQ(run_accsim("trace gen model " + layer +
                       " --model gpt2-small --phase decode --context 63 --layers 1 --no-lm-head")
                .code,
            0);
  CliResult u = run_accsim("run " + src("configs/systems/gpu_h100.yaml") + " --workload " + layer +
                           " -o " + d.file("u.json"));
  ASSERT_EQ(u.code, 0) << u.out;
  auto uj = nlohmann::json::parse(slurp(d.file("u.json")));
  // In order on one GPU (workload.op_trace_replay's default): one kernel per launch, back to
  // back, the step's time their sum.
  const auto& rows = uj["components"]["gpu"]["latency"]["kernels"];
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(rows[1]["label"], "L0.qkv");
  EXPECT_EQ(rows[1]["kernel"], "gemv_kernel");
  EXPECT_EQ(rows[10]["label"], "L0.res2");
  double sum_ns = 0;
  for (const auto& r : rows) {
    EXPECT_GT(r["time_ns"].get<double>(), 0) << r["label"];
    sum_ns += r["time_ns"].get<double>();
  }
  EXPECT_NEAR(uj["summary"]["sim_time_s"].get<double>() * 1e9, sum_ns, 1e-6 * sum_ns);
  EXPECT_EQ(uj["summary"]["op_trace"]["records"], 11);
  EXPECT_EQ(uj["summary"]["op_trace"]["passes"], 1);
}

// One GPT-2 small layer of a 128-token prefill, written into `d`.
std::string prefill_layer(TempDir& d) {
  const std::string ops = d.file("pre.jsonl");
  CliResult g = run_accsim("trace gen model " + ops +
                           " --model gpt2-small --phase prefill --tokens 128 --layers 1");
  EXPECT_EQ(g.code, 0) << g.out;
  return ops;
}

TEST(CliModel, PimRefusesPrefillAttentionNamingTheRecord) {
  TempDir d;
  const std::string ops = prefill_layer(d);
  CliResult p = run_accsim("run " + src("configs/systems/pim_gpt.yaml") + " --workload " + ops +
                           " -o " + d.file("p.json"));
  EXPECT_EQ(p.code, kConfig) << p.out;
  EXPECT_NE(p.out.find("op trace record 2 (flash_fwd_kernel, sdpa)"), std::string::npos) << p.out;
}

// The dataflow target runs one attention: a whole layer is refused at its first other record;
// workload.record runs one sdpa record of the step alone.
TEST(CliModel, DataflowRunsOneAttentionRecordOfTheStep) {
  TempDir d;
  const std::string ops = prefill_layer(d);
  const std::string sys = src("configs/systems/sdpa_dataflow.yaml");
  CliResult w = run_accsim("run " + sys + " --workload " + ops + " -o " + d.file("w.json"));
  EXPECT_EQ(w.code, kConfig) << w.out;
  EXPECT_NE(w.out.find("op trace record 0 (layernorm_kernel, layernorm): the dataflow target"),
            std::string::npos)
      << w.out;
  CliResult r = run_accsim("run " + sys + " --workload " + ops + " --set workload.record=0 -o " +
                           d.file("r.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(slurp(d.file("r.json")));
  EXPECT_EQ(j["config"]["sdpa"]["N"], 128);
  EXPECT_EQ(j["config"]["sdpa"]["heads"], 12);
}

TEST(CliModel, BadOptionsAreUsageErrors) {
  TempDir d;
  const std::string out = d.file("x.jsonl");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--model gpt2-small --phase prefill --tokens 1025", "--tokens must be 1..1024"},
      {"--model gpt2-small --phase prefill", "prefill needs --tokens"},
      {"--model gpt2-small --phase prefill --tokens 64",
       "L0.attn: kernel access generator: "
       "flash_fwd_kernel: N must be a multiple"},
      {"--model gpt2-small --phase decode --context 1024", "--context must be 0..1023"},
      {"--model gpt2-small --phase decode --attention naive", "--attention applies to prefill"},
      {"--model gpt2-small --phase train --tokens 4", "--phase expects prefill or decode"},
      {"--model gpt2-small --phase decode --layers 0", "--layers must be >= 1"},
      {"--model gpt2-small --phase decode --dtype fp32", "--dtype expects fp16 or bf16"},
      {"--phase decode", "--model is required"},
  };
  for (const auto& [args, msg] : cases) {
    CliResult r = run_accsim("trace gen model " + out + " " + args);
    EXPECT_EQ(r.code, kUsage) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(msg), std::string::npos) << args << "\n" << r.out;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
  CliResult m = run_accsim("trace gen model " + out + " --model gpt2-smal --phase decode");
  EXPECT_EQ(m.code, kConfig) << m.out;
  EXPECT_NE(m.out.find("did you mean 'gpt2-small'"), std::string::npos) << m.out;
}

}  // namespace
}  // namespace accsim::test
