// `accsim compare`: every workload on every system, one row each; the figures per token are the
// reports' own divided as the compare file's step says; a refused record fails its row only.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kConfig = 3, kSimulation = 5;

// One GPT-2 small layer decoding against 63 cached tokens, and the attention of a 128-token
// prefill layer, on the H100, PIM-GPT and the dataflow SDPA unit.
std::string compare_file(const TempDir& d) {
  return d.write("cmp.yaml",
                 "compare: {name: t, baseline: h100}\n"
                 "workloads:\n"
                 "  - {label: decode, model: gpt2-small, phase: decode, context: 63, layers: 1,"
                 " lm_head: false}\n"
                 "  - {label: attn, model: gpt2-small, phase: prefill, tokens: 128, layers: 1,"
                 " ops: attn}\n"
                 "systems:\n"
                 "  - {label: h100, system: " +
                     src("configs/systems/gpu_h100.yaml") +
                     "}\n"
                     "  - {label: pim, system: " +
                     src("configs/systems/pim_gpt.yaml") +
                     "}\n"
                     "  - {label: sdpa, system: " +
                     src("configs/systems/sdpa_dataflow.yaml") + "}\n");
}

const nlohmann::json& row(const nlohmann::json& cmp, const std::string& w, const std::string& s) {
  for (const auto& wl : cmp["workloads"])
    if (wl["label"] == w)
      for (const auto& r : wl["rows"])
        if (r["system"] == s) return r;
  throw std::runtime_error("no row " + w + "/" + s);
}

