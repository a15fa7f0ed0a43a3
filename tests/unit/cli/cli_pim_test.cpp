// The pim target through the accsim program: a run writes a deterministic report with the PIM
// figures; bad workloads and impossible designs give clear errors and the documented exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kUsage = 2, kConfig = 3;
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

TEST(CliPim, BadWorkloadsAreConfigErrors) {
  const std::string sys = src("configs/systems/pim_gpt.yaml");
  CliResult r = run_accsim("run " + sys + " --set workload.model=gpt2-smal -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("unknown GPT model 'gpt2-smal'"), std::string::npos) << r.out;
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

  r = run_accsim("run " + sys + " --workload x.atrace -o /dev/null");
  EXPECT_EQ(r.code, kUsage) << r.out;
  EXPECT_NE(r.out.find("takes no --workload"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::test
