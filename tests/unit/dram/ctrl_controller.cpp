// The controller without SystemC: command sequences of hand-built cases, scheduling order,
// page policies, write drain, back-pressure, refresh and configuration errors.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/dram/ctrl_harness.h"

namespace accsim::dram {
namespace {

using ctrltest::at;
using ctrltest::cmds;
using ctrltest::Item;
using ctrltest::run_controller;
using ctrltest::test_config;

hw::DramSpec ddr4() {
  return hw::dram_preset_spec("DDR4-3200");
}

TEST(CtrlController, ClosedBankReadIsActThenRead) {
  auto spec = ddr4();
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.refresh = false;
  StatsGroup st("c");
  auto r = run_controller(spec, cfg, {Item{10, at(spec, 1, 2, 7, 3), false}}, false, &st);
  ASSERT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRD}));
  EXPECT_EQ(r.log[0].cycle, 10);
  EXPECT_EQ(r.log[1].cycle, 10 + t.nRCDRD);
  EXPECT_EQ(r.log[1].addr.row, 7);
  EXPECT_EQ(r.log[1].addr.column, 3);
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.done[0].done, 10 + t.nRCDRD + t.nCL + t.nBL);
  EXPECT_EQ(st.value("row_misses"), 1);
  EXPECT_EQ(st.value("row_hits"), 0);
  EXPECT_EQ(st.value("read_latency"), t.nRCDRD + t.nCL + t.nBL);
  EXPECT_EQ(st.value("read_bytes"), spec.org.burst_bytes());
}

TEST(CtrlController, RowHitNeedsNoActivate) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  StatsGroup st("c");
  auto r = run_controller(
      spec, cfg, {Item{0, at(spec, 0, 0, 5, 0), false}, Item{0, at(spec, 0, 0, 5, 1), false}},
      false, &st);
  EXPECT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kRD}));
  EXPECT_EQ(r.log[2].cycle - r.log[1].cycle, spec.timing.nCCD_L);  // same bank group
  EXPECT_EQ(st.value("row_hits"), 1);
  EXPECT_EQ(st.value("row_misses"), 1);
}

TEST(CtrlController, RowConflictPrechargesAfterRasAndRtp) {
  auto spec = ddr4();
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.refresh = false;
  StatsGroup st("c");
  auto r = run_controller(
      spec, cfg, {Item{0, at(spec, 0, 0, 5, 0), false}, Item{0, at(spec, 0, 0, 9, 0), false}},
      false, &st);
  ASSERT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kPRE, Cmd::kACT, Cmd::kRD}));
  const Cycle act = r.log[0].cycle, rd = r.log[1].cycle;
  EXPECT_EQ(r.log[2].cycle, std::max<Cycle>(act + t.nRAS, rd + t.nRTP));
  EXPECT_EQ(r.log[3].cycle, r.log[2].cycle + t.nRP);
  EXPECT_EQ(r.log[4].cycle, r.log[3].cycle + t.nRCDRD);
  EXPECT_EQ(r.log[4].addr.row, 9);
  EXPECT_EQ(st.value("row_conflicts"), 1);
  EXPECT_EQ(st.value("row_misses"), 1);
}

// Bank 0 has row 5 open; the queue holds an older request for row 9 and a younger one for
// row 5. FR-FCFS serves the hit first; FCFS the older conflict.
std::vector<Item> reorder_case(const hw::DramSpec& spec) {
  return {Item{0, at(spec, 0, 0, 5, 0), false}, Item{1, at(spec, 0, 0, 9, 0), false},
          Item{2, at(spec, 0, 0, 5, 1), false}};
}

TEST(CtrlController, FrFcfsServesYoungerRowHitFirst) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  auto r = run_controller(spec, cfg, reorder_case(spec), false);
  ASSERT_EQ(cmds(r.log),
            (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kRD, Cmd::kPRE, Cmd::kACT, Cmd::kRD}));
  EXPECT_EQ(r.log[2].addr.row, 5);
  EXPECT_EQ(r.log[5].addr.row, 9);
}

