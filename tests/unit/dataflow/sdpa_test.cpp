// SDPA on streaming units: both mappings compute attention (fp64 reference), the reordered one
// runs at full throughput with small channels for any N, the naive one needs a bypass capacity
// of a row plus the reductions' round trip (closed form checked by search).
#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/error.h"
#include "tests/unit/dataflow/helpers.h"

namespace accsim::dataflow {
namespace {

using testing::test_spec;

SdpaParams small(SdpaGraph g, std::int64_t N, std::int64_t M = 8, std::int64_t d = 16) {
  SdpaParams p;
  p.graph = g;
  p.N = N;
  p.M = M;
  p.d = d;
  return p;
}

DataflowResult go(const SdpaParams& p, const hw::DataflowSpec& spec = test_spec()) {
  StatsRegistry stats;
  EnergyLedger energy;
  return run_sdpa(spec, p, stats, energy);
}

bool full(const DataflowResult& r) {
  return !r.deadlocked() && r.sustained_fraction >= 1.0;
}

TEST(Sdpa, ReorderedMatchesFp64AtFullThroughputWithSmallChannels) {
  std::uint64_t bytes = 0;
  for (std::int64_t N : {64, 256, 1024}) {
    DataflowResult r = go(small(SdpaGraph::kReordered, N));
    ASSERT_FALSE(r.deadlocked());
    EXPECT_TRUE(r.checked);
    EXPECT_TRUE(r.output_ok) << "error " << r.max_error << " > " << r.tolerance;
    EXPECT_LT(r.max_error, 1e-5);
    EXPECT_DOUBLE_EQ(r.sustained_fraction, 1.0) << "N " << N;
    for (const auto& c : r.channels) {
      EXPECT_LE(c.capacity, 16u);
      EXPECT_LE(c.peak_occupancy, c.capacity);
    }
    // Constant intermediate memory: the same buffers whatever N.
    if (bytes == 0) bytes = r.intermediate_bytes;
    EXPECT_EQ(r.intermediate_bytes, bytes) << "N " << N;
  }
}

TEST(Sdpa, NaiveAtTheComputedMinimumIsFullAndCorrect) {
  for (std::int64_t N : {64, 256}) {
    SdpaParams p = small(SdpaGraph::kNaive, N);
    DataflowResult r = go(p);
    ASSERT_FALSE(r.deadlocked());
    EXPECT_TRUE(r.output_ok) << r.max_error;
    EXPECT_DOUBLE_EQ(r.sustained_fraction, 1.0);
    // The bypass really fills to its capacity: the row plus the round trip.
    EXPECT_EQ(r.channel("fork1.out1->sub.a").peak_occupancy,
              static_cast<std::uint64_t>(naive_min_bypass(test_spec(), p)) - 1);
    EXPECT_GT(naive_min_bypass(test_spec(), p), N + 1);
  }
}

// Smallest bypass at which the naive graph runs at full throughput, by bisection.
std::int64_t search_min_bypass(SdpaParams p, const hw::DataflowSpec& spec) {
  p.check = false;
  std::int64_t lo = 1, hi = 4 * p.row_elements() + 64;
  auto ok = [&](std::int64_t c) {
    p.bypass_capacity = c;
    return full(go(p, spec));
  };
  EXPECT_TRUE(ok(hi));
  while (lo < hi) {
    std::int64_t mid = (lo + hi) / 2;
    if (ok(mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

TEST(Sdpa, NaiveMinimumBypassClosedFormEqualsSearch) {
  struct Case {
    std::int64_t N, lanes, latency;
    std::string preset;
    int credit;
  };
  for (const Case& c : {Case{64, 1, 0, "default", 0}, Case{64, 4, 0, "default", 0},
                        Case{96, 2, 0, "single-cycle", 0}, Case{64, 1, 2, "default", 0},
                        Case{64, 1, 0, "default", 1}, Case{128, 8, 3, "single-cycle", 2}}) {
    hw::DataflowSpec spec = hw::dataflow_preset(c.preset);
    spec.credit_latency = c.credit;
    SdpaParams p = small(SdpaGraph::kNaive, c.N, 3, 8);
    p.lanes = c.lanes;
    p.latency = c.latency;
    p.capacity = 32;  // enough for every non-bypass channel at these latencies
    const std::int64_t found = search_min_bypass(p, spec);
    EXPECT_EQ(found, naive_min_bypass(spec, p))
        << "N " << c.N << " lanes " << c.lanes << " latency " << c.latency << " " << c.preset
        << " credit " << c.credit;
    EXPECT_GE(found, p.row_elements() + 1);
  }
}

TEST(Sdpa, NaiveMinimumGrowsLinearlyWithN) {
  std::int64_t excess = -1;
  for (std::int64_t N : {32, 64, 128, 256}) {
    SdpaParams p = small(SdpaGraph::kNaive, N, 2, 8);
    std::int64_t m = search_min_bypass(p, test_spec());
    if (excess < 0) excess = m - N;
    EXPECT_EQ(m - N, excess) << "N " << N;
  }
  EXPECT_GE(excess, 1);
}

TEST(Sdpa, NaiveBelowARowDeadlocksBetweenRowAndMinimumStalls) {
  SdpaParams p = small(SdpaGraph::kNaive, 128, 4, 8);
  const std::int64_t m = naive_min_bypass(test_spec(), p);
  p.bypass_capacity = 127;
  EXPECT_TRUE(go(p).deadlocked());
  for (std::int64_t c : {std::int64_t{128}, m - 1}) {
    p.bypass_capacity = c;
    DataflowResult r = go(p);
    EXPECT_FALSE(r.deadlocked()) << c;
    EXPECT_LT(r.sustained_fraction, 1.0) << c;
    EXPECT_TRUE(r.output_ok) << c;
  }
}

TEST(Sdpa, LanesRaiseThePeak) {
  for (SdpaGraph g : {SdpaGraph::kReordered, SdpaGraph::kNaive}) {
    SdpaParams p = small(g, 256, 4, 16);
    p.lanes = 4;
    DataflowResult r = go(p);
    EXPECT_TRUE(r.output_ok) << graph_name(g) << " " << r.max_error;
    EXPECT_DOUBLE_EQ(r.peak_per_cycle, 4.0);
    EXPECT_DOUBLE_EQ(r.sustained_fraction, 1.0) << graph_name(g);
    EXPECT_EQ(r.unit("qk").firings, static_cast<std::uint64_t>(4 * 256 / 4));
    EXPECT_EQ(r.work, 4u * 256u);
  }
}

TEST(Sdpa, HeadsInSequenceOrOverParallelReplicas) {
  SdpaParams p = small(SdpaGraph::kReordered, 128, 16, 8);
  p.batch = 2;
  p.heads = 2;
  DataflowResult seq = go(p);
  p.parallel = 2;
  DataflowResult par = go(p);
  p.parallel = 4;
  DataflowResult par4 = go(p);
  for (const DataflowResult* r : {&seq, &par, &par4}) {
    EXPECT_TRUE(r->output_ok) << r->max_error;
    EXPECT_DOUBLE_EQ(r->sustained_fraction, 1.0);
  }
  EXPECT_DOUBLE_EQ(par4.peak_per_cycle, 4.0);
  // 4 heads x 16 rows x 128 keys, one score per cycle per replica, plus the pipeline fill.
  const Cycle work = 4 * 16 * 128;
  EXPECT_GT(seq.total_cycles, work);
  EXPECT_LT(seq.total_cycles, work + 100);
  EXPECT_GT(par.total_cycles, work / 2);
  EXPECT_LT(par.total_cycles, work / 2 + 100);
  EXPECT_LT(par4.total_cycles, work / 4 + 100);
  EXPECT_EQ(seq.total_cycles - par.total_cycles, work / 2);
}

TEST(Sdpa, CyclesGrowByExactlyARowPerQuery) {
  auto cycles = [](std::int64_t M) {
    return go(small(SdpaGraph::kReordered, 256, M, 8)).total_cycles;
  };
  EXPECT_EQ(cycles(16) - cycles(8), 8 * 256);
  EXPECT_EQ(cycles(9) - cycles(8), 256);
}

TEST(Sdpa, MemoryBoundWhenThePortIsNarrow) {
  hw::DataflowSpec spec = test_spec();
  spec.memory.bandwidth_Bps = 128.0 * spec.clock_hz;  // 128 B/cycle; a d = 64 row is 256 B
  SdpaParams p = small(SdpaGraph::kReordered, 256, 8, 64);
  DataflowResult r = go(p, spec);
  EXPECT_TRUE(r.output_ok);
  EXPECT_NEAR(r.sustained_fraction, 0.5, 0.01);
  // K and V ports both stream at their full 128 B/cycle.
  EXPECT_NEAR(r.mem_bandwidth_Bps, 2 * 128.0 * spec.clock_hz, 0.02 * 256 * spec.clock_hz);
  EXPECT_GT(r.unit("qk").starved_cycles, 0u);
}

TEST(Sdpa, EnergyAndStatsComeFromCountedActions) {
  SdpaParams p = small(SdpaGraph::kReordered, 64, 4, 8);
  StatsRegistry stats;
  EnergyLedger energy;
  DataflowResult r = run_sdpa(test_spec(), p, stats, energy);
  const std::uint64_t scores = 4 * 64;
  // qk: one multiply per score and dimension, plus scaling q once per row.
  EXPECT_EQ(r.unit("qk").ops.mul, scores * 8 + 4 * 8);
  // smax: two exponentials per score (delta and c).
  EXPECT_EQ(r.unit("smax").ops.exp, 2 * scores);
  EXPECT_EQ(r.unit("div").ops.div, 4u * 8u);
  EXPECT_NEAR(energy.total_pj(), r.energy_pj, 1e-6 * r.energy_pj);
  const auto& e = test_spec().energy;
  // Lower bound: the arithmetic of qk alone.
  EXPECT_GT(r.energy_pj, (scores * 8) * (e.mul_j + e.add_j) * 1e12 * 0.8);
  EXPECT_GT(energy.component_pj("dataflow.memory"), 0.0);
  EXPECT_GT(energy.component_pj("dataflow.channels"), 0.0);
  EXPECT_EQ(stats.group("dataflow").value("total_cycles"), static_cast<double>(r.total_cycles));
  EXPECT_EQ(stats.group("dataflow.unit.qk").value("firings"), static_cast<double>(scores));
  EXPECT_EQ(stats.group("dataflow.channel.qk.out->smax.in").value("transfers"),
            static_cast<double>(scores));
  EXPECT_EQ(r.mem_bytes_read, (4 * 8 + 2 * 4 * 64 * 8) * 4u);  // Q once, K and V per row
  EXPECT_EQ(r.mem_bytes_written, 4u * 8u * 4u);
}

TEST(Sdpa, ToleranceCatchesAWrongOutput) {
  // The check is real: corrupt one value of V after the run and the same comparison fails.
  SdpaParams p = small(SdpaGraph::kReordered, 64, 2, 8);
  hw::DataflowSpec spec = test_spec();
  auto g = build_sdpa(spec, p);
  run(*g, spec);
  Tensor& v = g->store().get("V");
  std::vector<double> ref = sdpa_reference(g->store().get("Q"), g->store().get("K"), v, 0, 2);
  const Tensor& o = g->store().get("O");
  double err = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) err = std::max(err, std::abs(o.data[i] - ref[i]));
  EXPECT_LT(err, sdpa_tolerance(p));
  v.data[5] += 0.5f;
  std::vector<double> ref2 = sdpa_reference(g->store().get("Q"), g->store().get("K"), v, 0, 2);
  double err2 = 0;
  for (std::size_t i = 0; i < ref2.size(); ++i)
    err2 = std::max(err2, std::abs(o.data[i] - ref2[i]));
  EXPECT_GT(err2, 100 * sdpa_tolerance(p));
}

TEST(SdpaSchema, SetOverridesAndChecks) {
  SdpaParams p;
  sdpa_schema().set_defaults(p);
  config::Provenance prov;
  auto [node, origin_text] = config::parse_override("sdpa.N=4096");
  config::Origin o = config::Origin::override_(origin_text);
  config::LoadCtx c{&o, &prov, "sdpa"};
  sdpa_schema().patch(node["sdpa"], p, c);
  EXPECT_EQ(p.N, 4096);
  EXPECT_EQ(p.graph, SdpaGraph::kReordered);
  auto [n2, t2] = config::parse_override("sdpa.graph=naive");
  sdpa_schema().patch(n2["sdpa"], p, c);
  EXPECT_EQ(p.graph, SdpaGraph::kNaive);
  sdpa_schema().validate(p, prov, "sdpa", SourceLoc{"x.yaml"});

  p.lanes = 3;
  EXPECT_THROW(sdpa_schema().validate(p, prov, "sdpa", SourceLoc{"x.yaml"}), Error);
  p.lanes = 1;
  auto [n3, t3] = config::parse_override("sdpa.n=4");
  try {
    sdpa_schema().patch(n3["sdpa"], p, c);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'sdpa.n' in sdpa; valid keys: graph, N,"),
              std::string::npos)
        << e.what();
  }
  auto [n4, t4] = config::parse_override("sdpa.graph=flash");
  EXPECT_THROW(sdpa_schema().patch(n4["sdpa"], p, c), Error);
}

}  // namespace
}  // namespace accsim::dataflow
