// Tight tests of the independent protocol checker on a small hand-made spec whose timings are all
// different, so each expected cycle can be recomputed by hand: for every rule the command one
// cycle early is flagged with that rule's JEDEC name, and at the limit it is clean.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"
#include "models/dram/impl/protocol_checker.h"
#include "sim/core/error.h"

namespace accsim::dram {
namespace {

hw::DramSpec small_spec() {
  hw::DramSpec s;
  s.name = "checker-test";
  s.standard = hw::DramStandard::kDDR4;
  s.per_bank_refresh = hw::PerBankRefresh::kNone;
  s.org.ranks = 2;
  s.org.bank_groups = 2;
  s.org.banks_per_group = 2;
  s.org.rows = 1024;
  s.org.columns = 1024;
  s.org.burst_length = 8;  // 128 bursts per row
  auto& t = s.timing;
  t.nBL = 4;
  t.nCL = 10;
  t.nCWL = 8;
  t.nRCDRD = 5;
  t.nRCDWR = 6;
  t.nRP = 4;
  t.nRPab = 4;
  t.nRAS = 12;
  t.nRC = 17;  // > nRAS + nRP, so nRC and nRP bind separately
  t.nWR = 7;
  t.nRTP = 3;
  t.nRRD_S = 2;
  t.nRRD_L = 3;
  t.nCCD_S = 5;  // > nBL, so nCCD binds before the data bus
  t.nCCD_L = 7;
  t.nCCD_L_WR = 7;
  t.nWTR_S = 2;
  t.nWTR_L = 5;
  t.nFAW = 20;
  t.nRTRS = 2;
  t.nRFC = 40;
  t.nRFCpb = 20;
  t.nREFI = 100000;  // far away: refresh obligations are tested on their own
  t.nREFIpb = 0;
  t.nRREFD = 5;
  t.nPBR2PBR = 5;
  t.nPPD = 2;
  return s;
}

hw::DramSpec per_bank_spec(hw::PerBankRefresh kind) {
  hw::DramSpec s = small_spec();
  s.standard = kind == hw::PerBankRefresh::kSameBankInAllGroups ? hw::DramStandard::kDDR5
                                                                : hw::DramStandard::kHBM3;
  s.per_bank_refresh = kind;
  return s;
}

DramAddr at(int rank, int bg, int bank, std::int64_t row = 0, int col = 0) {
  DramAddr a;
  a.bank = BankAddr{rank, bg, bank};
  a.row = row;
  a.column = col;
  return a;
}

struct Step {
  Cmd cmd;
  DramAddr addr;
  Cycle cycle;
  std::int64_t wanted_row = -1;
};

ProtocolChecker run(const hw::DramSpec& spec, const std::vector<Step>& steps) {
  ProtocolChecker c(spec, ProtocolChecker::Mode::kCount);
  for (const Step& s : steps) c.on_command(s.cmd, s.addr, s.cycle, s.wanted_row);
  return c;
}

std::string dump(const ProtocolChecker& c) {
  std::string s;
  for (const auto& v : c.list()) s += "  " + v.constraint + ": " + v.message + "\n";
  return s;
}

// `prefix` is legal; `probe` at cycle `limit` is legal, at `limit - 1` it violates exactly `name`.
void expect_tight(const hw::DramSpec& spec, const std::vector<Step>& prefix, Step probe,
                  Cycle limit, const std::string& name) {
  {
    ProtocolChecker c = run(spec, prefix);
    ASSERT_EQ(c.violations(), 0u) << "prefix is not legal:\n" << dump(c);
  }
  {
    auto steps = prefix;
    probe.cycle = limit - 1;
    steps.push_back(probe);
    ProtocolChecker c = run(spec, steps);
    ASSERT_EQ(c.violations(), 1u) << name << " at t-1:\n" << dump(c);
    EXPECT_EQ(c.list()[0].constraint, name) << dump(c);
    EXPECT_EQ(c.list()[0].cycle, limit - 1);
    EXPECT_EQ(c.list()[0].required, limit) << dump(c);
    EXPECT_EQ(c.list()[0].cmd, probe.cmd);
    EXPECT_EQ(c.count(name), 1u);
    EXPECT_NE(c.list()[0].message.find(name), std::string::npos) << c.list()[0].message;
  }
  {
    auto steps = prefix;
    probe.cycle = limit;
    steps.push_back(probe);
    ProtocolChecker c = run(spec, steps);
    EXPECT_EQ(c.violations(), 0u) << name << " at t:\n" << dump(c);
  }
}

const auto ACT = Cmd::kACT;
const auto PRE = Cmd::kPRE;
const auto PREA = Cmd::kPREA;
const auto RD = Cmd::kRD;
const auto WR = Cmd::kWR;
const auto RDA = Cmd::kRDA;
const auto WRA = Cmd::kWRA;
const auto REFab = Cmd::kREFab;
const auto REFpb = Cmd::kREFpb;

// ---- bank-level rules ----

TEST(CheckerTight, nRCDRD) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0, 5), 0}}, {RD, at(0, 0, 0, 5), 0}, 5, "nRCDRD");
}

