#include "hw/fpga_spec.h"

#include <cmath>
#include <map>

namespace accsim::hw {

// Default figures and where they come from.
//
// Part resource counts (DSP48E2 slices, 36 Kb block RAMs, 288 Kb UltraRAMs, CLB LUTs, CLB
// flip-flops) are those of AMD/Xilinx's product tables: "UltraScale Architecture and Product Data
// Sheet: Overview" (DS890, Virtex UltraScale+ table: XCVU13P) and "Zynq UltraScale+ MPSoC Data
// Sheet: Overview" (DS891: XCZU9EG on the ZCU102 board, XCZU7EV on the ZCU104 board):
//   XCVU13P: 12,288 DSP, 2,688 BRAM36 (94.5 Mb), 1,280 URAM (360 Mb), 1,728,000 LUT, 3,456,000 FF
//   XCZU9EG:  2,520 DSP,   912 BRAM36 (32.1 Mb),     0 URAM,          274,080 LUT,   548,160 FF
//   XCZU7EV:  1,728 DSP,   312 BRAM36 (11.0 Mb),    96 URAM (27 Mb),  230,400 LUT,   460,800 FF
// Not re-checked against the tables in this session (the stored search corpus holds no copy of
// DS890/DS891); models/fpga/README.md lists them under "figures not confirmed here".
//
// Clock 200 MHz: the authors' published hls4ml project of the papers' VU13P build sets
// `ClockPeriod: 5` (ns) (github.com/uw-acme/transformer-hls4ml; models/fpga/README.md); the exact
// constraint of each paper is not restated here.
//
// Energy: M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
// 45 nm, 0.9 V: 8-bit integer multiply 0.2 pJ, 8-bit add 0.03 pJ, 32-bit multiply 3.1 pJ, 32-bit
// add 0.1 pJ; SRAM 10 pJ per 64-bit access of an 8 KB array (0.16 pJ/bit). A multiply is scaled
// with the product of the operand widths (0.2 pJ x wa*wb/64; 32x32 gives 3.2 pJ, within 3% of the
// table's 3.1 pJ), an add with the width (0.03 pJ x w/8). These are ASIC figures at 45 nm; a DSP
// slice or a LUT adder in a 16 nm FPGA differs (the fabric's routing costs more, the node less).
// Using them unscaled is an assumption; every study that reports energy says so.
// Block RAM and FIFO accesses are priced as the 8 KB SRAM (a BRAM36 is 4.5 KB): assumption.
// Static power: an assumption for each part (3.0 W VU13P, 0.7 W ZU9EG, 0.6 W ZU7EV), the order
// of magnitude of AMD's Power Estimator (XPE) device static power at 25 C junction; not taken
// from an XPE run. Replace with an XPE figure for a real study.
// Timing depths, calibrated on a Vivado HLS 2019.1 C-synthesis report of an hls4ml jet MLP at
// 5 ns on an UltraScale+ part (github.com/uw-acme/HLS4ML_VS_MANUAL,
// src/hdl/Batchnorm-JetTagging/16_10.rpt, xcu250, ap_fixed<16,10>, reuse factor 1): every
// dense_latency instance (16 to 64 inputs: a multiply and a whole adder tree) is scheduled in
// 1 cycle, so HLS chains the adder tree into the multiply's cycle at 200 MHz: add = 0 cycles per
// tree level; with dsp_mult = 1 accsim's 16-64-32-32-5 MLP takes 14 cycles against the report's
// 13 for the whole network (models/fpga/README.md "Validation"). lut_mult 1 and table 1
// (registered LUTRAM/BRAM read) are unchanged assumptions. Chaining a whole tree is right for the
// tree sizes of these models at 200 MHz (the report's estimated clock was 3.97 ns for 64-input
// trees); for much wider trees or faster clocks set add = 1 (one cycle per level, the
// unchained bound).

ClockDomain FpgaSpec::clock() const {
  ClockDomain c;
  c.name = "fpga";
  c.period_ps = static_cast<Ps>(std::llround(1e12 / clock_hz));
  return c;
}

double FpgaSpec::mult_j(int wa, int wb) const {
  return energy.mult8_j * static_cast<double>(wa) * static_cast<double>(wb) / 64.0;
}
double FpgaSpec::add_j(int w) const {
  return energy.add8_j * static_cast<double>(w) / 8.0;
}

std::vector<std::string> FpgaSpec::sources() {
  return {
      "part resource counts: AMD/Xilinx DS890 (XCVU13P) and DS891 (XCZU9EG, XCZU7EV) product "
      "tables (not re-checked in this build)",
      "8-bit multiply 0.2 pJ (scaled by wa*wb/64), 8-bit add 0.03 pJ (scaled by w/8), SRAM "
      "0.16 pJ/bit: M. Horowitz, ISSCC 2014, 45 nm; used unscaled for a 16 nm FPGA (assumption)",
      "static power per part and primitive pipeline depths: assumptions (see hw/fpga_spec.cpp)",
  };
}

namespace {

const std::map<std::string, std::string>& parts() {
  static const std::map<std::string, std::string> p = {
      {"VU13P",
       "device: xcvu13p\n"
       "resources: {dsp: 12288, bram36: 2688, uram: 1280, lut: 1728000, ff: 3456000}\n"
       "energy: {static: 3.0W}\n"},
      {"ZCU102",
       "device: xczu9eg\n"
       "resources: {dsp: 2520, bram36: 912, uram: 0, lut: 274080, ff: 548160}\n"
       "energy: {static: 0.7W}\n"},
      {"ZCU104",
       "device: xczu7ev\n"
       "resources: {dsp: 1728, bram36: 312, uram: 96, lut: 230400, ff: 460800}\n"
       "energy: {static: 0.6W}\n"},
  };
  return p;
}

struct SchemaHolder {
  config::Schema<FpgaResources> res{"fpga.resources"};
  config::Schema<FpgaTiming> timing{"fpga.timing"};
  config::Schema<FpgaEnergy> energy{"fpga.energy"};
  config::Schema<FpgaSpec> spec{"fpga"};

