#include "models/dram/impl/timing.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <initializer_list>
#include <limits>

#include "sim/core/error.h"

namespace accsim::dram {

std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::kChannel:
      return "channel";
    case Scope::kRank:
      return "rank";
    case Scope::kOtherRanks:
      return "other-ranks";
    case Scope::kStackId:
      return "stack-id";
    case Scope::kOtherStackIds:
      return "other-stack-ids";
    case Scope::kBankGroup:
      return "bank-group";
    case Scope::kBank:
      return "bank";
  }
  return "?";
}

namespace {

using hw::DramStandard;
using hw::PerBankRefresh;

class RuleList {
 public:
  // One row per (prev, next) pair so that every row has exactly one gate test. Rows whose latency
  // is not positive can never bind (commands are issued in time order) and are left out.
  void add(Scope s, std::initializer_list<Cmd> prevs, std::initializer_list<Cmd> nexts, int latency,
           const char* name, int window = 1) {
    if (latency <= 0) return;
    for (Cmd p : prevs)
      for (Cmd n : nexts) rules_.push_back(TimingRule{s, p, n, latency, window, name});
  }
  std::vector<TimingRule> take() { return std::move(rules_); }

 private:
  std::vector<TimingRule> rules_;
};

constexpr Cmd ACT = Cmd::kACT, PRE = Cmd::kPRE, PREA = Cmd::kPREA, RD = Cmd::kRD, WR = Cmd::kWR,
              RDA = Cmd::kRDA, WRA = Cmd::kWRA, REFab = Cmd::kREFab, REFpb = Cmd::kREFpb;

}  // namespace

