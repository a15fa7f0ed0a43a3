// Generator -> unit -> checker, for every unit kind: the values it computes (fp32) and when its
// results arrive (first firing + depth + channel latency).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "tests/unit/dataflow/helpers.h"

namespace accsim::dataflow {
namespace {

using testing::chan;
using testing::params;
using testing::test_spec;
using testing::vector_source;

struct In {
  std::string port;
  std::vector<float> values;
  int width;
};
struct Out {
  std::string port;
  int width;
};
struct Harness {
  Graph g{"harness"};
  std::map<std::string, std::shared_ptr<SinkRecord>> sinks;
  DataflowResult r;
  const SinkRecord& at(const std::string& port) { return *sinks.at(port); }
};

// Builds sources for `ins`, the unit, sinks for `outs`; channels of latency 1, capacity 8.
std::unique_ptr<Harness> harness(const UnitParams& p, const std::vector<In>& ins,
                                 const std::vector<Out>& outs,
                                 const hw::DataflowSpec& spec = test_spec(),
                                 std::function<void(TensorStore&)> tensors = nullptr) {
  auto h = std::make_unique<Harness>();
  if (tensors) tensors(h->g.store());
  h->g.add(make_unit(p, spec, &h->g.store(), nullptr));
  for (const auto& in : ins) {
    h->g.add(vector_source("src_" + in.port, in.values, in.width));
    h->g.connect("src_" + in.port, "out", p.name, in.port, chan(in.width, 8, 1));
  }
  for (const auto& o : outs) {
    auto rec = std::make_shared<SinkRecord>();
    h->sinks[o.port] = rec;
    h->g.add(make_sink("sink_" + o.port, rec));
    h->g.connect(p.name, o.port, "sink_" + o.port, "in", chan(o.width, 8, 1));
  }
  h->r = run(h->g, spec);
  EXPECT_FALSE(h->r.deadlocked()) << (h->r.deadlock ? h->r.deadlock->text() : "");
  EXPECT_TRUE(h->r.warnings.empty()) << h->r.warnings.front();
  return h;
}

TEST(MapUnit, BinaryOpsWithScalarBroadcast) {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {10, 20};
  struct Case {
    Op op;
    std::vector<float> want;
  };
  for (const Case& c :
       {Case{Op::kAdd, {11, 12, 13, 24, 25, 26}}, Case{Op::kSub, {-9, -8, -7, -16, -15, -14}},
        Case{Op::kMul, {10, 20, 30, 80, 100, 120}},
        Case{Op::kDiv, {0.1f, 0.2f, 0.3f, 0.2f, 0.25f, 0.3f}},
        Case{Op::kMax, {10, 10, 10, 20, 20, 20}}}) {
    auto h = harness(params("m", UnitKind::kMap, c.op), {{"a", a, 3}, {"b", b, 1}}, {{"out", 3}});
    const auto& got = h->at("out").values;
    ASSERT_EQ(got.size(), c.want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      EXPECT_FLOAT_EQ(got[i], c.want[i]) << op_name(c.op) << " " << i;
    // Sources send at 0, the unit fires at 1 (latency 1), results arrive at 1 + depth + 1.
    const int depth = h->r.unit("m").depth;
    EXPECT_EQ(h->at("out").receive_at.front(), 2 + depth) << op_name(c.op);
  }
}

TEST(MapUnit, UnaryOpsAndDepthsFromSpec) {
  hw::DataflowSpec spec = test_spec();
  spec.depth.exp = 9;
  spec.depth.mul = 4;
  const std::vector<float> a = {0, 1, -2, 0.5f};
  auto e = harness(params("m", UnitKind::kMap, Op::kExp), {{"a", a, 2}}, {{"out", 2}}, spec);
  EXPECT_EQ(e->r.unit("m").depth, 9);
  EXPECT_EQ(e->at("out").receive_at, (std::vector<Cycle>{11, 12}));
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_FLOAT_EQ(e->at("out").values[i], std::exp(a[i]));
  EXPECT_EQ(e->r.unit("m").ops.exp, 4u);

  UnitParams sp = params("m", UnitKind::kMap, Op::kScale);
  sp.scale = 0.25;
  auto s = harness(sp, {{"a", a, 1}}, {{"out", 1}}, spec);
  EXPECT_EQ(s->r.unit("m").depth, 4);
  EXPECT_FLOAT_EQ(s->at("out").values[1], 0.25f);
}

TEST(MapUnit, ExplicitDepthAndIIOverrideTheSpec) {
  UnitParams p = params("m", UnitKind::kMap, Op::kCopy);
  p.depth = 5;
  p.ii = 3;
  auto h = harness(p, {{"a", {1, 2, 3}, 1}}, {{"out", 1}});
  // Firings at 1, 4, 7 (II 3); results at firing + 5 + 1.
  EXPECT_EQ(h->at("out").receive_at, (std::vector<Cycle>{7, 10, 13}));
  EXPECT_EQ(h->r.unit("m").firings, 3u);
}

TEST(ReduceUnit, RowMaxAndRowSumOverElementsAndLanes) {
  // Rows of 3 elements x 2 lanes.
  const std::vector<float> x = {1, 5, -2, 3, 0, 4, /* row 2 */ -1, -7, -3, -2, -9, -4};
  auto mx = harness(params("r", UnitKind::kReduce, Op::kMax, 3), {{"in", x, 2}}, {{"out", 1}});
  EXPECT_EQ(mx->at("out").values, (std::vector<float>{5, -1}));
  auto sm = harness(params("r", UnitKind::kReduce, Op::kSum, 3), {{"in", x, 2}}, {{"out", 1}});
  EXPECT_EQ(sm->at("out").values, (std::vector<float>{11, -26}));
  // The row's result leaves with the row's last element: firing at 3, +depth, +1.
  const int depth = sm->r.unit("r").depth;
  EXPECT_EQ(depth, test_spec().depth.add * 2);  // one tree level over 2 lanes + accumulate
  EXPECT_EQ(sm->at("out").receive_at.front(), 3 + depth + 1);
}

TEST(ScanUnit, RunningMaxAndSumResetPerRow) {
  const std::vector<float> x = {1, 3, 2, 5, /* row 2 */ 4, 1, 6, 0};
  auto mx = harness(params("s", UnitKind::kScan, Op::kMax, 2), {{"in", x, 2}}, {{"out", 2}});
  EXPECT_EQ(mx->at("out").values, (std::vector<float>{1, 3, 3, 5, 4, 4, 6, 6}));
  auto sm = harness(params("s", UnitKind::kScan, Op::kSum, 2), {{"in", x, 2}}, {{"out", 2}});
  EXPECT_EQ(sm->at("out").values, (std::vector<float>{1, 4, 6, 11, 4, 5, 11, 11}));
}

TEST(ScanUnit, OnlineMaxEmitsRescaleAndWeight) {
  const std::vector<float> x = {0.5f, 2.0f, 1.0f, 3.0f};
  auto h = harness(params("s", UnitKind::kScan, Op::kOnlineMax, 4), {{"in", x, 1}},
                   {{"delta", 1}, {"c", 1}});
  const auto& d = h->at("delta").values;
  const auto& c = h->at("c").values;
  // m: 0.5, 2, 2, 3.
  EXPECT_FLOAT_EQ(d[0], 0.0f);  // nothing accumulated before the first element
  EXPECT_FLOAT_EQ(d[1], std::exp(0.5f - 2.0f));
  EXPECT_FLOAT_EQ(d[2], 1.0f);
  EXPECT_FLOAT_EQ(d[3], std::exp(2.0f - 3.0f));
  EXPECT_FLOAT_EQ(c[0], 1.0f);
  EXPECT_FLOAT_EQ(c[1], 1.0f);
  EXPECT_FLOAT_EQ(c[2], std::exp(1.0f - 2.0f));
  EXPECT_FLOAT_EQ(c[3], 1.0f);
  const auto& s = test_spec().depth;
  EXPECT_EQ(h->r.unit("s").depth, s.cmp + s.add + s.exp);
}

TEST(DotUnit, HoldsTheVectorForARowAndScalesIt) {
  // Two rows (length 2 elements each), vec width 3, 2 matrix rows per element.
  const std::vector<float> vec = {1, 2, 3, /* row 2 */ -1, 0, 1};
  const std::vector<float> mat = {1,
                                  0,
                                  0,
                                  0,
                                  1,
                                  0,
                                  /**/ 0,
                                  0,
                                  1,
                                  1,
                                  1,
                                  1,
                                  /* row 2 */ 2,
                                  2,
                                  2,
                                  1,
                                  0,
                                  0,
                                  /**/ 0,
                                  0,
                                  5,
                                  3,
                                  3,
                                  3};
  UnitParams p = params("d", UnitKind::kDot, Op::kMul, 2);
  p.scale = 0.5;
  auto h = harness(p, {{"vec", vec, 3}, {"mat", mat, 6}}, {{"out", 2}});
  EXPECT_EQ(h->at("out").values,
            (std::vector<float>{0.5f, 1.0f, 1.5f, 3.0f, 0.0f, -0.5f, 2.5f, 0.0f}));
  EXPECT_EQ(h->r.unit("d").firings, 4u);
  const auto& s = test_spec().depth;
  EXPECT_EQ(h->r.unit("d").depth, s.mul + 2 * s.add);  // multipliers + 2-level tree over 3
  // 4 firings x 2 rows x 3 products, plus the row vector scaled twice.
  EXPECT_EQ(h->r.unit("d").ops.mul, 24u + 6u);
}

TEST(AccumulateUnit, WeightedSumOfVectorRows) {
  // Row length 2 elements, 2 lanes, vectors of 3: out = sum_l w_l v_l.
  const std::vector<float> w = {1, 2, 3, 4};
  const std::vector<float> v = {1, 0, 0, 0, 1, 0, /**/ 0, 0, 1, 1, 1, 1};
  auto h = harness(params("a", UnitKind::kAccumulate, Op::kSum, 2), {{"w", w, 2}, {"v", v, 6}},
                   {{"out", 3}});
  EXPECT_EQ(h->at("out").values, (std::vector<float>{1 + 4, 2 + 4, 3 + 4}));
  EXPECT_EQ(h->at("out").receive_at.size(), 1u);
}

TEST(AccumulateUnit, RescaledRunningSumWithoutVectors) {
  // l <- l * delta + c over a row of 3.
  const std::vector<float> c = {1, 2, 3}, delta = {0, 0.5f, 0.25f};
  auto h = harness(params("a", UnitKind::kAccumulate, Op::kSum, 3),
                   {{"w", c, 1}, {"delta", delta, 1}}, {{"out", 1}});
  EXPECT_FLOAT_EQ(h->at("out").values[0], ((0 * 0 + 1) * 0.5f + 2) * 0.25f + 3);
}

TEST(BroadcastUnit, CopiesToEveryOutput) {
  UnitParams p = params("b", UnitKind::kBroadcast);
  p.outputs = 3;
  const std::vector<float> x = {1, 2, 3, 4};
  auto h = harness(p, {{"in", x, 2}}, {{"out0", 2}, {"out1", 2}, {"out2", 2}});
  for (const char* o : {"out0", "out1", "out2"}) {
    EXPECT_EQ(h->at(o).values, x);
    EXPECT_EQ(h->at(o).receive_at, (std::vector<Cycle>{2, 3}));  // depth 0
  }
}

TEST(RepeatUnit, EmitsEachElementTimesTimes) {
  UnitParams p = params("r", UnitKind::kRepeat);
  p.times = 3;
  auto h = harness(p, {{"in", {7, 8}, 1}}, {{"out", 1}});
  EXPECT_EQ(h->at("out").values, (std::vector<float>{7, 7, 7, 8, 8, 8}));
  EXPECT_EQ(h->at("out").receive_at, (std::vector<Cycle>{2, 3, 4, 5, 6, 7}));
}

TEST(MemReadUnit, StreamsRowsRepeatedAndPacedByBandwidth) {
  hw::DataflowSpec spec = test_spec();
  // 8 bytes per cycle: one 2 x 2-float element (16 B) per 2 cycles; latency 3.
  spec.memory.bandwidth_Bps = 8 * spec.clock_hz;
  spec.memory.latency = 3;
  UnitParams p = params("rd", UnitKind::kMemRead);
  p.tensor = "T";
  p.rows_per_element = 2;
  p.repeat = 2;
  auto h = harness(p, {}, {{"out", 4}}, spec, [](TensorStore& s) {
    Tensor& t = s.add("T", 1, 4, 2);
    for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(i);
  });
  EXPECT_EQ(h->at("out").values,
            (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}));
  // Issues at 0, 1, 2, 3; the port is busy 2 cycles per element: transfers end at 2, 4, 6, 8,
  // data at end - 1 + latency; receivable one cycle later (channel latency 1).
  EXPECT_EQ(h->at("out").receive_at, (std::vector<Cycle>{5, 7, 9, 11}));
  EXPECT_EQ(h->r.mem_bytes_read, 64u);
}

TEST(MemWriteUnit, StoresTheStream) {
  Tensor* out = nullptr;
  UnitParams p = params("wr", UnitKind::kMemWrite);
  p.tensor = "O";
  auto h = harness(p, {{"in", {1, 2, 3, 4, 5, 6}, 3}}, {}, test_spec(),
                   [&](TensorStore& s) { out = &s.add("O", 1, 2, 3); });
  EXPECT_EQ(out->data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(h->r.mem_bytes_written, 24u);
  // Second write issued at 2, complete at 2 + latency.
  EXPECT_EQ(h->r.total_cycles, 2 + test_spec().memory.latency);
}

TEST(Units, StreamEndingMidRowIsReported) {
  Graph g;
  g.add(vector_source("src", {1, 2, 3, 4, 5}, 1));
  g.add(make_unit(params("r", UnitKind::kReduce, Op::kSum, 2), test_spec(), nullptr, nullptr));
  auto rec = std::make_shared<SinkRecord>();
  g.add(make_sink("sink", rec));
  g.connect("src", "out", "r", "in", chan(1));
  g.connect("r", "out", "sink", "in", chan(1));
  DataflowResult r = run(g, test_spec());
  EXPECT_FALSE(r.deadlocked());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("'r'"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("middle of a row"), std::string::npos);
  EXPECT_EQ(rec->values, (std::vector<float>{3, 7}));
}

}  // namespace
}  // namespace accsim::dataflow
