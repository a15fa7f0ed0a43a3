// The fpga target through the accsim program: a run writes a deterministic report with the
// FPGA figures; a design that does not fit, a bad model file and a deadlock give clear errors
// and the documented exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kConfig = 3, kSimulation = 5;

TEST(CliFpga, RunWritesTheFpgaReport) {
  TempDir d;
  // Reuse factor 4: a design point of the papers that fits the VU13P by accsim's rules.
  const std::string sys =
      src("configs/systems/fpga_jet_tagger.yaml") + " --set model.reuse_factor=4";
  CliResult a = run_accsim("run " + sys + " --set stream.events=12 -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  CliResult b = run_accsim("run " + sys + " --set stream.events=12 -o " + d.file("b.json"));
  ASSERT_EQ(b.code, 0) << b.out;
  const std::string ta = slurp(d.file("a.json"));
  EXPECT_EQ(ta, slurp(d.file("b.json")));  // deterministic
  auto j = nlohmann::json::parse(ta);
  EXPECT_EQ(j["summary"]["work_unit"], "events");
  EXPECT_EQ(j["summary"]["work"], 12);
  const auto& f = j["components"]["fpga"];
  EXPECT_GT(f["latency"]["first_cycles"].get<double>(), 0);
  EXPECT_GT(f["throughput"]["events_per_s"].get<double>(), 0);
  EXPECT_EQ(f["resources"]["part"], "VU13P");
  EXPECT_TRUE(f["resources"]["fits"].get<bool>());
  EXPECT_GT(f["layers"].size(), 10u);
  EXPECT_GT(f["fifos"][0]["min_depth_no_stall"].get<int>(), 0);
  EXPECT_GT(f["energy"]["per_event_pj"].get<double>(), 0);
}

TEST(CliFpga, OverfitDesignRunsWhenAllowedAndIsFlagged) {
  TempDir d;
  // The bundled system is the papers' reuse-factor-1 point with allow_overfit: true.
  CliResult a = run_accsim("run " + src("configs/systems/fpga_jet_tagger.yaml") +
                           " --set stream.events=4 -o " + d.file("a.json"));
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("does NOT fit"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(slurp(d.file("a.json")));
  EXPECT_FALSE(j["components"]["fpga"]["resources"]["fits"].get<bool>());
  EXPECT_NE(j["notes"].dump().find("does not fit the part"), std::string::npos) << j["notes"];
}

TEST(CliFpga, DesignThatDoesNotFitTheChosenPart) {
  CliResult r = run_accsim("run " + src("configs/systems/fpga_jet_tagger.yaml") +
                           " --set fpga.part=ZCU104 --set model.allow_overfit=false "
                           "--set stream.events=2 -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("--set fpga.part=ZCU104"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("does not fit the part ZCU104"), std::string::npos) << r.out;
}

TEST(CliFpga, BadModelFileNamesItsPlace) {
  TempDir d;
  d.write("m.yaml",
          "model: {name: m}\nlayers:\n  - {name: x, kind: input, shape: [4, 4]}\n"
          "  - {name: y, kind: convolution}\n");
  const std::string sys =
      d.write("s.yaml", "system: {name: s, target: fpga}\nmodel: {path: m.yaml}\n");
  CliResult r = run_accsim("run " + sys + " -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find(d.file("m.yaml") + ":4:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown layer kind 'convolution'"), std::string::npos) << r.out;
}

TEST(CliFpga, DeadlockIsASimulationError) {
  CliResult r = run_accsim("run " + src("configs/systems/fpga_jet_tagger.yaml") +
                           " --set model.io_type=io_stream --set stream.fifo_depth=4 "
                           "--set stream.events=4 -o /dev/null");
  EXPECT_EQ(r.code, kSimulation) << r.out;
  EXPECT_NE(r.out.find("deadlock"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("waits for room in"), std::string::npos) << r.out;
}

TEST(CliFpga, SdpaOpTraceRecordRunsAsOneMhaLayer) {
  TempDir d;
  d.write("ops.jsonl",
          "{\"format\":\"accsim-op-trace\",\"version\":1,\"gpu\":\"H100\"}\n"
          "{\"kernel\":\"gemm\",\"op\":\"gemm\",\"shape\":{\"M\":8,\"N\":8,\"K\":8},"
          "\"dtype\":\"fp16\",\"tensors\":[]}\n"
          "{\"kernel\":\"attn\",\"op\":\"sdpa\",\"shape\":{\"B\":3,\"H\":2,\"N\":16,\"d\":8},"
          "\"dtype\":\"fp16\",\"tensors\":[]}\n");
  // The whole trace is not one attention: the gemm record is refused, naming it and the way out.
  const std::string whole =
      d.write("w.yaml", "system: {name: s, target: fpga}\nmodel: {op_trace: ops.jsonl}\n");
  CliResult w = run_accsim("run " + whole + " -o " + d.file("w.json"));
  EXPECT_EQ(w.code, kConfig) << w.out;
  EXPECT_NE(w.out.find("ops.jsonl:2: op trace record 0 (gemm, gemm): the fpga target runs one "
                       "attention (sdpa) record, not gemm; set model.record"),
            std::string::npos)
      << w.out;
  EXPECT_FALSE(std::filesystem::exists(d.file("w.json")));
  const std::string sys = d.write(
      "s.yaml", "system: {name: s, target: fpga}\nmodel: {op_trace: ops.jsonl, record: 0}\n");
  CliResult r = run_accsim("run " + sys + " -o " + d.file("r.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(slurp(d.file("r.json")));
  EXPECT_EQ(j["summary"]["work"], 3);  // the batch
  EXPECT_NE(j["workload"]["from"].get<std::string>().find("ops.jsonl:3 (attn)"), std::string::npos);
  const auto& layers = j["components"]["fpga"]["layers"];
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[1]["kind"], "mha");
  EXPECT_EQ(layers[1]["shape"][0], 16);
  EXPECT_EQ(layers[1]["shape"][1], 16);
  // Both a model file and an op trace: an error naming the section.
  const std::string both = d.write(
      "b.yaml", "system: {name: s, target: fpga}\nmodel: {op_trace: ops.jsonl, path: m.yaml}\n");
  r = run_accsim("run " + both + " -o /dev/null");
  EXPECT_EQ(r.code, kConfig) << r.out;
  EXPECT_NE(r.out.find("exactly one of 'model.path'"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::test
