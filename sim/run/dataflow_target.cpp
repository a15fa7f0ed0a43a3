// The `dataflow` target: scaled dot-product attention on a streaming-dataflow accelerator
// (models/dataflow). System YAML sections: system, dataflow (the hardware), sdpa (the problem and
// the graph), workload (optional: take N, d, batch and heads from an `sdpa` op-trace record),
// and, with dataflow.memory.kind = dram, dram and controller (the DRAM the memory units stream
// Q, K, V from and O to; models/dram).
#include <cstdio>
#include <filesystem>

#include "hw/dataflow_spec.h"
#include "hw/dram_config.h"
#include "models/dataflow/dataflow.h"
#include "models/dram/backend.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/system.h"
#include "sim/run/target.h"
#include "workloads/trace/op_trace.h"

namespace accsim::run {
namespace {

struct OpWorkload {
  std::string op_trace;      // path
  std::int64_t record = -1;  // index among the file's sdpa records; -1 = the first
};

const config::Schema<OpWorkload>& op_workload_schema() {
  static const config::Schema<OpWorkload> s = [] {
    config::Schema<OpWorkload> s("workload");
    s.text("op_trace", &OpWorkload::op_trace, std::string(),
           "op trace (JSON lines) whose sdpa record sets sdpa.N, d, batch and heads; "
           "relative to this file")
        .integer<std::int64_t>(
            "record", &OpWorkload::record, -1, config::Range::at_least(-1), "",
            "which sdpa record of the op trace runs alone (0-based; -1 = the trace is one "
            "sdpa record)");
    return s;
  }();
  return s;
}

// What limited a dataflow run: the throughput unit's lanes (its work per cycle against the
// graph's peak) or, streaming from the DRAM model, the memory bandwidth when that is the larger
// fraction of its peak. Both fractions are printed so a reader can judge how close they are.
std::string dataflow_bound(double lanes_fraction, double bw, double peak_bw) {
  const auto pc = [](double x) { return report::fmt(100.0 * x, 0) + " %"; };
  const std::string lanes = "compute lanes " + pc(lanes_fraction) + " of peak";
  if (peak_bw <= 0) return lanes + " (ideal memory)";
  const double mem = bw / peak_bw;
  const std::string dram = "DRAM bandwidth " + pc(mem) + " of peak";
  return mem > lanes_fraction ? dram + ", " + lanes : lanes + ", " + dram;
}

class DataflowTarget final : public Target {
 public:
  DataflowTarget() {
    config_.add("dataflow", hw::dataflow_spec_schema(), spec_)
        .add("sdpa", dataflow::sdpa_schema(), sdpa_)
        .add("workload", op_workload_schema(), wl_)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          if (n["op_trace"] && !origin.is_override())
            wl_.op_trace = resolve_relative(origin.file(), wl_.op_trace);
        })
        .add("dram", hw::dram_config_schema(), dram_)
        .shown_if([this] { return use_dram(); })
        .add("controller", dram::controller_schema(), ctrl_)
        .shown_if([this] { return use_dram(); });
  }

