// AccessTraceSource: records become MemRequests (kinds, ids, origin, timestamp units).
#include <gtest/gtest.h>

#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/trace/trace_file.h"

namespace accsim::workloads {
namespace {

using testing::write_text;

class TraceSource : public testing::TraceTest {
 protected:
  std::vector<MemRequest> replay(const std::vector<AccessRecord>& recs, const AccessTraceMeta& m,
                                 ReplayOptions o = {}) {
    write_access_trace(path("t.atrace"), m, recs);
    auto src = open_trace_source(path("t.atrace"), {}, {}, o);
    std::vector<MemRequest> v;
    MemRequest q;
    while (src->next(q)) v.push_back(q);
    EXPECT_FALSE(src->next(q));
    return v;
  }
};

TEST_F(TraceSource, KindsIdsAndOriginFields) {
  std::vector<AccessRecord> recs(3);
  recs[0].address = 0x100;
  recs[0].kind = 0;
  recs[0].sm = 7;
  recs[0].cta = 99;
  recs[0].warp = 3;
  recs[0].size = 32;
  recs[1].address = 0x200;
  recs[1].kind = 2;
  recs[2].address = 0x300;
  recs[2].kind = 1;
  const auto v = replay(recs, AccessTraceMeta{});
  ASSERT_EQ(v.size(), 4u);  // the atomic is a read and a write
  EXPECT_EQ(v[0].addr, 0x100u);
  EXPECT_FALSE(v[0].is_write);
  EXPECT_EQ(v[0].sm, 7);
  EXPECT_EQ(v[0].cta, 99u);
  EXPECT_EQ(v[0].warp, 3);
  EXPECT_EQ(v[0].size, 32u);
  EXPECT_EQ(v[1].addr, 0x200u);
  EXPECT_FALSE(v[1].is_write);
  EXPECT_EQ(v[2].addr, 0x200u);
  EXPECT_TRUE(v[2].is_write);
  EXPECT_EQ(v[3].addr, 0x300u);
  EXPECT_TRUE(v[3].is_write);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i].id, i);
    EXPECT_EQ(v[i].not_before_ps, 0);  // unit "none"
  }
}

TEST_F(TraceSource, NanosecondTimestampsCountFromTheFirstRecord) {
  std::vector<AccessRecord> recs(3);
  recs[0].timestamp = 1'700'000'000'000'000'500ull;
  recs[1].timestamp = 1'700'000'000'000'000'000ull;  // earlier than the origin: clamps to 0
  recs[2].timestamp = 1'700'000'000'000'002'000ull;
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  const auto v = replay(recs, m);
  EXPECT_EQ(v[0].not_before_ps, 0);
  EXPECT_EQ(v[1].not_before_ps, 0);
  EXPECT_EQ(v[2].not_before_ps, 1'500'000);
  ReplayOptions off;
  off.use_timestamps = false;
  EXPECT_EQ(replay(recs, m, off)[2].not_before_ps, 0);
}

TEST_F(TraceSource, MetadataOriginAndCycleUnits) {
  std::vector<AccessRecord> recs(2);
  recs[0].timestamp = 100;
  recs[1].timestamp = 1090;
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kSmCycle;
  m.sm_clock_mhz = 1980;
  m.time_origin = 90;
  const auto v = replay(recs, m);
  // 10 cycles at 1980 MHz = 5050.5 ps -> 5051 (nearest); 1000 cycles = 505050.5 ps -> 505051.
  EXPECT_EQ(v[0].not_before_ps, 5051);
  EXPECT_EQ(v[1].not_before_ps, 505051);
}

TEST_F(TraceSource, OverflowingTimestampIsAnInputError) {
  std::vector<AccessRecord> recs(2);
  recs[1].timestamp = ~0ull;
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  write_access_trace(path("t.atrace"), m, recs);
  auto src = open_trace_source(path("t.atrace"));
  MemRequest q;
  ASSERT_TRUE(src->next(q));
  testing::expect_input_error([&] { src->next(q); }, {path("t.atrace"), "record 1", "2^63 ps"});
}

TEST_F(TraceSource, DescribeNamesTheFile) {
  write_access_trace(path("t.atrace"), AccessTraceMeta{}, std::vector<AccessRecord>(5));
  auto src = open_trace_source(path("t.atrace"));
  EXPECT_EQ(src->describe(), "atrace trace " + path("t.atrace") + " (5 records)");
}

TEST_F(TraceSource, PeerTextFormatsReplayToo) {
  write_text(path("r.trace"), "LD 0x40\nST 0x80\n");
  auto src = open_trace_source(path("r.trace"));
  MemRequest q;
  ASSERT_TRUE(src->next(q));
  EXPECT_EQ(q.addr, 0x40u);
  EXPECT_EQ(q.size, 64u);
  ASSERT_TRUE(src->next(q));
  EXPECT_TRUE(q.is_write);
  EXPECT_EQ(q.id, 1u);
  EXPECT_FALSE(src->next(q));
  write_text(path("t.stl"), "0: read 0x0\n800: write 0x40\n");
  PeerReadOptions o;
  o.stl_clock_mhz = 800;  // 1.25 ns per cycle
  auto stl = open_trace_source(path("t.stl"), {}, o);
  ASSERT_TRUE(stl->next(q));
  ASSERT_TRUE(stl->next(q));
  EXPECT_EQ(q.not_before_ps, 1'000'000);
}

}  // namespace
}  // namespace accsim::workloads
