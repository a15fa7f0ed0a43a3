#pragma once
// DRAM energy as an observer of the command stream (the timing code holds no power arithmetic).
// Formulas after DRAMPower and Micron TN-40-07 (models/dram/README.md, "Energy"):
//
//   E_ACT   = VDD * (IDD0  - IDD3N) * tRAS      the activate part of IDD0's ACT-PRE cycle
//   E_PRE   = VDD * (IDD0  - IDD2N) * tRP       the precharge part (IDD0 over tRC = tRAS + tRP)
//   E_RD    = VDD * (IDD4R - IDD3N) * tBL       per read burst (tBL = nBL * tCK)
//   E_WR    = VDD * (IDD4W - IDD3N) * tBL       per write burst
//   E_REFab = VDD * (IDD5B - IDD3N) * tRFC      the rank counts as active during tRFC
//   E_REFpb = VDD * (IDD5PB - IDD3N) * tRFCpb
//   background = VDD * IDD3N while any bank of the rank is open (or refreshing),
//                VDD * IDD2N while all banks are precharged, integrated over time
//   I/O     = bits moved * io_pj_per_bit
// each times devices_per_rank, plus the same terms on VPP with the IPP currents where the spec
// gives VPP and on every further rail (LPDDR5 VDD1, VDD2L) with that rail's currents, summed.
// Where IDD0 < IDD3N the split would make E_ACT negative; an activation then carries the whole
// IDD0 cycle and E_PRE = 0:
//   E_ACT   = VDD * (IDD0*(tRAS+tRP) - IDD3N*tRAS - IDD2N*tRP)   Micron TN-41-01's ACT term,
//             when it is not negative (GDDR6, whose IDD3N is measured with one bank open)
//   E_ACT   = VDD * (IDD0 - IDD2N) * (tRAS+tRP)   otherwise (DDR5, whose IDD3N has every bank
//             open, above the one-bank IDD0 loop): the cycle above precharge standby
// PREA counts one precharge per bank it closes; RDA/WRA count a RD/WR plus a PRE.
// Not modelled: power-down and self-refresh states (background never drops below IDD2N), the
// delay of auto-precharge inside the bank (the bank counts as closed from the RDA/WRA on), and
// data-dependent I/O energy.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/controller.h"
#include "sim/core/energy.h"
#include "sim/core/units.h"

namespace accsim::dram {

// Per-rank energy of each action in pJ, from the spec's currents and timings.
struct DramEnergyCosts {
  double act_pj = 0, pre_pj = 0, rd_pj = 0, wr_pj = 0, refab_pj = 0, refpb_pj = 0;
  double io_pj_per_burst = 0;
  double bg_active_pj_per_cycle = 0, bg_precharged_pj_per_cycle = 0;
  std::string source;  // the spec's power source plus the formula used
  std::string refpb_source;
};

// Throws a config error if a current that a formula subtracts from is smaller than what it
// subtracts (IDD0 < IDD2N, IDD4R < IDD3N, ...), which would give negative energy.
DramEnergyCosts dram_energy_costs(const hw::DramSpec& spec);

// Observes the commands of every channel of one DRAM system.
class DramEnergy final : public CommandObserver {
 public:
  explicit DramEnergy(const hw::DramSpec& spec);
  void on_command(Cmd cmd, const DramAddr& addr, Cycle now) override;
  // Integrates background energy up to `end` and writes every action into `ledger` under
  // `component` (count, pJ each, source).
  void finish(Cycle end, EnergyLedger& ledger, const std::string& component);

  const DramEnergyCosts& costs() const { return costs_; }
  std::uint64_t acts() const { return acts_; }
  std::uint64_t precharges() const { return pres_; }
  std::uint64_t reads() const { return rds_; }
  std::uint64_t writes() const { return wrs_; }
  std::uint64_t refab() const { return refab_; }
  std::uint64_t refpb() const { return refpb_; }
  Cycle active_cycles() const { return active_total_; }
  Cycle precharged_cycles() const { return pre_total_; }

 private:
  struct RankState {
    int open = 0;
    Cycle last = 0;
    Cycle busy_until = 0;  // refresh in progress: counts as active
    Cycle active = 0, precharged = 0;
  };
  void advance(RankState& s, Cycle now);
  RankState& rank(const DramAddr& a) {
    return ranks_[static_cast<std::size_t>(a.channel) * spec_.org.ranks + a.bank.rank];
  }
  int flat(const DramAddr& a) const;

  hw::DramSpec spec_;
  DramEnergyCosts costs_;
  std::vector<RankState> ranks_;
  std::vector<char> open_;  // per channel x bank
  std::uint64_t acts_ = 0, pres_ = 0, rds_ = 0, wrs_ = 0, refab_ = 0, refpb_ = 0;
  Cycle active_total_ = 0, pre_total_ = 0;
};

}  // namespace accsim::dram
