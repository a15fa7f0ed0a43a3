#include <gtest/gtest.h>

#include "sim/core/energy.h"
#include "sim/core/registry.h"
#include "sim/core/stats.h"

namespace accsim {
namespace {

TEST(Stats, DistributionPercentilesAreExactNearestRank) {
  Distribution d;
  for (std::uint64_t v = 1; v <= 100; ++v) d.add(v);
  d.add(1000000);  // sparse range
  EXPECT_EQ(d.count(), 101u);
  EXPECT_EQ(d.percentile(50), 51u);
  EXPECT_EQ(d.percentile(99), 100u);
  EXPECT_EQ(d.percentile(100), 1000000u);
  EXPECT_EQ(d.min(), 1u);
  EXPECT_EQ(d.max(), 1000000u);
  EXPECT_NEAR(d.mean(), (5050.0 + 1e6) / 101.0, 1e-9);
  Distribution empty;
  EXPECT_EQ(empty.percentile(50), 0u);
}

TEST(Stats, DistributionAddsRepeatedSamplesAtOnce) {
  Distribution a, b;
  for (int i = 0; i < 3; ++i) a.add(7);
  a.add(70000);
  a.add(70000);
  b.add(7, 3);
  b.add(70000, 2);
  b.add(5, 0);  // no samples: no effect
  EXPECT_EQ(b.count(), a.count());
  EXPECT_EQ(b.min(), 7u);
  EXPECT_DOUBLE_EQ(b.mean(), a.mean());
  for (const double p : {1.0, 50.0, 60.0, 61.0, 100.0}) EXPECT_EQ(b.percentile(p), a.percentile(p));
}

TEST(Stats, OccupancyIsTimeWeighted) {
  Occupancy o;
  o.set(0, 2);   // 2 for 10 cycles
  o.set(10, 6);  // 6 for 30 cycles
  o.set(40, 0);  // 0 for 60 cycles
  o.finish(100);
  EXPECT_EQ(o.peak(), 6);
  EXPECT_DOUBLE_EQ(o.mean(), (2.0 * 10 + 6.0 * 30) / 100.0);
}

TEST(Stats, GroupJsonKeepsOrderUnitsAndFormulas) {
  StatsGroup g("dram.ch0");
  Counter& rd = g.counter("reads", "read requests", "requests");
  g.formula("double_reads", "twice the reads", "requests",
            [&rd] { return 2.0 * static_cast<double>(rd.value()); });
  rd.inc(21);
  Json j = g.to_json();
  EXPECT_EQ(j.begin().key(), "reads");
  EXPECT_EQ(j["double_reads"]["value"], 42.0);
  EXPECT_EQ(j["reads"]["unit"], "requests");
  EXPECT_EQ(g.value("double_reads"), 42.0);
  EXPECT_THROW(g.counter("reads", "again", "x"), Error);
  EXPECT_THROW(g.value("nope"), Error);
}

TEST(Energy, LedgerSumsActionsAccumulatedAndStatic) {
  EnergyLedger l;
  auto act = l.action("dram", "ACT", 2.5, "test");
  l.count(act, 4);
  l.add_pj("dram", "background", 10.0, "test");
  l.static_power("asic", "leakage", 0.001, "test");  // 1 mW for 1 us = 1 nJ = 1000 pJ
  l.finalize(1e-6);
  EXPECT_DOUBLE_EQ(l.dynamic_pj(), 20.0);
  EXPECT_DOUBLE_EQ(l.static_pj(), 1000.0);
  EXPECT_DOUBLE_EQ(l.total_pj(), 1020.0);
  EXPECT_DOUBLE_EQ(l.component_pj("dram"), 20.0);
  Json j = l.to_json();
  EXPECT_EQ(j["components"]["dram"]["actions"]["ACT"]["count"], 4);
  EXPECT_EQ(j["components"]["asic"]["actions"]["leakage"]["source"], "test");
  EXPECT_THROW(l.action("dram", "ACT", 3.0, "other"), Error);
  EXPECT_THROW(l.action("dram", "X", -1.0, "neg"), Error);
}

struct Shape {
  using Factory = int (*)();
};
int make_three() {
  return 3;
}
ACCSIM_REGISTER(Shape, "three", "the number three", &make_three);

TEST(Registry, UnknownNameListsRegistered) {
  EXPECT_EQ(Registry<Shape>::instance().get("three", "shape").make(), 3);
  try {
    Registry<Shape>::instance().get("four", "shape");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown shape 'four'; registered: three"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace accsim
