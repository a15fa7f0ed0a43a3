#pragma once
// The totals DramBackend registers at the end of a run (DramSystem, its TLM-2.0 face, reports
// through it): sums over channels, bandwidth, row-hit rate, protocol violations and the energy
// observer's background cycles.
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/controller.h"
#include "models/dram/impl/energy.h"
#include "sim/core/stats.h"

namespace accsim::dram {

// `channel_stats[i]` is the "<name>.chN" group of `controllers[i]`; `end` is the simulated end
// in command-clock cycles (already closed with Controller::finish and DramEnergy::finish).
void register_dram_totals(StatsGroup& total, const std::vector<StatsGroup*>& channel_stats,
                          const std::vector<const Controller*>& controllers,
                          const hw::DramSpec& spec, const DramEnergy& energy, Cycle end);

}  // namespace accsim::dram
