// A PIM channel's schedule in closed form: one visit (buffer load, activate, MACs, read-out)
// computed by hand from the spec values; open-page row hits; refresh pace; energy per action.
#include <gtest/gtest.h>

#include "tests/unit/pim/helpers.h"

namespace accsim::test {
namespace {

using pim::PimCmd;

TEST(PimChannel, OneVisitMatchesTheHandSchedule) {
  const auto dram = pim_dram();
  const auto spec = pim_spec(false);
  const auto& T = dram.timing;
  pim::PimChannel ch(dram, spec, 0, SourceLoc{});
  pim::Visit v;
  v.row = 5;
  v.gb_bursts = 64;  // a 1024-element chunk in 32-byte bursts
  v.pieces = 1;
  v.macs = v.macs_last = 64;
  v.active_banks = 16;
  const Cycle done = ch.run({v}, 0);
  // WRGB every max(nBL, nCCD_S) from cycle 0; ACTAB on the next free command slot; the first
  // MAC nRCDRDMAC after it (the buffer's last write long done); MACs every nCCD_S; the read-out
  // nMAClat after the last MAC; its data nCLREG + nBL later.
  const Cycle bus = std::max(T.nBL, T.nCCD_S);
  const Cycle last_wrgb = 63 * bus;
  const Cycle act = last_wrgb + 1;
  const Cycle first_mac =
      std::max<Cycle>(act + spec.timing.nRCDRDMAC, last_wrgb + spec.timing.nCWLGB + T.nBL);
  const Cycle last_mac = first_mac + 63 * T.nCCD_S;
  const Cycle rd = last_mac + spec.timing.nMAClat;
  EXPECT_EQ(done, rd + spec.timing.nCLREG + T.nBL);
  const auto& k = ch.counters();
  EXPECT_EQ(k.cmds[static_cast<int>(PimCmd::kWRGB)], 64u);
  EXPECT_EQ(k.cmds[static_cast<int>(PimCmd::kACTAB)], 1u);
  EXPECT_EQ(k.cmds[static_cast<int>(PimCmd::kMACAB)], 64u);
  EXPECT_EQ(k.cmds[static_cast<int>(PimCmd::kRDMAC)], 1u);
  EXPECT_EQ(k.bank_macs, 64u * 16u);
}

TEST(PimChannel, OpenPageKeepsTheRowAndANewRowPaysPrechargeAndActivate) {
  const auto dram = pim_dram();
  const auto spec = pim_spec(false);
  const auto& T = dram.timing;
  pim::PimChannel ch(dram, spec, 0, SourceLoc{});
  pim::Visit v;
  v.row = 1;
  v.pieces = 1;
  v.macs = v.macs_last = 4;
  v.active_banks = 16;
  const Cycle a = ch.run({v}, 0);
  const Cycle b = ch.run({v}, a);  // same row: a hit, no ACTAB
  EXPECT_EQ(ch.counters().row_hits, 1u);
  EXPECT_EQ(ch.counters().cmds[static_cast<int>(PimCmd::kACTAB)], 1u);
  // Hit: the MACs start right away (the previous read-out does not hold a MAC).
  EXPECT_EQ(b, a + 3 * T.nCCD_S + spec.timing.nMAClat + spec.timing.nCLREG + T.nBL);
  v.row = 2;
  ch.run({v}, b);
  EXPECT_EQ(ch.counters().cmds[static_cast<int>(PimCmd::kPREAB)], 1u);
  EXPECT_EQ(ch.counters().cmds[static_cast<int>(PimCmd::kACTAB)], 2u);
}

TEST(PimChannel, RefreshKeepsPaceWithTREFI) {
  const auto dram = pim_dram();
  const auto spec = pim_spec(true);
  pim::PimChannel ch(dram, spec, 0, SourceLoc{});
  pim::ChannelProgram p;
  for (int i = 0; i < 400; ++i) {
    pim::Visit v;
    v.row = i % 7;
    v.pieces = 2;
    v.macs = v.macs_last = 32;
    v.active_banks = 16;
    p.push_back(v);
  }
  const Cycle end = ch.run(p, 0);
  ch.finish(end);
  const auto refs = ch.counters().cmds[static_cast<int>(PimCmd::kREFab)];
  EXPECT_EQ(refs, static_cast<std::uint64_t>(end / dram.timing.nREFI));
  EXPECT_GT(refs, 5u);
}

TEST(PimChannel, RefreshThatCannotKeepPaceIsAConfigError) {
  auto dram = pim_dram();
  dram.timing.nREFI = dram.timing.nRFC + 10;
  EXPECT_THROW(pim::PimChannel(dram, pim_spec(true), 0, SourceLoc{"x.yaml", 3, 1}), Error);
  EXPECT_NO_THROW(pim::PimChannel(dram, pim_spec(false), 0, SourceLoc{}));
}

TEST(PimEnergy, ActionsAreCountedPerActiveBank) {
  const auto dram = pim_dram();
  const auto spec = pim_spec(false);
  EnergyLedger ledger;
  pim::PimEnergyCounter e(ledger, dram, spec);
  pim::PimChannel ch(dram, spec, 0, SourceLoc{});
  ch.add_observer(&e);
  pim::Visit v;
  v.row = 1;
  v.gb_bursts = 2;
  v.pieces = 1;
  v.macs = v.macs_last = 10;
  v.active_banks = 3;
  ch.run({v}, 0);
  ledger.finalize(1e-6);
  const double bits = 8.0 * dram.org.burst_bytes();
  const double elems = dram.org.burst_bytes() / 2.0;
  const double want = 10 * 3 * (elems * 0.32 + bits * 0.55)  // MACs and in-bank reads
                      + 10 * bits * 0.16                     // buffer broadcast per MACAB
                      + 2 * bits * (7.5 + 0.16)              // two WRGB: bus + buffer write
                      + 1 * bits * 7.5;                      // one RDMAC on the bus
  EXPECT_NEAR(ledger.component_pj("pim"), want, 1e-6 * want);
}

}  // namespace
}  // namespace accsim::test
