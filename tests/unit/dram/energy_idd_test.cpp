// DRAM energy per standard family: one hand-computed IDD case per family (a preset's sourced
// currents pinned against the figures its YAML cites, then ACT, RD, WR, PRE and REFab over a
// known number of cycles priced with the formulas of models/dram/README.md "Energy", written out
// here rather than taken from the model), and every preset reporting non-zero ACT, RD, WR,
// refresh and background energy on a small mixed workload.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "hw/dram_config.h"
#include "models/dram/impl/energy.h"
#include "sim/core/energy.h"
#include "sim/core/error.h"
#include "sim/core/stats.h"
#include "sim/run/issuer.h"
#include "workloads/gen/synthetic.h"

namespace accsim::dram {
namespace {

// One supply rail as the data sheet gives it: volts and mA.
struct Rail {
  std::string name;
  double v, i0, i2n, i3n, i4r, i4w, i5b;
};

// How the README says an activation is charged (chosen by IDD0 against IDD3N).
enum class ActForm {
  kSplit,       // E_ACT = V (IDD0 - IDD3N) tRAS, E_PRE = V (IDD0 - IDD2N) tRP
  kTn41,        // E_ACT = V (IDD0 (tRAS + tRP) - IDD3N tRAS - IDD2N tRP), E_PRE = 0
  kAboveIdd2n,  // E_ACT = V (IDD0 - IDD2N) (tRAS + tRP), E_PRE = 0
};

struct Expected {
  double act = 0, pre = 0, rd = 0, wr = 0, ref = 0, bg_active = 0, bg_precharged = 0;
};

// The README's formulas for one rank (devices x per-device energy), summed over the rails.
Expected by_hand(const hw::DramSpec& s, const std::vector<Rail>& rails, ActForm form,
                 double active_cycles, double precharged_cycles) {
  const auto& t = s.timing;
  const double tck = t.tCK_ps / 1000.0;  // ns; V x mA x ns = pJ
  const double dev = s.power.devices_per_rank;
  const double tras = t.nRAS * tck, trp = t.nRP * tck, tbl = t.nBL * tck, trfc = t.nRFC * tck;
  Expected x;
  for (const Rail& r : rails) {
    switch (form) {
      case ActForm::kSplit:
        x.act += dev * r.v * (r.i0 - r.i3n) * tras;
        x.pre += dev * r.v * (r.i0 - r.i2n) * trp;
        break;
      case ActForm::kTn41:
        x.act += dev * r.v * (r.i0 * (tras + trp) - r.i3n * tras - r.i2n * trp);
        break;
      case ActForm::kAboveIdd2n:
        x.act += dev * r.v * (r.i0 - r.i2n) * (tras + trp);
        break;
    }
    x.rd += dev * r.v * (r.i4r - r.i3n) * tbl;
    x.wr += dev * r.v * (r.i4w - r.i3n) * tbl;
    x.ref += dev * r.v * (r.i5b - r.i3n) * trfc;
    x.bg_active += dev * r.v * r.i3n * tck * active_cycles;
    x.bg_precharged += dev * r.v * r.i2n * tck * precharged_cycles;
  }
  return x;
}

// The rails of a spec, in the order VDD, VPP, further rails.
std::vector<Rail> rails_of(const hw::DramSpec& s) {
  const auto& p = s.power;
  std::vector<Rail> v = {{"VDD", p.vdd, p.idd0, p.idd2n, p.idd3n, p.idd4r, p.idd4w, p.idd5b}};
  if (p.vpp > 0) v.push_back({"VPP", p.vpp, p.ipp0, p.ipp2n, p.ipp3n, p.ipp4r, p.ipp4w, p.ipp5b});
  for (const auto& r : p.rails)
    v.push_back({r.name, r.v, r.idd0, r.idd2n, r.idd3n, r.idd4r, r.idd4w, r.idd5b});
  return v;
}

void expect_rails_equal(const std::vector<Rail>& got, const std::vector<Rail>& want,
                        const std::string& preset) {
  ASSERT_EQ(got.size(), want.size()) << preset;
  for (std::size_t k = 0; k < want.size(); ++k) {
    const Rail &g = got[k], &w = want[k];
    SCOPED_TRACE(preset + " " + w.name);
    EXPECT_EQ(g.name, w.name);
    EXPECT_DOUBLE_EQ(g.v, w.v);
    EXPECT_DOUBLE_EQ(g.i0, w.i0);
    EXPECT_DOUBLE_EQ(g.i2n, w.i2n);
    EXPECT_DOUBLE_EQ(g.i3n, w.i3n);
    EXPECT_DOUBLE_EQ(g.i4r, w.i4r);
    EXPECT_DOUBLE_EQ(g.i4w, w.i4w);
    EXPECT_DOUBLE_EQ(g.i5b, w.i5b);
  }
}

double action_pj(const Json& actions, const char* a) {
  return actions.at(a).at("pj").get<double>();
}

// ACT, RD, WR, PRE to one bank, then REFab, over a known span; the ledger must hold exactly the
// hand-computed energies.
void run_case(const std::string& preset, const std::vector<Rail>& rails, ActForm form) {
  SCOPED_TRACE(preset);
  const hw::DramSpec spec = hw::dram_preset_spec(preset);
  const auto& t = spec.timing;
  DramEnergy e(spec);
  DramAddr a;  // channel 0, rank 0, bank group 0, bank 0
  const Cycle act = 100, rd = act + t.nRCDRD, wr = rd + t.nCCD_L + t.nCL;
  const Cycle pre = act + 2 * t.nRAS + t.nCL + t.nCWL, ref = pre + t.nRP;
  const Cycle end = ref + t.nRFC + 1000;
  e.on_command(Cmd::kACT, a, act);
  e.on_command(Cmd::kRD, a, rd);
  e.on_command(Cmd::kWR, a, wr);
  e.on_command(Cmd::kPRE, a, pre);
  e.on_command(Cmd::kREFab, a, ref);
  EnergyLedger ledger;
  e.finish(end, ledger, "dram");
  // A bank is open from the ACT to the PRE and the refresh keeps the rank busy for tRFC; the
  // rest of the span every bank is precharged, and so is every other (pseudo-)channel and rank
  // all the time (idle units draw IDD2N too).
  const double units = static_cast<double>(spec.org.independent_channels()) * spec.org.ranks;
  const double active = static_cast<double>(pre - act) + t.nRFC;
  const double precharged = units * static_cast<double>(end) - active;
  EXPECT_EQ(e.active_cycles(), static_cast<Cycle>(active));
  EXPECT_EQ(e.precharged_cycles(), static_cast<Cycle>(precharged));
  const Expected x = by_hand(spec, rails, form, active, precharged);
  const Json j = ledger.to_json();
  const Json& acts = j["components"]["dram"]["actions"];
  auto near = [](double got, double want, const char* what) {
    EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::abs(want))) << what;
  };
  near(action_pj(acts, "ACT"), x.act, "ACT");
  near(action_pj(acts, "PRE"), x.pre, "PRE");
  near(action_pj(acts, "RD"), x.rd, "RD");
  near(action_pj(acts, "WR"), x.wr, "WR");
  near(action_pj(acts, "REFab"), x.ref, "REFab");
  near(action_pj(acts, "background_active"), x.bg_active, "background_active");
  near(action_pj(acts, "background_precharged"), x.bg_precharged, "background_precharged");
  // Each of the five commands costs something on every standard's preset.
  EXPECT_GT(x.act, 0);
  EXPECT_GT(x.rd, 0);
  EXPECT_GT(x.wr, 0);
  EXPECT_GT(x.ref, 0);
  EXPECT_GT(x.bg_active, 0);
  EXPECT_GT(x.bg_precharged, 0);
  if (form == ActForm::kSplit) {
    EXPECT_GT(x.pre, 0);
  }
}

