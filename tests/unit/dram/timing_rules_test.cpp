// Tight-gate tests of the timing engine: for every rule of every preset, the following command is
// blocked one cycle before prev + latency and legal at it. An independent brute-force reference
// (every past command against every rule, with its own reading of the scopes) checks that each
// rule is the binding one for the chosen target and, over random command streams, that the
// engine's O(levels) answer always equals the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "hw/dram_config.h"
#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "models/dram/impl/timing.h"

namespace accsim::dram {
namespace {

// Two ranks everywhere, so rank-to-rank rules have a target.
hw::DramSpec spec_of(const std::string& preset) {
  hw::DramConfig cfg;
  SourceLoc where{"<test>", 0, 0};
  hw::load_dram_preset(preset, cfg, where);
  cfg.ranks = 2;
  return hw::resolve_dram_spec(cfg, where);
}

// ---- Reference model: the banks a command touches, and scopes defined on those sets.

// The banks a command touches, as (rank, stack ID, group, bank) with -1 for "every": a rank
// command touches every bank of its rank, a DDR5 REFsb bank index b in every group, others one
// bank.
struct Touched {
  int r, sid, g, b;
};

Touched touched(const hw::DramSpec& s, Cmd c, const BankAddr& a) {
  if (is_rank_cmd(c)) return {a.rank, -1, -1, -1};
  if (c == Cmd::kREFpb && s.per_bank_refresh == hw::PerBankRefresh::kSameBankInAllGroups)
    return {a.rank, a.sid, -1, a.bank};
  return {a.rank, a.sid, a.bank_group, a.bank};
}

bool overlap(int x, int y) {
  return x < 0 || y < 0 || x == y;
}

// A rule constrains `next` when the sets of banks the two commands touch meet at the rule's
// level (bank: share a bank; bank group: share a bank group) or by rank.
bool covers(const hw::DramSpec& s, Scope scope, Cmd pc, const BankAddr& pa, Cmd nc,
            const BankAddr& na) {
  switch (scope) {
    case Scope::kChannel:
      return true;
    case Scope::kRank:
      return pa.rank == na.rank;
    case Scope::kOtherRanks:
      return pa.rank != na.rank;
    case Scope::kOtherStackIds: {
      const Touched x = touched(s, pc, pa), y = touched(s, nc, na);
      return x.r == y.r && x.sid >= 0 && y.sid >= 0 && x.sid != y.sid;
    }
    case Scope::kStackId:
    case Scope::kBankGroup:
    case Scope::kBank: {
      const Touched x = touched(s, pc, pa), y = touched(s, nc, na);
      if (x.r != y.r || !overlap(x.sid, y.sid)) return false;
      return scope == Scope::kStackId ||
             (overlap(x.g, y.g) && (scope == Scope::kBankGroup || overlap(x.b, y.b)));
    }
  }
  return false;
}

struct Issued {
  Cmd cmd;
  BankAddr addr;
  Cycle t;
};

// Earliest cycle by brute force; `binding` (if given) receives the rules that reach the maximum.
Cycle reference_earliest(const hw::DramSpec& s, const std::vector<TimingRule>& rules,
                         const std::vector<Issued>& hist, Cmd next, const BankAddr& target,
                         std::vector<const TimingRule*>* binding = nullptr) {
  Cycle best = 0;
  auto consider = [&](Cycle t, const TimingRule& r) {
    if (t > best) {
      best = t;
      if (binding) binding->assign(1, &r);
    } else if (t == best && binding && t > 0) {
      binding->push_back(&r);
    }
  };
  for (const TimingRule& r : rules) {
    if (r.next != next) continue;
    std::vector<Cycle> times;
    for (const Issued& h : hist)
      if (h.cmd == r.prev && covers(s, r.scope, h.cmd, h.addr, next, target)) times.push_back(h.t);
    if (r.window <= 1) {
      for (Cycle t : times) consider(t + r.latency, r);
    } else if (static_cast<int>(times.size()) >= r.window) {
      std::sort(times.rbegin(), times.rend());
      consider(times[r.window - 1] + r.latency, r);
    }
  }
  return best;
}

// ---- The gate test of one rule.

struct GateCase {
  std::string preset;
  int rule = -1;
  std::string label;
};

std::vector<std::string> all_presets() {
  try {
    return hw::dram_preset_names();
  } catch (...) {
    return {};  // reported by the CoversEveryPreset test below
  }
}

std::vector<GateCase> all_gate_cases() {
  std::vector<GateCase> v;
  for (const std::string& p : all_presets()) {
    std::vector<TimingRule> rules;
    try {
      rules = build_timing_rules(spec_of(p));
    } catch (...) {
      v.push_back({p, -1, "preset_fails_to_resolve"});
      continue;
    }
    for (int i = 0; i < static_cast<int>(rules.size()); ++i) {
      const TimingRule& r = rules[i];
      v.push_back({p, i,
                   std::string(cmd_name(r.prev)) + "_to_" + std::string(cmd_name(r.next)) + "_" +
                       std::string(scope_name(r.scope))});
    }
  }
  return v;
}

// The bank addressed by a rule's `next` so that the rule's scope holds but no narrower scope
// does: same bank; same group, other bank; same stack ID, other group and other bank index; same
// rank, other stack ID (where there are several), other group and bank index; other stack ID;
// other rank.
BankAddr target_for(const hw::DramSpec& s, Scope scope) {
  const int G = s.org.bank_groups, B = s.org.banks_per_group, S = s.org.stack_ids;
  switch (scope) {
    case Scope::kBank:
      return {0, 0, 0};
    case Scope::kBankGroup:
      return {0, 0, 1 % B};
    case Scope::kStackId:
      return {0, 1 % G, 1 % B};
    case Scope::kRank:
      return {0, 1 % G, 1 % B, 1 % S};
    case Scope::kOtherStackIds:
      return {0, 0, 0, 1 % S};
    case Scope::kOtherRanks:
    case Scope::kChannel:
      return {1, 0, 0};
  }
  return {};
}

struct GateResult {
  Cycle t0 = 0;         // when prev (the last of a window) was issued
  Cycle first = 0;      // first command of a window
  Cycle expected = 0;   // prev + latency (first + latency for a window)
  Cycle engine = 0;     // TimingState::earliest
  Cycle reference = 0;  // brute force
  std::vector<const TimingRule*> binding;
};

GateResult run_gate(const hw::DramSpec& s, const std::vector<TimingRule>& rules, int idx) {
  const TimingRule& r = rules[idx];
  TimingState ts(s);
  std::vector<Issued> hist;
  auto issue = [&](Cmd c, BankAddr a, Cycle t) {
    ts.issue(c, a, t);
    hist.push_back({c, a, t});
  };
  const BankAddr prev_addr{0, 0, 0};
  const BankAddr target = target_for(s, r.scope);
  GateResult g;
  // Preconditions far in the past, so that none of their constraints is still running: the
  // rows that the column commands use are open, the banks that ACT uses were precharged.
  const Cycle past = 100000;
  const Cycle t0 = 1000000;
  if (is_column(r.prev) || is_column(r.next)) {
    issue(Cmd::kACT, prev_addr, past);
    if (!(target == prev_addr)) issue(Cmd::kACT, target, past + 1000);
  }
  if (r.window > 1) {
    // `window` commands, each at the earliest cycle the engine allows, to banks in different
    // bank groups where possible; the next one then waits for the first + latency.
    Cycle t = t0;
    const int G = s.org.bank_groups, B = s.org.banks_per_group;
    for (int k = 0; k < r.window; ++k) {
      BankAddr a{0, k % G, (k / G) % B};
      t = std::max(t, ts.earliest(r.prev, a));
      if (k == 0) g.first = t;
      issue(r.prev, a, t);
    }
    g.t0 = t;
    g.expected = g.first + r.latency;
    BankAddr fifth{0, r.window % G, (r.window / G + 1) % B};
    g.engine = ts.earliest(r.next, fifth);
    g.reference = reference_earliest(s, rules, hist, r.next, fifth, &g.binding);
    return g;
  }
  issue(r.prev, prev_addr, t0);
  g.t0 = g.first = t0;
  g.expected = t0 + r.latency;
  g.engine = ts.earliest(r.next, target);
  g.reference = reference_earliest(s, rules, hist, r.next, target, &g.binding);
  return g;
}

class TimingGate : public ::testing::TestWithParam<GateCase> {};

TEST_P(TimingGate, BlockedOneCycleEarlyLegalAtTheLimit) {
  const GateCase& c = GetParam();
  ASSERT_GE(c.rule, 0) << "preset " << c.preset << " does not resolve";
  const hw::DramSpec s = spec_of(c.preset);
  const std::vector<TimingRule> rules = build_timing_rules(s);
  ASSERT_LT(c.rule, static_cast<int>(rules.size())) << "rule table changed since discovery";
  const TimingRule& r = rules[c.rule];
  SCOPED_TRACE(c.preset + ": " + std::string(cmd_name(r.prev)) + " -> " +
               std::string(cmd_name(r.next)) + " " + r.name + " = " + std::to_string(r.latency) +
               " (" + std::string(scope_name(r.scope)) +
               (r.window > 1 ? ", window " + std::to_string(r.window) : "") + ")");
  ASSERT_GE(r.latency, 1);
  const GateResult g = run_gate(s, rules, c.rule);
  // The rule under test is the one that binds: no other rule asks for more.
  std::string others;
  for (const TimingRule* b : g.binding)
    if (b != &r) others += " " + b->name + "(" + std::string(scope_name(b->scope)) + ")";
  EXPECT_EQ(g.reference, g.expected) << "another rule dominates:" << others;
  ASSERT_NE(std::find(g.binding.begin(), g.binding.end(), &r), g.binding.end())
      << "rule does not bind at its target";
  // Blocked at t - 1, legal at t.
  EXPECT_GT(g.engine, g.expected - 1);
  EXPECT_LE(g.engine, g.expected);
  EXPECT_EQ(g.engine, g.expected);
}

INSTANTIATE_TEST_SUITE_P(AllPresetsAllRules, TimingGate, ::testing::ValuesIn(all_gate_cases()),
                         [](const ::testing::TestParamInfo<GateCase>& i) {
                           std::string n = i.param.preset + "_" + std::to_string(i.param.rule) +
                                           "_" + i.param.label;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// Every rule of every preset has a gate above: count them against the tables.
TEST(TimingRules, EveryRuleOfEveryPresetHasAGateTest) {
  const std::vector<GateCase> cases = all_gate_cases();
  std::size_t total = 0;
  for (const std::string& p : all_presets()) {
    const std::vector<TimingRule> rules = build_timing_rules(spec_of(p));
    EXPECT_GE(rules.size(), 40u) << p;
    total += rules.size();
    std::vector<bool> seen(rules.size(), false);
    for (const GateCase& c : cases)
      if (c.preset == p && c.rule >= 0) seen[c.rule] = true;
    for (std::size_t i = 0; i < rules.size(); ++i) EXPECT_TRUE(seen[i]) << p << " rule " << i;
  }
  EXPECT_EQ(cases.size(), total);
}

TEST(TimingRules, CoversEveryPresetAndTheRequiredConstraints) {
  ASSERT_EQ(all_presets().size(), 8u);
  auto has = [](const std::vector<TimingRule>& rules, Scope sc, Cmd p, Cmd n, int window = 1) {
    for (const TimingRule& r : rules)
      if (r.scope == sc && r.prev == p && r.next == n && r.window == window) return true;
    return false;
  };
  for (const std::string& p : all_presets()) {
    SCOPED_TRACE(p);
    const hw::DramSpec s = spec_of(p);
    const auto rules = build_timing_rules(s);
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kACT, Cmd::kACT));       // nRC
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kACT, Cmd::kACT));       // nRRD_S
    EXPECT_TRUE(has(rules, Scope::kBankGroup, Cmd::kACT, Cmd::kACT));  // nRRD_L
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kACT, Cmd::kACT, 4));    // nFAW
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kACT, Cmd::kRD));        // nRCDRD
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kACT, Cmd::kWRA));       // nRCDWR
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kACT, Cmd::kPRE));       // nRAS
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kRD, Cmd::kPRE));        // nRTP
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kWR, Cmd::kPRE));        // nCWL+nBL+nWR
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kRDA, Cmd::kACT));       // nRTP+nRP
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kWRA, Cmd::kACT));       // nCWL+nBL+nWR+nRP
    EXPECT_TRUE(has(rules, Scope::kBank, Cmd::kPRE, Cmd::kACT));       // nRP
    const Scope ccd = s.org.stack_ids > 1 ? Scope::kStackId : Scope::kRank;
    EXPECT_TRUE(has(rules, ccd, Cmd::kRD, Cmd::kRD));  // nCCD_S
    EXPECT_EQ(has(rules, Scope::kOtherStackIds, Cmd::kRD, Cmd::kRD), s.org.stack_ids > 1);
    EXPECT_TRUE(has(rules, Scope::kBankGroup, Cmd::kWR, Cmd::kWR));    // nCCD_L(_WR)
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kRD, Cmd::kWR));         // turnaround
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kWR, Cmd::kRD));         // nWTR_S
    EXPECT_TRUE(has(rules, Scope::kBankGroup, Cmd::kWRA, Cmd::kRDA));  // nWTR_L
    EXPECT_TRUE(has(rules, Scope::kOtherRanks, Cmd::kRD, Cmd::kRD));   // nBL+nRTRS
    EXPECT_TRUE(has(rules, Scope::kOtherRanks, Cmd::kWR, Cmd::kWR));
    EXPECT_TRUE(has(rules, Scope::kOtherRanks, Cmd::kRD, Cmd::kWR));
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kPREA, Cmd::kACT));   // nRP(ab)
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kACT, Cmd::kPREA));   // nRAS
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kREFab, Cmd::kACT));  // nRFC
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kPRE, Cmd::kREFab));  // nRP
    EXPECT_TRUE(has(rules, Scope::kRank, Cmd::kPREA, Cmd::kREFab));
    const bool pb = s.per_bank_refresh != hw::PerBankRefresh::kNone;
    EXPECT_EQ(has(rules, Scope::kBank, Cmd::kREFpb, Cmd::kACT), pb);               // nRFCpb
    EXPECT_EQ(has(rules, Scope::kRank, Cmd::kREFpb, Cmd::kACT), pb);               // nRREFD
    EXPECT_EQ(has(rules, Scope::kRank, Cmd::kREFpb, Cmd::kREFpb), pb);             // nPBR2PBR
    EXPECT_EQ(has(rules, Scope::kRank, Cmd::kPRE, Cmd::kPRE), s.timing.nPPD > 0);  // nPPD
    for (const TimingRule& r : rules) {
      EXPECT_GE(r.latency, 1) << r.name;
      EXPECT_FALSE(r.name.empty());
    }
  }
  // GDDR6 and HBM have tRCDRD != tRCDWR; the rules carry both.
  const auto g = build_timing_rules(spec_of("GDDR6"));
  int rd = 0, wr = 0;
  for (const TimingRule& r : g)
    if (r.prev == Cmd::kACT && r.next == Cmd::kRD)
      rd = r.latency;
    else if (r.prev == Cmd::kACT && r.next == Cmd::kWR)
      wr = r.latency;
  EXPECT_EQ(rd, 36);
  EXPECT_EQ(wr, 19);
}