TEST(CheckerTight, nRCDWR) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0, 5), 0}}, {WR, at(0, 0, 0, 5), 0}, 6, "nRCDWR");
}

TEST(CheckerTight, nRAS) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}}, {PRE, at(0, 0, 0), 0}, 12, "nRAS");
}

TEST(CheckerTight, nRASOnPrechargeAll) {
  expect_tight(small_spec(), {{ACT, at(0, 1, 1), 0}}, {PREA, at(0, 0, 0), 0}, 12, "nRAS");
}

TEST(CheckerTight, nRP) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {PRE, at(0, 0, 0), 20}}, {ACT, at(0, 0, 0), 0},
               24, "nRP");
}

TEST(CheckerTight, nRPAfterPrechargeAll) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {PREA, at(0, 0, 0), 20}},
               {ACT, at(0, 0, 0), 0}, 24, "nRP");
}

TEST(CheckerTight, nRC) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {PRE, at(0, 0, 0), 12}}, {ACT, at(0, 0, 0), 0},
               17, "nRC");
}

TEST(CheckerTight, nRTP) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {RD, at(0, 0, 0), 10}}, {PRE, at(0, 0, 0), 0},
               13, "nRTP");
}

TEST(CheckerTight, WriteRecovery) {
  // nCWL + nBL + nWR = 8 + 4 + 7 after the WR.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {PRE, at(0, 0, 0), 0},
               25, "nWR");
}

TEST(CheckerTight, WriteRecoveryOnPrechargeAll) {
  expect_tight(small_spec(), {{ACT, at(0, 1, 0), 0}, {WR, at(0, 1, 0), 6}}, {PREA, at(0, 0, 0), 0},
               25, "nWR");
}

// ---- auto-precharge ----

TEST(CheckerTight, ReadAutoPrechargeThenActivate) {
  // RDA at 20: internal precharge at 20 + nRTP = 23, ACT at 23 + nRP = 27.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {RDA, at(0, 0, 0), 20}}, {ACT, at(0, 0, 0), 0},
               27, "nRP");
}

TEST(CheckerTight, ReadAutoPrechargeWaitsForRas) {
  // tRAS lockout: RDA at 5 precharges at max(5 + nRTP, 0 + nRAS) = 12; ACT at 16. nRC is
  // lowered below nRAS + nRP so that only the auto-precharge binds.
  auto s = small_spec();
  s.timing.nRC = 10;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {RDA, at(0, 0, 0), 5}}, {ACT, at(0, 0, 0), 0}, 16, "nRP");
}

TEST(CheckerTight, WriteAutoPrechargeThenActivate) {
  // WRA at 6: internal precharge at 6 + 8 + 4 + 7 = 25, ACT at 29.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {WRA, at(0, 0, 0), 6}}, {ACT, at(0, 0, 0), 0},
               29, "nRP");
}

TEST(CheckerTight, ReadAutoPrechargeThenRefresh) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {RDA, at(0, 0, 0), 20}},
               {REFab, at(0, 0, 0), 0}, 27, "nRP");
}

TEST(CheckerTight, ReadAutoPrechargeRespectsWriteRecovery) {
  // WR at 6 recovers until 6 + 8 + 4 + 12 = 30, so RDA may not precharge before 30: RDA >= 27.
  // nWTR_L (RD >= 23) does not bind.
  auto s = small_spec();
  s.timing.nWR = 12;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {RDA, at(0, 0, 0), 0}, 27, "nWR");
}

// ---- rank-level row rules ----

TEST(CheckerTight, nRRD_S) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}}, {ACT, at(0, 1, 0), 0}, 2, "nRRD_S");
}

TEST(CheckerTight, nRRD_L) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}}, {ACT, at(0, 0, 1), 0}, 3, "nRRD_L");
}

TEST(CheckerTight, nRRDDoesNotCrossRanks) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}});
  EXPECT_EQ(c.violations(), 0u) << dump(c);
}

TEST(CheckerTight, nFAW) {
  expect_tight(small_spec(),
               {{ACT, at(0, 0, 0), 0},
                {ACT, at(0, 1, 0), 2},
                {ACT, at(0, 0, 1), 5},
                {ACT, at(0, 1, 1), 7},
                {PRE, at(0, 0, 0), 12}},
               {ACT, at(0, 0, 0), 0}, 20, "nFAW");
}

TEST(CheckerTight, nPPD) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 1, 0), 2}, {PRE, at(0, 0, 0), 14}},
               {PRE, at(0, 1, 0), 0}, 16, "nPPD");
}

// ---- column rules ----

TEST(CheckerTight, nCCD_L) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 0, 1), 3}, {RD, at(0, 0, 0), 5}},
               {RD, at(0, 0, 1), 0}, 12, "nCCD_L");
}

TEST(CheckerTight, nCCD_S) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 1, 0), 2}, {RD, at(0, 0, 0), 5}},
               {RD, at(0, 1, 0), 0}, 10, "nCCD_S");
}

TEST(CheckerTight, nCCD_SWrites) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 1, 0), 2}, {WR, at(0, 0, 0), 6}},
               {WR, at(0, 1, 0), 0}, 11, "nCCD_S");
}

