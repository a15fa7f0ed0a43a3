// DataflowSpec: defaults, presets, the `dataflow:` section and its errors.
#include <gtest/gtest.h>

#include "hw/dataflow_spec.h"
#include "sim/core/error.h"

namespace accsim::hw {
namespace {

DataflowSpec load(const std::string& yaml, config::Provenance* prov_out = nullptr) {
  DataflowSpec s;
  dataflow_spec_schema().set_defaults(s);
  config::Origin o("spec.yaml");
  config::Provenance prov;
  config::LoadCtx c{&o, &prov, "dataflow"};
  YAML::Node n = config::load_yaml_string(yaml, "spec.yaml");
  dataflow_spec_schema().patch(n["dataflow"], s, c);
  dataflow_spec_schema().validate(s, prov, "dataflow", SourceLoc{"spec.yaml"});
  if (prov_out) *prov_out = prov;
  return s;
}

TEST(DataflowSpec, DefaultsCiteTheirSources) {
  DataflowSpec s = dataflow_preset("");
  EXPECT_DOUBLE_EQ(s.clock_hz, 1e9);
  EXPECT_EQ(s.clock().period_ps, 1000u);
  EXPECT_DOUBLE_EQ(s.energy.add_j, 0.9e-12);  // Horowitz ISSCC'14, fp32 add
  EXPECT_DOUBLE_EQ(s.energy.mul_j, 3.7e-12);  // Horowitz ISSCC'14, fp32 multiply
  EXPECT_DOUBLE_EQ(s.energy.sram_small_j_per_bit, 0.16e-12);
  EXPECT_DOUBLE_EQ(s.energy.sram_large_j_per_bit, 1.6e-12);
  EXPECT_DOUBLE_EQ(s.mem_bytes_per_cycle(), 512.0);
  EXPECT_EQ(s.channel_latency, 1);
  EXPECT_EQ(s.credit_latency, 0);
  EXPECT_FALSE(DataflowSpec::sources().empty());
}

TEST(DataflowSpec, PresetsThenKeysOverride) {
  DataflowSpec s = load("dataflow:\n  preset: single-cycle\n  depth: {exp: 4}\n  clock: 2GHz\n");
  EXPECT_EQ(s.depth.add, 1);
  EXPECT_EQ(s.depth.div, 1);
  EXPECT_EQ(s.depth.exp, 4);  // the user's key wins over the preset
  EXPECT_EQ(s.memory.latency, 1);
  EXPECT_EQ(s.clock().period_ps, 500u);
  EXPECT_EQ(s.preset, "single-cycle");
  EXPECT_DOUBLE_EQ(s.mem_bytes_per_cycle(), 256.0);
}

TEST(DataflowSpec, QuantitiesWithUnits) {
  DataflowSpec s = load(
      "dataflow:\n  energy: {add: 0.4pJ, sram_small: 0.2pJ/bit}\n  memory: {bandwidth: "
      "1TB/s, latency: 10, energy: 3.97pJ/bit}\n");
  EXPECT_DOUBLE_EQ(s.energy.add_j, 0.4e-12);
  EXPECT_DOUBLE_EQ(s.energy.sram_small_j_per_bit, 0.2e-12);
  EXPECT_DOUBLE_EQ(s.memory.bandwidth_Bps, 1e12);
  EXPECT_EQ(s.memory.latency, 10);
}

void expect_error(const std::string& yaml, const std::string& where, const std::string& what) {
  try {
    load(yaml);
    ADD_FAILURE() << "no error for " << yaml;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    std::string m = e.what();
    EXPECT_EQ(m.rfind(where, 0), 0u) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

TEST(DataflowSpec, Errors) {
  expect_error("dataflow:\n  preset: fast\n", "spec.yaml:2:11",
               "unknown dataflow preset 'fast'; builtin presets: default, single-cycle");
  expect_error("dataflow:\n  channel_latency: 0\n", "spec.yaml:2:20", "out of range");
  expect_error("dataflow:\n  clock: 3GHz\n", "spec.yaml", "has no whole-picosecond period");
  expect_error("dataflow:\n  clock: 3ns\n", "spec.yaml:2:10", "'dataflow.clock'");
  expect_error("dataflow:\n  depth: {exp: -1}\n", "spec.yaml:2:16", "out of range");
  expect_error("dataflow:\n  memory: {bandwith: 1TB/s}\n", "spec.yaml:2:12",
               "did you mean 'bandwidth'");
}

}  // namespace
}  // namespace accsim::hw