// Same-bank-group RD -> RD waits nCCD_L even though the rank-wide nCCD_S also applies.
TEST(TimingState, OverlappingRulesTakeTheMaximum) {
  const hw::DramSpec s = spec_of("DDR4-3200");
  ASSERT_GT(s.timing.nCCD_L, s.timing.nCCD_S);
  TimingState ts(s);
  ts.issue(Cmd::kRD, {0, 0, 0}, 1000);
  EXPECT_EQ(ts.earliest(Cmd::kRD, {0, 0, 1}), 1000 + s.timing.nCCD_L);  // same group
  EXPECT_EQ(ts.earliest(Cmd::kRD, {0, 1, 0}), 1000 + s.timing.nCCD_S);  // other group
  EXPECT_EQ(ts.earliest(Cmd::kRD, {1, 0, 0}), 1000 + s.timing.nBL + s.timing.nRTRS);
  ts.issue(Cmd::kACT, {0, 2, 3}, 2000);
  EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 2, 3}), 2000 + s.timing.nRC);
  EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 2, 0}), 2000 + s.timing.nRRD_L);
  EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 3, 0}), 2000 + s.timing.nRRD_S);
  EXPECT_EQ(ts.earliest(Cmd::kACT, {1, 2, 3}), 0);  // another rank: unconstrained
  // PREA waits for the bank with the latest tRAS of its rank only.
  EXPECT_EQ(ts.earliest(Cmd::kPREA, {0, 0, 0}), 2000 + s.timing.nRAS);
  EXPECT_EQ(ts.earliest(Cmd::kPREA, {1, 0, 0}), 0);
}