TEST(CheckerTight, nCCD_LWrites) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {WR, at(0, 0, 0), 0},
               13, "nCCD_L");
}

TEST(CheckerTight, nWTR_L) {
  // End of write data 6 + 8 + 4 = 18, plus nWTR_L 5.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {RD, at(0, 0, 0), 0},
               23, "nWTR_L");
}

TEST(CheckerTight, nWTR_S) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 1, 0), 2}, {WR, at(0, 0, 0), 6}},
               {RD, at(0, 1, 0), 0}, 20, "nWTR_S");
}

TEST(CheckerTight, ReadToWriteTurnaround) {
  // RL + BL/2 - WL + 2 = 10 + 4 - 8 + 2 after the RD at 5.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {RD, at(0, 0, 0), 5}}, {WR, at(0, 0, 0), 0},
               13, "nRTW");
}

TEST(CheckerTight, RankSwitchReadRead) {
  // Read data of rank 0 on [15, 19); rank 1's may start at 19 + nRTRS = 21, i.e. RD at 11.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}, {RD, at(0, 0, 0), 5}},
               {RD, at(1, 0, 0), 0}, 11, "nRTRS");
}

TEST(CheckerTight, RankSwitchReadWrite) {
  // Write data of rank 1 may start at 21: WR at 21 - nCWL = 13.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}, {RD, at(0, 0, 0), 5}},
               {WR, at(1, 0, 0), 0}, 13, "nRTRS");
}

TEST(CheckerTight, RankSwitchWriteRead) {
  // Write data of rank 0 on [14, 18) (WR at 6); rank 1's read data may start at 20: RD at 10.
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}, {WR, at(0, 0, 0), 6}},
               {RD, at(1, 0, 0), 0}, 10, "nRTRS");
}

TEST(CheckerTight, DataBusOverlap) {
  // With nCCD_S below the burst length the column rules no longer keep bursts apart; the data
  // bus rule must.
  auto s = small_spec();
  s.timing.nCCD_S = 2;
  s.timing.nCCD_L = 2;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 1, 0), 2}, {RD, at(0, 0, 0), 5}},
               {RD, at(0, 1, 0), 0}, 9, "data-bus");
}

// ---- stack IDs (HBM3 SID, JESD238) ----

// One rank of two stack IDs; tCCDR above nCCD_S so that it binds on its own.
hw::DramSpec sid_spec() {
  hw::DramSpec s = small_spec();
  s.standard = hw::DramStandard::kHBM3;
  s.org.ranks = 1;
  s.org.stack_ids = 2;
  s.timing.nCCDR = 6;
  return s;
}

DramAddr at_sid(int sid, int bg, int bank) {
  DramAddr a = at(0, bg, bank);
  a.bank.sid = sid;
  return a;
}

TEST(CheckerTight, nCCDRBetweenReadsOfTwoStackIds) {
  // Same bank group and bank numbers in the other SID: neither nCCD_L nor nCCD_S, but tCCDR.
  expect_tight(sid_spec(),
               {{ACT, at_sid(0, 0, 0), 0}, {ACT, at_sid(1, 0, 0), 2}, {RD, at_sid(0, 0, 0), 5}},
               {RD, at_sid(1, 0, 0), 0}, 11, "nCCDR");
}

TEST(CheckerTight, WritesToTwoStackIdsNeedOnlyTheDataBus) {
  // Write data [14, 18) after the WR at 6; the other SID's write data may start at 18: WR at 10
  // (nCCD_S would give 11, nCCD_L 13).
  expect_tight(sid_spec(),
               {{ACT, at_sid(0, 0, 0), 0}, {ACT, at_sid(1, 0, 0), 2}, {WR, at_sid(0, 0, 0), 6}},
               {WR, at_sid(1, 0, 0), 0}, 10, "data-bus");
}

TEST(CheckerTight, nCCD_SWithinAStackId) {
  expect_tight(sid_spec(),
               {{ACT, at_sid(1, 0, 0), 0}, {ACT, at_sid(1, 1, 0), 2}, {WR, at_sid(1, 0, 0), 6}},
               {WR, at_sid(1, 1, 0), 0}, 11, "nCCD_S");
}

TEST(CheckerTight, nRRD_SBetweenStackIds) {
  // Bank group 0 of SID 1 is another bank group than bank group 0 of SID 0: tRRD_S, not _L.
  expect_tight(sid_spec(), {{ACT, at_sid(0, 0, 0), 0}}, {ACT, at_sid(1, 0, 1), 0}, 2, "nRRD_S");
}

TEST(CheckerTight, nWTR_SBetweenStackIds) {
  // End of write data 6 + 8 + 4 = 18, plus nWTR_S 2: write-to-read is per pseudo-channel.
  expect_tight(sid_spec(),
               {{ACT, at_sid(0, 0, 0), 0}, {ACT, at_sid(1, 0, 0), 2}, {WR, at_sid(0, 0, 0), 6}},
               {RD, at_sid(1, 0, 0), 0}, 20, "nWTR_S");
}

