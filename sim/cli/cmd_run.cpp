// `accsim run` and `accsim config show`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/report/report.h"
#include "sim/run/system.h"

namespace accsim::cli {
namespace {

// Progress on stderr, at most a few times a second, only to a terminal unless forced.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(clock::now()) {}
  void operator()(double f, const std::string& what) {
    if (!enabled_) return;
    auto now = clock::now();
    if (f < 1.0 && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r  %5.1f%%  %s  (%.1f s)   ", 100.0 * f, what.c_str(), secs);
    if (f >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
  double elapsed() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

 private:
  using clock = std::chrono::steady_clock;
  bool enabled_;
  clock::time_point start_, last_{};
};

}  // namespace

int cmd_run(const Argv& argv) {
  Args a("run", "<system.yaml> [--workload FILE] [--set key=value ...] [-o report.json]",
         "Runs one simulation of the system described in <system.yaml> and writes its JSON\n"
         "report (schema in sim/README.md). A short table goes to stdout.");
  a.positional("system.yaml", "system description (see configs/README.md)")
      .option("workload", "FILE", "workload file; overrides the system's workload section", false,
              "w")
      .option("set", "KEY=VALUE", "override any configuration value, e.g. dram.channels=2", true)
      .option("output", "FILE", "JSON report path (default: <system name>.report.json)", false, "o")
      .option("csv", "FILE", "also write the report flattened to CSV")
      .flag("quiet", "no table and no progress", "q")
      .flag("progress", "show progress even when stderr is not a terminal");
  if (!a.parse(argv)) return 0;
  run::LoadedSystem sys = run::load_system(a.get("system.yaml"), a.all("set"), a.get("workload"));
  bool quiet = a.has("quiet");
  Progress progress(!quiet && (a.has("progress") || isatty(2)));
  run::ProgressFn pf = [&progress](double f, const std::string& w) { progress(f, w); };
  std::string out = a.get("output", sys.system.name + ".report.json");
  report::Json rep = run::run_system(sys, pf);
  report::write_file_atomic(out, report::to_text(rep));
  if (a.has("csv")) report::write_file_atomic(a.get("csv"), report::to_csv(rep));
  if (!quiet) {
    std::cout << run::summary_table(rep);
    std::cout << "report: " << out << "  (wall time " << report::fmt(progress.elapsed(), 2)
              << " s)\n";
  }
  return 0;
}

int cmd_validate(const Argv& argv) {
  Args a(
      "validate", "<system.yaml> <optrace.jsonl> [--set key=value ...] [-o report.json]",
      "Replays every launch of an op trace (as reference/ writes it, with the figures measured\n"
      "on the GPU) alone on the GPU model of <system.yaml> (target: gpu) and prints measured\n"
      "vs simulated time and DRAM bytes per launch, with the mean absolute percentage error and\n"
      "the correlation. Same as `accsim run <system.yaml> --set workload.op_trace=<optrace>`\n"
      "plus the per-launch table.");
  a.positional("system.yaml", "a gpu system description (e.g. configs/systems/gpu_h100.yaml)")
      .positional("optrace.jsonl", "op trace with measured figures")
      .option("set", "KEY=VALUE", "override any configuration value", true)
      .option("output", "FILE", "JSON report path (default: <system name>.validate.json)", false,
              "o")
      .flag("quiet", "no table", "q");
  if (!a.parse(argv)) return 0;
  std::vector<std::string> sets = a.all("set");
  sets.push_back("workload.op_trace=" + a.get("optrace.jsonl"));
  run::LoadedSystem sys = run::load_system(a.get("system.yaml"), sets, "");
  if (sys.system.target != "gpu")
    throw usage_error("validate: " + a.get("system.yaml") + " is a '" + sys.system.target +
                      "' system; validation needs a gpu system (target: gpu)");
  report::Json rep = run::run_system(sys, {});
  const std::string out = a.get("output", sys.system.name + ".validate.json");
  report::write_file_atomic(out, report::to_text(rep));
  if (a.has("quiet")) return 0;
  std::printf("%-5s %-24s %-34s %12s %12s %8s %12s %12s %8s\n", "#", "kernel", "shape",
              "measured us", "sim us", "error", "meas. MB", "sim MB", "error");
  for (const auto& l : rep["validation"]["launches"]) {
    std::string shape;
    for (auto it = l["shape"].begin(); it != l["shape"].end(); ++it)
      shape += (shape.empty() ? "" : ",") + it.key() + "=" + it.value().dump();
    auto num = [&l](const char* k, double scale, int prec) {
      return l.contains(k) ? report::fmt(l[k].get<double>() * scale, prec) : std::string("-");
    };
    std::printf(
        "%-5s %-24s %-34s %12s %12s %8s %12s %12s %8s\n", l["record"].dump().c_str(),
        l["kernel"].get<std::string>().c_str(), shape.c_str(),
        num("measured_time_ns", 1e-3, 2).c_str(), num("sim_time_ns", 1e-3, 2).c_str(),
        (num("time_error", 100, 1) + (l.contains("time_error") ? "%" : "")).c_str(),
        num("measured_dram_bytes", 1e-6, 3).c_str(), num("sim_dram_bytes", 1e-6, 3).c_str(),
        (num("dram_bytes_error", 100, 1) + (l.contains("dram_bytes_error") ? "%" : "")).c_str());
  }
  const auto& v = rep["validation"];
  std::cout << "time: " << v["points"] << " measured launches, MAPE "
            << report::fmt(100 * v["time_mape"].get<double>(), 1) << " %, correlation "
            << report::fmt(v["time_correlation"].get<double>(), 3)
            << "; DRAM bytes: " << v["dram_bytes_points"] << " launches, MAPE "
            << report::fmt(100 * v["dram_bytes_mape"].get<double>(), 1) << " %\nreport: " << out
            << "\n";
  return 0;
}

int cmd_config_show(const Argv& argv) {
  Args a("config show", "<system.yaml> [--set key=value ...] [--json]",
         "Prints the effective configuration of a system: every parameter with its value, unit,\n"
         "valid range, default, description and where the value was set.");
  a.positional("system.yaml", "system description")
      .option("set", "KEY=VALUE", "override a value, as for `accsim run`", true)
      .option("workload", "FILE", "workload file, as for `accsim run`", false, "w")
      .flag("json", "print the effective configuration as JSON instead");
  if (!a.parse(argv)) return 0;
  run::LoadedSystem sys = run::load_system(a.get("system.yaml"), a.all("set"), a.get("workload"));
  if (a.has("json")) {
    std::cout << sys.target->config_json().dump(2) << "\n";
  } else {
    run::show_config(sys, std::cout);
  }
  return 0;
}

}  // namespace accsim::cli