// DDR4: Micron 4Gb DDR4-2400 x8 (DRAMSys memspec MICRON_4Gb_DDR4-2400_8bit_A), VPP with IPP0
// only; IDD0 > IDD3N, so the DRAMPower split.
TEST(EnergyIdd, Ddr4HandComputedCase) {
  const std::vector<Rail> rails = {{"VDD", 1.2, 60.75, 38.25, 44.0, 184.5, 168.75, 118.0},
                                   {"VPP", 2.5, 4.05, 0, 0, 0, 0, 0}};
  expect_rails_equal(rails_of(hw::dram_preset_spec("DDR4-3200")), rails, "DDR4-3200");
  run_case("DDR4-3200", rails, ActForm::kSplit);
  // One figure by hand: ACT on VDD = 1.2 V x (60.75 - 44) mA x tRAS (52 x 0.625 ns) x 8 devices
  // = 522.6 pJ, on VPP 2.5 V x 4.05 mA x 32.5 ns x 8 = 2632.5 pJ.
  const auto c = dram_energy_costs(hw::dram_preset_spec("DDR4-3200"));
  EXPECT_NEAR(c.act_pj, 1.2 * 16.75 * 32.5 * 8 + 2.5 * 4.05 * 32.5 * 8, 1e-9);
}

// DDR5: Micron 16Gb DDR5 die Rev. A, DDR5-4800, x8 column (configs/dram/DDR5-4800.yaml). IDD0
// (103) < IDD3N (142, every bank open) and TN-41-01's ACT term is negative: the activation is
// the IDD0 cycle above IDD2N.
TEST(EnergyIdd, Ddr5HandComputedCase) {
  const std::vector<Rail> rails = {{"VDD", 1.1, 103, 92, 142, 377, 349, 277},
                                   {"VPP", 1.8, 8, 7, 7, 9, 36, 28}};
  const auto spec = hw::dram_preset_spec("DDR5-4800");
  expect_rails_equal(rails_of(spec), rails, "DDR5-4800");
  const auto& t = spec.timing;
  ASSERT_LT(103.0 * (t.nRAS + t.nRP) - 142.0 * t.nRAS - 92.0 * t.nRP, 0);
  run_case("DDR5-4800", rails, ActForm::kAboveIdd2n);
  // x16 and x4 take the other width columns (the column assignment is inferred, see the YAML).
  for (const auto& [dq, i0, i4r, i4w] :
       std::vector<std::tuple<std::string, double, double, double>>{{"x16", 122, 530, 479},
                                                                    {"x4", 103, 318, 345}}) {
    hw::DramConfig cfg;
    const SourceLoc where{"<test>", 0, 0};
    hw::load_dram_preset("DDR5-4800", cfg, where);
    cfg.dq = dq;
    const auto w = rails_of(hw::resolve_dram_spec(cfg, where));
    EXPECT_DOUBLE_EQ(w[0].i0, i0) << dq;
    EXPECT_DOUBLE_EQ(w[0].i4r, i4r) << dq;
    EXPECT_DOUBLE_EQ(w[0].i4w, i4w) << dq;
    EXPECT_DOUBLE_EQ(w[0].i3n, 142) << dq;
  }
}