TEST(CheckerTight, ReadToWriteTurnaroundBetweenStackIds) {
  expect_tight(sid_spec(),
               {{ACT, at_sid(0, 0, 0), 0}, {ACT, at_sid(1, 0, 0), 2}, {RD, at_sid(0, 0, 0), 5}},
               {WR, at_sid(1, 0, 0), 0}, 13, "nRTW");
}

TEST(CheckerTight, AllBankCommandsCoverEveryStackId) {
  // An open row in SID 1 blocks REFab; PREA waits for its tRAS.
  expect_tight(sid_spec(), {{ACT, at_sid(1, 1, 1), 0}}, {PREA, at_sid(0, 0, 0), 0}, 12, "nRAS");
  ProtocolChecker c = run(sid_spec(), {{ACT, at_sid(1, 1, 1), 0}, {REFab, at_sid(0, 0, 0), 100}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "REF-with-open-bank");
  EXPECT_NE(c.list()[0].message.find("stack ID 1 bank group 1 bank 1"), std::string::npos)
      << c.list()[0].message;
}

TEST(CheckerTight, StackIdOutsideTheOrganisationIsAnAddressError) {
  ProtocolChecker c = run(sid_spec(), {{ACT, at_sid(2, 0, 0), 0}});
  ASSERT_EQ(c.violations(), 1u);
  EXPECT_EQ(c.list()[0].constraint, "address");
  EXPECT_NE(c.list()[0].message.find("stack ID 2 outside 0..1"), std::string::npos)
      << c.list()[0].message;
}

// ---- refresh timing ----

TEST(CheckerTight, nRPBeforeRefresh) {
  expect_tight(small_spec(), {{ACT, at(0, 0, 0), 0}, {PRE, at(0, 0, 0), 12}},
               {REFab, at(0, 0, 0), 0}, 16, "nRP");
}

TEST(CheckerTight, nRFCBeforeActivate) {
  expect_tight(small_spec(), {{REFab, at(0, 0, 0), 0}}, {ACT, at(0, 1, 1), 0}, 40, "nRFC");
}

TEST(CheckerTight, nRFCBeforeRefresh) {
  expect_tight(small_spec(), {{REFab, at(0, 0, 0), 0}}, {REFab, at(0, 0, 0), 0}, 40, "nRFC");
}

TEST(CheckerTight, nRFCBeforeAnyCommand) {
  // JEDEC: only DES may follow REFRESH until tRFC(min), even a PRE to an idle bank.
  expect_tight(small_spec(), {{REFab, at(0, 0, 0), 0}}, {PRE, at(0, 0, 0), 0}, 40, "nRFC");
}

TEST(CheckerTight, nRFCIsPerRank) {
  ProtocolChecker c = run(small_spec(), {{REFab, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}});
  EXPECT_EQ(c.violations(), 0u) << dump(c);
}

TEST(CheckerTight, nRFCpb) {
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{REFpb, at(0, 0, 0), 0}},
               {ACT, at(0, 0, 0), 0}, 20, "nRFCpb");
}

TEST(CheckerTight, nRFCpbBeforeAllBankRefresh) {
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{REFpb, at(0, 1, 0), 0}},
               {REFab, at(0, 0, 0), 0}, 20, "nRFCpb");
}

TEST(CheckerTight, nRREFDBeforeActivate) {
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{REFpb, at(0, 0, 0), 0}},
               {ACT, at(0, 0, 1), 0}, 5, "nRREFD");
}

TEST(CheckerTight, nRREFDBeforeRefresh) {
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{REFpb, at(0, 0, 0), 0}},
               {REFpb, at(0, 1, 1), 0}, 5, "nRREFD");
}

TEST(CheckerTight, nRRDBeforePerBankRefresh) {
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{ACT, at(0, 0, 0), 0}},
               {REFpb, at(0, 0, 1), 0}, 3, "nRRD_L");
  expect_tight(per_bank_spec(hw::PerBankRefresh::kSingleBank), {{ACT, at(0, 0, 0), 0}},
               {REFpb, at(0, 1, 0), 0}, 2, "nRRD_S");
}

TEST(CheckerTight, SameBankRefreshCoversEveryBankGroup) {
  // DDR5 REFsb to bank 1 refreshes bank 1 of both bank groups.
  const auto s = per_bank_spec(hw::PerBankRefresh::kSameBankInAllGroups);
  expect_tight(s, {{REFpb, at(0, 0, 1), 0}}, {ACT, at(0, 1, 1), 0}, 20, "nRFCpb");
  expect_tight(s, {{REFpb, at(0, 0, 1), 0}}, {ACT, at(0, 1, 0), 0}, 5, "nRREFD");
}

// ---- standard-specific variants ----

TEST(CheckerTight, nRPabAfterPrechargeAll) {
  // LPDDR5: PREA needs the longer tRPab; a single-bank PRE keeps tRPpb.
  auto s = small_spec();
  s.standard = hw::DramStandard::kLPDDR5;
  s.timing.nRPab = 6;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {PREA, at(0, 0, 0), 20}}, {ACT, at(0, 0, 0), 0}, 26,
               "nRPab");
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {PREA, at(0, 0, 0), 20}}, {REFab, at(0, 0, 0), 0}, 26,
               "nRPab");
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {PRE, at(0, 0, 0), 20}}, {ACT, at(0, 0, 0), 0}, 24,
               "nRP");
}