// The constraint set is the same skeleton for every standard; what differs is which parameters
// exist (bank groups, separate tRCDRD/tRCDWR, tCCD_L_WR, tRPab, tPPD, per-bank refresh and its
// addressing) and the turnaround formulas. Those differences are carried by the DramSpec fields
// (a standard without a split sets both halves equal, see hw/dram_spec.h) plus the switches
// below, so each rule is written once with the JEDEC parameter names in `name`.
// Sources: JESD79-4 (DDR4) sections "Timing Parameters by Speed Bin" and the command truth
// table notes; JESD79-5 (DDR5); JESD209-5 (LPDDR5); JESD235 (HBM2); JESD238 (HBM3); JESD250
// (GDDR6). See models/dram/README.md "Timing rules" for the table and the simplifications.
std::vector<TimingRule> build_timing_rules(const hw::DramSpec& spec) {
  const hw::DramTiming& t = spec.timing;
  const hw::DramStandardInfo& std_ = hw::standard_info(spec.standard);
  const bool has_bg = spec.org.bank_groups > 1;
  const bool has_sids = spec.org.stack_ids > 1;
  const bool has_pb = spec.per_bank_refresh != PerBankRefresh::kNone && t.nRFCpb > 0;

  // Write data ends nCWL + nBL after the WR command; write recovery and write-to-read turnaround
  // count from there.
  const int wr_data_end = t.nCWL + t.nBL;
  const int wr_to_pre = wr_data_end + t.nWR;
  // Read-to-write on one rank: the write's data may start a bus-turnaround bubble after the read
  // data ends: RL + tBL + bubble - WL (JESD79-4 tRTW: bubble 2 with 1 nCK write preamble; the
  // bubble of each standard and its source are in hw/dram_standard.cpp).
  const int rd_to_wr = t.nCL + t.nBL + std_.read_to_write_bubble - t.nCWL;
  // Clocks after write data before the tWTR count starts (LPDDR5: 1 for the WCK-to-CK domain
  // crossing, JESD209-5 "write to read": WL + BL/n_max + RU(tWTR/tCK) + 1).
  const int lp_extra = std_.write_to_read_extra;

  // An auto-precharge is held back until tRAS is met, so a bank's next ACT (or refresh) waits at
  // least nRAS + nRP after its ACT. nRC >= nRAS + nRP whenever resolve_dram_spec() built the
  // spec; the max is for hand-built specs that break it (AttAcc's HBM3 values, for one).
  const int row_cycle = std::max(t.nRC, t.nRAS + t.nRP);
  const char* row_cycle_name = t.nRC >= t.nRAS + t.nRP ? "nRC" : "nRAS+nRP";

  RuleList L;
  const auto kR = {RD, RDA};
  const auto kW = {WR, WRA};

  // ---- Same bank: row cycle.
  L.add(Scope::kBank, {ACT}, {ACT}, row_cycle, row_cycle_name);
  L.add(Scope::kBank, {ACT}, kR, t.nRCDRD, "nRCDRD");
  L.add(Scope::kBank, {ACT}, kW, t.nRCDWR, "nRCDWR");
  L.add(Scope::kBank, {ACT}, {PRE}, t.nRAS, "nRAS");
  L.add(Scope::kBank, {PRE}, {ACT}, t.nRP, "nRP");
  L.add(Scope::kBank, {RD}, {PRE}, t.nRTP, "nRTP");
  L.add(Scope::kBank, {WR}, {PRE}, wr_to_pre, "nCWL+nBL+nWR");
  // Auto-precharge starts when a PRE issued at the earliest legal time would have.
  L.add(Scope::kBank, {RDA}, {ACT}, t.nRTP + t.nRP, "nRTP+nRP");
  L.add(Scope::kBank, {WRA}, {ACT}, wr_to_pre + t.nRP, "nCWL+nBL+nWR+nRP");

  // A read with auto-precharge starts its precharge nRTP after the command whatever writes came
  // before, so after a write to the same bank it must wait until that precharge would not cut
  // write recovery short. Listed only where it is longer than the write-to-read turnaround
  // (which otherwise already covers it).
  const int wr_to_rd_same_bank = wr_data_end + lp_extra + (has_bg ? t.nWTR_L : t.nWTR_S);
  if (wr_to_pre - t.nRTP > wr_to_rd_same_bank)
    L.add(Scope::kBank, {WR}, {RDA}, wr_to_pre - t.nRTP, "nCWL+nBL+nWR-nRTP");

  // ---- Bank group (only where the standard/mode has bank groups).
  if (has_bg) {
    L.add(Scope::kBankGroup, {ACT}, {ACT}, t.nRRD_L, "nRRD_L");
    L.add(Scope::kBankGroup, kR, kR, t.nCCD_L, "nCCD_L");
    L.add(Scope::kBankGroup, kW, kW, t.nCCD_L_WR, std_.has_ccd_l_wr ? "nCCD_L_WR" : "nCCD_L");
    L.add(Scope::kBankGroup, kW, kR, wr_data_end + lp_extra + t.nWTR_L,
          lp_extra ? "nCWL+nBL+1+nWTR_L" : "nCWL+nBL+nWTR_L");
  }

  // ---- Rank: activates, column-to-column, turnarounds.
  L.add(Scope::kRank, {ACT}, {ACT}, t.nRRD_S, has_bg ? "nRRD_S" : "nRRD");
  L.add(Scope::kRank, {ACT}, {ACT}, t.nFAW, "nFAW", 4);
  // With stack IDs (HBM3 SID, JESD238) column-to-column spacing is per stack ID; reads of
  // another SID wait tCCDR (another die drives the shared data bus), writes to another SID need
  // only the burst's data-bus cycles. Activates (tRRD_S, tFAW), turnarounds and refresh stay per
  // pseudo-channel, shared by its SIDs, as in Ramulator 2's HBM3 description
  // (python/ramulator/dram/hbm3.py), which also applies tCCDR to writes; models/dram/README.md.
  const Scope ccd_s_scope = has_sids ? Scope::kStackId : Scope::kRank;
  L.add(ccd_s_scope, kR, kR, t.nCCD_S, has_bg ? "nCCD_S" : "nCCD");
  L.add(ccd_s_scope, kW, kW, t.nCCD_S, has_bg ? "nCCD_S" : "nCCD");
  if (has_sids) {
    L.add(Scope::kOtherStackIds, kR, kR, t.nCCDR, "nCCDR");
    L.add(Scope::kOtherStackIds, kW, kW, t.nBL, "nBL");
  }
  const std::string rd_to_wr_name =
      "nCL+nBL+" + std::to_string(std_.read_to_write_bubble) + "-nCWL";
  L.add(Scope::kRank, kR, kW, rd_to_wr, rd_to_wr_name.c_str());
  L.add(Scope::kRank, kW, kR, wr_data_end + lp_extra + t.nWTR_S,
        lp_extra ? (has_bg ? "nCWL+nBL+1+nWTR_S" : "nCWL+nBL+1+nWTR")
                 : (has_bg ? "nCWL+nBL+nWTR_S" : "nCWL+nBL+nWTR"));

  // ---- Precharge all: like PRE to every bank of the rank.
  L.add(Scope::kRank, {ACT}, {PREA}, t.nRAS, "nRAS");
  L.add(Scope::kRank, {RD, RDA}, {PREA}, t.nRTP, "nRTP");
  L.add(Scope::kRank, {WR, WRA}, {PREA}, wr_to_pre, "nCWL+nBL+nWR");
  L.add(Scope::kRank, {PREA}, {ACT}, t.nRPab, t.nRPab == t.nRP ? "nRP" : "nRPab");
  if (t.nPPD > 0) L.add(Scope::kRank, {PRE, PREA}, {PRE, PREA}, t.nPPD, "nPPD");

  // ---- All-bank refresh: every bank must have finished precharging; nothing but another
  // refresh may follow within tRFC.
  L.add(Scope::kRank, {ACT}, {REFab}, row_cycle, row_cycle_name);
  L.add(Scope::kRank, {PRE}, {REFab}, t.nRP, "nRP");
  L.add(Scope::kRank, {PREA}, {REFab}, t.nRPab, t.nRPab == t.nRP ? "nRP" : "nRPab");
  L.add(Scope::kRank, {RDA}, {REFab}, t.nRTP + t.nRP, "nRTP+nRP");
  L.add(Scope::kRank, {WRA}, {REFab}, wr_to_pre + t.nRP, "nCWL+nBL+nWR+nRP");
  // JEDEC: after REFRESH only DES may go to the rank until tRFC has passed, whatever the command.
  L.add(Scope::kRank, {REFab}, {ACT, PRE, PREA, RD, WR, RDA, WRA, REFab}, t.nRFC, "nRFC");

  // ---- Per-bank refresh (LPDDR5 REFpb, HBM REFSB, GDDR6 REFpb: one bank; DDR5 REFsb: the same
  // bank index in every bank group, which TimingState resolves from spec.per_bank_refresh).
  if (has_pb) {
    L.add(Scope::kBank, {ACT}, {REFpb}, row_cycle, row_cycle_name);
    L.add(Scope::kBank, {PRE}, {REFpb}, t.nRP, "nRP");
    L.add(Scope::kBank, {RDA}, {REFpb}, t.nRTP + t.nRP, "nRTP+nRP");
    L.add(Scope::kBank, {WRA}, {REFpb}, wr_to_pre + t.nRP, "nCWL+nBL+nWR+nRP");
    L.add(Scope::kBank, {REFpb}, {ACT, REFpb}, t.nRFCpb, "nRFCpb");
    L.add(Scope::kRank, {PREA}, {REFpb}, t.nRPab, t.nRPab == t.nRP ? "nRP" : "nRPab");
    L.add(Scope::kRank, {REFab}, {REFpb}, t.nRFC, "nRFC");
    L.add(Scope::kRank, {REFpb}, {REFab}, t.nRFCpb, "nRFCpb");
    // Another bank: a per-bank refresh draws activate current, so it is spaced from activates
    // like an activate (tRRD) and from the next activate/refresh by tRREFD / tpbR2pbR. A DDR5
    // REFsb activates a bank in every bank group, so every ACT of the rank is "same bank group".
    if (spec.per_bank_refresh == PerBankRefresh::kSameBankInAllGroups) {
      L.add(Scope::kRank, {ACT}, {REFpb}, t.nRRD_L, "nRRD_L");
    } else {
      if (has_bg) L.add(Scope::kBankGroup, {ACT}, {REFpb}, t.nRRD_L, "nRRD_L");
      L.add(Scope::kRank, {ACT}, {REFpb}, t.nRRD_S, has_bg ? "nRRD_S" : "nRRD");
    }
    L.add(Scope::kRank, {REFpb}, {ACT}, t.nRREFD, "nRREFD");
    L.add(Scope::kRank, {REFpb}, {REFpb}, t.nPBR2PBR,
          t.nPBR2PBR == t.nRREFD ? "nRREFD" : "nPBR2PBR");
  }

  // ---- Other ranks on the same channel: the shared data bus needs nRTRS between two ranks'
  // bursts. Data of a read occupies [RD + nCL, RD + nCL + nBL), of a write [WR + nCWL, ...).
  L.add(Scope::kOtherRanks, kR, kR, t.nBL + t.nRTRS, "nBL+nRTRS");
  L.add(Scope::kOtherRanks, kW, kW, t.nBL + t.nRTRS, "nBL+nRTRS");
  L.add(Scope::kOtherRanks, kR, kW, t.nCL + t.nBL + t.nRTRS - t.nCWL, "nCL+nBL+nRTRS-nCWL");
  L.add(Scope::kOtherRanks, kW, kR, t.nCWL + t.nBL + t.nRTRS - t.nCL, "nCWL+nBL+nRTRS-nCL");

  return L.take();
}

