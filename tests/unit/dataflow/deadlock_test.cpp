// Deadlocks end the run with a report (blocked units, what each waits for, full and empty
// channels), never a hang.
#include <gtest/gtest.h>

#include "tests/unit/dataflow/helpers.h"

namespace accsim::dataflow {
namespace {

using testing::chan;
using testing::params;
using testing::test_spec;
using testing::vector_source;

TEST(Deadlock, CycleWithoutInitialTokenIsReported) {
  // add.b is fed from add's own output: no element can ever be first.
  Graph g("loop");
  hw::DataflowSpec s = test_spec();
  g.add(vector_source("src", {1, 2, 3}, 1));
  g.add(make_unit(params("add", UnitKind::kMap, Op::kAdd), s, nullptr, nullptr));
  UnitParams b = params("fork", UnitKind::kBroadcast);
  g.add(make_unit(b, s, nullptr, nullptr));
  auto rec = std::make_shared<SinkRecord>();
  g.add(make_sink("sink", rec));
  g.connect("src", "out", "add", "a", chan(1, 4));
  g.connect("add", "out", "fork", "in", chan(1, 4));
  g.connect("fork", "out0", "add", "b", chan(1, 4));
  g.connect("fork", "out1", "sink", "in", chan(1, 4));
  DataflowResult r = run(g, s);
  ASSERT_TRUE(r.deadlocked());
  const DeadlockReport& d = *r.deadlock;
  ASSERT_EQ(d.blocked.size(), 3u);  // add, fork, sink; the source finished
  EXPECT_EQ(d.blocked[0].unit, "add");
  EXPECT_TRUE(d.blocked[0].waits_for_data);
  EXPECT_EQ(d.blocked[0].port, "b");
  EXPECT_EQ(d.blocked[0].channel, "fork.out0->add.b");
  EXPECT_TRUE(d.full_channels.empty());
  std::string text = d.text();
  EXPECT_NE(text.find("add (next firing not before cycle 0) waits for data on input 'b'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fork.out0->add.b (0/4)"), std::string::npos) << text;
  EXPECT_TRUE(rec->values.empty());
}

TEST(Deadlock, NaiveSdpaWithBypassBelowARow) {
  SdpaParams p;
  p.graph = SdpaGraph::kNaive;
  p.N = 64;
  p.M = 2;
  p.d = 8;
  p.bypass_capacity = 32;  // half a row
  StatsRegistry stats;
  EnergyLedger energy;
  DataflowResult r = run_sdpa(test_spec(), p, stats, energy);
  ASSERT_TRUE(r.deadlocked());
  EXPECT_FALSE(r.output_ok);
  EXPECT_EQ(stats.group("dataflow").value("deadlocked"), 1.0);
  const DeadlockReport& d = *r.deadlock;
  // The fork cannot push into the full bypass; the row max never sees the rest of the row.
  bool fork_blocked = false, rmax_starved = false;
  for (const auto& b : d.blocked) {
    if (b.unit == "fork1") {
      fork_blocked = !b.waits_for_data && b.channel == "fork1.out1->sub.a";
    }
    if (b.unit == "rmax") rmax_starved = b.waits_for_data && b.channel == "fork1.out0->rmax.in";
  }
  EXPECT_TRUE(fork_blocked) << d.text();
  EXPECT_TRUE(rmax_starved) << d.text();
  bool bypass_full = false;
  for (const auto& c : d.full_channels)
    bypass_full = bypass_full || c == "fork1.out1->sub.a (32/32)";
  EXPECT_TRUE(bypass_full) << d.text();
  // The bypass held exactly its capacity: 32 scores of the first row.
  EXPECT_EQ(r.channel("fork1.out1->sub.a").peak_occupancy, 32u);
  EXPECT_EQ(r.unit("rmax").firings, 32u);
}

TEST(Deadlock, NaiveSdpaWithBypassOfARowStallsInstead) {
  SdpaParams p;
  p.graph = SdpaGraph::kNaive;
  p.N = 64;
  p.M = 8;
  p.d = 8;
  p.bypass_capacity = 64;  // a whole row but not the reduction's round trip
  StatsRegistry stats;
  EnergyLedger energy;
  DataflowResult r = run_sdpa(test_spec(), p, stats, energy);
  ASSERT_FALSE(r.deadlocked());
  EXPECT_TRUE(r.output_ok);
  EXPECT_LT(r.sustained_fraction, 1.0);
  // The fork waits for bypass slots every row; once the channel in front of it is full, qk is
  // held back too. The end of the score stream sees every row take longer than a row.
  EXPECT_GT(r.unit("fork1").blocked_cycles, 0u);
  EXPECT_GT(r.unit("qk").blocked_cycles, 0u);
  const UnitReport& pv = r.unit("pv");
  EXPECT_GT(pv.last_fire - pv.first_fire + 1, static_cast<Cycle>(pv.firings));
  EXPECT_EQ(r.channel("fork1.out1->sub.a").peak_occupancy, 64u);
}

}  // namespace
}  // namespace accsim::dataflow
