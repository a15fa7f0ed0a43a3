// A row activated for a request is served before anything closes it: neither a read/write mode
// switch between the ACT and its column command nor a forced refresh wastes the activate. Hand-
// built cases for each cause, then random mixed traffic with the protocol checker on.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dram/ctrl_harness.h"

namespace accsim::dram {
namespace {

using ctrltest::at;
using ctrltest::cmds;
using ctrltest::Item;
using ctrltest::run_controller;
using ctrltest::test_config;

// A read opens row 5 of bank 0; one cycle later writes to row 9 of the same bank fill the write
// queue to its high watermark, so the controller turns to writes before the read's RD is legal.
// The read is served in the row opened for it, then the bank turns to the writes' row.
TEST(CtrlUnusedActs, ModeSwitchAfterActServesTheReadFirst) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.write_queue = 4;  // high watermark ceil(0.8 * 4) = 4 writes
  std::vector<Item> items{Item{0, at(spec, 0, 0, 5, 0), false}};
  for (int i = 0; i < 4; ++i) items.push_back(Item{1, at(spec, 0, 0, 9, i), true});
  StatsGroup st("c");
  auto r = run_controller(spec, cfg, items, false, &st);
  auto seq = cmds(r.log);
  ASSERT_GE(seq.size(), 5u);
  seq.resize(5);
  EXPECT_EQ(seq, (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kPRE, Cmd::kACT, Cmd::kWR}));
  EXPECT_EQ(r.log[0].addr.row, 5);
  EXPECT_EQ(r.log[1].cycle, r.log[0].cycle + t.nRCDRD);  // not delayed by the write mode
  EXPECT_EQ(r.log[3].addr.row, 9);
  EXPECT_EQ(st.value("unused_acts_request"), 0);
  EXPECT_EQ(st.value("unused_acts_refresh"), 0);
  EXPECT_EQ(st.value("write_drains"), 1);  // the mode did switch while the read waited
}

// A read opens a row two cycles before a refresh falls due (no postponement allowed): the
// refresh waits for its RD, then precharges all banks.
TEST(CtrlUnusedActs, ForcedRefreshWaitsForTheRowsRequest) {
  auto spec = hw::dram_preset_spec("DDR4-3200");
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.refresh_postpone = 0;
  StatsGroup st("c");
  auto r = run_controller(spec, cfg, {Item{t.nREFI - 2, at(spec, 0, 0, 1, 0), false}}, false, &st);
  ASSERT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRD}));
  EXPECT_EQ(r.log[0].cycle, t.nREFI - 2);
  EXPECT_EQ(r.log[1].cycle, t.nREFI - 2 + t.nRCDRD);
  EXPECT_EQ(st.value("unused_acts_refresh"), 0);
}

// Per-bank refresh (HBM3 REFpb): the refresh set's open row was opened for a request; its PRE
// waits for that request's column command.
TEST(CtrlUnusedActs, PerBankRefreshWaitsForTheRowsRequest) {
  auto spec = hw::dram_preset_spec("HBM3");
  auto cfg = test_config();
  cfg.per_bank_refresh = true;
  cfg.refresh_postpone = 0;
  StatsGroup st("c");
  // Requests to every bank around the first per-bank deadlines, so some refresh set always has
  // a freshly opened row when its refresh is forced.
  auto m = make_address_mapper("", spec);
  std::vector<Item> items;
  const auto& o = spec.org;
  for (int i = 0; i < 4000; ++i) {
    DramAddr a;
    a.bank = BankAddr{0, i % o.bank_groups, (i / o.bank_groups) % o.banks_per_group};
    a.row = (i / 7) % 64;
    a.column = i % o.bursts_per_row();
    items.push_back(Item{static_cast<Cycle>(i) / 2, m->encode(a), i % 5 == 0});
  }
  auto r = run_controller(spec, cfg, items, false, &st);
  EXPECT_GT(st.value("refreshes"), 0);
  EXPECT_EQ(st.value("unused_acts_refresh"), 0);
  EXPECT_EQ(st.value("unused_acts_request"), 0);
}

// Uniform random 80/20 traffic over a large span, back to back (the case at 1/50 of its
// length), FR-FCFS, open page, 32-entry queues, refresh on, checker on (kThrow): every ACT serves
// at least one column command.
void random_case(const std::string& preset, bool per_bank) {
  auto spec = hw::dram_preset_spec(preset);
  auto cfg = test_config();
  cfg.per_bank_refresh = per_bank;
  auto m = make_address_mapper("", spec);
  std::mt19937_64 rng(7);
  std::vector<Item> items;
  const std::uint64_t span = 1ull << 30;
  for (int i = 0; i < 20000; ++i)
    items.push_back(Item{0, (rng() % span) & ~std::uint64_t{63}, rng() % 100 >= 80});
  StatsGroup st("c");
  auto r = run_controller(spec, cfg, items, false, &st);
  ASSERT_EQ(r.done.size(), items.size());
  EXPECT_GT(st.value("refreshes"), 0);
  EXPECT_GT(st.value("write_drains"), 10);
  EXPECT_GT(st.value("cmd_ACT"), 10000);
  EXPECT_EQ(st.value("unused_acts_request"), 0) << preset;
  EXPECT_EQ(st.value("unused_acts_refresh"), 0) << preset;
}

TEST(CtrlUnusedActs, RandomTrafficWastesNoActOnDdr4) {
  random_case("DDR4-3200", false);
}
TEST(CtrlUnusedActs, RandomTrafficWastesNoActOnDdr5PerBankRefresh) {
  random_case("DDR5-4800", true);
}
TEST(CtrlUnusedActs, RandomTrafficWastesNoActOnHbm3) {
  random_case("HBM3", false);
}

}  // namespace
}  // namespace accsim::dram