namespace {

// Where a compiled rule writes its future time, relative to the preceding command's address.
enum class Target : std::uint8_t {
  kChannel,
  kRank,
  kOtherRanks,
  kStackId,
  kOtherStackIds,
  kBankGroup,
  kBank,
  kBankAllGroups,  // bank index b in every bank group of the stack ID (after a DDR5 REFsb)
  kBankSet,        // the (rank, stack ID, bank index) node that a DDR5 REFsb consults
  kCount
};

struct Update {
  std::int32_t latency;
  std::uint8_t next;
  Target target;
};

struct WindowUpdate {
  std::int32_t latency;
  std::int32_t window;
  std::uint8_t next;
  Target target;
  std::uint32_t hist_base;  // first slot of this rule's ring buffers in Impl::hist
};

constexpr Cycle kNever = std::numeric_limits<Cycle>::min() / 4;

}  // namespace

struct TimingState::Impl {
  hw::DramSpec spec;
  std::vector<TimingRule> rules;
  int R = 1, S = 1, G = 1, B = 1;
  bool same_bank_all_groups = false;
  std::size_t n_nodes = 0;
  // future[node * kNumCmds + cmd]: earliest cycle `cmd` may issue as far as the commands seen at
  // that node are concerned. Nodes: channel, ranks, stack IDs, bank groups, banks, then (DDR5)
  // bank sets; each level in flat order (command.h flat_bank).
  std::vector<Cycle> future;
  // Compiled rules grouped by preceding command: [begin[c], begin[c+1]).
  std::vector<Update> updates;
  std::array<std::uint32_t, kNumCmds + 1> begin{};
  std::vector<WindowUpdate> wupdates;
  std::array<std::uint32_t, kNumCmds + 1> wbegin{};
  // Ring buffers of recent issue times for window rules: per rule, per node, `window` slots.
  std::vector<Cycle> hist;
  std::vector<std::uint16_t> hist_pos;  // per rule and node: next slot to overwrite

