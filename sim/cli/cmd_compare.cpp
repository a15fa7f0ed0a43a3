// `accsim compare`: the same workloads on several systems. Every workload (a transformer step
// generated as `accsim trace gen model` writes it, or an op trace file) runs on every system,
// each pair as its own `accsim run` process; per workload one table compares the systems per
// token or prompt, with ratios against a baseline system. A pair that fails (a target refusing a
// record it cannot run) is recorded with its reason and the others go on.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
#include <string_view>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/cli/runner.h"
#include "sim/cli/study_file.h"
#include "sim/core/config.h"
#include "sim/report/report.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/gen/transformer.h"
#include "workloads/trace/op_trace.h"

namespace accsim::cli {
namespace fs = std::filesystem;

namespace {

// A workload entry: a transformer step to generate, a reference-kernel op of a shape, or an op
// trace file.
struct CompareWorkload {
  std::string label, op_trace, model, phase, attention, dtype, ops, kernel, shape;
  std::int64_t tokens = 0, context = 0, batch = 1, layers = 0;
  bool lm_head = true, causal = false;
};

const config::Schema<CompareWorkload>& workload_schema() {
  static const config::Schema<CompareWorkload> s = [] {
    using config::Range;
    config::Schema<CompareWorkload> s("workload");
    s.text("label", &CompareWorkload::label, std::nullopt, "name of the workload in the tables")
        .text("op_trace", &CompareWorkload::op_trace, std::string(),
              "an op trace file (relative to the compare file) instead of a generated step")
        .text("model", &CompareWorkload::model, std::string(),
              "transformer model (accsim list) of a generated step")
        .text("phase", &CompareWorkload::phase, std::string(), "prefill | decode")
        .integer<std::int64_t>("tokens", &CompareWorkload::tokens, 0, Range::between(0, 1 << 20),
                               "tokens", "prefill: prompt tokens per sequence")
        .integer<std::int64_t>("context", &CompareWorkload::context, 0, Range::between(0, 1 << 20),
                               "tokens", "decode: tokens already in the KV cache")
        .integer<std::int64_t>("batch", &CompareWorkload::batch, 1, Range::between(1, 1 << 20),
                               "sequences", "sequences in the step")
        .integer<std::int64_t>("layers", &CompareWorkload::layers, 0, Range::between(0, 1 << 20),
                               "layers", "emit only the first N layers (0: all)")
        .text("attention", &CompareWorkload::attention, std::string(),
              "prefill: flash (default) | naive")
        .flag("lm_head", &CompareWorkload::lm_head, true,
              "the final layer norm and the last token's logits")
        .text("dtype", &CompareWorkload::dtype, std::string(),
              "fp16 (default) | bf16 (a kernel op also fp32)")
        .text("ops", &CompareWorkload::ops, std::string(),
              "keep only these ops' launches, comma-separated (e.g. attn)")
        .text("kernel", &CompareWorkload::kernel, std::string(),
              "instead of a model: a reference-kernel op (gemm, sdpa_flash, ...) of `shape`")
        .text("shape", &CompareWorkload::shape, std::string(),
              "the kernel op's shape, e.g. B=1,H=16,N=1024,d=64 (workloads/README.md)")
        .flag("causal", &CompareWorkload::causal, false, "kernel: causal attention (sdpa ops)");
    return s;
  }();
  return s;
}

struct Compare {
  std::string name, description, baseline;
  std::vector<CompareWorkload> workloads;
  std::vector<SourceLoc> workload_locs;
  std::vector<StudyRun> systems;
};

// The step a generated workload stands for; errors name the entry.
workloads::TransformerStep step_of(const CompareWorkload& w, const SourceLoc& where) {
  workloads::StepOptions o;
  o.model = w.model;
  o.phase = w.phase;
  if (w.phase == "prefill" || w.tokens > 0) o.tokens = static_cast<std::uint64_t>(w.tokens);
  o.context = static_cast<std::uint64_t>(w.context);
  o.batch = static_cast<std::uint64_t>(w.batch);
  o.layers = static_cast<std::uint64_t>(w.layers);
  o.attention = w.attention;
  o.dtype = w.dtype;
  o.ops = w.ops;
  o.lm_head = w.lm_head;
  try {
    workloads::TransformerStep s = workloads::transformer_step_from(o);
    workloads::transformer_step_launches(s);  // a step the reference kernels cannot run fails here
    return s;
  } catch (const Error& e) {
    throw config_error(where, "workload '" + w.label +
                                  "' (keys as the options of `accsim trace "
                                  "gen model`): " +
                                  e.what());
  }
}

// The launches of a kernel workload, as the reference host code configures them.
std::vector<workloads::KernelLaunch> kernel_launches(const CompareWorkload& w,
                                                     const SourceLoc& where) {
  workloads::KernelBuildOptions o;
  o.causal = w.causal;
  if (!w.dtype.empty()) {
    const auto dt = workloads::parse_dtype(w.dtype);
    if (!dt)
      throw config_error(
          where, "workload '" + w.label + "': dtype '" + w.dtype + "' is not fp16, bf16 or fp32");
    o.dtype = *dt;
  }
  try {
    return workloads::build_kernel_launches(w.kernel, workloads::parse_kernel_shape(w.shape), o);
  } catch (const Error& e) {
    throw config_error(where, "workload '" + w.label + "': " + e.what());
  }
}

// Writes the op trace of a generated workload (a step or a kernel op) to `path`.
void write_workload(const CompareWorkload& w, const SourceLoc& where, const std::string& path) {
  if (!w.model.empty()) {
    workloads::write_transformer_step(path, step_of(w, where));
    return;
  }
  std::vector<workloads::OpRecord> recs;
  for (const auto& l : kernel_launches(w, where)) recs.push_back(l.rec);
  workloads::OpTraceHeader h;
  h.tool = "accsim compare";
  h.notes = {{"kernel", {{"op", w.kernel}, {"shape", w.shape}, {"causal", w.causal}}}};
  workloads::write_op_trace(path, h, recs);
}

CompareWorkload load_workload(const YAML::Node& n, const config::Origin& origin,
                              const std::string& base, const SourceLoc& where) {
  CompareWorkload w;
  config::Provenance prov;
  workload_schema().set_defaults(w);
  config::LoadCtx c{&origin, &prov, "workload"};
  workload_schema().patch(n, w, c);
  workload_schema().validate(w, prov, "workload", where);
  config::check_plain_name(w.label, "workload label", where);
  if (!w.op_trace.empty() + !w.model.empty() + !w.kernel.empty() != 1)
    throw config_error(where, "workload '" + w.label +
                                  "': give one of 'model' (with 'phase': a generated transformer "
                                  "step), 'kernel' (with 'shape': one reference-kernel op) and "
                                  "'op_trace' (a file)");
  const auto only = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* k : keys)
      if (prov.of(std::string("workload.") + k) != "default")
        throw config_error(where, "workload '" + w.label + "': '" + k + "' " + why);
  };
  const auto step_keys = {"phase",  "tokens",    "context", "batch",
                          "layers", "attention", "lm_head", "ops"};
  if (!w.op_trace.empty()) {
    only(step_keys, "describes a generated step; an op_trace is taken as is");
    only({"dtype", "shape", "causal"}, "describes a generated kernel; an op_trace is taken as is");
    w.op_trace = resolve_study_path(base, w.op_trace);
  } else if (!w.kernel.empty()) {
    only(step_keys, "describes a transformer step, not a kernel op");
    kernel_launches(w, where);  // checks the op and its shape now, before any run starts
  } else {
    only({"shape", "causal"}, "describes a kernel op, not a transformer step");
    step_of(w, where);  // checks the step's options now, before any run starts
  }
  return w;
}

