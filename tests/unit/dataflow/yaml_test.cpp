// Graph files: a good one runs; every kind of mistake is a config error at file:line:col that
// says what was expected.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/error.h"
#include "tests/unit/dataflow/helpers.h"

namespace accsim::dataflow {
namespace {

using testing::test_spec;

// Line numbers matter: the error tests below point into this text.
const char* kGood =
    "graph:\n"                                                                // 1
    "  name: t\n"                                                             // 2
    "  tensors:\n"                                                            // 3
    "    - {name: X, rows: 8, cols: 4, init: uniform, seed: 3}\n"             // 4
    "    - {name: Y, rows: 8, cols: 4}\n"                                     // 5
    "  units:\n"                                                              // 6
    "    - {name: rd, kind: mem_read, tensor: X}\n"                           // 7
    "    - {name: sq, kind: map, op: mul}\n"                                  // 8
    "    - {name: fork, kind: broadcast, outputs: 2}\n"                       // 9
    "    - {name: wr, kind: mem_write, tensor: Y}\n"                          // 10
    "  channels:\n"                                                           // 11
    "    - {from: rd.out, to: fork.in, capacity: 4, latency: 1, width: 4}\n"  // 12
    "    - {from: fork.out0, to: sq.a, capacity: 4, width: 4}\n"              // 13
    "    - {from: fork.out1, to: sq.b, capacity: 4, width: 4}\n"              // 14
    "    - {from: sq.out, to: wr.in, capacity: 4, latency: 2, width: 4}\n";   // 15

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::unique_ptr<Graph> load(const std::string& text) {
  config::Origin o("g.yaml");
  return load_graph(config::load_yaml_string(text, "g.yaml"), o, test_spec());
}

// Loading `text` fails with a config error whose message starts with `where` and contains `what`.
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  try {
    auto g = load(text);
    ADD_FAILURE() << "no error; expected " << where << " ... " << what;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig) << e.what();
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(where, 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

TEST(GraphYaml, GoodGraphRunsAndComputes) {
  auto g = load(kGood);
  Tensor& x = g->store().get("X");
  std::vector<float> want;
  for (float v : x.data) want.push_back(v * v);
  DataflowResult r = run(*g, test_spec());
  EXPECT_FALSE(r.deadlocked());
  EXPECT_EQ(g->store().get("Y").data, want);
  EXPECT_EQ(r.unit("sq").firings, 8u);
  EXPECT_EQ(r.channel("sq.out->wr.in").latency, 2);
}

TEST(GraphYaml, UnknownUnitKind) {
  expect_error(replace(kGood, "kind: map", "kind: mapp"),
               "g.yaml:8:", "unknown unit kind 'mapp'; expected one of map, reduce");
  expect_error(replace(kGood, "kind: map", "kind: mapp"), "g.yaml:8:", "did you mean 'map'");
}

TEST(GraphYaml, ChannelToNonexistentUnitOrPort) {
  expect_error(replace(kGood, "to: wr.in", "to: wrr.in"),
               "g.yaml:15:", "unknown unit 'wrr'; units: rd, sq, fork, wr (did you mean 'wr'?)");
  expect_error(replace(kGood, "to: sq.a", "to: sq.c"),
               "g.yaml:13:", "unit 'sq' (map) has no input port 'c'; its inputs: a, b");
  expect_error(replace(kGood, "from: rd.out", "from: rd.a"),
               "g.yaml:12:", "has no output port 'a'; its outputs: out");
  expect_error(replace(kGood, "from: rd.out", "from: rdout"),
               "g.yaml:12:", "'rdout' is not '<unit>.<port>'");
}

TEST(GraphYaml, UnconnectedPort) {
  expect_error(replace(kGood, "    - {from: fork.out1, to: sq.b, capacity: 4, width: 4}\n", ""),
               "g.yaml:8:", "unit 'sq' (map): input port 'b' is not connected");
}

TEST(GraphYaml, PortConnectedTwice) {
  expect_error(replace(kGood, "from: fork.out1", "from: fork.out0"),
               "g.yaml:14:", "port fork.out0 is already connected by the channel at g.yaml:13:");
}

TEST(GraphYaml, ZeroLatencyAndZeroCapacity) {
  expect_error(replace(kGood, "latency: 1", "latency: 0"),
               "g.yaml:12:", "channel latency must be >= 1 cycle");
  expect_error(replace(kGood, "to: sq.a, capacity: 4", "to: sq.a, capacity: 0"),
               "g.yaml:13:", "channel capacity must be >= 1 element");
  expect_error(replace(kGood, "latency: 2", "latency: -3"),
               "g.yaml:15:", "channel latency must be >= 1 cycle");
}

TEST(GraphYaml, MismatchedWidths) {
  expect_error(replace(kGood, "to: sq.b, capacity: 4, width: 4", "to: sq.b, capacity: 4, width: 3"),
               "g.yaml:8:",
               "unit 'sq' (map): mismatched channel widths: inputs 'a' width 4 and "
               "'b' width 3 must be equal or one of them 1");
  expect_error(replace(kGood, "to: sq.b, capacity: 4, width: 4", "to: sq.b, capacity: 4, width: 3"),
               "g.yaml:8:", "b=3 (g.yaml:14:");
  expect_error(replace(kGood, "latency: 1, width: 4", "latency: 1, width: 5"),
               "g.yaml:7:", "'out' width 5 must be 4 (rows_per_element x columns of tensor 'X')");
}

TEST(GraphYaml, DuplicatesUnknownKeysMissingValues) {
  expect_error(replace(kGood, "name: fork", "name: sq"),
               "g.yaml:9:", "unit 'sq' is defined twice (first at g.yaml:8:");
  expect_error(replace(kGood, "op: mul}", "op: mul, scal: 2}"), "g.yaml:8:",
               "unknown key 'scal' in unit 'sq' (map); valid keys: name, kind, ii, depth, op, "
               "scale (did you mean 'scale'?)");
  expect_error(replace(kGood, "to: sq.a, capacity: 4, width: 4}", "to: sq.a, capacity: 4}"),
               "g.yaml:13:", "missing required key 'width'");
  expect_error(replace(kGood, "op: mul", "op: pow"), "g.yaml:8:",
               "unknown map op 'pow'; expected one of add, sub, mul, div, max, exp, scale, copy");
  expect_error(replace(kGood, "tensor: X", "tensor: Z"),
               "g.yaml:7:", "unknown tensor 'Z'; defined tensors: X, Y");
  expect_error(replace(kGood, "tensor: X}", "tensor: X, rows_per_element: 3}"),
               "g.yaml:7:", "rows_per_element = 3 must divide the 8 rows of tensor 'X'");
  expect_error(replace(kGood, "  name: t\n", "  name: t\n  colour: red\n"),
               "g.yaml:3:", "unknown key 'colour' in 'graph'");
  expect_error(replace(kGood, "outputs: 2", "outputs: 0"),
               "g.yaml:9:", "'graph.units[2].outputs' = 0 is out of range");
}

TEST(GraphYaml, SyntaxErrorNamesThePlace) {
  try {
    load(replace(kGood, "op: mul}", "op: mul"));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_EQ(std::string(e.what()).rfind("g.yaml:", 0), 0u) << e.what();
  }
}

TEST(GraphYaml, BundledGraphFiles) {
  StatsRegistry stats;
  EnergyLedger energy;
  DataflowResult sq = run_graph_file(
      std::string(ACCSIM_SOURCE_DIR) + "/configs/dataflow/square.yaml", test_spec(), stats, energy);
  EXPECT_FALSE(sq.deadlocked());
  EXPECT_EQ(sq.work, 64u * 4u);
  EXPECT_DOUBLE_EQ(sq.sustained_fraction, 1.0);
  EXPECT_GT(sq.energy_pj, 0.0);

  StatsRegistry s2;
  EnergyLedger e2;
  DataflowResult dl = run_graph_file(
      std::string(ACCSIM_SOURCE_DIR) + "/configs/dataflow/naive_softmax_deadlock.yaml", test_spec(),
      s2, e2);
  ASSERT_TRUE(dl.deadlocked());
  const std::string text = dl.deadlock->text();
  EXPECT_NE(text.find("fork (next firing not before cycle"), std::string::npos) << text;
  EXPECT_NE(text.find("waits for room on output 'out1', channel bypass"), std::string::npos)
      << text;
  EXPECT_NE(text.find("bypass (8/8)"), std::string::npos) << text;
}

TEST(GraphYaml, MissingFileIsAnError) {
  StatsRegistry stats;
  EnergyLedger energy;
  EXPECT_THROW(run_graph_file("/nonexistent/graph.yaml", test_spec(), stats, energy), Error);
}

}  // namespace
}  // namespace accsim::dataflow