  std::size_t rank_node(int r) const { return 1 + static_cast<std::size_t>(r); }
  std::size_t sid_node(int r, int s) const { return 1 + R + static_cast<std::size_t>(r * S + s); }
  std::size_t bg_node(const BankAddr& b) const {
    return 1 + R + static_cast<std::size_t>(R) * S +
           static_cast<std::size_t>((b.rank * S + b.sid) * G + b.bank_group);
  }
  std::size_t first_bank_node() const { return 1 + R + static_cast<std::size_t>(R) * S * (1 + G); }
  std::size_t bank_node(const BankAddr& b) const {
    return first_bank_node() +
           static_cast<std::size_t>(((b.rank * S + b.sid) * G + b.bank_group) * B + b.bank);
  }
  std::size_t bankset_node(const BankAddr& b) const {
    return first_bank_node() + static_cast<std::size_t>(R) * S * G * B +
           static_cast<std::size_t>((b.rank * S + b.sid) * B + b.bank);
  }

  void bump(std::size_t node, int next, Cycle t) {
    Cycle& f = future[node * kNumCmds + next];
    if (t > f) f = t;
  }

  static Target compile_target(const TimingRule& r, bool same_bank_all_groups) {
    Scope s = r.scope;
    // A rank command touches every bank: a bank or bank-group rule involving one binds rank-wide.
    if ((is_rank_cmd(r.prev) || is_rank_cmd(r.next)) &&
        (s == Scope::kBank || s == Scope::kBankGroup || s == Scope::kStackId))
      s = Scope::kRank;
    Target tg = Target::kChannel;
    switch (s) {
      case Scope::kChannel:
        tg = Target::kChannel;
        break;
      case Scope::kRank:
        tg = Target::kRank;
        break;
      case Scope::kOtherRanks:
        tg = Target::kOtherRanks;
        break;
      case Scope::kStackId:
        tg = Target::kStackId;
        break;
      case Scope::kOtherStackIds:
        tg = Target::kOtherStackIds;
        break;
      case Scope::kBankGroup:
        tg = Target::kBankGroup;
        break;
      case Scope::kBank:
        tg = Target::kBank;
        break;
    }
    if (same_bank_all_groups) {
      const bool p = r.prev == Cmd::kREFpb, n = r.next == Cmd::kREFpb;
      // A same-bank refresh spans every bank group, so a bank-group rule touching it binds
      // rank-wide.
      if ((p || n) && tg == Target::kBankGroup) tg = Target::kRank;
      if (tg == Target::kBank) {
        if (n)
          tg = Target::kBankSet;
        else if (p)
          tg = Target::kBankAllGroups;
      }
    }
    return tg;
  }
};