TEST(CliCompare, EveryPairRunsRefusalsFailTheirRowOnly) {
  TempDir d;
  const std::string file = compare_file(d);
  CliResult r = run_accsim("compare " + file + " -o " + d.file("out") + " -j 2");
  // Two refusals; every system and every workload ran somewhere: a complete comparison.
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("4 of 6 runs done, 2 refused, 0 failed"), std::string::npos) << r.out;
  const auto cmp = nlohmann::json::parse(slurp(d.file("out/compare.json")));
  EXPECT_EQ(cmp["schema"], "accsim-compare");
  // The dataflow unit runs one attention: the whole decode layer is refused at its first record;
  // the PIM runs decode attention only: the prefill attention is refused. Both name the record.
  const auto& df = row(cmp, "decode", "sdpa");
  EXPECT_EQ(df["status"], "refused");
  EXPECT_NE(df["error"].get<std::string>().find("op trace record 0 (layernorm_kernel"),
            std::string::npos)
      << df;
  const auto& pa = row(cmp, "attn", "pim");
  EXPECT_EQ(pa["status"], "refused");
  EXPECT_NE(pa["error"].get<std::string>().find("op trace record 0 (flash_fwd_kernel, sdpa)"),
            std::string::npos)
      << pa;
  // Every figure of a row is its report's, per pass of the op trace, per token as the step says.
  for (const auto& [w, s, tokens] : {std::tuple{"decode", "h100", 1.0},
                                     {"decode", "pim", 1.0},
                                     {"attn", "h100", 128.0},
                                     {"attn", "sdpa", 128.0}}) {
    const auto& x = row(cmp, w, s);
    ASSERT_EQ(x["status"], "ok") << x;
    const auto rep = nlohmann::json::parse(slurp(d.file("out/" + x["report"].get<std::string>())));
    const auto& sm = rep["summary"];
    const double passes = sm["op_trace"]["passes"].get<double>();
    const double t = sm["sim_time_s"].get<double>() / passes;
    const double e = sm["energy_j"].get<double>() / passes;
    EXPECT_GT(t, 0) << w << "/" << s;
    EXPECT_DOUBLE_EQ(x["latency_s"].get<double>(), t);
    EXPECT_DOUBLE_EQ(x["tokens"].get<double>(), tokens);
    EXPECT_DOUBLE_EQ(x["energy_per_token_j"].get<double>(), e / tokens);
    EXPECT_DOUBLE_EQ(x["throughput_tokens_per_s"].get<double>(), tokens / t);
    EXPECT_DOUBLE_EQ(x["edp_j_s"].get<double>(), e * t);
    EXPECT_EQ(x["records"], x["records_simulated"]);
    EXPECT_FALSE(x["bound"].get<std::string>().empty()) << w << "/" << s;
  }
  EXPECT_EQ(row(cmp, "decode", "h100")["records"], 11);
  EXPECT_EQ(row(cmp, "attn", "sdpa")["records"], 1);
  // Ratios against the baseline: its own are 1, the others' are the quotients.
  const auto& base = row(cmp, "decode", "h100");
  const auto& pim = row(cmp, "decode", "pim");
  EXPECT_DOUBLE_EQ(base["speedup_vs_baseline"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(pim["speedup_vs_baseline"].get<double>(),
                   base["latency_s"].get<double>() / pim["latency_s"].get<double>());
  EXPECT_DOUBLE_EQ(pim["energy_efficiency_vs_baseline"].get<double>(),
                   base["energy_j"].get<double>() / pim["energy_j"].get<double>());
  EXPECT_FALSE(row(cmp, "decode", "sdpa").contains("speedup_vs_baseline"));
  // The tidy CSV: a header and one line per pair.
  const std::string csv = slurp(d.file("out/compare.csv"));
  EXPECT_EQ(csv.rfind("workload,system,target,status,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  // The same inputs, one run at a time, into the same folder: the same table, byte for byte.
  const std::string first = slurp(d.file("out/compare.json"));
  CliResult again = run_accsim("compare " + file + " -o " + d.file("out") + " -j 1");
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(first, slurp(d.file("out/compare.json")));
}

// A workload that no system runs compares nothing: the comparison fails and says which; a
// system that runs none of the workloads is named.
TEST(CliCompare, AWorkloadNoSystemRanFailsTheComparison) {
  TempDir d;
  const std::string f = d.write(
      "c.yaml",
      "workloads:\n"
      "  - {label: dec, model: gpt2-small, phase: decode, layers: 1}\n"
      "  - {label: pre, model: gpt2-small, phase: prefill, tokens: 128, layers: 1}\n"
      "systems:\n  - {label: pim, system: " +
          src("configs/systems/pim_gpt.yaml") +
          "}\n  - {label: sdpa, system: " + src("configs/systems/sdpa_dataflow.yaml") + "}\n");
  CliResult r = run_accsim("compare " + f + " -o " + d.file("o"));
  EXPECT_EQ(r.code, kSimulation) << r.out;
  EXPECT_NE(r.out.find("error: no system ran: pre"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("note: ran none of the workloads: sdpa"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sdpa REFUSED: "), std::string::npos) << r.out;
}

// A reference-kernel op of a shape is a workload too: figures per pass (no tokens).
TEST(CliCompare, AKernelOpRunsPerPass) {
  TempDir d;
  const std::string f =
      d.write("c.yaml",
              "workloads: [{label: mv, kernel: gemv, shape: \"M=512,K=512\"}]\n"
              "systems:\n  - {label: h100, system: " +
                  src("configs/systems/gpu_h100.yaml") +
                  "}\n  - {label: pim, system: " + src("configs/systems/pim_gpt.yaml") + "}\n");
  CliResult r = run_accsim("compare " + f + " -o " + d.file("o"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("latency/pass"), std::string::npos) << r.out;
  const auto cmp = nlohmann::json::parse(slurp(d.file("o/compare.json")));
  for (const char* s : {"h100", "pim"}) {
    const auto& x = row(cmp, "mv", s);
    EXPECT_EQ(x["status"], "ok") << x;
    EXPECT_EQ(x["records"], 1);
    EXPECT_EQ(x["latency_per"], "pass");
    EXPECT_FALSE(x.contains("energy_per_token_j")) << x;
  }
}

TEST(CliCompare, BadFilesAreLocatedConfigErrors) {
  TempDir d;
  const std::string gpu = src("configs/systems/gpu_h100.yaml");
  const std::string sys = "systems: [{label: g, system: " + gpu + "}]\n";
  const auto expect = [&](const std::string& text, const std::string& what) {
    const std::string f = d.write("bad.yaml", text);
    CliResult r = run_accsim("compare " + f + " -o " + d.file("o"));
    EXPECT_EQ(r.code, kConfig) << text << "\n" << r.out;
    EXPECT_NE(r.out.find(what), std::string::npos) << text << "\n" << r.out;
    EXPECT_NE(r.out.find("bad.yaml:"), std::string::npos) << r.out;
  };
  const std::string decode = "{label: a, model: gpt2-small, phase: decode}";
  expect("workloads: [{label: a, model: gpt2-small, phase: decode, colour: red}]\n" + sys,
         "colour");
  expect("workloads: [{label: a, op_trace: x.jsonl, phase: decode}]\n" + sys,
         "'phase' describes a generated step");
  expect("workloads: [{label: a}]\n" + sys, "give one of 'model'");
  expect("workloads: [{label: a, kernel: gemv, shape: \"M=64,K=64\", phase: decode}]\n" + sys,
         "'phase' describes a transformer step, not a kernel op");
  expect("workloads: [{label: a, kernel: conv, shape: \"M=64\"}]\n" + sys, "conv");
  expect("workloads: [{label: a, model: gpt2-small, phase: decode, shape: \"M=1\"}]\n" + sys,
         "'shape' describes a kernel op");
  expect("workloads: [" + decode + ", " + decode + "]\n" + sys, "duplicate workload label 'a'");
  expect("compare: {baseline: nope}\nworkloads: [" + decode + "]\n" + sys,
         "compare.baseline 'nope'");
  expect("workloads: [{label: a, model: gpt2-small, phase: prefill, tokens: 100}]\n" + sys,
         "multiple of 128");
  expect("workloads: [" + decode + "]\nsystems: [{label: g, system: " + gpu + ", workload: x}]\n",
         "unknown key 'workload'");
  expect("workloads: [" + decode + "]\n", "non-empty list 'systems'");
}

}  // namespace
}  // namespace accsim::test