// LPDDR5: Micron LPDDR5X Y52P Table 18, x16, 7500 Mb/s, on VDD2H (the main rail) and VDD1
// (IDD5 on VDD1 assumed = its IDD3N); IDD0 > IDD3N on both rails: the split.
TEST(EnergyIdd, Lpddr5HandComputedCase) {
  const std::vector<Rail> rails = {{"VDD", 1.05, 53, 32.5, 40, 390, 265, 205},
                                   {"VDD1", 1.8, 3.8, 1.5, 2.8, 18.0, 16.5, 2.8}};
  expect_rails_equal(rails_of(hw::dram_preset_spec("LPDDR5-6400")), rails, "LPDDR5-6400");
  run_case("LPDDR5-6400", rails, ActForm::kSplit);
}

// GDDR6: Samsung K4Z80325BC Table 82, 14 Gb/s, per channel = device / 2. IDD0 (215) < IDD3N
// (230, one bank open) but TN-41-01's ACT term is positive: the whole ACT-PRE cycle on ACT.
TEST(EnergyIdd, Gddr6HandComputedCase) {
  const std::vector<Rail> rails = {{"VDD", 1.35, 215, 155, 230, 610, 735, 395},
                                   {"VPP", 1.8, 7, 5, 5, 5, 5, 38.5}};
  const auto spec = hw::dram_preset_spec("GDDR6");
  expect_rails_equal(rails_of(spec), rails, "GDDR6");
  const auto& t = spec.timing;
  ASSERT_GE(215.0 * (t.nRAS + t.nRP) - 230.0 * t.nRAS - 155.0 * t.nRP, 0);
  run_case("GDDR6", rails, ActForm::kTn41);
}

