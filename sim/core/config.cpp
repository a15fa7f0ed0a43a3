#include "sim/core/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace accsim::config {

SourceLoc Origin::loc(const YAML::Node& n) const {
  if (synthetic_ || !n.IsDefined()) return SourceLoc{file_, 0, 0};
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return SourceLoc{file_, 0, 0};
  return SourceLoc{file_, m.line + 1, m.column + 1};
}

namespace {
SourceLoc mark_loc(const std::string& name, const YAML::Mark& m) {
  return SourceLoc{name, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
}

// Nodes visited by the duplicate-key walk before it gives up: aliases may make a small file a
// huge tree (each alias is walked again), and no configuration comes near this.
constexpr std::size_t kMaxWalkedNodes = std::size_t{1} << 20;

// yaml-cpp keeps every entry of a mapping, duplicates included, and a lookup finds the first:
// a key given twice would silently lose one value. Every mapping's scalar keys must be unique.
void reject_duplicate_keys(const YAML::Node& root, const std::string& name) {
  std::vector<YAML::Node> unvisited{root};
  std::size_t walked = 0;
  while (!unvisited.empty()) {
    const YAML::Node n = unvisited.back();
    unvisited.pop_back();
    if (++walked > kMaxWalkedNodes)
      throw config_error(SourceLoc{name, 0, 0},
                         "more than " + std::to_string(kMaxWalkedNodes) +
                             " YAML nodes (aliases expanding?); a configuration is far smaller");
    if (n.IsSequence()) {
      for (const YAML::Node& c : n) unvisited.push_back(c);
    } else if (n.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (it->first.IsScalar()) {
          const auto [at, fresh] = seen.emplace(it->first.Scalar(), it->first.Mark());
          if (!fresh) {
            const SourceLoc first = mark_loc(name, at->second);
            throw config_error(mark_loc(name, it->first.Mark()),
                               "duplicate key '" + it->first.Scalar() + "' (first given at line " +
                                   std::to_string(first.line) + ", column " +
                                   std::to_string(first.column) + ")");
          }
        }
        unvisited.push_back(it->second);
      }
    }
  }
}

YAML::Node parse_or_throw(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw config_error(mark_loc(name, e.mark), "YAML syntax error: " + e.msg);
  }
  reject_duplicate_keys(root, name);
  return root;
}
}  // namespace

YAML::Node load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::kInput, SourceLoc{path, 0, 0}, "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(ExitCode::kInput, SourceLoc{path, 0, 0}, "cannot read file");
  return parse_or_throw(ss.str(), path);
}

YAML::Node load_yaml_string(const std::string& text, const std::string& name) {
  return parse_or_throw(text, name);
}

std::pair<YAML::Node, std::string> parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw usage_error("--set expects key.path=value, got '" + text + "'");
  std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  std::vector<std::string> parts;
  std::stringstream ks(key);
  for (std::string p; std::getline(ks, p, '.');) {
    if (p.empty()) throw usage_error("--set '" + text + "': empty component in key path");
    parts.push_back(p);
  }
  YAML::Node leaf;
  try {
    leaf = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw usage_error("--set '" + text + "': value is not valid YAML: " + e.msg);
  }
  if (!leaf.IsScalar()) throw usage_error("--set '" + text + "': value must be a single scalar");
  YAML::Node root = leaf;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    YAML::Node m(YAML::NodeType::Map);
    m[*it] = root;
    root = m;
  }
  return {root, "--set " + text};
}

std::string scalar_text(const YAML::Node& n, const LoadCtx& c) {
  if (!n.IsScalar())
    throw config_error(c.origin->loc(n), "'" + c.path + "' must be a single value");
  return n.Scalar();
}

std::string key_text(const YAML::Node& key, const Origin& origin) {
  if (!key.IsScalar())
    throw config_error(origin.loc(key), "a key must be a plain name, not a list or mapping");
  return key.Scalar();
}

std::string value_text(const YAML::Node& n, const Origin& origin, const std::string& what) {
  if (!n || !n.IsScalar())
    throw config_error(origin.loc(n), "'" + what + "' must be a single value");
  return n.Scalar();
}

double read_number(const YAML::Node& n, Unit u, const LoadCtx& c) {
  std::string s = scalar_text(n, c);
  try {
    return parse_quantity(s, u, c.origin->loc(n));
  } catch (const Error& e) {
    throw config_error(
        c.origin->loc(n),
        "'" + c.path + "': " + std::string(e.what()).substr(e.loc().str().size() + 2));
  }
}

std::int64_t read_integer(const YAML::Node& n, const LoadCtx& c) {
  std::string s = scalar_text(n, c);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (s.empty() || *end != '\0' || errno == ERANGE)
    throw config_error(c.origin->loc(n),
                       "'" + c.path + "' = '" + s + "' is not an integer; expected a whole number");
  return v;
}

void check_plain_name(const std::string& name, const std::string& what, const SourceLoc& where) {
  bool ok = !name.empty() && name != "." && name != "..";
  for (char ch : name)
    ok =
        ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
  if (!ok)
    throw config_error(where, what + " '" + name +
                                  "' must be a plain file name: letters, digits, '-', '_' and '.', "
                                  "not empty, not '.' or '..'");
}

bool read_bool(const YAML::Node& n, const LoadCtx& c) {
  std::string s = scalar_text(n, c);
  if (s == "true" || s == "on" || s == "yes") return true;
  if (s == "false" || s == "off" || s == "no") return false;
  throw config_error(c.origin->loc(n), "'" + c.path + "' = '" + s + "'; expected true or false");
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  std::size_t best_d = SIZE_MAX;
  for (const auto& o : options) {
    std::size_t d = edit_distance(word, o);
    if (d < best_d) {
      best_d = d;
      best = o;
    }
  }
  // Only suggest what is plausibly a typo.
  // Distance 0 here means a difference in case only ("sdpa.n" for "N"): worth a hint too.
  if (best == word || best_d > std::max<std::size_t>(2, word.size() / 3)) return "";
  return best;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string Range::str(Unit u) const {
  bool has_min = min > -1e299, has_max = max < 1e299;
  // Whole bounds print exactly ("[1, 1048576]", not "1.04858e+06").
  auto f = [u](double x) {
    if (u != Unit::kNone) return format_quantity(x, u);
    if (x == std::floor(x) && std::fabs(x) < 0x1p53)
      return std::to_string(static_cast<long long>(x));
    return fmt_number(x);
  };
  if (has_min && has_max) return "[" + f(min) + ", " + f(max) + "]";
  if (has_min) return std::string(min_exclusive ? "> " : ">= ") + f(min);
  if (has_max) return "<= " + f(max);
  return "";
}

}  // namespace accsim::config
