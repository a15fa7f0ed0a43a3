#pragma once
// Pieces of the files `accsim study` and `accsim compare` read (configs/README.md): a header
// section (name, description, and keys of the caller's) and run entries (label, system,
// workload, set), every path relative to the file.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/config.h"

namespace accsim::cli {

struct StudyRun {
  std::string label, system, workload;
  std::vector<std::string> sets;
  SourceLoc where;
};

// A path written in the file at `base` (its folder): relative paths are taken from there.
std::string resolve_study_path(const std::string& base, const std::string& p);

// Checks that `root` is a mapping whose keys are all in `allowed` (an error lists them).
void check_study_keys(const YAML::Node& root, const config::Origin& origin,
                      const std::vector<std::string>& allowed, const std::string& what);

// The header section `section` ("study", "compare"): name (a plain name), description, and any
// key in `extra` handed to on_extra(key, value node).
struct StudyHeader {
  std::string name, description;
};
StudyHeader parse_study_header(
    const YAML::Node& root, const std::string& section, const config::Origin& origin,
    const std::vector<std::string>& extra,
    const std::function<void(const std::string&, const YAML::Node&)>& on_extra);

// One entry of a run list: label (plain, unique among `seen`), system, workload (only where
// `allow_workload`), set.
StudyRun parse_study_run(const YAML::Node& r, const config::Origin& origin, const std::string& base,
                         bool allow_workload, std::map<std::string, SourceLoc>& seen);

}  // namespace accsim::cli
