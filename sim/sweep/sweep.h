#pragma once
// Design-space sweeps (usage: sim/README.md, `sweep`): a sweep file names one system, a
// grid of parameter values (every combination, or a seeded random sample of it) and the
// objectives to compare; `accsim sweep` runs each point as its own `accsim run` process and
// reports the Pareto front. This library holds the parts that are not process handling: loading
// and checking the sweep file, expanding the grid, reading objective values from reports and the
// Pareto front. Format: configs/README.md "Sweeps".
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/report/report.h"

namespace accsim::sweep {

enum class Goal { kMin, kMax };

struct Objective {
  std::string name;  // column title
  std::string path;  // dotted path into the run report, e.g. summary.energy_j
  Goal goal = Goal::kMin;
};

struct Param {
  std::string key;                  // a --set key, e.g. controller.read_queue
  std::vector<std::string> values;  // as written in the file
  SourceLoc where;
};

struct SweepSpec {
  std::string file;  // the sweep file
  std::string name, description;
  std::string system;             // resolved against the sweep file's folder
  std::string workload;           // optional, resolved likewise
  std::vector<std::string> sets;  // fixed overrides for every point
  std::vector<Param> grid;        // in file order
  std::int64_t sample = 0;        // 0 = the whole grid; else this many points, drawn without
  std::uint64_t seed = 1;         //   replacement with this seed (deterministic)
  std::vector<Objective> objectives;
};

// One point: its label ("p0003", by index in the full grid) and its parameter values.
struct Point {
  std::string label;
  std::int64_t index = 0;  // in the full grid (row-major, last parameter fastest)
  std::vector<std::pair<std::string, std::string>> values;  // key, value
  std::vector<std::string> set_args() const;                // "key=value"
};

// Loads and checks a sweep file; errors name file:line:column (exit code 3).
SweepSpec load_sweep(const std::string& path);
// The same for a document already read; relative paths in it resolve against path's folder.
SweepSpec load_sweep_yaml(const YAML::Node& root, const std::string& path);

// Grids larger than this are refused (use `sample`).
inline constexpr std::int64_t kMaxGridPoints = 1000000;
std::int64_t grid_size(const SweepSpec& s);

// The points to run: the whole grid in row-major order, or `sample` of them drawn with `seed`
// (sorted by grid index, so the order does not depend on the draw).
std::vector<Point> expand(const SweepSpec& s);

// The number at a dotted path of a report ("components.fpga.throughput.ii_cycles"); nullopt if
// the path is missing or not a number.
std::optional<double> number_at(const report::Json& j, const std::string& path);

// Indices of the non-dominated rows of `values` (rows = points, columns = objectives): no other
// row is at least as good in every objective and strictly better in one. Rows holding a NaN are
// never on the front.
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values,
                                      const std::vector<Goal>& goals);

}  // namespace accsim::sweep
