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
  // The published b-tagging design point (15 tracks, reuse factor 1, ap_fixed<19,7>), with the
  // calibrated primitive depths of hw/fpga_spec.cpp.
  EXPECT_NE(r.table.find("| io_parallel | 1 | 311 | 1555.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| io_stream | 1 | 201 | 1005.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| io_parallel | 4 | 1153 | 5765.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| 5 | 239 | 1195.0 | 30.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("| 8 | io_stream | 131 | 655.0 |"), std::string::npos) << r.table;
  EXPECT_NE(r.table.find("- io_parallel: 1555.0 ns -> under the target"), std::string::npos);
  EXPECT_NE(r.table.find("Model's minimum depth for no stall: **30**"), std::string::npos);
  EXPECT_NE(r.table.find("| 14 | deadlock"), std::string::npos);
  EXPECT_NE(r.table.find("| 15 | stalls"), std::string::npos);
  EXPECT_NE(r.table.find("| 29 | stalls"), std::string::npos);
  EXPECT_NE(r.table.find("| 30 | no stall"), std::string::npos);
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
