#pragma once
// PIM command timing as a data table (Ramulator 2 style rows {preceding, following, latency}),
// built from the DRAM spec (JEDEC timings) and the PIM spec (AiM's extra timings). Every PIM
// command addresses all banks of one channel at once, so every rule is channel-wide. Plain C++.
#include <array>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/pim_spec.h"
#include "models/pim/impl/command.h"
#include "sim/core/units.h"

namespace accsim::pim {

struct PimRule {
  PimCmd prev;
  PimCmd next;
  int latency;       // cycles (nCK) from `prev` to the earliest legal `next`
  std::string name;  // the timing parameter(s) it comes from
};

std::vector<PimRule> build_pim_rules(const hw::DramSpec& dram, const hw::PimSpec& pim);

class PimTiming {
 public:
  PimTiming(const hw::DramSpec& dram, const hw::PimSpec& pim);
  // Earliest cycle at which `cmd` satisfies every rule and the one-command-per-cycle bus.
  Cycle earliest(PimCmd cmd) const;
  // Records `cmd` at `now` (>= earliest(cmd)).
  void issue(PimCmd cmd, Cycle now);
  const std::vector<PimRule>& rules() const { return rules_; }

 private:
  static constexpr Cycle kNever = -(Cycle{1} << 60);
  std::vector<PimRule> rules_;
  // For each following command: (preceding command, latency) pairs, the largest per pair.
  std::array<std::vector<std::pair<int, int>>, kNumPimCmds> by_next_;
  std::array<Cycle, kNumPimCmds> last_{};
  Cycle last_any_ = kNever;
};

}  // namespace accsim::pim
