// The `gpu` target: a GPU (models/gpu: SMs issuing the kernels' instruction mix, L1, L2 slices,
// HBM) replaying CUDA kernels, from a captured/generated access trace or generated on the fly
// from a kernel and shape (workloads/gen/kernel_access.h). System YAML sections: system, gpu,
// dram (the GPU preset's memory unless given), controller, workload.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "hw/dram_config.h"
#include "hw/gpu_spec.h"
#include "models/dram/backend.h"
#include "models/gpu/gpu.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/system.h"
#include "sim/run/target.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/access_trace.h"
#include "workloads/trace/kernel_source.h"
#include "workloads/trace/trace_file.h"

namespace accsim::run {
namespace {

// How the launches of an op trace run: one after another on one GPU (caches keep their contents
// from launch to launch, as a step of a model runs), or each alone on a cold GPU and compared
// with its measured figures (`accsim validate`).
enum class OpTraceReplay { kInOrder, kAlone };

struct GpuWorkload {
  std::string trace;     // an access trace (.atrace): every kernel in it, in order
  std::string op_trace;  // or: an op trace (op_trace_replay says how its launches run)
  OpTraceReplay op_trace_replay = OpTraceReplay::kInOrder;
  std::string kernel;  // or: an op of the reference kernels (gemm, gemv, softmax, ...)
  std::string shape;   // its shape, "M=4096,K=4096"
  std::string dtype = "fp16";
  bool causal = false;
  int sample_waves = 0;  // 0: every CTA; N: the first N waves per kernel, extrapolated
};

const config::Schema<GpuWorkload>& gpu_workload_schema() {
  static const config::Schema<GpuWorkload> s = [] {
    config::Schema<GpuWorkload> s("workload");
    s.text("trace", &GpuWorkload::trace, std::string(),
           "access trace (.atrace) to replay, every kernel in order; relative to this file")
        .text("op_trace", &GpuWorkload::op_trace, std::string(),
              "instead of trace: an op trace (JSON lines, e.g. from `accsim trace gen model` or "
              "reference/data/<gpu>/optrace.jsonl); every launch's accesses and instruction mix "
              "are generated from its record; relative to this file")
        .choice<OpTraceReplay>(
            "op_trace_replay", &GpuWorkload::op_trace_replay,
            {{"in_order", OpTraceReplay::kInOrder}, {"alone", OpTraceReplay::kAlone}},
            OpTraceReplay::kInOrder,
            "in_order: the launches run one after another on one GPU, L2 and DRAM state carried "
            "over (a model step); alone: each launch on a cold GPU, compared with the record's "
            "measured figures (what `accsim validate` runs)")
        .text("kernel", &GpuWorkload::kernel, std::string(),
              "instead of trace: a reference-kernel op whose accesses are generated "
              "(gemm|gemv|softmax|layernorm|gelu|add|sdpa_flash|sdpa_naive|decode)")
        .text("shape", &GpuWorkload::shape, std::string(),
              "the op's shape, e.g. M=4096,K=4096 (workloads/README.md)")
        .text("dtype", &GpuWorkload::dtype, std::string("fp16"), "fp16|bf16|fp32")
        .flag("causal", &GpuWorkload::causal, false, "causal attention (sdpa ops)")
        .integer("sample_waves", &GpuWorkload::sample_waves, std::optional<int>(0),
                 config::Range::between(0, 1 << 20), "waves",
                 "0: simulate every CTA; N: simulate the first N waves of CTAs of each kernel "
                 "and extrapolate (models/gpu/README.md, \"Sampling\")");
    return s;
  }();
  return s;
}

// Figures one kernel reports (components.gpu.latency.kernels[]).
Json kernel_json(const gpu::KernelStats& k) {
  Json util = Json::object();
  for (const auto& u : k.utilisation) util[u.resource] = u.value;
  Json instr = Json::object();
  for (std::uint32_t c = 0; c < workloads::kInstrClassCount; ++c)
    if (k.instructions[c] > 0) instr[workloads::kInstrClasses[c].name] = k.instructions[c];
  Json j = {{"kernel", k.name},
            {"memory_only", k.memory_only},
            {"records", k.records},
            {"sectors", k.accesses},
            {"ctas", k.ctas},
            {"ctas_per_sm", k.ctas_per_sm},
            {"occupancy_limiter", k.occupancy_limiter},
            {"warps_per_sm", k.warps_per_sm},
            {"l1_bytes_per_sm", k.l1_bytes},
            {"time_ns", k.time_ns},
            {"cycles", k.cycles},
            {"bound", k.bound},
            {"bound_utilisation", k.bound_utilisation},
            {"utilisation", util},
            {"instructions", instr},
            {"warp_instructions", k.issued},
            {"stall_cycles",
             {{"memory", k.stall_memory},
              {"dependency", k.stall_dependency},
              {"pipe", k.stall_pipe},
              {"barrier", k.stall_barrier},
              {"memory_slots", k.stall_mem_slots}}},
            {"l1_hit_rate", k.l1_hit_rate()},
            {"l2_hit_rate", k.l2_hit_rate_ncu()},
            {"l2_primary_miss_rate", k.l2_primary_miss_rate()},
            {"dram_read_bytes", k.dram_read_bytes},
            {"dram_write_bytes", k.dram_write_bytes},
            {"l2_dirty_bytes_at_end", k.l2_dirty_bytes_at_end},
            {"smem_async_bytes", k.smem_async_bytes},
            {"mean_latency_cycles", k.accesses ? static_cast<double>(k.latency_sum_cycles) /
                                                     static_cast<double>(k.accesses)
                                               : 0.0},
            {"max_latency_cycles", k.latency_max_cycles}};
  if (k.sampled)
    j["sampled"] = {{"simulated_ctas", k.sampled_ctas},
                    {"total_ctas", k.total_ctas},
                    {"simulated_time_ns", k.sampled_time_ns},
                    {"extrapolated_by", k.extrapolation}};
  return j;
}

constexpr std::size_t kKernelBoundsShown = 6;  // kernels listed by name in the run's highlights

std::string pct(double x) {
  return report::fmt(100.0 * x, 1) + " %";
}

// Compares simulated with measured figures over the launches that have both: per-point relative
// error, MAPE and Pearson correlation.
class Comparison {
 public:
  // Adds a point and returns its relative error ((sim - measured) / measured); measured must be
  // positive.
  double add(double measured, double simulated) {
    m_.push_back(measured);
    s_.push_back(simulated);
    return (simulated - measured) / measured;
  }
  std::size_t points() const { return m_.size(); }
  double mape() const {
    double sum = 0;
    for (std::size_t i = 0; i < m_.size(); ++i) sum += std::abs(s_[i] - m_[i]) / m_[i];
    return m_.empty() ? 0 : sum / static_cast<double>(m_.size());
  }
  double correlation() const {
    if (m_.size() < 2) return 0;
    const auto n = static_cast<double>(m_.size());
    double ma = 0, sa = 0;
    for (std::size_t j = 0; j < m_.size(); ++j) ma += m_[j] / n, sa += s_[j] / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t j = 0; j < m_.size(); ++j) {
      sxy += (m_[j] - ma) * (s_[j] - sa);
      sxx += (m_[j] - ma) * (m_[j] - ma);
      syy += (s_[j] - sa) * (s_[j] - sa);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
  }
  // MAPE needs one point and a correlation two; where they are undefined the report has null.
  Json to_json() const {
    return {{"points", points()},
            {"mape", m_.empty() ? Json() : Json(mape())},
            {"correlation", m_.size() < 2 ? Json() : Json(correlation())}};
  }

