#pragma once
// Builds a system from a YAML file (+ --set overrides), runs it and assembles the report.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "sim/run/target.h"

namespace accsim::run {

struct SystemSection {
  std::string name;
  std::string target;
  std::string description;
  double memory_budget = 0;  // bytes a run may take by its estimate; 0 = 75 % of the machine's
};

struct LoadedSystem {
  std::string path;
  SystemSection system;
  std::unique_ptr<Target> target;
  config::Provenance prov;
};

// Loads `path`, applies `overrides` ("a.b=value") and `workload` (if not empty). Errors name the
// file, line and column (or the --set text).
LoadedSystem load_system(const std::string& path, const std::vector<std::string>& overrides,
                         const std::string& workload);

// `accsim config show`.
void show_config(const LoadedSystem& sys, std::ostream& os);

// The DRAM model's share of a run's memory (dram::estimated_model_bytes), described.
MemoryEstimate dram_memory_estimate(const hw::DramSpec& spec);

// Refuses a run whose estimated memory (Target::estimated_memory) exceeds system.memory_budget,
// naming the file, the estimate and the override. run_system calls it first.
void check_memory_budget(const LoadedSystem& sys);

// Runs and returns the whole report (see sim/README.md for the schema).
Json run_system(LoadedSystem& sys, const ProgressFn& progress);

// The short human table printed after a run.
std::string summary_table(const Json& report);

// Resolves a path written in a YAML file relative to that file's folder.
std::string resolve_relative(const std::string& yaml_file, const std::string& path);

}  // namespace accsim::run
