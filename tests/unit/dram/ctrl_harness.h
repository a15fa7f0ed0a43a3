#pragma once
// Drives a dram::Controller without SystemC: a list of timed bursts goes in through a one-entry
// in-order link (the head waits while its queue is full, like END_REQ back-pressure), and the
// controller is ticked either at every cycle or only at the cycles it asks for.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "hw/dram_config.h"
#include "models/dram/impl/address_map.h"
#include "models/dram/impl/controller.h"
#include "sim/core/stats.h"

namespace accsim::dram::ctrltest {

struct Item {
  Cycle at = 0;  // earliest cycle it may enter the queue
  std::uint64_t addr = 0;
  bool is_write = false;
};

struct RunResult {
  std::vector<LoggedCommand> log;
  std::vector<Completion> done;
  Cycle end = 0;            // cycle of the tick that issued the last column command
  std::uint64_t ticks = 0;  // tick() calls made
};

// Runs the bursts of `items` (all on channel 0 after decoding) to completion.
inline RunResult run_controller(const hw::DramSpec& spec, const ControllerConfig& cfg,
                                const std::vector<Item>& items, bool stepped,
                                StatsGroup* stats_out = nullptr, Cycle limit = 2'000'000'000) {
  StatsGroup local("ctrl");
  StatsGroup& stats = stats_out ? *stats_out : local;
  auto mapper = make_address_mapper(cfg.mapping, spec);
  Controller ctrl(spec, cfg, 0, stats, ProtocolChecker::Mode::kThrow);
  CommandLog log;
  ctrl.add_observer(&log);
  RunResult r;
  std::size_t next = 0;
  Cycle now = 0;
  while (r.done.size() < items.size()) {
    if (now > limit) {
      ADD_FAILURE() << "controller did not finish by cycle " << limit;
      break;
    }
    while (next < items.size() && items[next].at <= now) {
      DramAddr a = mapper->decode(items[next].addr);
      a.channel = 0;  // tests drive one channel
      a.pseudo_channel = 0;
      if (!ctrl.can_accept(items[next].is_write)) break;
      ctrl.enqueue(Burst{next, a, items[next].is_write}, now);
      ++next;
    }
    ctrl.tick(now);
    ++r.ticks;
    for (const Completion& c : ctrl.completions()) r.done.push_back(c);
    ctrl.completions().clear();
    if (r.done.size() == items.size()) {
      r.end = now;
      break;
    }
    if (stepped) {
      ++now;
      continue;
    }
    Cycle n = ctrl.next_event_cycle();
    if (next < items.size() && ctrl.can_accept(items[next].is_write))
      n = std::min(n, std::max(items[next].at, now + 1));
    if (n == Controller::kNever) {
      ADD_FAILURE() << "controller idle with work outstanding at cycle " << now;
      break;
    }
    EXPECT_GT(n, now);
    now = n;
  }
  ctrl.finish(now);
  r.log = std::move(log.log);
  return r;
}

// Random mixed traffic with bursts of activity and idle gaps, concentrated on a few rows per bank
// so that hits, misses and conflicts all occur.
inline std::vector<Item> random_traffic(const hw::DramSpec& spec, const AddressMapper& m,
                                        std::size_t n, std::uint64_t seed, double read_frac = 0.7,
                                        int rows = 4, Cycle max_gap = 400) {
  std::mt19937_64 rng(seed);
  std::vector<Item> v;
  Cycle t = 0;
  const auto& o = spec.org;
  for (std::size_t i = 0; i < n; ++i) {
    // Mostly back-to-back, sometimes an idle stretch long enough for refresh to fall due.
    const auto r = rng() % 100;
    if (r < 60) {
      t += 0;
    } else if (r < 97) {
      t += static_cast<Cycle>(rng() % 8);
    } else {
      t += static_cast<Cycle>(rng() % static_cast<std::uint64_t>(max_gap * 20));
    }
    DramAddr a;
    a.channel = 0;
    a.bank.rank = static_cast<int>(rng() % o.ranks);
    a.bank.bank_group = static_cast<int>(rng() % o.bank_groups);
    a.bank.bank = static_cast<int>(rng() % o.banks_per_group);
    a.row = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(rows));
    a.column = static_cast<int>(rng() % o.bursts_per_row());
    const bool w = static_cast<double>(rng() % 1000) >= read_frac * 1000.0;
    v.push_back(Item{t, m.encode(a), w});
  }
  return v;
}

// The address of column `col` of row `row` in bank `bank` of group `bg`, rank 0, channel 0.
inline std::uint64_t at(const hw::DramSpec& spec, int bg, int bank, std::int64_t row, int col) {
  auto m = make_address_mapper("", spec);
  DramAddr a;
  a.bank = BankAddr{0, bg, bank};
  a.row = row;
  a.column = col;
  return m->encode(a);
}

// The commands of a log, in order.
inline std::vector<Cmd> cmds(const std::vector<LoggedCommand>& log) {
  std::vector<Cmd> v;
  v.reserve(log.size());
  for (const auto& c : log) v.push_back(c.cmd);
  return v;
}

inline ControllerConfig test_config() {
  ControllerConfig c;
  c.check_protocol = true;
  return c;
}

}  // namespace accsim::dram::ctrltest
