// SlotPool: released slots are handed out again (newest first), so the pool grows only to the
// most objects alive at once; indices stay valid while other slots come and go.
#include "sim/core/slot_pool.h"

#include <gtest/gtest.h>

namespace accsim::test {
namespace {

TEST(SlotPool, ReusesReleasedSlotsAndGrowsOnlyToThePeak) {
  SlotPool<int> p;
  const std::uint32_t a = p.acquire(), b = p.acquire(), c = p.acquire();
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(c, 2u);
  p[b] = 7;
  p.release(a);
  p.release(c);
  EXPECT_EQ(p.acquire(), c);  // the last released first
  EXPECT_EQ(p.acquire(), a);
  EXPECT_EQ(p[b], 7);
  EXPECT_EQ(p.acquire(), 3u);  // none free: a new slot
  EXPECT_EQ(p.slots().size(), 4u);
  // 1000 more objects, one alive at a time beside the four: one more slot, not 1000.
  for (int i = 0; i < 1000; ++i) p.release(p.acquire());
  EXPECT_EQ(p.slots().size(), 5u);
  EXPECT_THROW(p.at(5), std::out_of_range);
  p.clear();
  EXPECT_EQ(p.acquire(), 0u);
}

}  // namespace
}  // namespace accsim::test
