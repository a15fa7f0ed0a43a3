// Fuzz target for the FPGA model loader (models/fpga, model files are user input): any bytes,
// read as a model file's YAML, must load or fail with an accsim::Error. A model that loads is then
// costed (engine timing, resources, operations of every layer) and, when small, simulated for two
// timing-only events, so shapes the loader accepts cannot crash the formulas or the simulator.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/fpga_spec.h"
#include "models/fpga/fpga.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    YAML::Node root = config::load_yaml_string(text, "fuzz.yaml");
    config::Origin origin("fuzz.yaml");
    fpga::ModelDesc m = fpga::load_model(root, origin);
    const hw::FpgaSpec spec = hw::fpga_preset("VU13P");
    std::int64_t work = 0;
    for (const auto& l : m.layers) {
      const fpga::EngineTiming t = fpga::engine_timing(m, l, spec);
      (void)fpga::layer_resources(m, l, spec);
      (void)fpga::layer_ops_per_event(m, l, spec);
      work += l.rows * l.cols + t.layer_latency;
    }
    if (work < 200000) {  // keep each input fast; large shapes are covered by the formulas above
      fpga::StreamParams p;
      p.events = 2;
      p.compute_values = false;
      (void)fpga::simulate(m, spec, p);
    }
  } catch (const Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
