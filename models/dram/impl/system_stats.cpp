#include "models/dram/impl/system_stats.h"

#include <fmt/format.h>

#include <string>

namespace accsim::dram {

void register_dram_totals(StatsGroup& g, const std::vector<StatsGroup*>& chs,
                          const std::vector<const Controller*>& ctrls, const hw::DramSpec& spec,
                          const DramEnergy& energy, Cycle end) {
  const Ps tck = spec.timing.tCK_ps;
  const double seconds = static_cast<double>(end) * static_cast<double>(tck) * 1e-12;
  const int n = static_cast<int>(chs.size());
  g.scalar("elapsed_cycles", "simulated time (command clock cycles)", "cycles",
           static_cast<double>(end));
  g.scalar("elapsed_ns", "simulated time", "ns", static_cast<double>(end) * tck / 1e3);
  g.scalar("channels", "independent (pseudo-)channels", "channels", n);
  auto sum = [chs](const char* stat) {
    return [chs, s = std::string(stat)] {
      double v = 0;
      for (const StatsGroup* k : chs) v += k->value(s);
      return v;
    };
  };
  const char* sums[][3] = {
      {"reads", "read bursts served, all channels", "bursts"},
      {"writes", "write bursts served, all channels", "bursts"},
      {"read_bytes", "bytes read on the data buses", "B"},
      {"write_bytes", "bytes written on the data buses", "B"},
      {"row_hits", "column commands to an already open row", "accesses"},
      {"row_misses", "accesses that opened a row in a closed bank", "accesses"},
      {"row_conflicts", "accesses that had to close another row first", "accesses"},
      {"refreshes", "refresh commands", "commands"},
      {"write_drains", "read-to-write-drain switches", "switches"},
      {"unused_acts_request", "ACTs closed by a PRE for another request before any column command",
       "commands"},
      {"unused_acts_refresh", "ACTs closed by refresh before any column command", "commands"},
  };
  for (auto& s : sums) g.formula(s[0], s[1], s[2], sum(s[0]));
  for (int c = 0; c < kNumCmds; ++c) {
    const std::string cn(cmd_name(static_cast<Cmd>(c)));
    g.formula("cmd_" + cn, cn + " commands, all channels", "commands", sum(("cmd_" + cn).c_str()));
  }
  auto bytes = [sum] { return sum("read_bytes")() + sum("write_bytes")(); };
  g.formula("achieved_bandwidth", "bytes on the data buses / simulated time", "B/s",
            [bytes, seconds] { return seconds > 0 ? bytes() / seconds : 0.0; });
  const double peak = spec.peak_bw_total();
  g.scalar("peak_bandwidth",
           "data rate x bus width x channels (" + fmt::format("{} MT/s", spec.data_rate_mtps) + ")",
           "B/s", peak);
  g.formula(
      "bandwidth_utilization", "achieved_bandwidth / peak_bandwidth", "fraction",
      [bytes, seconds, peak] { return seconds > 0 && peak > 0 ? bytes() / seconds / peak : 0.0; });
  g.formula("bus_utilization", "data-bus busy cycles / (channels x elapsed cycles)", "fraction",
            [busy = sum("data_bus_busy"), end, n] {
              return end > 0 ? busy() / (static_cast<double>(end) * n) : 0.0;
            });
  g.formula("row_hit_rate", "row_hits / (row_hits + row_misses + row_conflicts)", "fraction",
            [h = sum("row_hits"), mi = sum("row_misses"), c = sum("row_conflicts")] {
              const double all = h() + mi() + c();
              return all > 0 ? h() / all : 0.0;
            });
  std::uint64_t violations = 0;
  for (const Controller* c : ctrls)
    if (const ProtocolChecker* chk = c->checker()) violations += chk->violations();
  g.scalar("protocol_violations", "commands the independent protocol checker rejected",
           "violations", static_cast<double>(violations));
  g.scalar("energy_active_rank_cycles", "rank-cycles with a bank open or refreshing", "rank-cycles",
           static_cast<double>(energy.active_cycles()));
  g.scalar("energy_precharged_rank_cycles", "rank-cycles with every bank precharged", "rank-cycles",
           static_cast<double>(energy.precharged_cycles()));
  for (int i = 0; i < n; ++i) {
    StatsGroup& cg = *chs[static_cast<std::size_t>(i)];
    const ProtocolChecker* chk = ctrls[static_cast<std::size_t>(i)]->checker();
    cg.scalar("protocol_violations", "commands the independent protocol checker rejected",
              "violations", chk ? static_cast<double>(chk->violations()) : 0.0);
    const double pk = spec.peak_bw_per_channel();
    cg.formula(
        "achieved_bandwidth", "bytes on the data bus / simulated time", "B/s", [&cg, seconds] {
          return seconds > 0 ? (cg.value("read_bytes") + cg.value("write_bytes")) / seconds : 0.0;
        });
    cg.formula("bandwidth_utilization", "achieved_bandwidth / peak of one channel", "fraction",
               [&cg, seconds, pk] {
                 return seconds > 0 && pk > 0
                            ? (cg.value("read_bytes") + cg.value("write_bytes")) / seconds / pk
                            : 0.0;
               });
  }
}

}  // namespace accsim::dram
