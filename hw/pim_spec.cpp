#include "hw/pim_spec.h"

#include <cmath>

namespace accsim::hw {

// Default figures and where they come from (cited again in models/pim/README.md).
//
// PIM command timing. SK hynix GDDR6-AiM as modelled in arkhadem/aim_simulator (a Ramulator 2
// fork): tCK 0.5 ns, nRCDRDMAC 56 (ACT -> MAC; the plain read's nRCDRD is 36), nCCD 2 (one
// 256-bit column per bank per ns -> 16 BF16 MACs per bank per MAC command). The same simulator's
// timing table gives the MAC-result registers a read latency nCLREG of 0, the global buffer a
// write latency nCWLGB of 1 and the bus turnaround a write preamble nWPRE of 1
// (arkhadem/aim_simulator, src/dram/impl/GDDR6.cpp). It gives no rule between the last MAC and
// the read-out of its result; nMAClat = 8 nCK (4 ns: a 16-input BF16 adder tree plus the
// accumulator, pipelined at 2 GHz) is an accsim ASSUMPTION.
// Global buffer 2 KB per channel: one 2 KB GDDR6 page of BF16 inputs, so one row's worth of MACs
// needs one buffer load; an accsim ASSUMPTION in line with AiM's global buffer, whose size was not
// confirmed against the AiM papers here.
//
// ASIC: PIM-GPT's ASIC runs at 1 GHz (the paper reports that lowering it to 100 MHz costs at most
// 20 %; from a second-hand summary of the PIM-GPT paper, arXiv 2310.09385, not verified against
// it). Its vector width and pipeline depth are not public: 64 lanes and a depth of 8 cycles per
// pass are accsim ASSUMPTIONS.
//
// Energy. MAC: 0.32 pJ per FP16 MAC in DRAM-process logic (AttAcc's PIM energy figures,
// scale-snu/attacc_simulator, after FGDRAM, MICRO 2017), used for BF16. In-bank operand movement
// 0.55 pJ/bit (same table: in-bank placement; it covers activation and cell read, so ACT/PRE carry
// no separate energy). External bus 7.5 pJ/bit: Micron's GDDR6 device average (see
// configs/dram/GDDR6.yaml [MI]), charged to every bit of WRGB, RDMAC and WR. Writes into a row
// (KV-cache append): the in-bank 0.55 pJ/bit again (ASSUMPTION: symmetric with reads). Global
// buffer and ASIC buffers 0.16 pJ/bit, ASIC lane operation 1.5 pJ (FP16 multiply-add): Horowitz,
// "Computing's energy problem", ISSCC 2014, 45 nm; ASIC static power 0 (no figure; a user can set
// one). Refresh energy: GDDR6 has no public IDD5 in this repository's preset, so refresh costs time
// but no energy (the report says so).

ClockDomain PimSpec::asic_clock() const {
  ClockDomain c;
  c.name = "asic";
  c.period_ps = static_cast<Ps>(std::llround(1e12 / asic.clock_hz));
  return c;
}

std::vector<std::string> PimSpec::sources() {
  return {
      "PIM timing: SK hynix GDDR6-AiM as modelled in arkhadem/aim_simulator (nRCDRDMAC 56, "
      "nCLREG 0, nCWLGB 1, nWPRE 1); nMAClat 8 nCK is an assumption",
      "global buffer 2 KB per channel, ASIC 64 lanes and pipeline depth 8: assumptions; ASIC "
      "clock 1 GHz: PIM-GPT (arXiv 2310.09385)",
      "energy: MAC 0.32 pJ and in-bank movement 0.55 pJ/bit (AttAcc, after FGDRAM MICRO'17), "
      "external bus 7.5 pJ/bit (Micron GDDR6 device average), SRAM 0.16 pJ/bit and ASIC op 1.5 pJ "
      "(Horowitz ISSCC 2014, 45 nm)",
  };
}

namespace {

struct SchemaHolder {
  config::Schema<PimTimingSpec> timing{"pim.timing"};
  config::Schema<PimAsicSpec> asic{"pim.asic"};
  config::Schema<PimEnergySpec> energy{"pim.energy"};
  config::Schema<PimSpec> spec{"pim"};