TEST(CtrlController, FcfsServesOlderConflictFirst) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.scheduler = "FCFS";
  auto r = run_controller(spec, cfg, reorder_case(spec), false);
  // The PRE for row 9 is the oldest ready command once the first read is done.
  ASSERT_GE(r.log.size(), 4u);
  EXPECT_EQ(r.log[2].cmd, Cmd::kPRE);
  EXPECT_EQ(r.log[4].addr.row, 9);
}

TEST(CtrlController, RowHitCapLetsAnOlderConflictIn) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.row_hit_cap = 2;
  // Row 5 opened by the first request; an older-than-the-rest conflict waits while hits keep
  // coming: after 2 column commands the conflict's PRE wins.
  std::vector<Item> items{Item{0, at(spec, 0, 0, 5, 0), false},
                          Item{1, at(spec, 0, 0, 9, 0), false}};
  for (int i = 1; i < 8; ++i) items.push_back(Item{2, at(spec, 0, 0, 5, i), false});
  auto r = run_controller(spec, cfg, items, false);
  int col_before_pre = 0;
  for (auto& c : r.log) {
    if (c.cmd == Cmd::kPRE) break;
    if (is_column(c.cmd)) ++col_before_pre;
  }
  EXPECT_EQ(col_before_pre, 2);
  cfg.row_hit_cap = 0;  // no cap: all 8 hits go first
  r = run_controller(spec, cfg, items, false);
  col_before_pre = 0;
  for (auto& c : r.log) {
    if (c.cmd == Cmd::kPRE) break;
    if (is_column(c.cmd)) ++col_before_pre;
  }
  EXPECT_EQ(col_before_pre, 8);
}

TEST(CtrlController, ClosedPageAutoPrechargesUnlessAnotherHitWaits) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.page_policy = PagePolicy::kClosed;
  auto r = run_controller(spec, cfg, {Item{0, at(spec, 0, 0, 5, 0), false}}, false);
  EXPECT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRDA}));
  r = run_controller(spec, cfg,
                     {Item{0, at(spec, 0, 0, 5, 0), false}, Item{0, at(spec, 0, 0, 5, 1), true}},
                     false);
  // The write hits the same row: the read leaves it open, the write closes it.
  EXPECT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kWRA}));
  // A following access to the bank is a miss (the bank was closed), not a conflict.
  StatsGroup st("c");
  r = run_controller(spec, cfg,
                     {Item{0, at(spec, 0, 0, 5, 0), false}, Item{200, at(spec, 0, 0, 6, 0), false}},
                     false, &st);
  EXPECT_EQ(cmds(r.log), (std::vector<Cmd>{Cmd::kACT, Cmd::kRDA, Cmd::kACT, Cmd::kRDA}));
  EXPECT_EQ(st.value("row_misses"), 2);
  EXPECT_EQ(st.value("row_conflicts"), 0);
}

TEST(CtrlController, WritesWaitForTheHighWatermarkThenDrainToTheLowOne) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.write_queue = 10;
  cfg.write_high_watermark = 0.8;  // 8 writes
  cfg.write_low_watermark = 0.2;   // 2 writes
  // A long stream of reads to one open row keeps the read queue busy; writes trickle in.
  std::vector<Item> items;
  for (int i = 0; i < 60; ++i) items.push_back(Item{i * 4, at(spec, i % 4, 0, 1, i / 4), false});
  for (int i = 0; i < 8; ++i) items.push_back(Item{10 + i * 10, at(spec, 0, 1, 3, i), true});
  std::stable_sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.at < b.at; });
  StatsGroup st("c");
  auto r = run_controller(spec, cfg, items, false, &st);
  // No write before the 8th write arrived (cycle 80), then 6 writes in a row (8 -> 2), then reads.
  int first_wr = -1;
  for (int i = 0; i < static_cast<int>(r.log.size()); ++i)
    if (is_write(r.log[i].cmd)) {
      first_wr = i;
      break;
    }
  ASSERT_GE(first_wr, 0);
  EXPECT_GE(r.log[first_wr].cycle, 80);
  int writes_in_a_row = 0;
  for (int i = first_wr; i < static_cast<int>(r.log.size()) && !is_read(r.log[i].cmd); ++i)
    writes_in_a_row += is_write(r.log[i].cmd);
  EXPECT_EQ(writes_in_a_row, 6);
  EXPECT_EQ(st.value("write_drains"), 1);
  EXPECT_EQ(st.value("writes"), 8);
}