Compare load_compare(const std::string& path) {
  YAML::Node root = config::load_yaml_file(path);
  config::Origin origin(path);
  check_study_keys(root, origin, {"compare", "workloads", "systems"}, "a compare file");
  Compare cmp;
  const std::string base = fs::path(path).parent_path().string();
  SourceLoc baseline_loc;
  const StudyHeader h = parse_study_header(
      root, "compare", origin, {"baseline"}, [&](const std::string&, const YAML::Node& v) {
        cmp.baseline = config::value_text(v, origin, "compare.baseline");
        baseline_loc = origin.loc(v);
      });
  cmp.name = h.name;
  cmp.description = h.description;
  const auto list = [&](const char* key) {
    YAML::Node n = root[key];
    if (!n || !n.IsSequence() || n.size() == 0)
      throw config_error(origin.loc(n ? n : root),
                         std::string("a compare file needs a non-empty list '") + key + "'");
    return n;
  };
  std::map<std::string, SourceLoc> seen_w, seen_s;
  for (const auto& n : list("workloads")) {
    const SourceLoc where = origin.loc(n);
    cmp.workloads.push_back(load_workload(n, origin, base, where));
    const std::string& label = cmp.workloads.back().label;
    if (const auto it = seen_w.find(label); it != seen_w.end())
      throw config_error(
          where, "duplicate workload label '" + label + "' (first at " + it->second.str() + ")");
    seen_w.emplace(label, where);
    cmp.workload_locs.push_back(where);
  }
  for (const auto& n : list("systems"))
    cmp.systems.push_back(parse_study_run(n, origin, base, false, seen_s));
  if (cmp.baseline.empty()) cmp.baseline = cmp.systems.front().label;
  if (!seen_s.count(cmp.baseline))
    throw config_error(baseline_loc,
                       "compare.baseline '" + cmp.baseline + "' is not the label of a system");
  return cmp;
}

