// Study and compare files (study_file.h).
#include "sim/cli/study_file.h"

#include <algorithm>
#include <filesystem>

namespace accsim::cli {
namespace fs = std::filesystem;

std::string resolve_study_path(const std::string& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base) / p).lexically_normal().string();
}

void check_study_keys(const YAML::Node& root, const config::Origin& origin,
                      const std::vector<std::string>& allowed, const std::string& what) {
  if (!root.IsMap()) throw config_error(origin.loc(root), what + " must be a mapping");
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string k = config::key_text(it->first, origin);
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw config_error(origin.loc(it->first), "unknown key '" + k + "' in " + what +
                                                    "; valid keys: " + config::join(allowed, ", "));
  }
}

StudyHeader parse_study_header(
    const YAML::Node& root, const std::string& section, const config::Origin& origin,
    const std::vector<std::string>& extra,
    const std::function<void(const std::string&, const YAML::Node&)>& on_extra) {
  StudyHeader h;
  const YAML::Node st = root[section];
  if (!st) return h;
  std::vector<std::string> keys = {"name", "description"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  check_study_keys(st, origin, keys, "'" + section + "'");
  for (auto it = st.begin(); it != st.end(); ++it) {
    const std::string k = config::key_text(it->first, origin);
    if (k == "name") {
      h.name = config::value_text(it->second, origin, section + ".name");
      config::check_plain_name(h.name, "'" + section + ".name'", origin.loc(it->second));
    } else if (k == "description") {
      h.description = config::value_text(it->second, origin, section + ".description");
    } else {
      on_extra(k, it->second);
    }
  }
  return h;
}

StudyRun parse_study_run(const YAML::Node& r, const config::Origin& origin, const std::string& base,
                         bool allow_workload, std::map<std::string, SourceLoc>& seen) {
  std::vector<std::string> keys = {"label", "system", "set"};
  if (allow_workload) keys.insert(keys.begin() + 2, "workload");
  check_study_keys(r, origin, keys, "a run entry");
  StudyRun run;
  run.where = origin.loc(r);
  for (auto it = r.begin(); it != r.end(); ++it) {
    const std::string k = config::key_text(it->first, origin);
    if (k == "label") {
      run.label = config::value_text(it->second, origin, "label");
    } else if (k == "system") {
      run.system = resolve_study_path(base, config::value_text(it->second, origin, "system"));
    } else if (k == "workload") {
      run.workload = resolve_study_path(base, config::value_text(it->second, origin, "workload"));
    } else {  // set
      if (!it->second.IsSequence())
        throw config_error(origin.loc(it->second), "'set' must be a list of key=value strings");
      for (const auto& v : it->second) run.sets.push_back(config::value_text(v, origin, "set"));
    }
  }
  if (run.label.empty() || run.system.empty())
    throw config_error(run.where, "each entry needs 'label' and 'system'");
  config::check_plain_name(run.label, "label", run.where);
  if (const auto it = seen.find(run.label); it != seen.end())
    throw config_error(run.where,
                       "duplicate label '" + run.label + "' (first at " + it->second.str() + ")");
  seen.emplace(run.label, run.where);
  return run;
}

}  // namespace accsim::cli
