// The SystemC modules of the PIM model (pim.h) and run_pim().
#include <algorithm>
#include <cmath>
#include <memory>
#include <systemc>

#include "models/pim/pim.h"

namespace accsim::pim {

std::int64_t asic_cycles(const hw::PimSpec& pim, const Op& op) {
  if (op.elements <= 0 || op.passes <= 0) return 0;
  const std::int64_t lanes = pim.asic.lanes;
  return op.passes * ((op.elements + lanes - 1) / lanes) + pim.asic.depth;
}

namespace {

// One PIM channel: waits for a program, runs it, signals when its last data has moved.
class ChannelModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ChannelModule);
  // NOLINTNEXTLINE(performance-unnecessary-value-param): SystemC takes module names by value
  ChannelModule(sc_core::sc_module_name n, PimChannel& ch, Ps tck_ps)
      : sc_module(n), ch_(ch), tck_ps_(tck_ps) {
    SC_THREAD(main);
  }
  void start(const ChannelProgram* prog) {
    prog_ = prog;
    start_ev_.notify(sc_core::SC_ZERO_TIME);
  }
  sc_core::sc_event done_ev;

 private:
  void main() {
    for (;;) {
      sc_core::wait(start_ev_);
      const auto now_ps = static_cast<Ps>(sc_core::sc_time_stamp().value());
      const Cycle start = (now_ps + tck_ps_ - 1) / tck_ps_;
      const Cycle end = ch_.run(*prog_, start);
      const Ps end_ps = end * tck_ps_;
      if (end_ps > now_ps)
        sc_core::wait(sc_core::sc_time(static_cast<double>(end_ps - now_ps), sc_core::SC_PS));
      done_ev.notify(sc_core::SC_ZERO_TIME);
    }
  }
  PimChannel& ch_;
  Ps tck_ps_;
  const ChannelProgram* prog_ = nullptr;
  sc_core::sc_event start_ev_;
};

// The ASIC and controller: walks the ops of every step in order.
class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  // NOLINTNEXTLINE(performance-unnecessary-value-param): SystemC takes module names by value
  Controller(sc_core::sc_module_name n, const hw::PimSpec& pim, std::vector<ChannelModule*> chans,
             const StepSource& src, std::int64_t steps, EnergyLedger& energy, PimRunResult& out,
             const PimProgressFn& progress)
      : sc_module(n),
        pim_(pim),
        chans_(std::move(chans)),
        src_(src),
        steps_(steps),
        out_(out),
        progress_(progress),
        energy_(&energy) {
    lane_op_ = energy.action("asic", "lane_op", pim.energy.asic_op_j * 1e12,
                             "per element per pass; FP16 multiply-add 1.5 pJ (Horowitz ISSCC "
                             "2014, 45 nm)");
    sram_ = energy.action("asic", "sram", pim.energy.asic_sram_j_per_bit * 1e12,
                          "per bit read or written in the ASIC's buffers; 0.16 pJ/bit (Horowitz)");
    SC_THREAD(main);
  }
  std::int64_t asic_busy_cycles = 0;

 private:
  void account(const Op& op, double ns) {
    auto it = std::find_if(out_.by_op.begin(), out_.by_op.end(),
                           [&op](const auto& e) { return e.first == op.name; });
    if (it == out_.by_op.end()) {
      out_.by_op.push_back({op.name, {}});
      it = out_.by_op.end() - 1;
    }
    ++it->second.count;
    it->second.ns += ns;
    if (op.kind == OpKind::kVmm) out_.vmm_ns += ns;
    if (op.kind == OpKind::kKvAppend) out_.kv_ns += ns;
    if (op.kind == OpKind::kAsic) out_.asic_ns += ns;
  }

  void main() {
    const double asic_ps = 1e12 / pim_.asic.clock_hz;
    std::vector<Op> ops;
    for (std::int64_t s = 0; s < steps_; ++s) {
      ops.clear();
      src_(s, ops);
      // Copies on purpose: sc_time_stamp() refers to the current time, which moves on.
      const sc_core::sc_time step_start = sc_core::sc_time_stamp();  // NOLINT

      for (const Op& op : ops) {
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();  // NOLINT (a copy, as above)
        if (op.kind == OpKind::kAsic) {
          const std::int64_t cyc = asic_cycles(pim_, op);
          asic_busy_cycles += cyc;
          // Work in the ASIC's clock: start at its next edge.
          const auto now_ps = static_cast<double>(t0.value());
          const double start_ps = std::ceil(now_ps / asic_ps) * asic_ps;
          sc_core::wait(sc_core::sc_time(start_ps - now_ps + static_cast<double>(cyc) * asic_ps,
                                         sc_core::SC_PS));
          const auto n = static_cast<std::uint64_t>(op.elements * op.passes);
          energy_count(lane_op_, n);
          energy_count(sram_, n * 2 * 8 * static_cast<std::uint64_t>(pim_.element_bytes));
        } else {
          out_.macs += static_cast<std::uint64_t>(op.macs);
          sc_core::sc_event_and_list all;
          int started = 0;
          for (std::size_t c = 0; c < chans_.size(); ++c) {
            if (op.programs[c].empty()) continue;
            chans_[c]->start(&op.programs[c]);
            all &= chans_[c]->done_ev;
            ++started;
          }
          if (started > 0) sc_core::wait(all);
        }
        account(op, (sc_core::sc_time_stamp() - t0).to_seconds() * 1e9);
      }
      out_.step_ns.push_back((sc_core::sc_time_stamp() - step_start).to_seconds() * 1e9);
      if (progress_)
        progress_(static_cast<double>(s + 1) / static_cast<double>(steps_),
                  "step " + std::to_string(s + 1) + "/" + std::to_string(steps_));
    }
    sc_core::sc_stop();
  }
  void energy_count(EnergyLedger::Handle h, std::uint64_t n) { energy_->count(h, n); }

  hw::PimSpec pim_;
  std::vector<ChannelModule*> chans_;
  const StepSource& src_;
  std::int64_t steps_;
  PimRunResult& out_;
  const PimProgressFn& progress_;
  EnergyLedger* energy_;
  EnergyLedger::Handle lane_op_ = 0, sram_ = 0;
};

}  // namespace

