// run_model: minimum FIFO depths, the fit check, the real run, energy and stats.
#include <algorithm>
#include <cmath>

#include "models/fpga/fpga.h"

namespace accsim::fpga {
namespace {

std::string fmt_count(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.0f", std::max(0.0, std::ceil(v - 1e-9)));
  return b;
}

void check_fit(const hw::FpgaSpec& spec, FpgaResult& r) {
  auto over = [&](const char* what, double used, double avail, double Resources::*field) {
    if (used <= static_cast<double>(avail)) return;
    std::vector<std::pair<double, std::string>> top;
    for (const auto& l : r.layers) top.push_back({l.res.r.*field, l.name});
    std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::string s = std::string(what) + " " + fmt_count(used) + " > " + fmt_count(avail) +
                    " available (largest: ";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, top.size()) && top[i].first > 0; ++i)
      s += (i ? ", " : "") + top[i].second + " " + fmt_count(top[i].first);
    r.over.push_back(s + ")");
  };
  const auto& a = spec.res;
  over("DSP", r.total.dsp, static_cast<double>(a.dsp), &Resources::dsp);
  over("BRAM36", r.total.bram36, static_cast<double>(a.bram36), &Resources::bram36);
  over("URAM", r.total.uram, static_cast<double>(a.uram), &Resources::uram);
  over("LUT", r.total.lut, static_cast<double>(a.lut), &Resources::lut);
  over("FF", r.total.ff, static_cast<double>(a.ff), &Resources::ff);
  r.fits = r.over.empty();
}

}  // namespace

FpgaResult run_model(const ModelDesc& m, const hw::FpgaSpec& spec, const StreamParams& p,
                     StatsRegistry& stats, EnergyLedger& energy, bool allow_overfit,
                     const SourceLoc& part_where) {
  // Bottleneck: the largest per-event II of any engine (the source delivers a row per cycle).
  std::int64_t bottleneck = 1;
  for (const auto& l : m.layers)
    bottleneck = std::max(bottleneck, engine_timing(m, l, spec).layer_ii);

  // 1. Minimum depths: unbounded FIFOs, events at the sustainable rate (or slower if asked).
  StreamParams q = p;
  q.unbounded = true;
  q.compute_values = false;
  q.interval_cycles = std::max(p.interval_cycles, static_cast<double>(bottleneck));
  q.events = std::min<std::int64_t>(p.events, 64);
  FpgaResult probe = simulate(m, spec, q);

  // 2. The run itself.
  FpgaResult r = simulate(m, spec, p);
  for (auto& f : r.fifos) {
    for (const auto& g : probe.fifos)
      if (g.name == f.name) f.min_depth = f.to == "out" ? 0 : std::max<std::int64_t>(1, g.peak);
  }
  check_fit(spec, r);
  if (!r.fits && !allow_overfit) {
    std::string msg = "the model '" + m.name + "' does not fit the part " +
                      (spec.part.empty() ? spec.device : spec.part) + ":";
    for (const auto& o : r.over) msg += "\n  " + o;
    msg +=
        "\n(raise reuse factors, narrow the precision, or set model.allow_overfit: true to "
        "simulate anyway)";
    throw config_error(part_where, msg);
  }

  // 3. Energy: the simulated firings' actions priced at the layer's widths; FIFO traffic; static.
  const double events = static_cast<double>(r.events_done);
  const std::string src_op = "Horowitz ISSCC'14 45 nm, scaled by operand width (hw/fpga_spec.cpp)";
  const std::string src_mem = "Horowitz ISSCC'14 8 KB SRAM 0.16 pJ/bit (hw/fpga_spec.cpp)";
  double dyn = 0;
  for (const auto& l : r.layers) {
    if (l.kind == LayerKind::kInput) continue;
    const std::string c = "fpga." + l.name;
    const OpCounts& o = l.ops_per_event;
    const double mpj = o.mult_j * events * 1e12, apj = o.add_j * events * 1e12;
    const double tpj = o.table_bits * events * spec.energy.bram_j_per_bit * 1e12;
    if (mpj > 0) energy.add_pj(c, "multiply", mpj, src_op);
    if (apj > 0) energy.add_pj(c, "add", apj, src_op);
    if (tpj > 0) energy.add_pj(c, "table/BRAM read", tpj, src_mem);
    dyn += mpj + apj + tpj;
  }
  double fifo_pj = 0;
  for (const auto& f : r.fifos)
    fifo_pj += static_cast<double>(f.transfers) * static_cast<double>(f.element_bits) *
               spec.energy.fifo_j_per_bit * 1e12;
  if (fifo_pj > 0) energy.add_pj("fpga.fifos", "write+read", fifo_pj, src_mem);
  dyn += fifo_pj;
  energy.static_power("fpga", "static", spec.energy.static_w,
                      "assumption per part (hw/fpga_spec.cpp)");
  const double time_s = static_cast<double>(r.total_cycles) / spec.clock_hz;
  r.dynamic_pj = dyn;
  r.static_pj = spec.energy.static_w * time_s * 1e12;

  // 4. Stats.
  StatsGroup& g = stats.group("fpga");
  g.scalar("events", "events simulated to completion", "events", events);
  g.scalar("latency_first", "latency of the first event (empty pipeline)", "cycles",
           static_cast<double>(r.first_latency));
  g.scalar("latency_mean", "mean latency per event", "cycles", r.latency.mean());
  g.scalar("latency_max", "largest latency of an event", "cycles",
           static_cast<double>(r.latency.max()));
  g.scalar("ii", "sustained cycles between event outputs (second half of the run)", "cycles",
           r.ii_cycles);
  g.scalar("pipeline_ii", "largest per-event II of any engine (the bottleneck)", "cycles",
           static_cast<double>(bottleneck));
  g.scalar("events_per_s", "sustained events per second at the clock", "1/s", r.events_per_s);
  g.scalar("source_wait", "cycles events waited to enter the pipeline (back-pressure)", "cycles",
           static_cast<double>(r.source_wait_cycles));
  g.scalar("dsp", "DSP slices used", "slices", std::ceil(r.total.dsp));
  g.scalar("bram36", "36 Kb block RAMs used", "blocks", std::ceil(r.total.bram36));
  g.scalar("uram", "UltraRAMs used", "blocks", std::ceil(r.total.uram));
  g.scalar("lut", "LUTs used", "LUTs", std::ceil(r.total.lut));
  g.scalar("ff", "flip-flops used", "FFs", std::ceil(r.total.ff));
  g.scalar("energy_per_event", "dynamic + static energy per event", "pJ",
           events > 0 ? (r.dynamic_pj + r.static_pj) / events : 0);
  for (const auto& l : r.layers) {
    StatsGroup& lg = stats.group("fpga." + l.name);
    lg.scalar("firings", "engine firings (rows or tensors)", "", static_cast<double>(l.firings));
    lg.scalar("stall_cycles", "writes delayed by a full output FIFO", "cycles",
              static_cast<double>(l.stall_cycles));
    lg.scalar("starve_cycles", "waits for input data beyond the engine's II", "cycles",
              static_cast<double>(l.starve_cycles));
  }
  for (const auto& f : r.fifos) {
    if (f.to == "out") continue;
    StatsGroup& fg = stats.group("fpga.fifo." + f.name);
    fg.scalar("capacity", "depth (0 = unbounded)", "elements", static_cast<double>(f.capacity));
    fg.scalar("peak", "peak occupancy", "elements", static_cast<double>(f.peak));
    fg.scalar("min_depth", "smallest depth with no stall", "elements",
              static_cast<double>(f.min_depth));
  }
  return r;
}

}  // namespace accsim::fpga
