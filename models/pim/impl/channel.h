#pragma once
// One PIM channel: executes channel programs (program.h) command by command at the earliest
// cycle the timing table allows, keeps one row open between visits (open-page, PIM-GPT's
// policy), and refreshes all banks every tREFI. Observers see every command (protocol checker,
// energy, command logs). Plain C++: the SystemC module (pim.h) owns the clock.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/pim_spec.h"
#include "models/pim/impl/command.h"
#include "models/pim/impl/program.h"
#include "models/pim/impl/timing.h"
#include "sim/core/energy.h"

namespace accsim::pim {

class PimCommandObserver {
 public:
  virtual ~PimCommandObserver() = default;
  // `row`: the DRAM row (ACTAB, MACAB, WR); `active_banks`: banks that hold data for this command.
  virtual void on_command(PimCmd cmd, Cycle t, std::int64_t row, int active_banks) = 0;
};

struct ChannelCounters {
  std::array<std::uint64_t, kNumPimCmds> cmds{};
  std::uint64_t bank_macs = 0;  // MACAB x active banks (column accesses that did useful work)
  std::uint64_t row_hits = 0;   // visits whose row was already open
  std::uint64_t visits = 0;
  Cycle busy = 0;  // cycles between each program's first command and its completion, summed
};

class PimChannel {
 public:
  // Throws a config error (at `where`) when refresh cannot keep pace (nREFI too short).
  PimChannel(const hw::DramSpec& dram, const hw::PimSpec& pim, int id, const SourceLoc& where);
  // Runs `prog` with no command before `start`; returns the cycle its last data transfer ends
  // (the last RDMAC's data, or the last write's data in the row). An empty program returns start.
  Cycle run(const ChannelProgram& prog, Cycle start);
  // Issues the refreshes due up to `end` (call once at the end of a run).
  void finish(Cycle end);
  void add_observer(PimCommandObserver* o) { observers_.push_back(o); }
  const ChannelCounters& counters() const { return counters_; }
  Cycle last_command() const { return last_; }
  int id() const { return id_; }

 private:
  Cycle issue(PimCmd cmd, Cycle not_before);
  void refresh();
  void open(std::int64_t row, Cycle not_before);

  hw::DramSpec dram_;
  hw::PimSpec pim_;
  int id_;
  PimTiming timing_;
  std::vector<PimCommandObserver*> observers_;
  ChannelCounters counters_;
  bool is_open_ = false;
  std::int64_t row_ = -1;
  int active_ = 0;
  Cycle next_ref_;
  Cycle last_ = -1;
  Cycle run_first_ = -1;  // first command of the program run() is executing (-1: none yet)
};

// An independent check of every command a channel issues: the JEDEC and AiM timings written
// out per command from the specs (not from the rule table), the open/closed state every command
// needs, one command per cycle, and refresh never more than 9 tREFI apart (JEDEC allows 8
// postponed refreshes).
class PimProtocolChecker final : public PimCommandObserver {
 public:
  PimProtocolChecker(const hw::DramSpec& dram, const hw::PimSpec& pim, bool refresh);
  void on_command(PimCmd cmd, Cycle t, std::int64_t row, int active_banks) override;
  std::uint64_t violations() const { return violations_; }
  const std::string& first() const { return first_; }
  std::uint64_t commands() const { return commands_; }

 private:
  void need(bool ok, PimCmd cmd, Cycle t, const std::string& what);
  hw::DramSpec d_;
  hw::PimSpec p_;
  bool refresh_;
  static constexpr Cycle kNone = -(Cycle{1} << 60);
  std::array<Cycle, kNumPimCmds> last_{};
  Cycle last_any_ = kNone;
  bool open_ = false;
  std::uint64_t violations_ = 0, commands_ = 0;
  std::string first_;
};

// Energy per action (energy observes actions; the channel holds no power arithmetic): counts
// actions into an EnergyLedger under `component` (per-action figures and sources: hw/pim_spec.cpp).
class PimEnergyCounter final : public PimCommandObserver {
 public:
  PimEnergyCounter(EnergyLedger& ledger, const hw::DramSpec& dram, const hw::PimSpec& pim,
                   const std::string& component = "pim");
  void on_command(PimCmd cmd, Cycle t, std::int64_t row, int active_banks) override;

 private:
  EnergyLedger* ledger_;
  EnergyLedger::Handle mac_, inbank_, gb_bcast_, gb_write_, io_, row_write_;
};

}  // namespace accsim::pim
