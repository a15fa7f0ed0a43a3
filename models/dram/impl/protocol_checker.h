#pragma once
// The independent DRAM protocol checker. It watches the command stream of one independent
// (pseudo-)channel and verifies bank state and every JEDEC timing constraint, written directly from
// the JEDEC definitions. It shares no code with the timing engine (timing.cpp) or the controller
// on purpose: a second implementation is what catches a wrong rule table. Plain C++, no SystemC.
// The rules, their sources and what is not checked are listed in models/dram/README.md,
// section "Protocol checker".
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "sim/core/units.h"

namespace accsim::dram {

struct Violation {
  Cycle cycle = 0;      // cycle of the offending command (refresh: first cycle past the deadline)
  Cmd cmd = Cmd::kACT;  // the offending command (refresh: the refresh that was missing)
  DramAddr addr;
  std::string
      constraint;       // JEDEC name ("nRCDRD", "nFAW", "nREFI") or state rule ("ACT-to-open-bank")
  Cycle required = -1;  // earliest legal cycle for a timing rule; -1 for a state rule
  std::string message;  // one line a user can act on
};

class ProtocolChecker {
 public:
  enum class Mode {
    kThrow,  // throw accsim::Error(ExitCode::kSimulation) at the first violation (tests)
    kCount,  // record and count, keep going (runs)
  };
  struct Options {
    // Flag refresh obligations (a rank/bank that falls too far behind nREFI). Off for runs that
    // disable refresh on purpose.
    bool check_refresh = true;
    // Refreshes that may be postponed before it is a violation; -1 = the standard's limit
    // (hw::DramStandardInfo::max_postponed_refreshes).
    int max_postponed = -1;
    // Violations kept in list(); counts() keeps counting past this.
    std::size_t max_listed = 1000;
  };

  ProtocolChecker(const hw::DramSpec& spec, Mode mode);
  ProtocolChecker(const hw::DramSpec& spec, Mode mode, Options options);

  // One issued command. `wanted_row` is the row the request behind a column command wanted
  // (-1: unknown, not checked). Commands must come in non-decreasing cycle order.
  void on_command(Cmd cmd, const DramAddr& addr, Cycle now, std::int64_t wanted_row = -1);
  // End of simulation at `end`: flags refresh obligations whose deadline passed before `end`.
  void finish(Cycle end);

  std::size_t violations() const { return total_; }
  const std::vector<Violation>& list() const { return list_; }
  // Violations per constraint name (deterministic order).
  const std::map<std::string, std::uint64_t>& counts() const { return counts_; }
  std::uint64_t count(std::string_view constraint) const;
  std::uint64_t commands() const { return commands_; }
  std::uint64_t commands(Cmd c) const { return per_cmd_[static_cast<int>(c)]; }
  // PRE to a bank that had no open row: legal (the device treats it as a NOP) but wasteful.
  std::uint64_t redundant_precharges() const { return redundant_pre_; }
  // Refreshes currently owed by the most-behind bank of `rank` at cycle `now` (negative when
  // refreshes were pulled in).
  std::int64_t postponed_refreshes(int rank, Cycle now) const;
  const hw::DramSpec& spec() const { return spec_; }

 private:
  static constexpr Cycle kNever = INT64_MIN / 4;

  struct Bank {
    bool open = false;
    std::int64_t row = -1;
    Cycle act = kNever;    // last ACT
    Cycle pre = kNever;    // start of the last precharge (PRE, PREA or implied auto-precharge)
    bool pre_all = false;  // that precharge was a PREA (LPDDR5: tRPab instead of tRPpb)
    Cycle rd = kNever;     // last RD/RDA since the last ACT
    Cycle wr = kNever;     // last WR/WRA since the last ACT
    Cycle refpb = kNever;  // last per-bank refresh of this bank
    std::int64_t refreshes = 0;  // refresh obligations met (or already flagged)
  };
  struct Rank {
    std::array<Cycle, 4> faw{kNever, kNever, kNever, kNever};  // last four ACTs, ring
    int faw_next = 0;
    Cycle refab = kNever;    // last REFab
    Cycle refpb = kNever;    // last REFpb to any bank
    int refpb_bank = -1;     // first flat bank of that REFpb's target set
    Cycle pre_cmd = kNever;  // last PRE/PREA command (nPPD)
    Cycle rd = kNever;       // last read column command (any bank group)
    // Per bank group of the rank, stack ID major (group_in_rank()):
    std::vector<Cycle> act_bg;  // last ACT
    std::vector<Cycle> rd_bg;   // last RD/RDA
    std::vector<Cycle> wr_bg;   // last WR/WRA
  };
  struct Burst {
    Cycle start, end;  // data-bus cycles [start, end)
    int rank;
    bool read;
  };
  // The command in flight, for messages.
  struct Ctx {
    Cmd cmd;
    const DramAddr* addr;
    Cycle now;
    bool bank_detail = false;  // a rank command reported against one of its banks
  };

