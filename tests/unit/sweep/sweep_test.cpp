// Sweep files, grid expansion, sampling, objective paths and the Pareto front (sim/sweep).
#include "sim/sweep/sweep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

namespace accsim::sweep {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& text) {
  const std::string path = write_file("bad_sweep.yaml", text);
  try {
    load_sweep(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

const char* kGrid =
    "sweep:\n"
    "  system: sys.yaml\n"
    "  grid:\n"
    "    a.x: [1, 2, 3]\n"
    "    b.y: [p, q]\n";

TEST(Sweep, ExpandsTheGridRowMajorWithStableLabels) {
  SweepSpec s = load_sweep(write_file("g.yaml", kGrid));
  EXPECT_EQ(grid_size(s), 6);
  auto pts = expand(s);
  ASSERT_EQ(pts.size(), 6u);
  EXPECT_EQ(pts[0].label, "p0000");
  EXPECT_EQ(pts[1].set_args(), (std::vector<std::string>{"a.x=1", "b.y=q"}));
  EXPECT_EQ(pts[5].set_args(), (std::vector<std::string>{"a.x=3", "b.y=q"}));
  EXPECT_EQ(pts[4].index, 4);
  // Paths resolve against the sweep file's folder; default objectives are time and energy.
  EXPECT_EQ(s.system,
            (std::filesystem::path(::testing::TempDir()) / "sys.yaml").lexically_normal().string());
  ASSERT_EQ(s.objectives.size(), 2u);
  EXPECT_EQ(s.objectives[1].path, "summary.energy_j");
}

TEST(Sweep, SampleIsDistinctSortedAndDeterministic) {
  std::string text =
      "sweep:\n  system: s.yaml\n  sample: 10\n  seed: 7\n  grid:\n"
      "    a.x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n    b.y: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  auto a = expand(load_sweep(write_file("s1.yaml", text)));
  auto b = expand(load_sweep(write_file("s2.yaml", text)));
  ASSERT_EQ(a.size(), 10u);
  std::set<std::int64_t> idx;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].index, b[i].index);
    if (i) {
      EXPECT_LT(a[i - 1].index, a[i].index);
    }
    idx.insert(a[i].index);
    EXPECT_EQ(a[i].values[0].second, std::to_string(a[i].index / 10));
    EXPECT_EQ(a[i].values[1].second, std::to_string(a[i].index % 10));
  }
  EXPECT_EQ(idx.size(), 10u);
  // Another seed draws another subset.
  std::string other = text;
  other.replace(other.find("seed: 7"), 7, "seed: 8");
  auto c = expand(load_sweep(write_file("s3.yaml", other)));
  bool differs = false;
  for (std::size_t i = 0; i < c.size(); ++i) differs = differs || c[i].index != a[i].index;
  EXPECT_TRUE(differs);
}

TEST(Sweep, NumberAtFollowsDottedPaths) {
  auto j =
      report::Json::parse(R"({"summary": {"energy_j": 2.5, "name": "x"}, "a": {"b": {"c": 3}}})");
  EXPECT_EQ(number_at(j, "summary.energy_j"), 2.5);
  EXPECT_EQ(number_at(j, "a.b.c"), 3.0);
  EXPECT_FALSE(number_at(j, "summary.name").has_value());
  EXPECT_FALSE(number_at(j, "summary.missing").has_value());
  EXPECT_FALSE(number_at(j, "a.b").has_value());
}

TEST(Sweep, ParetoFrontByHand) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // (time min, throughput max): B dominates A; C trades off against B; D duplicates C (both
  // stay: neither is strictly better); E has a NaN.
  std::vector<std::vector<double>> v = {{2, 10}, {1, 20}, {3, 30}, {3, 30}, {nan, 100}, {4, 5}};
  auto f = pareto_front(v, {Goal::kMin, Goal::kMax});
  EXPECT_EQ(f, (std::vector<std::size_t>{1, 2, 3}));
  // One objective: the best value(s).
  EXPECT_EQ(pareto_front({{3}, {1}, {1}, {2}}, {Goal::kMin}), (std::vector<std::size_t>{1, 2}));
  EXPECT_TRUE(pareto_front({}, {Goal::kMin}).empty());
}

TEST(Sweep, BadFilesNameThePlace) {
  std::string m = error_of("sweep:\n  system: s.yaml\n  grdi:\n    a.x: [1]\n");
  EXPECT_NE(m.find("bad_sweep.yaml:3:3"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'grid'"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n");
  EXPECT_NE(m.find("sweep.grid"), std::string::npos) << m;
  m = error_of("sweep:\n  grid:\n    a.x: [1]\n");
  EXPECT_NE(m.find("sweep.system"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n  grid:\n    a.x: [1, 1]\n");
  EXPECT_NE(m.find("lists '1' twice"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n  grid:\n    a.x: []\n");
  EXPECT_NE(m.find("non-empty list"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n  sample: 3\n  grid:\n    a.x: [1, 2]\n");
  EXPECT_NE(m.find("more than the 2 points"), std::string::npos) << m;
  m = error_of(
      "sweep:\n  system: s.yaml\n  grid:\n    a.x: [1]\n  objectives:\n"
      "    - {path: summary.energy_j, goal: lowest}\n");
  EXPECT_NE(m.find("expected min or max"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n  grid:\n    'a x': [1]\n");
  EXPECT_NE(m.find("not a parameter path"), std::string::npos) << m;
  m = error_of("sweep:\n  system: s.yaml\n  set: [nokey]\n  grid:\n    a.x: [1]\n");
  EXPECT_NE(m.find("not key=value"), std::string::npos) << m;
  for (const char* name : {"..", ".", "../../x", "a/b"}) {
    m = error_of(std::string("sweep:\n  name: '") + name +
                 "'\n  system: s.yaml\n  grid:\n    a.x: [1]\n");
    EXPECT_NE(m.find("bad_sweep.yaml:2:"), std::string::npos) << name << ": " << m;
    EXPECT_NE(m.find("plain file name"), std::string::npos) << name << ": " << m;
  }
  // 10^7 points without a sample are refused before anything runs.
  std::string big = "sweep:\n  system: s.yaml\n  grid:\n";
  for (int k = 0; k < 7; ++k) big += "    k.p" + std::to_string(k) + ": [0,1,2,3,4,5,6,7,8,9]\n";
  m = error_of(big);
  EXPECT_NE(m.find("give 'sweep.sample'"), std::string::npos) << m;
}

}  // namespace
}  // namespace accsim::sweep
