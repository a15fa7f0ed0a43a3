#include "hw/dram_standard.h"

#include <array>

namespace accsim::hw {
namespace {

// Read-to-write bubble: Micron DDR4 data sheet (MT40A, after JESD79-4), "READ to WRITE command
// delay = RL + BL/2 - WL + 2tCK" with 1 nCK read and write preambles: 2 idle clocks between read
// data and write data. The same 2 clocks are assumed for DDR5, LPDDR5, HBM2/3 and GDDR6 (not
// confirmed against JESD79-5, JESD209-5, JESD235/238 or JESD250 here; models/dram/README.md).
// Postponed refreshes: DDR3/DDR4 data sheets (Micron/Nanya, after JESD79-3/-4): "A maximum of 8
// REFRESH commands can be postponed"; the same limit is assumed for the other standards.
constexpr std::array<DramStandardInfo, 6> kStandards = {{
    {DramStandard::kDDR4, "DDR4", false, 2, 0, 8, false, false, 1,
     "JESD79-4; Micron MT40A data sheet (read-to-write, refresh postponement)"},
    {DramStandard::kDDR5, "DDR5", false, 2, 0, 8, true, false, 1,
     "JESD79-5 (tCCD_L_WR); read-to-write bubble and postponement assumed as DDR4"},
    // JESD209-5 "write to read": WL + BL/n_max + RU(tWTR/tCK) + 1 — one clock for the WCK-to-CK
    // domain crossing; per-bank refresh spacing tpbR2pbR.
    {DramStandard::kLPDDR5, "LPDDR5", false, 2, 1, 8, false, true, 1,
     "JESD209-5 (write-to-read +1, tpbR2pbR); read-to-write and postponement assumed as DDR4"},
    // JESD235 / JESD238: row commands on R[] pins, column commands on C[] pins.
    {DramStandard::kHBM2, "HBM2", true, 2, 0, 8, false, false, 1,
     "JESD235 (separate row/column command buses, tRREFD); the rest assumed as DDR4"},
    // Stack IDs: JESD238 stacks 4 to 16 dies, two to four of which share a channel as SIDs;
    // their rules (tCCDR between reads of different SIDs) are in models/dram/impl/timing.cpp.
    {DramStandard::kHBM3, "HBM3", true, 2, 0, 8, false, false, 4,
     "JESD238 (separate row/column command buses, tRREFD, stack IDs); the rest assumed as DDR4"},
    {DramStandard::kGDDR6, "GDDR6", false, 2, 0, 8, false, false, 1,
     "JESD250; read-to-write bubble and postponement assumed as DDR4 (not confirmed)"},
}};

}  // namespace

std::span<const DramStandardInfo> dram_standards() {
  return kStandards;
}

const DramStandardInfo& standard_info(DramStandard s) {
  return kStandards[static_cast<std::size_t>(s)];
}

std::string_view standard_name(DramStandard s) {
  return standard_info(s).name;
}

const DramStandardInfo* find_standard(std::string_view name) {
  for (const DramStandardInfo& s : kStandards)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace accsim::hw
