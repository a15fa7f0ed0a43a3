// Sweep files, grid expansion, objective values and the Pareto front (sweep.h).
#include "sim/sweep/sweep.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "sim/core/config.h"
#include "sim/core/random.h"

namespace accsim::sweep {
namespace fs = std::filesystem;

namespace {

std::string resolve(const fs::path& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

bool valid_key(const std::string& k) {
  if (k.empty() || k.front() == '.' || k.back() == '.') return false;
  for (char c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  return true;
}

}  // namespace

std::vector<std::string> Point::set_args() const {
  std::vector<std::string> v;
  v.reserve(values.size());
  for (const auto& [k, x] : values) {
    std::string a = k;
    a += '=';
    a += x;
    v.push_back(std::move(a));
  }
  return v;
}

SweepSpec load_sweep(const std::string& path) {
  return load_sweep_yaml(config::load_yaml_file(path), path);
}

SweepSpec load_sweep_yaml(const YAML::Node& root, const std::string& path) {
  config::Origin o(path);
  SweepSpec s;
  s.file = path;
  const fs::path base = fs::path(path).parent_path();
  if (!root.IsMap()) throw config_error(o.loc(root), "a sweep file must be a mapping");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string k = config::key_text(it->first, o);
    if (k != "sweep")
      throw config_error(o.loc(it->first), "unknown key '" + k + "'; a sweep file has 'sweep'");
  }
  const YAML::Node sw = root["sweep"];
  if (!sw || !sw.IsMap()) throw config_error(o.loc(root), "missing the 'sweep' mapping");
  static const std::vector<std::string> keys = {"name", "description", "system", "workload",  "set",
                                                "grid", "sample",      "seed",   "objectives"};
  for (auto it = sw.begin(); it != sw.end(); ++it) {
    std::string k = config::key_text(it->first, o);
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string hint = config::closest_match(k, keys);
      throw config_error(o.loc(it->first),
                         "unknown key 'sweep." + k + "'; valid keys: " + config::join(keys, ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  auto text = [&](const char* k) {
    return config::value_text(sw[k], o, std::string("sweep.") + k);
  };
  if (sw["name"]) s.name = text("name");
  if (sw["description"]) s.description = text("description");
  if (!sw["system"]) throw config_error(o.loc(sw), "missing 'sweep.system' (a system file)");
  s.system = resolve(base, text("system"));
  if (sw["workload"]) s.workload = resolve(base, text("workload"));
  if (sw["name"]) config::check_plain_name(s.name, "'sweep.name'", o.loc(sw["name"]));
  if (const YAML::Node st = sw["set"]) {
    if (!st.IsSequence())
      throw config_error(o.loc(st), "'sweep.set' must be a list of key=value strings");
    for (const auto& e : st) {
      std::string v = config::value_text(e, o, "sweep.set");
      if (v.find('=') == std::string::npos)
        throw config_error(o.loc(e), "'sweep.set' entry '" + v + "' is not key=value");
      s.sets.push_back(v);
    }
  }
  const YAML::Node g = sw["grid"];
  if (!g || !g.IsMap() || g.size() == 0)
    throw config_error(o.loc(g ? g : sw),
                       "'sweep.grid' must map parameter keys to non-empty lists of values");
  std::set<std::string> seen;
  for (auto it = g.begin(); it != g.end(); ++it) {
    Param p;
    p.key = config::key_text(it->first, o);
    p.where = o.loc(it->first);
    if (!valid_key(p.key))
      throw config_error(p.where, "'sweep.grid' key '" + p.key +
                                      "' is not a parameter path (section.key, as for --set)");
    if (!seen.insert(p.key).second)
      throw config_error(p.where, "'sweep.grid." + p.key + "' is given twice");
    const YAML::Node v = it->second;
    if (!v.IsSequence() || v.size() == 0)
      throw config_error(o.loc(v), "'sweep.grid." + p.key + "' must be a non-empty list");
    std::set<std::string> vals;
    for (const auto& e : v) {
      if (!e.IsScalar())
        throw config_error(o.loc(e), "'sweep.grid." + p.key + "' values must be scalars");
      std::string x = config::value_text(e, o, "sweep.grid." + p.key);
      if (!vals.insert(x).second)
        throw config_error(o.loc(e), "'sweep.grid." + p.key + "' lists '" + x + "' twice");
      p.values.push_back(x);
    }
    s.grid.push_back(std::move(p));
  }
  config::Provenance prov;
  if (sw["sample"]) {
    config::LoadCtx c{&o, &prov, "sweep.sample"};
    s.sample = config::read_integer(sw["sample"], c);
    if (s.sample < 1)
      throw config_error(o.loc(sw["sample"]), "'sweep.sample' must be a positive number of points");
  }
  if (sw["seed"]) {
    config::LoadCtx c{&o, &prov, "sweep.seed"};
    std::int64_t v = config::read_integer(sw["seed"], c);
    if (v < 0) throw config_error(o.loc(sw["seed"]), "'sweep.seed' must be >= 0");
    s.seed = static_cast<std::uint64_t>(v);
  }
  const std::int64_t n = grid_size(s);
  if (n > kMaxGridPoints && s.sample == 0)
    throw config_error(o.loc(g), "the grid has more than " + std::to_string(kMaxGridPoints) +
                                     " points; give 'sweep.sample' to draw a subset");
  if (s.sample > 0 && s.sample > n)
    throw config_error(o.loc(sw["sample"]), "'sweep.sample' = " + std::to_string(s.sample) +
                                                " is more than the " + std::to_string(n) +
                                                " points of the grid");
  if (const YAML::Node ob = sw["objectives"]) {
    if (!ob.IsSequence() || ob.size() == 0)
      throw config_error(o.loc(ob), "'sweep.objectives' must be a non-empty list");
    std::set<std::string> names;
    for (const auto& e : ob) {
      if (!e.IsMap())
        throw config_error(o.loc(e), "each objective is {name: ..., path: ..., goal: min|max}");
      Objective obj;
      for (auto it = e.begin(); it != e.end(); ++it) {
        std::string k = config::key_text(it->first, o);
        std::string v = config::value_text(it->second, o, "sweep.objectives." + k);
        if (k == "name") {
          obj.name = v;
        } else if (k == "path") {
          obj.path = v;
        } else if (k == "goal") {
          if (v == "min")
            obj.goal = Goal::kMin;
          else if (v == "max")
            obj.goal = Goal::kMax;
          else
            throw config_error(o.loc(it->second),
                               "objective goal '" + v + "'; expected min or max");
        } else {
          throw config_error(
              o.loc(it->first),
              "unknown key '" + k + "' in an objective; valid keys: name, path, goal");
        }
      }
      if (obj.path.empty()) throw config_error(o.loc(e), "an objective needs 'path'");
      if (!valid_key(obj.path))
        throw config_error(
            o.loc(e), "objective path '" + obj.path + "' is not a dotted path into the report");
      if (obj.name.empty()) obj.name = obj.path;
      if (!names.insert(obj.name).second)
        throw config_error(o.loc(e), "two objectives are named '" + obj.name + "'");
      s.objectives.push_back(std::move(obj));
    }
  } else {
    // Defaults every target reports (sim/README.md "Report schema").
    s.objectives = {{"time", "summary.sim_time_s", Goal::kMin},
                    {"energy", "summary.energy_j", Goal::kMin}};
  }
  return s;
}

std::int64_t grid_size(const SweepSpec& s) {
  std::int64_t n = 1;
  for (const auto& p : s.grid) {
    const auto k = static_cast<std::int64_t>(p.values.size());
    if (n > (kMaxGridPoints * 1000) / k) return kMaxGridPoints * 1000;  // saturate: "too many"
    n *= k;
  }
  return n;
}

std::vector<Point> expand(const SweepSpec& s) {
  const std::int64_t n = grid_size(s);
  std::vector<std::int64_t> picks;
  if (s.sample > 0 && s.sample < n) {
    // Floyd's algorithm: `sample` distinct indices of [0, n) without materialising the grid.
    std::set<std::int64_t> chosen;
    SplitMix64 rng{s.seed};
    for (std::int64_t j = n - s.sample; j < n; ++j) {
      const auto t = static_cast<std::int64_t>(rng.next() % static_cast<std::uint64_t>(j + 1));
      if (!chosen.insert(t).second) chosen.insert(j);
    }
    picks.assign(chosen.begin(), chosen.end());
  } else {
    if (n > kMaxGridPoints)
      throw config_error(SourceLoc{s.file}, "the grid is too large to run whole; give a sample");
    picks.resize(static_cast<std::size_t>(n));
    std::iota(picks.begin(), picks.end(), 0);
  }
  const int width = std::max<int>(4, static_cast<int>(std::to_string(n - 1).size()));
  std::vector<Point> out;
  out.reserve(picks.size());
  for (std::int64_t idx : picks) {
    Point p;
    p.index = idx;
    char b[32];
    std::snprintf(b, sizeof b, "p%0*lld", width, static_cast<long long>(idx));
    p.label = b;
    std::int64_t rest = idx;
    p.values.resize(s.grid.size());
    for (std::size_t k = s.grid.size(); k-- > 0;) {
      const auto m = static_cast<std::int64_t>(s.grid[k].values.size());
      p.values[k] = {s.grid[k].key, s.grid[k].values[static_cast<std::size_t>(rest % m)]};
      rest /= m;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<double> number_at(const report::Json& j, const std::string& path) {
  const report::Json* cur = &j;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t dot = path.find('.', pos);
    std::string key = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (!cur->is_object() || !cur->contains(key)) return std::nullopt;
    cur = &(*cur)[key];
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  if (!cur->is_number()) return std::nullopt;
  return cur->get<double>();
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values,
                                      const std::vector<Goal>& goals) {
  auto better_or_equal = [&](double a, double b, Goal g) {
    return g == Goal::kMin ? a <= b : a >= b;
  };
  auto strictly_better = [&](double a, double b, Goal g) {
    return g == Goal::kMin ? a < b : a > b;
  };
  auto has_nan = [](const std::vector<double>& r) {
    return std::any_of(r.begin(), r.end(), [](double x) { return std::isnan(x); });
  };
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (has_nan(values[i])) continue;
    bool dominated = false;
    for (std::size_t k = 0; k < values.size() && !dominated; ++k) {
      if (k == i || has_nan(values[k])) continue;
      bool all = true, one = false;
      for (std::size_t c = 0; c < goals.size(); ++c) {
        all = all && better_or_equal(values[k][c], values[i][c], goals[c]);
        one = one || strictly_better(values[k][c], values[i][c], goals[c]);
      }
      dominated = all && one;
    }
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace accsim::sweep