// HBM: background and refresh currents from CMU SAFARI HBM-Power; IDD0, IDD4R and IDD4W are
// derived from FGDRAM's per-bit energies, so the hand case also checks those energies.
void hbm_case(const std::string& preset, double vdd, double i2n, double i3n, double i5b,
              double act_pre_pj_per_row_bit, double rw_pj_per_bit) {
  const auto spec = hw::dram_preset_spec(preset);
  const auto& p = spec.power;
  const auto& t = spec.timing;
  const std::vector<Rail> rails = {{"VDD", vdd, p.idd0, i2n, i3n, p.idd4r, p.idd4w, i5b}};
  expect_rails_equal(rails_of(spec), rails, preset);
  const double tck = t.tCK_ps / 1000.0;
  const double row_bits = static_cast<double>(spec.org.columns) * spec.org.dq;
  const double burst_bits = static_cast<double>(spec.org.dq) * spec.org.burst_length;
  EXPECT_NEAR(vdd * ((p.idd0 - i3n) * t.nRAS + (p.idd0 - i2n) * t.nRP) * tck / row_bits,
              act_pre_pj_per_row_bit, 1e-9)
      << preset;
  EXPECT_NEAR(vdd * (p.idd4r - i3n) * t.nBL * tck / burst_bits, rw_pj_per_bit, 1e-9) << preset;
  EXPECT_NEAR(vdd * (p.idd4w - i3n) * t.nBL * tck / burst_bits, rw_pj_per_bit, 1e-9) << preset;
  run_case(preset, rails, ActForm::kSplit);
}

TEST(EnergyIdd, Hbm2HandComputedCase) {
  hbm_case("HBM2", 1.2, 11.756, 12.394, 66.331, 0.11, 3.06);
}

TEST(EnergyIdd, Hbm3eHandComputedCase) {
  hbm_case("HBM3E", 1.1, 70.5, 71.2, 164.7, 0.11, 2.68);
}

// ---- Every preset, a small mixed workload through the whole model.

class EnergyEveryPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(EnergyEveryPreset, ReportsNonZeroActRdWrRefAndBackground) {
  const hw::DramSpec spec = hw::dram_preset_spec(GetParam());
  workloads::UniformRandomParams rp;
  rp.range = 64ull << 20;
  rp.count = 20000;
  rp.read_fraction = 0.7;
  rp.seed = 11;
  workloads::UniformRandomSource src(rp);
  StatsRegistry stats;
  EnergyLedger energy;
  run::IssuerConfig ic;
  ic.max_outstanding = 64;
  const auto r = run::run_dram_replay(spec, ControllerConfig{}, ic, src, stats, energy);
  ASSERT_EQ(r.requests, rp.count);
  const Json j = energy.to_json();
  const Json& acts = j["components"]["dram"]["actions"];
  for (const char* a : {"ACT", "RD", "WR", "REFab"}) {
    EXPECT_GT(acts.at(a).at("count").get<double>(), 0) << a;
    EXPECT_GT(acts.at(a).at("pj_each").get<double>(), 0) << a;
    EXPECT_GT(action_pj(acts, a), 0) << a;
  }
  EXPECT_GT(action_pj(acts, "background_active"), 0);
  EXPECT_GT(action_pj(acts, "background_precharged"), 0);
  // No preset is left without currents any more.
  EXPECT_EQ(acts.at("ACT").at("source").get<std::string>().find("no IDD currents"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Presets, EnergyEveryPreset, ::testing::ValuesIn(hw::dram_preset_names()),
                         [](const auto& i) {
                           std::string n = i.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace accsim::dram