TEST(CheckerTight, nCCD_L_WR) {
  auto s = small_spec();
  s.standard = hw::DramStandard::kDDR5;
  s.timing.nCCD_L_WR = 9;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {WR, at(0, 0, 0), 0}, 15,
               "nCCD_L_WR");
  // Reads keep nCCD_L.
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {RD, at(0, 0, 0), 5}}, {RD, at(0, 0, 0), 0}, 12,
               "nCCD_L");
}

TEST(CheckerTight, nPBR2PBR) {
  auto s = per_bank_spec(hw::PerBankRefresh::kSingleBank);
  s.standard = hw::DramStandard::kLPDDR5;
  s.timing.nPBR2PBR = 8;
  expect_tight(s, {{REFpb, at(0, 0, 0), 0}}, {REFpb, at(0, 1, 1), 0}, 8, "nPBR2PBR");
  expect_tight(s, {{REFpb, at(0, 0, 0), 0}}, {ACT, at(0, 1, 1), 0}, 5, "nRREFD");
}

TEST(CheckerTight, LpddrWriteToReadHasOneMoreClock) {
  auto s = small_spec();
  s.standard = hw::DramStandard::kLPDDR5;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {WR, at(0, 0, 0), 6}}, {RD, at(0, 0, 0), 0}, 24,
               "nWTR_L");
}

TEST(CheckerTight, WithoutBankGroupsTheSingleTimingsApply) {
  auto s = small_spec();
  s.org.bank_groups = 1;
  s.org.banks_per_group = 4;
  // _S carries the standard's only tRRD/tCCD/tWTR; _L must not bind.
  s.timing.nRRD_L = 50;
  s.timing.nCCD_L = 50;
  s.timing.nCCD_L_WR = 50;
  s.timing.nWTR_L = 50;
  expect_tight(s, {{ACT, at(0, 0, 0), 0}}, {ACT, at(0, 0, 1), 0}, 2, "nRRD");
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 0, 1), 2}, {RD, at(0, 0, 0), 7}},
               {RD, at(0, 0, 1), 0}, 12, "nCCD");
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 0, 1), 2}, {WR, at(0, 0, 0), 7}},
               {WR, at(0, 0, 1), 0}, 12, "nCCD");
  expect_tight(s, {{ACT, at(0, 0, 0), 0}, {ACT, at(0, 0, 1), 2}, {WR, at(0, 0, 0), 6}},
               {RD, at(0, 0, 1), 0}, 20, "nWTR");
}

TEST(CheckerTight, PrechargeAllChecksEachRuleOnceAgainstTheLatestBank) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0), 0},
                                         {ACT, at(0, 1, 0), 2},
                                         {ACT, at(0, 0, 1), 5},
                                         {PREA, at(0, 0, 0), 10}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "nRAS");
  EXPECT_EQ(c.list()[0].required, 17);
  EXPECT_EQ(c.list()[0].addr.bank, (BankAddr{0, 0, 1}));
}

// ---- state rules ----

TEST(CheckerState, ActivateToOpenBank) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0, 1), 0}, {ACT, at(0, 0, 0, 2), 100}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "ACT-to-open-bank");
  EXPECT_EQ(c.list()[0].required, -1);
}

TEST(CheckerState, ColumnToClosedBank) {
  for (Cmd cmd : {RD, WR, RDA, WRA}) {
    ProtocolChecker c = run(small_spec(), {{cmd, at(0, 1, 1), 0}});
    ASSERT_EQ(c.violations(), 1u) << cmd_name(cmd) << dump(c);
    EXPECT_EQ(c.list()[0].constraint, "column-to-closed-bank");
  }
}

TEST(CheckerState, AutoPrechargeClosesTheBank) {
  ProtocolChecker c =
      run(small_spec(), {{ACT, at(0, 0, 0), 0}, {RDA, at(0, 0, 0), 5}, {RD, at(0, 0, 0), 30}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "column-to-closed-bank");
}

TEST(CheckerState, RowMismatch) {
  ProtocolChecker c =
      run(small_spec(), {{ACT, at(0, 0, 0, 7), 0}, {RD, at(0, 0, 0, 7), 10, /*wanted_row=*/8}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "row-mismatch");
  ProtocolChecker ok =
      run(small_spec(), {{ACT, at(0, 0, 0, 7), 0}, {RD, at(0, 0, 0, 7), 10, /*wanted_row=*/7}});
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
}

TEST(CheckerState, RefreshNeedsAllBanksPrecharged) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 1, 0), 0}, {REFab, at(0, 0, 0), 100}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "REF-with-open-bank");
  // The other rank's open bank does not matter.
  ProtocolChecker ok = run(small_spec(), {{ACT, at(1, 1, 0), 0}, {REFab, at(0, 0, 0), 100}});
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
}

