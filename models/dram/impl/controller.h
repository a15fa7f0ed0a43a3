#pragma once
// The DRAM controller of one independent (pseudo-)channel: read and write queues, scheduler,
// page policy, write drain, refresh, and the bank state. Plain C++; the SystemC module
// (models/dram/dram.h) owns one per channel and calls it only at the cycles it asks for.
//
// Event-driven contract: tick(now) issues at most one command per command bus at `now` (HBM has
// separate row and column buses, the other standards one) and returns; next_event_cycle() is the
// earliest cycle at which tick could issue anything given the current queues. Ticking at every
// cycle in between changes nothing, so the command stream equals that of a cycle-stepped
// controller (tests/unit/dram/ctrl_event_equivalence.cpp proves it on random traffic).
#include <cstdint>
#include <memory>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "models/dram/impl/controller_config.h"
#include "models/dram/impl/protocol_checker.h"
#include "models/dram/impl/refresh.h"
#include "models/dram/impl/scheduler.h"
#include "models/dram/impl/timing.h"
#include "sim/core/stats.h"
#include "sim/core/units.h"

namespace accsim::dram {

// One queue entry: a burst (one column command's worth of data) of a request.
struct Burst {
  std::uint64_t tag = 0;  // owner's handle, returned in the completion
  DramAddr addr;
  bool is_write = false;
};

struct Completion {
  std::uint64_t tag = 0;
  Cycle done = 0;     // cycle of the last data beat (read: RD + nCL + nBL; write: WR + nCWL + nBL)
  Cycle arrival = 0;  // cycle the burst entered the queue
  bool is_write = false;
};

// Sees every issued command (energy model, command log, protocol checker adapters).
class CommandObserver {
 public:
  virtual ~CommandObserver() = default;
  // `addr.row` is the row opened (ACT), closed (PRE) or accessed (column commands).
  virtual void on_command(Cmd cmd, const DramAddr& addr, Cycle now) = 0;
};

struct LoggedCommand {
  Cycle cycle = 0;
  Cmd cmd = Cmd::kACT;
  DramAddr addr;
  bool operator==(const LoggedCommand&) const = default;
};

class CommandLog final : public CommandObserver {
 public:
  void on_command(Cmd cmd, const DramAddr& addr, Cycle now) override {
    log.push_back(LoggedCommand{now, cmd, addr});
  }
  std::vector<LoggedCommand> log;
};

class Controller {
 public:
  static constexpr Cycle kNever = INT64_MAX;

  // `stats` receives this channel's counters. With cfg.check_protocol an independent
  // ProtocolChecker sees every command in `checker_mode`. Throws config errors for bad
  // combinations (unknown scheduler, per-bank refresh on a standard without it, ...).
  Controller(const hw::DramSpec& spec, const ControllerConfig& cfg, int channel, StatsGroup& stats,
             ProtocolChecker::Mode checker_mode = ProtocolChecker::Mode::kCount);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  int capacity(bool is_write) const { return is_write ? cfg_.write_queue : cfg_.read_queue; }
  int queued(bool is_write) const { return is_write ? nwrite_ : nread_; }
  bool can_accept(bool is_write) const { return queued(is_write) < capacity(is_write); }
  // Adds a burst at cycle `now` (>= every earlier tick's cycle + 1 or the same cycle before its
  // tick). Precondition: can_accept(b.is_write). The burst must decode to this channel.
  void enqueue(const Burst& b, Cycle now);
  // Issues what the scheduler picks at `now`; returns the number of commands issued (0..2).
  int tick(Cycle now);
  // Earliest cycle >= the next legal tick at which tick() may issue something; kNever if the
  // controller has nothing to do (no queued work and refresh off).
  Cycle next_event_cycle();
  // Bursts whose column command issued since the last call (their `done` lies in the future).
  std::vector<Completion>& completions() { return completions_; }
  bool empty() const { return nread_ == 0 && nwrite_ == 0; }

  void add_observer(CommandObserver* o) { observers_.push_back(o); }
  // Closes time-weighted statistics at `end` and lets the protocol checker check refresh
  // obligations up to `end`.
  void finish(Cycle end);
  const ProtocolChecker* checker() const { return checker_.get(); }
  const hw::DramSpec& spec() const { return spec_; }
  std::uint64_t commands_issued() const { return commands_; }

