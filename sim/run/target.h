#pragma once
// A simulation target (dram, dataflow, fpga, ...): owns some top-level sections of a system YAML,
// builds its SystemC modules from them and runs. Targets register by name:
//   ACCSIM_REGISTER(accsim::run::Target, "dram", "JEDEC DRAM channel replaying access traces",
//                   [] { return std::unique_ptr<Target>(new DramTarget); });
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "sim/run/config_sections.h"

namespace accsim::run {

using Json = nlohmann::ordered_json;

// Shown on long runs: fraction done in [0, 1] and a short text.
using ProgressFn = std::function<void(double fraction, const std::string& what)>;

struct RunContext {
  StatsRegistry* stats = nullptr;
  EnergyLedger* energy = nullptr;
  ProgressFn progress;  // may be empty
};

// What every target reports in the "summary" block (used by studies' comparison tables).
struct Summary {
  std::string target, workload;
  double sim_time_s = 0;  // simulated time
  double work = 0;        // requests, elements, events ... (work_unit)
  std::string work_unit;
  double energy_j = 0;
  // Figures that do not apply to a target are absent from the report, never 0: an FPGA pipeline
  // that keeps its weights on chip moves no memory bytes, a dataflow SDPA run has no per-request
  // latency.
  std::optional<double> bytes;          // memory bytes moved
  std::optional<double> bandwidth_Bps;  // achieved memory bandwidth
  std::optional<double> peak_bandwidth_Bps;
  // Latency of the run's unit of work (a request, an event, a token). The mean can lie above the
  // p99 where the slowest 1 % are far slower than the rest: the max shows that tail.
  std::optional<double> latency_mean_ns, latency_p99_ns, latency_max_ns;
  // What limited the run, in words ("DRAM bandwidth 81 % of the time, latency 19 %"); empty
  // where the target does not say. `accsim compare` prints it per system.
  std::string bound;
  // Runs of an op trace: the records it holds, how many of them were simulated (a target that
  // runs one record of a trace says 1) and how many times they ran (pim's workload.tokens).
  struct OpTraceRun {
    std::uint64_t records = 0, simulated = 0, passes = 0;
  };
  std::optional<OpTraceRun> op_trace;
  // Target-specific key figures for the run's stdout table, in order ("row-buffer hits" ...),
  // each derived from figures elsewhere in the report.
  std::vector<std::pair<std::string, std::string>> highlights;
  Json to_json() const;
};

// The host memory a run of a target is estimated to take, with what it consists of in words.
struct MemoryEstimate {
  double bytes = 0;   // 0: the target does not estimate
  std::string parts;  // "DRAM model: 8192 channels, 4.2 M banks"
};

class Target {
 public:
  using Factory = std::function<std::unique_ptr<Target>()>;
  Target() = default;
  Target(const Target&) = delete;  // config_ points into the target's own members
  Target& operator=(const Target&) = delete;
  virtual ~Target() = default;
  // Top-level YAML sections this target reads besides `system` (e.g. dram, controller, issuer,
  // workload): config_'s. A key that is neither is an error naming the valid ones.
  std::vector<std::string> sections() const { return config_.names(); }
  // Applies the sections present in `root` (a file or one --set override) onto the config.
  void patch(const YAML::Node& root, const config::Origin& origin, config::Provenance& prov) {
    config_.patch(root, origin, prov);
  }
  // Called once after every patch: required values and cross-field checks.
  virtual void validate(const SourceLoc& file, const config::Provenance& prov) = 0;
  // `--workload PATH` from the command line (relative to the working directory).
  virtual void set_workload_path(const std::string& path) = 0;
  // The report's `config` (every section's values; a target may add what it resolved from them)
  // and `config_units` (the unit of each value that has one, by dotted key).
  virtual Json config_json() const { return config_.to_json(); }
  Json config_units() const { return config_.units(); }
  // Every parameter of every section (tools and tests that walk them all).
  std::vector<config::Parameter> parameters() const { return config_.parameters(); }
  // `config show` (a target may add a line on what it resolved).
  virtual void describe(std::ostream& os, const config::Provenance& prov) const {
    config_.describe(os, prov);
  }
  // The host memory the run will take (after validate), checked against system.memory_budget
  // before it starts.
  virtual MemoryEstimate estimated_memory() const { return {}; }
  // Elaborates and runs the simulation; fills ctx.stats/ctx.energy; returns the target-specific
  // report sections ("components", "workload", "notes" ...) and the summary.
  virtual Json run(const RunContext& ctx, Summary& summary) = 0;

 protected:
  // The target's sections, declared once in its constructor.
  ConfigSections config_;
};

}  // namespace accsim::run