TEST(CheckerState, PerBankRefreshNeedsTargetPrecharged) {
  const auto s = per_bank_spec(hw::PerBankRefresh::kSingleBank);
  ProtocolChecker bad = run(s, {{ACT, at(0, 1, 0), 0}, {REFpb, at(0, 1, 0), 100}});
  ASSERT_EQ(bad.violations(), 1u) << dump(bad);
  EXPECT_EQ(bad.list()[0].constraint, "REF-with-open-bank");
  ProtocolChecker ok = run(s, {{ACT, at(0, 1, 0), 0}, {REFpb, at(0, 1, 1), 100}});
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
}

TEST(CheckerState, SameBankRefreshNeedsThatBankPrechargedInEveryGroup) {
  const auto s = per_bank_spec(hw::PerBankRefresh::kSameBankInAllGroups);
  // Bank 1 of group 1 is open; REFsb addressed as group 0 bank 1 still covers it.
  ProtocolChecker bad = run(s, {{ACT, at(0, 1, 1), 0}, {REFpb, at(0, 0, 1), 100}});
  ASSERT_EQ(bad.violations(), 1u) << dump(bad);
  EXPECT_EQ(bad.list()[0].constraint, "REF-with-open-bank");
  ProtocolChecker ok = run(s, {{ACT, at(0, 1, 1), 0}, {REFpb, at(0, 0, 0), 100}});
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
}

TEST(CheckerState, PerBankRefreshOnAStandardWithoutIt) {
  ProtocolChecker c = run(small_spec(), {{REFpb, at(0, 0, 0), 0}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "REFpb-unsupported");
}

TEST(CheckerState, PrechargeToClosedBankIsLegalButCounted) {
  ProtocolChecker c = run(small_spec(), {{PRE, at(0, 0, 0), 0}, {PREA, at(1, 0, 0), 5}});
  EXPECT_EQ(c.violations(), 0u) << dump(c);
  EXPECT_EQ(c.redundant_precharges(), 2u);
  // A redundant PRE does not restart tRP.
  ProtocolChecker d = run(small_spec(), {{PRE, at(0, 0, 0), 0}, {ACT, at(0, 0, 0), 1}});
  EXPECT_EQ(d.violations(), 0u) << dump(d);
}

TEST(CheckerState, OneCommandPerCycle) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0), 3}, {ACT, at(1, 0, 0), 3}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "cmd-bus");
  EXPECT_EQ(c.list()[0].required, 4);
}

TEST(CheckerState, HbmHasSeparateRowAndColumnBuses) {
  auto s = small_spec();
  s.standard = hw::DramStandard::kHBM3;
  // ACT (row bus) and RD (column bus) in the same cycle are legal; two RDs are not.
  ProtocolChecker ok =
      run(s, {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 10}, {RD, at(0, 0, 0), 10}});
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
  ProtocolChecker bad = run(
      s,
      {{ACT, at(0, 0, 0), 0}, {ACT, at(1, 0, 0), 1}, {RD, at(0, 0, 0), 30}, {RD, at(1, 0, 0), 30}});
  EXPECT_GE(bad.count("cmd-bus"), 1u) << dump(bad);
}

TEST(CheckerState, TimeMustNotGoBackwards) {
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0), 10}, {ACT, at(1, 0, 0), 9}});
  ASSERT_GE(c.violations(), 1u);
  EXPECT_EQ(c.list()[0].constraint, "time-order");
  EXPECT_EQ(c.list()[0].required, 10);
}

TEST(CheckerState, AddressOutOfRange) {
  for (const DramAddr& a :
       {at(2, 0, 0), at(0, 2, 0), at(0, 0, 2), at(0, 0, 0, 1024), at(0, 0, 0, -1)}) {
    ProtocolChecker c = run(small_spec(), {{ACT, a, 0}});
    ASSERT_EQ(c.violations(), 1u) << dump(c);
    EXPECT_EQ(c.list()[0].constraint, "address");
  }
  ProtocolChecker col =
      run(small_spec(), {{ACT, at(0, 0, 0, 1), 0}, {RD, at(0, 0, 0, 1, 128), 10}});
  ASSERT_EQ(col.violations(), 1u) << dump(col);
  EXPECT_EQ(col.list()[0].constraint, "address");
}

TEST(CheckerState, NotACommand) {
  ProtocolChecker c(small_spec(), ProtocolChecker::Mode::kCount);
  c.on_command(static_cast<Cmd>(200), at(0, 0, 0), 0);
  ASSERT_EQ(c.violations(), 1u);
  EXPECT_EQ(c.list()[0].constraint, "command");
  EXPECT_EQ(c.commands(), 0u);
}

TEST(CheckerState, OneChannelPerChecker) {
  DramAddr other = at(0, 0, 1);
  other.channel = 1;
  ProtocolChecker c = run(small_spec(), {{ACT, at(0, 0, 0), 0}, {ACT, other, 10}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].constraint, "channel");
}

// ---- refresh obligations ----

hw::DramSpec refresh_spec() {
  auto s = small_spec();
  s.timing.nREFI = 1000;
  return s;
}