TimingState::TimingState(const hw::DramSpec& spec) : impl_(std::make_shared<Impl>()) {
  Impl& m = *impl_;
  m.spec = spec;
  m.rules = build_timing_rules(spec);
  m.R = spec.org.ranks;
  m.S = spec.org.stack_ids;
  m.G = spec.org.bank_groups;
  m.B = spec.org.banks_per_group;
  if (m.R < 1 || m.S < 1 || m.G < 1 || m.B < 1)
    throw Error(ExitCode::kInternal, "TimingState: organisation has no banks (ranks " +
                                         std::to_string(m.R) + ", stack IDs " +
                                         std::to_string(m.S) + ", bank groups " +
                                         std::to_string(m.G) + ", banks " + std::to_string(m.B) +
                                         "); resolve_dram_spec() should have rejected it");
  m.same_bank_all_groups = spec.per_bank_refresh == hw::PerBankRefresh::kSameBankInAllGroups;
  const std::size_t RS = static_cast<std::size_t>(m.R) * m.S;
  m.n_nodes = m.first_bank_node() + RS * m.G * m.B + (m.same_bank_all_groups ? RS * m.B : 0);
  m.future.assign(m.n_nodes * kNumCmds, 0);

  std::array<std::vector<Update>, kNumCmds> per_cmd;
  std::array<std::vector<WindowUpdate>, kNumCmds> per_cmd_w;
  std::size_t hist_slots = 0;
  for (const TimingRule& r : m.rules) {
    Target tg = Impl::compile_target(r, m.same_bank_all_groups);
    const auto p = static_cast<int>(r.prev);
    const auto n = static_cast<std::uint8_t>(r.next);
    if (r.window > 1) {
      if (tg == Target::kOtherRanks || tg == Target::kOtherStackIds ||
          tg == Target::kBankAllGroups || tg == Target::kBankSet)
        throw Error(ExitCode::kInternal, "timing rule " + r.name + ": a window rule needs a " +
                                             "single-node scope, not " +
                                             std::string(scope_name(r.scope)));
      per_cmd_w[p].push_back(
          WindowUpdate{r.latency, r.window, n, tg, static_cast<std::uint32_t>(hist_slots)});
      hist_slots += m.n_nodes * static_cast<std::size_t>(r.window);
    } else {
      per_cmd[p].push_back(Update{r.latency, n, tg});
    }
  }
  for (int c = 0; c < kNumCmds; ++c) {
    m.begin[c] = static_cast<std::uint32_t>(m.updates.size());
    m.updates.insert(m.updates.end(), per_cmd[c].begin(), per_cmd[c].end());
    m.wbegin[c] = static_cast<std::uint32_t>(m.wupdates.size());
    m.wupdates.insert(m.wupdates.end(), per_cmd_w[c].begin(), per_cmd_w[c].end());
  }
  m.begin[kNumCmds] = static_cast<std::uint32_t>(m.updates.size());
  m.wbegin[kNumCmds] = static_cast<std::uint32_t>(m.wupdates.size());
  m.hist.assign(hist_slots, kNever);
  m.hist_pos.assign(m.wupdates.size() * m.n_nodes, 0);
  future_ = m.future.data();
  for (int i = 0, n = spec.org.ranks * spec.org.banks_per_rank(); i < n; ++i) {
    const BankAddr b = bank_at(spec.org, i);
    bank_rows_.push_back(BankRows{m.rank_node(b.rank) * kNumCmds,
                                  m.sid_node(b.rank, b.sid) * kNumCmds, m.bg_node(b) * kNumCmds,
                                  m.bank_node(b) * kNumCmds});
  }
}

