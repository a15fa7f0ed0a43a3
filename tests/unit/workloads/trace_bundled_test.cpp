// The traces bundled in workloads/traces/: each is exactly what its documented generator
// parameters produce, small, and has the property its name promises.
// Regenerate them with:  ACCSIM_UPDATE_BUNDLED_TRACES=1 test_workloads --gtest_filter='Bundled*'
// (or `accsim trace gen --bundled workloads/traces` once the CLI offers it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "workloads/trace/pattern_gen.h"

namespace accsim::workloads {
namespace {

const std::string kDir = std::string(ACCSIM_SOURCE_DIR) + "/workloads/traces";

std::vector<AccessRecord> generated(const PatternParams& p) {
  auto rd = make_pattern_reader(p);
  std::vector<AccessRecord> v;
  AccessRecord r;
  while (rd->next(r)) v.push_back(r);
  return v;
}

TEST(BundledTraces, MatchTheirGeneratorAndStaySmall) {
  if (const char* u = std::getenv("ACCSIM_UPDATE_BUNDLED_TRACES"); u && std::string(u) == "1")
    write_bundled_traces(kDir);
  ASSERT_EQ(bundled_traces().size(), 3u);
  for (const auto& b : bundled_traces()) {
    SCOPED_TRACE(b.file);
    const std::string p = kDir + "/" + b.file;
    ASSERT_TRUE(std::filesystem::exists(p)) << "regenerate with ACCSIM_UPDATE_BUNDLED_TRACES=1";
    EXPECT_LT(std::filesystem::file_size(p), 1u << 20);
    AccessTraceMeta m;
    const auto recs = read_access_trace(p, &m);
    EXPECT_EQ(recs, generated(b.params));
    EXPECT_EQ(m.to_json(), make_pattern_reader(b.params)->meta().to_json());
    AccessTraceReader rd(p);
    EXPECT_EQ(rd.header().compression, Compression::kZstd);
  }
}

TEST(BundledTraces, SequentialStreamIsContiguousReads) {
  const auto v = generated(bundled_traces()[0].params);
  ASSERT_EQ(v.size(), 65536u);
  for (std::size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(v[i].address, i * 64);
    ASSERT_EQ(v[i].kind, 0);
    ASSERT_EQ(v[i].size, 64u);
  }
}

TEST(BundledTraces, RandomMixHasTheDocumentedWriteShare) {
  const auto& p = bundled_traces()[1].params;
  const auto v = generated(p);
  ASSERT_EQ(v.size(), 32768u);
  std::size_t writes = 0;
  std::set<std::uint64_t> distinct;
  for (const auto& r : v) {
    writes += r.kind == 1;
    ASSERT_LT(r.address, 1ull << 30);
    ASSERT_EQ(r.address % 64, 0u);
    distinct.insert(r.address);
  }
  // 30% writes; 4 standard deviations of a binomial(32768, 0.3) is 0.010.
  EXPECT_NEAR(static_cast<double>(writes) / v.size(), 0.3, 0.010);
  // 32768 draws from 16 M slots: nearly all distinct (expected repeats ≈ 32).
  EXPECT_GT(distinct.size(), 32768u - 100);
}

TEST(BundledTraces, ConflictPatternNeverRepeatsARowWithinItsCycle) {
  const auto& p = bundled_traces()[2].params;
  const auto v = generated(p);
  for (std::size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(v[i].address % (16u << 20), 0u);  // only bits at and above 16 MiB vary
    ASSERT_EQ(v[i].address, (i % 64) * (16u << 20));
    ASSERT_LT(v[i].address, 1ull << 30);  // inside the smallest preset (LPDDR5, 1 GiB)
  }
}

TEST(PatternGen, SameParametersSameTraceDifferentSeedDifferentTrace) {
  PatternParams p;
  p.pattern = AccessPattern::kRandom;
  p.count = 1000;
  p.write_fraction = 0.5;
  EXPECT_EQ(generated(p), generated(p));
  auto q = p;
  q.seed = 2;
  EXPECT_NE(generated(p), generated(q));
}

TEST(PatternGen, TimestampsFollowTheInterval) {
  PatternParams p;
  p.count = 4;
  p.interval_ns = 5;
  auto rd = make_pattern_reader(p);
  EXPECT_EQ(rd->meta().timestamp_unit, TimestampUnit::kNs);
  const auto v = generated(p);
  EXPECT_EQ(v[3].timestamp, 15u);
}

TEST(PatternGen, BadParametersAreUsageErrors) {
  PatternParams p;
  p.count = 0;
  EXPECT_THROW(check_pattern(p), Error);
  p.count = 1;
  p.write_fraction = 1.5;
  EXPECT_THROW(check_pattern(p), Error);
  p.write_fraction = 0;
  p.pattern = AccessPattern::kRandom;
  p.span = 32;
  EXPECT_THROW(check_pattern(p), Error);
  p.pattern = AccessPattern::kSequential;
  p.base = ~0ull - 10;
  try {
    check_pattern(p);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("wrap"), std::string::npos);
  }
}

}  // namespace
}  // namespace accsim::workloads
