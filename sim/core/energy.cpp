#include "sim/core/energy.h"

#include <cmath>

#include "sim/core/error.h"

namespace accsim {

EnergyLedger::Handle EnergyLedger::action(const std::string& component, const std::string& action,
                                          double pj_each, const std::string& source) {
  if (!(pj_each >= 0) || !std::isfinite(pj_each))
    throw Error(ExitCode::kConfig, "energy of action '" + component + "." + action +
                                       "' must be a finite, non-negative number of pJ");
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].kind == 0 && entries_[i].component == component &&
        entries_[i].action == action) {
      if (entries_[i].pj_each != pj_each)
        throw Error(ExitCode::kInternal, "energy action '" + component + "." + action +
                                             "' declared twice with different costs");
      return i;
    }
  Entry e;
  e.component = component;
  e.action = action;
  e.source = source;
  e.pj_each = pj_each;
  e.kind = 0;
  entries_.push_back(e);
  return entries_.size() - 1;
}

void EnergyLedger::add_pj(const std::string& component, const std::string& action, double pj,
                          const std::string& source) {
  for (auto& e : entries_)
    if (e.kind == 1 && e.component == component && e.action == action) {
      e.pj += pj;
      return;
    }
  Entry e;
  e.component = component;
  e.action = action;
  e.source = source;
  e.pj = pj;
  e.kind = 1;
  entries_.push_back(e);
}

void EnergyLedger::static_power(const std::string& component, const std::string& what, double watts,
                                const std::string& source) {
  Entry e;
  e.component = component;
  e.action = what;
  e.source = source;
  e.watts = watts;
  e.kind = 2;
  entries_.push_back(e);
}

void EnergyLedger::finalize(double elapsed_s) {
  for (auto& e : entries_)
    if (e.kind == 2) e.pj = e.watts * elapsed_s * 1e12;
  finalized_ = true;
}

namespace {
double entry_pj(double pj_each, std::uint64_t count, double pj, int kind) {
  return kind == 0 ? pj_each * static_cast<double>(count) : pj;
}
}  // namespace

double EnergyLedger::dynamic_pj() const {
  double s = 0;
  for (auto& e : entries_)
    if (e.kind != 2) s += entry_pj(e.pj_each, e.count, e.pj, e.kind);
  return s;
}
double EnergyLedger::static_pj() const {
  double s = 0;
  for (auto& e : entries_)
    if (e.kind == 2) s += e.pj;
  return s;
}
double EnergyLedger::total_pj() const {
  return dynamic_pj() + static_pj();
}
double EnergyLedger::component_pj(const std::string& c) const {
  double s = 0;
  for (auto& e : entries_)
    if (e.component == c) s += entry_pj(e.pj_each, e.count, e.pj, e.kind);
  return s;
}

Json EnergyLedger::to_json() const {
  Json j = Json::object();
  j["total_pj"] = total_pj();
  j["dynamic_pj"] = dynamic_pj();
  j["static_pj"] = static_pj();
  Json comps = Json::object();
  for (auto& e : entries_) {
    if (!comps.contains(e.component)) {
      comps[e.component] = Json::object();
      comps[e.component]["total_pj"] = component_pj(e.component);
      comps[e.component]["actions"] = Json::object();
    }
    Json a = Json::object();
    a["kind"] = e.kind == 0 ? "dynamic" : e.kind == 1 ? "dynamic" : "static";
    if (e.kind == 0) {
      a["count"] = e.count;
      a["pj_each"] = e.pj_each;
    }
    if (e.kind == 2) a["watts"] = e.watts;
    a["pj"] = entry_pj(e.pj_each, e.count, e.pj, e.kind);
    a["source"] = e.source;
    comps[e.component]["actions"][e.action] = std::move(a);
  }
  j["components"] = std::move(comps);
  return j;
}

}  // namespace accsim
