#pragma once
// Shared by the hw tests: a `dram:` section parsed and resolved the way a system file's would be.
#include <string>

#include "hw/dram_config.h"
#include "sim/core/config.h"

namespace accsim::hw::testing {

inline const SourceLoc kWhere{"sys.yaml", 3, 1};

inline DramConfig parse(const std::string& yaml) {
  config::Origin origin("sys.yaml");
  config::Provenance prov;
  config::LoadCtx ctx{&origin, &prov, "dram"};
  DramConfig cfg;
  dram_config_schema().set_defaults(cfg);
  dram_config_schema().patch(config::load_yaml_string(yaml, "sys.yaml"), cfg, ctx);
  return cfg;
}

inline DramSpec resolve(const std::string& yaml) {
  return resolve_dram_spec(parse(yaml), kWhere);
}

}  // namespace accsim::hw::testing
