// PIM timing: one tight test per rule of the table (the following command is blocked one cycle
// before the rule's latency and legal at it), the values the table takes from the specs, and the
// independent protocol checker against randomized channel programs: no violation in what the
// channel issues, and every command moved one cycle earlier is caught.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/unit/pim/helpers.h"

namespace accsim::test {
namespace {

using pim::PimCmd;

TEST(PimTiming, EveryRuleIsTight) {
  const auto dram = pim_dram();
  const auto spec = pim_spec();
  const auto rules = pim::build_pim_rules(dram, spec);
  ASSERT_GT(rules.size(), 20u);
  // The binding latency of each (prev, next) pair is the largest of its rules.
  std::map<std::pair<int, int>, int> bind;
  for (const auto& r : rules) {
    auto& v = bind[{static_cast<int>(r.prev), static_cast<int>(r.next)}];
    v = std::max(v, r.latency);
  }
  for (const auto& [pair, lat] : bind) {
    pim::PimTiming t(dram, spec);
    const Cycle at = 10000;
    t.issue(static_cast<PimCmd>(pair.first), at);
    const auto next = static_cast<PimCmd>(pair.second);
    EXPECT_EQ(t.earliest(next), at + lat)
        << pim::pim_cmd_name(static_cast<PimCmd>(pair.first)) << " -> " << pim::pim_cmd_name(next);
  }
}

TEST(PimTiming, RulesTakeTheirValuesFromTheSpecs) {
  const auto dram = pim_dram();
  auto spec = pim_spec();
  auto lat = [&](PimCmd a, PimCmd b) {
    pim::PimTiming t(dram, spec);
    t.issue(a, 1000);
    return t.earliest(b) - 1000;
  };
  EXPECT_EQ(lat(PimCmd::kACTAB, PimCmd::kMACAB), 56);  // AiM nRCDRDMAC
  EXPECT_EQ(lat(PimCmd::kMACAB, PimCmd::kMACAB), dram.timing.nCCD_S);
  EXPECT_EQ(dram.timing.nCCD_S, 2);  // AiM: one column per bank per ns at tCK 0.5 ns
  EXPECT_EQ(lat(PimCmd::kACTAB, PimCmd::kACTAB), dram.timing.nRC);
  EXPECT_EQ(lat(PimCmd::kACTAB, PimCmd::kPREAB), dram.timing.nRAS);
  EXPECT_EQ(lat(PimCmd::kPREAB, PimCmd::kACTAB), dram.timing.nRPab);
  EXPECT_EQ(lat(PimCmd::kREFab, PimCmd::kACTAB), dram.timing.nRFC);
  EXPECT_EQ(lat(PimCmd::kMACAB, PimCmd::kRDMAC), spec.timing.nMAClat);
  spec.timing.nRCDRDMAC = 70;
  spec.timing.nMAClat = 13;
  EXPECT_EQ(lat(PimCmd::kACTAB, PimCmd::kMACAB), 70);
  EXPECT_EQ(lat(PimCmd::kMACAB, PimCmd::kRDMAC), 13);
  // Unrelated commands are held only by the one-command-per-cycle bus.
  EXPECT_EQ(lat(PimCmd::kRDMAC, PimCmd::kMACAB), 1);
}

// Logs every command a channel issues.
struct Log final : pim::PimCommandObserver {
  struct Rec {
    PimCmd cmd;
    Cycle t;
  };
  std::vector<Rec> recs;
  void on_command(PimCmd c, Cycle t, std::int64_t, int) override { recs.push_back({c, t}); }
};

// A random program: visits with random buffer loads, pieces, MAC counts and writes, rows that
// sometimes repeat (row hits).
pim::ChannelProgram random_program(std::mt19937_64& rng, int visits) {
  pim::ChannelProgram p;
  std::uniform_int_distribution<int> u(0, 99);
  std::int64_t row = 0;
  for (int i = 0; i < visits; ++i) {
    pim::Visit v;
    if (u(rng) < 70) row = u(rng);
    v.row = row;
    v.active_banks = 1 + u(rng) % 16;
    if (u(rng) < 20) {
      v.writes = 1 + u(rng) % 20;
    } else {
      v.gb_bursts = u(rng) < 40 ? u(rng) % 65 : 0;
      v.pieces = 1 + u(rng) % 16;
      v.macs = 1 + u(rng) % 8;
      v.macs_last = 1 + u(rng) % 8;
    }
    p.push_back(v);
  }
  return p;
}

TEST(PimProtocol, ChannelCommandsPassTheIndependentChecker) {
  const auto dram = pim_dram();
  for (bool refresh : {true, false}) {
    const auto spec = pim_spec(refresh);
    std::mt19937_64 rng(refresh ? 7 : 11);
    pim::PimChannel ch(dram, spec, 0, SourceLoc{});
    pim::PimProtocolChecker chk(dram, spec, refresh);
    ch.add_observer(&chk);
    Cycle t = 0;
    for (int prog = 0; prog < 60; ++prog) {
      t = ch.run(random_program(rng, 40), t + static_cast<Cycle>(rng() % 3000));
    }
    ch.finish(t + 100000);
    EXPECT_EQ(chk.violations(), 0u) << chk.first();
    EXPECT_GT(chk.commands(), 10000u);
    if (refresh) {
      EXPECT_GT(ch.counters().cmds[static_cast<int>(PimCmd::kREFab)], 10u);
    }
  }
}

TEST(PimProtocol, EveryCommandMovedOneCycleEarlierIsCaught) {
  // Programs started at cycle 0 issue every command at its earliest legal cycle, so moving any
  // one of them a cycle earlier must break a rule the checker knows.
  const auto dram = pim_dram();
  const auto spec = pim_spec(true);
  std::mt19937_64 rng(3);
  pim::PimChannel ch(dram, spec, 0, SourceLoc{});
  Log log;
  ch.add_observer(&log);
  Cycle t = 0;
  for (int prog = 0; prog < 6; ++prog) t = ch.run(random_program(rng, 30), 0);
  ch.finish(t);
  ASSERT_GT(log.recs.size(), 1000u);
  std::size_t caught = 0, tried = 0;
  for (std::size_t i = 1; i < log.recs.size(); i += 7) {  // a sample keeps the test fast
    if (log.recs[i].t == 0) continue;
    // Refreshes are issued at their due cycle, not at the earliest legal one.
    if (log.recs[i].cmd == PimCmd::kREFab) continue;
    if (i + 1 < log.recs.size() && log.recs[i + 1].cmd == PimCmd::kREFab &&
        log.recs[i].cmd == PimCmd::kPREAB)
      continue;
    ++tried;
    pim::PimProtocolChecker chk(dram, spec, true);
    for (std::size_t k = 0; k < log.recs.size() && k <= i; ++k)
      chk.on_command(log.recs[k].cmd, k == i ? log.recs[k].t - 1 : log.recs[k].t, 0, 16);
    if (chk.violations() > 0)
      ++caught;
    else
      ADD_FAILURE() << "moving command " << i << " (" << pim::pim_cmd_name(log.recs[i].cmd)
                    << " at " << log.recs[i].t << ") one cycle earlier was not caught";
  }
  EXPECT_GT(tried, 100u);
  EXPECT_EQ(caught, tried);
}

TEST(PimProtocol, StateErrorsAreCaught) {
  const auto dram = pim_dram();
  const auto spec = pim_spec(false);
  {
    pim::PimProtocolChecker chk(dram, spec, false);
    chk.on_command(PimCmd::kMACAB, 100, 0, 16);  // no row open
    EXPECT_EQ(chk.violations(), 1u);
    EXPECT_NE(chk.first().find("no row is open"), std::string::npos);
  }
  {
    pim::PimProtocolChecker chk(dram, spec, false);
    chk.on_command(PimCmd::kACTAB, 100, 0, 16);
    chk.on_command(PimCmd::kREFab, 100000, 0, 16);  // row still open
    EXPECT_EQ(chk.violations(), 1u);
  }
}

}  // namespace
}  // namespace accsim::test
