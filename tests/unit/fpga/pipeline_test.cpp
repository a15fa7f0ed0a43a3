// Back-pressure, minimum FIFO depths and deadlock detection in io_stream pipelines.
#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

// A fast producer (relu, one row per cycle) in front of a slow consumer (dense, reuse 4).
constexpr const char* kChain = R"(model: {name: chain, io_type: io_stream}
layers:
  - {name: x, kind: input, shape: [8, 4]}
  - {name: r, kind: relu}
  - {name: fc, kind: dense, units: 4, reuse_factor: 4}
)";

TEST(FpgaPipeline, BackPressureStallsTheProducerOnly) {
  ModelDesc m = model_from(kChain);
  StreamParams p;
  p.events = 1;
  p.fifo_depths["r->fc"] = 1;
  p.fifo_depths["x->r"] = 8;
  FpgaResult shallow = simulate(m, test_part(), p);
  p.fifo_depths["r->fc"] = 8;
  FpgaResult deep = simulate(m, test_part(), p);
  ASSERT_FALSE(shallow.deadlocked());
  // fc pops row k at f_k = 1 + 4k. relu (depth 1) writes row k at max(s_k + 1, f_{k-1}) with one
  // slot, and a stalled write holds its pipeline: s_{k+1} = s_k + 1 + stall_k.
  //   k = 0, 1: no wait; k = 2: s = 2, write at f_1 = 5 (stall 2); k >= 3: s = f_{k-2}, write at
  //   f_{k-1} = s + 4 (stall 3). Total 2 + 5 x 3 = 17.
  EXPECT_EQ(deep.layer("r").stall_cycles, 0u);
  EXPECT_EQ(shallow.layer("r").stall_cycles, 17u);
  // Dense: n = 4, reuse 4: depth 2 + 3 + 2 + 1 = 8; last row starts at 1 + 4 x 7 = 29.
  EXPECT_EQ(deep.first_latency, 37);
  // The bottleneck's timing does not change: same completion.
  EXPECT_EQ(shallow.first_latency, deep.first_latency);
  EXPECT_EQ(shallow.fifo("r->fc").delayed_writes, 6u);
}

TEST(FpgaPipeline, MinimumDepthIsExactlyTheStallBoundary) {
  ModelDesc m = model_from(kChain);
  const auto spec = test_part();
  StreamParams u;
  u.events = 6;
  u.unbounded = true;
  FpgaResult ref = simulate(m, spec, u);
  const std::int64_t need = ref.fifo("r->fc").peak;
  EXPECT_GT(need, 1);
  StreamParams p;
  p.events = 6;
  p.fifo_depths["x->r"] = 1 << 20;
  p.fifo_depths["r->fc"] = need;
  FpgaResult at = simulate(m, spec, p);
  EXPECT_EQ(at.layer("r").stall_cycles, 0u);
  EXPECT_EQ(at.done, ref.done);
  p.fifo_depths["r->fc"] = need - 1;
  FpgaResult below = simulate(m, spec, p);
  EXPECT_GT(below.layer("r").stall_cycles, 0u);
}

// Fork / join around an attention layer: the skip FIFO must hold the rows the attention buffers
// before its first output, or the pipeline deadlocks.
constexpr const char* kResidual = R"(model: {name: res, io_type: io_stream, fifo_depth: 16}
layers:
  - {name: x, kind: input, shape: [6, 4]}
  - {name: att, kind: mha, heads: 1, head_dim: 4}
  - {name: sum, kind: add, inputs: [x, att]}
)";

TEST(FpgaPipeline, ShallowSkipFifoDeadlocksAndTheReportSaysWhy) {
  ModelDesc m = model_from(kResidual);
  StreamParams p;
  p.events = 3;
  p.fifo_depths["x->sum"] = 3;
  FpgaResult r = simulate(m, test_part(), p);
  ASSERT_TRUE(r.deadlocked());
  const DeadlockReport& d = *r.deadlock;
  bool source_blocked = false, add_waits = false;
  for (const auto& b : d.blocked) {
    if (b.layer == "x" && !b.waits_for_data && b.fifo == "x->sum") source_blocked = true;
    if (b.layer == "sum" && b.waits_for_data && b.fifo == "att->sum") add_waits = true;
  }
  EXPECT_TRUE(source_blocked) << d.text();
  EXPECT_TRUE(add_waits) << d.text();
  EXPECT_NE(std::find(d.full_fifos.begin(), d.full_fifos.end(), "x->sum"), d.full_fifos.end());
  EXPECT_NE(d.text().find("waits for room in x->sum"), std::string::npos);
  EXPECT_EQ(r.events_done, 0);
  // Deep enough: no deadlock, and the attention's 6 buffered rows are the floor.
  p.fifo_depths["x->sum"] = 6;
  EXPECT_FALSE(simulate(m, test_part(), p).deadlocked());
  p.fifo_depths["x->sum"] = 5;
  EXPECT_TRUE(simulate(m, test_part(), p).deadlocked());
}

TEST(FpgaPipeline, RunModelFillsMinimumDepthsAndEnergy) {
  ModelDesc m = model_from(kResidual);
  StatsRegistry stats;
  EnergyLedger energy;
  StreamParams p;
  p.events = 20;
  FpgaResult r = run_model(m, test_part(), p, stats, energy);
  energy.finalize(static_cast<double>(r.total_cycles) / 200e6);
  EXPECT_GE(r.fifo("x->sum").min_depth, 6);
  EXPECT_GT(r.dynamic_pj, 0);
  EXPECT_GT(r.static_pj, 0);
  EXPECT_NEAR(energy.static_pj(), r.static_pj, 1e-6 * r.static_pj);
  EXPECT_EQ(stats.group("fpga").value("events"), 20.0);
}

}  // namespace
}  // namespace accsim::fpga::test