 private:
  std::vector<double> m_, s_;
};

// A generated launch as a record source (each warp's records as the replay asks for them).
std::unique_ptr<workloads::KernelRecordSource> generated_source(
    const workloads::KernelLaunch& launch) {
  return workloads::make_generated_kernel_source(launch);
}

class GpuTarget final : public Target {
 public:
  GpuTarget() {
    config_
        .add("gpu", hw::gpu_spec_schema(), gpu_)
        // The DRAM starts from the GPU's own memory, which is known only once every gpu key is
        // in: the dram sections are applied in validate() (resolve_memory), in order.
        .add("dram", hw::dram_config_schema(), dram_)
        .deferred([this](const YAML::Node& n, const config::Origin& origin) {
          dram_patches_.push_back({YAML::Clone(n), origin});
        })
        .add("controller", dram::controller_schema(), ctrl_)
        .add("workload", gpu_workload_schema(), wl_)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          after_workload_patch(n, origin);
        });
    // GPU memory controllers refresh one bank at a time (HBM REFSB, GDDR6 REFpb), so refresh
    // hides behind accesses to the other banks; all-bank refresh would take ~9 % of an HBM3
    // stream's bandwidth. An assumption (the vendors' controllers are not public); the
    // `controller:` section can change it.
    ctrl_.per_bank_refresh = true;
    // FR-FCFS over 64 queued requests per channel, as GPGPU-Sim / Accel-Sim's tuned GPU configs
    // (-gpgpu_frfcfs_dram_sched_queue_size 64): GPU traffic needs the deeper window to find row
    // hits among many concurrent streams. Also an assumption about the vendors' controllers.
    ctrl_.read_queue = ctrl_.write_queue = 64;
  }
  // --workload FILE: an op trace (its header says so) replays its launches; anything else is an
  // access trace, whose reader reports a missing or unreadable file.
  void set_workload_path(const std::string& path) override {
    wl_.trace.clear();
    wl_.kernel.clear();
    wl_.op_trace.clear();
    (workloads::is_op_trace_file(path) ? wl_.op_trace : wl_.trace) = path;
  }
  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    config_.validate("gpu", file, prov);
    resolve_memory(file, prov);
    config_.validate("controller", file, prov);
    config_.validate("workload", file, prov);
    const SourceLoc wl_at = config_.loc("workload", file);
    const int sources = !wl_.trace.empty() + !wl_.kernel.empty() + !wl_.op_trace.empty();
    if (sources != 1)
      throw config_error(wl_at,
                         "give exactly one of 'workload.trace' (an access trace), "
                         "'workload.op_trace' (an op trace) and 'workload.kernel' "
                         "with 'workload.shape'");
    if (!wl_.kernel.empty()) build_launches(wl_at);
    if (!wl_.op_trace.empty() && wl_.op_trace_replay == OpTraceReplay::kInOrder)
      load_op_trace_launches();
  }
  void describe(std::ostream& os, const config::Provenance& prov) const override {
    config_.describe(os, prov);
    os << "# resolved memory: " << dspec_.name << ", " << dspec_.org.independent_channels()
       << " channels, peak " << dspec_.peak_bw_total() / 1e12 << " TB/s"
       << (dram_patches_.empty() ? " (the GPU preset's memory)" : "") << "\n";
  }

  MemoryEstimate estimated_memory() const override {
    const double lines = gpu_.sms * (gpu_.l1.size_bytes / gpu_.l1.line_bytes) +
                         gpu_.l2.size_bytes / gpu_.l2.line_bytes;
    return {gpu::estimated_model_bytes(gpu_, dspec_), "L1 and L2 tags: " + report::fmt(lines, 0) +
                                                          " lines; " +
                                                          dram_memory_estimate(dspec_).parts};
  }

  Json run(const RunContext& ctx, Summary& summary) override {
    if (!wl_.op_trace.empty() && wl_.op_trace_replay == OpTraceReplay::kAlone)
      return run_op_trace(ctx, summary);
    gpu::GpuReplay replay(gpu_, dspec_, ctrl_, *ctx.stats, *ctx.energy);
    std::string wdesc;
    std::uint64_t records = 0, sectors = 0;
    gpu::RunOptions opt;
    opt.sample_waves = wl_.sample_waves;
    std::string what;
    opt.progress = [&](std::uint64_t done, std::uint64_t total) {
      if (ctx.progress && total > 0)
        ctx.progress(static_cast<double>(done) / static_cast<double>(total), what);
    };
    const auto one = [&](workloads::KernelRecordSource& src) {
      what = "kernel " + src.info().name;
      if (ctx.progress) ctx.progress(0.0, what);
      const gpu::KernelStats k = replay.run_kernel(src, opt);
      records += k.records;
      sectors += k.accesses;
    };
    if (!wl_.trace.empty()) {
      wdesc = std::filesystem::path(wl_.trace).filename().string();
      auto kernels = workloads::open_trace_kernels(wl_.trace);
      while (workloads::KernelRecordSource* k = kernels->next_kernel()) one(*k);
    } else {
      wdesc = !wl_.op_trace.empty()
                  ? std::filesystem::path(wl_.op_trace).filename().string() + " (" +
                        std::to_string(launches_.size()) + " launches in order)"
                  : wl_.kernel + " " + wl_.shape;
      for (const auto& l : launches_) one(*generated_source(l));
    }
    if (replay.kernels().empty())
      throw input_error(SourceLoc{wl_.trace, 0, 0},
                        "the trace holds no records: nothing to replay");
    replay.finalize();
    const double t = replay.now_s();
    ctx.energy->finalize(t);
    fill_summary(ctx, summary, replay, wdesc, records, t);
    if (!wl_.op_trace.empty())
      summary.op_trace = Summary::OpTraceRun{launches_.size(), launches_.size(), 1};
    Json ks = Json::array();
    bool memory_only = false, sampled = false;
    for (std::size_t i = 0; i < replay.kernels().size(); ++i) {
      const gpu::KernelStats& k = replay.kernels()[i];
      ks.push_back(kernel_json(k));
      if (!wl_.op_trace.empty() && !launches_[i].rec.label.empty())
        ks.back()["label"] = launches_[i].rec.label;
      memory_only |= k.memory_only;
      sampled |= k.sampled;
    }
    Json body = Json::object();
    body["workload"] = {{"source", wdesc},
                        {"kernels", replay.kernels().size()},
                        {"records", records},
                        {"sectors", sectors},
                        {"sample_waves", wl_.sample_waves}};
    body["components"] = {
        {"gpu",
         {{"latency", {{"total_ns", t * 1e9}, {"kernels", ks}}},
          {"energy",
           {{"total_pj", ctx.energy->total_pj()},
            {"gpu_pj", ctx.energy->component_pj("gpu")},
            {"dram_pj", ctx.energy->component_pj("dram")}}},
          {"bandwidth",
           {{"dram_read_bytes", ctx.stats->group("gpu").value("dram_read_bytes")},
            {"dram_write_bytes", ctx.stats->group("gpu").value("dram_write_bytes")},
            {"achieved_Bps", summary.bandwidth_Bps.value_or(0)},
            {"peak_Bps", dspec_.peak_bw_total()}}}}}};
    body["notes"] = notes(memory_only, sampled);
    return body;
  }

 private:
  // A workload source set by a file is relative to it, and replaces the other sources.
  void after_workload_patch(const YAML::Node& n, const config::Origin& origin) {
    const bool file = !origin.is_override();
    if (n.IsMap() && n["trace"]) {
      if (file) wl_.trace = resolve_relative(origin.file(), wl_.trace);
      wl_.kernel.clear();
      wl_.op_trace.clear();
    }
    if (n.IsMap() && n["op_trace"]) {
      if (file) wl_.op_trace = resolve_relative(origin.file(), wl_.op_trace);
      wl_.kernel.clear();
      wl_.trace.clear();
    }
    if (n.IsMap() && n["kernel"]) {
      wl_.trace.clear();
      wl_.op_trace.clear();
    }
  }

  // The GPU preset's memory (gpu.memory_preset / memory_speed / memory_channels), then every
  // dram section given, in order.
  void resolve_memory(const SourceLoc& file, const config::Provenance& prov) {
    const SourceLoc where = config_.loc("dram", file);
    config::Provenance& p = const_cast<config::Provenance&>(prov);
    hw::dram_config_schema().set_defaults(dram_);
    hw::load_dram_preset(gpu_.memory_preset, dram_, where);
    dram_.speed = gpu_.memory_speed;
    dram_.channels = gpu_.memory_channels;
    for (const auto& [node, origin] : dram_patches_) {
      config::LoadCtx c{&origin, &p, "dram"};
      hw::dram_config_schema().patch(node, dram_, c);
    }
    config_.validate("dram", file, prov);
    dspec_ = hw::resolve_dram_spec(dram_, where);
  }

  // In-order replay of an op trace: every record's launch, generated as `accsim trace gen kernel
  // --op-trace` would (bad records are errors naming the file and line).
  void load_op_trace_launches() {
    const std::vector<workloads::OpRecord> recs = workloads::read_op_trace(wl_.op_trace);
    if (recs.empty())
      throw input_error(SourceLoc{wl_.op_trace, 0, 0},
                        "the op trace has no launch records: nothing to replay");
    launches_.clear();
    launches_.reserve(recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i)
      launches_.push_back(workloads::launch_from_op_trace(recs, i));
  }

  void build_launches(const SourceLoc& where) {
    auto dt = workloads::parse_dtype(wl_.dtype);
    if (!dt)
      throw config_error(where, "workload.dtype '" + wl_.dtype + "' is not fp16, bf16 or fp32");
    workloads::KernelBuildOptions o;
    o.dtype = *dt;
    o.causal = wl_.causal;
    o.sm_count = static_cast<std::uint32_t>(gpu_.sms);
    try {
      launches_ =
          workloads::build_kernel_launches(wl_.kernel, workloads::parse_kernel_shape(wl_.shape), o);
    } catch (const Error& e) {
      throw config_error(where, std::string("workload: ") + e.what());
    }
  }

  void fill_summary(const RunContext& ctx, Summary& summary, const gpu::GpuReplay& replay,
                    const std::string& wdesc, std::uint64_t records, double t) const {
    const StatsGroup& g = ctx.stats->group("gpu");
    summary.target = "gpu";
    summary.workload = wdesc;
    summary.sim_time_s = t;
    summary.work = static_cast<double>(records);
    summary.work_unit = "records";
    const double rd = g.value("dram_read_bytes"), wr = g.value("dram_write_bytes");
    const double bw = t > 0 ? (rd + wr) / t : 0, peak = dspec_.peak_bw_total();
    summary.bytes = rd + wr;
    summary.bandwidth_Bps = bw;
    summary.peak_bandwidth_Bps = peak;
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    const double cycle_ns = static_cast<double>(gpu_.clock().period_ps) / 1e3;
    summary.latency_mean_ns = g.value("mean_access_latency") * cycle_ns;
    summary.latency_p99_ns = g.value("p99_access_latency") * cycle_ns;
    summary.latency_max_ns = g.value("max_access_latency") * cycle_ns;
    summary.bound = gpu::time_weighted_bound(replay.kernels());
    summary.highlights.push_back({"kernels", std::to_string(replay.kernels().size()) + " (time " +
                                                 report::fmt_si(t, "s") + ")"});
    // Each kernel's bound where there are few; the summary's time-weighted bound says the rest.
    if (replay.kernels().size() <= kKernelBoundsShown) {
      std::string bounds;
      for (const auto& k : replay.kernels())
        bounds += (bounds.empty() ? "" : ", ") + k.name + " " + k.bound + " (" +
                  pct(k.bound_utilisation) + ")";
      summary.highlights.push_back({"bound per kernel", bounds});
    }
    std::uint64_t n_sampled = 0, sim_ctas = 0, all_ctas = 0, n_mem_only = 0;
    for (const auto& k : replay.kernels()) {
      n_mem_only += k.memory_only ? 1 : 0;
      if (!k.sampled) continue;
      ++n_sampled;
      sim_ctas += k.sampled_ctas;
      all_ctas += k.total_ctas;
    }
    if (n_sampled > 0)
      summary.highlights.push_back(
          {"sampled", std::to_string(n_sampled) + " of " + std::to_string(replay.kernels().size()) +
                          " kernels extrapolated from " + std::to_string(sim_ctas) + " of " +
                          std::to_string(all_ctas) + " CTAs (workload.sample_waves)"});
    if (n_mem_only > 0)
      summary.highlights.push_back(
          {"memory only", std::to_string(n_mem_only) +
                              " kernels without instruction mix (version-1 trace): compute not "
                              "modelled, times are memory-bound estimates"});
    summary.highlights.push_back(
        {"hit rates", "L1 " + pct(g.value("l1_hit_rate")) + ", L2 " + pct(g.value("l2_hit_rate"))});
    summary.highlights.push_back({"DRAM", report::fmt_si(rd, "B") + " read, " +
                                              report::fmt_si(wr, "B") + " written (" +
                                              pct(peak > 0 ? bw / peak : 0.0) + " of peak)"});
  }

  static Json notes(bool memory_only, bool sampled) {
    Json n = Json::array();
    if (memory_only)
      n.push_back(
          "Some kernels' records carry no instruction mix (access trace version 1): those are "
          "replayed as memory accesses only, so their times are memory-bound estimates (lower "
          "bounds for compute-bound kernels); their 'memory_only' is true.");
    if (sampled)
      n.push_back(
          "Sampled: kernels marked 'sampled' simulated their first workload.sample_waves waves "
          "of CTAs; time and counts are extrapolated to the whole grid (models/gpu/README.md, "
          "\"Sampling\", gives the error measured against full runs).");
    n.push_back(
        "SM model: per sub-partition one scheduler issuing compute records (n warp-instructions "
        "of one class) on pipes with the preset's per-SM throughput and latency, a warp up to "
        "gpu.issue_batch instructions back to back on a pipe, other warps' instructions in the "
        "issue cycles left free; dependencies only as the records mark them (dep, chain, wait); "
        "memory instructions take no issue slot (their sectors go through the L1 port).");
    n.push_back(
        "Occupancy from threads, warps, registers and shared memory per SM; CTAs go to SMs "
        "breadth-first and a finished CTA makes room for the next.");
    n.push_back(
        "L1 is invalidated at each kernel launch and holds the unified L1/shared array less the "
        "resident CTAs' shared memory (l1_bytes_per_sm); it is write-through without allocation "
        "on stores. L2 is write-back, write-allocate and keeps its contents across kernels; "
        "dirty L2 data left at a kernel's end is not written back (l2_dirty_bytes_at_end).");
    n.push_back(
        "The L2 slice and memory-partition hashes, cache associativities, L1/L2 throughputs and "
        "outstanding-request limits are assumptions (models/gpu/README.md).");
    return n;
  }

  // Validation mode: every launch of the op trace alone on cold caches (as Nsight Compute's
  // --cache-control all and the reference harness's L2 flush measure them), compared with its
  // measured figures where the record has them.
  Json run_op_trace(const RunContext& ctx, Summary& summary) {
    const std::vector<workloads::OpRecord> recs = workloads::read_op_trace(wl_.op_trace);
    if (recs.empty())
      throw input_error(SourceLoc{wl_.op_trace, 0, 0},
                        "the op trace has no launch records: nothing to validate");
    Json rows = Json::array();
    Comparison time, rd, wr, l2;
    double total_s = 0, total_bytes = 0, total_pj = 0;
    std::uint64_t records = 0;
    std::vector<gpu::KernelStats> alone;
    gpu::RunOptions opt;
    opt.sample_waves = wl_.sample_waves;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (ctx.progress)
        ctx.progress(static_cast<double>(i) / static_cast<double>(recs.size()),
                     "launch " + std::to_string(i + 1) + "/" + std::to_string(recs.size()));
      const workloads::KernelLaunch launch = workloads::launch_from_op_trace(recs, i);
      StatsRegistry stats;  // each launch on a fresh, cold machine
      EnergyLedger energy;
      gpu::GpuReplay replay(gpu_, dspec_, ctrl_, stats, energy);
      const gpu::KernelStats k = replay.run_kernel(*generated_source(launch), opt);
      replay.finalize();
      energy.finalize(replay.now_s());
      records += k.records;
      alone.push_back(k);
      total_s += k.time_ns * 1e-9;
      total_pj += energy.total_pj();
      total_bytes += static_cast<double>(k.dram_read_bytes + k.dram_write_bytes);
      rows.push_back(compare_launch(recs[i], i, k, time, rd, wr, l2));
    }
    ctx.energy->add_pj("gpu", "replayed_launches", total_pj,
                       "sum of every launch's energy (SM pipes, L1, L2, HBM, static), each "
                       "replayed alone");
    ctx.energy->finalize(total_s);
    StatsGroup& g = ctx.stats->group("gpu");
    g.scalar("launches", "op-trace launches replayed", "launches",
             static_cast<double>(recs.size()));
    g.scalar("measured_points", "launches with a measured time", "launches",
             static_cast<double>(time.points()));
    if (time.points() > 0)  // undefined figures are absent, not 0
      g.scalar("time_mape", "mean absolute percentage error of simulated vs measured time", "ratio",
               time.mape());
    if (time.points() > 1)
      g.scalar("time_correlation", "Pearson correlation of simulated and measured times", "",
               time.correlation());
    summary.target = "gpu";
    summary.workload = std::filesystem::path(wl_.op_trace).filename().string() + " (" +
                       std::to_string(recs.size()) + " launches, each alone)";
    summary.sim_time_s = total_s;
    summary.work = static_cast<double>(records);
    summary.work_unit = "records";
    summary.bytes = total_bytes;
    summary.bandwidth_Bps = total_s > 0 ? total_bytes / total_s : 0;
    summary.peak_bandwidth_Bps = dspec_.peak_bw_total();
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    summary.bound = gpu::time_weighted_bound(alone);
    summary.op_trace = Summary::OpTraceRun{recs.size(), recs.size(), 1};
    const auto line = [](const char* what, const Comparison& c) {
      return std::pair<std::string, std::string>{
          what, c.points() == 0
                    ? std::string("no measured figure")
                    : "MAPE " + report::fmt(100 * c.mape(), 1) + " %, correlation " +
                          (c.points() < 2 ? std::string("-") : report::fmt(c.correlation(), 3)) +
                          " over " + std::to_string(c.points()) + " launches"};
    };
    summary.highlights.push_back(line("time vs measured", time));
    summary.highlights.push_back(line("DRAM read vs measured", rd));
    summary.highlights.push_back(line("DRAM written vs measured", wr));
    summary.highlights.push_back(line("L2 hit rate vs measured", l2));
    Json body = Json::object();
    body["workload"] = {{"op_trace", wl_.op_trace}, {"launches", recs.size()}};
    body["validation"] = {{"points", time.points()},
                          {"time_mape", time.to_json()["mape"]},
                          {"time_correlation", time.to_json()["correlation"]},
                          {"time", time.to_json()},
                          {"dram_read_bytes", rd.to_json()},
                          {"dram_write_bytes", wr.to_json()},
                          {"l2_hit_rate", l2.to_json()},
                          {"launches", rows}};
    body["notes"] = Json::array(
        {"Each launch is generated from its op-trace record (workloads/gen/kernel_access.h) and "
         "replayed alone on cold caches, as the reference harness (L2 flushed between "
         "repetitions) and Nsight Compute (--cache-control all) measure them.",
         "Counters are compared like with like: DRAM bytes written are those the L2 writes back "
         "during the kernel (dirty data left in L2 at its end is not DRAM traffic), and the L2 "
         "hit rate counts lookups that find their sector's miss in flight as hits, as "
         "lts__t_sector_hit_rate does (models/gpu/README.md, \"Counters\")."});
    return body;
  }

  // One validation row: simulated figures, and beside each measured one its relative error.
  static Json compare_launch(const workloads::OpRecord& rec, std::size_t i,
                             const gpu::KernelStats& k, Comparison& time, Comparison& rd,
                             Comparison& wr, Comparison& l2) {
    Json shape = Json::object();
    for (const auto& [key, v] : rec.shape) shape[key] = v;
    Json row = {{"record", i},
                {"kernel", rec.kernel},
                {"op", std::string(workloads::op_kind_name(rec.op))},
                {"shape", shape},
                {"bound", k.bound},
                {"sim_time_ns", k.time_ns},
                {"sim_dram_read_bytes", k.dram_read_bytes},
                {"sim_dram_write_bytes", k.dram_write_bytes},
                {"sim_l1_hit_pct", 100 * k.l1_hit_rate()},
                {"sim_l2_hit_pct", 100 * k.l2_hit_rate_ncu()}};
    if (!rec.label.empty()) row["label"] = rec.label;
    const workloads::MeasuredFigures m = rec.measured.value_or(workloads::MeasuredFigures{});
    if (m.time_ns && *m.time_ns > 0) {
      row["measured_time_ns"] = *m.time_ns;
      row["time_error"] = time.add(*m.time_ns, k.time_ns);
    }
    const auto bytes = [&row](const char* name, const std::optional<std::uint64_t>& meas,
                              std::uint64_t sim, Comparison& c) {
      if (!meas) return;
      row[std::string("measured_") + name] = *meas;
      if (*meas > 0)
        row[std::string(name) + "_error"] =
            c.add(static_cast<double>(*meas), static_cast<double>(sim));
    };
    bytes("dram_read_bytes", m.dram_read_bytes, k.dram_read_bytes, rd);
    bytes("dram_write_bytes", m.dram_write_bytes, k.dram_write_bytes, wr);
    if (m.l2_hit_pct) {
      row["measured_l2_hit_pct"] = *m.l2_hit_pct;
      if (*m.l2_hit_pct > 0) row["l2_hit_error"] = l2.add(*m.l2_hit_pct, 100 * k.l2_hit_rate_ncu());
    }
    if (m.l1_hit_pct) row["measured_l1_hit_pct"] = *m.l1_hit_pct;
    return row;
  }

  hw::GpuSpec gpu_;
  hw::DramConfig dram_;
  hw::DramSpec dspec_;
  dram::ControllerConfig ctrl_;
  GpuWorkload wl_;
  std::vector<std::pair<YAML::Node, config::Origin>> dram_patches_;
  std::vector<workloads::KernelLaunch> launches_;
};

}  // namespace

ACCSIM_REGISTER(Target, "gpu",
                "GPU (SMs issuing the kernels' instruction mix, L1, L2 slices, HBM) replaying "
                "CUDA kernels",
                [] { return std::unique_ptr<Target>(new GpuTarget); });

}  // namespace accsim::run
