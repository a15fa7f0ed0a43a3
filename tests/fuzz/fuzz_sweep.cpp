// Fuzz target for sweep files (`accsim sweep`): any bytes, read as a sweep file's YAML, must load
// or fail with an accsim::Error. A file that loads is expanded (when its grid is small enough to
// keep each input fast) and its points' --set arguments built.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/core/config.h"
#include "sim/core/error.h"
#include "sim/sweep/sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    YAML::Node root = config::load_yaml_string(text, "fuzz.yaml");
    sweep::SweepSpec s = sweep::load_sweep_yaml(root, "fuzz.yaml");
    const std::int64_t n = sweep::grid_size(s);
    if (n <= 20000 && (s.sample == 0 || s.sample <= 20000))
      for (const auto& p : sweep::expand(s)) (void)p.set_args();
  } catch (const Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