TEST(CtrlController, FullQueueRefusesAndCountsOccupancy) {
  auto spec = ddr4();
  auto cfg = test_config();
  cfg.refresh = false;
  cfg.read_queue = 4;
  StatsGroup st("c");
  Controller c(spec, cfg, 0, st, ProtocolChecker::Mode::kThrow);
  auto m = make_address_mapper("", spec);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(c.can_accept(false));
    c.enqueue(
        Burst{static_cast<std::uint64_t>(i), m->decode(static_cast<std::uint64_t>(i) * 64), false},
        0);
  }
  EXPECT_FALSE(c.can_accept(false));
  EXPECT_TRUE(c.can_accept(true));  // the write queue is separate
  EXPECT_EQ(c.queued(false), 4);
  c.finish(10);
  StatsGroup& g = st;
  (void)g;
}

TEST(CtrlController, IdleControllerRefreshesEveryRefi) {
  auto spec = ddr4();
  const auto& t = spec.timing;
  auto cfg = test_config();
  StatsGroup st("c");
  Controller c(spec, cfg, 0, st, ProtocolChecker::Mode::kThrow);
  CommandLog log;
  c.add_observer(&log);
  Cycle now = 0;
  while (true) {
    const Cycle n = c.next_event_cycle();
    if (n > 5 * static_cast<Cycle>(t.nREFI) + 10) break;
    now = n;
    c.tick(now);
  }
  ASSERT_EQ(log.log.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(log.log[k].cmd, Cmd::kREFab);
    EXPECT_EQ(log.log[k].cycle, static_cast<Cycle>(t.nREFI) * (k + 1));
  }
  c.finish(5 * static_cast<Cycle>(t.nREFI) + 10);
  EXPECT_EQ(c.checker()->violations(), 0u);
}

TEST(CtrlController, OpenRowIsClosedWithPreaBeforeRefresh) {
  auto spec = ddr4();
  const auto& t = spec.timing;
  auto cfg = test_config();
  // One read just before the deadline leaves its row open.
  auto r = run_controller(spec, cfg,
                          {Item{t.nREFI - 100, at(spec, 0, 0, 1, 0), false},
                           Item{t.nREFI + 2000, at(spec, 0, 0, 1, 1), false}},
                          false);
  ASSERT_EQ(cmds(r.log),
            (std::vector<Cmd>{Cmd::kACT, Cmd::kRD, Cmd::kPREA, Cmd::kREFab, Cmd::kACT, Cmd::kRD}));
  EXPECT_EQ(r.log[2].cycle, std::max<Cycle>(t.nREFI, r.log[0].cycle + t.nRAS));
  EXPECT_EQ(r.log[3].cycle, r.log[2].cycle + t.nRPab);
  EXPECT_GE(r.log[4].cycle, r.log[3].cycle + t.nRFC);
}

TEST(CtrlController, PostponedRefreshesCatchUpInABurst) {
  auto spec = ddr4();
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.refresh_postpone = 3;
  // Keep the rank busy for 6 refresh intervals with a steady read stream.
  std::vector<Item> items;
  const Cycle span = 6 * static_cast<Cycle>(t.nREFI);
  for (Cycle c = 0, i = 0; c < span; c += 8, ++i)
    items.push_back(
        Item{c, at(spec, static_cast<int>(i % 4), 0, 1, static_cast<int>((i / 4) % 128)), false});
  auto r = run_controller(spec, cfg, items, false);
  std::vector<Cycle> refs;
  for (auto& c : r.log)
    if (c.cmd == Cmd::kREFab) refs.push_back(c.cycle);
  // Nothing until 4 are owed (after the 4th deadline), then 4 back to back (nRFC apart).
  ASSERT_GE(refs.size(), 4u);
  EXPECT_GE(refs[0], 4 * static_cast<Cycle>(t.nREFI));
  for (int k = 1; k < 4; ++k) EXPECT_EQ(refs[k] - refs[k - 1], t.nRFC) << k;
}

