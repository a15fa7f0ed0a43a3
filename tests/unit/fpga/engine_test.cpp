// Engine latency and II against hand-computed values (README.md "Engines"), in the formulas and
// in the simulation, for small shapes. Default timing: DSP multiply 2, LUT multiply 1, adder
// level 1, table 1; multipliers with both operands <= 10 bits go to LUTs.
#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

std::string dense_model(const std::string& io, int rf, const std::string& prec = "ap_fixed<16,6>") {
  return "model: {name: d, io_type: " + io + ", precision: '" + prec +
         "'}\nlayers:\n  - {name: x, kind: input, shape: [3, 4]}\n"
         "  - {name: fc, kind: dense, units: 2, reuse_factor: " +
         std::to_string(rf) + "}\n";
}

TEST(FpgaEngine, DenseFormula) {
  const auto spec = hw::fpga_preset("VU13P");
  // 16-bit: DSP multiply 2 + (rf-1) + adder tree ceil(log2 4) = 2 + bias/cast 1.
  ModelDesc m = model_from(dense_model("io_parallel", 1));
  EngineTiming t = engine_timing(m, m.layers[1], spec);
  EXPECT_EQ(t.row_ii, 1);
  EXPECT_EQ(t.row_depth, 5);
  EXPECT_EQ(t.layer_ii, 3);
  EXPECT_EQ(t.layer_latency, 2 * 1 + 5);
  m = model_from(dense_model("io_parallel", 2));
  t = engine_timing(m, m.layers[1], spec);
  EXPECT_EQ(t.row_ii, 2);
  EXPECT_EQ(t.row_depth, 6);
  EXPECT_EQ(t.layer_ii, 6);
  EXPECT_EQ(t.layer_latency, 2 * 2 + 6);
  // 8-bit operands: LUT multiplier (depth 1).
  m = model_from(dense_model("io_parallel", 1, "ap_fixed<8,3>"));
  EXPECT_EQ(engine_timing(m, m.layers[1], spec).row_depth, 4);
}

TEST(FpgaEngine, DenseSimulatedLatencyBothIoTypes) {
  for (const char* io : {"io_parallel", "io_stream"}) {
    FpgaResult r = sim(model_from(dense_model(io, 1)));
    EXPECT_EQ(r.first_latency, 7) << io;  // rows at 0, 1, 2; last written at 2 + 5
    r = sim(model_from(dense_model(io, 2)));
    EXPECT_EQ(r.first_latency, 10) << io;  // rows start at 0, 2, 4; last written at 4 + 6
  }
}

TEST(FpgaEngine, SustainedIiEqualsLayerIi) {
  // io_parallel, back-to-back: one tensor every rows x rf cycles.
  FpgaResult r = sim(model_from(dense_model("io_parallel", 2)), 40);
  EXPECT_DOUBLE_EQ(r.ii_cycles, 6.0);
  EXPECT_NEAR(r.events_per_s, 200e6 / 6.0, 1e-6);
  // Arrivals slower than the II: the II is the arrival interval, latency stays the empty one.
  r = sim(model_from(dense_model("io_parallel", 2)), 40, 25.0);
  EXPECT_DOUBLE_EQ(r.ii_cycles, 25.0);
  EXPECT_EQ(r.latency.max(), 10u);
}

TEST(FpgaEngine, SoftmaxLayernormActivations) {
  const auto spec = hw::fpga_preset("VU13P");
  ModelDesc m = model_from(
      "model: {name: s}\nlayers:\n  - {name: x, kind: input, shape: [2, 4]}\n"
      "  - {name: sm, kind: softmax}\n  - {name: ln, kind: layernorm}\n"
      "  - {name: r, kind: relu}\n  - {name: g, kind: gelu}\n"
      "  - {name: a, kind: add, inputs: [r, g]}\n");
  // softmax n=4 (table 18 bits -> DSP): max tree 2 + sub 1 + exp 1 + sum tree 2 + inv 1 + mul 2
  EXPECT_EQ(engine_timing(m, m.layers[1], spec).row_depth, 9);
  // layernorm n=4 (accum 16 bits -> DSP 2): 2 + 2 + 1 + 2 + 2 + 2 + 1 + 2 + 2 + 1
  EXPECT_EQ(engine_timing(m, m.layers[2], spec).row_depth, 17);
  EXPECT_EQ(engine_timing(m, m.layers[3], spec).row_depth, 1);
  EXPECT_EQ(engine_timing(m, m.layers[4], spec).row_depth, 2);
  EXPECT_EQ(engine_timing(m, m.layers[5], spec).row_depth, 1);
  // Whole chain, io_parallel: each layer (rows-1) x ii + depth = 1 + depth.
  FpgaResult r = sim(m);
  EXPECT_EQ(r.first_latency, (1 + 9) + (1 + 17) + (1 + 1) + (1 + 2) + (1 + 1));
}

TEST(FpgaEngine, MhaFormulaAndStream) {
  const auto spec = hw::fpga_preset("VU13P");
  ModelDesc m = model_from(
      "model: {name: a, io_type: io_stream, fifo_depth: 64}\nlayers:\n"
      "  - {name: x, kind: input, shape: [4, 4]}\n"
      "  - {name: att, kind: mha, heads: 1, head_dim: 2}\n");
  EngineTiming t = engine_timing(m, m.layers[1], spec);
  EXPECT_TRUE(t.buffering);
  EXPECT_EQ(t.load_ii, 1);
  EXPECT_EQ(t.load_depth, 5);  // Q/K/V projection: 2 + log2(4) + 1
  // scores 2 + log2(2) = 3; softmax over 4 = 9; P.V 2 + log2(4) = 4; output projection 2+1+1 = 4
  EXPECT_EQ(t.row_depth, 20);
  EXPECT_EQ(t.layer_latency, 3 + 5 + 3 + 20);
  // Double buffer: loads of event e+2 wait for the last output row of e to start, so two events
  // take 3 + 5 + 3 = 11 cycles; layer_ii is its ceiling ceil(11 / 2).
  EXPECT_EQ(t.layer_ii, 6);
  FpgaResult r = sim(m);
  EXPECT_EQ(r.first_latency, 31);  // loads 0..3, K/V ready 8, rows start 8..11, last written 31
  r = sim(m, 60, 0, 64, false);
  EXPECT_NEAR(r.ii_cycles, 5.5, 0.1);
}

}  // namespace
}  // namespace accsim::fpga::test
