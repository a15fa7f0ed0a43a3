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

inline FpgaResult sim(const ModelDesc& m, std::int64_t events = 1, double interval = 0,
                      std::int64_t fifo_depth = -1, bool values = true) {
  StreamParams p;
  p.events = events;
  p.interval_cycles = interval;
  p.fifo_depth = fifo_depth;
  p.compute_values = values;
  return simulate(m, hw::fpga_preset("VU13P"), p);
}

}  // namespace accsim::fpga::test
