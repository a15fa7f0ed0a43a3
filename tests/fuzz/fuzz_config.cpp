// Fuzz target for the configuration loader: any bytes, read as a system file's YAML, must load or
// fail with an accsim::Error (never a crash, hang or other exception). It exercises the YAML
// reader, the typed schemas with their units and ranges, DRAM presets and spec resolution.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/dram_config.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    YAML::Node root = config::load_yaml_string(text, "fuzz.yaml");
    config::Origin origin("fuzz.yaml");
    config::Provenance prov;
    hw::DramConfig cfg;
    hw::dram_config_schema().set_defaults(cfg);
    YAML::Node section = root.IsMap() && root["dram"] ? root["dram"] : root;
    config::LoadCtx ctx{&origin, &prov, "dram"};
    hw::dram_config_schema().patch(section, cfg, ctx);
    hw::dram_config_schema().validate(cfg, prov, "dram", SourceLoc{"fuzz.yaml", 1, 1});
    hw::DramSpec spec = hw::resolve_dram_spec(cfg, SourceLoc{"fuzz.yaml", 1, 1});
    (void)spec;
  } catch (const Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
