// Engine latency and II against hand-computed values (README.md "Engines"), in the formulas and
// in the simulation, for small shapes. Timing of test_part() (helpers.h): DSP multiply 2, LUT
// multiply 1, adder level 1, table 1; multipliers with both operands <= 10 bits go to LUTs.
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
  const auto spec = test_part();
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

TEST(FpgaEngine, ParallelizationFactor) {
  const auto spec = test_part();
  // 6 rows, PF 3: two groups of three rows, II 1 each: layer II 2, latency 1 + 5.
  const std::string six =
      "model: {name: d}\nlayers:\n  - {name: x, kind: input, shape: [6, 4]}\n"
      "  - {name: fc, kind: dense, units: 2, parallelization_factor: 3}\n";
  ModelDesc m = model_from(six);
  EXPECT_EQ(m.layers[1].parallel, 3);
  EngineTiming t = engine_timing(m, m.layers[1], spec);
  EXPECT_EQ(t.layer_ii, 2);
  EXPECT_EQ(t.layer_latency, 1 + 5);
  EXPECT_EQ(sim(m).first_latency, 6);
  // Three copies of the 4 x 2 multipliers (16-bit: one DSP each).
  EXPECT_EQ(layer_resources(m, m.layers[1], spec).multipliers, 3 * 8);
  EXPECT_DOUBLE_EQ(layer_resources(m, m.layers[1], spec).r.dsp, 24.0);
  // A model-wide factor is lowered to a divisor of each layer's rows: 4 -> 3 for 6 rows.
  m = model_from(
      "model: {name: d, parallelization_factor: 4}\nlayers:\n"
      "  - {name: x, kind: input, shape: [6, 4]}\n  - {name: fc, kind: dense, units: 2}\n");
  EXPECT_EQ(m.layers[1].parallel, 3);
  // Activations and add take the whole tensor at once in io_parallel, one row each in io_stream.
  m = model_from(
      "model: {name: d}\nlayers:\n  - {name: x, kind: input, shape: [6, 4]}\n"
      "  - {name: r, kind: relu}\n  - {name: p, kind: pool}\n");
  EXPECT_EQ(m.layers[1].parallel, 6);
  EXPECT_EQ(engine_timing(m, m.layers[1], spec).layer_ii, 1);
  EXPECT_EQ(engine_timing(m, m.layers[1], spec).layer_latency, 1);
  // Pool: adder tree over 6 rows (3 levels), x 1/N (16-bit: DSP 2), register 1.
  EXPECT_FALSE(engine_timing(m, m.layers[2], spec).buffering);
  EXPECT_EQ(engine_timing(m, m.layers[2], spec).layer_latency, 3 + 2 + 1);
  EXPECT_EQ(sim(m).first_latency, 1 + 6);
  m = model_from(
      "model: {name: d, io_type: io_stream, parallelization_factor: 3}\nlayers:\n"
      "  - {name: x, kind: input, shape: [6, 4]}\n  - {name: r, kind: relu}\n");
  EXPECT_EQ(m.layers[1].parallel, 1);  // the model-wide default is ignored under io_stream
}

TEST(FpgaEngine, FlattenIsWiresInParallelAndARepackInStream) {
  const auto spec = test_part();
  const std::string layers =
      "layers:\n  - {name: x, kind: input, shape: [5, 3]}\n  - {name: f, kind: flatten}\n"
      "  - {name: fc, kind: dense, units: 2}\n";
  ModelDesc m = model_from("model: {name: f, io_type: io_parallel}\n" + layers);
  EXPECT_EQ(m.layers[1].rows, 1);
  EXPECT_EQ(m.layers[1].cols, 15);
  EngineTiming t = engine_timing(m, m.layers[1], spec);
  EXPECT_FALSE(t.buffering);
  EXPECT_EQ(t.layer_latency, 0);  // hls4ml emits no code for an io_parallel reshape
  EXPECT_EQ(layer_resources(m, m.layers[1], spec).r.ff, 200);  // control only
  // Dense over 15 inputs: DSP 2 + adder tree ceil(log2 15) = 4 + 1.
  EXPECT_EQ(sim(m).first_latency, 0 + 7);  // the input is there at 0; flatten adds nothing
  m = model_from("model: {name: f, io_type: io_stream}\n" + layers);
  t = engine_timing(m, m.layers[1], spec);
  EXPECT_TRUE(t.buffering);
  // repack_stream: one row read per cycle (0..4), the packed row written one cycle after the
  // last read is complete: 4 + 1 + 1.
  EXPECT_EQ(t.layer_latency, 4 * 1 + 1 + 0 + 1);
  EXPECT_EQ(t.layer_ii, 5);
  EXPECT_EQ(layer_resources(m, m.layers[1], spec).r.ff, 200 + 15 * 16);  // packed row registers
  // Input rows at 0..4; flatten writes at 6; dense row at 6 + 7.
  EXPECT_EQ(sim(m).first_latency, 6 + 7);
}

