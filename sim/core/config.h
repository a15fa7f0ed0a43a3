#pragma once
// Typed configuration: every parameter is declared once, in a Schema<T> beside the struct it
// fills, with its key, description, unit, default and valid range. YAML is read at the edge and
// never seen by the models.
//
// Loading is a sequence of patches onto a struct that starts from its defaults:
//   defaults -> preset file (if the section names one) -> user's file -> --set overrides.
// Each patch checks keys (unknown keys are errors that list the valid ones), units and ranges
// and records where every value came from, so `accsim config show` can print it and errors can
// point at the file, line and column. Cross-field checks run once at the end (validate()).
#include <yaml-cpp/yaml.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/units.h"

namespace accsim::config {

using Json = nlohmann::ordered_json;

// Where the nodes being read came from: a file, a builtin preset or a --set override.
class Origin {
 public:
  explicit Origin(std::string file) : file_(std::move(file)) {}
  // For a --set override the YAML text is synthetic: report the override itself.
  static Origin override_(std::string text) {
    Origin o(std::move(text));
    o.synthetic_ = true;
    return o;
  }
  SourceLoc loc(const YAML::Node& n) const;
  const std::string& file() const { return file_; }
  // Whether this is a --set override (relative paths in it are not relative to a file).
  bool is_override() const { return synthetic_; }

