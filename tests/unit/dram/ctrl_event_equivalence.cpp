// The event-driven controller must issue exactly the command stream of a controller ticked at
// every cycle: same random traffic both ways, command logs compared entry by entry. The traffic
// has idle stretches long enough for refresh to fall due while nothing else happens, back-to-back
// bursts that fill the queues (back-pressure), reads and writes (drain switches) and few rows per
// bank (hits, misses and conflicts).
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/dram/ctrl_harness.h"

namespace accsim::dram {
namespace {

struct Case {
  std::string preset;
  std::string scheduler = "FRFCFS";
  PagePolicy policy = PagePolicy::kOpen;
  bool per_bank_refresh = false;
  int ranks = 0;  // 0 = the preset's
  int postpone = 0;
  std::uint64_t seed = 1;
};

// Keeps the parameter readable in test listings (ctest names).
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.preset << " " << c.scheduler << (c.policy == PagePolicy::kClosed ? " closed" : " open")
      << (c.per_bank_refresh ? " per-bank-refresh" : "") << " seed " << c.seed;
}

std::string name_of(const ::testing::TestParamInfo<Case>& i) {
  std::string n = i.param.preset + "_" + i.param.scheduler +
                  (i.param.policy == PagePolicy::kClosed ? "_closed" : "_open") +
                  (i.param.per_bank_refresh ? "_refpb" : "") +
                  (i.param.ranks ? "_r" + std::to_string(i.param.ranks) : "") +
                  (i.param.postpone ? "_pp" + std::to_string(i.param.postpone) : "");
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class CtrlEventEquivalence : public ::testing::TestWithParam<Case> {};

TEST_P(CtrlEventEquivalence, SameCommandLogAsCycleStepping) {
  const Case& k = GetParam();
  hw::DramSpec spec = hw::dram_preset_spec(k.preset);
  if (k.ranks) spec.org.ranks = k.ranks;
  ControllerConfig cfg = ctrltest::test_config();
  cfg.scheduler = k.scheduler;
  cfg.page_policy = k.policy;
  cfg.per_bank_refresh = k.per_bank_refresh;
  cfg.refresh_postpone = k.postpone;
  cfg.read_queue = 16;
  cfg.write_queue = 16;
  auto m = make_address_mapper(cfg.mapping, spec);
  const auto items = ctrltest::random_traffic(spec, *m, 4000, k.seed);
  auto ev = ctrltest::run_controller(spec, cfg, items, /*stepped=*/false);
  auto st = ctrltest::run_controller(spec, cfg, items, /*stepped=*/true);
  ASSERT_EQ(ev.done.size(), items.size());
  ASSERT_EQ(ev.log.size(), st.log.size());
  for (std::size_t i = 0; i < ev.log.size(); ++i)
    ASSERT_EQ(ev.log[i], st.log[i])
        << "first difference at command " << i << ": event-driven " << cmd_name(ev.log[i].cmd)
        << " @" << ev.log[i].cycle << ", stepped " << cmd_name(st.log[i].cmd) << " @"
        << st.log[i].cycle;
  EXPECT_EQ(ev.end, st.end);
  // The point of being event-driven: far fewer activations than cycles.
  EXPECT_LT(ev.ticks * 2, st.ticks);
  // The traffic exercised what it should.
  int refresh = 0, pre = 0, writes = 0;
  for (auto& c : ev.log) {
    refresh += is_refresh(c.cmd);
    pre += c.cmd == Cmd::kPRE || c.cmd == Cmd::kPREA;
    writes += is_write(c.cmd);
  }
  EXPECT_GT(refresh, 0);
  EXPECT_GT(writes, 0);
  if (k.policy == PagePolicy::kOpen) {
    EXPECT_GT(pre, 0);
  }
}

std::vector<Case> cases() {
  std::vector<Case> v;
  std::uint64_t seed = 11;
  for (const auto& p : hw::dram_preset_names()) {
    v.push_back(Case{p, "FRFCFS", PagePolicy::kOpen, false, 0, 0, seed++});
    v.push_back(Case{p, "FCFS", PagePolicy::kClosed, false, 0, 0, seed++});
    const auto spec = hw::dram_preset_spec(p);
    if (spec.per_bank_refresh != hw::PerBankRefresh::kNone)
      v.push_back(Case{p, "FRFCFS", PagePolicy::kOpen, true, 0, 0, seed++});
  }
  v.push_back(Case{"DDR4-3200", "FRFCFS", PagePolicy::kOpen, false, 2, 0, seed++});
  v.push_back(Case{"DDR4-3200", "FRFCFS", PagePolicy::kClosed, false, 2, 3, seed++});
  v.push_back(Case{"DDR4-3200", "FRFCFS", PagePolicy::kOpen, false, 1, 7, seed++});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Presets, CtrlEventEquivalence, ::testing::ValuesIn(cases()), name_of);

}  // namespace
}  // namespace accsim::dram