TEST(FpgaEngine, ParallelizationFactorErrorsNameThePlace) {
  std::string msg = config_error_of([] {
    model_from(
        "model: {name: d}\nlayers:\n  - {name: x, kind: input, shape: [6, 4]}\n"
        "  - {name: fc, kind: dense, units: 2, parallelization_factor: 4}\n");
  });
  EXPECT_NE(msg.find("t.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("parallelization_factor 4 does not divide the 6 rows"), std::string::npos)
      << msg;
  msg = config_error_of([] {
    model_from(
        "model: {name: d, io_type: io_stream}\nlayers:\n"
        "  - {name: x, kind: input, shape: [6, 4]}\n"
        "  - {name: fc, kind: dense, units: 2, parallelization_factor: 2}\n");
  });
  EXPECT_NE(msg.find("applies to io_parallel only"), std::string::npos) << msg;
  msg = config_error_of([] {
    model_from(
        "model: {name: d}\nlayers:\n  - {name: x, kind: input, shape: [6, 4]}\n"
        "  - {name: r, kind: relu, parallelization_factor: 2}\n");
  });
  EXPECT_NE(msg.find("unknown key 'layers[1].parallelization_factor' for a relu layer"),
            std::string::npos)
      << msg;
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
  const auto spec = test_part();
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
  // Whole chain, io_parallel: softmax and layernorm take their rows one per cycle,
  // (rows-1) x ii + depth = 1 + depth; hls4ml unrolls activations and add over the whole tensor,
  // so they take their depth only; the add waits for the gelu.
  FpgaResult r = sim(m);
  EXPECT_EQ(r.first_latency, (1 + 9) + (1 + 17) + 1 + 2 + 1);
  // io_stream: every layer takes one row per cycle.
  ModelDesc ms = m;
  ms.io = IoType::kStream;
  for (auto& l : ms.layers) l.parallel = 1;
  EXPECT_EQ(sim(ms).first_latency, 1 + 9 + 17 + 1 + 2 + 1);
}

TEST(FpgaEngine, MhaFormulaAndStream) {
  const auto spec = test_part();
  ModelDesc m = model_from(
      "model: {name: a, io_type: io_stream, fifo_depth: 64}\nlayers:\n"
      "  - {name: x, kind: input, shape: [4, 4]}\n"
      "  - {name: att, kind: mha, heads: 1, head_dim: 2}\n");
  EngineTiming t = engine_timing(m, m.layers[1], spec);
  EXPECT_TRUE(t.buffering);
  EXPECT_FALSE(t.double_buffer);
  EXPECT_EQ(t.load_ii, 1);
  // hls4ml's four stages (README.md "Engines"): Q/K/V projection 2 + log2(4) + 1 = 5; Q.K^T rows
  // start when K is complete, 3 more rows at II 1; scores 2 + log2(2) = 3; softmax over 4 = 9;
  // then the P.V stage gathers V for 4 x 1 cycles: load depth 5 + 3 + 3 + 9 + 4 = 24.
  EXPECT_EQ(t.load_depth, 24);
  // A row: P.V 2 + log2(4) = 4, output projection 2 + 0 + log2(2) + 1 = 4.
  EXPECT_EQ(t.row_depth, 8);
  EXPECT_EQ(t.layer_latency, 3 + 24 + 3 + 8);
  // Stages 2 and 3 each take 2 N R = 8 cycles per event: that is the II.
  EXPECT_EQ(t.event_gap, 8);
  EXPECT_EQ(t.rows_gap, 4);
  EXPECT_EQ(t.layer_ii, 8);
  FpgaResult r = sim(m);
  EXPECT_EQ(r.first_latency, 38);  // loads 0..3, rows start at 3 + 24 = 27..30, last written 38
  r = sim(m, 60, 0, 64, false);
  EXPECT_NEAR(r.ii_cycles, 8.0, 1e-9);
  // Same figures in io_parallel, where the layer is one firing per event.
  m = model_from(
      "model: {name: a}\nlayers:\n"
      "  - {name: x, kind: input, shape: [4, 4]}\n"
      "  - {name: att, kind: mha, heads: 1, head_dim: 2}\n");
  EXPECT_EQ(sim(m).first_latency, 38);
  EXPECT_NEAR(sim(m, 60, 0, -1, false).ii_cycles, 8.0, 1e-9);
}

}  // namespace
}  // namespace accsim::fpga::test
