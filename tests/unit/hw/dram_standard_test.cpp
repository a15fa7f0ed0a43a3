// The per-standard description table (hw/dram_standard.h): one entry per standard in the enum's
// order, names that round-trip, the facts the rule builder, checker and controller take from it,
// and no branch on the standard anywhere else in the simulator's sources.
#include "hw/dram_standard.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "hw/dram_config.h"
#include "models/dram/impl/timing.h"

namespace accsim::hw {
namespace {

TEST(DramStandard, TableIsInEnumOrderAndNamesRoundTrip) {
  int i = 0;
  for (const DramStandardInfo& s : dram_standards()) {
    EXPECT_EQ(static_cast<int>(s.id), i++);
    EXPECT_EQ(&standard_info(s.id), &s);
    EXPECT_EQ(standard_name(s.id), s.name);
    EXPECT_EQ(find_standard(s.name), &s);
    EXPECT_FALSE(s.source.empty()) << s.name;
  }
  EXPECT_EQ(i, static_cast<int>(DramStandard::kGDDR6) + 1);
  EXPECT_EQ(find_standard("DDR3"), nullptr);
  EXPECT_EQ(find_standard("ddr4"), nullptr);  // exact names only
}

// The rule builder takes the read-to-write bubble and the LPDDR5 write-to-read clock from the
// table: the rank-level RD->WR and WR->RD rules of every preset carry exactly those values.
TEST(DramStandard, TimingRulesUseTheTablesTurnarounds) {
  for (const std::string& p : dram_preset_names()) {
    SCOPED_TRACE(p);
    const DramSpec s = dram_preset_spec(p);
    const DramStandardInfo& info = standard_info(s.standard);
    const auto& t = s.timing;
    bool rtw = false, wtr = false;
    for (const dram::TimingRule& r : dram::build_timing_rules(s)) {
      if (r.scope != dram::Scope::kRank) continue;
      if (r.prev == dram::Cmd::kRD && r.next == dram::Cmd::kWR) {
        EXPECT_EQ(r.latency, t.nCL + t.nBL + info.read_to_write_bubble - t.nCWL);
        rtw = true;
      }
      if (r.prev == dram::Cmd::kWR && r.next == dram::Cmd::kRD) {
        EXPECT_EQ(r.latency, t.nCWL + t.nBL + info.write_to_read_extra + t.nWTR_S);
        wtr = true;
      }
    }
    EXPECT_TRUE(rtw && wtr);
  }
  EXPECT_EQ(standard_info(DramStandard::kLPDDR5).write_to_read_extra, 1);
  EXPECT_TRUE(standard_info(DramStandard::kHBM3).split_command_bus);
  EXPECT_FALSE(standard_info(DramStandard::kDDR4).split_command_bus);
}

// "One standard, one place": outside hw/dram_standard.*, no source of the simulator compares a
// standard or switches on it (a default member initializer is not a branch).
TEST(DramStandard, NoPerStandardBranchOutsideTheTable) {
  namespace fs = std::filesystem;
  const std::regex branch(
      R"((==|!=)\s*(hw::)?DramStandard::k|DramStandard::k\w+\s*(==|!=|\?)|case\s+(hw::)?DramStandard::k)");
  int files = 0;
  for (const char* dir : {"hw", "models", "sim", "workloads"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(ACCSIM_SOURCE_DIR) / dir)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
      if (e.path().filename().string().rfind("dram_standard.", 0) == 0) continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      ++files;
      EXPECT_FALSE(std::regex_search(ss.str(), branch)) << e.path() << " branches on the standard";
    }
  }
  EXPECT_GT(files, 50);
}

}  // namespace
}  // namespace accsim::hw
