// The bundled study (configs/fpga/jet_tagger_study.yaml): its claims hold (monotone reuse-factor
// trends; the model's minimum FIFO depth is exactly the stall boundary of the sweep; a shallow
// skip FIFO deadlocks), and its tables carry the figures README.md quotes.
#include <cstdio>

#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

TEST(FpgaStudy, BundledStudyClaimsHold) {
  StudyResult r = run_study(std::string(ACCSIM_SOURCE_DIR) + "/configs/fpga/jet_tagger_study.yaml");
  for (const auto& c : r.failed_claims) ADD_FAILURE() << c;
  EXPECT_TRUE(r.claims_hold);
  // The published b-tagging design point (15 tracks, reuse factor 1, ap_fixed<19,7>).
  EXPECT_NE(r.table.find("| io_parallel | 1 | 466 | 2330.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| io_stream | 1 | 356 | 1780.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| io_parallel | 4 | 1308 | 6540.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| 5 | 394 | 1970.0 | 30.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| 8 | io_stream | 276 | 1380.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("Model's minimum depth for no stall: **45**"), std::string::npos);
  EXPECT_NE(r.table.find("| 14 | deadlock"), std::string::npos);
  EXPECT_NE(r.table.find("| 15 | stalls"), std::string::npos);
  EXPECT_NE(r.table.find("| 44 | stalls"), std::string::npos);
  EXPECT_NE(r.table.find("| 45 | no stall"), std::string::npos);
}

TEST(FpgaStudy, BadStudyFileNamesThePlace) {
  const std::string path = ::testing::TempDir() + "/fpga_bad_study.yaml";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("study:\n  model: x.yaml\n  reuse_factors: [1, 2]\n  precisions: [float]\n", f);
    std::fclose(f);
  }
  std::string msg = config_error_of([&] { run_study(path); });
  EXPECT_NE(msg.find(path + ":4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("study.precisions"), std::string::npos) << msg;
}

}  // namespace
}  // namespace accsim::fpga::test
