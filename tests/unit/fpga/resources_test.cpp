// Resource estimates against hand-computed counts (README.md "Resources"), and the fit check.
#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

LayerResources dense_res(int rf, const std::string& strategy, const std::string& prec) {
  ModelDesc m = model_from("model: {name: d, precision: '" + prec + "', strategy: " + strategy +
                           "}\nlayers:\n  - {name: x, kind: input, shape: [3, 4]}\n"
                           "  - {name: fc, kind: dense, units: 2, reuse_factor: " +
                           std::to_string(rf) + "}\n");
  return layer_resources(m, m.layers[1], hw::fpga_preset("VU13P"));
}

TEST(FpgaResources, DspMapping) {
  const auto s = hw::fpga_preset("VU13P");
  EXPECT_EQ(dsp_per_mult(10, 10, s), 0);  // narrow: LUTs
  EXPECT_EQ(dsp_per_mult(11, 8, s), 1);
  EXPECT_EQ(dsp_per_mult(16, 16, s), 1);
  EXPECT_EQ(dsp_per_mult(27, 18, s), 1);
  EXPECT_EQ(dsp_per_mult(28, 18, s), 2);
  EXPECT_EQ(dsp_per_mult(24, 24, s), 2);
  EXPECT_EQ(dsp_per_mult(32, 32, s), 4);
}

TEST(FpgaResources, DenseCounts) {
  // 4 x 2 weights, 16-bit, reuse 1, latency strategy: 8 multipliers on 8 DSPs; an adder of 16
  // bits (16 LUT) and a 16-bit register per multiplier; 2 biases of 16 bits; 200 LUT + 200 FF of
  // control.
  LayerResources r = dense_res(1, "latency", "ap_fixed<16,6>");
  EXPECT_EQ(r.multipliers, 8);
  EXPECT_DOUBLE_EQ(r.r.dsp, 8);
  EXPECT_DOUBLE_EQ(r.r.lut, 200 + 8 * 16);
  EXPECT_DOUBLE_EQ(r.r.ff, 200 + 8 * 16 + 2 * 16);
  EXPECT_DOUBLE_EQ(r.r.bram36, 0);
  // Reuse 2: 4 multipliers; the 128 weight bits become a LUT ROM (2 LUT6).
  r = dense_res(2, "latency", "ap_fixed<16,6>");
  EXPECT_DOUBLE_EQ(r.r.dsp, 4);
  EXPECT_DOUBLE_EQ(r.r.lut, 200 + 4 * 16 + 2);
  // Resource strategy: weights in BRAM, 4 x 16 = 64 bits wide, 2 deep -> one BRAM36.
  r = dense_res(2, "resource", "ap_fixed<16,6>");
  EXPECT_DOUBLE_EQ(r.r.bram36, 1);
  EXPECT_DOUBLE_EQ(r.r.lut, 200 + 4 * 16);
  // 8-bit: LUT multipliers, 8 x 8 / 2 = 32 LUT each, no DSP.
  r = dense_res(1, "latency", "ap_fixed<8,3>");
  EXPECT_DOUBLE_EQ(r.r.dsp, 0);
  EXPECT_EQ(r.dsp_multipliers, 0);
  EXPECT_DOUBLE_EQ(r.r.lut, 200 + 8 * 32 + 8 * 8);
}

TEST(FpgaResources, FifoAndTotals) {
  Resources f = fifo_resources(16, 64);  // SRL
  EXPECT_DOUBLE_EQ(f.lut, 64);
  EXPECT_DOUBLE_EQ(f.bram36, 0);
  f = fifo_resources(600, 256);  // BRAM: 4 wide x 2 deep
  EXPECT_DOUBLE_EQ(f.bram36, 8);
  // The run's total is the sum of the layers and the FIFOs.
  ModelDesc m = model_from(
      "model: {name: t, io_type: io_stream, fifo_depth: 4}\nlayers:\n"
      "  - {name: x, kind: input, shape: [3, 4]}\n  - {name: fc, kind: dense, units: 2}\n");
  FpgaResult r = sim(m);
  const LayerResources lr = layer_resources(m, m.layers[1], hw::fpga_preset("VU13P"));
  EXPECT_DOUBLE_EQ(r.total.dsp, lr.r.dsp);
  EXPECT_DOUBLE_EQ(r.total.lut, lr.r.lut + 4 * 16);  // x->fc: 4 deep x 64 bits in SRL32
  EXPECT_DOUBLE_EQ(r.total.ff, lr.r.ff + 64);
}

TEST(FpgaResources, DesignThatDoesNotFitIsAConfigError) {
  ModelDesc m = load_model_file(std::string(ACCSIM_SOURCE_DIR) + "/configs/fpga/jet_tagger.yaml");
  StatsRegistry stats;
  EnergyLedger energy;
  StreamParams p;
  p.events = 2;
  const auto spec = hw::fpga_preset("ZCU104");
  std::string msg = config_error_of([&] {
    run_model(m, spec, p, stats, energy, false, SourceLoc{"sys.yaml", 9, 9});
  });
  EXPECT_NE(msg.find("sys.yaml:9:9"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not fit the part ZCU104"), std::string::npos) << msg;
  EXPECT_NE(msg.find("DSP"), std::string::npos) << msg;
  EXPECT_NE(msg.find("> 1728"), std::string::npos) << msg;
  // Allowed: simulated and flagged.
  StatsRegistry s2;
  EnergyLedger e2;
  FpgaResult r = run_model(m, spec, p, s2, e2, true);
  EXPECT_FALSE(r.fits);
  EXPECT_FALSE(r.over.empty());
}

}  // namespace
}  // namespace accsim::fpga::test
