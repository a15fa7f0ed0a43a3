#pragma once
// PimSpec: the processing-in-memory part of a PIM-GPT style system (models/pim/README.md) on top
// of a DRAM spec (the `dram:` section, GDDR6 by default): the PIM command timings that JEDEC does
// not define, the bank MAC units, the per-channel global buffer, the ASIC that sums partial
// results and runs the non-linear functions, and the energy of every action.
//
// Loaded from a `pim:` section (config::Schema below). Sources of every default: pim_spec.cpp.
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace accsim::hw {

struct PimTimingSpec {
  int nRCDRDMAC = 56;  // ACT (all banks) -> first MAC, nCK
  int nMAClat = 8;     // last MAC -> its result may be read out (MAC pipeline), nCK
  int nCLREG = 0;      // read latency of the MAC result registers (RDMAC), nCK
  int nCWLGB = 1;      // write latency of the global buffer (WRGB), nCK
  int nWPRE = 1;       // write preamble on a read -> write bus turnaround, nCK
};

struct PimAsicSpec {
  double clock_hz = 1e9;  // the ASIC's clock
  int lanes = 64;         // vector lanes: elements per cycle of one pass
  int depth = 8;          // pipeline depth of one vector pass (fill + drain), ASIC cycles
};

// Energy per action in joules (the schema reads "0.32pJ", "0.55pJ/bit").
struct PimEnergySpec {
  double mac_j = 0.32e-12;                // one BF16 multiply-accumulate in a bank's MAC unit
  double inbank_j_per_bit = 0.55e-12;     // a bit moved from a bank's row to its MAC unit
  double io_j_per_bit = 7.5e-12;          // a bit on the channel's external bus (WRGB, RDMAC, WR)
  double write_j_per_bit = 0.55e-12;      // a bit written into a bank's row (WR), in-array part
  double gb_j_per_bit = 0.16e-12;         // a bit written into / broadcast from the global buffer
  double asic_op_j = 1.5e-12;             // one ASIC lane operation (multiply-add class)
  double asic_sram_j_per_bit = 0.16e-12;  // a bit read or written in the ASIC's buffers
  double asic_static_w = 0.0;             // ASIC static power
};

struct PimSpec {
  PimTimingSpec timing;
  PimAsicSpec asic;
  PimEnergySpec energy;
  double gb_bytes = 2048;      // global buffer per channel, bytes (input-vector chunk)
  int element_bytes = 2;       // BF16 operands
  bool refresh = true;         // all-bank refresh every tREFI (GDDR6 REFab)
  bool check_protocol = true;  // run the independent protocol checker on every command

  ClockDomain asic_clock() const;
  static std::vector<std::string> sources();
};

const config::Schema<PimSpec>& pim_spec_schema();

}  // namespace accsim::hw
