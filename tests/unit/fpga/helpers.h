#pragma once
#include <gtest/gtest.h>

#include <string>

#include "models/fpga/fpga.h"

namespace accsim::fpga::test {

inline ModelDesc model_from(const std::string& yaml, const std::string& name = "t.yaml") {
  config::Origin o(name);
  return load_model(config::load_yaml_string(yaml, name), o);
}

// The error message of `fn` (which must throw accsim::Error with the config exit code).
template <class F>
std::string config_error_of(F fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

// The VU13P with the unchained primitive depths the hand-computed expectations of these tests
// use (DSP multiply 2, LUT multiply 1, one cycle per adder-tree level, table 1). The formulas are
// what the tests check; the calibrated defaults (hw/fpga_spec.cpp) are covered by the study test.
inline hw::FpgaSpec test_part(const std::string& name = "VU13P") {
  hw::FpgaSpec s = hw::fpga_preset(name);
  s.timing.dsp_mult = 2;
  s.timing.lut_mult = 1;
  s.timing.add = 1;
  s.timing.table = 1;
  return s;
}

inline FpgaResult sim(const ModelDesc& m, std::int64_t events = 1, double interval = 0,
                      std::int64_t fifo_depth = -1, bool values = true) {
  StreamParams p;
  p.events = events;
  p.interval_cycles = interval;
  p.fifo_depth = fifo_depth;
  p.compute_values = values;
  return simulate(m, test_part(), p);
}

}  // namespace accsim::fpga::test
