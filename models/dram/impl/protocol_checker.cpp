// The independent protocol checker. Every rule is written out here from its JEDEC definition, one
// explicit `now - last >= nX` comparison per constraint, so that it does not inherit a mistake
// from the timing engine's rule table (timing.cpp), which it must never include.
#include "models/dram/impl/protocol_checker.h"

#include <algorithm>
#include <string>
#include <utility>

#include "sim/core/error.h"

namespace accsim::dram {

namespace {

std::string num(Cycle c) {
  return std::to_string(c);
}

}  // namespace

ProtocolChecker::ProtocolChecker(const hw::DramSpec& spec, Mode mode)
    : ProtocolChecker(spec, mode, Options{}) {}

ProtocolChecker::ProtocolChecker(const hw::DramSpec& spec, Mode mode, Options options)
    : spec_(spec), t_(spec.timing), mode_(mode), opt_(options) {
  const auto& o = spec_.org;
  if (o.ranks <= 0 || o.bank_groups <= 0 || o.banks_per_group <= 0) {
    // A resolved spec has been range-checked by the config layer; this is a caller bug.
    throw Error(ExitCode::kInternal,
                "protocol checker: DRAM spec '" + spec_.name + "' has no banks (ranks " +
                    std::to_string(o.ranks) + ", bank groups " + std::to_string(o.bank_groups) +
                    ", banks per group " + std::to_string(o.banks_per_group) + ")");
  }
  const hw::DramStandardInfo& info = hw::standard_info(spec_.standard);
  max_postponed_ = opt_.max_postponed >= 0 ? opt_.max_postponed : info.max_postponed_refreshes;
  rtw_bubble_ = info.read_to_write_bubble;
  // JESD209-4/-5 (LPDDR4/5) count write-to-read from WL + BL/n + 1 clock, one more than DDR.
  wtr_extra_ = info.write_to_read_extra;
  has_ccd_l_wr_ = info.has_ccd_l_wr;
  pbr_gap_is_pbr2pbr_ = info.pbr_gap_is_pbr2pbr;
  // Without bank groups the standard has one tRRD/tCCD/tWTR, carried in the _S fields.
  has_bg_ = o.bank_groups > 1;
  // HBM has separate row and column command buses (JESD235: R[] and C[] pins), so one row and one
  // column command may share a cycle; the other standards have one command/address bus.
  dual_cmd_bus_ = info.split_command_bus;
  banks_.resize(static_cast<std::size_t>(o.ranks) * o.banks_per_rank());
  ranks_.resize(o.ranks);
  for (auto& r : ranks_) {
    r.act_bg.assign(o.groups_per_rank(), kNever);
    r.rd_bg.assign(o.groups_per_rank(), kNever);
    r.wr_bg.assign(o.groups_per_rank(), kNever);
  }
  recompute_refresh_deadline();
}

int ProtocolChecker::flat(const BankAddr& b) const {
  return flat_bank(spec_.org, b);
}

std::uint64_t ProtocolChecker::count(std::string_view constraint) const {
  auto it = counts_.find(std::string(constraint));
  return it == counts_.end() ? 0 : it->second;
}

std::string ProtocolChecker::describe(const Ctx& c) const {
  const DramAddr& a = *c.addr;
  std::string s = std::string(cmd_name(c.cmd)) + " at cycle " + num(c.now) + " to channel " +
                  std::to_string(a.channel) + " rank " + std::to_string(a.bank.rank);
  if (c.bank_detail) {
    s += " (at " + bank_text(a.bank) + ")";
  } else if (!is_rank_cmd(c.cmd)) {
    if (spec_.org.stack_ids > 1) s += " stack ID " + std::to_string(a.bank.sid);
    if (c.cmd == Cmd::kREFpb &&
        spec_.per_bank_refresh == hw::PerBankRefresh::kSameBankInAllGroups) {
      s += " bank " + std::to_string(a.bank.bank) + " of every bank group";
    } else {
      s += " bank group " + std::to_string(a.bank.bank_group) + " bank " +
           std::to_string(a.bank.bank);
    }
  }
  if (c.cmd == Cmd::kACT || is_column(c.cmd)) s += " row " + std::to_string(a.row);
  if (is_column(c.cmd)) s += " column " + std::to_string(a.column);
  return s;
}

void ProtocolChecker::record(Violation v) {
  ++total_;
  ++counts_[v.constraint];
  if (mode_ == Mode::kThrow) {
    throw sim_error("DRAM protocol violation (" + spec_.name + "): " + v.message);
  }
  if (list_.size() < opt_.max_listed) list_.push_back(std::move(v));
}

void ProtocolChecker::need(const Ctx& c, Cycle last, Cycle lat, const char* name,
                           const char* what) {
  if (last == kNever) return;
  const Cycle req = last + lat;
  if (c.now >= req) return;
  record(Violation{c.now, c.cmd, *c.addr, name, req,
                   describe(c) + " violates " + name + ": " + what + " at cycle " + num(last) +
                       " + " + num(lat) + " = cycle " + num(req)});
}

void ProtocolChecker::state_violation(const Ctx& c, const char* name, const std::string& why) {
  record(Violation{c.now, c.cmd, *c.addr, name, -1,
                   describe(c) + " is illegal (" + name + "): " + why});
}

bool ProtocolChecker::address_ok(const Ctx& c) {
  const auto& o = spec_.org;
  const DramAddr& a = *c.addr;
  std::string bad;
  if (a.bank.rank < 0 || a.bank.rank >= o.ranks) {
    bad = "rank " + std::to_string(a.bank.rank) + " outside 0.." + std::to_string(o.ranks - 1);
  } else if (!is_rank_cmd(c.cmd) && (a.bank.sid < 0 || a.bank.sid >= o.stack_ids)) {
    bad =
        "stack ID " + std::to_string(a.bank.sid) + " outside 0.." + std::to_string(o.stack_ids - 1);
  } else if (!is_rank_cmd(c.cmd) && (a.bank.bank_group < 0 || a.bank.bank_group >= o.bank_groups)) {
    bad = "bank group " + std::to_string(a.bank.bank_group) + " outside 0.." +
          std::to_string(o.bank_groups - 1);
  } else if (!is_rank_cmd(c.cmd) && (a.bank.bank < 0 || a.bank.bank >= o.banks_per_group)) {
    bad = "bank " + std::to_string(a.bank.bank) + " outside 0.." +
          std::to_string(o.banks_per_group - 1);
  } else if ((c.cmd == Cmd::kACT || is_column(c.cmd)) && (a.row < 0 || a.row >= o.rows)) {
    bad = "row " + std::to_string(a.row) + " outside 0.." + std::to_string(o.rows - 1);
  } else if (is_column(c.cmd) && o.bursts_per_row() > 0 &&
             (a.column < 0 || a.column >= o.bursts_per_row())) {
    bad = "column " + std::to_string(a.column) + " outside 0.." +
          std::to_string(o.bursts_per_row() - 1);
  }
  if (bad.empty()) return true;
  state_violation(c, "address", bad + " of " + spec_.name);
  return false;
}

void ProtocolChecker::on_command(Cmd cmd, const DramAddr& addr, Cycle now,
                                 std::int64_t wanted_row) {
  const int ci = static_cast<int>(cmd);
  if (ci < 0 || ci >= kNumCmds) {
    // Not a command (a corrupted value from the caller): nothing to check it against.
    record(Violation{
        now, cmd, addr, "command", -1,
        "command code " + std::to_string(ci) + " at cycle " + num(now) + " is not a DRAM command"});
    return;
  }
  ++commands_;
  ++per_cmd_[ci];
  const Ctx c{cmd, &addr, now};

  if (now < last_now_) {
    record(Violation{now, cmd, addr, "time-order", last_now_,
                     describe(c) + " comes after a command at cycle " + num(last_now_) +
                         ": commands must be issued in non-decreasing time"});
  }
  if (channel_ < 0) channel_ = addr.channel;
  if (addr.channel != channel_) {
    // Another channel's command: its state lives in another checker, so this one ignores it.
    state_violation(c, "channel",
                    "this checker watches channel " + std::to_string(channel_) + " only");
    return;
  }
  if (!address_ok(c)) return;

  // Obligations that ran out before this command (a refresh issued now still counts).
  check_refresh_deadlines(now);

  Cycle& bus = (dual_cmd_bus_ && is_column(cmd)) ? last_col_bus_ : last_row_bus_;
  if (now == bus) {
    record(Violation{now, cmd, addr, "cmd-bus", bus + 1,
                     describe(c) + " collides with another command in the same cycle on the " +
                         (dual_cmd_bus_ ? (is_column(cmd) ? "column" : "row") : "command") +
                         " bus (one command per cycle)"});
  }
  bus = std::max(bus, now);

  // JEDEC: after REFRESH only DES is allowed to the rank until tRFC(min) has passed.
  need(c, ranks_[addr.bank.rank].refab, t_.nRFC, "nRFC", "REFab to this rank");

  switch (cmd) {
    case Cmd::kACT:
      do_act(c, addr.row);
      break;
    case Cmd::kPRE:
      do_pre(c);
      break;
    case Cmd::kPREA:
      do_prea(c);
      break;
    case Cmd::kRD:
    case Cmd::kWR:
    case Cmd::kRDA:
    case Cmd::kWRA:
      do_column(c, wanted_row);
      break;
    case Cmd::kREFab:
      do_refab(c);
      break;
    case Cmd::kREFpb:
      do_refpb(c);
      break;
    case Cmd::kCount:
      state_violation(c, "command", "not a DRAM command");
      break;
  }
  last_now_ = std::max(last_now_, now);
}

std::string ProtocolChecker::bank_text(const BankAddr& b) const {
  return (spec_.org.stack_ids > 1 ? "stack ID " + std::to_string(b.sid) + " " : std::string()) +
         "bank group " + std::to_string(b.bank_group) + " bank " + std::to_string(b.bank);
}

// `gi`: the bank group's index in the rank (stack ID x bank groups + bank group). tRRD_L holds
// within the bank group, tRRD_S between any two bank groups of the rank, stack IDs included
// (activates spaced per pseudo-channel, as Ramulator 2's HBM3 description has it).
void ProtocolChecker::check_rrd(const Ctx& c, const Rank& r, int gi, const char* what) {
  for (int g = 0; g < spec_.org.groups_per_rank(); ++g) {
    if (has_bg_ && g == gi) {
      need(c, r.act_bg[g], t_.nRRD_L, "nRRD_L", what);
    } else {
      need(c, r.act_bg[g], t_.nRRD_S, has_bg_ ? "nRRD_S" : "nRRD", what);
    }
  }
}

int ProtocolChecker::group_in_rank(const BankAddr& b) const {
  return b.sid * spec_.org.bank_groups + b.bank_group;
}

void ProtocolChecker::do_act(const Ctx& c, std::int64_t row) {
  const BankAddr& ba = c.addr->bank;
  Bank& b = banks_[flat(ba)];
  Rank& r = ranks_[ba.rank];
  if (b.open) {
    state_violation(c, "ACT-to-open-bank",
                    "row " + std::to_string(b.row) + " is still open in this bank");
  }
  need(c, b.act, t_.nRC, "nRC", "ACT to this bank");
  need(c, b.pre, rp_of(b), rp_name(b), "precharge (PRE, PREA or auto-precharge) of this bank");
  need(c, b.refpb, t_.nRFCpb, "nRFCpb", "REFpb of this bank");
  if (r.refpb != kNever && b.refpb != r.refpb) {
    need(c, r.refpb, t_.nRREFD, "nRREFD", "REFpb to another bank of this rank");
  }
  check_rrd(c, r, group_in_rank(ba), "ACT in this rank");
  // The slot about to be overwritten holds the 4th-previous ACT of the rank.
  need(c, r.faw[r.faw_next], t_.nFAW, "nFAW", "4th-previous ACT in this rank");

  b.open = true;
  b.row = row;
  b.act = c.now;
  b.rd = kNever;
  b.wr = kNever;
  r.act_bg[group_in_rank(ba)] = c.now;
  r.faw[r.faw_next] = c.now;
  r.faw_next = (r.faw_next + 1) % 4;
}

void ProtocolChecker::close_bank(const Ctx& c, Bank& b) {
  // Precharge of an open bank: tRAS since ACT, tRTP since the last read, and write recovery
  // (tWR counts from the end of the write data: CWL + BL/2 + tWR after the WR command).
  need(c, b.act, t_.nRAS, "nRAS", "ACT to this bank");
  need(c, b.rd, t_.nRTP, "nRTP", "read to this bank");
  need(c, b.wr, t_.nCWL + t_.nBL + t_.nWR, "nWR", "write to this bank (nCWL+nBL+nWR)");
  b.open = false;
  b.pre = c.now;
  b.pre_all = false;
}

void ProtocolChecker::do_pre(const Ctx& c) {
  Rank& r = ranks_[c.addr->bank.rank];
  if (t_.nPPD > 0) need(c, r.pre_cmd, t_.nPPD, "nPPD", "PRE/PREA to this rank");
  r.pre_cmd = c.now;
  Bank& b = banks_[flat(c.addr->bank)];
  if (!b.open) {
    // JEDEC: a PRE to a bank without an open row (or already precharging) is treated as a NOP.
    ++redundant_pre_;
    return;
  }
  close_bank(c, b);
}

void ProtocolChecker::do_prea(const Ctx& c) {
  const int rank = c.addr->bank.rank;
  Rank& r = ranks_[rank];
  if (t_.nPPD > 0) need(c, r.pre_cmd, t_.nPPD, "nPPD", "PRE/PREA to this rank");
  r.pre_cmd = c.now;
  // Each rule is checked once, against the open bank that needs the latest PREA.
  Worst act, rd, wr;
  for (int f = first_bank(rank); f < first_bank(rank + 1); ++f) {
    const BankAddr ba = bank_at(spec_.org, f);
    const Bank& b = banks_[f];
    if (!b.open) continue;
    act.take(b.act, t_.nRAS, "nRAS", ba);
    rd.take(b.rd, t_.nRTP, "nRTP", ba);
    wr.take(b.wr, static_cast<Cycle>(t_.nCWL) + t_.nBL + t_.nWR, "nWR", ba);
  }
  if (act.last == kNever) {
    ++redundant_pre_;
    return;
  }
  need_at(c, act, "ACT to this bank");
  need_at(c, rd, "read to this bank");
  need_at(c, wr, "write to this bank (nCWL+nBL+nWR)");
  for (int f = first_bank(rank); f < first_bank(rank + 1); ++f) {
    Bank& b = banks_[f];
    if (!b.open) continue;
    b.open = false;
    b.pre = c.now;
    b.pre_all = true;
  }
}

void ProtocolChecker::need_at(const Ctx& c, const Worst& w, const char* what) {
  if (w.last == kNever) return;
  DramAddr a = *c.addr;
  a.bank = w.bank;
  const Ctx bc{c.cmd, &a, c.now, true};
  need(bc, w.last, w.lat, w.name, what);
}

void ProtocolChecker::do_column(const Ctx& c, std::int64_t wanted_row) {
  const BankAddr& ba = c.addr->bank;
  Bank& b = banks_[flat(ba)];
  Rank& r = ranks_[ba.rank];
  const bool rd = is_read(c.cmd);
  const int gi = group_in_rank(ba);

  if (!b.open) {
    state_violation(c, "column-to-closed-bank", "no row is open in this bank");
  } else if (wanted_row >= 0 && b.row != wanted_row) {
    state_violation(c, "row-mismatch",
                    "row " + std::to_string(b.row) + " is open but the request wanted row " +
                        std::to_string(wanted_row));
  }
  const Cycle wr_end = static_cast<Cycle>(t_.nCWL) + t_.nBL + wtr_extra_;
  const int G = spec_.org.bank_groups;
  if (rd) {
    need(c, b.act, t_.nRCDRD, "nRCDRD", "ACT to this bank");
    for (int g = 0; g < spec_.org.groups_per_rank(); ++g) {
      if (g / G != ba.sid) {
        // Another stack ID (HBM3): tCCDR between reads; write-to-read is per pseudo-channel.
        need(c, r.rd_bg[g], t_.nCCDR, "nCCDR", "read in another stack ID");
        need(c, r.wr_bg[g], wr_end + t_.nWTR_S, has_bg_ ? "nWTR_S" : "nWTR",
             "write in another stack ID (nCWL+nBL+nWTR_S)");
      } else if (!has_bg_) {
        need(c, r.rd_bg[g], t_.nCCD_S, "nCCD", "read in this rank");
        need(c, r.wr_bg[g], wr_end + t_.nWTR_S, "nWTR", "write in this rank (nCWL+nBL+nWTR)");
      } else if (g == gi) {
        need(c, r.rd_bg[g], t_.nCCD_L, "nCCD_L", "read in the same bank group");
        need(c, r.wr_bg[g], wr_end + t_.nWTR_L, "nWTR_L",
             "write in the same bank group (nCWL+nBL+nWTR_L)");
      } else {
        need(c, r.rd_bg[g], t_.nCCD_S, "nCCD_S", "read in another bank group");
        need(c, r.wr_bg[g], wr_end + t_.nWTR_S, "nWTR_S",
             "write in another bank group (nCWL+nBL+nWTR_S)");
      }
    }
  } else {
    need(c, b.act, t_.nRCDWR, "nRCDWR", "ACT to this bank");
    // Writes to another stack ID are held apart only by the data bus (check_bus below).
    for (int g = ba.sid * G; g < (ba.sid + 1) * G; ++g) {
      if (!has_bg_) {
        need(c, r.wr_bg[g], t_.nCCD_S, "nCCD", "write in this rank");
      } else if (g == gi) {
        // DDR5 has a longer same-bank-group write-to-write delay, tCCD_L_WR.
        need(c, r.wr_bg[g], t_.nCCD_L_WR, has_ccd_l_wr_ ? "nCCD_L_WR" : "nCCD_L",
             "write in the same bank group");
      } else {
        need(c, r.wr_bg[g], t_.nCCD_S, "nCCD_S", "write in another bank group");
      }
    }
    // Read-to-write turnaround on the same rank: RL + BL/2 - WL + bubble.
    need(c, r.rd, static_cast<Cycle>(t_.nCL) + t_.nBL + rtw_bubble_ - t_.nCWL, "nRTW",
         "read in this rank (nCL+nBL+bubble-nCWL)");
  }

  const Cycle start = c.now + (rd ? t_.nCL : t_.nCWL);
  check_bus(c, start, start + t_.nBL, ba.rank, rd);

  const bool auto_pre = c.cmd == Cmd::kRDA || c.cmd == Cmd::kWRA;
  if (auto_pre && b.open) {
    const Cycle wr_rec = static_cast<Cycle>(t_.nCWL) + t_.nBL + t_.nWR;
    // The internal precharge starts tRTP after RDA (write recovery after WRA), but not before
    // tRAS(min) since the ACT (JEDEC "tRAS lockout").
    Cycle ap = rd ? c.now + t_.nRTP : c.now + wr_rec;
    ap = std::max(ap, b.act + t_.nRAS);
    if (rd && b.wr != kNever && ap < b.wr + wr_rec) {
      // The implied precharge of an RDA must respect write recovery of an earlier WR as an
      // explicit PRE would; the controller has to delay the RDA.
      const Cycle req = b.wr + wr_rec - t_.nRTP;
      record(Violation{c.now, c.cmd, *c.addr, "nWR", req,
                       describe(c) + " violates nWR: its auto-precharge would start at cycle " +
                           num(ap) + ", before write recovery of the write at cycle " + num(b.wr) +
                           " ends at cycle " + num(b.wr + wr_rec) +
                           " (nCWL+nBL+nWR); earliest RDA = cycle " + num(req)});
    }
    b.open = false;
    b.pre = ap;
    b.pre_all = false;
  }
  if (rd) {
    r.rd_bg[gi] = c.now;
    r.rd = c.now;
    b.rd = c.now;
  } else {
    r.wr_bg[gi] = c.now;
    b.wr = c.now;
  }
}

void ProtocolChecker::check_bus(const Ctx& c, Cycle start, Cycle end, int rank, bool read) {
  // A burst that ended nRTRS before the earliest possible start of any new burst cannot
  // conflict any more.
  const Cycle horizon = c.now + std::min(t_.nCL, t_.nCWL);
  std::erase_if(bursts_, [&](const Burst& b) { return b.end + t_.nRTRS <= horizon; });
  for (const Burst& o : bursts_) {
    const Cycle gap = o.rank != rank ? t_.nRTRS : 0;
    if (start >= o.end + gap) continue;  // after the old burst
    if (end + gap <= o.start) continue;  // before it (a write's data can precede a read's)
    const char* name = gap > 0 ? "nRTRS" : "data-bus";
    const Cycle req = c.now + (o.end + gap - start);
    std::string what = std::string(o.read ? "read" : "write") + " burst of rank " +
                       std::to_string(o.rank) + " on cycles " + num(o.start) + ".." +
                       num(o.end - 1);
    record(Violation{
        c.now, c.cmd, *c.addr, name, req,
        describe(c) + " violates " + name + ": its " + (read ? "read" : "write") +
            " burst on cycles " + num(start) + ".." + num(end - 1) +
            (gap > 0 ? " is closer than nRTRS " + num(gap) + " to the " : " overlaps the ") + what +
            " on the shared data bus; earliest = cycle " + num(req)});
  }
  bursts_.push_back(Burst{start, end, rank, read});
}

void ProtocolChecker::do_refab(const Ctx& c) {
  const int rank = c.addr->bank.rank;
  Rank& r = ranks_[rank];
  std::string open;
  Worst pre, refpb;
  for (int f = first_bank(rank); f < first_bank(rank + 1); ++f) {
    const BankAddr ba = bank_at(spec_.org, f);
    const Bank& b = banks_[f];
    if (b.open)
      open += (open.empty() ? "" : ", ") + bank_text(ba) + " (row " + std::to_string(b.row) + ")";
    pre.take(b.pre, rp_of(b), rp_name(b), ba);
    refpb.take(b.refpb, t_.nRFCpb, "nRFCpb", ba);
  }
  if (!open.empty()) {
    state_violation(c, "REF-with-open-bank", "all banks must be precharged; open: " + open);
  }
  need_at(c, pre, "precharge (PRE, PREA or auto-precharge) of a bank");
  need_at(c, refpb, "REFpb of a bank");
  r.refab = c.now;
  for (int f = first_bank(rank); f < first_bank(rank + 1); ++f) {
    Bank& b = banks_[f];
    b.open = false;  // refresh leaves every bank precharged
    ++b.refreshes;
  }
  recompute_refresh_deadline();
}

std::vector<int> ProtocolChecker::refpb_targets(const BankAddr& b) const {
  std::vector<int> out;
  if (spec_.per_bank_refresh == hw::PerBankRefresh::kSameBankInAllGroups) {
    for (int g = 0; g < spec_.org.bank_groups; ++g) out.push_back(flat({b.rank, g, b.bank, b.sid}));
  } else {
    out.push_back(flat(b));
  }
  return out;
}

void ProtocolChecker::do_refpb(const Ctx& c) {
  if (spec_.per_bank_refresh == hw::PerBankRefresh::kNone) {
    state_violation(c, "REFpb-unsupported", spec_.name + " has no per-bank refresh");
    return;
  }
  const BankAddr& ba = c.addr->bank;
  Rank& r = ranks_[ba.rank];
  const std::vector<int> targets = refpb_targets(ba);
  std::string open;
  Worst pre, refpb;
  for (int f : targets) {
    const Bank& b = banks_[f];
    const BankAddr tb = bank_at(spec_.org, f);
    if (b.open)
      open += (open.empty() ? "" : ", ") + bank_text(tb) + " (row " + std::to_string(b.row) + ")";
    pre.take(b.pre, rp_of(b), rp_name(b), tb);
    refpb.take(b.refpb, t_.nRFCpb, "nRFCpb", tb);
  }
  need_at(c, pre, "precharge (PRE, PREA or auto-precharge) of a refreshed bank");
  need_at(c, refpb, "REFpb of a refreshed bank");
  if (!open.empty()) {
    state_violation(c, "REF-with-open-bank",
                    "the refreshed bank(s) must be precharged; open: " + open);
  }
  // Per-bank refresh to per-bank refresh of another bank: HBM tRREFD, LPDDR5 tpbR2pbR (the same
  // bank is covered by nRFCpb).
  const bool same_set = r.refpb != kNever && banks_[targets.front()].refpb == r.refpb;
  const char* pbr_name = pbr_gap_is_pbr2pbr_ || t_.nPBR2PBR != t_.nRREFD ? "nPBR2PBR" : "nRREFD";
  if (!same_set) need(c, r.refpb, t_.nPBR2PBR, pbr_name, "REFpb to another bank of this rank");
  if (spec_.per_bank_refresh == hw::PerBankRefresh::kSingleBank) {
    // LPDDR5, HBM2/3 and GDDR6 treat a single-bank refresh like an ACT for tRRD.
    check_rrd(c, r, group_in_rank(ba), "ACT in this rank");
  }

  r.refpb = c.now;
  for (int f : targets) {
    Bank& b = banks_[f];
    b.open = false;
    b.refpb = c.now;
    ++b.refreshes;
  }
  recompute_refresh_deadline();
}

void ProtocolChecker::recompute_refresh_deadline() {
  next_refresh_deadline_ = INT64_MAX;
  if (!opt_.check_refresh || t_.nREFI <= 0) return;
  for (const Bank& b : banks_) {
    next_refresh_deadline_ =
        std::min(next_refresh_deadline_, (b.refreshes + max_postponed_ + 1) * t_.nREFI);
  }
}

void ProtocolChecker::check_refresh_deadlines(Cycle now) {
  // Refresh k (k = 1, 2, ...) of a bank is nominally due at k x nREFI and may be postponed
  // max_postponed_ times, so it must be issued by (k + max_postponed_) x nREFI. A missed one is
  // flagged once and then counted as settled, so one forgotten refresh is one violation.
  if (now <= next_refresh_deadline_) return;
  const int per_rank = spec_.org.banks_per_rank();
  for (int rank = 0; rank < spec_.org.ranks; ++rank) {
    Bank* first = &banks_[static_cast<std::size_t>(rank) * per_rank];
    for (;;) {
      std::int64_t lo = INT64_MAX;
      for (int i = 0; i < per_rank; ++i) lo = std::min(lo, first[i].refreshes);
      const Cycle deadline = (lo + max_postponed_ + 1) * t_.nREFI;
      if (deadline >= now) break;
      int missing = 0, first_missing = -1;
      for (int i = 0; i < per_rank; ++i) {
        if (first[i].refreshes != lo) continue;
        if (first_missing < 0) first_missing = i;
        ++missing;
        ++first[i].refreshes;
      }
      DramAddr a;
      a.channel = std::max(channel_, 0);
      a.bank = bank_at(spec_.org, rank * per_rank + first_missing);
      const bool all = missing == per_rank;
      const std::string who =
          all ? "every bank" : std::to_string(missing) + " bank(s), first " + bank_text(a.bank);
      record(Violation{deadline + 1, all ? Cmd::kREFab : Cmd::kREFpb, a, "nREFI", deadline,
                       "rank " + std::to_string(rank) + " of channel " + std::to_string(a.channel) +
                           ": refresh " + std::to_string(lo + 1) + " of " + who +
                           " (nominal at cycle " + num((lo + 1) * t_.nREFI) +
                           ") was not issued by cycle " + num(deadline) + ": more than " +
                           std::to_string(max_postponed_) + " refreshes postponed (nREFI " +
                           num(t_.nREFI) + ")"});
    }
  }
  recompute_refresh_deadline();
}

std::int64_t ProtocolChecker::postponed_refreshes(int rank, Cycle now) const {
  if (t_.nREFI <= 0 || rank < 0 || rank >= spec_.org.ranks) return 0;
  const int per_rank = spec_.org.banks_per_rank();
  std::int64_t worst = INT64_MIN;
  for (int i = 0; i < per_rank; ++i) {
    const Bank& b = banks_[static_cast<std::size_t>(rank) * per_rank + i];
    worst = std::max(worst, now / t_.nREFI - b.refreshes);
  }
  return worst;
}

void ProtocolChecker::finish(Cycle end) {
  check_refresh_deadlines(end);
}

}  // namespace accsim::dram