  SchemaHolder() {
    using config::Range;
    const auto nck = Range::between(0, 100000);
    timing
        .integer("nRCDRDMAC", &PimTimingSpec::nRCDRDMAC, std::optional<int>(56),
                 Range::between(1, 100000), "nCK",
                 "all-bank ACT to the first MAC (GDDR6-AiM, aim_simulator)")
        .integer("nMAClat", &PimTimingSpec::nMAClat, std::optional<int>(8), nck, "nCK",
                 "last MAC to the read-out of its result (MAC pipeline; assumption)")
        .integer("nCLREG", &PimTimingSpec::nCLREG, std::optional<int>(0), nck, "nCK",
                 "read latency of the MAC result registers (aim_simulator)")
        .integer("nCWLGB", &PimTimingSpec::nCWLGB, std::optional<int>(1), nck, "nCK",
                 "write latency of the global buffer (aim_simulator)")
        .integer("nWPRE", &PimTimingSpec::nWPRE, std::optional<int>(1), nck, "nCK",
                 "write preamble added to a read-to-write bus turnaround (aim_simulator)");
    asic.quantity("clock", &PimAsicSpec::clock_hz, Unit::kFrequency, 1e9, Range::between(1e6, 1e11),
                  "ASIC clock (PIM-GPT: 1 GHz)")
        .integer("lanes", &PimAsicSpec::lanes, std::optional<int>(64), Range::between(1, 65536),
                 "elements/cycle", "vector lanes of the ASIC (assumption)")
        .integer("depth", &PimAsicSpec::depth, std::optional<int>(8), Range::between(0, 100000),
                 "cycles", "pipeline fill + drain of one vector pass (assumption)");
    const auto e = Range::between(0, 1e-6);
    energy
        .quantity("mac", &PimEnergySpec::mac_j, Unit::kEnergy, 0.32e-12, e,
                  "one BF16 MAC in a bank (AttAcc FP16 MAC)")
        .quantity("inbank", &PimEnergySpec::inbank_j_per_bit, Unit::kEnergyPerBit, 0.55e-12, e,
                  "bank row to MAC unit, per bit (AttAcc in-bank placement)")
        .quantity("io", &PimEnergySpec::io_j_per_bit, Unit::kEnergyPerBit, 7.5e-12, e,
                  "external bus per bit (Micron GDDR6 device average)")
        .quantity("write", &PimEnergySpec::write_j_per_bit, Unit::kEnergyPerBit, 0.55e-12, e,
                  "bit written into a bank row, in-array part (assumption: as in-bank read)")
        .quantity("gb", &PimEnergySpec::gb_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "global buffer write or broadcast per bit (Horowitz SRAM)")
        .quantity("asic_op", &PimEnergySpec::asic_op_j, Unit::kEnergy, 1.5e-12, e,
                  "one ASIC lane operation (Horowitz FP16 multiply-add)")
        .quantity("asic_sram", &PimEnergySpec::asic_sram_j_per_bit, Unit::kEnergyPerBit, 0.16e-12,
                  e, "ASIC buffer access per bit (Horowitz SRAM)")
        .quantity("asic_static", &PimEnergySpec::asic_static_w, Unit::kPower, 0.0,
                  Range::between(0, 1000), "ASIC static power (no published figure; 0)");
    spec.section("timing", &PimSpec::timing, timing, "PIM command timings JEDEC does not define")
        .section("asic", &PimSpec::asic, asic, "the ASIC beside the PIM channels")
        .section("energy", &PimSpec::energy, energy, "energy per action")
        .quantity("global_buffer", &PimSpec::gb_bytes, Unit::kSize, 2048.0,
                  Range::between(32, 1 << 24), "input-vector buffer per channel (assumption)")
        .integer("element_bytes", &PimSpec::element_bytes, std::optional<int>(2),
                 Range::between(1, 8), "bytes", "operand size (BF16: 2)")
        .flag("refresh", &PimSpec::refresh, true,
              "all-bank refresh every tREFI (false: no refresh, an upper bound)")
        .flag("check_protocol", &PimSpec::check_protocol, true,
              "check every command with the independent protocol checker")
        .check([](const PimSpec& s, const SourceLoc& where) {
          check_whole_ps_clock(s.asic.clock_hz, "pim.asic.clock", where);
        });
  }
};

const SchemaHolder& holder() {
  static const SchemaHolder h;
  return h;
}

}  // namespace

const config::Schema<PimSpec>& pim_spec_schema() {
  return holder().spec;
}

}  // namespace accsim::hw
