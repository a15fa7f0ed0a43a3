// `accsim study`: runs a list of simulations, each in its own process (SystemC elaborates once
// per process), a few at a time, and prints a comparison table. A run that fails is recorded
// with its log and the others go on; reports of runs that already finished are kept.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/cli/runner.h"
#include "sim/cli/study_file.h"
#include "sim/core/config.h"
#include "sim/report/report.h"

namespace accsim::cli {
namespace fs = std::filesystem;

namespace {

struct Study {
  std::string name, description;
  std::vector<StudyRun> runs;
};

Study load_study(const std::string& path) {
  YAML::Node root = config::load_yaml_file(path);
  config::Origin origin(path);
  check_study_keys(root, origin, {"study", "runs"}, "a study file");
  Study s;
  const std::string base = fs::path(path).parent_path().string();
  const StudyHeader h = parse_study_header(root, "study", origin, {}, {});
  s.name = h.name;
  s.description = h.description;
  YAML::Node runs = root["runs"];
  if (!runs || !runs.IsSequence() || runs.size() == 0)
    throw config_error(origin.loc(runs ? runs : root), "a study needs a non-empty list 'runs'");
  std::map<std::string, SourceLoc> seen;
  for (const auto& r : runs) s.runs.push_back(parse_study_run(r, origin, base, true, seen));
  return s;
}

}  // namespace

int cmd_study(const Argv& argv) {
  Args a("study", "<study.yaml> [-o DIR] [-j N]",
         "Runs every simulation listed in a study file, each in its own process, and prints a\n"
         "comparison table. Reports go to DIR/<label>.json, logs to DIR/<label>.log, the table to\n"
         "DIR/study.json and DIR/study.csv. A failed run is reported and the others go on.");
  a.positional("study.yaml", "the study file (see configs/README.md)")
      .option("output", "DIR", "results folder (default results/<study name>)", false, "o")
      .option("jobs", "N", "simulations run at once (default 2)", false, "j");
  if (!a.parse(argv)) return 0;
  Study st = load_study(a.get("study.yaml"));
  std::string name = st.name.empty() ? fs::path(a.get("study.yaml")).stem().string() : st.name;
  fs::path out = a.get("output", "results/" + name);
  const int jobs = parse_jobs("study", a.get("jobs", "2"));
  make_results_dir(out.string());

  std::string exe = self_exe();
  std::cerr << "study " << name << ": " << st.runs.size() << " runs, " << jobs
            << " at a time, results in " << out.string() << "\n";
  std::vector<int> status(st.runs.size(), -1);
  std::vector<std::size_t> all(st.runs.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::size_t done = 0;
  run_local_pool(
      all, jobs,
      [&](std::size_t i) {
        const StudyRun& r = st.runs[i];
        return start_run_process(
            exe, RunRequest{r.system, r.workload, r.sets, (out / (r.label + ".json")).string(),
                            (out / (r.label + ".log")).string()});
      },
      [&](std::size_t i, int code) {
        status[i] = code;
        ++done;
        std::cerr << "  [" << done << "/" << st.runs.size() << "] " << st.runs[i].label
                  << (code == 0 ? " done" : " FAILED (exit " + std::to_string(code) + ")") << "\n";
      });

  report::Json summary = report::Json::object();
  summary["schema"] = "accsim-study";
  summary["schema_version"] = 1;
  summary["study"] = name;
  summary["description"] = st.description;
  summary["runs"] = report::Json::array();
  // "latency" is the mean per work item where the target reports one (DRAM requests, FPGA
  // events); "-" where it does not.
  report::TextTable table({"run", "target", "workload", "sim time", "work", "latency", "throughput",
                           "bandwidth", "energy", "energy/work"});
  int failed = 0;
  for (std::size_t i = 0; i < st.runs.size(); ++i) {
    const auto& r = st.runs[i];
    report::Json row = report::Json::object();
    row["label"] = r.label;
    row["report"] = r.label + ".json";
    if (status[i] != 0) {
      ++failed;
      row["status"] = "failed";
      row["exit_code"] = status[i];
      row["error"] = last_line((out / (r.label + ".log")).string());
      table.row({r.label, "-", "-", "FAILED: " + row["error"].get<std::string>()});
      summary["runs"].push_back(row);
      continue;
    }
    std::ifstream in(out / (r.label + ".json"));
    report::Json rep = report::Json::parse(in, nullptr, false);
    if (rep.is_discarded() || !rep.contains("summary")) {
      ++failed;
      row["status"] = "failed";
      row["error"] = "report missing or unreadable";
      table.row({r.label, "-", "-", "FAILED: report missing or unreadable"});
      summary["runs"].push_back(row);
      continue;
    }
    const auto& s = rep["summary"];
    row["status"] = "ok";
    row["summary"] = s;
    summary["runs"].push_back(row);
    auto num = [&](const char* k) {
      return s.contains(k) && s[k].is_number() ? s[k].get<double>() : 0.0;
    };
    std::string unit = s.value("work_unit", std::string("items"));
    table.row(
        {r.label, s.value("target", std::string("?")), s.value("workload", std::string("?")),
         report::fmt_si(num("sim_time_s"), "s"), report::fmt(num("work"), 0) + " " + unit,
         s.contains("latency_mean_ns") ? report::fmt_si(num("latency_mean_ns") * 1e-9, "s") : "-",
         report::fmt_si(num("work") / std::max(num("sim_time_s"), 1e-30), unit + "/s"),
         s.contains("bandwidth_Bps") ? report::fmt_si(num("bandwidth_Bps"), "B/s") : "-",
         report::fmt_si(num("energy_j"), "J"),
         report::fmt_si(num("energy_j") / std::max(num("work"), 1.0), "J")});
  }
  report::write_file_atomic((out / "study.json").string(), report::to_text(summary));
  report::write_file_atomic((out / "study.csv").string(), report::to_csv(summary));
  std::cout << "\n" << table.str();
  std::cout << "\n"
            << (st.runs.size() - failed) << " of " << st.runs.size()
            << " runs succeeded; reports in " << out.string() << "/\n";
  return failed ? static_cast<int>(ExitCode::kSimulation) : 0;
}

}  // namespace accsim::cli