TEST(CtrlController, PerBankRefreshVisitsEveryBankOncePerRefi) {
  auto spec = hw::dram_preset_spec("HBM3");
  const auto& t = spec.timing;
  auto cfg = test_config();
  cfg.per_bank_refresh = true;
  StatsGroup st("c");
  Controller c(spec, cfg, 0, st, ProtocolChecker::Mode::kThrow);
  CommandLog log;
  c.add_observer(&log);
  for (Cycle n = c.next_event_cycle(); n <= 2 * static_cast<Cycle>(t.nREFI);
       n = c.next_event_cycle())
    c.tick(n);
  const int banks = spec.org.banks_per_rank();
  ASSERT_GE(static_cast<int>(log.log.size()), 2 * banks - 1);
  ASSERT_EQ(spec.org.stack_ids, 2);  // every bank of both SIDs, tREFI / 32 apart
  std::set<int> first_round;
  for (int i = 0; i < banks; ++i) {
    EXPECT_EQ(log.log[i].cmd, Cmd::kREFpb);
    first_round.insert(flat_bank(spec.org, log.log[i].addr.bank));
  }
  EXPECT_EQ(static_cast<int>(first_round.size()), banks);
  // Consecutive per-bank refreshes go to different bank groups.
  EXPECT_NE(log.log[0].addr.bank.bank_group, log.log[1].addr.bank.bank_group);
  c.finish(2 * static_cast<Cycle>(t.nREFI));
  EXPECT_EQ(c.checker()->violations(), 0u);
}

// A saturating sequential read stream takes longer with refresh by the refresh duty cycle
// nRFC / nREFI, plus a bounded restart cost per refresh (waiting for the open rows' nRAS/nRTP,
// the precharge, and re-activating: at most nRAS + nRPab + nRCDRD per refresh).
void check_refresh_cost(const std::string& preset, double* measured = nullptr) {
  auto spec = hw::dram_preset_spec(preset);
  const auto& t = spec.timing;
  auto cfg = test_config();
  std::vector<Item> items;
  for (std::uint64_t i = 0; i < 150000; ++i)
    items.push_back(Item{0, i * static_cast<std::uint64_t>(spec.org.burst_bytes()), false});
  cfg.refresh = false;
  auto off = run_controller(spec, cfg, items, false);
  cfg.refresh = true;
  auto on = run_controller(spec, cfg, items, false);
  const double loss = 1.0 - static_cast<double>(off.end) / static_cast<double>(on.end);
  const double duty = static_cast<double>(t.nRFC) / t.nREFI;
  const double restart = static_cast<double>(t.nRAS + t.nRPab + t.nRCDRD) / t.nREFI;
  std::printf("%s: refresh costs %.2f%% of bandwidth; nRFC/nREFI = %.2f%%\n", preset.c_str(),
              loss * 100, duty * 100);
  EXPECT_GE(loss, duty * 0.97) << preset;  // the last interval may be cut short
  EXPECT_LE(loss, duty + restart) << preset;
  if (measured) *measured = loss;
}

TEST(CtrlController, RefreshCostsRfcOverRefiOfBandwidthOnDdr4) {
  check_refresh_cost("DDR4-3200");
}

// HBM3 also compares per-bank refresh (REFSB), which refreshes one idle bank at a time while the
// others keep serving: on a sequential stream it costs less than all-bank refresh, though not
// nothing (the stream soon needs the bank being refreshed, and REFSB spaces activates by
// nRREFD).
TEST(CtrlController, RefreshCostsRfcOverRefiOfBandwidthOnHbm3AndPerBankCostsLess) {
  double allbank_loss = 0;
  check_refresh_cost("HBM3", &allbank_loss);
  auto spec = hw::dram_preset_spec("HBM3");
  auto cfg = test_config();
  std::vector<Item> items;
  for (std::uint64_t i = 0; i < 150000; ++i)
    items.push_back(Item{0, i * static_cast<std::uint64_t>(spec.org.burst_bytes()), false});
  cfg.refresh = false;
  auto off = run_controller(spec, cfg, items, false);
  cfg.refresh = true;
  cfg.per_bank_refresh = true;
  auto pb = run_controller(spec, cfg, items, false);
  const double loss = 1.0 - static_cast<double>(off.end) / static_cast<double>(pb.end);
  const double allbank = static_cast<double>(spec.timing.nRFC) / spec.timing.nREFI;
  std::printf("HBM3 per-bank refresh costs %.2f%% of bandwidth (all-bank duty %.2f%%)\n",
              loss * 100, allbank * 100);
  EXPECT_LT(loss, allbank_loss);
  EXPECT_GT(loss, 0.0);
}

