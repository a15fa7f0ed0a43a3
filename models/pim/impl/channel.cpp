#include "models/pim/impl/channel.h"

#include <algorithm>

#include "sim/core/error.h"

namespace accsim::pim {

PimChannel::PimChannel(const hw::DramSpec& dram, const hw::PimSpec& pim, int id,
                       const SourceLoc& where)
    : dram_(dram), pim_(pim), id_(id), timing_(dram, pim), next_ref_(dram.timing.nREFI) {
  const auto& t = dram.timing;
  // One refresh (close the row, refresh, reopen it) must fit in a refresh interval.
  if (pim.refresh && t.nREFI <= t.nRFC + t.nRPab + t.nRC + pim.timing.nRCDRDMAC)
    throw config_error(where, "nREFI = " + std::to_string(t.nREFI) +
                                  " nCK leaves no time between refreshes (nRFC " +
                                  std::to_string(t.nRFC) +
                                  " + nRPab + nRC + nRCDRDMAC); "
                                  "lengthen tREFI or set pim.refresh: false");
}

Cycle PimChannel::issue(PimCmd cmd, Cycle not_before) {
  for (;;) {
    // A refresh may have closed the row since the visit opened it.
    if ((cmd == PimCmd::kMACAB || cmd == PimCmd::kWR) && !is_open_) open(row_, not_before);
    const Cycle t = std::max(not_before, timing_.earliest(cmd));
    if (pim_.refresh && next_ref_ <= t && cmd != PimCmd::kREFab) {
      refresh();
      if (cmd == PimCmd::kPREAB) return last_;  // the refresh closed the row already
      continue;
    }
    timing_.issue(cmd, t);
    if (run_first_ < 0) run_first_ = t;
    ++counters_.cmds[static_cast<int>(cmd)];
    if (cmd == PimCmd::kMACAB) counters_.bank_macs += static_cast<std::uint64_t>(active_);
    for (auto* o : observers_) o->on_command(cmd, t, row_, active_);
    last_ = t;
    return t;
  }
}

void PimChannel::refresh() {
  if (is_open_) {
    const Cycle t = std::max(next_ref_, timing_.earliest(PimCmd::kPREAB));
    timing_.issue(PimCmd::kPREAB, t);
    ++counters_.cmds[static_cast<int>(PimCmd::kPREAB)];
    for (auto* o : observers_) o->on_command(PimCmd::kPREAB, t, row_, active_);
    last_ = t;
    is_open_ = false;
  }
  const Cycle t = std::max(next_ref_, timing_.earliest(PimCmd::kREFab));
  timing_.issue(PimCmd::kREFab, t);
  ++counters_.cmds[static_cast<int>(PimCmd::kREFab)];
  for (auto* o : observers_) o->on_command(PimCmd::kREFab, t, -1, dram_.org.banks_per_rank());
  last_ = t;
  next_ref_ += dram_.timing.nREFI;
}

void PimChannel::open(std::int64_t row, Cycle not_before) {
  if (is_open_ && row_ == row) return;
  if (is_open_) {
    issue(PimCmd::kPREAB, not_before);
    is_open_ = false;
  }
  row_ = row;
  issue(PimCmd::kACTAB, not_before);
  is_open_ = true;
}

Cycle PimChannel::run(const ChannelProgram& prog, Cycle start) {
  if (prog.empty()) return start;
  const auto& t = dram_.timing;
  run_first_ = -1;
  Cycle done = start;
  for (const Visit& v : prog) {
    ++counters_.visits;
    active_ = v.active_banks;
    for (int i = 0; i < v.gb_bursts; ++i)
      done = std::max(done, issue(PimCmd::kWRGB, start) + pim_.timing.nCWLGB + t.nBL);
    if (is_open_ && row_ == v.row)
      ++counters_.row_hits;
    else
      open(v.row, start);
    if (v.writes > 0) {
      for (int i = 0; i < v.writes; ++i)
        done = std::max(done, issue(PimCmd::kWR, start) + t.nCWL + t.nBL);
      continue;
    }
    for (int p = 0; p < v.pieces; ++p) {
      const int n = p + 1 == v.pieces ? v.macs_last : v.macs;
      for (int m = 0; m < n; ++m) issue(PimCmd::kMACAB, start);
      done = std::max(done, issue(PimCmd::kRDMAC, start) + pim_.timing.nCLREG + t.nBL);
    }
  }
  if (run_first_ >= 0) counters_.busy += done - run_first_;
  return done;
}

void PimChannel::finish(Cycle end) {
  while (pim_.refresh && next_ref_ <= end) refresh();
}

// --- protocol checker -------------------------------------------------------------------------

PimProtocolChecker::PimProtocolChecker(const hw::DramSpec& dram, const hw::PimSpec& pim,
                                       bool refresh)
    : d_(dram), p_(pim), refresh_(refresh) {
  last_.fill(kNone);
}

void PimProtocolChecker::need(bool ok, PimCmd cmd, Cycle t, const std::string& what) {
  if (ok) return;
  if (violations_ == 0)
    first_ = std::string(pim_cmd_name(cmd)) + " at cycle " + std::to_string(t) + ": " + what;
  ++violations_;
}

void PimProtocolChecker::on_command(PimCmd cmd, Cycle t, std::int64_t, int) {
  ++commands_;
  const auto& T = d_.timing;
  const auto& P = p_.timing;
  auto after = [&](PimCmd prev, int lat, const char* name) {
    const Cycle l = last_[static_cast<int>(prev)];
    if (l == kNone || t >= l + std::max(lat, 1)) return;  // the message only when it fails
    need(false, cmd, t,
         std::string(name) + " after " + std::string(pim_cmd_name(prev)) + " at " +
             std::to_string(l));
  };
  using C = PimCmd;
  if (last_any_ != kNone && t <= last_any_)
    need(false, cmd, t, "two commands in one cycle or out of order");
  const int bus = std::max(T.nBL, T.nCCD_S);
  switch (cmd) {
    case C::kACTAB:
      if (open_) need(false, cmd, t, "a row is already open");
      after(C::kPREAB, T.nRPab, "tRPab");
      after(C::kACTAB, T.nRC, "tRC");
      after(C::kREFab, T.nRFC, "tRFC");
      break;
    case C::kPREAB:
      if (!open_) need(false, cmd, t, "no row is open");
      after(C::kACTAB, T.nRAS, "tRAS");
      after(C::kMACAB, T.nRTP, "tRTP");
      after(C::kWR, T.nCWL + T.nBL + T.nWR, "tWL+tBL+tWR");
      break;
    case C::kMACAB:
      if (!open_) need(false, cmd, t, "no row is open");
      after(C::kACTAB, P.nRCDRDMAC, "tRCDRDMAC");
      after(C::kMACAB, T.nCCD_S, "tCCD_S");
      after(C::kWRGB, P.nCWLGB + T.nBL, "global-buffer write latency + burst");
      after(C::kWR, T.nCWL + T.nBL + T.nWTR_L, "tWL+tBL+tWTR_L");
      break;
    case C::kWR:
      if (!open_) need(false, cmd, t, "no row is open");
      after(C::kACTAB, T.nRCDWR, "tRCDWR");
      after(C::kWR, std::max(bus, T.nCCD_L), "write burst spacing (tBL, tCCD_S, tCCD_L)");
      after(C::kWRGB, bus, "write burst spacing (tBL, tCCD_S)");
      after(C::kRDMAC, P.nCLREG + T.nBL + 3 - T.nCWL + P.nWPRE, "read-to-write turnaround");
      break;
    case C::kWRGB:
      after(C::kWR, bus, "write burst spacing (tBL, tCCD_S)");
      after(C::kWRGB, bus, "write burst spacing (tBL, tCCD_S)");
      after(C::kRDMAC, P.nCLREG + T.nBL + 3 - P.nCWLGB + P.nWPRE, "read-to-write turnaround");
      break;
    case C::kRDMAC:
      after(C::kMACAB, P.nMAClat, "MAC pipeline latency");
      after(C::kRDMAC, bus, "read burst spacing (tBL, tCCD_S)");
      after(C::kWRGB, P.nCWLGB + T.nBL + T.nWTR_S, "write-to-read turnaround");
      after(C::kWR, T.nCWL + T.nBL + T.nWTR_S, "write-to-read turnaround");
      break;
    case C::kREFab:
      if (open_) need(false, cmd, t, "a row is open");
      after(C::kPREAB, T.nRPab, "tRPab");
      after(C::kACTAB, T.nRC, "tRC");
      after(C::kREFab, T.nRFC, "tRFC");
      break;
    case C::kCount:
      break;
  }
  if (refresh_ && cmd != C::kREFab) {
    const Cycle lref = last_[static_cast<int>(C::kREFab)];
    if (t - (lref == kNone ? 0 : lref) > 9 * static_cast<Cycle>(T.nREFI))
      need(false, cmd, t, "refresh overdue (more than 9 tREFI since the last)");
  }
  if (cmd == C::kACTAB) open_ = true;
  if (cmd == C::kPREAB) open_ = false;
  last_[static_cast<int>(cmd)] = t;
  last_any_ = t;
}

// --- energy -----------------------------------------------------------------------------------

PimEnergyCounter::PimEnergyCounter(EnergyLedger& ledger, const hw::DramSpec& dram,
                                   const hw::PimSpec& pim, const std::string& component)
    : ledger_(&ledger) {
  const double bits = 8.0 * dram.org.burst_bytes();
  const double elems = static_cast<double>(dram.org.burst_bytes()) / pim.element_bytes;
  const auto& e = pim.energy;
  mac_ = ledger.action(component, "mac", elems * e.mac_j * 1e12,
                       "per bank column (burst_bytes / element_bytes MACs); AttAcc FP16 MAC "
                       "0.32 pJ (scale-snu/attacc_simulator)");
  inbank_ = ledger.action(component, "inbank_read", bits * e.inbank_j_per_bit * 1e12,
                          "per bank column read into the MAC unit; in-bank 0.55 pJ/bit incl. "
                          "activation (AttAcc, after FGDRAM MICRO'17)");
  gb_bcast_ = ledger.action(component, "gb_broadcast", bits * e.gb_j_per_bit * 1e12,
                            "per MACAB, one buffer column to all banks; SRAM 0.16 pJ/bit "
                            "(Horowitz)");
  gb_write_ = ledger.action(component, "gb_write", bits * e.gb_j_per_bit * 1e12,
                            "per WRGB burst; SRAM 0.16 pJ/bit (Horowitz)");
  io_ = ledger.action(component, "io", bits * e.io_j_per_bit * 1e12,
                      "per burst on the external bus (WRGB, RDMAC, WR); Micron GDDR6 device "
                      "average 7.5 pJ/bit");
  row_write_ = ledger.action(component, "row_write", bits * e.write_j_per_bit * 1e12,
                             "per WR burst into a row; 0.55 pJ/bit (assumption)");
}

void PimEnergyCounter::on_command(PimCmd cmd, Cycle, std::int64_t, int active_banks) {
  const auto a = static_cast<std::uint64_t>(std::max(active_banks, 0));
  switch (cmd) {
    case PimCmd::kMACAB:
      ledger_->count(mac_, a);
      ledger_->count(inbank_, a);
      ledger_->count(gb_bcast_);
      break;
    case PimCmd::kWRGB:
      ledger_->count(io_);
      ledger_->count(gb_write_);
      break;
    case PimCmd::kRDMAC:
      ledger_->count(io_);
      break;
    case PimCmd::kWR:
      ledger_->count(io_);
      ledger_->count(row_write_);
      break;
    default:
      break;  // ACT/PRE: inside the in-bank figure; refresh: no published GDDR6 figure
  }
}

}  // namespace accsim::pim