  // Over several banks: the one whose constraint ends last (rank commands check each rule once).
  struct Worst {
    Cycle last = kNever;
    Cycle lat = 0;
    const char* name = "";
    BankAddr bank;
    void take(Cycle t, Cycle l, const char* n, const BankAddr& b) {
      if (t != kNever && (last == kNever || t + l > last + lat)) {
        last = t;
        lat = l;
        name = n;
        bank = b;
      }
    }
  };

  int flat(const BankAddr& b) const;
  int first_bank(int rank) const { return rank * spec_.org.banks_per_rank(); }
  int group_in_rank(const BankAddr& b) const;
  std::string bank_text(const BankAddr& b) const;  // "[stack ID s ]bank group g bank k"
  bool address_ok(const Ctx& c);
  // `now - last >= need`, else a violation named `name`.
  void need(const Ctx& c, Cycle last, Cycle need, const char* name, const char* what);
  // need() against the bank `w` came from (rank commands that cover several banks).
  void need_at(const Ctx& c, const Worst& w, const char* what);
  void state_violation(const Ctx& c, const char* name, const std::string& why);
  void record(Violation v);
  std::string describe(const Ctx& c) const;

  void check_rank_busy(const Ctx& c, const Rank& r);
  void check_rrd(const Ctx& c, const Rank& r, int gi, const char* what);
  Cycle rp_of(const Bank& b) const { return b.pre_all ? t_.nRPab : t_.nRP; }
  const char* rp_name(const Bank& b) const {
    return b.pre_all && t_.nRPab != t_.nRP ? "nRPab" : "nRP";
  }
  void do_act(const Ctx& c, std::int64_t row);
  void do_pre(const Ctx& c);
  void do_prea(const Ctx& c);
  void do_column(const Ctx& c, std::int64_t wanted_row);
  void do_refab(const Ctx& c);
  void do_refpb(const Ctx& c);
  void close_bank(const Ctx& c, Bank& b);
  void check_bus(const Ctx& c, Cycle start, Cycle end, int rank, bool read);
  std::vector<int> refpb_targets(const BankAddr& b) const;

  void check_refresh_deadlines(Cycle now);
  void recompute_refresh_deadline();

  hw::DramSpec spec_;
  hw::DramTiming t_;
  Mode mode_;
  Options opt_;
  int max_postponed_;
  int rtw_bubble_;
  // From hw/dram_standard.h: the standard's facts this checker needs.
  int wtr_extra_;            // LPDDR5: one more clock after write data before tWTR counts
  bool has_bg_;              // more than one bank group: _L and _S timings differ in meaning
  bool dual_cmd_bus_;        // HBM: separate row and column command buses
  bool has_ccd_l_wr_;        // DDR5: tCCD_L_WR names the same-group write-to-write gap
  bool pbr_gap_is_pbr2pbr_;  // LPDDR5: tpbR2pbR names the per-bank refresh spacing

  std::vector<Bank> banks_;
  std::vector<Rank> ranks_;
  std::deque<Burst> bursts_;
  int channel_ = -1;  // the channel this checker watches, from the first command
  Cycle last_now_ = kNever;
  Cycle last_row_bus_ = kNever;
  Cycle last_col_bus_ = kNever;
  Cycle next_refresh_deadline_ = INT64_MAX;

  std::vector<Violation> list_;
  std::map<std::string, std::uint64_t> counts_;
  std::size_t total_ = 0;
  std::uint64_t commands_ = 0;
  std::array<std::uint64_t, kNumCmds> per_cmd_{};
  std::uint64_t redundant_pre_ = 0;
};

}  // namespace accsim::dram