// Four ACTs at their tRRD spacing; the fifth waits for the first + tFAW.
TEST(TimingState, FifthActivateWaitsForTheFourActivateWindow) {
  for (const std::string& p : all_presets()) {
    SCOPED_TRACE(p);
    const hw::DramSpec s = spec_of(p);
    TimingState ts(s);
    const int G = s.org.bank_groups;
    Cycle t = 500, first = -1, last = -1;
    for (int k = 0; k < 4; ++k) {
      BankAddr a{0, k % G, k / G};
      t = std::max(t, ts.earliest(Cmd::kACT, a));
      if (first < 0) first = t;
      ts.issue(Cmd::kACT, a, t);
      last = t;
    }
    BankAddr fifth{0, 0, 2};
    // Where tFAW = 4 x tRRD (LPDDR5, HBM2) the window and tRRD bind at the same cycle.
    ASSERT_GE(first + s.timing.nFAW, last + s.timing.nRRD_S) << "the window would not bind";
    EXPECT_EQ(ts.earliest(Cmd::kACT, fifth), first + s.timing.nFAW);
    // A sixth after the fifth: the window slides to the second ACT.
    ts.issue(Cmd::kACT, fifth, first + s.timing.nFAW);
    EXPECT_GE(ts.earliest(Cmd::kACT, {0, 1 % G, 3}), first + s.timing.nRRD_S);
  }
}

