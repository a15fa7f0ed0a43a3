// Issue 17's property test: every integer and size parameter of every section of every target,
// set with --set to values around the widths integers are read into (2^31 +- 1, 2^32 +- 1,
// 2^63) and to its documented bound +- 1, either holds exactly that value in the effective
// configuration or is a configuration error that names the --set text. Nothing wraps, nothing
// is silently replaced by a preset, nothing crashes (the sanitizer build runs it too).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/error.h"
#include "sim/run/system.h"

namespace accsim::run {
namespace {

struct Case {
  const char* target;
  const char* system;  // relative to the source tree
};

// One system file per target, where every section it has applies (dataflow's dram and
// controller are read only with the DRAM memory).
const Case kCases[] = {{"dram", "configs/systems/ddr4.yaml"},
                       {"dataflow", "configs/systems/sdpa_dataflow_hbm3.yaml"},
                       {"fpga", "configs/systems/fpga_jet_tagger.yaml"},
                       {"pim", "configs/systems/pim_gpt.yaml"},
                       {"gpu", "configs/systems/gpu_h100.yaml"}};

std::string path_of(const Case& c) {
  return std::string(ACCSIM_SOURCE_DIR) + "/" + c.system;
}

// The values to try, as text (whole numbers, exact beyond 2^53).
std::vector<std::string> probe_values(const config::Range& r) {
  std::set<std::string> v = {"2147483647",          "2147483648",         "2147483649",
                             "4294967295",          "4294967296",         "4294967297",
                             "9223372036854775808", "9223372036854775807"};
  auto add_near = [&v](double b) {
    if (!(std::fabs(b) < 0x1p53) || b != std::floor(b)) return;  // not a whole documented bound
    for (double d : {-1.0, 0.0, 1.0}) v.insert(std::to_string(static_cast<long long>(b + d)));
  };
  if (r.min > -1e299) add_near(r.min);
  if (r.max < 1e299) add_near(r.max);
  return {v.begin(), v.end()};
}

// The value at dotted `key` of the target's effective configuration (null if absent).
config::Json value_at(const config::Json& cfg, const std::string& key) {
  const config::Json* j = &cfg;
  for (std::size_t b = 0; b <= key.size();) {
    const std::size_t e = std::min(key.find('.', b), key.size());
    const std::string part = key.substr(b, e - b);
    if (!j->is_object() || !j->contains(part)) return nullptr;
    j = &(*j)[part];
    b = e + 1;
  }
  return *j;
}

// Whether `got` is exactly the number written as `text` (an integer, or a size in bytes).
bool holds(const config::Json& got, const std::string& text) {
  if (got.is_number_unsigned()) return std::to_string(got.get<std::uint64_t>()) == text;
  if (got.is_number_integer()) return std::to_string(got.get<std::int64_t>()) == text;
  if (got.is_number_float()) return got.get<double>() == std::stod(text);
  return false;
}

class ConfigBounds : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigBounds, EveryIntegerAndSizeHoldsItsValueOrIsALocatedError) {
  const Case& c = GetParam();
  std::vector<config::Parameter> params;
  {
    LoadedSystem sys = load_system(path_of(c), {}, "");
    ASSERT_EQ(sys.system.target, c.target);
    params = sys.target->parameters();
  }
  std::size_t probed = 0, held = 0, refused = 0;
  for (const config::Parameter& p : params) {
    const bool size = p.kind == config::ParamKind::kQuantity && p.unit == Unit::kSize;
    if (p.kind != config::ParamKind::kInteger && !size) continue;
    for (const std::string& v : probe_values(p.range)) {
      const std::string set = p.key + "=" + v + (size ? "B" : "");
      ++probed;
      try {
        LoadedSystem sys = load_system(path_of(c), {set}, "");
        const config::Json got = value_at(sys.target->config_json(), p.key);
        EXPECT_TRUE(holds(got, v)) << c.target << ": --set " << set << " was accepted but " << p.key
                                   << " holds " << got.dump();
        ++held;
      } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(e.code(), ExitCode::kInternal) << set << ": " << msg;
        // Located: the --set text, or a place in the system file (a cross-field check).
        EXPECT_TRUE(msg.find("--set " + set) != std::string::npos ||
                    msg.find(c.system) != std::string::npos)
            << c.target << ": --set " << set << " gave an error without its place: " << msg;
        ++refused;
      }
    }
  }
  // The walk reached the parameters (not an empty table) and both outcomes occurred.
  EXPECT_GT(probed, 20u) << c.target;
  EXPECT_GT(refused, 0u) << c.target;
  RecordProperty("probed", static_cast<int>(probed));
  RecordProperty("held", static_cast<int>(held));
}

INSTANTIATE_TEST_SUITE_P(Targets, ConfigBounds, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.target); });

}  // namespace
}  // namespace accsim::run
