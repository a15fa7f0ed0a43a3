// The pim target through the accsim program: a run writes a deterministic report with the PIM
// figures; bad workloads and impossible designs give clear errors and the documented exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/op_trace.h"

namespace accsim::test {
namespace {

constexpr int kConfig = 3, kInput = 4;
// Two layers of GPT-2 small keep the run short under the sanitizers.
const std::string kSmall =
    " --set workload.model=gpt2-small --set workload.layers=2 --set workload.tokens=2 "
    "--set workload.prompt=40";

TEST(CliPim, RunWritesThePimReport) {
  TempDir d;
  const std::string sys = src("configs/systems/pim_gpt.yaml") + kSmall;
  CliResult a = run_accsim("run " + sys + " -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  CliResult b = run_accsim("run " + sys + " -o " + d.file("b.json"));
  ASSERT_EQ(b.code, 0) << b.out;
  const std::string ta = slurp(d.file("a.json"));
  EXPECT_EQ(ta, slurp(d.file("b.json")));  // deterministic
  EXPECT_NE(a.out.find("per token"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(ta);
  EXPECT_EQ(j["summary"]["target"], "pim");
  EXPECT_EQ(j["summary"]["work_unit"], "tokens");
  EXPECT_EQ(j["summary"]["work"], 2);
  const auto& p = j["components"]["pim"];
  ASSERT_EQ(p["latency"]["step_ns"].size(), 2u);
  // The second token attends over one more cached token: never faster.
  EXPECT_GE(p["latency"]["step_ns"][1].get<double>(), p["latency"]["step_ns"][0].get<double>());
  EXPECT_GT(p["latency"]["vmm_ns"].get<double>(), p["latency"]["asic_ns"].get<double>());
  EXPECT_GT(p["energy"]["pim_pj"].get<double>(), 0);
  EXPECT_GT(p["energy"]["asic_pj"].get<double>(), 0);
  // Off-chip traffic is a small fraction of what reading the weights would move.
  EXPECT_LT(p["bandwidth"]["bus_bytes"].get<double>(),
            p["bandwidth"]["offchip_bytes_without_pim"].get<double>() / 20);
  const auto& s = j["stats"]["pim"];
  EXPECT_EQ(s["protocol_violations"]["value"], 0);
  EXPECT_GT(s["row_hit_rate"]["value"].get<double>(), 0.9);
  EXPECT_EQ(j["workload"]["layers"], 2);
  // Issue 17, case 10: SystemC's "stopped by user" note does not reach the output; -q prints
  // nothing at all.
  EXPECT_EQ(a.out.find("Simulation stopped"), std::string::npos) << a.out;
  CliResult q = run_accsim("run " + sys + " -q -o " + d.file("q.json"));
  ASSERT_EQ(q.code, 0) << q.out;
  EXPECT_EQ(q.out, "");
}

TEST(CliPim, MoreChannelsAreFaster) {
  TempDir d;
  const std::string sys = src("configs/systems/pim_gpt.yaml") + kSmall;
  ASSERT_EQ(run_accsim("run " + sys + " --set dram.channels=4 -o " + d.file("4.json")).code, 0);
  ASSERT_EQ(run_accsim("run " + sys + " --set dram.channels=16 -o " + d.file("16.json")).code, 0);
  auto t = [&](const char* f) {
    return nlohmann::json::parse(slurp(d.file(f)))["summary"]["sim_time_s"].get<double>();
  };
  EXPECT_LT(t("16.json"), t("4.json") / 2);
}

// Op-trace records as the reference harness logs them.
std::vector<workloads::OpRecord> records(
    const std::vector<std::pair<const char*, const char*>>& ops) {
  std::vector<workloads::OpRecord> recs;
  for (auto [op, shape] : ops)
    for (auto& l : workloads::build_kernel_launches(op, workloads::parse_kernel_shape(shape)))
      recs.push_back(l.rec);
  return recs;
}

TEST(CliPim, RunsTheRecordsOfAnOpTrace) {
  TempDir d;
  // A decode-step fragment: a GEMV, decode attention (split + combine records), GELU, layer norm.
  const auto recs = records({{"gemv", "M=3072,K=1024"},
                             {"decode", "B=1,H=16,L=512,d=64"},
                             {"gelu", "n=4096"},
                             {"layernorm", "rows=1,cols=1024"}});
  workloads::write_op_trace(d.file("ops.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            recs);
  CliResult a = run_accsim("run " + src("configs/systems/pim_gpt.yaml") +
                           " --set workload.op_trace=" + d.file("ops.jsonl") +
                           " --set workload.tokens=2 -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  auto j = nlohmann::json::parse(slurp(d.file("a.json")));
  EXPECT_EQ(j["workload"]["records"], recs.size());
  EXPECT_EQ(j["workload"]["steps"], 2);
  // Every step: the GEMV's MACs and the attention's scores and values over 512 cached tokens.
  EXPECT_EQ(j["components"]["pim"]["macs"]["useful"], 2 * (3072 * 1024 + 2 * 16 * 64 * 512));
  EXPECT_EQ(j["stats"]["pim"]["protocol_violations"]["value"], 0);
  std::string ops;
  for (const auto& o : j["components"]["pim"]["latency"]["by_op"])
    ops += o["op"].get<std::string>() + " ";
  for (const char* want :
       {"gemv", "scores", "softmax", "attn_v", "gelu", "layernorm", "elementwise"})
    EXPECT_NE(ops.find(want), std::string::npos) << want << " in " << ops;
  // Prefill attention is not PIM work: the error names the record.
  workloads::write_op_trace(d.file("bad.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            records({{"sdpa_flash", "B=1,H=4,N=256,d=64"}}));
  CliResult b = run_accsim("run " + src("configs/systems/pim_gpt.yaml") +
                           " --set workload.op_trace=" + d.file("bad.jsonl") + " -o /dev/null");
  EXPECT_EQ(b.code, kConfig) << b.out;
  EXPECT_NE(b.out.find("op trace record 0"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("decode attention"), std::string::npos) << b.out;
  // An op trace with a header and no records did nothing: an input error naming the file.
  workloads::write_op_trace(d.file("empty.jsonl"), workloads::OpTraceHeader{"test", "test", 0, {}},
                            {});
  CliResult e =
      run_accsim("run " + src("configs/systems/pim_gpt.yaml") +
                 " --set workload.op_trace=" + d.file("empty.jsonl") + " -o " + d.file("e.json"));
  EXPECT_EQ(e.code, kInput) << e.out;
  EXPECT_NE(e.out.find(d.file("empty.jsonl")), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("nothing to simulate"), std::string::npos) << e.out;
}

TEST(CliPim, BadWorkloadsAreConfigErrors) {
  const std::string sys = src("configs/systems/pim_gpt.yaml");
  CliResult r = run_accsim("run " + sys + " --set workload.model=gpt2-smal -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("unknown model 'gpt2-smal'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'gpt2-small'"), std::string::npos) << r.out;

  r = run_accsim("run " + sys + " --set workload.prompt=1023 --set workload.tokens=4 -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("exceeds the KV-cache capacity of 1024"), std::string::npos) << r.out;

  r = run_accsim("run " + sys + " --set workload.model=gpt2-xl --set dram.channels=1 -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("rows per bank"), std::string::npos) << r.out;

  r = run_accsim("run " + sys + " --set pim.asic.lanez=4 -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("lanez"), std::string::npos) << r.out;

  // --workload names an op trace; a missing one is an input error naming it.
  r = run_accsim("run " + sys + " --workload /nonexistent/ops.jsonl -o /dev/null");
  EXPECT_EQ(r.code, kInput) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/ops.jsonl"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::test
