// Whole runs through the accsim program: reports are written, identical inputs give byte-identical
// reports, and the summary agrees with the stats.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

TEST(CliRun, Hbm3StreamWritesReportAndIsDeterministic) {
  TempDir d;
  std::string args = "run " + src("configs/systems/hbm3.yaml") + " --workload " +
                     src("workloads/traces/seq_read_64k.atrace");
  auto a = run_accsim(args + " -o " + d.file("a.json") + " --csv " + d.file("a.csv"));
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("bandwidth"), std::string::npos) << a.out;
  auto b = run_accsim(args + " -o " + d.file("b.json") + " -q");
  ASSERT_EQ(b.code, 0) << b.out;
  std::string ra = slurp(d.file("a.json")), rb = slurp(d.file("b.json"));
  EXPECT_EQ(ra, rb) << "reports of identical runs differ";
  auto j = nlohmann::json::parse(ra);
  EXPECT_EQ(j["schema"], "accsim-report");
  EXPECT_EQ(j["summary"]["target"], "dram");
  EXPECT_GT(j["summary"]["bandwidth_Bps"].get<double>(), 0);
  EXPECT_GT(j["summary"]["energy_j"].get<double>(), 0);
  EXPECT_GT(j["energy"]["total_pj"].get<double>(), 0);
  EXPECT_TRUE(j["components"]["dram"].contains("latency"));
  EXPECT_TRUE(j["components"]["dram"].contains("energy"));
  EXPECT_TRUE(j["components"]["dram"].contains("bandwidth"));
  EXPECT_NE(slurp(d.file("a.csv")).find("summary.bandwidth_Bps,"), std::string::npos);
}

TEST(CliRun, ConfigShowListsDefaultsAndProvenance) {
  auto r = run_accsim("config show " + src("configs/systems/ddr4.yaml") +
                      " --set controller.read_queue=16");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("read_queue: 16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("set by --set controller.read_queue=16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("set by default"), std::string::npos) << r.out;
}

TEST(CliRun, ListShowsTargetsAndPresets) {
  auto r = run_accsim("list");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* s : {"dram", "DDR4-3200", "HBM3", "GDDR6", "LPDDR5-6400", "DDR5-4800", "HBM2"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing in:\n" << r.out;
}

TEST(CliRun, TraceConvertRoundTripsThroughPeerFormats) {
  TempDir d;
  std::string in = src("workloads/traces/seq_read_64k.atrace");
  ASSERT_EQ(run_accsim("trace convert " + in + " " + d.file("t.ramulator") + " --to ramulator").code, 0);
  ASSERT_EQ(run_accsim("trace convert " + d.file("t.ramulator") + " " + d.file("t2.atrace")).code, 0);
  auto a = run_accsim("trace info " + in + " --json");
  auto b = run_accsim("trace info " + d.file("t2.atrace") + " --json");
  ASSERT_EQ(a.code, 0) << a.out;
  ASSERT_EQ(b.code, 0) << b.out;
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(ja["records"], jb["records"]);
}

}  // namespace
}  // namespace accsim::test
