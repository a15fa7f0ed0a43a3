// DRAM energy: per-action costs recomputed by hand from the preset's currents and timings, and
// background energy integrated from a scripted command stream.
#include <gtest/gtest.h>

#include "hw/dram_config.h"
#include "models/dram/impl/energy.h"
#include "sim/core/error.h"

namespace accsim::dram {
namespace {

TEST(CtrlEnergy, Ddr4CostsFollowTheIddFormulas) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  const auto& p = spec.power;
  const auto& t = spec.timing;
  const auto c = dram_energy_costs(spec);
  const double tck = t.tCK_ps / 1000.0;  // ns
  const double dev = p.devices_per_rank;
  ASSERT_GT(p.idd0, 0);
  // V x mA x ns = pJ, times the devices of a rank; VPP terms where the preset gives VPP.
  const double act = (p.vdd * (p.idd0 - p.idd3n) + p.vpp * (p.ipp0 - p.ipp3n)) * t.nRAS * tck * dev;
  const double pre = (p.vdd * (p.idd0 - p.idd2n) + p.vpp * (p.ipp0 - p.ipp2n)) * t.nRP * tck * dev;
  const double rd = (p.vdd * (p.idd4r - p.idd3n) + p.vpp * (p.ipp4r - p.ipp3n)) * t.nBL * tck * dev;
  const double wr = (p.vdd * (p.idd4w - p.idd3n) + p.vpp * (p.ipp4w - p.ipp3n)) * t.nBL * tck * dev;
  const double ref =
      (p.vdd * (p.idd5b - p.idd3n) + p.vpp * (p.ipp5b - p.ipp3n)) * t.nRFC * tck * dev;
  EXPECT_NEAR(c.act_pj, act, 1e-9 * act);
  EXPECT_NEAR(c.pre_pj, pre, 1e-9 * pre);
  EXPECT_NEAR(c.rd_pj, rd, 1e-9 * rd);
  EXPECT_NEAR(c.wr_pj, wr, 1e-9 * wr);
  EXPECT_NEAR(c.refab_pj, ref, 1e-9 * ref);
  EXPECT_NEAR(c.bg_active_pj_per_cycle, (p.vdd * p.idd3n + p.vpp * p.ipp3n) * tck * dev, 1e-9);
  EXPECT_NEAR(c.bg_precharged_pj_per_cycle, (p.vdd * p.idd2n + p.vpp * p.ipp2n) * tck * dev, 1e-9);
  EXPECT_NEAR(c.io_pj_per_burst, p.io_pj_per_bit * spec.org.burst_bytes() * 8, 1e-9);
  // One worked figure: DDR4-3200 preset, VDD 1.2 V, IDD0 - IDD3N = 60.75 - 44.0 mA, tRAS =
  // nRAS x 0.625 ns, 8 devices -> 1.2 x 16.75 x nRAS x 0.625 x 8 pJ on VDD alone.
  EXPECT_GT(c.act_pj, 1.2 * 16.75 * t.nRAS * 0.625 * 8 - 1e-6);
  EXPECT_NE(c.source.find("TN-40-07"), std::string::npos);
}

TEST(CtrlEnergy, BackgroundIntegratesOpenAndPrechargedTime) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  DramEnergy e(spec);
  DramAddr a;
  e.on_command(Cmd::kACT, a, 100);  // rank active from 100
  DramAddr b = a;
  b.bank.bank = 1;
  e.on_command(Cmd::kACT, b, 150);
  e.on_command(Cmd::kRD, a, 200);
  e.on_command(Cmd::kPRE, a, 300);
  e.on_command(Cmd::kWRA, b, 400);     // closes bank 1: all precharged from 400
  e.on_command(Cmd::kREFab, a, 1000);  // refresh: active for nRFC
  EnergyLedger ledger;
  const Cycle end = 1000 + spec.timing.nRFC + 500;
  e.finish(end, ledger, "dram");
  EXPECT_EQ(e.active_cycles(), (400 - 100) + spec.timing.nRFC);
  EXPECT_EQ(e.precharged_cycles(), end - e.active_cycles());
  EXPECT_EQ(e.acts(), 2u);
  EXPECT_EQ(e.precharges(), 2u);  // the PRE and the WRA's auto-precharge
  EXPECT_EQ(e.reads(), 1u);
  EXPECT_EQ(e.writes(), 1u);
  EXPECT_EQ(e.refab(), 1u);
  const auto& c = e.costs();
  const double expect = 2 * c.act_pj + 2 * c.pre_pj + c.rd_pj + c.wr_pj + c.refab_pj +
                        2 * c.io_pj_per_burst +
                        static_cast<double>(e.active_cycles()) * c.bg_active_pj_per_cycle +
                        static_cast<double>(e.precharged_cycles()) * c.bg_precharged_pj_per_cycle;
  EXPECT_NEAR(ledger.component_pj("dram"), expect, 1e-6 * expect);
}

TEST(CtrlEnergy, PreaChargesOnePrechargePerOpenBank) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  DramEnergy e(spec);
  for (int k = 0; k < 3; ++k) {
    DramAddr a;
    a.bank.bank_group = k;
    e.on_command(Cmd::kACT, a, 10 * k);
  }
  e.on_command(Cmd::kPREA, DramAddr{}, 100);
  EXPECT_EQ(e.precharges(), 3u);
}

