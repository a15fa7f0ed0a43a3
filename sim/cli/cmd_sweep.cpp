// `accsim sweep`: runs every point of a sweep file's parameter grid as its own `accsim run`
// process, a few at a time, and prints the points with their objectives and the Pareto front
// (sim/README.md, `sweep`). Resumable: a point whose report exists and whose
// recorded overrides match is not run again; a failed point is recorded and the others go on.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/cli/mpi_pool.h"
#include "sim/cli/runner.h"
#include "sim/report/report.h"
#include "sim/sweep/sweep.h"
#include "workloads/trace/access_trace_format.h"

namespace accsim::cli {
namespace fs = std::filesystem;
using report::Json;

namespace {

// FNV-1a-64 of a file's bytes as hex ("" if unreadable): a stable fingerprint of an input, so a
// point whose system or workload file was edited since is run again.
std::string file_fingerprint(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::uint64_t h = workloads::kFnv64Offset;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    h = workloads::fnv1a64(buf, static_cast<std::size_t>(in.gcount()), h);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// What a point's report was produced from; compared on resume. The accsim executable is part of
// it, so a rebuilt simulator reruns every point. Files the system file names in turn (e.g. a
// model path given in it) are not fingerprinted: use --fresh after editing those.
Json point_stamp(const sweep::SweepSpec& s, const sweep::Point& p, const std::string& exe_print) {
  Json j = Json::object();
  j["accsim_fnv1a64"] = exe_print;
  j["system"] = s.system;
  j["system_fnv1a64"] = file_fingerprint(s.system);
  j["workload"] = s.workload;
  j["workload_fnv1a64"] = file_fingerprint(s.workload);
  Json sets = Json::array();
  for (const auto& x : s.sets) sets.push_back(x);
  for (const auto& x : p.set_args()) sets.push_back(x);
  j["sets"] = sets;
  return j;
}

Json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return Json();
  Json j = Json::parse(in, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

std::string num_text(double v) {
  if (std::isnan(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// Everything but the launch: stamps and resume, running the points (local pool or MPI workers),
// objectives, Pareto front, sweep.json / sweep.csv and the table.
int sweep_main(const Args& a, const sweep::SweepSpec& spec, const std::vector<sweep::Point>& points,
               const std::string& name, const fs::path& out, int jobs, const std::string& exe,
               const std::function<pid_t(std::size_t)>& start, const MpiSession* mpi) {
  const fs::path pdir = out / "points";
  make_results_dir(pdir.string());
  const std::string exe_print = file_fingerprint(exe);
  const std::size_t n = points.size();
  std::vector<int> status(n, -1);  // exit code; -1 = not run
  std::vector<bool> reused(n, false);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = points[i];
    const fs::path rep = pdir / (p.label + ".json"), stamp = pdir / (p.label + ".point.json");
    if (!a.flag_set("fresh")) {
      Json r = read_json(rep), st = read_json(stamp);
      if (r.is_object() && r.contains("summary") && st == point_stamp(spec, p, exe_print)) {
        status[i] = 0;
        reused[i] = true;
        continue;
      }
    }
    // A stale report must not outlive a failed rerun with different overrides.
    std::error_code ec;
    fs::remove(rep, ec);
    report::write_file_atomic(stamp.string(), report::to_text(point_stamp(spec, p, exe_print)));
    pending.push_back(i);
  }
  std::cerr << "sweep " << name << ": " << n << " points (" << (n - pending.size())
            << " done earlier), ";
  if (mpi)
    std::cerr << mpi->size() - 1 << " MPI workers x " << jobs << " at a time";
  else
    std::cerr << jobs << " at a time";
  std::cerr << ", results in " << out.string() << "\n";

  std::size_t finished = 0;
  auto on_done = [&](std::size_t i, int code) {
    status[i] = code;
    ++finished;
    std::string vals;
    for (const auto& x : points[i].set_args()) vals += (vals.empty() ? "" : " ") + x;
    std::cerr << "  [" << finished << "/" << pending.size() << "] " << points[i].label << " "
              << (code == 0 ? "done" : "FAILED (exit " + std::to_string(code) + ")") << " (" << vals
              << ")\n";
  };
  if (mpi)
    mpi_coordinate(*mpi, pending, jobs, on_done);
  else
    run_local_pool(pending, jobs, start, on_done);

  // Objectives of every point that produced a report.
  const std::size_t m = spec.objectives.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<double>> vals(n, std::vector<double>(m, nan));
  std::vector<std::string> errors(n);
  std::vector<std::size_t> ok_rows;
  std::vector<std::vector<double>> ok_vals;
  int failed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = points[i];
    if (status[i] != 0) {
      ++failed;
      errors[i] = last_line((pdir / (p.label + ".log")).string());
      if (errors[i].rfind("accsim: error: ", 0) == 0) errors[i] = errors[i].substr(15);
      if (errors[i].empty()) errors[i] = "exit code " + std::to_string(status[i]);
      continue;
    }
    Json r = read_json(pdir / (p.label + ".json"));
    if (!r.is_object() || !r.contains("summary")) {
      ++failed;
      status[i] = 1;
      errors[i] = "report missing or unreadable";
      continue;
    }
    // An objective whose path names no number in the report is an error of the point (its
    // report stays): a sweep that compares nothing has not succeeded.
    std::string missing;
    for (std::size_t k = 0; k < m; ++k) {
      if (auto v = sweep::number_at(r, spec.objectives[k].path))
        vals[i][k] = *v;
      else if (missing.empty())
        missing = "objective '" + spec.objectives[k].name + "': '" + spec.objectives[k].path +
                  "' names no number in the report";
    }
    if (!missing.empty()) {
      ++failed;
      status[i] = 1;
      errors[i] = missing;
      continue;
    }
    ok_rows.push_back(i);
    ok_vals.push_back(vals[i]);
  }
  std::vector<sweep::Goal> goals;
  for (const auto& o : spec.objectives) goals.push_back(o.goal);
  std::vector<bool> on_front(n, false);
  for (std::size_t r : sweep::pareto_front(ok_vals, goals)) on_front[ok_rows[r]] = true;

  Json sj = Json::object();
  sj["schema"] = "accsim-sweep";
  sj["schema_version"] = 1;
  sj["sweep"] = name;
  sj["description"] = spec.description;
  sj["system"] = spec.system;
  sj["workload"] = spec.workload;
  sj["set"] = spec.sets;
  Json params = Json::array();
  for (const auto& g : spec.grid) params.push_back(g.key);
  sj["parameters"] = params;
  sj["grid_points"] = sweep::grid_size(spec);
  Json objs = Json::array();
  for (const auto& o : spec.objectives)
    objs.push_back({{"name", o.name},
                    {"path", o.path},
                    {"goal", o.goal == sweep::Goal::kMin ? "min" : "max"}});
  sj["objectives"] = objs;
  sj["points"] = Json::array();

  std::vector<std::string> header = {"point"};
  for (const auto& g : spec.grid) header.push_back(g.key);
  for (const auto& o : spec.objectives)
    header.push_back(o.name + (o.goal == sweep::Goal::kMin ? " (min)" : " (max)"));
  header.push_back("pareto");
  report::TextTable table(header);
  std::string csv;
  for (std::size_t c = 0; c < header.size(); ++c)
    csv += (c ? "," : "") + report::csv_quote(header[c]);
  csv += ",status\n";
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = points[i];
    Json pj = Json::object();
    pj["label"] = p.label;
    pj["index"] = p.index;
    Json v = Json::object();
    for (const auto& [k, x] : p.values) v[k] = x;
    pj["values"] = v;
    pj["status"] = status[i] == 0 ? "ok" : "failed";
    pj["reused"] = static_cast<bool>(reused[i]);
    pj["report"] = "points/" + p.label + ".json";
    std::vector<std::string> row = {p.label};
    for (const auto& [k, x] : p.values) row.push_back(x);
    if (status[i] == 0) {
      Json o = Json::object();
      for (std::size_t k = 0; k < m; ++k) {
        o[spec.objectives[k].name] = std::isnan(vals[i][k]) ? Json() : Json(vals[i][k]);
        row.push_back(num_text(vals[i][k]));
      }
      pj["objectives"] = o;
      pj["pareto"] = static_cast<bool>(on_front[i]);
      row.push_back(on_front[i] ? "*" : "");
    } else {
      pj["exit_code"] = status[i];
      pj["error"] = errors[i];
      for (std::size_t k = 0; k < m; ++k) row.push_back("-");
      row.push_back("FAILED: " + errors[i]);
    }
    sj["points"].push_back(pj);
    const std::size_t first_obj = 1 + p.values.size();
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      if (c + 1 == row.size() && status[i] != 0) cell = "";
      // The CSV keeps every digit (the table rounds to 6): shortest text that reads back exact.
      if (status[i] == 0 && c >= first_obj && c < first_obj + m &&
          !std::isnan(vals[i][c - first_obj]))
        cell = fmt::format("{}", vals[i][c - first_obj]);
      csv += (c ? "," : "") + report::csv_quote(cell);
    }
    csv += "," + report::csv_quote(status[i] == 0 ? "ok" : "failed: " + errors[i]) + "\n";
    table.row(row);
  }
  report::write_file_atomic((out / "sweep.json").string(), report::to_text(sj));
  report::write_file_atomic((out / "sweep.csv").string(), csv);
  std::cout << "\n" << table.str() << "\n";
  std::string front;
  std::size_t front_n = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (on_front[i]) front += (front_n++ ? ", " : "") + points[i].label;
  std::cout << "Pareto front (" << front_n << " of " << ok_rows.size() << " points";
  for (std::size_t k = 0; k < m; ++k)
    std::cout << (k ? ", " : "; ")
              << (spec.objectives[k].goal == sweep::Goal::kMin ? "min " : "max ")
              << spec.objectives[k].name;
  std::cout << "): " << (front.empty() ? "-" : front) << "\n"
            << (n - failed) << " of " << n << " points succeeded; summary in " << out.string()
            << "/sweep.json\n";
  return failed ? static_cast<int>(ExitCode::kSimulation) : 0;
}

}  // namespace

int cmd_sweep(const Argv& argv) {
  Args a("sweep", "<sweep.yaml> [-o DIR] [-j N] [--fresh]",
         "Runs every point of a sweep file's parameter grid (or a seeded sample of it), each in\n"
         "its own process, and prints the points with their objectives and the Pareto front.\n"
         "Reports go to DIR/points/<label>.json, logs to DIR/points/<label>.log, the summary to\n"
         "DIR/sweep.json and DIR/sweep.csv. Points already done (report present, same inputs)\n"
         "are not run again, so an interrupted sweep resumes; a failed point is recorded and the\n"
         "others go on. Under MPI (mpirun -np N accsim sweep ...) rank 0 coordinates and ranks\n"
         "1..N-1 each run up to -j points at a time (sim/README.md).");
  a.positional("sweep.yaml", "the sweep file (see configs/README.md \"Sweeps\")")
      .option("output", "DIR", "results folder (default results/<sweep name>)", false, "o")
      .option("jobs", "N", "simulations run at once (default 2; per worker under MPI)", false, "j")
      .flag("fresh", "run every point again, even those already done");
  if (!a.parse(argv)) return 0;
  const std::string file = a.get("sweep.yaml");
  // Under mpirun every rank reads the sweep file; only rank 0 reports what is wrong with it.
  sweep::SweepSpec spec;
  std::vector<sweep::Point> points;
  int jobs = 0;
  try {
    spec = sweep::load_sweep(file);
    points = sweep::expand(spec);
    jobs = parse_jobs("sweep", a.get("jobs", "2"));
  } catch (const Error& e) {
    if (launched_by_mpirun() && rank_from_env() > 0) return static_cast<int>(e.code());
    throw;
  }
  const std::string name = spec.name.empty() ? fs::path(file).stem().string() : spec.name;
  const fs::path out = a.get("output", "results/" + name);
  const fs::path pdir = out / "points";
  const std::string exe = self_exe();
  auto start = [&](std::size_t i) {
    const auto& p = points[i];
    RunRequest req{spec.system, spec.workload, spec.sets, (pdir / (p.label + ".json")).string(),
                   (pdir / (p.label + ".log")).string()};
    for (const auto& x : p.set_args()) req.sets.push_back(x);
    return start_run_process(exe, req);
  };

  // Under mpirun: rank 0 coordinates and writes the results, the other ranks run points.
  std::optional<MpiSession> mpi;
  if (launched_by_mpirun()) mpi.emplace();
  if (mpi && mpi->rank() != 0) {
    mpi_work(*mpi, jobs, start);
    return 0;
  }
  const bool distributed = mpi && mpi->size() > 1;
  try {
    return sweep_main(a, spec, points, name, out, jobs, exe, start, distributed ? &*mpi : nullptr);
  } catch (const std::exception& e) {
    if (!distributed) throw;
    // The workers wait on rank 0: report, then end every rank.
    std::cerr << "accsim: error: " << e.what() << "\n";
    const auto* ae = dynamic_cast<const Error*>(&e);
    mpi->abort(ae ? static_cast<int>(ae->code()) : 1);
  }
}

}  // namespace accsim::cli