  void set_workload_path(const std::string& path) override { wl_.op_trace = path; }

  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    config_.validate("dataflow", file, prov);
    config_.validate("workload", file, prov);
    if (!wl_.op_trace.empty()) apply_op_trace(prov);
    config_.validate("sdpa", file, prov);
    dataflow::validate_sdpa(sdpa_, config_.loc("sdpa", file));
    const bool has_dram = config_.given("dram"), has_ctrl = config_.given("controller");
    if (use_dram()) {
      if (!has_dram)
        throw config_error(config_.loc("dataflow", file),
                           "dataflow.memory.kind is dram, but the config has no dram: section "
                           "(e.g. dram: {preset: HBM3})");
      config_.validate("dram", file, prov);
      dram_spec_ = hw::resolve_dram_spec(dram_, config_.loc("dram", file));
      config_.validate("controller", file, prov);
    } else if (has_dram || has_ctrl) {
      throw config_error(config_.loc(has_dram ? "dram" : "controller", file),
                         std::string("a ") + (has_dram ? "dram:" : "controller:") +
                             " section is given, but dataflow.memory.kind is ideal (set "
                             "dataflow.memory.kind: dram to stream from the DRAM model)");
    }
  }

  Json config_json() const override {
    Json j = config_.to_json();
    if (!record_desc_.empty()) j["workload_record"] = record_desc_;
    return j;
  }

  void describe(std::ostream& os, const config::Provenance& prov) const override {
    config_.describe(os, prov);
    if (!record_desc_.empty()) os << "# sdpa shape taken from " << record_desc_ << "\n";
    if (use_dram())
      os << "# resolved device: " << dram_spec_.name << ", " << dram_spec_.data_rate_mtps
         << " MT/s, tCK " << dram_spec_.timing.tCK_ps << " ps, "
         << dram_spec_.org.independent_channels() << " independent channel(s), peak "
         << dram_spec_.peak_bw_total() / 1e9 << " GB/s\n";
  }

  MemoryEstimate estimated_memory() const override {
    MemoryEstimate e{dataflow::estimated_sdpa_bytes(sdpa_),
                     "Q, K, V, O tensors and the fp64 check"};
    if (use_dram()) {
      const MemoryEstimate d = dram_memory_estimate(dram_spec_);
      e.bytes += d.bytes;
      e.parts += "; " + d.parts;
    }
    return e;
  }

  Json run(const RunContext& ctx, Summary& summary) override {
    if (ctx.progress)
      ctx.progress(0.0, "simulating " + std::string(dataflow::graph_name(sdpa_.graph)) + " SDPA");
    std::shared_ptr<dataflow::SharedMemory> mem;
    if (use_dram()) mem = dataflow::make_dram_memory(dram_spec_, ctrl_, spec_, *ctx.stats, "dram");
    dataflow::DataflowResult r = dataflow::run_sdpa(spec_, sdpa_, *ctx.stats, *ctx.energy, mem);
    if (ctx.progress) ctx.progress(1.0, "done");
    ctx.energy->finalize(r.time_s);
    if (r.deadlocked())
      throw sim_error("dataflow: the " + std::string(dataflow::graph_name(sdpa_.graph)) +
                      " SDPA graph deadlocked:\n" + r.deadlock->text());
    if (r.checked && !r.output_ok)
      throw sim_error(
          "dataflow: the simulated SDPA output differs from the fp64 reference (max "
          "error " +
          std::to_string(r.max_error) + " > tolerance " + std::to_string(r.tolerance) + ")");
    summary.target = "dataflow";
    summary.workload = std::string(dataflow::graph_name(sdpa_.graph)) +
                       " SDPA N=" + std::to_string(sdpa_.N) + " d=" + std::to_string(sdpa_.d);
    summary.sim_time_s = r.time_s;
    summary.work = static_cast<double>(r.work);
    summary.work_unit = r.work_unit;
    summary.bytes = static_cast<double>(r.mem_bytes_read + r.mem_bytes_written);
    summary.bandwidth_Bps = r.mem_bandwidth_Bps;
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    summary.bound = dataflow_bound(r.overall_fraction, r.mem_bandwidth_Bps,
                                   use_dram() ? dram_spec_.peak_bw_total() : 0.0);
    if (!wl_.op_trace.empty()) summary.op_trace = Summary::OpTraceRun{op_trace_records_, 1, 1};
    summary.highlights.push_back(
        {"throughput", report::fmt(r.overall_per_cycle, 3) + " " + r.work_unit + "/cycle (" +
                           report::fmt(100.0 * r.overall_fraction, 1) + " % of peak; sustained " +
                           report::fmt(100.0 * r.sustained_fraction, 1) + " %)"});
    summary.highlights.push_back({"cycles", report::fmt(static_cast<double>(r.total_cycles), 0) +
                                                " at " + report::fmt_si(spec_.clock_hz, "Hz")});
    summary.highlights.push_back(
        {"intermediate memory",
         report::fmt_si(static_cast<double>(r.intermediate_bytes), "B") +
             " in channels (peak use " +
             report::fmt_si(static_cast<double>(r.peak_intermediate_bytes), "B") + ")"});
    if (r.checked) {
      auto g3 = [](double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%.3g", v);
        return std::string(b);
      };
      summary.highlights.push_back({"output vs fp64", "max error " + g3(r.max_error) +
                                                          " (tolerance " + g3(r.tolerance) + ")"});
    }
    Json body = Json::object();
    Json w = Json::object();
    w["graph"] = r.graph;
    w["N"] = sdpa_.N;
    w["queries"] = sdpa_.queries();
    w["d"] = sdpa_.d;
    w["batch"] = sdpa_.batch;
    w["heads"] = sdpa_.heads;
    if (!record_desc_.empty()) w["from"] = record_desc_;
    body["workload"] = w;
    Json comp = Json::object();
    comp["dataflow"] = {
        {"latency", {{"total_cycles", r.total_cycles}, {"total_ns", r.time_s * 1e9}}},
        {"throughput",
         {{"work", r.work},
          {"unit", r.work_unit},
          {"peak_per_cycle", r.peak_per_cycle},
          {"overall_per_cycle", r.overall_per_cycle},
          {"overall_fraction_of_peak", r.overall_fraction},
          {"sustained_per_cycle", r.sustained_per_cycle},
          {"sustained_fraction_of_peak", r.sustained_fraction}}},
        {"memory",
         {{"intermediate_bytes", r.intermediate_bytes},
          {"peak_intermediate_bytes", r.peak_intermediate_bytes}}},
        {"energy", {{"total_pj", ctx.energy->total_pj()}}},
        {"bandwidth",
         {{"bytes_read", r.mem_bytes_read},
          {"bytes_written", r.mem_bytes_written},
          {"achieved_Bps", r.mem_bandwidth_Bps}}},
        {"check",
         {{"checked", r.checked}, {"max_error", r.max_error}, {"tolerance", r.tolerance}}}};
    comp["dataflow"]["energy"]["units_pj"] = r.energy_pj;
    comp["dataflow"]["memory"]["kind"] = r.memory;
    if (use_dram()) {
      const double peak = dram_spec_.peak_bw_total();
      const StatsGroup& g = ctx.stats->group("dram");
      const double dram_bytes = g.value("read_bytes") + g.value("write_bytes");
      summary.peak_bandwidth_Bps = peak;  // (the bound above uses the same figure)
      comp["dram"] = {
          {"device", r.memory},
          {"energy", {{"total_pj", ctx.energy->component_pj("dram")}}},
          {"bandwidth",
           {{"bytes_read", g.value("read_bytes")},
            {"bytes_written", g.value("write_bytes")},
            {"achieved_Bps", r.time_s > 0 ? dram_bytes / r.time_s : 0.0},
            {"peak_Bps", peak},
            {"utilisation", r.time_s > 0 && peak > 0 ? dram_bytes / r.time_s / peak : 0.0}}},
          {"row_hit_rate", g.value("row_hit_rate")},
          {"protocol_violations", g.value("protocol_violations")}};
    }
    body["components"] = comp;
    Json notes = Json::array(
        {use_dram() ? "Memory units share one DRAM model (dram: and controller: sections); its "
                      "requests are ordered by issue cycle across units, and its energy comes "
                      "from the DRAM model's IDD-based observer (component dram)."
                    : "Memory is an ideal port per memory unit (bandwidth and latency from "
                      "dataflow.memory); ports do not compete for bandwidth.",
         "Values are fp32; causal masking and static power are not modelled.",
         "Each point simulates sdpa.M query rows (M = 0: N rows) against all N keys."});
    for (const auto& wmsg : r.warnings) notes.push_back("warning: " + wmsg);
    if (!m_replaced_.empty()) notes.push_back(m_replaced_);
    body["notes"] = notes;
    return body;
  }

 private:
  void apply_op_trace(const config::Provenance& prov) {
    const std::vector<workloads::OpRecord> recs = workloads::read_op_trace(wl_.op_trace);
    const workloads::OpRecord& r =
        workloads::pick_sdpa_record(recs, wl_.record, wl_.op_trace, "dataflow", "workload.record");
    const auto dim = [&](const char* key, std::int64_t def) {
      auto v = r.dim(key);
      return v ? static_cast<std::int64_t>(*v) : def;
    };
    sdpa_.N = dim("N", sdpa_.N);
    sdpa_.d = dim("d", sdpa_.d);
    sdpa_.batch = dim("B", sdpa_.batch);
    sdpa_.heads = dim("H", sdpa_.heads);
    // One pass of the op trace: every query row of the record (a system file's sdpa.M, which
    // simulates the first M rows of its own workload, would leave work out; the report says so).
    if (sdpa_.M != 0 && sdpa_.M != sdpa_.N)
      m_replaced_ = "sdpa.M " + std::to_string(sdpa_.M) + " (" + prov.of("sdpa.M") +
                    ") replaced by all " + std::to_string(sdpa_.N) +
                    " query rows of the op-trace record";
    sdpa_.M = 0;
    record_desc_ = std::filesystem::path(wl_.op_trace).filename().string() + ":" +
                   std::to_string(r.line) + " (" + r.kernel + ")";
    op_trace_records_ = recs.size();
  }

  bool use_dram() const { return spec_.memory.kind == hw::DataflowMemoryKind::kDram; }

  hw::DataflowSpec spec_;
  hw::DramConfig dram_;
  dram::ControllerConfig ctrl_;
  hw::DramSpec dram_spec_;
  dataflow::SdpaParams sdpa_;
  OpWorkload wl_;
  std::string record_desc_;
  std::size_t op_trace_records_ = 0;  // records in workload.op_trace (one of them runs)
  std::string m_replaced_;            // note: the op-trace record replaced sdpa.M
};

}  // namespace

ACCSIM_REGISTER(Target, "dataflow",
                "streaming-dataflow SDPA units (naive O(N) and reordered O(1) attention)",
                [] { return std::unique_ptr<Target>(new DataflowTarget); });

}  // namespace accsim::run
