#pragma once
// A target's top-level configuration sections, declared once: each binds a section name to the
// schema that reads it and the struct it fills. Patching, schema validation, the report's config
// and its units, and `config show` all read this one table, so a target declares a section in one
// line instead of repeating it in five methods.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/error.h"

namespace accsim::run {

class ConfigSections {
 public:
  // Called after a section was patched from one file or --set override (relative paths are
  // resolved here, for example).
  using AfterPatch = std::function<void(const YAML::Node&, const config::Origin&)>;
  // A section the target applies itself, later (gpu's dram, which starts from the GPU's own
  // memory once every gpu key is known): patch() hands it each node instead of patching.
  using Defer = std::function<void(const YAML::Node&, const config::Origin&)>;

  ConfigSections() = default;
  ConfigSections(const ConfigSections&) = delete;  // entries point into the owning target
  ConfigSections& operator=(const ConfigSections&) = delete;

  // Declares a section and sets `value` to the schema's defaults. The modifiers below apply to
  // the section declared last.
  template <class T>
  ConfigSections& add(std::string name, const config::Schema<T>& schema, T& value) {
    schema.set_defaults(value);
    Entry e;
    e.name = std::move(name);
    e.patch = [&schema, &value](const YAML::Node& n, const config::LoadCtx& c) {
      schema.patch(n, value, c);
    };
    e.validate = [&schema, &value](const config::Provenance& p, const std::string& path,
                                   const SourceLoc& at) { schema.validate(value, p, path, at); };
    e.to_json = [&schema, &value] { return schema.to_json(value); };
    e.units = [&schema](const std::string& path, config::Json& out) { schema.units(path, out); };
    e.parameters = [&schema](std::vector<config::Parameter>& out, const std::string& path) {
      schema.parameters(path, out);
    };
    e.describe = [&schema, &value](std::ostream& os, const config::Provenance& p,
                                   const std::string& path) {
      schema.describe(value, os, 2, p, path);
    };
    entries_.push_back(std::move(e));
    return *this;
  }
  ConfigSections& after_patch(AfterPatch fn) {
    entries_.back().after = std::move(fn);
    return *this;
  }
  ConfigSections& deferred(Defer fn) {
    entries_.back().defer = std::move(fn);
    return *this;
  }
  // The section is in the report and `config show` only while `fn` says it is used (dataflow's
  // dram, read only when the memory is the DRAM model).
  ConfigSections& shown_if(std::function<bool()> fn) {
    entries_.back().shown = std::move(fn);
    return *this;
  }

  std::vector<std::string> names() const;
  // Applies every declared section present in `root`, in declaration order.
  void patch(const YAML::Node& root, const config::Origin& origin, config::Provenance& prov);
  // The schema's own checks of one section (required keys, cross-field checks), with errors
  // placed where the section was last set, or at `file` if it never was.
  void validate(const std::string& name, const SourceLoc& file,
                const config::Provenance& prov) const;
  // Whether a file or override set the section; where it last did (`file` if never).
  bool given(const std::string& name) const;
  SourceLoc loc(const std::string& name, const SourceLoc& file) const;
  // The report's `config` (section -> values) and `config_units` (dotted key -> unit).
  config::Json to_json() const;
  config::Json units() const;
  // Every parameter of every section (dotted keys from the section name), in order.
  std::vector<config::Parameter> parameters() const;
  // `config show`: every section with each value's unit, range, default and provenance.
  void describe(std::ostream& os, const config::Provenance& prov) const;

 private:
  struct Entry {
    std::string name;
    std::function<void(const YAML::Node&, const config::LoadCtx&)> patch;
    std::function<void(const config::Provenance&, const std::string&, const SourceLoc&)> validate;
    std::function<config::Json()> to_json;
    std::function<void(const std::string&, config::Json&)> units;
    std::function<void(std::vector<config::Parameter>&, const std::string&)> parameters;
    std::function<void(std::ostream&, const config::Provenance&, const std::string&)> describe;
    AfterPatch after;
    Defer defer;
    std::function<bool()> shown;
    SourceLoc loc;
    bool given = false;
  };
  const Entry& entry(const std::string& name) const;
  std::vector<Entry> entries_;
};

}  // namespace accsim::run
