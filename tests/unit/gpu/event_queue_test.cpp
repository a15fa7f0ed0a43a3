// The GPU replay's calendar queue against a binary heap ordered by (cycle, push sequence): the
// same events come out in the same order under randomized traffic, with events within the ring's
// span, beyond it (the heap) and in the current cycle; peek() sees the events still to come in
// the current cycle; an event in the past is an error.
#include "models/gpu/impl/event_queue.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <queue>
#include <random>
#include <tuple>
#include <vector>

namespace accsim::test {
namespace {

using Q = gpu::CalendarQueue<std::uint32_t>;

TEST(GpuEventQueue, TakesEventsInCycleThenPushOrderLikeAHeap) {
  std::mt19937_64 rng(12345);
  Q q;
  using Ref = std::tuple<std::int64_t, std::uint64_t, std::uint32_t>;  // cycle, sequence, id
  std::priority_queue<Ref, std::vector<Ref>, std::greater<>> ref;
  std::uint64_t seq = 0;
  std::uint32_t id = 0;
  std::int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    if (ref.empty() || rng() % 3 != 0) {
      // Mostly a few hundred cycles ahead, some in this cycle, some beyond the ring.
      const std::uint64_t r = rng() % 100;
      const std::int64_t ahead = r < 10   ? 0
                                 : r < 90 ? static_cast<std::int64_t>(rng() % 600)
                                          : Q::kSpan + static_cast<std::int64_t>(rng() % 20000);
      q.push(now + ahead, id);
      ref.emplace(now + ahead, seq++, id++);
      continue;
    }
    ASSERT_EQ(q.next_time(), std::get<0>(ref.top()));
    std::int64_t t = 0;
    const std::uint32_t got = q.pop(t);
    ASSERT_EQ(t, std::get<0>(ref.top()));
    ASSERT_EQ(got, std::get<2>(ref.top())) << "step " << step;
    ref.pop();
    now = t;
  }
  while (!ref.empty()) {
    std::int64_t t = 0;
    ASSERT_EQ(q.pop(t), std::get<2>(ref.top()));
    ref.pop();
  }
  EXPECT_TRUE(q.empty());
}

TEST(GpuEventQueue, PeekSeesTheRestOfTheCurrentCycleOnly) {
  Q q;
  q.push(5, 1);
  q.push(5, 2);
  q.push(5, 3);
  q.push(6, 4);
  std::int64_t t = 0;
  EXPECT_EQ(q.pop(t), 1u);
  ASSERT_NE(q.peek(0), nullptr);
  EXPECT_EQ(*q.peek(0), 2u);
  ASSERT_NE(q.peek(1), nullptr);
  EXPECT_EQ(*q.peek(1), 3u);
  EXPECT_EQ(q.peek(2), nullptr);  // cycle 6 is another bucket
  EXPECT_EQ(q.pop(t), 2u);
  EXPECT_EQ(q.pop(t), 3u);
  EXPECT_EQ(q.pop(t), 4u);
  EXPECT_EQ(t, 6);
  EXPECT_THROW(q.push(5, 9), Error);  // before the current cycle
}

}  // namespace
}  // namespace accsim::test
