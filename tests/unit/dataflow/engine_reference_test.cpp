// The event-driven engine (local times, no ticking) against the cycle-stepped reference: every
// firing cycle of every unit, the stall split, the channel peaks, the end cycle and the values
// must be identical.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dataflow/helpers.h"
#include "tests/unit/dataflow/reference_sim.h"

namespace accsim::dataflow {
namespace {

using testing::chan;
using testing::params;
using testing::test_spec;
using testing::vector_source;

using Builder = std::function<std::unique_ptr<Graph>(std::vector<std::shared_ptr<SinkRecord>>&)>;

void expect_same(const Builder& build, const hw::DataflowSpec& spec, bool expect_deadlock = false) {
  std::vector<std::shared_ptr<SinkRecord>> ra, rb;
  auto ga = build(ra);
  auto gb = build(rb);
  std::vector<std::vector<Cycle>> fired;
  RunOptions o;
  o.record_firings = true;
  o.firings_out = &fired;
  DataflowResult r = run(*ga, spec, o);
  testing::RefResult ref = testing::reference_run(*gb, spec);
  ASSERT_EQ(r.deadlocked(), ref.deadlock);
  EXPECT_EQ(r.deadlocked(), expect_deadlock);
  std::uint64_t total_firings = 0;
  for (std::size_t u = 0; u < fired.size(); ++u) {
    const std::string& name = ga->units()[u]->name();
    EXPECT_EQ(fired[u], ref.firings[u]) << "unit " << name;
    total_firings += fired[u].size();
    if (!expect_deadlock) {
      EXPECT_EQ(r.units[u].starved_cycles, ref.starved[u]) << "starved, unit " << name;
      EXPECT_EQ(r.units[u].blocked_cycles, ref.blocked[u]) << "blocked, unit " << name;
    }
  }
  EXPECT_GT(total_firings, 0u);
  for (std::size_t c = 0; c < r.channels.size(); ++c)
    EXPECT_EQ(r.channels[c].peak_occupancy, ref.peak[c]) << "channel " << r.channels[c].name;
  EXPECT_EQ(r.total_cycles, ref.total_cycles);
  ASSERT_EQ(ra.size(), rb.size());
  for (std::size_t s = 0; s < ra.size(); ++s) {
    EXPECT_EQ(ra[s]->values, rb[s]->values);
    EXPECT_EQ(ra[s]->receive_at, rb[s]->receive_at);
  }
}

std::vector<float> ramp(int n, float scale = 0.01f) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    v[static_cast<std::size_t>(i)] = scale * static_cast<float>(i % 37) - 0.1f;
  return v;
}

// src -> a -> b -> c -> sink with assorted depths, IIs and capacities.
Builder chain(int n, std::vector<int> depth, std::vector<int> ii, std::vector<std::uint32_t> cap,
              std::vector<Cycle> lat, int sink_ii) {
  return [=](std::vector<std::shared_ptr<SinkRecord>>& sinks) {
    auto g = std::make_unique<Graph>("chain");
    hw::DataflowSpec s = test_spec();
    g->add(vector_source("src", ramp(n), 1));
    std::string prev = "src";
    for (std::size_t k = 0; k < depth.size(); ++k) {
      UnitParams p = params("u" + std::to_string(k), UnitKind::kMap, Op::kExp);
      p.depth = depth[k];
      p.ii = ii[k];
      g->add(make_unit(p, s, nullptr, nullptr));
      g->connect(prev, "out", p.name, "a", chan(1, cap[k], lat[k]));
      prev = p.name;
    }
    sinks.push_back(std::make_shared<SinkRecord>());
    g->add(make_sink("sink", sinks.back(), sink_ii));
    g->connect(prev, "out", "sink", "in", chan(1, cap.back(), lat.back()));
    return g;
  };
}

TEST(EngineVsReference, Chains) {
  expect_same(chain(50, {0, 3, 7}, {1, 1, 1}, {1, 2, 16, 4}, {1, 1, 2, 1}, 1), test_spec());
  expect_same(chain(50, {2, 0, 5}, {2, 1, 3}, {3, 1, 2, 1}, {2, 3, 1, 4}, 2), test_spec());
  expect_same(chain(80, {1, 1, 1}, {1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}, 5), test_spec());
}

// A fork whose branches rejoin after different delays: the short branch's channel must cover the
// long branch's latency, or the fork stalls.
Builder diamond(int n, std::uint32_t short_cap, int long_depth, Cycle credit) {
  return [=](std::vector<std::shared_ptr<SinkRecord>>& sinks) {
    auto g = std::make_unique<Graph>("diamond");
    hw::DataflowSpec s = test_spec();
    g->add(vector_source("src", ramp(n), 2));
    UnitParams f = params("fork", UnitKind::kBroadcast);
    g->add(make_unit(f, s, nullptr, nullptr));
    UnitParams e = params("slow", UnitKind::kMap, Op::kExp);
    e.depth = long_depth;
    g->add(make_unit(e, s, nullptr, nullptr));
    g->add(make_unit(params("join", UnitKind::kMap, Op::kMul), s, nullptr, nullptr));
    sinks.push_back(std::make_shared<SinkRecord>());
    g->add(make_sink("sink", sinks.back()));
    g->connect("src", "out", "fork", "in", chan(2, 4, 1, credit));
    g->connect("fork", "out0", "slow", "a", chan(2, 4, 1, credit));
    g->connect("fork", "out1", "join", "a", chan(2, short_cap, 1, credit));
    g->connect("slow", "out", "join", "b",
               chan(2, static_cast<std::uint32_t>(long_depth + 2), 1, credit));
    g->connect("join", "out", "sink", "in", chan(2, 2, 1, credit));
    return g;
  };
}

TEST(EngineVsReference, DiamondsWithAndWithoutStalls) {
  for (std::uint32_t cap : {1u, 3u, 8u, 12u})
    for (Cycle credit : {0, 1}) expect_same(diamond(60, cap, 9, credit), test_spec());
}

// Reduce + repeat + bypass: the naive-softmax shape in miniature, at several bypass sizes.
Builder softmax_row(int rows, int len, std::uint32_t bypass) {
  return [=](std::vector<std::shared_ptr<SinkRecord>>& sinks) {
    auto g = std::make_unique<Graph>("softmax");
    hw::DataflowSpec s = test_spec();
    g->add(vector_source("src", ramp(rows * len, 0.1f), 1));
    g->add(make_unit(params("fork", UnitKind::kBroadcast), s, nullptr, nullptr));
    g->add(make_unit(params("rmax", UnitKind::kReduce, Op::kMax, len), s, nullptr, nullptr));
    UnitParams rp = params("rep", UnitKind::kRepeat);
    rp.times = len;
    g->add(make_unit(rp, s, nullptr, nullptr));
    g->add(make_unit(params("sub", UnitKind::kMap, Op::kSub), s, nullptr, nullptr));
    sinks.push_back(std::make_shared<SinkRecord>());
    g->add(make_sink("sink", sinks.back()));
    g->connect("src", "out", "fork", "in", chan(1, 4));
    g->connect("fork", "out0", "rmax", "in", chan(1, 4));
    g->connect("fork", "out1", "sub", "a", chan(1, bypass));
    g->connect("rmax", "out", "rep", "in", chan(1, 2));
    g->connect("rep", "out", "sub", "b", chan(1, 2));
    g->connect("sub", "out", "sink", "in", chan(1, 4));
    return g;
  };
}

TEST(EngineVsReference, SoftmaxShapeAcrossBypassSizes) {
  // A row is 10 elements: from 10 on the bypass holds a row (stalls until the reduction's round
  // trip is covered); below a row the fork can never finish one and both report the deadlock.
  for (std::uint32_t b : {10u, 11u, 12u, 13u, 14u, 15u, 20u})
    expect_same(softmax_row(5, 10, b), test_spec());
  for (std::uint32_t b : {6u, 9u}) expect_same(softmax_row(5, 10, b), test_spec(), true);
}

TEST(EngineVsReference, SdpaGraphsBothMappings) {
  for (SdpaGraph kind : {SdpaGraph::kNaive, SdpaGraph::kReordered})
    for (std::int64_t lanes : {1, 2}) {
      SdpaParams p;
      p.graph = kind;
      p.N = 16;
      p.M = 3;
      p.d = 4;
      p.lanes = lanes;
      p.capacity = 4;
      // Between a row and the naive minimum: stalls, and the engine must agree cycle for cycle.
      p.bypass_capacity = p.row_elements() + 1;
      expect_same(
          [&](std::vector<std::shared_ptr<SinkRecord>>&) { return build_sdpa(test_spec(), p); },
          test_spec());
      // At the minimum (0 = computed).
      p.bypass_capacity = 0;
      expect_same(
          [&](std::vector<std::shared_ptr<SinkRecord>>&) { return build_sdpa(test_spec(), p); },
          test_spec());
    }
}

TEST(EngineVsReference, RandomChainsAndDiamonds) {
  std::mt19937 rng(12345);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 25; ++trial) {
    std::vector<int> depth, ii;
    std::vector<std::uint32_t> cap;
    std::vector<Cycle> lat;
    for (int k = 0; k < 3; ++k) {
      depth.push_back(pick(0, 6));
      ii.push_back(pick(1, 3));
      cap.push_back(static_cast<std::uint32_t>(pick(1, 6)));
      lat.push_back(pick(1, 4));
    }
    cap.push_back(static_cast<std::uint32_t>(pick(1, 6)));
    lat.push_back(pick(1, 4));
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_same(chain(pick(5, 60), depth, ii, cap, lat, pick(1, 4)), test_spec());
    expect_same(
        diamond(pick(2, 40) * 2, static_cast<std::uint32_t>(pick(1, 12)), pick(0, 10), pick(0, 2)),
        test_spec());
  }
}

TEST(Engine, DeterministicAcrossRuns) {
  SdpaParams p;
  p.graph = SdpaGraph::kReordered;
  p.N = 64;
  p.M = 4;
  p.d = 8;
  StatsRegistry s1, s2;
  EnergyLedger e1, e2;
  DataflowResult a = run_sdpa(test_spec(), p, s1, e1);
  DataflowResult b = run_sdpa(test_spec(), p, s2, e2);
  EXPECT_EQ(a.total_cycles, b.total_cycles);
  EXPECT_EQ(a.max_error, b.max_error);
  EXPECT_EQ(a.energy_pj, b.energy_pj);
  EXPECT_EQ(s1.to_json().dump(), s2.to_json().dump());
}

}  // namespace
}  // namespace accsim::dataflow