// DDR5 REFsb addresses bank index b in every bank group.
TEST(TimingState, Ddr5SameBankRefreshSpansEveryBankGroup) {
  const hw::DramSpec s = spec_of("DDR5-4800");
  ASSERT_EQ(s.per_bank_refresh, hw::PerBankRefresh::kSameBankInAllGroups);
  TimingState ts(s);
  ts.issue(Cmd::kACT, {0, 5, 2}, 1000);
  EXPECT_EQ(ts.earliest(Cmd::kREFpb, {0, 0, 2}), 1000 + s.timing.nRC);     // covers (5, 2)
  EXPECT_EQ(ts.earliest(Cmd::kREFpb, {0, 0, 1}), 1000 + s.timing.nRRD_L);  // other bank index
  ts.issue(Cmd::kREFpb, {0, 3, 1}, 5000);
  for (int g = 0; g < s.org.bank_groups; ++g) {
    EXPECT_EQ(ts.earliest(Cmd::kACT, {0, g, 1}), 5000 + s.timing.nRFCpb) << g;
    EXPECT_EQ(ts.earliest(Cmd::kACT, {0, g, 0}), 5000 + s.timing.nRREFD) << g;
  }
}

// Random command streams: the engine equals the brute-force reference at every step.
TEST(TimingState, MatchesTheBruteForceReferenceOnRandomStreams) {
  for (const std::string& p : all_presets()) {
    SCOPED_TRACE(p);
    const hw::DramSpec s = spec_of(p);
    const std::vector<TimingRule> rules = build_timing_rules(s);
    TimingState ts(s);
    std::vector<Issued> hist;
    std::mt19937_64 rng(12345);
    const bool pb = s.per_bank_refresh != hw::PerBankRefresh::kNone;
    Cycle now = 0;
    for (int step = 0; step < 1200; ++step) {
      Cmd c;
      do {
        c = static_cast<Cmd>(rng() % kNumCmds);
      } while (c == Cmd::kREFpb && !pb);
      BankAddr a{static_cast<int>(rng() % s.org.ranks), static_cast<int>(rng() % s.org.bank_groups),
                 static_cast<int>(rng() % s.org.banks_per_group),
                 static_cast<int>(rng() % s.org.stack_ids)};
      const Cycle e = ts.earliest(c, a);
      ASSERT_EQ(e, reference_earliest(s, rules, hist, c, a)) << "step " << step;
      // Mostly issue at the earliest cycle (tight), sometimes later.
      now = std::max(now, e) + (rng() % 4 == 0 ? static_cast<Cycle>(rng() % 50) : 0);
      ts.issue(c, a, now);
      hist.push_back({c, a, now});
      // Queries for every command at a few addresses between issues.
      for (int q = 0; q < 3; ++q) {
        const Cmd qc = static_cast<Cmd>(rng() % kNumCmds);
        if (qc == Cmd::kREFpb && !pb) continue;
        BankAddr qa{static_cast<int>(rng() % s.org.ranks),
                    static_cast<int>(rng() % s.org.bank_groups),
                    static_cast<int>(rng() % s.org.banks_per_group),
                    static_cast<int>(rng() % s.org.stack_ids)};
        ASSERT_EQ(ts.earliest(qc, qa), reference_earliest(s, rules, hist, qc, qa))
            << "step " << step << " query " << cmd_name(qc);
      }
      // The controller's flat-bank fast path answers the same for every bank command and bank.
      const int fb = flat_bank(s.org, a);
      ASSERT_EQ(bank_at(s.org, fb), a);
      for (Cmd bc : {Cmd::kACT, Cmd::kPRE, Cmd::kRD, Cmd::kWR, Cmd::kRDA, Cmd::kWRA})
        ASSERT_EQ(ts.earliest_bank(bc, fb), ts.earliest(bc, a))
            << "step " << step << " " << cmd_name(bc);
    }
  }
}

