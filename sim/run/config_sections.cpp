#include "sim/run/config_sections.h"

namespace accsim::run {

std::vector<std::string> ConfigSections::names() const {
  std::vector<std::string> v;
  for (const auto& e : entries_) v.push_back(e.name);
  return v;
}

void ConfigSections::patch(const YAML::Node& root, const config::Origin& origin,
                           config::Provenance& prov) {
  for (auto& e : entries_) {
    const YAML::Node n = root[e.name];
    if (!n) continue;
    e.loc = origin.loc(n);
    e.given = true;
    if (e.defer) {
      e.defer(n, origin);
      continue;
    }
    e.patch(n, config::LoadCtx{&origin, &prov, e.name});
    if (e.after) e.after(n, origin);
  }
}

const ConfigSections::Entry& ConfigSections::entry(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e;
  throw Error(ExitCode::kInternal, "config section '" + name + "' is not declared");
}

void ConfigSections::validate(const std::string& name, const SourceLoc& file,
                              const config::Provenance& prov) const {
  entry(name).validate(prov, name, loc(name, file));
}

bool ConfigSections::given(const std::string& name) const {
  return entry(name).given;
}

SourceLoc ConfigSections::loc(const std::string& name, const SourceLoc& file) const {
  const Entry& e = entry(name);
  return e.loc.file.empty() ? file : e.loc;
}

config::Json ConfigSections::to_json() const {
  config::Json j = config::Json::object();
  for (const auto& e : entries_)
    if (!e.shown || e.shown()) j[e.name] = e.to_json();
  return j;
}

config::Json ConfigSections::units() const {
  config::Json j = config::Json::object();
  for (const auto& e : entries_)
    if (!e.shown || e.shown()) e.units(e.name, j);
  return j;
}

std::vector<config::Parameter> ConfigSections::parameters() const {
  std::vector<config::Parameter> v;
  for (const auto& e : entries_) e.parameters(v, e.name);
  return v;
}

void ConfigSections::describe(std::ostream& os, const config::Provenance& prov) const {
  for (const auto& e : entries_) {
    if (e.shown && !e.shown()) continue;
    os << e.name << ":\n";
    e.describe(os, prov, e.name);
  }
}

}  // namespace accsim::run
