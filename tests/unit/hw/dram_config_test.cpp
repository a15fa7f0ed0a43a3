// DRAM configuration: built-in presets, speed/density/width selection, overrides in cycles and in
// time (JEDEC rounding), power derivation, and every validation error naming its place.
#include "hw/dram_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/error.h"
#include "tests/unit/hw/dram_config_parse.h"

namespace accsim::hw {
namespace {

using testing::kWhere;
using testing::parse;
using testing::resolve;

// The error text of whatever `fn` throws (empty if it does not throw an accsim::Error).
template <class F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig) << e.what();
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- Presets.

TEST(DramPresets, EmbeddedPresetsAreExactlyTheYamlFiles) {
  const std::filesystem::path dir = std::filesystem::path(ACCSIM_SOURCE_DIR) / "configs/dram";
  std::vector<std::string> on_disk;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml") on_disk.push_back(e.path().stem().string());
  std::sort(on_disk.begin(), on_disk.end());
  EXPECT_EQ(dram_preset_names(), on_disk);
  for (const std::string& n : on_disk)
    EXPECT_EQ(dram_preset_text(n), read_file(dir / (n + ".yaml"))) << n << " is stale";
  for (const char* want : {"DDR4-3200", "DDR5-4800", "LPDDR5-6400", "HBM2", "HBM3", "GDDR6"})
    EXPECT_NE(std::find(on_disk.begin(), on_disk.end(), want), on_disk.end()) << want;
}

// Every speed bin x density x width that a preset lists resolves and builds a valid spec.
TEST(DramPresets, EveryCombinationOfEveryPresetResolves) {
  int combos = 0;
  for (const std::string& name : dram_preset_names()) {
    YAML::Node root = YAML::Load(dram_preset_text(name));
    std::vector<std::string> speeds, densities, dqs;
    for (auto it = root["speeds"].begin(); it != root["speeds"].end(); ++it)
      speeds.push_back(it->first.Scalar());
    for (auto it = root["by_density"].begin(); it != root["by_density"].end(); ++it)
      densities.push_back(it->first.Scalar());
    for (auto it = root["by_dq"].begin(); it != root["by_dq"].end(); ++it)
      dqs.push_back(it->first.Scalar());
    ASSERT_FALSE(speeds.empty() || densities.empty() || dqs.empty()) << name;
    for (auto& sp : speeds)
      for (auto& d : densities)
        for (auto& q : dqs) {
          SCOPED_TRACE(name + " " + sp + " " + d + " " + q);
          DramSpec s = resolve("preset: " + name + "\nspeed: " + sp + "\ndensity: " + d +
                               "\ndq: " + q + "\n");
          EXPECT_GT(s.timing.nRC, 0);
          EXPECT_GE(s.timing.nRC, s.timing.nRAS + s.timing.nRP);
          EXPECT_EQ(s.org.burst_length % s.transfers_per_ck, 0);
          EXPECT_EQ(s.timing.nBL, s.org.burst_length / s.transfers_per_ck);
          EXPECT_GE(s.timing.nCCD_S, s.timing.nBL);
          EXPECT_EQ(s.per_bank_refresh != PerBankRefresh::kNone, s.timing.nRFCpb > 0);
          EXPECT_EQ(s.per_bank_refresh != PerBankRefresh::kNone, s.timing.nREFIpb > 0);
          EXPECT_FALSE(s.sources.empty());
          ++combos;
        }
  }
  // DDR4: 24 bins x 3 densities x 3 widths alone.
  EXPECT_GE(combos, 216);
}

// Hand-computed from the preset's JESD79-4 values at tCK = 0.625 ns.
TEST(DramPresets, Ddr4_3200AA_8Gb_x8MatchesJedecByHand) {
  DramSpec s = dram_preset_spec("DDR4-3200");
  EXPECT_EQ(s.name, "DDR4-3200AA 8Gb x8");
  EXPECT_EQ(s.standard, DramStandard::kDDR4);
  EXPECT_EQ(s.timing.tCK_ps, 625u);
  EXPECT_DOUBLE_EQ(s.data_rate_mtps, 3200);
  const DramTiming& t = s.timing;
  EXPECT_EQ(t.nBL, 4);  // BL8 / 2
  EXPECT_EQ(t.nCL, 22);
  EXPECT_EQ(t.nCWL, 16);
  EXPECT_EQ(t.nRCDRD, 22);  // 13.75 / 0.625 = 22.0
  EXPECT_EQ(t.nRCDWR, 22);
  EXPECT_EQ(t.nRP, 22);
  EXPECT_EQ(t.nRPab, 22);
  EXPECT_EQ(t.nRAS, 52);   // 32 / 0.625 = 51.2
  EXPECT_EQ(t.nRC, 74);    // 45.75 / 0.625 = 73.2
  EXPECT_EQ(t.nWR, 24);    // 15 / 0.625
  EXPECT_EQ(t.nRTP, 12);   // 7.5 / 0.625
  EXPECT_EQ(t.nRRD_S, 4);  // max(4, 2.5 / 0.625 = 4)
  EXPECT_EQ(t.nRRD_L, 8);  // 4.9 / 0.625 = 7.84
  EXPECT_EQ(t.nCCD_S, 4);
  EXPECT_EQ(t.nCCD_L, 8);  // 5 / 0.625
  EXPECT_EQ(t.nCCD_L_WR, 8);
  EXPECT_EQ(t.nWTR_S, 4);
  EXPECT_EQ(t.nWTR_L, 12);
  EXPECT_EQ(t.nFAW, 34);      // 21 / 0.625 = 33.6
  EXPECT_EQ(t.nRFC, 560);     // 350 / 0.625
  EXPECT_EQ(t.nREFI, 12480);  // 7.8 us / 0.625
  EXPECT_EQ(t.nRFCpb, 0);
  EXPECT_EQ(t.nRTRS, 2);
  EXPECT_EQ(s.org.bank_groups, 4);
  EXPECT_EQ(s.org.banks_per_group, 4);
  EXPECT_EQ(s.org.rows, 65536);
  EXPECT_EQ(s.org.columns, 1024);
  EXPECT_EQ(s.org.channel_width, 64);
  EXPECT_EQ(s.org.burst_bytes(), 64);
  EXPECT_EQ(s.power.devices_per_rank, 8);
  EXPECT_DOUBLE_EQ(s.power.idd0, 60.75);
  EXPECT_DOUBLE_EQ(s.power.vdd, 1.2);
  EXPECT_DOUBLE_EQ(s.peak_bw_total(), 25.6e9);
}

TEST(DramPresets, WidthAndDensityPickPageSizeTimingsAndRows) {
  DramSpec x16 = resolve("preset: DDR4-3200\ndq: x16\ndensity: 16Gb\n");
  EXPECT_EQ(x16.org.bank_groups, 2);
  EXPECT_EQ(x16.org.rows, 131072);
  EXPECT_EQ(x16.timing.nRRD_S, 9);   // 5.3 / 0.625 = 8.48
  EXPECT_EQ(x16.timing.nRRD_L, 11);  // 6.4 / 0.625 = 10.24
  EXPECT_EQ(x16.timing.nFAW, 48);    // 30 / 0.625
  EXPECT_EQ(x16.timing.nRFC, 880);   // 550 / 0.625
  EXPECT_EQ(x16.power.devices_per_rank, 4);
  DramSpec x4 = resolve("preset: DDR4-3200\ndq: 4\ndensity: 4Gb\n");
  EXPECT_EQ(x4.org.rows, 65536);
  EXPECT_EQ(x4.timing.nFAW, 16);   // max(16 nCK, 10 ns)
  EXPECT_EQ(x4.timing.nRFC, 416);  // 260 / 0.625
}

TEST(DramPresets, SpeedIsABinNameOrADataRate) {
  // A data rate picks the rate's first-listed bin, DDR4-2400T (17-17-17); the bin names are
  // case-insensitive. Every bin's figures are pinned in dram_speed_bins_test.cpp.
  for (const char* sp : {"2400", "DDR4-2400T", "ddr4-2400t", "2400MT/s", "2.4Gbps"}) {
    DramSpec s = resolve(std::string("preset: DDR4-3200\nspeed: ") + sp + "\n");
    EXPECT_EQ(s.name, "DDR4-2400T 8Gb x8") << sp;
    EXPECT_EQ(s.timing.tCK_ps, 833u) << sp;
    EXPECT_EQ(s.timing.nCL, 17) << sp;
    EXPECT_EQ(s.timing.nRAS, 39) << sp;  // 32 / 0.833 = 38.4
    EXPECT_EQ(s.timing.nFAW, 26) << sp;  // 21 / 0.833 = 25.2
  }
  EXPECT_EQ(resolve("preset: DDR4-3200\nspeed: ddr4-2400r\n").timing.nCL, 16);
  // A rate with several bins takes the first listed (3200AA, not 3200W).
  EXPECT_EQ(resolve("preset: DDR4-3200\nspeed: 3200\n").timing.nCL, 22);
  EXPECT_EQ(resolve("preset: DDR4-3200\nspeed: DDR4-3200W\n").timing.nCL, 20);
  DramSpec h = resolve("preset: HBM3\nspeed: 6.4Gbps\n");
  EXPECT_EQ(h.timing.tCK_ps, 625u);
  EXPECT_EQ(h.timing.nCL, 23);
  EXPECT_EQ(h.timing.nBL, 2);
  EXPECT_DOUBLE_EQ(h.data_rate_mtps, 6400);
}

TEST(DramPresets, HbmAndGddrOrganisation) {
  DramSpec h = dram_preset_spec("HBM3");
  EXPECT_EQ(h.org.independent_channels(), 32);
  EXPECT_EQ(h.org.channel_width, 32);
  EXPECT_EQ(h.org.burst_bytes(), 32);
  EXPECT_EQ(h.org.bursts_per_row(), 32);  // 1 KB page
  EXPECT_EQ(h.per_bank_refresh, PerBankRefresh::kSingleBank);
  EXPECT_EQ(h.timing.nRAS, 45);  // AttAcc's scaled values (see HBM3.yaml)
  EXPECT_EQ(h.timing.nRC, 64);   // AttAcc's 63 raised to nRAS + nRP (see HBM3.yaml)
  EXPECT_EQ(h.timing.nRCDRD, 19);
  DramSpec g = dram_preset_spec("GDDR6");
  EXPECT_EQ(g.timing.tCK_ps, 500u);
  EXPECT_DOUBLE_EQ(g.data_rate_mtps, 16000);
  EXPECT_NE(g.timing.nRCDRD, g.timing.nRCDWR);
  EXPECT_EQ(g.org.banks_per_rank(), 16);
  EXPECT_EQ(g.org.bank_groups, 4);
  DramSpec d5 = dram_preset_spec("DDR5-4800");
  EXPECT_EQ(d5.per_bank_refresh, PerBankRefresh::kSameBankInAllGroups);
  EXPECT_EQ(d5.org.bank_groups, 8);
  EXPECT_EQ(d5.org.banks_per_group, 4);
  EXPECT_EQ(d5.org.burst_length, 16);
  EXPECT_EQ(d5.org.channel_width, 32);
  EXPECT_EQ(d5.timing.nBL, 8);
  // JESD79-5 Table 284 tREFSBRD 30 ns at tCK 416.7 ps (DDR5-4800): 72 nCK; Table 281 tREFIsb =
  // 1.95 us / 4 banks per group (16 Gb) = 487.5 ns: 1170 nCK.
  EXPECT_EQ(d5.timing.nRREFD, 72);
  EXPECT_EQ(d5.timing.nREFIpb, 1170);
  DramSpec lp = dram_preset_spec("LPDDR5-6400");
  EXPECT_EQ(lp.org.banks_per_rank(), 16);
  EXPECT_GT(lp.timing.nRPab, lp.timing.nRP);
  EXPECT_EQ(lp.timing.nBL, 2);
}

// The bins of the GPUs' memories (hw/gpu_spec.cpp), hand-computed with the JESD79-4 rounding from
// the times in their files: A100 40GB HBM2 at 2.43 Gbps, A100 80GB HBM2E at 3.19 Gbps, H200
// HBM3E at 6.25 Gbps, T4 GDDR6 at 10 Gbps.
TEST(DramPresets, GpuMemoryBinsMatchTheirTimesByHand) {
  DramSpec a = resolve("preset: HBM2\nspeed: HBM2-2.4\n");
  EXPECT_EQ(a.timing.tCK_ps, 823u);
  EXPECT_NEAR(a.data_rate_mtps, 2430.1, 0.1);
  EXPECT_EQ(a.timing.nCL, 21);     // 17 / 0.823 = 20.66
  EXPECT_EQ(a.timing.nRCDRD, 15);  // 12 / 0.823 = 14.58
  EXPECT_EQ(a.timing.nRP, 17);     // 14 / 0.823 = 17.01 (within the guard band)
  EXPECT_EQ(a.timing.nRAS, 34);    // 28 / 0.823 = 34.02
  EXPECT_EQ(a.timing.nRC, 52);     // 42 / 0.823 = 51.03
  EXPECT_EQ(a.timing.nFAW, 20);    // 16 / 0.823 = 19.44
  EXPECT_EQ(a.timing.nRFC, 426);   // 350 / 0.823 = 425.3
  EXPECT_EQ(a.timing.nCCD_L, 3);   // kept in nCK
  DramSpec e = dram_preset_spec("HBM2E");
  EXPECT_EQ(e.standard, DramStandard::kHBM2);
  EXPECT_EQ(e.name, "HBM2E-3.2 16Gb x64");
  EXPECT_EQ(e.timing.tCK_ps, 628u);
  EXPECT_EQ(e.timing.nCL, 28);     // 17 / 0.628 = 27.07
  EXPECT_EQ(e.timing.nRCDRD, 20);  // 12 / 0.628 = 19.11
  EXPECT_EQ(e.timing.nRAS, 45);    // 28 / 0.628 = 44.59
  EXPECT_EQ(e.timing.nRP, 23);     // 14 / 0.628 = 22.29
  EXPECT_EQ(e.timing.nRC, 68);     // no tRC given: nRAS + nRP
  EXPECT_EQ(e.timing.nRFC, 717);   // 450 / 0.628 = 716.6
  EXPECT_EQ(e.timing.nRRD_S, 7);   // 4 / 0.628 = 6.37
  EXPECT_EQ(e.timing.nFAW, 28);    // max(4 x nRRD_S, 16 ns = 26)
  EXPECT_EQ(e.org.rows, 65536);
  DramSpec h = dram_preset_spec("HBM3E");
  EXPECT_EQ(h.standard, DramStandard::kHBM3);
  EXPECT_EQ(h.timing.tCK_ps, 640u);
  EXPECT_DOUBLE_EQ(h.data_rate_mtps, 6250);
  EXPECT_EQ(h.timing.nCL, 23);  // 14.375 / 0.64 = 22.46
  EXPECT_EQ(h.timing.nRAS, 54);
  EXPECT_EQ(h.timing.nRC, 77);  // 48.75 / 0.64 = 76.17, = nRAS + nRP
  EXPECT_EQ(h.timing.nFAW, 47);
  EXPECT_EQ(h.timing.nRFCpb, 313);
  EXPECT_EQ(h.timing.nBL, 2);
  EXPECT_EQ(h.org.independent_channels(), 32);
  DramSpec g = resolve("preset: GDDR6\nspeed: 10Gbps\n");
  EXPECT_EQ(g.name, "GDDR6-10 16Gb x16");
  EXPECT_EQ(g.timing.tCK_ps, 800u);
  EXPECT_EQ(g.timing.nRCDRD, 23);  // 18 / 0.8 = 22.5
  EXPECT_EQ(g.timing.nRP, 20);
  EXPECT_EQ(g.timing.nRAS, 34);  // 27 / 0.8 = 33.75
  EXPECT_EQ(g.timing.nRC, 56);   // 44.5 / 0.8 = 55.6
  EXPECT_EQ(g.timing.nCL, 18);   // 13.68 / 0.8 = 17.1
  EXPECT_EQ(g.timing.nREFI, 2375);
  EXPECT_DOUBLE_EQ(g.peak_bw_per_channel(), 20e9);  // 16 bit x 10 Gbps
}

// `standard: HBM3` picks the HBM3 preset, not HBM3E (which uses HBM3's rules), and likewise HBM2.
TEST(DramPresets, AStandardPicksThePresetNamedAfterIt) {
  EXPECT_EQ(resolve("standard: HBM3\n").name, "HBM3-5.2 8Gb x32");
  EXPECT_EQ(resolve("standard: HBM2\n").name, "HBM2-2.0 8Gb x64");
  EXPECT_EQ(resolve("standard: DDR4\n").name, "DDR4-3200AA 8Gb x8");
  // A preset whose standard is another's: its own name, the other's rules.
  EXPECT_EQ(resolve("preset: HBM3E\nstandard: HBM3\n").timing.tCK_ps, 640u);
}

// Per-bit energies convert to currents that give the same energy back through the IDD formulas
// the energy model applies.
TEST(DramPresets, DerivedCurrentsReproduceTheirPerBitEnergies) {
  DramSpec h = dram_preset_spec("HBM3");
  const double tck = h.timing.tCK_ps * 1e-12;
  const double burst_bits = h.org.dq * h.org.burst_length;
  const double e_rd = h.power.vdd * (h.power.idd4r - h.power.idd3n) * 1e-3 * h.timing.nBL * tck;
  EXPECT_NEAR(e_rd / burst_bits * 1e12, 2.68, 1e-9);
  const double e_act = h.power.vdd * (h.power.idd0 - h.power.idd3n) * 1e-3 * h.timing.nRAS * tck +
                       h.power.vdd * (h.power.idd0 - h.power.idd2n) * 1e-3 * h.timing.nRP * tck;
  EXPECT_NEAR(e_act / (h.org.columns * h.org.dq) * 1e12, 0.11, 1e-9);
  EXPECT_DOUBLE_EQ(h.power.io_pj_per_bit, 0.8);
  EXPECT_TRUE(contains(h.power.source, "derived"));
  // Background and refresh currents are given, not derived (CMU SAFARI HBM-Power).
  EXPECT_DOUBLE_EQ(h.power.idd3n, 71.2);
  EXPECT_TRUE(contains(h.power.source, "HBM-Power"));
}

// A further rail (LPDDR5 VDD1) is read from the preset; it is preset-only (dram.power overrides
// VDD and VPP), so a system file naming one is an unknown-key error.
TEST(DramPresets, FurtherRailsAreReadFromThePreset) {
  DramSpec l = dram_preset_spec("LPDDR5-6400");
  ASSERT_EQ(l.power.rails.size(), 1u);
  EXPECT_EQ(l.power.rails[0].name, "VDD1");
  EXPECT_DOUBLE_EQ(l.power.rails[0].v, 1.8);
  EXPECT_DOUBLE_EQ(l.power.rails[0].idd0, 3.8);
  EXPECT_DOUBLE_EQ(l.power.rails[0].idd4r, 18.0);
  EXPECT_DOUBLE_EQ(l.power.rails[0].idd5b, 2.8);
  EXPECT_TRUE(dram_preset_spec("DDR4-3200").power.rails.empty());
  const std::string err =
      error_of([] { resolve("preset: LPDDR5-6400\npower: {idd4r_vdd1: 20mA}\n"); });
  EXPECT_TRUE(contains(err, "idd4r_vdd1")) << err;
}

// ---- Overrides and rounding.

TEST(DramConfig, JedecRoundingHasA2Point5PercentGuardBand) {
  EXPECT_EQ(jedec_nck(13.75e-9, 625), 22);   // exactly 22.0
  EXPECT_EQ(jedec_nck(13.765e-9, 625), 22);  // 22.024: inside the guard band, rounds down
  EXPECT_EQ(jedec_nck(13.767e-9, 625), 23);  // 22.027: rounds up
  EXPECT_EQ(jedec_nck(13.8e-9, 625), 23);
  EXPECT_EQ(jedec_nck(2.5e-9, 625), 4);
  EXPECT_EQ(jedec_nck(4.9e-9, 625), 8);
  EXPECT_EQ(jedec_nck(1e-12, 625), 0);  // a tiny time rounds to no cycle at all
}

TEST(DramConfig, OverridesInCyclesAndInTime) {
  DramSpec a = resolve("preset: DDR4-3200\ntiming: {nRCD: 24}\n");
  EXPECT_EQ(a.timing.nRCDRD, 24);
  EXPECT_EQ(a.timing.nRCDWR, 24);
  DramSpec b = resolve("preset: DDR4-3200\ntiming: {tRCD: 15ns, nRCDWR: 10}\n");
  EXPECT_EQ(b.timing.nRCDRD, 24);  // 15 / 0.625
  EXPECT_EQ(b.timing.nRCDWR, 10);  // the specific key beats the alias in the same section
  DramSpec c = resolve("preset: DDR4-3200\ntiming: {tRP: 13.765ns, tRAS: 13.8ns}\n");
  EXPECT_EQ(c.timing.nRP, 22);
  EXPECT_EQ(c.timing.nRAS, 23);
  DramSpec d = resolve("preset: DDR4-3200\ntiming: {tRRD: 10ns}\n");
  EXPECT_EQ(d.timing.nRRD_S, 16);
  EXPECT_EQ(d.timing.nRRD_L, 16);
  // A time override of the speed bin's value follows the new clock.
  DramSpec e = resolve("preset: DDR4-3200\nspeed: 1600\ntiming: {tRCD: 15ns}\n");
  EXPECT_EQ(e.timing.nRCDRD, 12);
  DramSpec f = resolve("preset: DDR4-3200\nranks: 2\norg: {banks: 16}\n");
  EXPECT_EQ(f.org.ranks, 2);
  EXPECT_EQ(f.org.banks_per_group, 4);
  DramSpec g = resolve("preset: DDR4-3200\npower: {idd0: 58mA, vdd: 1.1V}\n");
  EXPECT_DOUBLE_EQ(g.power.idd0, 58);
  EXPECT_DOUBLE_EQ(g.power.vdd, 1.1);
  EXPECT_DOUBLE_EQ(g.power.idd2n, 38.25);
}

TEST(DramConfig, PresetKeyLoadsDefaultsThatLaterKeysOverride) {
  DramConfig c = parse("preset: HBM3\n");
  EXPECT_EQ(c.standard, "HBM3");
  EXPECT_EQ(c.speed, "HBM3-5.2");
  EXPECT_EQ(c.channels, 16);
  DramConfig d = parse("speed: 6400\npreset: HBM3\n");  // the preset applies first
  EXPECT_EQ(d.speed, "6400");
  DramSpec s = resolve("standard: GDDR6\n");
  EXPECT_EQ(s.standard, DramStandard::kGDDR6);
}

// ---- Errors: each names the place and the offending key and value.

TEST(DramConfigErrors, ZeroOrNegativeTimingIsRejectedAtItsLine) {
  std::string e = error_of([] { parse("preset: DDR4-3200\ntiming:\n  nRCD: 0\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:9")) << e;
  EXPECT_TRUE(contains(e, "dram.timing.nRCD")) << e;
  e = error_of([] { parse("preset: DDR4-3200\ntiming:\n  tRP: -2ns\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:8")) << e;
  EXPECT_TRUE(contains(e, "dram.timing.tRP")) << e;
  e = error_of([] { parse("preset: DDR4-3200\ntiming:\n  nRAS: -3\n"); });
  EXPECT_TRUE(contains(e, "dram.timing.nRAS")) << e;
  // A time that rounds to zero cycles is caught after rounding.
  e = error_of([] { resolve("preset: DDR4-3200\ntiming: {tRTP: 1ps}\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:1")) << e;
  EXPECT_TRUE(contains(e, "nRTP = 0")) << e;
  EXPECT_TRUE(contains(e, "at least 1")) << e;
}

TEST(DramConfigErrors, CyclesAndTimeForOneTimingIsAnError) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\ntiming: {nRCD: 24, tRCD: 15ns}\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:1")) << e;
  EXPECT_TRUE(contains(e, "nRCD = 24")) << e;
  EXPECT_TRUE(contains(e, "tRCD = 15ns")) << e;
  EXPECT_TRUE(contains(e, "not both")) << e;
}

TEST(DramConfigErrors, RowCycleShorterThanActivatePlusPrecharge) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\ntiming: {nRC: 40}\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:1")) << e;
  EXPECT_TRUE(contains(e, "nRC = 40")) << e;
  EXPECT_TRUE(contains(e, "nRAS + nRP = 52 + 22 = 74")) << e;
}

TEST(DramConfigErrors, OtherCrossChecks) {
  EXPECT_TRUE(contains(error_of([] { resolve("preset: DDR4-3200\ntiming: {nRRD_L: 2}\n"); }),
                       "nRRD_L = 2"));
  EXPECT_TRUE(contains(error_of([] { resolve("preset: DDR4-3200\ntiming: {nCCD_S: 3}\n"); }),
                       "overlap on the data bus"));
  EXPECT_TRUE(contains(error_of([] { resolve("preset: HBM2\ntiming: {nRFCpb: 0}\n"); }),
                       "per-bank refresh"));
  EXPECT_TRUE(contains(error_of([] { resolve("preset: DDR4-3200\ntiming: {nREFI: 100}\n"); }),
                       "nREFI = 100"));
}

TEST(DramConfigErrors, BankCountThatDoesNotDivide) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\norg: {banks: 10}\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:1")) << e;
  EXPECT_TRUE(contains(e, "dram.org.banks = 10 does not divide into 4 bank groups")) << e;
}

TEST(DramConfigErrors, NonPowerOfTwoOrganisation) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\norg: {rows: 50000}\n"); });
  EXPECT_TRUE(contains(e, "org.rows = 50000")) << e;
  EXPECT_TRUE(contains(e, "power of two")) << e;
  e = error_of([] { resolve("preset: DDR4-3200\norg: {bank_groups: 3}\n"); });
  EXPECT_TRUE(contains(e, "org.bank_groups = 3")) << e;
}