// One command per cycle on the command bus; HBM has a row and a column command bus and may
// issue one of each in the same cycle.
int same_cycle_pairs(const std::string& preset) {
  auto spec = hw::dram_preset_spec(preset);
  auto cfg = test_config();
  auto m = make_address_mapper("", spec);
  auto items = ctrltest::random_traffic(spec, *m, 3000, 5, 0.7, 8, 50);
  auto r = run_controller(spec, cfg, items, false);
  int pairs = 0;
  for (std::size_t i = 1; i < r.log.size(); ++i) {
    if (r.log[i].cycle != r.log[i - 1].cycle) continue;
    ++pairs;
    EXPECT_NE(is_column(r.log[i].cmd), is_column(r.log[i - 1].cmd))
        << preset << " @" << r.log[i].cycle;
    if (i >= 2) {
      EXPECT_NE(r.log[i - 2].cycle, r.log[i].cycle);
    }
  }
  return pairs;
}

TEST(CtrlController, OneCommandPerCycleExceptHbmRowPlusColumn) {
  EXPECT_EQ(same_cycle_pairs("DDR4-3200"), 0);
  EXPECT_EQ(same_cycle_pairs("GDDR6"), 0);
  EXPECT_GT(same_cycle_pairs("HBM3"), 0);
  EXPECT_GT(same_cycle_pairs("HBM2"), 0);
}

TEST(CtrlController, ConfigErrors) {
  StatsGroup st("c");
  auto cfg = test_config();
  cfg.per_bank_refresh = true;
  try {
    Controller c(ddr4(), cfg, 0, st);
    FAIL() << "DDR4 has no per-bank refresh";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("per_bank_refresh"), std::string::npos) << e.what();
  }
  cfg = test_config();
  cfg.scheduler = "LIFO";
  try {
    StatsGroup st2("c2");
    Controller c(ddr4(), cfg, 0, st2);
    FAIL() << "unknown scheduler";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("FRFCFS"), std::string::npos) << e.what();
  }
  cfg = test_config();
  cfg.refresh_postpone = 8;  // JEDEC's 8 minus the one interval we keep
  StatsGroup st3("c3");
  EXPECT_THROW(Controller(ddr4(), cfg, 0, st3), Error);
}

TEST(CtrlController, SchemaRejectsBadValuesWithTheirLocation) {
  const auto& s = controller_schema();
  ControllerConfig c;
  s.set_defaults(c);
  config::Origin o("sys.yaml");
  config::Provenance prov;
  config::LoadCtx ctx{&o, &prov, "controller"};
  auto node = config::load_yaml_string("read_queue: 0\n", "sys.yaml");
  try {
    s.patch(node, c, ctx);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("sys.yaml:1"), std::string::npos) << e.what();
  }
  node = config::load_yaml_string("scheduler: LIFO\n", "sys.yaml");
  s.patch(node, c, ctx);
  EXPECT_THROW(s.validate(c, prov, "controller", SourceLoc{"sys.yaml", 1, 1}), Error);
  node = config::load_yaml_string("page_polcy: open\n", "sys.yaml");
  EXPECT_THROW(s.patch(node, c, ctx), Error);
  s.set_defaults(c);
  node = config::load_yaml_string("write_low_watermark: 0.9\n", "sys.yaml");
  s.patch(node, c, ctx);
  EXPECT_THROW(s.validate(c, prov, "controller", SourceLoc{"sys.yaml", 1, 1}), Error);
}

}  // namespace
}  // namespace accsim::dram