// What one pass of a workload's op trace produces, from its header: tokens per pass and how
// latency is read ("token" for decode: every sequence gets one; "prompt" for prefill).
struct StepMeaning {
  std::string phase;        // "prefill", "decode" or "" (an op trace without a step)
  double tokens = 0;        // tokens per pass (0: unknown)
  std::string latency_per;  // "token", "prompt" or "pass"
};

StepMeaning meaning_of(const std::string& op_trace) {
  workloads::OpTraceReader rd(op_trace);
  const auto& notes = rd.header().notes;
  StepMeaning m{"", 0, "pass"};
  if (!notes.is_object() || !notes.contains("step") || !notes["step"].is_object()) return m;
  const auto& st = notes["step"];
  const double batch = st.value("batch", 1.0);
  m.phase = st.value("phase", std::string());
  if (m.phase == "decode") {
    m.tokens = batch;
    m.latency_per = "token";
  } else if (m.phase == "prefill") {
    m.tokens = batch * st.value("tokens", 0.0);
    m.latency_per = "prompt";
  }
  return m;
}

constexpr std::string_view kErrorPrefix = "accsim: error: ";  // how main() starts an error
constexpr std::size_t kMaxErrorLog = 1 << 20;  // bytes of a run's log read for its error

// A failed run's error message, all its lines joined: from the last "accsim: error: " of its
// log (its last megabyte) to the end; else the log's last line ("" for an empty log).
std::string error_of(const std::string& log_path) {
  std::ifstream in(log_path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(static_cast<std::streamoff>(size > kMaxErrorLog ? size - kMaxErrorLog : 0));
  std::string text(std::min(size, kMaxErrorLog), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  const auto at = text.rfind(kErrorPrefix);
  if (at == std::string::npos) return last_line(log_path);
  std::string msg;
  for (char c : text.substr(at + kErrorPrefix.size())) {
    if (c == '\n') c = ' ';
    if (c == ' ' && (msg.empty() || msg.back() == ' ')) continue;
    msg += c;
  }
  while (!msg.empty() && msg.back() == ' ') msg.pop_back();
  return msg;
}

// One (workload, system) cell of the result: figures per pass of the op trace, or why it failed.
report::Json cell_row(const std::string& report_path, const std::string& log_path, int code,
                      const StepMeaning& m) {
  report::Json row = report::Json::object();
  const auto fail = [&](const std::string& why, const char* status = "failed") {
    row["status"] = status;
    row["error"] = why;
    return row;
  };
  if (code != 0) {
    row["exit_code"] = code;
    const std::string why = error_of(log_path);
    // A configuration error is the target saying it cannot run this workload (a record it has
    // no model for, a design that does not fit): a result of the comparison, not a failure.
    return fail(
        why.empty() ? "exit " + std::to_string(code) + ", no error message in the log" : why,
        code == static_cast<int>(ExitCode::kConfig) ? "refused" : "failed");
  }
  std::ifstream in(report_path);
  const report::Json rep = report::Json::parse(in, nullptr, false);
  if (rep.is_discarded() || !rep.contains("summary")) return fail("report missing or unreadable");
  const auto& s = rep["summary"];
  row["target"] = s.value("target", std::string());
  if (!s.contains("op_trace") || !s["op_trace"].is_object())
    return fail("the " + row["target"].get<std::string>() +
                " target did not run the op trace (it reads no op traces)");
  const auto& ot = s["op_trace"];
  const double passes = ot.value("passes", 0.0);
  if (passes <= 0) return fail("the report says the op trace ran 0 times");
  const double t = s.value("sim_time_s", 0.0) / passes, e = s.value("energy_j", 0.0) / passes;
  row["status"] = "ok";
  row["records"] = ot.value("records", 0);
  row["records_simulated"] = ot.value("simulated", 0);
  row["latency_s"] = t;
  row["latency_per"] = m.latency_per;
  row["energy_j"] = e;
  row["edp_j_s"] = e * t;
  if (m.tokens > 0) {
    row["tokens"] = m.tokens;
    row["throughput_tokens_per_s"] = t > 0 ? m.tokens / t : 0.0;
    row["energy_per_token_j"] = e / m.tokens;
  }
  // A target that moves no memory bytes (an FPGA with its weights on chip) has no such figures.
  if (s.contains("bytes")) row["dram_bytes"] = s["bytes"].get<double>() / passes;
  if (s.contains("bandwidth_Bps")) row["bandwidth_Bps"] = s["bandwidth_Bps"];
  const double peak = s.value("peak_bandwidth_Bps", 0.0);
  if (peak > 0 && s.contains("bandwidth_Bps")) {
    row["peak_bandwidth_Bps"] = peak;
    row["bandwidth_used_fraction"] = s.value("bandwidth_Bps", 0.0) / peak;
  }
  row["bound"] = s.value("bound", std::string());
  return row;
}

bool whole(const report::Json& r) {
  return r.value("status", std::string()) == "ok" &&
         r.value("records_simulated", 0) == r.value("records", -1);
}

// Speed-up and energy efficiency against the baseline's row, where both ran the whole trace.
void add_ratios(report::Json& rows, const std::string& baseline) {
  const report::Json* base = nullptr;
  for (const auto& r : rows)
    if (r["system"] == baseline) base = &r;
  if (base == nullptr || !whole(*base)) return;
  const double bt = (*base)["latency_s"].get<double>(), be = (*base)["energy_j"].get<double>();
  for (auto& r : rows) {
    if (!whole(r)) continue;
    const double t = r["latency_s"].get<double>(), e = r["energy_j"].get<double>();
    if (t > 0) r["speedup_vs_baseline"] = bt / t;
    if (e > 0) r["energy_efficiency_vs_baseline"] = be / e;
  }
}

std::string ratio_text(const report::Json& r, const char* key) {
  if (!r.contains(key)) return "-";
  return report::fmt(r[key].get<double>(), r[key].get<double>() >= 100 ? 0 : 2) + "x";
}

std::string workload_table(const report::Json& rows, const StepMeaning& m,
                           const std::string& baseline) {
  report::TextTable t({"system", "target", "records", "latency/" + m.latency_per, "tokens/s",
                       "energy/" + (m.tokens > 0 ? std::string("token") : m.latency_per), "EDP",
                       "DRAM bytes", "bandwidth (of peak)", "speed-up", "energy eff.", "bound"});
  for (const auto& r : rows) {
    const std::string sys = r["system"].get<std::string>() + (r["system"] == baseline ? " *" : "");
    if (r["status"] != "ok") {
      t.row({sys, r.value("target", std::string("-")),
             r["status"] == "refused" ? "REFUSED" : "FAILED"});
      continue;
    }
    const auto num = [&](const char* k) { return r.contains(k) ? r[k].get<double>() : 0.0; };
    std::string bw =
        r.contains("bandwidth_Bps") ? report::fmt_si(num("bandwidth_Bps"), "B/s") : "-";
    if (r.contains("bandwidth_used_fraction"))
      bw += " (" + report::fmt(100 * num("bandwidth_used_fraction"), 0) + " %)";
    const std::string recs = whole(r)
                                 ? std::to_string(r["records"].get<std::int64_t>())
                                 : std::to_string(r["records_simulated"].get<std::int64_t>()) +
                                       " of " + std::to_string(r["records"].get<std::int64_t>());
    t.row({sys, r["target"].get<std::string>(), recs, report::fmt_si(num("latency_s"), "s"),
           r.contains("throughput_tokens_per_s")
               ? report::fmt_si(num("throughput_tokens_per_s"), "")
               : "-",
           report::fmt_si(
               r.contains("energy_per_token_j") ? num("energy_per_token_j") : num("energy_j"), "J"),
           report::fmt_si(num("edp_j_s"), "J*s"),
           r.contains("dram_bytes") ? report::fmt_si(num("dram_bytes"), "B") : "-", bw,
           ratio_text(r, "speedup_vs_baseline"), ratio_text(r, "energy_efficiency_vs_baseline"),
           r.value("bound", std::string())});
  }
  std::string text = t.str();
  for (const auto& r : rows)
    if (r["status"] != "ok")
      text += "  " + r["system"].get<std::string>() +
              (r["status"] == "refused" ? " REFUSED: " : " FAILED: ") +
              r["error"].get<std::string>() + "\n";
  return text;
}

const std::vector<std::string> kCsvColumns = {"workload",
                                              "system",
                                              "target",
                                              "status",
                                              "records",
                                              "records_simulated",
                                              "phase",
                                              "latency_per",
                                              "tokens",
                                              "latency_s",
                                              "throughput_tokens_per_s",
                                              "energy_j",
                                              "energy_per_token_j",
                                              "edp_j_s",
                                              "dram_bytes",
                                              "bandwidth_Bps",
                                              "peak_bandwidth_Bps",
                                              "bandwidth_used_fraction",
                                              "speedup_vs_baseline",
                                              "energy_efficiency_vs_baseline",
                                              "bound",
                                              "error"};

}  // namespace

int cmd_compare(const Argv& argv) {
  Args a("compare", "<compare.yaml> [-o DIR] [-j N]",
         "Runs every workload of a compare file on every system, each pair in its own process,\n"
         "and prints one table per workload: latency per token (decode) or prompt (prefill),\n"
         "throughput, energy per token, energy-delay product, DRAM bytes, bandwidth used of the\n"
         "peak, speed-up and energy efficiency against the baseline system, and what bounded\n"
         "each system. Generated op traces go to DIR/workloads/, reports and logs to\n"
         "DIR/<workload>/<system>.json|.log, the tables to DIR/compare.json and DIR/compare.csv.\n"
         "A pair the target refuses (a record it cannot run) or that fails is reported with its\n"
         "reason and the others go on; exit 5 if a run failed or no system ran a workload.");
  a.positional("compare.yaml", "the compare file (see configs/README.md, \"Compare files\")")
      .option("output", "DIR", "results folder (default results/<compare name>)", false, "o")
      .option("jobs", "N", "simulations run at once (default 2)", false, "j");
  if (!a.parse(argv)) return 0;
  const Compare cmp = load_compare(a.get("compare.yaml"));
  const std::string name =
      cmp.name.empty() ? fs::path(a.get("compare.yaml")).stem().string() : cmp.name;
  const fs::path out = a.get("output", "results/" + name);
  const int jobs = parse_jobs("compare", a.get("jobs", "2"));
  make_results_dir((out / "workloads").string());

  // The workloads' op traces: generated ones written once, before any run.
  std::vector<std::string> traces;
  std::vector<StepMeaning> meanings;
  for (std::size_t w = 0; w < cmp.workloads.size(); ++w) {
    const CompareWorkload& wl = cmp.workloads[w];
    std::string trace = wl.op_trace;
    if (trace.empty()) {
      trace = (out / "workloads" / (wl.label + ".jsonl")).string();
      write_workload(wl, cmp.workload_locs[w], trace);
    }
    meanings.push_back(meaning_of(trace));
    traces.push_back(trace);
    make_results_dir((out / wl.label).string());
  }
  const std::size_t n_sys = cmp.systems.size(), n = cmp.workloads.size() * n_sys;
  const auto paths = [&](std::size_t i, const char* ext) {
    return (out / cmp.workloads[i / n_sys].label / (cmp.systems[i % n_sys].label + ext)).string();
  };
  std::cerr << "compare " << name << ": " << cmp.workloads.size() << " workload(s) on " << n_sys
            << " systems, " << jobs << " at a time, results in " << out.string() << "\n";
  std::vector<int> status(n, -1);
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  std::size_t done = 0;
  run_local_pool(
      all, jobs,
      [&](std::size_t i) {
        const StudyRun& s = cmp.systems[i % n_sys];
        return start_run_process(self_exe(), RunRequest{s.system, traces[i / n_sys], s.sets,
                                                        paths(i, ".json"), paths(i, ".log")});
      },
      [&](std::size_t i, int code) {
        status[i] = code;
        std::cerr << "  [" << ++done << "/" << n << "] " << cmp.workloads[i / n_sys].label << " on "
                  << cmp.systems[i % n_sys].label
                  << (code == 0 ? " done" : " FAILED (exit " + std::to_string(code) + ")") << "\n";
      });

  report::Json summary = {{"schema", "accsim-compare"},
                          {"schema_version", 1},
                          {"compare", name},
                          {"description", cmp.description},
                          {"baseline", cmp.baseline},
                          {"workloads", report::Json::array()}};
  report::Json flat = report::Json::array();
  std::size_t failed = 0, refused = 0;
  std::vector<std::size_t> ran_w(cmp.workloads.size()), ran_s(n_sys);
  std::cout << "\n";
  for (std::size_t w = 0; w < cmp.workloads.size(); ++w) {
    report::Json rows = report::Json::array();
    for (std::size_t s = 0; s < n_sys; ++s) {
      const std::size_t i = w * n_sys + s;
      report::Json row = {{"workload", cmp.workloads[w].label},
                          {"system", cmp.systems[s].label},
                          {"report", cmp.workloads[w].label + "/" + cmp.systems[s].label + ".json"},
                          {"phase", meanings[w].phase}};
      row.update(cell_row(paths(i, ".json"), paths(i, ".log"), status[i], meanings[w]));
      failed += row["status"] == "failed";
      refused += row["status"] == "refused";
      if (row["status"] == "ok") ++ran_w[w], ++ran_s[s];
      rows.push_back(std::move(row));
    }
    add_ratios(rows, cmp.baseline);
    for (const auto& r : rows) flat.push_back(r);
    std::cout << "workload " << cmp.workloads[w].label << " ("
              << fs::path(traces[w]).filename().string() << ")\n"
              << workload_table(rows, meanings[w], cmp.baseline) << "\n";
    summary["workloads"].push_back({{"label", cmp.workloads[w].label},
                                    {"op_trace", fs::path(traces[w]).filename().string()},
                                    {"phase", meanings[w].phase},
                                    {"latency_per", meanings[w].latency_per},
                                    {"rows", rows}});
  }
  report::write_file_atomic((out / "compare.json").string(), report::to_text(summary));
  report::write_file_atomic((out / "compare.csv").string(), report::tidy_csv(flat, kCsvColumns));
  // Refusals are results, but a workload that no system ran compares nothing: that fails the
  // comparison. A system that ran no workload is worth a line (a typo in its `set` reads as a
  // refusal of everything).
  std::vector<std::string> idle_w, idle_s;
  for (std::size_t w = 0; w < ran_w.size(); ++w)
    if (ran_w[w] == 0) idle_w.push_back(cmp.workloads[w].label);
  for (std::size_t s = 0; s < ran_s.size(); ++s)
    if (ran_s[s] == 0) idle_s.push_back(cmp.systems[s].label);
  std::cout << "* baseline (" << cmp.baseline
            << "); ratios only where both ran every record. Each model's simplifications: the "
               "'notes' of its report.\n"
            << (n - failed - refused) << " of " << n << " runs done, " << refused << " refused, "
            << failed << " failed; reports in " << out.string() << "/\n";
  if (!idle_s.empty())
    std::cout << "note: ran none of the workloads: " << config::join(idle_s, ", ") << "\n";
  if (!idle_w.empty()) std::cout << "error: no system ran: " << config::join(idle_w, ", ") << "\n";
  return failed > 0 || !idle_w.empty() ? static_cast<int>(ExitCode::kSimulation) : 0;
}

}  // namespace accsim::cli
