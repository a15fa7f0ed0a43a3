// Energy and stats of a run. The engine only counts actions (operations per unit, elements
// through each channel, bytes through each memory port); this file prices them with the spec's
// figures (timing code holds no power arithmetic; README.md "Energy").
#include <algorithm>
#include <cmath>
#include <map>

#include "models/dataflow/dataflow.h"

namespace accsim::dataflow {

namespace {

// pJ per bit of a channel buffer of `bytes`: the small-array figure up to its size, the large one
// from its size on, log-linear in between (README.md "Energy").
double sram_pj_per_bit(const hw::DataflowSpec& s, double bytes) {
  const auto& e = s.energy;
  const double lo = e.sram_small_j_per_bit * 1e12, hi = e.sram_large_j_per_bit * 1e12;
  if (bytes <= e.sram_small_bytes) return lo;
  if (bytes >= e.sram_large_bytes) return hi;
  const double f =
      std::log(bytes / e.sram_small_bytes) / std::log(e.sram_large_bytes / e.sram_small_bytes);
  return lo + f * (hi - lo);
}

const char* kHorowitz = "Horowitz ISSCC'14, 45 nm";

}  // namespace

double account(DataflowResult& r, const hw::DataflowSpec& spec, StatsRegistry& stats,
               EnergyLedger& energy, const std::string& prefix) {
  double total = 0;
  auto charge = [&](const std::string& comp, const std::string& act, double pj_each,
                    std::uint64_t n, const std::string& src) {
    if (n == 0) return;
    energy.count(energy.action(comp, act, pj_each, src), n);
    total += pj_each * static_cast<double>(n);
  };

  // Arithmetic, per unit kind.
  std::map<std::string, OpCounts> by_kind;
  for (const auto& u : r.units) by_kind[std::string(kind_name(u.kind))] += u.ops;
  const auto& e = spec.energy;
  for (const auto& [kind, ops] : by_kind) {
    const std::string comp = prefix + "." + kind;
    charge(comp, "fp32_add", e.add_j * 1e12, ops.add, kHorowitz);
    charge(comp, "fp32_mul", e.mul_j * 1e12, ops.mul, kHorowitz);
    charge(comp, "fp32_cmp", e.cmp_j * 1e12, ops.cmp, "priced as an fp32 add (assumption)");
    charge(comp, "fp32_exp", e.exp_j * 1e12, ops.exp,
           "6 fp32 multiply-adds (assumption from Horowitz figures)");
    charge(comp, "fp32_div", e.div_j * 1e12, ops.div,
           "Newton-Raphson: 5 mul + 2 add (assumption from Horowitz figures)");
  }

  // Channel buffers: every element is written once and read once.
  for (std::size_t i = 0; i < r.channels.size(); ++i) {
    const ChannelReport& c = r.channels[i];
    const double pj = sram_pj_per_bit(spec, static_cast<double>(c.buffer_bytes()));
    const std::uint64_t bits_per = static_cast<std::uint64_t>(c.width) * 32u;
    const std::uint64_t bits = (2 * c.transfers - c.unreceived) * bits_per;
    charge(prefix + ".channels", c.name, pj, bits,
           "SRAM pJ/bit by buffer size, " + std::string(kHorowitz));
  }

  // Memory ports. A shared memory (the DRAM model) puts its own energy into the ledger.
  if (r.memory == "ideal")
    charge(prefix + ".memory", "bits_moved", spec.memory.j_per_bit * 1e12,
           (r.mem_bytes_read + r.mem_bytes_written) * 8u,
           "ideal memory priced as MB-sized SRAM, " + std::string(kHorowitz));
  r.energy_pj = total;

  // Stats.
  StatsGroup& s = stats.group(prefix);
  s.scalar("total_cycles", "cycles from the first firing to the last result", "cycles",
           static_cast<double>(r.total_cycles));
  s.scalar("time_ns", "total cycles at the clock", "ns", r.time_s * 1e9);
  s.scalar("clock_hz", "clock of units and channels", "Hz", r.clock_hz);
  s.scalar("element_transfers", "elements sent over all channels", "elements",
           static_cast<double>(r.element_transfers));
  s.scalar("work", "work elements (" + r.work_unit + ")", r.work_unit, static_cast<double>(r.work));
  s.scalar("peak_per_cycle", "peak work elements per cycle", r.work_unit + "/cycle",
           r.peak_per_cycle);
  s.scalar("sustained_per_cycle",
           "work elements per cycle between the first and last firing of the measured units",
           r.work_unit + "/cycle", r.sustained_per_cycle);
  s.scalar("sustained_fraction_of_peak", "sustained rate / peak rate", "1", r.sustained_fraction);
  s.scalar("overall_per_cycle", "work elements / total cycles (fill and drain included)",
           r.work_unit + "/cycle", r.overall_per_cycle);
  s.scalar("overall_fraction_of_peak", "overall rate / peak rate", "1", r.overall_fraction);
  s.scalar("intermediate_bytes", "sum of channel buffer sizes (capacity x element bytes)", "B",
           static_cast<double>(r.intermediate_bytes));
  s.scalar("peak_intermediate_bytes", "sum of channel peak occupancies x element bytes", "B",
           static_cast<double>(r.peak_intermediate_bytes));
  s.scalar("mem_bytes_read", "bytes read by memory units", "B",
           static_cast<double>(r.mem_bytes_read));
  s.scalar("mem_bytes_written", "bytes written by memory units", "B",
           static_cast<double>(r.mem_bytes_written));
  s.scalar("mem_bandwidth", "memory bytes (read + written) / time", "B/s", r.mem_bandwidth_Bps);
  s.scalar("energy_pj",
           r.memory == "ideal"
               ? "dynamic energy: arithmetic + channel SRAM + memory"
               : "dynamic energy: arithmetic + channel SRAM (DRAM: see memory_energy_pj)",
           "pJ", total);
  if (r.memory != "ideal")
    s.scalar("memory_energy_pj", "energy of the shared memory (" + r.memory + "), from its model",
             "pJ", r.memory_energy_pj);
  s.scalar("deadlocked", "1 if the run ended in a deadlock", "1", r.deadlocked() ? 1.0 : 0.0);
  if (r.checked) {
    s.scalar("max_error", "max |out - fp64 reference| / max |V|", "1", r.max_error);
    s.scalar("error_tolerance", "allowed max_error (fp32 bound)", "1", r.tolerance);
  }
  for (const auto& u : r.units) {
    StatsGroup& gs = stats.group(prefix + ".unit." + u.name);
    gs.scalar("firings", "firings of the unit", "firings", static_cast<double>(u.firings));
    gs.scalar("starved_cycles", "cycles waiting for an input element", "cycles",
              static_cast<double>(u.starved_cycles));
    gs.scalar("blocked_cycles", "cycles with inputs ready, waiting for an output slot", "cycles",
              static_cast<double>(u.blocked_cycles));
    gs.scalar("ii", "initiation interval", "cycles", u.ii);
    gs.scalar("depth", "pipeline depth", "cycles", u.depth);
  }
  for (const auto& c : r.channels) {
    StatsGroup& gs = stats.group(prefix + ".channel." + c.name);
    gs.scalar("capacity", "slots", "elements", c.capacity);
    gs.scalar("width", "fp32 values per element", "values", c.width);
    gs.scalar("latency", "send to receivable", "cycles", static_cast<double>(c.latency));
    gs.scalar("transfers", "elements sent", "elements", static_cast<double>(c.transfers));
    gs.scalar("peak_occupancy", "most slots in use at once", "elements",
              static_cast<double>(c.peak_occupancy));
    gs.scalar("mean_occupancy", "time-weighted mean of slots in use", "elements", c.mean_occupancy);
  }
  return total;
}

}  // namespace accsim::dataflow