  SchemaHolder() {
    using config::Range;
    const auto count = Range::between(0, 1e9);
    res.integer<std::int64_t>("dsp", &FpgaResources::dsp, 12288, count, "slices",
                              "DSP48E2 slices of the part")
        .integer<std::int64_t>("bram36", &FpgaResources::bram36, 2688, count, "blocks",
                               "36 Kb block RAMs of the part")
        .integer<std::int64_t>("uram", &FpgaResources::uram, 1280, count, "blocks",
                               "288 Kb UltraRAMs of the part")
        .integer<std::int64_t>("lut", &FpgaResources::lut, 1728000, count, "LUTs",
                               "6-input LUTs of the part")
        .integer<std::int64_t>("ff", &FpgaResources::ff, 3456000, count, "FFs",
                               "flip-flops of the part");
    const auto depth = Range::between(0, 64);
    timing
        .integer("dsp_mult", &FpgaTiming::dsp_mult, std::optional<int>(1), depth, "cycles",
                 "pipeline depth of a DSP multiplier (calibrated on an HLS report, see source)")
        .integer("lut_mult", &FpgaTiming::lut_mult, std::optional<int>(1), depth, "cycles",
                 "pipeline depth of a LUT multiplier (assumption)")
        .integer("add", &FpgaTiming::add, std::optional<int>(0), depth, "cycles",
                 "cycles per adder-tree or compare level (0: chained into one cycle, as HLS "
                 "schedules trees of these sizes at 200 MHz; 1 for wide trees or fast clocks)")
        .integer("table", &FpgaTiming::table, std::optional<int>(1), depth, "cycles",
                 "cycles of a lookup-table read (assumption)")
        .integer("lut_mult_max_bits", &FpgaTiming::lut_mult_max_bits, std::optional<int>(10),
                 Range::between(0, 64), "bits",
                 "multipliers with both operands at most this wide go to LUTs, not DSPs");
    const auto e = Range::between(0, 1e-6);
    energy
        .quantity("mult8", &FpgaEnergy::mult8_j, Unit::kEnergy, 0.2e-12, e,
                  "8x8-bit multiply; scaled by wa*wb/64 (Horowitz ISSCC'14, 45 nm)")
        .quantity("add8", &FpgaEnergy::add8_j, Unit::kEnergy, 0.03e-12, e,
                  "8-bit add; scaled by w/8 (Horowitz ISSCC'14, 45 nm)")
        .quantity("bram", &FpgaEnergy::bram_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "block RAM / table read per bit (Horowitz 8 KB SRAM)")
        .quantity("fifo", &FpgaEnergy::fifo_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "stream FIFO write + read per bit (Horowitz 8 KB SRAM)")
        .quantity("static", &FpgaEnergy::static_w, Unit::kPower, 3.0, Range::between(0, 1000),
                  "static power of the part (assumption per part)");
    spec.preset(
            "part", &FpgaSpec::part,
            [this](const std::string& name, FpgaSpec& s, const config::LoadCtx& c,
                   const YAML::Node& where) {
              auto it = parts().find(name);
              if (it == parts().end()) {
                std::vector<std::string> names = fpga_part_names();
                std::string hint = config::closest_match(name, names);
                throw config_error(c.origin->loc(where),
                                   "unknown FPGA part '" + name +
                                       "'; builtin parts: " + config::join(names, ", ") +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
              }
              config::Origin o("<builtin:" + name + ">");
              YAML::Node n = config::load_yaml_string(it->second, o.file());
              config::LoadCtx pc{&o, c.prov, c.path};
              spec.patch(n, s, pc);
            },
            "builtin part applied before the other keys (VU13P | ZCU102 | ZCU104)")
        .text("device", &FpgaSpec::device, std::string("xcvu13p"), "device name, for reports")
        .quantity("clock", &FpgaSpec::clock_hz, Unit::kFrequency, 200e6, Range::between(1e6, 2e9),
                  "fabric clock of every engine")
        .section("resources", &FpgaSpec::res, res, "resource counts of the part")
        .section("timing", &FpgaSpec::timing, timing, "pipeline depth of the primitives")
        .section("energy", &FpgaSpec::energy, energy, "energy per action and static power")
        .check([](const FpgaSpec& s, const SourceLoc& where) {
          check_whole_ps_clock(s.clock_hz, "fpga.clock", where);
        });
  }
};

const SchemaHolder& holder() {
  static const SchemaHolder h;
  return h;
}

}  // namespace

std::vector<std::string> fpga_part_names() {
  std::vector<std::string> v;
  for (const auto& [n, t] : parts()) v.push_back(n);
  return v;
}

const config::Schema<FpgaSpec>& fpga_spec_schema() {
  return holder().spec;
}

FpgaSpec fpga_preset(const std::string& part) {
  FpgaSpec s;
  fpga_spec_schema().set_defaults(s);
  if (part.empty()) return s;
  config::Origin o("<builtin>");
  config::Provenance prov;
  YAML::Node n;
  n["part"] = part;
  config::LoadCtx c{&o, &prov, "fpga"};
  fpga_spec_schema().patch(n, s, c);
  return s;
}

}  // namespace accsim::hw