TEST(DramConfigErrors, OrganisationThatDoesNotMatchTheDensity) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\norg: {rows: 32768}\n"); });
  EXPECT_TRUE(contains(e, "holds 4Gb")) << e;
  EXPECT_TRUE(contains(e, "density is 8Gb")) << e;
  EXPECT_TRUE(contains(e, "set org.rows to 65536")) << e;
}

TEST(DramConfigErrors, ChannelWidthNotAMultipleOfTheDevice) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\norg: {channel_width: 36}\n"); });
  EXPECT_TRUE(contains(e, "org.channel_width = 36")) << e;
}

TEST(DramConfigErrors, UnknownPresetListsTheKnownOnes) {
  std::string e = error_of([] { parse("preset: DDR4-3300\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:1:9")) << e;
  EXPECT_TRUE(contains(e, "unknown DRAM preset 'DDR4-3300'")) << e;
  EXPECT_TRUE(contains(e, "DDR4-3200, DDR5-4800, GDDR6, HBM2, HBM2E, HBM3, HBM3E, LPDDR5-6400"))
      << e;
  EXPECT_TRUE(contains(e, "did you mean 'DDR4-3200'")) << e;
}

TEST(DramConfigErrors, UnknownKeyNamesItsPlace) {
  std::string e = error_of([] { parse("preset: DDR4-3200\ntiming:\n  nRCDX: 3\n"); });
  EXPECT_TRUE(contains(e, "sys.yaml:3:3")) << e;
  EXPECT_TRUE(contains(e, "unknown key 'dram.timing.nRCDX'")) << e;
  e = error_of([] { parse("preset: DDR4-3200\nrank: 2\n"); });
  EXPECT_TRUE(contains(e, "unknown key 'dram.rank'")) << e;
  EXPECT_TRUE(contains(e, "did you mean 'ranks'")) << e;
}

TEST(DramConfigErrors, UnknownSpeedDensityOrWidthListTheValidOnes) {
  std::string e = error_of([] { resolve("preset: DDR4-3200\nspeed: 3000\n"); });
  EXPECT_TRUE(contains(e, "dram.speed = '3000'")) << e;
  EXPECT_TRUE(contains(e, "DDR4-2933Y (2933 MT/s)")) << e;
  e = error_of([] { resolve("preset: DDR4-3200\ndq: x32\n"); });
  EXPECT_TRUE(contains(e, "no x32 devices")) << e;
  EXPECT_TRUE(contains(e, "x4, x8, x16")) << e;
  e = error_of([] { resolve("preset: DDR4-3200\ndensity: 2Gb\n"); });
  EXPECT_TRUE(contains(e, "no 2Gb devices")) << e;
  EXPECT_TRUE(contains(e, "4Gb, 8Gb, 16Gb")) << e;
  e = error_of([] { resolve("preset: DDR4-3200\ndq: wide\n"); });
  EXPECT_TRUE(contains(e, "dram.dq = 'wide'")) << e;
}

TEST(DramConfigErrors, StandardAndPresetMustAgree) {
  std::string e = error_of([] { resolve("preset: HBM3\nstandard: DDR4\n"); });
  EXPECT_TRUE(contains(e, "does not match preset 'HBM3'")) << e;
  e = error_of([] { resolve("standard: DDR6\n"); });
  EXPECT_TRUE(contains(e, "dram.standard = 'DDR6' is not known")) << e;
  e = error_of([] { resolve("ranks: 2\n"); });
  EXPECT_TRUE(contains(e, "needs 'preset'")) << e;
}

}  // namespace
}  // namespace accsim::hw
