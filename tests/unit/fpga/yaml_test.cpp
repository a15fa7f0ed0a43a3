// Model descriptions and the FPGA spec: bad input gives config errors naming file:line:col.
#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

const std::string kHead = "model: {name: m}\nlayers:\n  - {name: x, kind: input, shape: [8, 4]}\n";

TEST(FpgaYaml, ShapeMismatchBetweenLayers) {
  std::string msg = config_error_of([&] {
    model_from(kHead +
               "  - {name: a, kind: dense, units: 6}\n"
               "  - {name: s, kind: add, inputs: [x, a]}\n");
  });
  EXPECT_NE(msg.find("t.yaml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shape mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[8, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[8, 6]"), std::string::npos) << msg;
  msg = config_error_of(
      [&] { model_from(kHead + "  - {name: a, kind: dense, units: 6, in_features: 5}\n"); });
  EXPECT_NE(msg.find("t.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("in_features 5"), std::string::npos) << msg;
}

TEST(FpgaYaml, ReuseFactorThatDoesNotDivide) {
  std::string msg = config_error_of(
      [&] { model_from(kHead + "  - {name: a, kind: dense, units: 3, reuse_factor: 5}\n"); });
  EXPECT_NE(msg.find("t.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("reuse factor 5 does not divide the 4 x 3 = 12"), std::string::npos) << msg;
  // The model-wide default is lowered per layer to the largest factor that divides.
  ModelDesc m = model_from(
      "model: {name: m, reuse_factor: 5}\nlayers:\n"
      "  - {name: x, kind: input, shape: [8, 4]}\n"
      "  - {name: a, kind: dense, units: 3}\n");
  EXPECT_EQ(m.layers[1].reuse, 4);
}

TEST(FpgaYaml, UnknownKindKeyAndInput) {
  std::string msg =
      config_error_of([&] { model_from(kHead + "  - {name: a, kind: dens, units: 3}\n"); });
  EXPECT_NE(msg.find("t.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown layer kind 'dens'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'dense'"), std::string::npos) << msg;
  msg = config_error_of([&] { model_from(kHead + "  - {name: a, kind: relu, units: 3}\n"); });
  EXPECT_NE(msg.find("unknown key 'layers[1].units' for a relu layer"), std::string::npos) << msg;
  msg = config_error_of([&] { model_from(kHead + "  - {name: a, kind: relu, input: y}\n"); });
  EXPECT_NE(msg.find("unknown input layer 'y'"), std::string::npos) << msg;
  msg = config_error_of([&] { model_from(kHead + "  - {name: a, kind: mha, heads: 2}\n"); });
  EXPECT_NE(msg.find("needs 'heads' and 'head_dim'"), std::string::npos) << msg;
  msg = config_error_of([&] {
    model_from(
        "model: {name: m, precision: 'ap_fixed<16>'}\nlayers:\n"
        "  - {name: x, kind: input, shape: [8, 4]}\n");
  });
  EXPECT_NE(msg.find("t.yaml:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.precision"), std::string::npos) << msg;
  msg = config_error_of([&] {
    model_from(kHead + "  - {name: a, kind: relu}\n  - {name: b, kind: relu, input: x}\n");
  });
  EXPECT_NE(msg.find("'a' is never used"), std::string::npos) << msg;
  msg = config_error_of([&] { model_from("model: {name: m, io_type: io_serial}\nlayers: []\n"); });
  EXPECT_NE(msg.find("io_parallel, io_stream"), std::string::npos) << msg;
}

TEST(FpgaYaml, FlattenTakesNoPrecisionOrReuse) {
  std::string msg = config_error_of([] {
    model_from(
        "model: {name: m}\nlayers:\n  - {name: x, kind: input, shape: [4, 4]}\n"
        "  - {name: f, kind: flatten, precision: 'ap_fixed<8,3>'}\n");
  });
  EXPECT_NE(msg.find("t.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("precision"), std::string::npos) << msg;
  msg = config_error_of([] {
    model_from(
        "model: {name: m}\nlayers:\n  - {name: x, kind: input, shape: [300, 300]}\n"
        "  - {name: f, kind: flatten}\n");
  });
  EXPECT_NE(msg.find("90000 features"), std::string::npos) << msg;
}

TEST(FpgaYaml, BundledModelsLoad) {
  ModelDesc m = load_model_file(std::string(ACCSIM_SOURCE_DIR) + "/configs/fpga/jet_tagger.yaml");
  EXPECT_EQ(m.io, IoType::kParallel);
  // The published b-tagging firmware's sizes: 15 tracks x 6 features, flattened to 90, 3 classes.
  EXPECT_EQ(m.layers.front().rows, 15);
  EXPECT_EQ(m.layers.front().cols, 6);
  const LayerDesc& flat = m.layers[static_cast<std::size_t>(m.index_of("flat"))];
  EXPECT_EQ(flat.rows, 1);
  EXPECT_EQ(flat.cols, 90);
  EXPECT_EQ(flat.precision.width, 19);  // the input's type, unchanged
  EXPECT_EQ(m.layers.back().rows, 1);
  EXPECT_EQ(m.layers.back().cols, 3);
  ModelDesc v = load_model_file(std::string(ACCSIM_SOURCE_DIR) + "/configs/fpga/vit_block.yaml");
  EXPECT_EQ(v.io, IoType::kStream);
}

TEST(FpgaSpec, PartsAndErrors) {
  EXPECT_EQ(hw::fpga_preset("VU13P").res.dsp, 12288);
  EXPECT_EQ(hw::fpga_preset("ZCU102").res.bram36, 912);
  EXPECT_EQ(hw::fpga_preset("ZCU102").res.uram, 0);
  EXPECT_EQ(hw::fpga_preset("ZCU104").res.lut, 230400);
  EXPECT_EQ(hw::fpga_preset("ZCU104").device, "xczu7ev");
  EXPECT_DOUBLE_EQ(hw::fpga_preset("").clock_hz, 200e6);
  std::string msg = config_error_of([] { hw::fpga_preset("VU9P"); });
  EXPECT_NE(msg.find("unknown FPGA part 'VU9P'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("VU13P"), std::string::npos) << msg;
  // Energy scales with operand widths: 32 x 32 = 16 x the 8 x 8 figure.
  const auto s = hw::fpga_preset("VU13P");
  EXPECT_DOUBLE_EQ(s.mult_j(32, 32), 16 * s.energy.mult8_j);
  EXPECT_DOUBLE_EQ(s.add_j(16), 2 * s.energy.add8_j);
}

}  // namespace
}  // namespace accsim::fpga::test
