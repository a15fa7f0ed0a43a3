#pragma once
// What accsim knows about each DRAM standard beyond a preset's numbers: its name, whether its
// row and column commands have separate buses, its turnaround quirks, how many refreshes may be
// postponed, and the JEDEC names its rules carry. This table is the one place for per-standard
// facts: the timing-rule builder, the protocol checker, the controller and the config layer read
// it instead of testing which standard a spec is. The per-part numbers (organisation, timings,
// speed bins, currents) live in the presets, configs/dram/*.yaml. Adding a standard:
// models/dram/README.md, "Adding a standard".
#include <span>
#include <string_view>

namespace accsim::hw {

enum class DramStandard { kDDR4, kDDR5, kLPDDR5, kHBM2, kHBM3, kGDDR6 };

struct DramStandardInfo {
  DramStandard id;
  std::string_view name;  // as written in presets and `dram.standard`
  // Separate row and column command buses: one row command (ACT, PRE, PREA, REF) and one column
  // command may issue in the same cycle.
  bool split_command_bus = false;
  // Idle clocks between the end of read data and the start of write data on one rank: the
  // read-to-write gap is nCL + nBL + this - nCWL.
  int read_to_write_bubble = 2;
  // Clocks added after the end of write data before the tWTR count starts.
  int write_to_read_extra = 0;
  // Refresh commands that may be postponed (the checker's limit; the controller keeps one
  // interval of slack below it).
  int max_postponed_refreshes = 8;
  // The same-bank-group write-to-write gap has its own parameter (tCCD_L_WR) rather than tCCD_L.
  bool has_ccd_l_wr = false;
  // The gap between per-bank refreshes of different banks is named tpbR2pbR (else tRREFD).
  bool pbr_gap_is_pbr2pbr = false;
  // Stack IDs a rank may have (HBM3 SID: 1, 2 or 4 for 4-, 8- and 16-high stacks); 1 = the
  // standard has no stack-ID level.
  int max_stack_ids = 1;
  std::string_view source;  // where the facts above come from
};

// Every standard, in the enum's order.
std::span<const DramStandardInfo> dram_standards();
const DramStandardInfo& standard_info(DramStandard s);
std::string_view standard_name(DramStandard s);
// The standard named `name` (exact, as in standard_name()); nullptr if none.
const DramStandardInfo* find_standard(std::string_view name);

}  // namespace accsim::hw