TEST(CtrlEnergy, CurrentsThatGiveNegativeEnergyAreAConfigError) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  spec.power.idd0 = spec.power.idd3n / 2;
  try {
    dram_energy_costs(spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("idd0"), std::string::npos) << e.what();
  }
}

TEST(CtrlEnergy, EveryPresetGivesFiniteNonNegativeCosts) {
  for (const auto& n : hw::dram_preset_names()) {
    const auto c = dram_energy_costs(hw::dram_preset_spec(n));
    for (double v : {c.act_pj, c.pre_pj, c.rd_pj, c.wr_pj, c.refab_pj, c.refpb_pj,
                     c.io_pj_per_burst, c.bg_active_pj_per_cycle, c.bg_precharged_pj_per_cycle}) {
      EXPECT_TRUE(std::isfinite(v)) << n;
      EXPECT_GE(v, 0) << n;
    }
    // Every preset has currents now (tests/unit/dram/energy_idd_test.cpp checks them per
    // standard); a precharge is free only where the activation carries the whole IDD0 cycle.
    for (double v : {c.act_pj, c.rd_pj, c.wr_pj, c.refab_pj, c.bg_active_pj_per_cycle,
                     c.bg_precharged_pj_per_cycle})
      EXPECT_GT(v, 0) << n;
    EXPECT_EQ(c.source.find("no IDD currents"), std::string::npos) << n;
  }
}

// IDD0 < IDD3N: the activation carries the whole IDD0 cycle and a precharge nothing (Micron
// TN-41-01's ACT term where it is not negative, else the cycle above IDD2N); a further rail
// adds the same terms with its own currents.
TEST(CtrlEnergy, ActivationFormsAndFurtherRails) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  auto& p = spec.power;
  const auto& t = spec.timing;
  const double k = t.tCK_ps / 1000.0 * p.devices_per_rank;  // ns x devices
  p.vpp = 0;
  p.idd0 = 50;
  p.idd2n = 30;
  p.idd3n = 55;
  auto c = dram_energy_costs(spec);
  const double tn41 = 50.0 * (t.nRAS + t.nRP) - 55.0 * t.nRAS - 30.0 * t.nRP;
  ASSERT_GT(tn41, 0);
  EXPECT_NEAR(c.act_pj, p.vdd * tn41 * k, 1e-9);
  EXPECT_EQ(c.pre_pj, 0);
  EXPECT_NE(c.source.find("TN-41-01"), std::string::npos);
  p.idd3n = 70;
  ASSERT_LT(50.0 * (t.nRAS + t.nRP) - 70.0 * t.nRAS - 30.0 * t.nRP, 0);
  c = dram_energy_costs(spec);
  EXPECT_NEAR(c.act_pj, p.vdd * (50.0 - 30.0) * (t.nRAS + t.nRP) * k, 1e-9);
  EXPECT_EQ(c.pre_pj, 0);
  EXPECT_NE(c.source.find("(IDD0-IDD2N)*(tRAS+tRP)"), std::string::npos);

  p.idd0 = 60.75;
  p.idd2n = 38.25;
  p.idd3n = 44;
  const auto base = dram_energy_costs(spec);
  p.rails.push_back({"VDD1", 1.8, 3.8, 1.5, 2.8, 18.0, 16.5, 2.8});
  c = dram_energy_costs(spec);
  EXPECT_NEAR(c.act_pj - base.act_pj, 1.8 * (3.8 - 2.8) * t.nRAS * k, 1e-9);
  EXPECT_NEAR(c.pre_pj - base.pre_pj, 1.8 * (3.8 - 1.5) * t.nRP * k, 1e-9);
  EXPECT_NEAR(c.rd_pj - base.rd_pj, 1.8 * (18.0 - 2.8) * t.nBL * k, 1e-9);
  EXPECT_NEAR(c.wr_pj - base.wr_pj, 1.8 * (16.5 - 2.8) * t.nBL * k, 1e-9);
  EXPECT_NEAR(c.refab_pj, base.refab_pj, 1e-9);  // IDD5B = IDD3N on the rail
  EXPECT_NEAR(c.bg_active_pj_per_cycle - base.bg_active_pj_per_cycle, 1.8 * 2.8 * k, 1e-9);
  EXPECT_NEAR(c.bg_precharged_pj_per_cycle - base.bg_precharged_pj_per_cycle, 1.8 * 1.5 * k, 1e-9);
  EXPECT_NE(c.source.find("VDD1"), std::string::npos);
  // A rail whose currents give a negative energy is a config error naming the rail.
  p.rails[0].idd4r = 1;
  try {
    dram_energy_costs(spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("VDD1"), std::string::npos) << e.what();
  }
}

TEST(CtrlEnergy, ASpecWithoutCurrentsCostsNothingAndSaysSo) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  spec.power = hw::DramPower{};
  spec.power.vdd = 1.2;
  const auto c = dram_energy_costs(spec);
  for (double v : {c.act_pj, c.pre_pj, c.rd_pj, c.wr_pj, c.refab_pj, c.bg_active_pj_per_cycle,
                   c.bg_precharged_pj_per_cycle})
    EXPECT_EQ(v, 0);
  EXPECT_NE(c.source.find("no IDD currents"), std::string::npos);
}

}  // namespace
}  // namespace accsim::dram
