#pragma once
// FpgaSpec: the FPGA a layer pipeline is compiled to (hls4ml style, models/fpga/README.md): the
// part's resource counts, the clock, the pipeline depth of the arithmetic primitives the engines
// are built from, and the energy of every action. The engines derive latency, II and resources
// from these numbers; nothing in models/fpga hard-codes a part or an energy.
//
// Loaded from an `fpga:` section (config::Schema below): defaults -> `part:` preset -> keys.
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace accsim::hw {

// What the part offers (counts of primitives).
struct FpgaResources {
  std::int64_t dsp = 12288;    // DSP48E2 slices (27x18 multiplier + 48-bit accumulator)
  std::int64_t bram36 = 2688;  // 36 Kb block RAMs (each = two 18 Kb halves)
  std::int64_t uram = 1280;    // 288 Kb UltraRAMs
  std::int64_t lut = 1728000;  // 6-input LUTs
  std::int64_t ff = 3456000;   // flip-flops
};

// Pipeline depth of the primitives, in cycles of the fabric clock (calibration and assumptions:
// see the .cpp).
struct FpgaTiming {
  int dsp_mult = 1;            // DSP multiplier
  int lut_mult = 1;            // narrow multiplier in LUTs
  int add = 0;                 // one adder-tree level (or compare level); 0 = chained
  int table = 1;               // table lookup (LUTRAM/BRAM read, registered)
  int lut_mult_max_bits = 10;  // both operands at most this wide -> LUT multiplier, no DSP
};

// Energy per action in joules (the schema reads "0.2pJ"). Sources: see fpga_spec.cpp.
struct FpgaEnergy {
  double mult8_j = 0.2e-12;          // 8-bit x 8-bit integer multiply; scales with (bits/8)^2
  double add8_j = 0.03e-12;          // 8-bit add; scales with bits/8
  double bram_j_per_bit = 0.16e-12;  // block RAM / table access per bit read
  double fifo_j_per_bit = 0.16e-12;  // stream FIFO per bit written and read
  double static_w = 3.0;             // static power of the whole part
};

struct FpgaSpec {
  std::string part;    // preset name (VU13P, ZCU102, ZCU104) or ""
  std::string device;  // full device name (xcvu13p ...)
  double clock_hz = 200e6;
  FpgaResources res;
  FpgaTiming timing;
  FpgaEnergy energy;

  ClockDomain clock() const;
  double period_ns() const { return 1e9 / clock_hz; }
  // Energy of a w_a x w_b multiply and of a w-bit add, from the 8-bit figures.
  double mult_j(int wa, int wb) const;
  double add_j(int w) const;
  static std::vector<std::string> sources();
};

std::vector<std::string> fpga_part_names();
const config::Schema<FpgaSpec>& fpga_spec_schema();
// Defaults, then `part` (if not empty). Throws a config error for an unknown part.
FpgaSpec fpga_preset(const std::string& part);

}  // namespace accsim::hw
