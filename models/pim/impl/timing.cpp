#include "models/pim/impl/timing.h"

#include <algorithm>

namespace accsim::pim {

// Sources of the rules: JEDEC timings of the DRAM preset (configs/dram/GDDR6.yaml cites each) and
// the AiM timings of hw/pim_spec.cpp. Forms follow arkhadem/aim_simulator's GDDR6 table: the
// read-to-write turnaround is RL + BL + 3 - WL + WPRE (GDDR6's extra 3 nCK), write-to-read
// WL + BL + tWTR_S.
std::vector<PimRule> build_pim_rules(const hw::DramSpec& dram, const hw::PimSpec& pim) {
  const auto& t = dram.timing;
  const auto& p = pim.timing;
  using C = PimCmd;
  std::vector<PimRule> r;
  auto add = [&r](C a, C b, int lat, std::string name) {
    r.push_back({a, b, std::max(lat, 1), std::move(name)});
  };
  // Row commands.
  add(C::kACTAB, C::kMACAB, p.nRCDRDMAC, "nRCDRDMAC");
  add(C::kACTAB, C::kWR, t.nRCDWR, "nRCDWR");
  add(C::kACTAB, C::kPREAB, t.nRAS, "nRAS");
  add(C::kACTAB, C::kACTAB, t.nRC, "nRC");
  add(C::kPREAB, C::kACTAB, t.nRPab, "nRPab");
  add(C::kMACAB, C::kPREAB, t.nRTP, "nRTP");
  add(C::kWR, C::kPREAB, t.nCWL + t.nBL + t.nWR, "nCWL+nBL+nWR");
  // Refresh.
  add(C::kPREAB, C::kREFab, t.nRPab, "nRPab");
  add(C::kACTAB, C::kREFab, t.nRC, "nRC");
  add(C::kREFab, C::kACTAB, t.nRFC, "nRFC");
  add(C::kREFab, C::kREFab, t.nRFC, "nRFC");
  // In-bank column commands: one column per bank per nCCD_S (AiM: one 256-bit column per bank
  // per ns).
  add(C::kMACAB, C::kMACAB, t.nCCD_S, "nCCD_S");
  add(C::kWRGB, C::kMACAB, p.nCWLGB + t.nBL, "nCWLGB+nBL");
  add(C::kWR, C::kMACAB, t.nCWL + t.nBL + t.nWTR_L, "nCWL+nBL+nWTR_L");
  add(C::kMACAB, C::kRDMAC, p.nMAClat, "nMAClat");
  // External data bus: a burst occupies nBL; column-to-column nCCD_S; writes to a bank nCCD_L.
  for (C a : {C::kWRGB, C::kWR})
    for (C b : {C::kWRGB, C::kWR}) {
      add(a, b, t.nBL, "nBL");
      add(a, b, t.nCCD_S, "nCCD_S");
    }
  add(C::kWR, C::kWR, t.nCCD_L, "nCCD_L");
  add(C::kRDMAC, C::kRDMAC, t.nBL, "nBL");
  add(C::kRDMAC, C::kRDMAC, t.nCCD_S, "nCCD_S");
  // Bus turnarounds.
  add(C::kRDMAC, C::kWRGB, p.nCLREG + t.nBL + 3 - p.nCWLGB + p.nWPRE, "nCLREG+nBL+3-nCWLGB+nWPRE");
  add(C::kRDMAC, C::kWR, p.nCLREG + t.nBL + 3 - t.nCWL + p.nWPRE, "nCLREG+nBL+3-nCWL+nWPRE");
  add(C::kWRGB, C::kRDMAC, p.nCWLGB + t.nBL + t.nWTR_S, "nCWLGB+nBL+nWTR_S");
  add(C::kWR, C::kRDMAC, t.nCWL + t.nBL + t.nWTR_S, "nCWL+nBL+nWTR_S");
  return r;
}

PimTiming::PimTiming(const hw::DramSpec& dram, const hw::PimSpec& pim)
    : rules_(build_pim_rules(dram, pim)) {
  last_.fill(kNever);
  for (const auto& rule : rules_) {
    auto& v = by_next_[static_cast<int>(rule.next)];
    const int prev = static_cast<int>(rule.prev);
    auto it = std::find_if(v.begin(), v.end(), [prev](const auto& e) { return e.first == prev; });
    if (it == v.end())
      v.emplace_back(prev, rule.latency);
    else
      it->second = std::max(it->second, rule.latency);
  }
}

Cycle PimTiming::earliest(PimCmd cmd) const {
  Cycle t = last_any_ + 1;
  for (const auto& [prev, lat] : by_next_[static_cast<int>(cmd)])
    t = std::max(t, last_[static_cast<std::size_t>(prev)] + lat);
  return std::max<Cycle>(t, 0);
}

void PimTiming::issue(PimCmd cmd, Cycle now) {
  last_[static_cast<int>(cmd)] = now;
  last_any_ = now;
}

}  // namespace accsim::pim
