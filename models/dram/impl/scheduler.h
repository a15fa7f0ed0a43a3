#pragma once
// Request schedulers: given the commands the controller could issue now (one per bank with
// queued work, built from bank state and the timing engine), pick one. Registered by name with
// ACCSIM_REGISTER(Scheduler, ...). Plain C++.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/dram/impl/command.h"
#include "sim/core/units.h"

namespace accsim::dram {

struct Candidate {
  Cmd cmd = Cmd::kACT;
  BankAddr bank;
  int flat_bank = 0;
  std::int64_t row = 0;
  int column = 0;
  std::uint32_t entry = 0;  // queue slot served by a column command, or opened for by an ACT
                            // (kNoEntry otherwise)
  std::uint64_t age = 0;    // arrival sequence number of the request behind it (smaller = older)
  Cycle ready = 0;          // earliest cycle every timing rule allows it
  bool hit = false;         // a column command to an open row that has not used up its hit cap
  bool refresh = false;     // issued for the refresh manager, not for a request
  static constexpr std::uint32_t kNoEntry = 0xffffffffu;
};

// Which command bus a pick may use (HBM has separate row and column command buses).
enum class BusFilter { kAny, kRowOnly, kColumnOnly };

inline bool bus_allows(BusFilter f, Cmd c) {
  return f == BusFilter::kAny || (f == BusFilter::kColumnOnly) == is_column(c);
}

class Scheduler {
 public:
  using Factory = std::function<std::unique_ptr<Scheduler>()>;
  virtual ~Scheduler() = default;
  // Index of the candidate to issue at `now`, or -1. Contract (the event-driven controller relies
  // on it): if any candidate allowed by `bus` has ready <= now, the result is one of them; never a
  // candidate with ready > now.
  virtual int pick(std::span<const Candidate> cands, Cycle now, BusFilter bus) const = 0;
  // Whether the controller offers a bank's oldest row hit ahead of older requests for other rows
  // of that bank (and keeps the row open while hits wait). false: each bank offers only the
  // command its oldest request needs.
  virtual bool row_hits_first() const = 0;
};

// Looks a scheduler up by name; unknown names are config errors listing the registered ones.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name);
std::vector<std::string> scheduler_names();

}  // namespace accsim::dram