 private:
  struct Entry {
    Burst b;
    Cycle arrival = 0;
    std::uint64_t seq = 0;
    int fb = 0;
  };
  struct BankState {
    bool open = false;
    std::int64_t row = -1;
    int hits = 0;                      // column commands since the ACT
    bool fresh = false;                // no column command since the ACT yet
    bool act_for_conflict = false;     // the ACT followed a PRE issued for another row
    bool closed_for_conflict = false;  // the last close was a PRE for a request's other row
    // The queue slot of the request the open row was activated for, until its column command
    // issues (Candidate::kNoEntry otherwise). The row is not closed while it waits: neither a
    // read/write mode switch nor a refresh may waste the ACT.
    std::uint32_t reserved = Candidate::kNoEntry;
  };
  // Why a row is closed (an ACT closed while `fresh` is counted as unused, by cause).
  enum class CloseCause { kRequest, kRefresh, kAutoPrecharge };

  struct BankCache {
    bool dirty = true;
    bool has = false;
    Candidate c;  // ready not filled in
  };
  void build_candidates(Cycle now);
  void refresh_bank_candidate(int fb);
  void patch_candidate(int fb);
  void mark_dirty(int fb);
  Candidate* update_bank_entry(int fb);
  void rebuild_bank_candidates();
  const Candidate* choose(Cycle now, BusFilter bus) const;
  void issue(const Candidate& c, Cycle now);
  void close_bank(int fb, CloseCause cause);
  void column_candidate(int fb, std::uint32_t slot, Candidate& c) const;
  void update_mode();
  bool other_hit_pending(int fb, std::int64_t row, std::uint32_t except) const;
  int flat(const BankAddr& b) const { return flat_bank(spec_.org, b); }
  BankAddr bank_of(int fb) const { return bank_at(spec_.org, fb); }
  void notify(Cmd cmd, const DramAddr& a, Cycle now, std::int64_t wanted_row);

  hw::DramSpec spec_;
  ControllerConfig cfg_;
  int channel_;
  TimingState timing_;
  RefreshManager refresh_;
  std::unique_ptr<Scheduler> scheduler_;
  bool hits_first_;
  std::unique_ptr<ProtocolChecker> checker_;
  bool dual_bus_ = false;
  int hi_mark_ = 1, lo_mark_ = 0;

  std::vector<BankState> banks_;
  std::vector<int> open_in_rank_;
  std::vector<Entry> pool_;
  std::vector<std::uint32_t> free_;
  std::vector<std::vector<std::uint32_t>> rq_, wq_;  // per flat bank, arrival order
  std::vector<int> pending_in_bank_;                 // both queues
  int nread_ = 0, nwrite_ = 0;
  std::uint64_t seq_ = 0;
  bool write_mode_ = false;

  std::vector<Candidate> rcands_;  // refresh commands (they go first)
  std::vector<Candidate> cands_;   // one per bank with work, in no particular order
  bool cands_valid_ = false;
  Cycle cands_expire_ = kNever;
  Cycle min_ready_ = kNever;
  std::vector<BankCache> bcache_;
  std::vector<char> blocked_;    // per flat bank, scratch for build_candidates
  std::vector<int> cand_index_;  // per flat bank: its entry in cands_ (-1: none)
  bool patchable_ = false;       // no refresh work: an enqueue may patch its bank's entry
  bool incremental_ = false;     // cands_ holds every unblocked bank: a build updates dirty ones
  bool all_dirty_ = true;        // every bank's cached command is stale (mode switch)
  std::vector<int> dirty_list_;  // banks whose cached command is stale
  std::vector<int> blocked_list_;
  Cycle floor_ = 0;  // the next tick may not be earlier
  Cycle now_ = 0;    // cycle of the latest tick or enqueue

  std::vector<Completion> completions_;
  std::vector<CommandObserver*> observers_;
  std::uint64_t commands_ = 0;

  // Statistics (registered in the channel's StatsGroup).
  Counter *reads_, *writes_, *read_bytes_, *write_bytes_, *row_hits_, *row_misses_, *row_conflicts_,
      *refreshes_, *drains_, *bus_busy_, *unused_acts_request_, *unused_acts_refresh_;
  Counter* cmd_count_[kNumCmds];
  Distribution *read_lat_, *write_lat_;
  Occupancy *rq_occ_, *wq_occ_;
};

}  // namespace accsim::dram