// HBM3 stack IDs (JESD238): column spacing per SID, tCCDR between reads of different SIDs, only
// the burst between writes to different SIDs; activates and turnarounds shared by the SIDs.
TEST(TimingState, Hbm3StackIdsHaveTheirOwnColumnRules) {
  for (const char* preset : {"HBM3", "HBM3E"}) {
    SCOPED_TRACE(preset);
    const hw::DramSpec s = hw::dram_preset_spec(preset);
    ASSERT_EQ(s.org.stack_ids, 2);
    const hw::DramTiming& t = s.timing;
    ASSERT_GT(t.nCCDR, t.nBL);
    const BankAddr sid0{0, 0, 0, 0}, sid0_bg1{0, 1, 0, 0}, sid1{0, 1, 0, 1};
    {
      TimingState ts(s);
      ts.issue(Cmd::kRD, sid0, 1000);
      EXPECT_EQ(ts.earliest(Cmd::kRD, sid1), 1000 + t.nCCDR);
      EXPECT_EQ(ts.earliest(Cmd::kRD, sid0_bg1), 1000 + t.nCCD_S);
      EXPECT_EQ(ts.earliest(Cmd::kRD, {0, 0, 0, 1}), 1000 + t.nCCDR);  // same numbers, SID 1
      EXPECT_EQ(ts.earliest(Cmd::kWR, sid1), 1000 + t.nCL + t.nBL + 2 - t.nCWL);  // shared
    }
    {
      TimingState ts(s);
      ts.issue(Cmd::kWR, sid0, 1000);
      EXPECT_EQ(ts.earliest(Cmd::kWR, sid1), 1000 + t.nBL);
      EXPECT_EQ(ts.earliest(Cmd::kWR, {0, 0, 1, 0}), 1000 + t.nCCD_L);  // same group, same SID
      EXPECT_EQ(ts.earliest(Cmd::kWR, {0, 0, 1, 1}), 1000 + t.nBL);     // same numbers, SID 1
      EXPECT_EQ(ts.earliest(Cmd::kRD, sid1), 1000 + t.nCWL + t.nBL + t.nWTR_S);
    }
    {
      TimingState ts(s);
      ts.issue(Cmd::kACT, sid0, 1000);
      EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 0, 1, 0}), 1000 + t.nRRD_L);
      EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 0, 1, 1}), 1000 + t.nRRD_S);  // group of another SID
      EXPECT_EQ(ts.earliest(Cmd::kACT, {0, 0, 0, 1}), 1000 + t.nRRD_S);  // same numbers
      EXPECT_EQ(ts.earliest(Cmd::kPREA, sid0), 1000 + t.nRAS);           // PREA covers SIDs
      EXPECT_EQ(ts.earliest(Cmd::kREFab, sid0), 1000 + t.nRC);
    }
  }
}

}  // namespace
}  // namespace accsim::dram
