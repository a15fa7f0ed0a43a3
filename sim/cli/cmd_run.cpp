// `accsim run` and `accsim config show`.
#include <unistd.h>

#include <algorithm>
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

namespace {

// The validation columns: (row key of the measured figure, of the simulated one, of the error,
// heading, scale for the table).
struct VCol {
  const char *measured, *simulated, *error, *heading;
  double scale;
};
constexpr VCol kVCols[] = {
    {"measured_time_ns", "sim_time_ns", "time_error", "time us", 1e-3},
    {"measured_dram_read_bytes", "sim_dram_read_bytes", "dram_read_bytes_error", "read MB", 1e-6},
    {"measured_dram_write_bytes", "sim_dram_write_bytes", "dram_write_bytes_error", "written MB",
     1e-6},
    {"measured_l2_hit_pct", "sim_l2_hit_pct", "l2_hit_error", "L2 hit %", 1},
};

// The comparisons of a validation report (key under "validation", name in the summary lines).
constexpr std::pair<const char*, const char*> kVMetrics[] = {{"time", "time"},
                                                             {"dram_read_bytes", "DRAM read"},
                                                             {"dram_write_bytes", "DRAM written"},
                                                             {"l2_hit_rate", "L2 hit rate"}};

std::string shape_text(const report::Json& l) {
  std::string shape;
  for (auto it = l["shape"].begin(); it != l["shape"].end(); ++it)
    shape += (shape.empty() ? "" : ",") + it.key() + "=" + it.value().dump();
  return shape;
}

// One row per launch: record, kernel, op, shape, bound, then for each figure measured,
// simulated and relative error (empty where not measured).
std::string validation_csv(const report::Json& launches) {
  std::string out = "record,kernel,op,shape,bound";
  for (const auto& c : kVCols)
    out += std::string(",") + c.measured + "," + c.simulated + "," + c.error;
  out += "\n";
  for (const auto& l : launches) {
    out += l["record"].dump();
    for (const std::string& text : {l["kernel"].get<std::string>(), l["op"].get<std::string>(),
                                    shape_text(l), l["bound"].get<std::string>()})
      out += "," + report::csv_quote(text);
    for (const auto& c : kVCols)
      for (const char* k : {c.measured, c.simulated, c.error})
        out += "," + (l.contains(k) ? l[k].dump() : std::string());
    out += "\n";
  }
  return out;
}

void print_validation(const report::Json& rep, const std::string& out) {
  std::printf("%-4s %-22s %-30s %-8s", "#", "kernel", "shape", "bound");
  for (const auto& c : kVCols)
    std::printf(" %24s", (std::string(c.heading) + " meas/sim/err").c_str());
  std::printf("\n");
  for (const auto& l : rep["validation"]["launches"]) {
    std::printf("%-4s %-22s %-30s %-8s", l["record"].dump().c_str(),
                l["kernel"].get<std::string>().c_str(), shape_text(l).c_str(),
                l["bound"].get<std::string>().c_str());
    for (const auto& c : kVCols) {
      auto num = [&l](const char* k, double scale, int prec) {
        return l.contains(k) ? report::fmt(l[k].get<double>() * scale, prec) : std::string("-");
      };
      const std::string err = l.contains(c.error) ? num(c.error, 100, 1) + "%" : "-";
      std::printf(" %24s",
                  (num(c.measured, c.scale, 2) + " / " + num(c.simulated, c.scale, 2) + " / " + err)
                      .c_str());
    }
    std::printf("\n");
  }
  const auto& v = rep["validation"];
  const auto line = [&v](const char* key, const char* what) {
    const auto& c = v[key];
    std::cout << what << ": ";
    if (c["mape"].is_null()) {
      std::cout << "no measured figure\n";
      return;
    }
    std::cout << c["points"] << " launches, MAPE " << report::fmt(100 * c["mape"].get<double>(), 1)
              << " %, correlation "
              << (c["correlation"].is_null() ? std::string("- (one launch)")
                                             : report::fmt(c["correlation"].get<double>(), 3))
              << "\n";
  };
  for (const auto& [key, what] : kVMetrics) line(key, what);
  std::cout << "report: " << out << "\n";
}

}  // namespace

int cmd_validate(const Argv& argv) {
  Args a("validate",
         "<system.yaml> <optrace.jsonl> [--set key=value ...] [-o report.json] [--csv F]",
         "Replays every launch of an op trace (as reference/ writes it, with the figures measured\n"
         "on the GPU) alone on the GPU model of <system.yaml> (target: gpu) and prints measured\n"
         "vs simulated time, DRAM bytes read and written, and L2 hit rate per launch, with the\n"
         "mean absolute percentage error and the correlation of each (counters as Nsight Compute\n"
         "defines them: models/gpu/README.md, \"Counters\"). Same as `accsim run <system.yaml>\n"
         "--set workload.op_trace=<optrace>` plus the per-launch table.");
  a.positional("system.yaml", "a gpu system description (e.g. configs/systems/gpu_h100.yaml)")
      .positional("optrace.jsonl", "op trace with measured figures")
      .option("set", "KEY=VALUE", "override any configuration value", true)
      .option("output", "FILE", "JSON report path (default: <system name>.validate.json)", false,
              "o")
      .option("csv", "FILE", "also write one row per launch: measured, simulated, error")
      .flag("quiet", "no table", "q");
  if (!a.parse(argv)) return 0;
  std::vector<std::string> sets = a.all("set");
  sets.push_back("workload.op_trace=" + a.get("optrace.jsonl"));
  if (const run::LoadedSystem any = run::load_system(a.get("system.yaml"), sets, "");
      any.system.target != "gpu")
    throw usage_error("validate: " + a.get("system.yaml") + " is a '" + any.system.target +
                      "' system; validation needs a gpu system (target: gpu)");
  sets.push_back("workload.op_trace_replay=alone");  // every launch alone, on cold caches
  run::LoadedSystem sys = run::load_system(a.get("system.yaml"), sets, "");
  report::Json rep = run::run_system(sys, {});
  const std::string out = a.get("output", sys.system.name + ".validate.json");
  report::write_file_atomic(out, report::to_text(rep));
  if (a.has("csv"))
    report::write_file_atomic(a.get("csv"), validation_csv(rep["validation"]["launches"]));
  if (!a.has("quiet")) print_validation(rep, out);
  // A validation that compared nothing did not validate: the report (simulated figures) is kept.
  const auto& v = rep["validation"];
  if (std::ranges::all_of(kVMetrics, [&v](const auto& m) { return v[m.first]["points"] == 0; }))
    throw Error(ExitCode::kInput,
                a.get("optrace.jsonl") +
                    ": no launch carries a measured figure (measured time, DRAM bytes or L2 hit "
                    "rate), so nothing was validated; the simulated figures are in " +
                    out);
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
