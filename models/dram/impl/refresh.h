#pragma once
// Refresh bookkeeping of one channel: when refreshes fall due, how many each rank owes, which
// banks the next one targets, and whether it may still be postponed. The controller turns this
// into PRE/PREA/REF candidates. Plain C++.
//
// Deadlines: refresh k (k = 1, 2, ...) of rank r is due at k * I - r * I / ranks, where I is
// nREFI (all-bank) or the per-bank command interval; ranks are staggered earlier, never later,
// so no rank falls behind the JEDEC schedule. A rank owes (deadlines passed - refreshes issued).
// It must refresh when it owes more than `postpone` (then it catches up until it owes none);
// below that it refreshes only when the targeted banks have no queued requests.
// Per-bank refresh visits every refresh set (a bank; DDR5: a bank index in every group) once per
// round, in the order the controller finds convenient: it picks a set whose banks have no queued
// work, if any, and keeps that choice once it has precharged for it.
#include <cstdint>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "models/dram/impl/controller_config.h"
#include "sim/core/units.h"

namespace accsim::dram {

class RefreshManager {
 public:
  static constexpr Cycle kNever = INT64_MAX;

  // Throws a config error when per-bank refresh is asked for a standard without it, or when the
  // postponement exceeds what the standard allows.
  RefreshManager(const hw::DramSpec& spec, const ControllerConfig& cfg);

  bool enabled() const { return enabled_; }
  bool per_bank() const { return per_bank_; }
  Cycle interval() const { return interval_; }

  std::int64_t owed(int rank, Cycle now) const { return due(rank, now) - issued_[rank]; }
  bool forced(int rank, Cycle now) const {
    const std::int64_t o = owed(rank, now);
    return o > postpone_ || (catching_up_[rank] && o > 0);
  }
  // Refresh sets of `rank` (all-bank: one set with every bank).
  const std::vector<std::vector<int>>& sets(int rank) const { return targets_[rank]; }
  // Whether set `i` of `rank` still needs its refresh in the current round.
  bool pending(int rank, int i) const { return !done_[rank][i]; }
  // The set chosen for the next refresh (after a precharge for it), or -1.
  int locked(int rank) const { return locked_[rank]; }
  void lock(int rank, int set) { locked_[rank] = set; }
  // The bank address a REFpb of set `i` carries (rank-level REFab: bank fields unused).
  BankAddr command_bank(int rank, int set) const;
  // First deadline of any rank strictly after `t` (kNever when refresh is off).
  Cycle next_deadline_after(Cycle t) const;
  // A refresh of set `set` was issued to `rank` at `now`.
  void on_refresh(int rank, int set, Cycle now);

  std::uint64_t issued_total() const;

 private:
  std::int64_t due(int rank, Cycle now) const {
    const Cycle x = now + offset_[rank];
    return x >= interval_ ? x / interval_ : 0;
  }

  bool enabled_ = false;
  bool per_bank_ = false;
  hw::PerBankRefresh kind_ = hw::PerBankRefresh::kNone;
  hw::DramOrg org_;
  Cycle interval_ = 0;
  int postpone_ = 0;
  std::vector<Cycle> offset_;
  std::vector<std::int64_t> issued_;
  std::vector<char> catching_up_;
  std::vector<int> locked_;              // per rank: chosen set or -1
  std::vector<std::vector<char>> done_;  // per rank and set: refreshed this round
  std::vector<int> done_count_;
  std::vector<std::vector<std::vector<int>>> targets_;  // per rank: refresh sets
};

}  // namespace accsim::dram