PimRunResult run_pim(const hw::DramSpec& dram, const hw::PimSpec& pim, const StepSource& source,
                     std::int64_t steps, bool check_protocol, StatsRegistry& stats,
                     EnergyLedger& energy, const PimProgressFn& progress, const SourceLoc& where) {
  PimRunResult out;
  const int nch = dram.org.independent_channels();
  std::vector<std::unique_ptr<PimChannel>> chans;
  std::vector<std::unique_ptr<PimProtocolChecker>> checkers;
  auto energy_obs = std::make_unique<PimEnergyCounter>(energy, dram, pim, "pim");
  std::vector<std::unique_ptr<ChannelModule>> mods;
  std::vector<ChannelModule*> mod_ptrs;
  for (int c = 0; c < nch; ++c) {
    chans.push_back(std::make_unique<PimChannel>(dram, pim, c, where));
    chans.back()->add_observer(energy_obs.get());
    if (check_protocol) {
      checkers.push_back(std::make_unique<PimProtocolChecker>(dram, pim, pim.refresh));
      chans.back()->add_observer(checkers.back().get());
    }
    mods.push_back(std::make_unique<ChannelModule>(("ch" + std::to_string(c)).c_str(),
                                                   *chans.back(), dram.timing.tCK_ps));
    mod_ptrs.push_back(mods.back().get());
  }
  Controller ctrl("asic", pim, mod_ptrs, source, steps, energy, out, progress);
  // SystemC's "Simulation stopped by user" note (an SC_INFO on stdout at sc_stop) would land in
  // the middle of the CLI's table; the DRAM replay (sim/run/issuer.cpp) silences it the same way.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  sc_core::sc_start();
  const double end_s = sc_core::sc_time_stamp().to_seconds();
  out.sim_time_s = end_s;

  // Close refresh up to the end of the run.
  const Ps tck = dram.timing.tCK_ps;
  const Cycle end_cycle = static_cast<Cycle>(sc_core::sc_time_stamp().value()) / tck;
  for (auto& ch : chans) ch->finish(end_cycle);

  // Statistics.
  ChannelCounters tot;
  const std::int64_t burst = dram.org.burst_bytes();
  for (int c = 0; c < nch; ++c) {
    const auto& k = chans[static_cast<std::size_t>(c)]->counters();
    StatsGroup& g = stats.group("pim.ch" + std::to_string(c));
    for (int i = 0; i < kNumPimCmds; ++i) {
      g.scalar(std::string("cmd_") + std::string(pim_cmd_name(static_cast<PimCmd>(i))),
               "commands issued", "commands",
               static_cast<double>(k.cmds[static_cast<std::size_t>(i)]));
      tot.cmds[static_cast<std::size_t>(i)] += k.cmds[static_cast<std::size_t>(i)];
    }
    g.scalar("busy_cycles", "cycles from a program's first command to its last data, summed",
             "cycles", static_cast<double>(k.busy));
    tot.bank_macs += k.bank_macs;
    tot.row_hits += k.row_hits;
    tot.visits += k.visits;
    tot.busy += k.busy;
  }
  auto cmd = [&tot](PimCmd c) { return static_cast<double>(tot.cmds[static_cast<int>(c)]); };
  StatsGroup& g = stats.group("pim");
  for (int i = 0; i < kNumPimCmds; ++i)
    g.scalar(std::string("cmd_") + std::string(pim_cmd_name(static_cast<PimCmd>(i))),
             "commands issued, all channels", "commands", cmd(static_cast<PimCmd>(i)));
  const double col = cmd(PimCmd::kMACAB) + cmd(PimCmd::kWR);
  g.scalar("row_hit_rate",
           "column commands (MACAB, WR) that found their row open: 1 - ACTAB / "
           "column commands",
           "ratio", col > 0 ? 1.0 - cmd(PimCmd::kACTAB) / col : 0.0);
  g.scalar("bank_macs", "MACAB x active banks (bank column accesses)", "accesses",
           static_cast<double>(tot.bank_macs));
  g.scalar("useful_macs", "multiply-accumulates the workload needs", "MACs",
           static_cast<double>(out.macs));
  const double elems = static_cast<double>(burst) / pim.element_bytes;
  const double peak_macs = end_s > 0
                               ? end_s * 1e12 / static_cast<double>(tck) / dram.timing.nCCD_S *
                                     elems * dram.org.banks_per_rank() * nch
                               : 0;
  g.scalar("mac_utilisation",
           "useful MACs / (MAC units x elements per column x run time / "
           "nCCD_S)",
           "ratio", peak_macs > 0 ? static_cast<double>(out.macs) / peak_macs : 0.0);
  out.bus_bytes = static_cast<std::uint64_t>(
      (cmd(PimCmd::kWRGB) + cmd(PimCmd::kRDMAC) + cmd(PimCmd::kWR)) * static_cast<double>(burst));
  out.inbank_bytes = tot.bank_macs * static_cast<std::uint64_t>(burst);
  g.scalar("bus_bytes", "bytes on the channels' external buses (WRGB + RDMAC + WR bursts)", "bytes",
           static_cast<double>(out.bus_bytes));
  g.scalar("inbank_bytes", "bytes the MAC units read from bank rows", "bytes",
           static_cast<double>(out.inbank_bytes));
  g.scalar("refreshes", "all-bank refreshes, all channels", "commands", cmd(PimCmd::kREFab));
  StatsGroup& a = stats.group("asic");
  a.scalar("busy_cycles", "cycles the ASIC's vector unit worked", "cycles",
           static_cast<double>(ctrl.asic_busy_cycles));
  for (auto& ck : checkers) {
    out.commands += ck->commands();
    if (ck->violations() > 0 && out.protocol_violations == 0) out.first_violation = ck->first();
    out.protocol_violations += ck->violations();
  }
  if (check_protocol)
    g.scalar("protocol_violations", "commands the independent checker rejected", "commands",
             static_cast<double>(out.protocol_violations));
  energy.static_power("asic", "static", pim.energy.asic_static_w,
                      "assumption (pim.energy.asic_static)");
  return out;
}

}  // namespace accsim::pim
