// Channels: an element sent at t is receivable at t + latency exactly; a full channel
// back-pressures its producer; a slot freed at r is reusable at r + credit_latency.
#include <gtest/gtest.h>

#include "tests/unit/dataflow/helpers.h"
#include "tests/unit/dataflow/reference_sim.h"

namespace accsim::dataflow {
namespace {

using testing::chan;
using testing::test_spec;
using testing::vector_source;

struct Pipe {
  Graph g{"pipe"};
  std::shared_ptr<SinkRecord> rec = std::make_shared<SinkRecord>();
};

std::unique_ptr<Pipe> pipe(int n, ChannelParams c, int src_ii = 1, int sink_ii = 1) {
  auto p = std::make_unique<Pipe>();
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(i);
  p->g.add(vector_source("src", v, 1, src_ii));
  p->g.add(make_sink("sink", p->rec, sink_ii));
  p->g.connect("src", "out", "sink", "in", c);
  return p;
}

class LatencyTest : public ::testing::TestWithParam<int> {};

TEST_P(LatencyTest, ReceivableExactlyAtSendPlusLatency) {
  const int L = GetParam();
  auto p = pipe(5, chan(1, 64, L));
  std::vector<std::vector<Cycle>> fired;
  RunOptions o;
  o.record_firings = true;
  o.firings_out = &fired;
  DataflowResult r = run(p->g, test_spec(), o);
  ASSERT_FALSE(r.deadlocked());
  ASSERT_EQ(fired[0].size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(fired[0][static_cast<std::size_t>(i)], i) << "source sends every cycle";
    // Not at send + latency - 1: the element is not there yet.
    EXPECT_EQ(p->rec->receive_at[static_cast<std::size_t>(i)], i + L);
    EXPECT_EQ(p->rec->values[static_cast<std::size_t>(i)], static_cast<float>(i));
  }
  EXPECT_EQ(r.total_cycles, 4 + L + 1);
  EXPECT_EQ(r.unit("sink").starved_cycles, static_cast<std::uint64_t>(L));
}

INSTANTIATE_TEST_SUITE_P(Latencies, LatencyTest, ::testing::Values(1, 2, 3, 7, 40));

TEST(Channel, FullChannelBackPressuresProducer) {
  // Capacity 2, latency 1, a consumer that takes one element every 4 cycles.
  auto p = pipe(6, chan(1, 2, 1), 1, 4);
  std::vector<std::vector<Cycle>> fired;
  RunOptions o;
  o.record_firings = true;
  o.firings_out = &fired;
  DataflowResult r = run(p->g, test_spec(), o);
  // Receives at 1, 5, 9, 13, 17, 21. Send k needs element k-2 received: 0, 1, 2(>=1), 5, 9, 13.
  EXPECT_EQ(p->rec->receive_at, (std::vector<Cycle>{1, 5, 9, 13, 17, 21}));
  EXPECT_EQ(fired[0], (std::vector<Cycle>{0, 1, 2, 5, 9, 13}));
  EXPECT_EQ(r.unit("src").blocked_cycles, (5 - 3) + (9 - 6) + (13 - 10));
  EXPECT_EQ(r.unit("src").starved_cycles, 0u);
  EXPECT_EQ(r.channel("src.out->sink.in").peak_occupancy, 2u);
}

TEST(Channel, SlotFreedAtReceivePlusCreditLatency) {
  for (Cycle credit : {0, 1, 3}) {
    auto p = pipe(4, chan(1, 1, 1, credit));
    std::vector<std::vector<Cycle>> fired;
    RunOptions o;
    o.record_firings = true;
    o.firings_out = &fired;
    run(p->g, test_spec(), o);
    // Capacity 1: send k+1 waits for receive k (= send k + 1) plus the credit delay.
    for (std::size_t k = 0; k + 1 < fired[0].size(); ++k)
      EXPECT_EQ(fired[0][k + 1], fired[0][k] + 1 + credit) << "credit " << credit;
  }
}

TEST(Channel, ThroughputIsCapacityOverRoundTrip) {
  // With reservation at issue, one slot cycles every depth + latency + credit cycles, so the
  // rate is min(1, C / (L + credit)) for a depth-0 producer.
  struct Case {
    std::uint32_t cap;
    Cycle lat, credit;
    Cycle period_x100;
  };
  for (const Case& c : {Case{1, 2, 0, 200}, Case{2, 2, 0, 100}, Case{2, 3, 1, 200},
                        Case{3, 4, 2, 200}, Case{4, 3, 1, 100}}) {
    const int n = 397;  // n - 1 divisible by every capacity: whole bursts
    auto p = pipe(n, chan(1, c.cap, c.lat, c.credit));
    DataflowResult r = run(p->g, test_spec());
    const Cycle span = p->rec->receive_at.back() - p->rec->receive_at.front();
    // Steady state: n-1 intervals of round_trip / cap cycles (exact for these divisible cases).
    EXPECT_EQ(span * 100 / (n - 1), c.period_x100)
        << "cap " << c.cap << " lat " << c.lat << " credit " << c.credit;
    EXPECT_LE(r.channel("src.out->sink.in").peak_occupancy, c.cap);
  }
}

TEST(Channel, OccupancyStatsMatchReference) {
  for (std::uint32_t cap : {1u, 2u, 5u, 9u}) {
    auto a = pipe(50, chan(1, cap, 3, 1), 1, 2);
    auto b = pipe(50, chan(1, cap, 3, 1), 1, 2);
    DataflowResult r = run(a->g, test_spec());
    testing::RefResult ref = testing::reference_run(b->g, test_spec());
    EXPECT_EQ(r.channels[0].peak_occupancy, ref.peak[0]) << "cap " << cap;
    EXPECT_EQ(r.total_cycles, ref.total_cycles);
    EXPECT_GT(r.channels[0].mean_occupancy, 0.0);
    EXPECT_LE(r.channels[0].mean_occupancy, static_cast<double>(cap));
  }
}

TEST(Channel, ClosedAfterProducerFinishes) {
  auto p = pipe(3, chan(1, 4, 1));
  DataflowResult r = run(p->g, test_spec());
  EXPECT_FALSE(r.deadlocked());
  EXPECT_TRUE(r.unit("sink").finished);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.element_transfers, 3u);
}

}  // namespace
}  // namespace accsim::dataflow