TEST(CheckerRefresh, EightPostponedRefreshesAreLegalNine) {
  // Limit 8 (JEDEC DDR4): refresh 1 must come by 9 x nREFI = 9000.
  ProtocolChecker ok(refresh_spec(), ProtocolChecker::Mode::kCount);
  ok.finish(9000);
  EXPECT_EQ(ok.violations(), 0u) << dump(ok);
  EXPECT_EQ(ok.postponed_refreshes(0, 8999), 8);

  ProtocolChecker late(refresh_spec(), ProtocolChecker::Mode::kCount);
  late.finish(9001);
  ASSERT_EQ(late.violations(), 2u) << dump(late);  // both ranks
  for (const auto& v : late.list()) {
    EXPECT_EQ(v.constraint, "nREFI");
    EXPECT_EQ(v.cmd, REFab);
    EXPECT_EQ(v.required, 9000);
    EXPECT_EQ(v.cycle, 9001);
  }
  EXPECT_EQ(late.list()[0].addr.bank.rank, 0);
  EXPECT_EQ(late.list()[1].addr.bank.rank, 1);
}

TEST(CheckerRefresh, RefreshAtTheDeadlineIsLegal) {
  ProtocolChecker c = run(refresh_spec(), {{REFab, at(0, 0, 0), 9000}, {REFab, at(1, 0, 0), 9001}});
  ASSERT_EQ(c.violations(), 1u) << dump(c);
  EXPECT_EQ(c.list()[0].addr.bank.rank, 1);
  EXPECT_EQ(c.list()[0].required, 9000);
}

TEST(CheckerRefresh, RegularRefreshIsClean) {
  std::vector<Step> steps;
  for (Cycle t = 1000; t <= 50000; t += 1000) {
    steps.push_back({REFab, at(0, 0, 0), t});
    steps.push_back({REFab, at(1, 0, 0), t + 1});
  }
  ProtocolChecker c = run(refresh_spec(), steps);
  c.finish(50500);
  EXPECT_EQ(c.violations(), 0u) << dump(c);
  EXPECT_EQ(c.postponed_refreshes(0, 50500), 0);
}

TEST(CheckerRefresh, EachMissedRefreshIsOneViolation) {
  // Nothing for 20000 cycles: refreshes 1..11 of each rank passed their deadlines (k + 8) x 1000
  // before cycle 20000.
  ProtocolChecker c(refresh_spec(), ProtocolChecker::Mode::kCount);
  c.finish(20000);
  EXPECT_EQ(c.count("nREFI"), 2u * 11u) << dump(c);
}

TEST(CheckerRefresh, PerBankRefreshCountsPerBank) {
  // Per-bank refresh of bank (0,0) only: the other three banks of rank 0 and all of rank 1 fall
  // behind.
  auto s = per_bank_spec(hw::PerBankRefresh::kSingleBank);
  s.timing.nREFI = 1000;
  std::vector<Step> steps;
  for (Cycle t = 1000; t <= 9000; t += 1000) steps.push_back({REFpb, at(0, 0, 0), t});
  ProtocolChecker c = run(s, steps);
  c.finish(9001);
  ASSERT_EQ(c.violations(), 2u) << dump(c);
  EXPECT_EQ(c.list()[0].cmd, REFpb);  // rank 0: some banks missing
  EXPECT_EQ(c.list()[0].addr.bank, (BankAddr{0, 0, 1}));
  EXPECT_EQ(c.list()[1].cmd, REFab);  // rank 1: every bank missing
}

TEST(CheckerRefresh, CanBeSwitchedOff) {
  ProtocolChecker::Options o;
  o.check_refresh = false;
  ProtocolChecker c(refresh_spec(), ProtocolChecker::Mode::kCount, o);
  c.finish(1000000);
  EXPECT_EQ(c.violations(), 0u);
}

TEST(CheckerRefresh, LimitIsConfigurable) {
  ProtocolChecker::Options o;
  o.max_postponed = 0;
  ProtocolChecker c(refresh_spec(), ProtocolChecker::Mode::kCount, o);
  c.finish(1001);
  EXPECT_EQ(c.count("nREFI"), 2u);
}

// ---- modes ----

TEST(CheckerMode, ThrowStopsAtTheFirstViolation) {
  ProtocolChecker c(small_spec(), ProtocolChecker::Mode::kThrow);
  c.on_command(ACT, at(0, 0, 0, 3), 0);
  try {
    c.on_command(RD, at(0, 0, 0, 3), 4);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kSimulation);
    const std::string m = e.what();
    EXPECT_NE(m.find("nRCDRD"), std::string::npos) << m;
    EXPECT_NE(m.find("ACT to this bank at cycle 0 + 5 = cycle 5"), std::string::npos) << m;
    EXPECT_NE(m.find("cycle 4"), std::string::npos) << m;
    EXPECT_NE(m.find("checker-test"), std::string::npos) << m;
  }
  EXPECT_EQ(c.violations(), 1u);
}

