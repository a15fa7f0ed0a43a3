#pragma once
// The energy ledger: models emit actions, energy models price them (timing code holds no power
// arithmetic).
// Dynamic energy = sum over actions of count x pJ per action; static energy = power x elapsed
// time. Every entry carries the source of its figure so the report can cite it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accsim {

using Json = nlohmann::ordered_json;

class EnergyLedger {
 public:
  using Handle = std::size_t;

  // Declares an action of `component` costing `pj_each` per occurrence.
  Handle action(const std::string& component, const std::string& action, double pj_each,
                const std::string& source);
  void count(Handle h, std::uint64_t n = 1) { entries_[h].count += n; }
  // Adds energy computed by a model (e.g. integrated background power), in pJ.
  void add_pj(const std::string& component, const std::string& action, double pj,
              const std::string& source);
  // Static power in watts, charged for the whole elapsed time at finalize().
  void static_power(const std::string& component, const std::string& what, double watts,
                    const std::string& source);
  void finalize(double elapsed_s);

  double total_pj() const;
  double dynamic_pj() const;
  double static_pj() const;
  double component_pj(const std::string& component) const;
  // {"total_pj", "dynamic_pj", "static_pj", "components": {c: {"total_pj", "actions": {a: {...}}}}}
  Json to_json() const;

 private:
  struct Entry {
    std::string component, action, source;
    double pj_each = 0;  // per occurrence (actions)
    std::uint64_t count = 0;
    double pj = 0;     // accumulated (add_pj) or finalized static energy
    double watts = 0;  // static power
    int kind = 0;      // 0 action, 1 accumulated, 2 static
  };
  std::vector<Entry> entries_;
  bool finalized_ = false;
};

}  // namespace accsim
