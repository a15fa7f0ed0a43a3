// DRAM speed bins: every bin of every built-in preset, resolved through the real resolver and
// compared with a literal table of the published figures (tCK and CL-nRCD-nRP in nCK; for DDR4
// and DDR5 also CWL, and nRAS and nRC as the JESD79-4 rounding gives them). Every bin a preset's
// YAML lists must be in this table, so a new bin cannot slip in untested, and a bare data rate
// must pick the bin its preset documents.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hw/dram_config.h"
#include "sim/core/config.h"
#include "tests/unit/hw/dram_config_parse.h"

namespace accsim::hw {
namespace {

using testing::resolve;

struct Bin {
  const char* preset;
  const char* bin;
  Ps tck_ps;
  int cl, rcd, rp;
  int cwl, ras, rc;  // -1: not pinned here (the preset's own tests pin them)
  int taa_ps;        // DDR4: tAA = tRCD = tRP as published; 0 elsewhere
};

// clang-format off
const std::vector<Bin> kBins = {
  // DDR4 (JESD79-4 speed-bin tables). tAA = tRCD = tRP, tRAS and tRC = tRAS + tRP are the
  // published times; CL-nRCD-nRP is the published nCK, which the JESD79-4 rounding of
  // tAA / tCK(avg)min must reproduce. Sources (configs/dram/DDR4-3200.yaml cites them per bin):
  //  Micron 4Gb DDR4 data sheet (MT40A1G4/512M8/256M16) Table 150 (DDR4-1866: -107F/-107E/-107)
  //    and Table 152 (DDR4-2400: -083F/-083E/-083); Micron 8Gb x8/x16 Automotive DDR4 data sheet
  //    Table 151 (DDR4-2133: -093F/-093E/-093);
  //  Marvell mv_ddr (mv-ddr-marvell, mv_ddr4_training_db.c): tRCD/tRP and tRC of all 24 bins,
  //    tRAS and CWL per rate;
  //  JESD79-4D Tables 151 and 153 as transcribed in RTLDesignSherpa-DV (2666V, 3200AA);
  //  Intel EMIF IP user guide (DDR4-2666U = CL18); HPE DIMM labels (2133P, 2400T, 2666V, 2933Y);
  //  cross-check: Ramulator 2 src/dram/impl/DDR4.cpp (same nCL/nRCD/nRP/nCWL/nRAS/nRC for every
  //    bin, with the names 2400T and 2400U swapped).
  // preset      bin            tCK  CL RCD RP CWL RAS  RC   tAA
  {"DDR4-3200", "DDR4-1600J",  1250, 10, 10, 10,  9, 28, 38, 12500},
  {"DDR4-3200", "DDR4-1600K",  1250, 11, 11, 11,  9, 28, 39, 13750},
  {"DDR4-3200", "DDR4-1600L",  1250, 12, 12, 12,  9, 28, 40, 15000},
  {"DDR4-3200", "DDR4-1866L",  1071, 12, 12, 12, 10, 32, 44, 12850},
  {"DDR4-3200", "DDR4-1866M",  1071, 13, 13, 13, 10, 32, 45, 13920},
  {"DDR4-3200", "DDR4-1866N",  1071, 14, 14, 14, 10, 32, 46, 15000},
  {"DDR4-3200", "DDR4-2133N",   938, 14, 14, 14, 11, 36, 50, 13130},
  {"DDR4-3200", "DDR4-2133P",   938, 15, 15, 15, 11, 36, 51, 14060},
  {"DDR4-3200", "DDR4-2133R",   938, 16, 16, 16, 11, 36, 52, 15000},
  {"DDR4-3200", "DDR4-2400P",   833, 15, 15, 15, 12, 39, 54, 12500},
  {"DDR4-3200", "DDR4-2400R",   833, 16, 16, 16, 12, 39, 55, 13320},
  {"DDR4-3200", "DDR4-2400T",   833, 17, 17, 17, 12, 39, 56, 14160},
  {"DDR4-3200", "DDR4-2400U",   833, 18, 18, 18, 12, 39, 57, 15000},
  {"DDR4-3200", "DDR4-2666T",   750, 17, 17, 17, 14, 43, 60, 12750},
  {"DDR4-3200", "DDR4-2666U",   750, 18, 18, 18, 14, 43, 61, 13500},
  {"DDR4-3200", "DDR4-2666V",   750, 19, 19, 19, 14, 43, 62, 14250},
  {"DDR4-3200", "DDR4-2666W",   750, 20, 20, 20, 14, 43, 63, 15000},
  {"DDR4-3200", "DDR4-2933V",   682, 19, 19, 19, 16, 47, 66, 12960},
  {"DDR4-3200", "DDR4-2933W",   682, 20, 20, 20, 16, 47, 67, 13640},
  {"DDR4-3200", "DDR4-2933Y",   682, 21, 21, 21, 16, 47, 68, 14320},
  {"DDR4-3200", "DDR4-2933AA",  682, 22, 22, 22, 16, 47, 69, 15000},
  {"DDR4-3200", "DDR4-3200W",   625, 20, 20, 20, 16, 52, 72, 12500},
  {"DDR4-3200", "DDR4-3200AA",  625, 22, 22, 22, 16, 52, 74, 13750},
  {"DDR4-3200", "DDR4-3200AC",  625, 24, 24, 24, 16, 52, 76, 15000},
  // DDR5 (JESD79-5), CL-nRCD-nRP in nCK, CWL = CL - 2, tRAS 32 ns, nRC = nRAS + nRP:
  //  4800AN 34-34-34: Hardwareluxx's table of the JEDEC DDR5 timings (April 2024);
  //  5600AN 40-40-40 and 6400AN 46-46-46: AMD PG456 "Speed Bin" and the same table; 313 ps:
  //    AMD PG456 "Clocking";
  //  4800B 40-39-39 and 3200AN 24-24-24 (Ramulator 2's DDR5_3200AN): NOT confirmed against a
  //    public copy of JESD79-5 (see configs/dram/DDR5-4800.yaml).
  {"DDR5-4800", "DDR5-4800B",   417, 40, 39, 39, 38,  77, 116, 0},
  {"DDR5-4800", "DDR5-4800AN",  417, 34, 34, 34, 32,  77, 111, 0},
  {"DDR5-4800", "DDR5-5600AN",  357, 40, 40, 40, 38,  90, 130, 0},
  {"DDR5-4800", "DDR5-6400AN",  313, 46, 46, 46, 44, 103, 149, 0},
  {"DDR5-4800", "DDR5-3200AN",  625, 24, 24, 24, 22,  52,  76, 0},
  // The remaining presets have no lettered JEDEC bins: their one or two bins are a data rate
  // with the timings of the sources each YAML cites (LPDDR5: JESD209-5 core timings, RL/WL of
  // Ramulator 2; HBM2: DRAMSys's HBM2 memspec; HBM3: AttAcc; GDDR6: AiM + Ramulator 2) or those
  // times re-rounded at a GPU's clock (HBM2-2.4, HBM2E-3.2, HBM3E-6.25, GDDR6-10). Pinned here so
  // that a change to them is deliberate; the figures are those of models/dram/README.md.
  {"LPDDR5-6400", "LPDDR5-6400", 1250, 20, 15, 15, -1, -1, -1, 0},
  {"HBM2",  "HBM2-2.0",    1000, 17, 12, 14, -1, -1, -1, 0},
  {"HBM2",  "HBM2-2.4",     823, 21, 15, 17, -1, -1, -1, 0},
  {"HBM2E", "HBM2E-3.2",    628, 28, 20, 23, -1, -1, -1, 0},
  {"HBM3",  "HBM3-5.2",     769, 19, 19, 19, -1, -1, -1, 0},
  {"HBM3",  "HBM3-6.4",     625, 23, 23, 23, -1, -1, -1, 0},
  {"HBM3E", "HBM3E-6.25",   640, 23, 23, 23, -1, -1, -1, 0},
  {"GDDR6", "GDDR6-16",     500, 28, 36, 32, -1, -1, -1, 0},
  {"GDDR6", "GDDR6-10",     800, 18, 23, 20, -1, -1, -1, 0},
};
// clang-format on

// The bin names a preset's YAML lists under `speeds:`, in order.
std::vector<std::string> yaml_bins(const std::string& preset) {
  YAML::Node root = YAML::Load(dram_preset_text(preset));
  std::vector<std::string> v;
  for (auto it = root["speeds"].begin(); it != root["speeds"].end(); ++it)
    v.push_back(it->first.Scalar());
  return v;
}

TEST(DramSpeedBins, EveryBinResolvesToItsPublishedFigures) {
  for (const Bin& b : kBins) {
    SCOPED_TRACE(std::string(b.preset) + " " + b.bin);
    const DramSpec s = resolve(std::string("preset: ") + b.preset + "\nspeed: " + b.bin + "\n");
    EXPECT_EQ(s.name.substr(0, s.name.find(' ')), b.bin);
    EXPECT_EQ(s.timing.tCK_ps, b.tck_ps);
    EXPECT_EQ(s.timing.nCL, b.cl);
    EXPECT_EQ(s.timing.nRCDRD, b.rcd);
    EXPECT_EQ(s.timing.nRP, b.rp);
    if (b.cwl >= 0) {
      EXPECT_EQ(s.timing.nRCDWR, b.rcd);  // DDR4/DDR5: one tRCD for reads and writes
      EXPECT_EQ(s.timing.nCWL, b.cwl);
      EXPECT_EQ(s.timing.nRAS, b.ras);
      EXPECT_EQ(s.timing.nRC, b.rc);
    }
    if (b.taa_ps > 0) {
      // JESD79-4: CL is tAA / tCK(avg)min with the standard's rounding correction; the table's
      // nCK must come out of its ns.
      EXPECT_EQ(jedec_nck(b.taa_ps * 1e-12, b.tck_ps), b.cl);
      EXPECT_EQ(b.cl, b.rcd);
      EXPECT_EQ(b.cl, b.rp);
    }
  }
}

TEST(DramSpeedBins, TheUserReportedBinIsJedecs) {
  // JESD79-4 DDR4-2400R is 16-16-16 (13.32 ns); 17-17-17 (14.16 ns) is DDR4-2400T.
  const DramSpec r = resolve("preset: DDR4-3200\nspeed: DDR4-2400R\n");
  EXPECT_EQ(r.timing.nCL, 16);
  EXPECT_EQ(r.timing.nRCDRD, 16);
  EXPECT_EQ(r.timing.nRP, 16);
  const DramSpec t = resolve("preset: DDR4-3200\nspeed: DDR4-2400T\n");
  EXPECT_EQ(t.timing.nCL, 17);
  EXPECT_EQ(t.timing.nRCDRD, 17);
  EXPECT_EQ(t.timing.nRP, 17);
}

TEST(DramSpeedBins, EveryYamlBinIsInTheTableAndViceVersa) {
  std::set<std::pair<std::string, std::string>> table;
  for (const Bin& b : kBins)
    EXPECT_TRUE(table.insert({b.preset, b.bin}).second) << b.preset << " " << b.bin << " twice";
  std::set<std::pair<std::string, std::string>> in_yaml;
  for (const std::string& preset : dram_preset_names())
    for (const std::string& bin : yaml_bins(preset)) {
      in_yaml.insert({preset, bin});
      EXPECT_TRUE(table.count({preset, bin}))
          << preset << " lists speed bin " << bin << ", which this test's table does not pin";
    }
  for (const auto& [preset, bin] : table)
    EXPECT_TRUE(in_yaml.count({preset, bin})) << preset << " no longer lists " << bin;
}

TEST(DramSpeedBins, ADataRatePicksTheDocumentedBin) {
  // models/dram/README.md: a bare rate picks the first bin listed for it. DDR4 lists first the
  // bin whose tAA is nearest 14 ns; DDR5 4800 is the default DDR5-4800B.
  const std::vector<std::pair<std::string, std::string>> picks = {
      {"DDR4-3200", "1600"}, {"DDR4-3200", "1866"}, {"DDR4-3200", "2133"}, {"DDR4-3200", "2400"},
      {"DDR4-3200", "2666"}, {"DDR4-3200", "2933"}, {"DDR4-3200", "3200"}, {"DDR5-4800", "3200"},
      {"DDR5-4800", "4800"}, {"DDR5-4800", "5600"}, {"DDR5-4800", "6400"}};
  const std::map<std::string, std::string> want = {
      {"DDR4-3200 1600", "DDR4-1600K"},  {"DDR4-3200 1866", "DDR4-1866M"},
      {"DDR4-3200 2133", "DDR4-2133P"},  {"DDR4-3200 2400", "DDR4-2400T"},
      {"DDR4-3200 2666", "DDR4-2666V"},  {"DDR4-3200 2933", "DDR4-2933Y"},
      {"DDR4-3200 3200", "DDR4-3200AA"}, {"DDR5-4800 3200", "DDR5-3200AN"},
      {"DDR5-4800 4800", "DDR5-4800B"},  {"DDR5-4800 5600", "DDR5-5600AN"},
      {"DDR5-4800 6400", "DDR5-6400AN"}};
  for (const auto& [preset, rate] : picks) {
    const DramSpec s = resolve("preset: " + preset + "\nspeed: " + rate + "\n");
    EXPECT_EQ(s.name.substr(0, s.name.find(' ')), want.at(preset + " " + rate))
        << preset << " " << rate;
  }
  // The DDR4 rule, checked against the literal table: for each rate the picked bin has the tAA
  // nearest 14 ns.
  std::map<int, const Bin*> nearest;
  for (const Bin& b : kBins) {
    if (b.taa_ps == 0) continue;
    const int rate = std::atoi(std::string(b.bin).substr(5, 4).c_str());
    const Bin*& n = nearest[rate];
    if (!n || std::abs(b.taa_ps - 14000) < std::abs(n->taa_ps - 14000)) n = &b;
  }
  EXPECT_EQ(nearest.size(), 7u);
  for (const auto& [rate, b] : nearest)
    EXPECT_EQ(b->bin, want.at("DDR4-3200 " + std::to_string(rate)));
}

TEST(DramSpeedBins, DefaultsAreUnchanged) {
  EXPECT_EQ(dram_preset_spec("DDR4-3200").name, "DDR4-3200AA 8Gb x8");
  EXPECT_EQ(dram_preset_spec("DDR5-4800").name, "DDR5-4800B 16Gb x8");
}

}  // namespace
}  // namespace accsim::hw