 private:
  std::string file_;
  bool synthetic_ = false;
};

// Records, per dotted path, which origin last set a value (for `config show` and reports).
struct Provenance {
  std::map<std::string, std::string> set_by;  // path -> "file:line" | "preset X" | "--set"
  void record(const std::string& path, const std::string& where) { set_by[path] = where; }
  std::string of(const std::string& path) const {
    auto it = set_by.find(path);
    return it == set_by.end() ? "default" : it->second;
  }
};

struct LoadCtx {
  const Origin* origin;
  Provenance* prov;
  std::string path;  // dotted path of the node being read ("dram.timing")
  std::string child(const std::string& key) const { return path.empty() ? key : path + "." + key; }
};

// Reads a YAML file; syntax errors become config errors naming file, line and column.
YAML::Node load_yaml_file(const std::string& path);
YAML::Node load_yaml_string(const std::string& text, const std::string& name);

// Builds {a: {b: {c: <value>}}} from "a.b.c=value" (value parsed as YAML). Throws a usage error
// for text without '=' or with an empty key.
std::pair<YAML::Node, std::string> parse_override(const std::string& text);

// Scalar helpers shared by the schema fields; they throw config errors at the node's location.
std::string scalar_text(const YAML::Node& n, const LoadCtx& ctx);
// A mapping key as text; a key that is a list or mapping is a config error at its place.
std::string key_text(const YAML::Node& key, const Origin& origin);
// A scalar value as text; anything else is a config error naming `what`.
std::string value_text(const YAML::Node& n, const Origin& origin, const std::string& what);
// Checks that `name` (the value of `what`) can name a file or folder inside a results folder:
// letters, digits, '-', '_' and '.', not empty, not '.' or '..'. Throws a config error at `where`.
void check_plain_name(const std::string& name, const std::string& what, const SourceLoc& where);
double read_number(const YAML::Node& n, Unit u, const LoadCtx& ctx);
std::int64_t read_integer(const YAML::Node& n, const LoadCtx& ctx);
bool read_bool(const YAML::Node& n, const LoadCtx& ctx);
std::string closest_match(const std::string& word, const std::vector<std::string>& options);
std::string join(const std::vector<std::string>& v, const std::string& sep);
std::string fmt_number(double v);

struct Range {
  double min = -1e300;
  double max = 1e300;
  bool min_exclusive = false;  // e.g. "> 0"
  static Range positive() { return {0.0, 1e300, true}; }
  static Range at_least(double m) { return {m, 1e300, false}; }
  static Range between(double a, double b) { return {a, b, false}; }
  bool contains(double v) const { return (min_exclusive ? v > min : v >= min) && v <= max; }
  std::string str(Unit u) const;
};

// What a parameter holds, for tools that walk every parameter (the bounds property test).
enum class ParamKind { kQuantity, kInteger, kFlag, kText, kChoice, kPreset };
struct Parameter {
  std::string key;  // dotted ("dram.timing.nCL")
  ParamKind kind;
  Unit unit = Unit::kNone;  // quantities
  Range range;              // quantities and integers
};

// One declared parameter of struct T, type-erased.
template <class T>
struct Field {
  std::string key;
  std::string description;
  std::string unit_text;     // "ns", "cycles", "" ...
  std::string json_unit;     // the unit of the value to_json writes ("s", "B", "cycles"; "" none)
  std::string default_text;  // "" when required
  std::string range_text;
  bool required = false;
  bool is_section = false;
  std::function<void(const YAML::Node&, T&, const LoadCtx&)> load;
  std::function<Json(const T&)> to_json;
  std::function<void(const T&, std::ostream&, int, const Provenance&, const std::string&)> describe;
  std::function<void(T&)> set_default;
  std::function<void(const std::string&, Json&)> units;  // a section's: its fields' units
  std::function<void(const std::string&, std::vector<Parameter>&)> parameters;  // a section's
  Parameter info;  // kind, unit and range (key filled in by Schema::parameters)
};

template <class T>
class Schema {
 public:
  explicit Schema(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // A quantity with a unit, stored in the unit's base (seconds, hertz, bytes ...).
  Schema& quantity(const char* key, double T::*m, Unit u, std::optional<double> def, Range r,
                   const char* desc) {
    Field<T> f = base(key, desc, std::string(unit_name(u)), r.str(u));
    f.json_unit = base_unit_symbol(u);
    f.info = {"", ParamKind::kQuantity, u, r};
    f.required = !def.has_value();
    if (def) f.default_text = format_quantity(*def, u);
    f.load = [m, u, r](const YAML::Node& n, T& t, const LoadCtx& c) {
      double v = read_number(n, u, c);
      if (!r.contains(v))
        throw config_error(c.origin->loc(n), "'" + c.path + "' = " + scalar_text(n, c) +
                                                 " is out of range; expected " + r.str(u));
      t.*m = v;
    };
    f.to_json = [m](const T& t) { return Json(t.*m); };
    f.describe = [m, u](const T& t, std::ostream& os, int, const Provenance&, const std::string&) {
      os << format_quantity(t.*m, u);
    };
    f.set_default = [m, def](T& t) { t.*m = def.value_or(0.0); };
    fields_.push_back(std::move(f));
    return *this;
  }

  // An integer (counts, cycles). `unit` is only documentation ("cycles", "entries").
  template <class I>
  Schema& integer(const char* key, I T::*m, std::optional<I> def, Range r, const char* unit,
                  const char* desc) {
    Field<T> f = base(key, desc, unit, r.str(Unit::kNone));
    f.json_unit = unit;
    f.info = {"", ParamKind::kInteger, Unit::kNone, r};
    f.required = !def.has_value();
    if (def) f.default_text = std::to_string(*def);
    f.load = [m, r](const YAML::Node& n, T& t, const LoadCtx& c) {
      std::int64_t v = read_integer(n, c);
      if (!r.contains(static_cast<double>(v)))
        throw config_error(c.origin->loc(n), "'" + c.path + "' = " + std::to_string(v) +
                                                 " is out of range; expected " +
                                                 r.str(Unit::kNone));
      // The field's own width bounds it too: a value that does not fit would wrap.
      if (!std::in_range<I>(v))
        throw config_error(c.origin->loc(n), "'" + c.path + "' = " + std::to_string(v) +
                                                 " is out of range; expected at most " +
                                                 std::to_string(std::numeric_limits<I>::max()) +
                                                 (std::is_signed_v<I> ? "" : " and not negative") +
                                                 " (a " + std::to_string(sizeof(I) * 8) +
                                                 "-bit integer)");
      t.*m = static_cast<I>(v);
    };
    f.to_json = [m](const T& t) { return Json(t.*m); };
    f.describe = [m](const T& t, std::ostream& os, int, const Provenance&, const std::string&) {
      os << t.*m;
    };
    f.set_default = [m, def](T& t) { t.*m = def.value_or(I{}); };
    fields_.push_back(std::move(f));
    return *this;
  }

  Schema& flag(const char* key, bool T::*m, std::optional<bool> def, const char* desc) {
    Field<T> f = base(key, desc, "", "true|false");
    f.info.kind = ParamKind::kFlag;
    f.required = !def.has_value();
    if (def) f.default_text = *def ? "true" : "false";
    f.load = [m](const YAML::Node& n, T& t, const LoadCtx& c) { t.*m = read_bool(n, c); };
    f.to_json = [m](const T& t) { return Json(t.*m); };
    f.describe = [m](const T& t, std::ostream& os, int, const Provenance&, const std::string&) {
      os << (t.*m ? "true" : "false");
    };
    f.set_default = [m, def](T& t) { t.*m = def.value_or(false); };
    fields_.push_back(std::move(f));
    return *this;
  }

  Schema& text(const char* key, std::string T::*m, std::optional<std::string> def,
               const char* desc) {
    Field<T> f = base(key, desc, "", "");
    f.info.kind = ParamKind::kText;
    f.required = !def.has_value();
    if (def) f.default_text = "\"" + *def + "\"";
    f.load = [m](const YAML::Node& n, T& t, const LoadCtx& c) { t.*m = scalar_text(n, c); };
    f.to_json = [m](const T& t) { return Json(t.*m); };
    f.describe = [m](const T& t, std::ostream& os, int, const Provenance&, const std::string&) {
      os << '"' << t.*m << '"';
    };
    f.set_default = [m, def](T& t) { t.*m = def.value_or(std::string()); };
    fields_.push_back(std::move(f));
    return *this;
  }

  // An enum chosen by name. Unknown names are errors listing the valid ones.
  template <class E>
  Schema& choice(const char* key, E T::*m, std::vector<std::pair<std::string, E>> values,
                 std::optional<E> def, const char* desc) {
    std::vector<std::string> names;
    for (auto& [n, v] : values) names.push_back(n);
    Field<T> f = base(key, desc, "", join(names, "|"));
    f.info.kind = ParamKind::kChoice;
    f.required = !def.has_value();
    auto name_of = [values](E e) {
      for (auto& [n, v] : values)
        if (v == e) return n;
      return std::string("?");
    };
    if (def) f.default_text = name_of(*def);
    f.load = [m, values, names](const YAML::Node& n, T& t, const LoadCtx& c) {
      std::string s = scalar_text(n, c);
      for (auto& [nm, v] : values)
        if (nm == s) {
          t.*m = v;
          return;
        }
      std::string hint = closest_match(s, names);
      throw config_error(c.origin->loc(n),
                         "'" + c.path + "': unknown value '" + s + "'; expected one of " +
                             join(names, ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    };
    f.to_json = [m, name_of](const T& t) { return Json(name_of(t.*m)); };
    f.describe = [m, name_of](const T& t, std::ostream& os, int, const Provenance&,
                              const std::string&) { os << name_of(t.*m); };
    f.set_default = [m, def](T& t) {
      if (def) t.*m = *def;
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A nested struct with its own schema (kept alive by the caller, usually a static).
  template <class S>
  Schema& section(const char* key, S T::*m, const Schema<S>& sub, const char* desc) {
    Field<T> f = base(key, desc, "", "");
    f.is_section = true;
    f.load = [m, &sub](const YAML::Node& n, T& t, const LoadCtx& c) { sub.patch(n, t.*m, c); };
    f.to_json = [m, &sub](const T& t) { return sub.to_json(t.*m); };
    f.describe = [m, &sub](const T& t, std::ostream& os, int indent, const Provenance& p,
                           const std::string& path) { sub.describe(t.*m, os, indent, p, path); };
    f.set_default = [m, &sub](T& t) { sub.set_defaults(t.*m); };
    f.units = [&sub](const std::string& path, Json& out) { sub.units(path, out); };
    f.parameters = [&sub](const std::string& path, std::vector<Parameter>& out) {
      sub.parameters(path, out);
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // `preset: NAME` inside this section: `loader` patches the struct with the named preset
  // before the section's other keys are applied (so the user's keys override the preset).
  Schema& preset(
      const char* key, std::string T::*m,
      std::function<void(const std::string&, T&, const LoadCtx&, const YAML::Node&)> loader,
      const char* desc) {
    preset_key_ = key;
    preset_member_ = m;
    preset_loader_ = std::move(loader);
    Field<T> f = base(key, desc, "", "");
    f.info.kind = ParamKind::kPreset;
    f.default_text = "\"\"";
    f.load = [](const YAML::Node&, T&, const LoadCtx&) {};  // handled in patch()
    f.to_json = [m](const T& t) { return Json(t.*m); };
    f.describe = [m](const T& t, std::ostream& os, int, const Provenance&, const std::string&) {
      os << '"' << t.*m << '"';
    };
    f.set_default = [m](T& t) { t.*m = ""; };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A cross-field check run by validate(); it throws config errors (use `where` for the loc).
  Schema& check(std::function<void(const T&, const SourceLoc& where)> fn) {
    checks_.push_back(std::move(fn));
    return *this;
  }

  void set_defaults(T& t) const {
    for (auto& f : fields_) f.set_default(t);
  }

  // Applies the keys present in `n` onto `t`.
  void patch(const YAML::Node& n, T& t, const LoadCtx& c) const {
    if (!n || n.IsNull()) return;
    if (!n.IsMap())
      throw config_error(c.origin->loc(n), "'" + (c.path.empty() ? name_ : c.path) +
                                               "' must be a mapping of keys to values");
    if (preset_loader_) {
      if (auto p = n[preset_key_]) {
        LoadCtx pc = c;
        pc.path = c.child(preset_key_);
        std::string pname = scalar_text(p, pc);
        preset_loader_(pname, t, c, p);
        t.*preset_member_ = pname;
        c.prov->record(pc.path, c.origin->loc(p).str());
      }
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = key_text(it->first, *c.origin);
      const Field<T>* f = find(k);
      if (!f) {
        std::string hint = closest_match(k, keys());
        throw config_error(c.origin->loc(it->first),
                           "unknown key '" + c.child(k) + "' in " + name_ +
                               "; valid keys: " + join(keys(), ", ") +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      LoadCtx fc = c;
      fc.path = c.child(k);
      if (!f->is_section && !it->second.IsScalar() && !it->second.IsNull())
        throw config_error(c.origin->loc(it->second),
                           "'" + fc.path + "' must be a single value, not a list or mapping");
      if (it->second.IsNull() && !f->is_section)
        throw config_error(c.origin->loc(it->first), "'" + fc.path + "' has no value");
      f->load(it->second, t, fc);
      if (!f->is_section) c.prov->record(fc.path, c.origin->loc(it->second).str());
    }
  }

  // Required fields must have been set somewhere; then cross-field checks.
  void validate(const T& t, const Provenance& prov, const std::string& path,
                const SourceLoc& where) const {
    for (auto& f : fields_) {
      std::string p = path.empty() ? f.key : path + "." + f.key;
      if (f.required && prov.of(p) == "default")
        throw config_error(where, "missing required value '" + p + "' (" + f.description + ")");
    }
    for (auto& chk : checks_) chk(t, where);
  }

  Json to_json(const T& t) const {
    Json j = Json::object();
    for (auto& f : fields_) j[f.key] = f.to_json(t);
    return j;
  }

  // The unit of every value to_json writes that has one, by dotted path under `path`
  // ("dram.timing.tCL": "s"), into `out`.
  void units(const std::string& path, Json& out) const {
    for (auto& f : fields_) {
      const std::string p = path.empty() ? f.key : path + "." + f.key;
      if (f.is_section)
        f.units(p, out);
      else if (!f.json_unit.empty())
        out[p] = f.json_unit;
    }
  }

  // Every parameter under `path`, sections walked, in declaration order, into `out`.
  void parameters(const std::string& path, std::vector<Parameter>& out) const {
    for (auto& f : fields_) {
      const std::string p = path.empty() ? f.key : path + "." + f.key;
      if (f.is_section) {
        f.parameters(p, out);
        continue;
      }
      out.push_back(f.info);
      out.back().key = p;
    }
  }

  // `config show`: value, unit, where it came from, description.
  void describe(const T& t, std::ostream& os, int indent, const Provenance& prov,
                const std::string& path) const {
    for (auto& f : fields_) {
      std::string p = path.empty() ? f.key : path + "." + f.key;
      os << std::string(indent, ' ') << f.key << ":";
      if (f.is_section) {
        os << "  # " << f.description << "\n";
        f.describe(t, os, indent + 2, prov, p);
        continue;
      }
      os << " ";
      f.describe(t, os, indent, prov, p);
      os << "  # " << f.description;
      if (!f.unit_text.empty()) os << " [" << f.unit_text << "]";
      if (!f.range_text.empty()) os << " range " << f.range_text;
      os << "; default " << (f.required ? "(required)" : f.default_text) << "; set by "
         << prov.of(p) << "\n";
    }
  }

  const std::vector<Field<T>>& fields() const { return fields_; }

 private:
  Field<T> base(const char* key, const char* desc, std::string unit, std::string range) {
    Field<T> f;
    f.key = key;
    f.description = desc;
    f.unit_text = std::move(unit);
    f.range_text = std::move(range);
    return f;
  }
  const Field<T>* find(const std::string& k) const {
    for (auto& f : fields_)
      if (f.key == k) return &f;
    return nullptr;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> v;
    for (auto& f : fields_) v.push_back(f.key);
    return v;
  }

  std::string name_;
  std::vector<Field<T>> fields_;
  std::vector<std::function<void(const T&, const SourceLoc&)>> checks_;
  std::string preset_key_;
  std::string T::*preset_member_ = nullptr;
  std::function<void(const std::string&, T&, const LoadCtx&, const YAML::Node&)> preset_loader_;
};

}  // namespace accsim::config
