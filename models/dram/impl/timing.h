#pragma once
// The timing engine: JEDEC constraints as a data table (Ramulator 2 / DRAMSys style) and the
// state that answers "earliest cycle at which command C to bank B satisfies every constraint".
// Plain C++; it knows nothing about queues, bank state (open rows) or energy.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "sim/core/units.h"

namespace accsim::dram {

// Which banks a rule constrains, relative to the bank/rank the preceding command went to.
enum class Scope : std::uint8_t {
  kChannel,        // every bank of the channel (shared data bus)
  kRank,           // every bank of the same rank
  kOtherRanks,     // every bank of every other rank (rank-to-rank turnaround)
  kStackId,        // every bank of the same stack ID (HBM3 SID) of the same rank
  kOtherStackIds,  // every bank of every other stack ID of the same rank (HBM3 tCCDR)
  kBankGroup,      // every bank of the same bank group (of the same stack ID)
  kBank,           // the same bank only
};
std::string_view scope_name(Scope s);

struct TimingRule {
  Scope scope;
  Cmd prev;          // preceding command
  Cmd next;          // following command that is constrained
  int latency;       // cycles from `prev` to the earliest legal `next`
  int window;        // 1 = plain rule; N > 1 = the Nth previous `prev` in scope (tFAW: 4)
  std::string name;  // the JEDEC parameter(s) it comes from, e.g. "nRCDRD", "nCWL+nBL+nWTR_L"
};

// Every rule of the spec's standard, built from its named timings.
std::vector<TimingRule> build_timing_rules(const hw::DramSpec& spec);

class TimingState {
 public:
  explicit TimingState(const hw::DramSpec& spec);
  // Earliest cycle at which `cmd` to `b` satisfies every timing rule (bank state not checked).
  // For rank commands (PREA, REFab) the bank fields of `b` are ignored except `rank`.
  Cycle earliest(Cmd cmd, const BankAddr& b) const;
  // earliest(cmd, bank) for a bank command (not PREA/REFab/REFpb) to the bank with flat index
  // flat_bank(org, bank) (command.h): the same answer from five loads (channel, rank, stack ID,
  // bank group, bank), for the controller's per-cycle candidate scan.
  Cycle earliest_bank(Cmd cmd, int flat_bank) const {
    const auto c = static_cast<std::size_t>(cmd);
    const BankRows& r = bank_rows_[static_cast<std::size_t>(flat_bank)];
    const Cycle* f = future_;
    return std::max(std::max(std::max(f[c], f[r.rank + c]), f[r.sid + c]),
                    std::max(f[r.group + c], f[r.bank + c]));
  }
  // Records that `cmd` was issued to `b` at `now`. Precondition: now >= earliest(cmd, b).
  void issue(Cmd cmd, const BankAddr& b, Cycle now);
  const std::vector<TimingRule>& rules() const;
  const hw::DramSpec& spec() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  // Offsets into Impl::future of each flat bank's rank, stack-ID, bank-group and bank rows.
  struct BankRows {
    std::size_t rank, sid, group, bank;
  };
  std::vector<BankRows> bank_rows_;
  const Cycle* future_ = nullptr;  // Impl::future's data (never reallocated)
};

}  // namespace accsim::dram
