#include "sim/run/system.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/dram/backend.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"

namespace accsim::run {
namespace fs = std::filesystem;

Json Summary::to_json() const {
  Json j = Json::object();
  j["target"] = target;
  j["workload"] = workload;
  j["sim_time_s"] = sim_time_s;
  j["work"] = work;
  j["work_unit"] = work_unit;
  const auto put = [&j](const char* key, const std::optional<double>& v) {
    if (v) j[key] = *v;
  };
  put("bytes", bytes);
  put("bandwidth_Bps", bandwidth_Bps);
  put("peak_bandwidth_Bps", peak_bandwidth_Bps);
  j["energy_j"] = energy_j;
  put("latency_mean_ns", latency_mean_ns);
  put("latency_p99_ns", latency_p99_ns);
  put("latency_max_ns", latency_max_ns);
  if (!bound.empty()) j["bound"] = bound;
  if (op_trace)
    j["op_trace"] = {{"records", op_trace->records},
                     {"simulated", op_trace->simulated},
                     {"passes", op_trace->passes}};
  Json h = Json::array();
  for (const auto& [figure, value] : highlights)
    h.push_back({{"figure", figure}, {"value", value}});
  j["highlights"] = h;
  return j;
}

namespace {

const config::Schema<SystemSection>& system_schema() {
  static const config::Schema<SystemSection> s = [] {
    config::Schema<SystemSection> s("system");
    s.text("name", &SystemSection::name, std::nullopt, "name of this system, used in reports")
        .text("target", &SystemSection::target, std::nullopt,
              "which model runs it (see `accsim list`)")
        .text("description", &SystemSection::description, std::string(),
              "free text shown in the report")
        .quantity("memory_budget", &SystemSection::memory_budget, Unit::kSize, 0.0,
                  config::Range::at_least(0),
                  "host memory a run may take by its estimate, checked before it starts; 0 = "
                  "75 % of this machine's memory");
    return s;
  }();
  return s;
}

std::vector<std::string> target_names() {
  std::vector<std::string> v;
  for (auto* e : Registry<Target>::instance().list()) v.push_back(e->name);
  return v;
}

// Splits a YAML root into the `system` section and the rest, checking top-level keys.
void check_top_level(const YAML::Node& root, const config::Origin& origin,
                     const std::vector<std::string>& allowed, const std::string& target) {
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string k = config::key_text(it->first, origin);
    bool ok = k == "system";
    for (const auto& a : allowed) ok = ok || a == k;
    if (!ok) {
      std::vector<std::string> all = {"system"};
      all.insert(all.end(), allowed.begin(), allowed.end());
      std::string hint = config::closest_match(k, all);
      throw config_error(origin.loc(it->first),
                         "unknown section '" + k + "' for target '" + target +
                             "'; valid sections: " + config::join(all, ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
}

}  // namespace

std::string resolve_relative(const std::string& yaml_file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(yaml_file).parent_path() / path).lexically_normal().string();
}

LoadedSystem load_system(const std::string& path, const std::vector<std::string>& overrides,
                         const std::string& workload) {
  LoadedSystem sys;
  sys.path = path;
  // Command-line mistakes are reported before the file is read.
  std::vector<std::pair<YAML::Node, std::string>> ovs;
  for (const auto& o : overrides) ovs.push_back(config::parse_override(o));
  YAML::Node root = config::load_yaml_file(path);
  config::Origin origin(path);
  if (!root.IsMap())
    throw config_error(origin.loc(root), "a system file must be a mapping with a 'system' section");
  system_schema().set_defaults(sys.system);
  config::LoadCtx ctx{&origin, &sys.prov, "system"};
  if (!root["system"])
    throw config_error(SourceLoc{path, 1, 1},
                       "missing section 'system' (with 'name' and 'target'); targets: " +
                           config::join(target_names(), ", "));
  system_schema().patch(root["system"], sys.system, ctx);
  // Overrides of system.* apply before the target is chosen.
  for (auto& [node, text] : ovs) {
    if (!node["system"]) continue;
    config::Origin oo = config::Origin::override_(text);
    config::LoadCtx oc{&oo, &sys.prov, "system"};
    system_schema().patch(node["system"], sys.system, oc);
  }
  system_schema().validate(sys.system, sys.prov, "system", SourceLoc{path, 0, 0});
  if (!Registry<Target>::instance().has(sys.system.target)) {
    const auto names = target_names();
    const std::string hint = config::closest_match(sys.system.target, names);
    throw Error(ExitCode::kConfig, sys.prov.of("system.target") +
                                       ": 'system.target': unknown target '" + sys.system.target +
                                       "'; registered: " + config::join(names, ", ") +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  const auto& entry = Registry<Target>::instance().get(sys.system.target, "target");
  sys.target = entry.make();
  auto sections = sys.target->sections();
  check_top_level(root, origin, sections, sys.system.target);
  sys.target->patch(root, origin, sys.prov);
  for (auto& [node, text] : ovs) {
    config::Origin oo = config::Origin::override_(text);
    check_top_level(node, oo, sections, sys.system.target);
    sys.target->patch(node, oo, sys.prov);
  }
  if (!workload.empty()) sys.target->set_workload_path(workload);
  sys.target->validate(SourceLoc{path, 0, 0}, sys.prov);
  return sys;
}

void show_config(const LoadedSystem& sys, std::ostream& os) {
  os << "# effective configuration of " << sys.path
     << "\n# value  # description [unit] range; default; set by\n";
  os << "system:\n";
  system_schema().describe(sys.system, os, 2, sys.prov, "system");
  sys.target->describe(os, sys.prov);
}

namespace {

// Physical memory, or the control group's limit where that is lower (containers).
double machine_memory_bytes() {
  double bytes =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  for (const char* f :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(f);
    double limit = 0;
    if (in >> limit && limit > 0 && limit < bytes) bytes = limit;  // "max" reads as no number
  }
  return bytes;
}

}  // namespace

MemoryEstimate dram_memory_estimate(const hw::DramSpec& spec) {
  const std::int64_t ch = spec.org.independent_channels();
  const std::int64_t banks = ch * spec.org.ranks * spec.org.banks_per_rank();
  return {dram::estimated_model_bytes(spec),
          "DRAM model: " + std::to_string(ch) + " channels, " + std::to_string(banks) + " banks"};
}

void check_memory_budget(const LoadedSystem& sys) {
  const MemoryEstimate e = sys.target->estimated_memory();
  if (e.bytes <= 0) return;
  double budget = sys.system.memory_budget;
  std::string what = "system.memory_budget, set by " + sys.prov.of("system.memory_budget");
  if (budget == 0) {
    budget = 0.75 * machine_memory_bytes();
    what = "75 % of this machine's memory";
  }
  if (e.bytes <= budget) return;
  throw Error(ExitCode::kConfig, SourceLoc{sys.path, 0, 0},
              "the run would take an estimated " + report::fmt_si(e.bytes, "B") + " of memory (" +
                  e.parts + "), more than its budget of " + report::fmt_si(budget, "B") + " (" +
                  what +
                  "); make the configuration smaller, or, on a machine with the memory, raise "
                  "the budget with --set system.memory_budget=<size>");
}

Json run_system(LoadedSystem& sys, const ProgressFn& progress) {
  check_memory_budget(sys);
  StatsRegistry stats;
  EnergyLedger energy;
  RunContext ctx{&stats, &energy, progress};
  Summary summary;
  Json body = sys.target->run(ctx, summary);
  Json rep = report::new_report();
  Json sysj = Json::object();
  sysj["name"] = sys.system.name;
  sysj["target"] = sys.system.target;
  sysj["description"] = sys.system.description;
  rep["system"] = sysj;
  Json cfg = sys.target->config_json();
  rep["config"] = cfg;
  rep["config_units"] = sys.target->config_units();
  rep["summary"] = summary.to_json();
  for (auto it = body.begin(); it != body.end(); ++it) rep[it.key()] = it.value();
  rep["energy"] = energy.to_json();
  rep["stats"] = stats.to_json();
  return rep;
}

std::string summary_table(const Json& rep) {
  const auto& s = rep["summary"];
  auto num = [&](const char* k) {
    return s.contains(k) && s[k].is_number() ? s[k].get<double>() : 0.0;
  };
  report::TextTable t({"figure", "value"});
  t.row({"system", rep["system"]["name"].get<std::string>() + " (" +
                       rep["system"]["target"].get<std::string>() + ")"});
  t.row({"workload", s.value("workload", std::string())});
  t.row({"simulated time", report::fmt_si(num("sim_time_s"), "s")});
  t.row({"work", report::fmt(num("work"), 0) + " " + s.value("work_unit", std::string())});
  if (s.contains("latency_mean_ns")) {
    t.row({"latency mean", report::fmt(num("latency_mean_ns"), 2) + " ns"});
    if (s.contains("latency_p99_ns"))
      t.row({"latency p99", report::fmt(num("latency_p99_ns"), 2) + " ns" +
                                (num("latency_p99_ns") < num("latency_mean_ns")
                                     ? " (below the mean: the slowest 1 % pull the mean up)"
                                     : "")});
    if (s.contains("latency_max_ns"))
      t.row({"latency max", report::fmt(num("latency_max_ns"), 2) + " ns"});
  }
  if (s.contains("bytes")) {
    t.row({"bytes moved", report::fmt_si(num("bytes"), "B")});
    std::string bw = report::fmt_si(num("bandwidth_Bps"), "B/s");
    if (num("peak_bandwidth_Bps") > 0)
      bw += " (" + report::fmt(100.0 * num("bandwidth_Bps") / num("peak_bandwidth_Bps"), 1) +
            "% of " + report::fmt_si(num("peak_bandwidth_Bps"), "B/s") + ")";
    t.row({"bandwidth", bw});
  }
  t.row({"energy", report::fmt_si(num("energy_j"), "J")});
  if (s.contains("bound") && s["bound"].is_string())
    t.row({"bound", s["bound"].get<std::string>()});
  // Energy per bit is a memory figure; for accelerators it would mix compute into it.
  if (s.value("target", std::string()) == "dram" && num("bytes") > 0 && num("energy_j") > 0)
    t.row({"energy per bit", report::fmt(num("energy_j") * 1e12 / (8 * num("bytes")), 2) + " pJ"});
  if (s.contains("highlights") && s["highlights"].is_array())
    for (const auto& h : s["highlights"])
      t.row({h.value("figure", std::string()), h.value("value", std::string())});
  return t.str();
}

}  // namespace accsim::run
