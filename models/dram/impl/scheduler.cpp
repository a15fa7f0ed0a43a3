#include "models/dram/impl/scheduler.h"

#include "sim/core/registry.h"

namespace accsim::dram {
namespace {

// FR-FCFS (Rixner et al., ISCA 2000): ready row hits first, oldest first; then the oldest ready
// command of any kind.
class FrFcfs final : public Scheduler {
 public:
  int pick(std::span<const Candidate> cands, Cycle now, BusFilter bus) const override {
    int best_hit = -1, best_any = -1;
    for (int i = 0; i < static_cast<int>(cands.size()); ++i) {
      const Candidate& c = cands[i];
      if (c.ready > now || !bus_allows(bus, c.cmd)) continue;
      if (c.hit && (best_hit < 0 || c.age < cands[best_hit].age)) best_hit = i;
      if (best_any < 0 || c.age < cands[best_any].age) best_any = i;
    }
    return best_hit >= 0 ? best_hit : best_any;
  }
  bool row_hits_first() const override { return true; }
};

// FCFS: every bank serves its requests in arrival order; across banks the oldest ready command
// goes first.
class Fcfs final : public Scheduler {
 public:
  int pick(std::span<const Candidate> cands, Cycle now, BusFilter bus) const override {
    int best = -1;
    for (int i = 0; i < static_cast<int>(cands.size()); ++i) {
      const Candidate& c = cands[i];
      if (c.ready > now || !bus_allows(bus, c.cmd)) continue;
      if (best < 0 || c.age < cands[best].age) best = i;
    }
    return best;
  }
  bool row_hits_first() const override { return false; }
};

}  // namespace

ACCSIM_REGISTER(Scheduler, "FRFCFS", "first-ready, first-come first-served: row hits first",
                [] { return std::unique_ptr<Scheduler>(new FrFcfs()); });
ACCSIM_REGISTER(Scheduler, "FCFS", "oldest ready request first, row hits get no priority",
                [] { return std::unique_ptr<Scheduler>(new Fcfs()); });

std::unique_ptr<Scheduler> make_scheduler(const std::string& name) {
  return Registry<Scheduler>::instance().get(name, "scheduler").make();
}

std::vector<std::string> scheduler_names() {
  std::vector<std::string> v;
  for (const auto* e : Registry<Scheduler>::instance().list()) v.push_back(e->name);
  return v;
}

}  // namespace accsim::dram