TEST(CheckerMode, CountKeepsGoingAndCountsPerConstraint) {
  ProtocolChecker::Options o;
  o.max_listed = 2;
  ProtocolChecker c(small_spec(), ProtocolChecker::Mode::kCount, o);
  c.on_command(ACT, at(0, 0, 0), 0);
  c.on_command(RD, at(0, 0, 0), 1);   // nRCDRD
  c.on_command(RD, at(0, 0, 0), 2);   // nRCDRD, nCCD_L, data-bus (bursts [11,15) and [12,16))
  c.on_command(PRE, at(0, 0, 0), 3);  // nRAS, nRTP
  EXPECT_EQ(c.violations(), 6u) << dump(c);
  EXPECT_EQ(c.list().size(), 2u);
  EXPECT_EQ(c.count("nRCDRD"), 2u);
  EXPECT_EQ(c.count("nCCD_L"), 1u);
  EXPECT_EQ(c.count("data-bus"), 1u);
  EXPECT_EQ(c.count("nRAS"), 1u);
  EXPECT_EQ(c.count("nRTP"), 1u);
  EXPECT_EQ(c.commands(), 4u);
  EXPECT_EQ(c.commands(RD), 2u);
}

// ---- a legal mixed stream, and every tight command in it planted one cycle early ----

struct Annotated {
  Step step;
  const char* binding;  // the rule that puts this command exactly where it is, or nullptr
};

std::vector<Annotated> mixed_stream() {
  return {
      {{ACT, at(0, 0, 0, 10), 0}, nullptr},
      {{ACT, at(0, 1, 0, 20), 2}, "nRRD_S"},
      {{ACT, at(1, 0, 0, 40), 3}, nullptr},
      {{RD, at(0, 0, 0, 10, 1), 5, 10}, "nRCDRD"},   // data [15, 19)
      {{RD, at(0, 1, 0, 20, 2), 10, 20}, "nCCD_S"},  // data [20, 24)
      {{RD, at(1, 0, 0, 40, 3), 16, 40}, "nRTRS"},   // data [26, 30)
      {{WR, at(0, 0, 0, 10, 4), 24, 10}, "nRTRS"},   // data [32, 36)
      {{WR, at(0, 1, 0, 20, 5), 29, 20}, "nCCD_S"},  // data [37, 41)
      {{RD, at(0, 0, 0, 10, 6), 43, 10}, "nWTR_S"},  // 29 + 8 + 4 + 2
      {{PRE, at(0, 1, 0), 48}, "nWR"},               // 29 + 8 + 4 + 7
      {{PRE, at(0, 0, 0), 50}, "nPPD"},
      {{ACT, at(0, 1, 0, 21), 52}, "nRP"},
      {{ACT, at(0, 1, 1, 50), 55}, "nRRD_L"},
      {{ACT, at(0, 0, 0, 11), 57}, "nRRD_S"},
      {{RDA, at(0, 1, 1, 50, 7), 60, 50}, "nRCDRD"},  // auto-precharge at max(63, 67) = 67
      {{ACT, at(0, 1, 1, 51), 72}, "nRC"},
      {{WRA, at(0, 1, 1, 51, 8), 78, 51}, "nRCDWR"},  // auto-precharge at 78 + 19 = 97
      {{PRE, at(1, 0, 0), 80}, nullptr},
      {{REFab, at(1, 0, 0), 84}, "nRP"},
      {{ACT, at(0, 1, 1, 52), 101}, "nRP"},  // after the WRA's auto-precharge
      {{PREA, at(0, 0, 0), 113}, "nRAS"},
      {{REFab, at(0, 0, 0), 117}, "nRP"},
      {{ACT, at(1, 0, 0, 41), 124}, "nRFC"},
      {{ACT, at(0, 0, 0, 12), 157}, "nRFC"},
  };
}

TEST(CheckerStream, LegalMixedStreamPasses) {
  std::vector<Step> steps;
  for (const auto& a : mixed_stream()) steps.push_back(a.step);
  ProtocolChecker c = run(small_spec(), steps);
  c.finish(200);
  EXPECT_EQ(c.violations(), 0u) << dump(c);
  EXPECT_EQ(c.commands(), steps.size());
}

TEST(CheckerStream, EveryTightCommandPlantedOneCycleEarlyIsCaught) {
  const auto stream = mixed_stream();
  int planted = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    if (!stream[i].binding) continue;
    std::vector<Step> steps;
    steps.reserve(stream.size());
    for (const auto& a : stream) steps.push_back(a.step);
    steps[i].cycle -= 1;
    ProtocolChecker c = run(small_spec(), steps);
    ++planted;
    ASSERT_EQ(c.violations(), 1u) << "command " << i << " (" << cmd_name(steps[i].cmd)
                                  << ") moved to cycle " << steps[i].cycle << ":\n"
                                  << dump(c);
    EXPECT_EQ(c.list()[0].constraint, stream[i].binding) << "command " << i << "\n" << dump(c);
    EXPECT_EQ(c.list()[0].cycle, steps[i].cycle);
    EXPECT_EQ(c.list()[0].required, stream[i].step.cycle);
  }
  EXPECT_GE(planted, 18);
}

}  // namespace
}  // namespace accsim::dram
