// The `fpga` target: a transformer compiled to an FPGA as hls4ml-style layer pipelines
// (models/fpga). System YAML sections: system, fpga (part, clock, timing, energy), model (the
// model description file and run-time overrides of its defaults), stream (events, rate, FIFO
// depths).
#include <cmath>
#include <filesystem>

#include "hw/fpga_spec.h"
#include "models/fpga/fpga.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/system.h"
#include "sim/run/target.h"
#include "workloads/trace/op_trace.h"
#include "workloads/trace/trace_file.h"

namespace accsim::run {
namespace {

struct ModelSection {
  std::string path;               // model description (YAML), relative to the system file
  std::string op_trace;           // or: an op trace whose sdpa record runs as one mha layer
  std::int64_t record = -1;       // which sdpa record (-1 = the first)
  std::string io_type;            // "" = the file's
  std::int64_t reuse_factor = 0;  // 0 = the file's
  std::int64_t parallelization_factor = 0;  // 0 = the file's
  std::string strategy;                     // "" = the file's
  std::string precision;                    // "" = the file's
  bool allow_overfit = false;
};

struct StreamSection {
  std::int64_t events = 200;
  double rate_hz = 0;            // 0 = back-to-back
  std::int64_t fifo_depth = -1;  // -1 = the model's
  bool compute_values = true;
};

const config::Schema<ModelSection>& model_schema() {
  static const config::Schema<ModelSection> s = [] {
    config::Schema<ModelSection> s("model");
    s.text("path", &ModelSection::path, std::string(),
           "model description (hls4ml-like YAML, models/fpga/README.md); relative to this file")
        .text("op_trace", &ModelSection::op_trace, std::string(),
              "instead of path: an op trace (JSON lines) whose sdpa record runs as one mha "
              "layer (N x H*d input, H heads of d); relative to this file")
        .integer<std::int64_t>(
            "record", &ModelSection::record, -1, config::Range::at_least(-1), "",
            "which sdpa record of model.op_trace runs alone (0-based; -1 = the trace is "
            "one sdpa record)")
        .text("io_type", &ModelSection::io_type, std::string(),
              "overrides the file's io_type (io_parallel | io_stream); empty = the file's")
        .integer<std::int64_t>("reuse_factor", &ModelSection::reuse_factor, 0,
                               config::Range::between(0, 1 << 20), "",
                               "overrides the file's default reuse factor; 0 = the file's")
        .integer<std::int64_t>("parallelization_factor", &ModelSection::parallelization_factor, 0,
                               config::Range::between(0, 1 << 16), "rows",
                               "overrides the file's default parallelization factor (io_parallel "
                               "rows per firing of dense, softmax, layernorm); 0 = the file's")
        .text("strategy", &ModelSection::strategy, std::string(),
              "overrides the file's default strategy (latency | resource); empty = the file's")
        .text("precision", &ModelSection::precision, std::string(),
              "overrides the file's default precision (e.g. ap_fixed<12,5>); empty = the file's")
        .flag("allow_overfit", &ModelSection::allow_overfit, false,
              "simulate a design that does not fit the part (flagged in the report) instead of "
              "stopping with an error");
    return s;
  }();
  return s;
}

const config::Schema<StreamSection>& stream_schema() {
  static const config::Schema<StreamSection> s = [] {
    config::Schema<StreamSection> s("stream");
    s.integer<std::int64_t>("events", &StreamSection::events, 200, config::Range::between(1, 1e7),
                            "events", "input events simulated")
        .quantity("rate", &StreamSection::rate_hz, Unit::kFrequency, 0.0,
                  config::Range::between(0, 1e12),
                  "event arrival rate (e.g. 40MHz); 0 = back-to-back, as fast as accepted")
        .integer<std::int64_t>(
            "fifo_depth", &StreamSection::fifo_depth, -1, config::Range::between(-1, 1 << 24),
            "elements",
            "depth of every FIFO (io_stream: rows; io_parallel: tensor buffers); -1 = the "
            "model's")
        .flag("compute_values", &StreamSection::compute_values, true,
              "compute the fixed-point values (false: timing only)");
    return s;
  }();
  return s;
}

// What limited an FPGA run: the busiest layer, its firings x output-row II (or its event gap,
// for the mha engine) as a share of the run's cycles; with one event, the pipeline's latency.
std::string fpga_bound(const fpga::FpgaResult& r) {
  if (r.events_done <= 1) return "pipeline latency (one event: fill and drain)";
  const fpga::LayerReport* top = nullptr;
  double top_busy = -1;
  for (const auto& l : r.layers) {
    const double busy =
        std::max(static_cast<double>(l.firings) * l.timing.row_ii,
                 static_cast<double>(r.events_done) * static_cast<double>(l.timing.event_gap));
    if (busy > top_busy) top_busy = busy, top = &l;
  }
  if (top == nullptr || r.total_cycles <= 0) return "";
  return "initiation interval " + report::fmt(r.ii_cycles, 1) + " cycles, layer " + top->name +
         " busiest (" + report::fmt(100.0 * top_busy / static_cast<double>(r.total_cycles), 0) +
         " % of the cycles)";
}

class FpgaTarget final : public Target {
 public:
  FpgaTarget() {
    config_.add("fpga", hw::fpga_spec_schema(), spec_)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          if (n.IsMap() && n["part"]) part_loc_ = origin.loc(n["part"]);
        })
        .add("model", model_schema(), ms_)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          if (n.IsMap() && n["path"] && !origin.is_override())
            ms_.path = resolve_relative(origin.file(), ms_.path);
          if (n.IsMap() && n["op_trace"] && !origin.is_override())
            ms_.op_trace = resolve_relative(origin.file(), ms_.op_trace);
        })
        .add("stream", stream_schema(), ss_);
    spec_ = hw::fpga_preset("VU13P");
  }

  // --workload FILE: an op trace (its header says so) runs its sdpa record; anything else is a
  // model file.
  void set_workload_path(const std::string& path) override {
    const bool ops = workloads::is_op_trace_file(path);
    ms_.path = ops ? std::string() : path;
    ms_.op_trace = ops ? path : std::string();
  }

  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    for (const char* sec : {"fpga", "model", "stream"}) config_.validate(sec, file, prov);
    if (part_loc_.file.empty()) part_loc_ = config_.loc("fpga", file);
    if (ms_.path.empty() == ms_.op_trace.empty())
      throw config_error(config_.loc("model", file),
                         "give exactly one of 'model.path' (a model description) "
                         "and 'model.op_trace' (an sdpa record)");
    std::string source = ms_.path;
    YAML::Node root;
    if (!ms_.op_trace.empty()) {
      source = sdpa_model_text(prov);
      root = config::load_yaml_string(source, record_desc_);
    } else {
      root = config::load_yaml_file(ms_.path);
    }
    config::Origin origin(ms_.op_trace.empty() ? ms_.path : record_desc_);
    if (root.IsMap() && root["model"] && root["model"].IsMap()) {
      // Overrides from the system file replace the model file's defaults.
      YAML::Node m = root["model"];
      if (!ms_.io_type.empty()) m["io_type"] = ms_.io_type;
      if (ms_.reuse_factor > 0) m["reuse_factor"] = ms_.reuse_factor;
      if (ms_.parallelization_factor > 0) m["parallelization_factor"] = ms_.parallelization_factor;
      if (!ms_.strategy.empty()) m["strategy"] = ms_.strategy;
      if (!ms_.precision.empty()) m["precision"] = ms_.precision;
    }
    model_ = fpga::load_model(root, origin);
  }

  // One mha layer (self-attention with projections) of the shape of an sdpa record; the batch
  // becomes the number of events (one pass of the op trace).
  std::string sdpa_model_text(const config::Provenance& prov) {
    const std::vector<workloads::OpRecord> recs = workloads::read_op_trace(ms_.op_trace);
    const workloads::OpRecord& r =
        workloads::pick_sdpa_record(recs, ms_.record, ms_.op_trace, "fpga", "model.record");
    const SourceLoc where{ms_.op_trace, r.line, 0};
    const auto dim = [&](const char* key) {
      auto v = r.dim(key);
      return v ? static_cast<std::int64_t>(*v) : std::int64_t{0};
    };
    const std::int64_t B = std::max<std::int64_t>(1, dim("B")), H = dim("H"), N = dim("N"),
                       d = dim("d"), nkv = dim("N_kv");
    if (nkv != 0 && nkv != N)
      throw config_error(where, "sdpa record with N_kv " + std::to_string(nkv) + " != N " +
                                    std::to_string(N) +
                                    ": the fpga mha engine is self-attention only");
    if (N > 4096 || H * d > 4096)
      throw config_error(where, "sdpa record too large for an on-chip hls4ml mha layer (N " +
                                    std::to_string(N) + ", H*d " + std::to_string(H * d) + ")");
    record_desc_ = ms_.op_trace + ":" + std::to_string(r.line) + " (" + r.kernel + ")";
    op_trace_records_ = recs.size();
    // One pass of the op trace: the record's B sequences are the events (a system file's
    // stream.events, e.g. the jet tagger's 200, is for its own model; the report says so).
    if (ss_.events != B && prov.of("stream.events") != "default")
      events_replaced_ = "stream.events " + std::to_string(ss_.events) + " (" +
                         prov.of("stream.events") +
                         ") replaced by the sdpa record's B = " + std::to_string(B) +
                         ": one event per sequence, one pass of the op trace";
    ss_.events = B;
    if (r.causal) causal_ = true;
    return "model: {name: 'sdpa-" + r.kernel + "'}\nlayers:\n  - {name: x, kind: input, shape: [" +
           std::to_string(N) + ", " + std::to_string(H * d) +
           "]}\n  - {name: attention, kind: mha, heads: " + std::to_string(H) +
           ", head_dim: " + std::to_string(d) + "}\n";
  }

  void describe(std::ostream& os, const config::Provenance& prov) const override {
    config_.describe(os, prov);
    os << "# model " << model_.name << " (" << fpga::io_name(model_.io)
       << "): " << model_.layers.size() << " layers from "
       << (ms_.path.empty() ? record_desc_ : ms_.path) << "\n";
  }

  Json run(const RunContext& ctx, Summary& summary) override {
    fpga::StreamParams p;
    p.events = ss_.events;
    p.interval_cycles = ss_.rate_hz > 0 ? spec_.clock_hz / ss_.rate_hz : 0.0;
    p.fifo_depth = ss_.fifo_depth;
    p.compute_values = ss_.compute_values;
    if (ctx.progress) ctx.progress(0.0, "simulating " + model_.name);
    fpga::FpgaResult r =
        fpga::run_model(model_, spec_, p, *ctx.stats, *ctx.energy, ms_.allow_overfit, part_loc_);
    if (ctx.progress) ctx.progress(1.0, "done");
    const double time_s = static_cast<double>(r.total_cycles) / spec_.clock_hz;
    ctx.energy->finalize(time_s);
    if (r.deadlocked())
      throw sim_error("fpga: the " + model_.name + " pipeline deadlocked after " +
                      std::to_string(r.events_done) + " of " + std::to_string(p.events) +
                      " events:\n" + r.deadlock->text() +
                      "(raise the depth of a full FIFO; the report of a run with deeper FIFOs "
                      "lists each FIFO's minimum depth)");
    const double ns = 1e9 / spec_.clock_hz;
    summary.target = "fpga";
    summary.workload = model_.name + " (" + std::string(fpga::io_name(model_.io)) + ", " +
                       std::to_string(r.events_done) + " events)";
    summary.sim_time_s = time_s;
    summary.work = static_cast<double>(r.events_done);
    summary.work_unit = "events";
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    summary.latency_mean_ns = r.latency.mean() * ns;
    summary.latency_p99_ns = static_cast<double>(r.latency.percentile(99)) * ns;
    summary.latency_max_ns = static_cast<double>(r.latency.max()) * ns;
    summary.bound = fpga_bound(r);
    if (!ms_.op_trace.empty()) summary.op_trace = Summary::OpTraceRun{op_trace_records_, 1, 1};
    summary.highlights.push_back(
        {"latency, empty pipeline",
         report::fmt(static_cast<double>(r.first_latency), 0) + " cycles (" +
             report::fmt_si(static_cast<double>(r.first_latency) * ns * 1e-9, "s") + ")"});
    summary.highlights.push_back({"II", report::fmt(r.ii_cycles, 1) + " cycles (" +
                                            report::fmt_si(r.events_per_s, "events/s") + ")"});
    {
      auto use = [](const char* name, double used, std::int64_t avail) {
        return std::string(name) + " " + report::fmt(std::ceil(used), 0) + " (" +
               report::fmt(avail > 0 ? 100.0 * used / static_cast<double>(avail) : 0.0, 0) + " %)";
      };
      summary.highlights.push_back(
          {"resources on " + (spec_.part.empty() ? spec_.device : spec_.part),
           use("DSP", r.total.dsp, spec_.res.dsp) + ", " +
               use("BRAM36", r.total.bram36, spec_.res.bram36) + ", " +
               use("LUT", r.total.lut, spec_.res.lut) + ", " + use("FF", r.total.ff, spec_.res.ff) +
               (r.fits ? "" : " - does NOT fit")});
    }
    {
      std::string st = r.stall_summary();
      if (st.rfind("stalls: ", 0) == 0) st = st.substr(8);
      summary.highlights.push_back({"stalls", st});
    }
    {
      std::int64_t shallow = 0;
      for (const auto& f : r.fifos)
        if (f.to != "out" && f.capacity > 0 && f.capacity < f.min_depth) ++shallow;
      if (shallow > 0)
        summary.highlights.push_back(
            {"FIFOs",
             std::to_string(shallow) +
                 " below their minimum depth for no stall (report: components.fpga.fifos)"});
    }

    Json body = Json::object();
    Json w = Json::object();
    w["model"] = model_.name;
    w["file"] =
        std::filesystem::path(ms_.path.empty() ? ms_.op_trace : ms_.path).filename().string();
    if (!record_desc_.empty()) w["from"] = record_desc_;
    w["io_type"] = fpga::io_name(model_.io);
    w["events"] = r.events_done;
    w["rate_hz"] = ss_.rate_hz;
    body["workload"] = w;

    Json layers = Json::array();
    for (const auto& l : r.layers) {
      Json j = Json::object();
      j["name"] = l.name;
      j["kind"] = fpga::kind_name(l.kind);
      j["shape"] = {l.rows, l.cols};
      j["reuse"] = l.reuse;
      j["parallel_rows"] = l.parallel;
      j["row_ii"] = l.timing.row_ii;
      j["row_depth"] = l.timing.row_depth;
      j["layer_ii"] = l.timing.layer_ii;
      j["layer_latency"] = l.timing.layer_latency;
      j["stall_cycles"] = l.stall_cycles;
      j["starve_cycles"] = l.starve_cycles;
      j["dsp"] = std::ceil(l.res.r.dsp);
      j["bram36"] = l.res.r.bram36;
      j["uram"] = l.res.r.uram;
      j["lut"] = std::ceil(l.res.r.lut);
      j["ff"] = std::ceil(l.res.r.ff);
      j["multipliers"] = l.res.multipliers;
      j["notes"] = l.res.notes;
      layers.push_back(j);
    }
    Json fifos = Json::array();
    for (const auto& f : r.fifos) {
      if (f.to == "out") continue;
      fifos.push_back({{"name", f.name},
                       {"depth", f.capacity},
                       {"element_bits", f.element_bits},
                       {"peak", f.peak},
                       {"min_depth_no_stall", f.min_depth},
                       {"delayed_writes", f.delayed_writes}});
    }
    auto pct = [](double used, double avail) { return avail > 0 ? 100.0 * used / avail : 0.0; };
    Json res = {{"part", spec_.part.empty() ? spec_.device : spec_.part},
                {"device", spec_.device},
                {"fits", r.fits},
                {"over", r.over},
                {"dsp",
                 {{"used", std::ceil(r.total.dsp)},
                  {"available", spec_.res.dsp},
                  {"pct", pct(r.total.dsp, static_cast<double>(spec_.res.dsp))}}},
                {"bram36",
                 {{"used", std::ceil(r.total.bram36)},
                  {"available", spec_.res.bram36},
                  {"pct", pct(r.total.bram36, static_cast<double>(spec_.res.bram36))}}},
                {"uram",
                 {{"used", std::ceil(r.total.uram)},
                  {"available", spec_.res.uram},
                  {"pct", pct(r.total.uram, static_cast<double>(spec_.res.uram))}}},
                {"lut",
                 {{"used", std::ceil(r.total.lut)},
                  {"available", spec_.res.lut},
                  {"pct", pct(r.total.lut, static_cast<double>(spec_.res.lut))}}},
                {"ff",
                 {{"used", std::ceil(r.total.ff)},
                  {"available", spec_.res.ff},
                  {"pct", pct(r.total.ff, static_cast<double>(spec_.res.ff))}}}};
    const double ev = static_cast<double>(std::max<std::int64_t>(1, r.events_done));
    Json comp = Json::object();
    comp["fpga"] = {{"latency",
                     {{"first_cycles", r.first_latency},
                      {"first_ns", static_cast<double>(r.first_latency) * ns},
                      {"mean_cycles", r.latency.mean()},
                      {"mean_ns", r.latency.mean() * ns},
                      {"max_cycles", r.latency.max()},
                      {"total_cycles", r.total_cycles},
                      {"total_ns", time_s * 1e9}}},
                    {"throughput",
                     {{"ii_cycles", r.ii_cycles},
                      {"events_per_s", r.events_per_s},
                      {"source_wait_cycles", r.source_wait_cycles}}},
                    {"stalls", r.stall_summary()},
                    {"resources", res},
                    {"energy",
                     {{"dynamic_pj", r.dynamic_pj},
                      {"static_pj", r.static_pj},
                      {"per_event_pj", (r.dynamic_pj + r.static_pj) / ev}}},
                    {"layers", layers},
                    {"fifos", fifos}};
    body["components"] = comp;
    Json notes = Json::array(
        {"Latency, II and resources follow the engine formulas of models/fpga/README.md; they "
         "are a model of hls4ml's designs, not an HLS report.",
         "Weights and input events are generated from the model's seed (no trained weights).",
         "Energy: 45 nm ASIC per-op figures (Horowitz ISSCC'14) and an assumed static power; "
         "see hw/fpga_spec.cpp."});
    if (!r.fits) notes.push_back("warning: the design does not fit the part (allow_overfit)");
    if (!ms_.op_trace.empty())
      notes.push_back(
          "the sdpa record runs as hls4ml's MultiHeadAttention layer, which also computes the Q, "
          "K, V and output projections (work that the op trace holds in its own qkv and proj "
          "records): its time and resources are an upper bound for the attention alone");
    if (!events_replaced_.empty()) notes.push_back(events_replaced_);
    if (causal_)
      notes.push_back(
          "the sdpa record is causal; the mha engine computes the full score matrix "
          "(no masking), as hls4ml's does");
    body["notes"] = notes;
    return body;
  }

 private:
  hw::FpgaSpec spec_;
  ModelSection ms_;
  StreamSection ss_;
  fpga::ModelDesc model_;
  SourceLoc part_loc_;
  std::string record_desc_;
  std::size_t op_trace_records_ = 0;  // records in model.op_trace (one of them runs)
  std::string events_replaced_;       // note: the op trace's B replaced stream.events
  bool causal_ = false;
};

}  // namespace

ACCSIM_REGISTER(Target, "fpga",
                "hls4ml-style FPGA layer pipelines (dense, MHA, softmax, layernorm; io_parallel / "
                "io_stream)",
                [] { return std::unique_ptr<Target>(new FpgaTarget); });

}  // namespace accsim::run
