// Values flow: a small dense + softmax pipeline computes, in fixed point, exactly what an
// independent host reference computes with integer arithmetic (README.md "Fixed point",
// "Softmax"); the same values come out of io_parallel and io_stream and of every event timing.
#include <cmath>

#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

// Integer model of ap_fixed<W,I> with AP_TRN / AP_WRAP: raw = value x 2^(W-I).
struct Raw {
  int w, i;
  int frac() const { return w - i; }
  std::int64_t wrap(std::int64_t v) const {
    const std::int64_t span = std::int64_t{1} << w;
    v &= span - 1;
    return v >= span / 2 ? v - span : v;
  }
  std::int64_t from_double_trn(double x) const {
    return wrap(static_cast<std::int64_t>(std::floor(std::ldexp(x, frac()))));
  }
  // A raw value with `f` fraction bits, truncated (floor) to this type.
  std::int64_t from_raw(std::int64_t v, int f) const {
    const int sh = f - frac();
    return wrap(sh >= 0 ? (v >> sh) : (v << -sh));  // >> floors for negatives
  }
  double value(std::int64_t r) const { return std::ldexp(static_cast<double>(r), -frac()); }
};

constexpr const char* kModel = R"(model:
  name: dense-softmax
  io_type: io_parallel
  precision: ap_fixed<16,6>
  accum_precision: ap_fixed<20,8>
  table_precision: ap_fixed<18,8>
  table_size: 256
  seed: 7
layers:
  - {name: x, kind: input, shape: [3, 6]}
  - {name: fc, kind: dense, units: 5}
  - {name: sm, kind: softmax, table_range: 8}
)";

std::vector<double> host_reference(const ModelDesc& m, std::int64_t event) {
  const Raw p{16, 6}, acc{20, 8}, tab{18, 8};
  const std::int64_t rows = 3, n = 6, u = 5, ts = 256;
  const double range = 8.0;
  std::vector<double> x = input_event(m, event);
  std::vector<double> wb =
      layer_weights(m, 1, n * u + u, m.layers[1].weight, static_cast<double>(n));
  // Tables.
  std::vector<std::int64_t> exp_t(ts), inv_t(ts);
  for (std::int64_t k = 0; k < ts; ++k) {
    exp_t[static_cast<std::size_t>(k)] =
        tab.from_double_trn(std::exp(-range * static_cast<double>(k) / ts));
    inv_t[static_cast<std::size_t>(k)] =
        tab.from_double_trn(1.0 / ((static_cast<double>(k) + 0.5) * static_cast<double>(u) / ts));
  }
  std::vector<double> out;
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<std::int64_t> y(u);
    for (std::int64_t j = 0; j < u; ++j) {
      std::int64_t a =
          acc.from_raw(p.from_double_trn(wb[static_cast<std::size_t>(n * u + j)]), p.frac());
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t prod = p.from_double_trn(x[static_cast<std::size_t>(r * n + i)]) *
                                  p.from_double_trn(wb[static_cast<std::size_t>(i * u + j)]);
        a = acc.wrap(a + acc.from_raw(prod, 2 * p.frac()));
      }
      y[static_cast<std::size_t>(j)] = p.from_raw(a, acc.frac());
    }
    // Softmax: subtract the row max, exp by table, sum, inverse by table, multiply.
    std::int64_t mx = y[0];
    for (auto v : y) mx = std::max(mx, v);
    std::vector<std::int64_t> e(u);
    std::int64_t sum = 0;
    for (std::int64_t j = 0; j < u; ++j) {
      const std::int64_t d = acc.from_raw(mx - y[static_cast<std::size_t>(j)], p.frac());
      const std::int64_t idx = std::min<std::int64_t>(
          ts - 1, static_cast<std::int64_t>(std::floor(acc.value(d) / (range / ts))));
      e[static_cast<std::size_t>(j)] = exp_t[static_cast<std::size_t>(idx)];
      sum = acc.wrap(sum + acc.from_raw(e[static_cast<std::size_t>(j)], tab.frac()));
    }
    const std::int64_t sidx = std::min<std::int64_t>(
        ts - 1,
        static_cast<std::int64_t>(std::floor(acc.value(sum) / (static_cast<double>(u) / ts))));
    const std::int64_t inv = inv_t[static_cast<std::size_t>(std::max<std::int64_t>(0, sidx))];
    for (std::int64_t j = 0; j < u; ++j)
      out.push_back(p.value(p.from_raw(e[static_cast<std::size_t>(j)] * inv, 2 * tab.frac())));
  }
  return out;
}

TEST(FpgaValues, DenseSoftmaxMatchesIntegerHostReference) {
  ModelDesc m = model_from(kModel);
  for (std::int64_t events : {1, 3}) {
    FpgaResult r = sim(m, events);
    ASSERT_FALSE(r.deadlocked());
    const std::vector<double> ref = host_reference(m, events - 1);
    ASSERT_EQ(r.last_output.size(), ref.size());
    double row_sum = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      EXPECT_EQ(r.last_output[i], ref[i]) << "element " << i;
      if (i < 5) row_sum += ref[i];
    }
    EXPECT_NEAR(row_sum, 1.0, 0.05);  // a softmax row, within the tables' resolution
  }
}

TEST(FpgaValues, FlattenKeepsValuesInRowMajorOrder) {
  for (const char* io : {"io_parallel", "io_stream"}) {
    ModelDesc m = model_from(std::string("model: {name: f, io_type: ") + io +
                             "}\nlayers:\n  - {name: x, kind: input, shape: [3, 4]}\n"
                             "  - {name: f, kind: flatten}\n");
    FpgaResult r = sim(m, 2);
    ASSERT_FALSE(r.deadlocked()) << io;
    EXPECT_EQ(r.last_output, input_event(m, 1)) << io;
  }
}

TEST(FpgaValues, SameValuesInBothIoStylesAndUnderBackPressure) {
  ModelDesc par = model_from(kModel);
  std::string s = kModel;
  s.replace(s.find("io_parallel"), 11, "io_stream");
  ModelDesc st = model_from(s);
  FpgaResult a = sim(par, 5), b = sim(st, 5), c = sim(st, 5, 0, 1);
  ASSERT_FALSE(c.deadlocked());
  EXPECT_EQ(a.last_output, b.last_output);
  EXPECT_EQ(a.last_output, c.last_output);
}

TEST(FpgaValues, BundledModelsProduceFiniteOutputs) {
  for (const char* f : {"configs/fpga/jet_tagger.yaml", "configs/fpga/jet_tagger_stream.yaml",
                        "configs/fpga/vit_block.yaml", "configs/fpga/jet_mlp.yaml"}) {
    ModelDesc m = load_model_file(std::string(ACCSIM_SOURCE_DIR) + "/" + f);
    FpgaResult r = sim(m, 2, 0, 4096);
    ASSERT_FALSE(r.deadlocked()) << f;
    ASSERT_EQ(static_cast<std::int64_t>(r.last_output.size()),
              m.layers.back().rows * m.layers.back().cols)
        << f;
    double sum = 0, mag = 0;
    for (double v : r.last_output) {
      ASSERT_TRUE(std::isfinite(v));
      sum += v;
      mag += std::abs(v);
    }
    EXPECT_GT(mag, 0.0) << f;
    if (m.layers.back().kind == LayerKind::kSoftmax) {
      EXPECT_NEAR(sum, 1.0, 0.05) << f;
    }
  }
}

}  // namespace
}  // namespace accsim::fpga::test