Cycle TimingState::earliest(Cmd cmd, const BankAddr& b) const {
  const Impl& m = *impl_;
  assert(b.rank >= 0 && b.rank < m.R);
  const int c = static_cast<int>(cmd);
  const Cycle* f = m.future.data();
  Cycle e = std::max(f[c], f[m.rank_node(b.rank) * kNumCmds + c]);
  if (is_rank_cmd(cmd)) return e;
  assert(b.sid >= 0 && b.sid < m.S);
  assert(b.bank_group >= 0 && b.bank_group < m.G && b.bank >= 0 && b.bank < m.B);
  e = std::max(e, f[m.sid_node(b.rank, b.sid) * kNumCmds + c]);
  if (cmd == Cmd::kREFpb && m.same_bank_all_groups)
    return std::max(e, f[m.bankset_node(b) * kNumCmds + c]);
  e = std::max(e, f[m.bg_node(b) * kNumCmds + c]);
  return std::max(e, f[m.bank_node(b) * kNumCmds + c]);
}

void TimingState::issue(Cmd cmd, const BankAddr& b, Cycle now) {
  Impl& m = *impl_;
  assert(now >= earliest(cmd, b));
  const int c = static_cast<int>(cmd);
  // Row offsets into `future` of every single-node target, indexed by Target.
  std::array<std::size_t, static_cast<int>(Target::kCount)> row{};
  row[static_cast<int>(Target::kChannel)] = 0;
  row[static_cast<int>(Target::kRank)] = m.rank_node(b.rank) * kNumCmds;
  if (!is_rank_cmd(cmd))
    row[static_cast<int>(Target::kStackId)] = m.sid_node(b.rank, b.sid) * kNumCmds;
  if (!is_rank_cmd(cmd) && !(cmd == Cmd::kREFpb && m.same_bank_all_groups)) {
    row[static_cast<int>(Target::kBankGroup)] = m.bg_node(b) * kNumCmds;
    row[static_cast<int>(Target::kBank)] = m.bank_node(b) * kNumCmds;
  }
  if (m.same_bank_all_groups && !is_rank_cmd(cmd))
    row[static_cast<int>(Target::kBankSet)] = m.bankset_node(b) * kNumCmds;
  Cycle* f = m.future.data();
  for (std::uint32_t i = m.begin[c], e = m.begin[c + 1]; i < e; ++i) {
    const Update& u = m.updates[i];
    const Cycle t = now + u.latency;
    if (u.target == Target::kOtherRanks) {
      for (int r = 0; r < m.R; ++r)
        if (r != b.rank) m.bump(m.rank_node(r), u.next, t);
    } else if (u.target == Target::kOtherStackIds) {
      for (int s = 0; s < m.S; ++s)
        if (s != b.sid) m.bump(m.sid_node(b.rank, s), u.next, t);
    } else if (u.target == Target::kBankAllGroups) {
      BankAddr x = b;
      for (x.bank_group = 0; x.bank_group < m.G; ++x.bank_group) m.bump(m.bank_node(x), u.next, t);
    } else {
      Cycle& x = f[row[static_cast<int>(u.target)] + u.next];
      if (t > x) x = t;
    }
  }
  for (std::uint32_t i = m.wbegin[c], e = m.wbegin[c + 1]; i < e; ++i) {
    const WindowUpdate& u = m.wupdates[i];
    const std::size_t node = row[static_cast<int>(u.target)] / kNumCmds;
    std::uint16_t& pos = m.hist_pos[i * m.n_nodes + node];
    Cycle* ring = &m.hist[u.hist_base + node * static_cast<std::size_t>(u.window)];
    ring[pos] = now;
    pos = static_cast<std::uint16_t>(pos + 1 == u.window ? 0 : pos + 1);
    // The slot about to be overwritten holds the window-th most recent issue: the next command
    // may not start before it + latency (tFAW: the 5th ACT waits for the 1st + tFAW).
    const Cycle oldest = ring[pos];
    if (oldest != kNever) m.bump(node, u.next, oldest + u.latency);
  }
}

const std::vector<TimingRule>& TimingState::rules() const {
  return impl_->rules;
}
const hw::DramSpec& TimingState::spec() const {
  return impl_->spec;
}

}  // namespace accsim::dram
