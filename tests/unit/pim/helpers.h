#pragma once
// Shared fixtures of the PIM tests: the bundled GDDR6 preset (8 channels, as the pim target's
// default) and the default PIM spec.
#include "hw/dram_config.h"
#include "hw/pim_spec.h"
#include "models/pim/pim.h"

namespace accsim::test {

inline hw::DramSpec pim_dram(int channels = 8) {
  hw::DramConfig c;
  hw::dram_config_schema().set_defaults(c);
  hw::load_dram_preset("GDDR6", c, SourceLoc{});
  c.channels = channels;
  return hw::resolve_dram_spec(c, SourceLoc{});
}

inline hw::PimSpec pim_spec(bool refresh = true) {
  hw::PimSpec p;
  hw::pim_spec_schema().set_defaults(p);
  p.refresh = refresh;
  return p;
}

}  // namespace accsim::test
