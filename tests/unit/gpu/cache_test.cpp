// The sectored cache: sector-granular hits, LRU replacement within a set, dirty sectors written
// back with their own addresses when their line is evicted.
#include "models/gpu/impl/cache.h"

#include <gtest/gtest.h>

namespace accsim::test {
namespace {

TEST(GpuSectorCache, HitsAreSectorGranular) {
  gpu::SectorCache c(4, 2, 128, 32);
  EXPECT_FALSE(c.lookup(0x1000));
  c.fill(0x1000, false, nullptr);
  EXPECT_TRUE(c.lookup(0x1000));
  EXPECT_TRUE(c.lookup(0x101f));   // same sector
  EXPECT_FALSE(c.lookup(0x1020));  // same line, other sector: not fetched
  c.fill(0x1020, false, nullptr);
  EXPECT_TRUE(c.lookup(0x1020));
}

TEST(GpuSectorCache, LeastRecentlyUsedLineIsEvicted) {
  gpu::SectorCache c(1, 2, 128, 32);  // one set, two ways
  c.fill(0x000, false, nullptr);
  c.fill(0x080, false, nullptr);
  EXPECT_TRUE(c.lookup(0x000));   // 0x000 now most recent
  c.fill(0x100, false, nullptr);  // evicts 0x080
  EXPECT_TRUE(c.lookup(0x000));
  EXPECT_FALSE(c.lookup(0x080));
  EXPECT_TRUE(c.lookup(0x100));
  EXPECT_EQ(c.evictions(), 1u);
}

TEST(GpuSectorCache, DirtySectorsAreWrittenBackOnEviction) {
  gpu::SectorCache c(1, 1, 128, 32);
  c.fill(0x200, true, nullptr);
  c.fill(0x260, false, nullptr);
  EXPECT_TRUE(c.mark_dirty(0x260));
  EXPECT_FALSE(c.mark_dirty(0x240));  // not present
  EXPECT_EQ(c.dirty_sectors(), 2u);
  std::vector<std::uint64_t> wb;
  c.fill(0x400, false, &wb);
  ASSERT_EQ(wb.size(), 2u);
  EXPECT_EQ(wb[0], 0x200u);
  EXPECT_EQ(wb[1], 0x260u);
  EXPECT_EQ(c.dirty_sectors(), 0u);
}

// The set of a line is line mod sets for any set count (the H100's L2 slice has 320 sets), also
// for line numbers near 2^64 where the multiply-high estimate of the quotient is furthest off:
// with one way, two lines evict each other exactly when they fall in one set.
TEST(GpuSectorCache, SetIndexIsLineModSetsForAnySetCount) {
  const std::uint64_t lines[] = {
      0, 1, 319, 320, 641, 123456789, (std::uint64_t{1} << 57) - 1, (std::uint64_t{1} << 57) - 320};
  for (const std::int64_t sets : {1, 3, 320, 1000, 4096}) {
    for (const std::uint64_t a : lines) {
      for (const std::uint64_t b : lines) {
        if (a == b) continue;
        gpu::SectorCache c(sets, 1, 128, 32);
        c.fill(a * 128, false, nullptr);
        c.fill(b * 128, false, nullptr);
        const bool same_set =
            a % static_cast<std::uint64_t>(sets) == b % static_cast<std::uint64_t>(sets);
        EXPECT_EQ(c.lookup(a * 128), !same_set) << "sets " << sets << ", lines " << a << ", " << b;
      }
    }
  }
}

}  // namespace
}  // namespace accsim::test
