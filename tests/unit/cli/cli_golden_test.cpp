// Golden reports: whole runs of every target on bundled inputs, compared byte for byte with the
// reports committed under tests/golden/. Any change to a model's timing, energy or report layout
// shows up here as a diff naming the first JSON path that differs. After an intended change,
// regenerate with
//   ACCSIM_UPDATE_GOLDEN=1 ctest --test-dir build -R CliGolden
// and review the diff of tests/golden/ like code. Runs are small so that the sanitizer build in
// CI stays fast. Paths are relative to the source folder (reports record them as given).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

struct GoldenCase {
  std::string name;  // tests/golden/<name>.json
  std::string args;  // after "run", relative to the source folder
};

void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.name;
}

// The first JSON path at which `a` and `b` differ ("" if none).
std::string first_difference(const nlohmann::ordered_json& a, const nlohmann::ordered_json& b,
                             const std::string& path) {
  if (a.type() != b.type()) return path + " (type)";
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) return path + "/" + it.key() + " (only in the new report)";
      std::string d = first_difference(it.value(), b[it.key()], path + "/" + it.key());
      if (!d.empty()) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return path + "/" + it.key() + " (only in the golden report)";
    return "";
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return path + " (array length)";
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string d = first_difference(a[i], b[i], path + "/" + std::to_string(i));
      if (!d.empty()) return d;
    }
    return "";
  }
  return a == b ? "" : path + ": " + a.dump() + " vs golden " + b.dump();
}

class CliGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(CliGolden, ReportMatchesGolden) {
  const GoldenCase& c = GetParam();
  TempDir d;
  auto r = run_accsim_in(ACCSIM_SOURCE_DIR, "run " + c.args + " -q -o " + d.file("r.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string got = slurp(d.file("r.json"));
  ASSERT_FALSE(got.empty());
  const std::string golden_path = src("tests/golden/" + c.name + ".json");
  if (const char* u = std::getenv("ACCSIM_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(golden_path, std::ios::binary) << got;
    GTEST_SKIP() << "golden report rewritten: " << golden_path;
  }
  ASSERT_TRUE(std::filesystem::exists(golden_path))
      << golden_path << " is missing; create it with ACCSIM_UPDATE_GOLDEN=1";
  const std::string want = slurp(golden_path);
  if (got == want) return;
  auto jg = nlohmann::ordered_json::parse(got, nullptr, false);
  auto jw = nlohmann::ordered_json::parse(want, nullptr, false);
  ADD_FAILURE() << "report differs from " << golden_path << " at "
                << (jg.is_discarded() || jw.is_discarded() ? std::string("(unparsable)")
                                                           : first_difference(jg, jw, ""));
}

INSTANTIATE_TEST_SUITE_P(
    Runs, CliGolden,
    ::testing::Values(GoldenCase{"ddr4_random",
                                 "configs/systems/ddr4.yaml --workload "
                                 "workloads/traces/random_rw_32k.atrace"},
                      GoldenCase{"hbm3_conflict",
                                 "configs/systems/hbm3.yaml --workload "
                                 "workloads/traces/row_conflict_8k.atrace "
                                 "--set controller.check_protocol=true"},
                      GoldenCase{"ddr5_pattern",
                                 "configs/systems/ddr4.yaml --set dram.preset=DDR5-4800 "
                                 "--set workload.pattern=random --set workload.count=5000 "
                                 "--set workload.write_fraction=0.3"},
                      GoldenCase{"sdpa_naive",
                                 "configs/systems/sdpa_dataflow.yaml --set sdpa.graph=naive "
                                 "--set sdpa.N=256 --set sdpa.M=16"},
                      GoldenCase{"sdpa_reordered_hbm3",
                                 "configs/systems/sdpa_dataflow_hbm3.yaml "
                                 "--set sdpa.N=256 --set sdpa.M=16"},
                      GoldenCase{"fpga_jet_tagger",
                                 "configs/systems/fpga_jet_tagger.yaml "
                                 "--set stream.events=16"},
                      GoldenCase{"pim_gpt2",
                                 "configs/systems/pim_gpt.yaml --set workload.model=gpt2-small "
                                 "--set workload.layers=2 --set workload.tokens=2 "
                                 "--set workload.prompt=40"},
                      GoldenCase{"gpu_softmax",
                                 "configs/systems/gpu_h100.yaml --set workload.kernel=softmax "
                                 "--set workload.shape=rows=64,cols=1024"}),
    [](const ::testing::TestParamInfo<GoldenCase>& i) { return i.param.name; });

}  // namespace
}  // namespace accsim::test
