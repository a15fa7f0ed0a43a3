// The `gpu` target: a GPU memory hierarchy (models/gpu) replaying the sector accesses of CUDA
// kernels, from a captured/generated access trace or generated on the fly from a kernel and shape
// (workloads/gen/kernel_access.h). System YAML sections: system, gpu, dram (HBM), controller,
// workload.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "hw/dram_config.h"
#include "hw/gpu_spec.h"
#include "models/dram/dram.h"
#include "models/gpu/gpu.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/system.h"
#include "sim/run/target.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/access_trace.h"

namespace accsim::run {
namespace {

struct GpuWorkload {
  std::string trace;     // an access trace (.atrace): every kernel in it, in order
  std::string op_trace;  // or: an op trace; each launch replayed alone, vs its measured figures
  std::string kernel;    // or: an op of the reference kernels (gemm, gemv, softmax, ...)
  std::string shape;     // its shape, "M=4096,K=4096"
  std::string dtype = "fp16";
  bool causal = false;
};

const config::Schema<GpuWorkload>& gpu_workload_schema() {
  static const config::Schema<GpuWorkload> s = [] {
    config::Schema<GpuWorkload> s("workload");
    s.text("trace", &GpuWorkload::trace, std::string(),
           "access trace (.atrace) to replay, every kernel in order; relative to this file")
        .text("op_trace", &GpuWorkload::op_trace, std::string(),
              "instead of trace: an op trace (JSON lines, e.g. reference/data/<gpu>/optrace.jsonl);"
              " every launch is generated and replayed alone on cold caches and compared with its "
              "measured figures; relative to this file")
        .text("kernel", &GpuWorkload::kernel, std::string(),
              "instead of trace: a reference-kernel op whose accesses are generated "
              "(gemm|gemv|softmax|layernorm|gelu|sdpa_flash|sdpa_naive|decode)")
        .text("shape", &GpuWorkload::shape, std::string(),
              "the op's shape, e.g. M=4096,K=4096 (workloads/README.md)")
        .text("dtype", &GpuWorkload::dtype, std::string("fp16"), "fp16|bf16|fp32")
        .flag("causal", &GpuWorkload::causal, false, "causal attention (sdpa ops)");
    return s;
  }();
  return s;
}

class GpuTarget final : public Target {
 public:
  GpuTarget() {
    hw::gpu_spec_schema().set_defaults(gpu_);
    hw::dram_config_schema().set_defaults(dram_);
    hw::load_dram_preset("HBM3", dram_, SourceLoc{});
    // H100 SXM: 5 HBM3 stacks, 3.35 TB/s (ANCHORS.md). The address mapping needs a power-of-two
    // channel count, so they are modelled as 64 channels (128 pseudo-channels) at 6.4 Gbps:
    // 3.28 TB/s, 2 % below.
    dram_.channels = 64;
    dram_.speed = "HBM3-6.4";
    dram::controller_schema().set_defaults(ctrl_);
    gpu_workload_schema().set_defaults(wl_);
  }
  std::vector<std::string> sections() const override {
    return {"gpu", "dram", "controller", "workload"};
  }
  void patch(const YAML::Node& root, const config::Origin& origin,
             config::Provenance& prov) override {
    if (auto n = root["gpu"]) {
      config::LoadCtx c{&origin, &prov, "gpu"};
      hw::gpu_spec_schema().patch(n, gpu_, c);
      gpu_loc_ = origin.loc(n);
    }
    if (auto n = root["dram"]) {
      config::LoadCtx c{&origin, &prov, "dram"};
      hw::dram_config_schema().patch(n, dram_, c);
      dram_loc_ = origin.loc(n);
    }
    if (auto n = root["controller"]) {
      config::LoadCtx c{&origin, &prov, "controller"};
      dram::controller_schema().patch(n, ctrl_, c);
      ctrl_loc_ = origin.loc(n);
    }
    if (auto n = root["workload"]) {
      config::LoadCtx c{&origin, &prov, "workload"};
      gpu_workload_schema().patch(n, wl_, c);
      if (n.IsMap() && n["trace"]) {
        if (!origin.file().starts_with("--set"))
          wl_.trace = resolve_relative(origin.file(), wl_.trace);
        wl_.kernel.clear();
        wl_.op_trace.clear();
      }
      if (n.IsMap() && n["op_trace"]) {
        if (!origin.file().starts_with("--set"))
          wl_.op_trace = resolve_relative(origin.file(), wl_.op_trace);
        wl_.kernel.clear();
        wl_.trace.clear();
      }
      if (n.IsMap() && n["kernel"]) {
        wl_.trace.clear();
        wl_.op_trace.clear();
      }
      wl_loc_ = origin.loc(n);
    }
  }
  void set_workload_path(const std::string& path) override {
    wl_.trace = path;
    wl_.kernel.clear();
    wl_.op_trace.clear();
  }
  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    auto at = [&file](const SourceLoc& l) { return l.file.empty() ? file : l; };
    hw::gpu_spec_schema().validate(gpu_, prov, "gpu", at(gpu_loc_));
    hw::dram_config_schema().validate(dram_, prov, "dram", at(dram_loc_));
    dspec_ = hw::resolve_dram_spec(dram_, at(dram_loc_));
    dram::controller_schema().validate(ctrl_, prov, "controller", at(ctrl_loc_));
    gpu_workload_schema().validate(wl_, prov, "workload", at(wl_loc_));
    const int sources = !wl_.trace.empty() + !wl_.kernel.empty() + !wl_.op_trace.empty();
    if (sources != 1)
      throw config_error(at(wl_loc_),
                         "give exactly one of 'workload.trace' (an access trace), "
                         "'workload.op_trace' (an op trace) and 'workload.kernel' "
                         "with 'workload.shape'");
    if (!wl_.kernel.empty()) {
      auto dt = workloads::parse_dtype(wl_.dtype);
      if (!dt)
        throw config_error(at(wl_loc_),
                           "workload.dtype '" + wl_.dtype + "' is not fp16, bf16 or fp32");
      workloads::KernelBuildOptions o;
      o.dtype = *dt;
      o.causal = wl_.causal;
      o.sm_count = static_cast<std::uint32_t>(gpu_.sms);
      try {
        launches_ = workloads::build_kernel_launches(wl_.kernel,
                                                     workloads::parse_kernel_shape(wl_.shape), o);
      } catch (const Error& e) {
        throw config_error(at(wl_loc_), std::string("workload: ") + e.what());
      }
    }
  }
  Json config_json() const override {
    Json j = Json::object();
    j["gpu"] = hw::gpu_spec_schema().to_json(gpu_);
    j["dram"] = hw::dram_config_schema().to_json(dram_);
    j["controller"] = dram::controller_schema().to_json(ctrl_);
    j["workload"] = gpu_workload_schema().to_json(wl_);
    return j;
  }
  void describe(std::ostream& os, const config::Provenance& prov) const override {
    os << "gpu:\n";
    hw::gpu_spec_schema().describe(gpu_, os, 2, prov, "gpu");
    os << "dram:\n";
    hw::dram_config_schema().describe(dram_, os, 2, prov, "dram");
    os << "controller:\n";
    dram::controller_schema().describe(ctrl_, os, 2, prov, "controller");
    os << "workload:\n";
    gpu_workload_schema().describe(wl_, os, 2, prov, "workload");
    os << "# resolved memory: " << dspec_.name << ", " << dspec_.org.independent_channels()
       << " channels, peak " << dspec_.peak_bw_total() / 1e12 << " TB/s\n";
  }

  Json run(const RunContext& ctx, Summary& summary) override {
    if (!wl_.op_trace.empty()) return run_op_trace(ctx, summary);
    gpu::GpuReplay replay(gpu_, dspec_, ctrl_, *ctx.stats, *ctx.energy);
    std::string wdesc;
    std::size_t nk = 0;
    std::uint64_t records = 0;
    auto one = [&](const workloads::KernelInfo& info, std::vector<workloads::AccessRecord> recs) {
      records += recs.size();
      if (ctx.progress) ctx.progress(0.0, "kernel " + info.name);
      replay.run_kernel(info, std::move(recs));
      ++nk;
    };
    if (!wl_.trace.empty()) {
      workloads::AccessTraceMeta meta;
      std::vector<workloads::AccessRecord> all = workloads::read_access_trace(wl_.trace, &meta);
      wdesc = std::filesystem::path(wl_.trace).filename().string();
      std::vector<std::vector<workloads::AccessRecord>> per(meta.kernels.size());
      for (const auto& r : all) per[r.kernel].push_back(r);
      all.clear();
      all.shrink_to_fit();
      for (std::size_t k = 0; k < meta.kernels.size(); ++k)
        if (!per[k].empty()) one(meta.kernels[k], std::move(per[k]));
    } else {
      wdesc = wl_.kernel + " " + wl_.shape;
      for (std::size_t i = 0; i < launches_.size(); ++i) {
        workloads::KernelGenOptions o;
        o.kernel_index = static_cast<std::uint16_t>(i);
        const auto meta = workloads::kernel_trace_meta({launches_[i]}, 1);
        one(meta.kernels.at(0), workloads::kernel_accesses(launches_[i], o));
      }
    }
    replay.finalize();
    const double t = replay.now_s();
    ctx.energy->finalize(t);
    const StatsGroup& g = ctx.stats->group("gpu");
    summary.target = "gpu";
    summary.workload = wdesc;
    summary.sim_time_s = t;
    summary.work = static_cast<double>(records);
    summary.work_unit = "sectors";
    const double rd = g.value("dram_read_bytes"), wr = g.value("dram_write_bytes");
    summary.bytes = rd + wr;
    summary.bandwidth_Bps = t > 0 ? summary.bytes / t : 0;
    summary.peak_bandwidth_Bps = dspec_.peak_bw_total();
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    const double cycle_ns = static_cast<double>(gpu_.clock().period_ps) / 1e3;
    summary.latency_mean_ns = g.value("mean_access_latency") * cycle_ns;
    summary.latency_p99_ns = g.value("p99_access_latency") * cycle_ns;
    auto pc = [](double x) { return report::fmt(100.0 * x, 1) + " %"; };
    summary.highlights.push_back(
        {"kernels", std::to_string(nk) + " (time " + report::fmt_si(t, "s") + ")"});
    summary.highlights.push_back(
        {"hit rates", "L1 " + pc(g.value("l1_hit_rate")) + ", L2 " + pc(g.value("l2_hit_rate"))});
    summary.highlights.push_back(
        {"DRAM",
         report::fmt_si(rd, "B") + " read, " + report::fmt_si(wr, "B") + " written (" +
             pc(summary.peak_bandwidth_Bps > 0 ? summary.bandwidth_Bps / summary.peak_bandwidth_Bps
                                               : 0.0) +
             " of peak)"});
    Json ks = Json::array();
    for (const auto& k : replay.kernels()) {
      auto r = [](std::uint64_t h, std::uint64_t m) {
        return h + m ? static_cast<double>(h) / static_cast<double>(h + m) : 0.0;
      };
      ks.push_back({{"kernel", k.name},
                    {"records", k.records},
                    {"ctas", k.ctas},
                    {"ctas_per_sm", k.ctas_per_sm},
                    {"time_ns", k.time_ns},
                    {"l1_hit_rate", r(k.l1_hits, k.l1_misses)},
                    {"l2_hit_rate", r(k.l2_hits, k.l2_misses)},
                    {"dram_read_bytes", k.dram_read_bytes},
                    {"dram_write_bytes", k.dram_write_bytes},
                    {"mean_latency_cycles", k.accesses ? static_cast<double>(k.latency_sum_cycles) /
                                                             static_cast<double>(k.accesses)
                                                       : 0.0},
                    {"max_latency_cycles", k.latency_max_cycles}});
    }
    Json body = Json::object();
    body["workload"] = {{"source", wdesc}, {"kernels", nk}, {"sectors", records}};
    body["components"] = {{"gpu",
                           {{"latency", {{"total_ns", t * 1e9}, {"kernels", ks}}},
                            {"energy",
                             {{"total_pj", ctx.energy->total_pj()},
                              {"gpu_pj", ctx.energy->component_pj("gpu")},
                              {"dram_pj", ctx.energy->component_pj("dram")}}},
                            {"bandwidth",
                             {{"dram_read_bytes", rd},
                              {"dram_write_bytes", wr},
                              {"achieved_Bps", summary.bandwidth_Bps},
                              {"peak_Bps", summary.peak_bandwidth_Bps}}}}}};
    // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): long notes are split literals
    body["notes"] = Json::array(
        {"Memory hierarchy only: each warp issues its recorded sector accesses in program order "
         "with up to gpu.warp_outstanding in flight; compute between accesses is not in the "
         "trace, so kernel times are memory-bound estimates (lower bounds for compute-bound "
         "kernels).",
         "Occupancy counts threads, CTAs and shared memory per SM, not registers.",
         "L1 is write-through without allocation on stores; L2 is write-back, write-allocate; "
         "dirty L2 data left at the end is not written back (stats gpu.l2_dirty_bytes_at_end).",
         "The L2 slice hash, cache associativities, throughputs and outstanding-request limits "
         "are assumptions (models/gpu/README.md); latencies come from H100 measurements quoted "
         "in ANCHORS.md, not yet from this repository's reference/ microbenchmarks."});
    return body;
  }

 private:
  // Validation mode: every launch of the op trace alone on cold caches (as Nsight Compute's
  // --cache-control all and the reference harness's L2 flush measure them), compared with its
  // measured figures where the record has them.
  Json run_op_trace(const RunContext& ctx, Summary& summary) {
    const std::vector<workloads::OpRecord> recs = workloads::read_op_trace(wl_.op_trace);
    Json rows = Json::array();
    std::vector<double> mt, st;  // measured and simulated times of the points that have both
    double ape_sum = 0, bytes_ape_sum = 0;
    std::size_t bytes_n = 0;
    double total_s = 0, total_bytes = 0, total_pj = 0;
    std::uint64_t sectors = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (ctx.progress)
        ctx.progress(static_cast<double>(i) / static_cast<double>(recs.size()),
                     "launch " + std::to_string(i + 1) + "/" + std::to_string(recs.size()));
      const workloads::KernelLaunch launch = workloads::launch_from_op_trace(recs, i);
      StatsRegistry stats;  // each launch on a fresh, cold machine
      EnergyLedger energy;
      gpu::GpuReplay replay(gpu_, dspec_, ctrl_, stats, energy);
      const auto meta = workloads::kernel_trace_meta({launch}, 1);
      auto acc = workloads::kernel_accesses(launch);
      sectors += acc.size();
      const gpu::KernelStats k = replay.run_kernel(meta.kernels.at(0), std::move(acc));
      replay.finalize();
      energy.finalize(replay.now_s());
      total_s += k.time_ns * 1e-9;
      total_pj += energy.total_pj();
      const double sim_bytes = static_cast<double>(k.dram_read_bytes + k.dram_write_bytes);
      total_bytes += sim_bytes;
      auto rate = [](std::uint64_t h, std::uint64_t m) {
        return h + m ? 100.0 * static_cast<double>(h) / static_cast<double>(h + m) : 0.0;
      };
      Json shape = Json::object();
      for (const auto& [key, v] : recs[i].shape) shape[key] = v;
      Json row = {{"record", i},
                  {"kernel", recs[i].kernel},
                  {"op", std::string(workloads::op_kind_name(recs[i].op))},
                  {"shape", shape},
                  {"sim_time_ns", k.time_ns},
                  {"sim_dram_bytes", sim_bytes},
                  {"sim_l1_hit_pct", rate(k.l1_hits, k.l1_misses)},
                  {"sim_l2_hit_pct", rate(k.l2_hits, k.l2_misses)}};
      const workloads::MeasuredFigures m = recs[i].measured.value_or(workloads::MeasuredFigures{});
      if (m.time_ns && *m.time_ns > 0) {
        row["measured_time_ns"] = *m.time_ns;
        row["time_error"] = (k.time_ns - *m.time_ns) / *m.time_ns;
        ape_sum += std::abs(k.time_ns - *m.time_ns) / *m.time_ns;
        mt.push_back(*m.time_ns);
        st.push_back(k.time_ns);
      }
      if (m.dram_read_bytes && m.dram_write_bytes) {
        const double mb = static_cast<double>(*m.dram_read_bytes + *m.dram_write_bytes);
        row["measured_dram_bytes"] = mb;
        if (mb > 0) {
          row["dram_bytes_error"] = (sim_bytes - mb) / mb;
          bytes_ape_sum += std::abs(sim_bytes - mb) / mb;
          ++bytes_n;
        }
      }
      if (m.l2_hit_pct) row["measured_l2_hit_pct"] = *m.l2_hit_pct;
      if (m.l1_hit_pct) row["measured_l1_hit_pct"] = *m.l1_hit_pct;
      rows.push_back(row);
    }
    // Pearson correlation of measured and simulated times.
    double corr = 0;
    const auto n = static_cast<double>(mt.size());
    if (mt.size() >= 2) {
      double ma = 0, sa = 0;
      for (std::size_t j = 0; j < mt.size(); ++j) {
        ma += mt[j] / n;
        sa += st[j] / n;
      }
      double sxy = 0, sxx = 0, syy = 0;
      for (std::size_t j = 0; j < mt.size(); ++j) {
        sxy += (mt[j] - ma) * (st[j] - sa);
        sxx += (mt[j] - ma) * (mt[j] - ma);
        syy += (st[j] - sa) * (st[j] - sa);
      }
      corr = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
    }
    const double mape = mt.empty() ? 0 : ape_sum / n;
    const double bytes_mape = bytes_n ? bytes_ape_sum / static_cast<double>(bytes_n) : 0;
    ctx.energy->add_pj("gpu", "replayed_launches", total_pj,
                       "sum of every launch's energy (L1, L2, HBM), each replayed alone");
    ctx.energy->finalize(total_s);
    StatsGroup& g = ctx.stats->group("gpu");
    g.scalar("launches", "op-trace launches replayed", "launches",
             static_cast<double>(recs.size()));
    g.scalar("measured_points", "launches with a measured time", "launches", n);
    g.scalar("time_mape", "mean absolute percentage error of simulated vs measured time", "ratio",
             mape);
    g.scalar("time_correlation", "Pearson correlation of simulated and measured times", "", corr);
    g.scalar("dram_bytes_mape",
             "mean absolute percentage error of simulated vs measured DRAM "
             "bytes (read + written)",
             "ratio", bytes_mape);
    summary.target = "gpu";
    summary.workload = std::filesystem::path(wl_.op_trace).filename().string() + " (" +
                       std::to_string(recs.size()) + " launches, each alone)";
    summary.sim_time_s = total_s;
    summary.work = static_cast<double>(sectors);
    summary.work_unit = "sectors";
    summary.bytes = total_bytes;
    summary.bandwidth_Bps = total_s > 0 ? total_bytes / total_s : 0;
    summary.peak_bandwidth_Bps = dspec_.peak_bw_total();
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    if (!mt.empty()) {
      summary.highlights.push_back(
          {"time vs measured", "MAPE " + report::fmt(100 * mape, 1) + " %, correlation " +
                                   report::fmt(corr, 3) + " over " + std::to_string(mt.size()) +
                                   " launches"});
    } else {
      summary.highlights.push_back(
          {"time vs measured", "no record has a measured time: simulated figures only"});
    }
    if (bytes_n)
      summary.highlights.push_back(
          {"DRAM bytes vs measured", "MAPE " + report::fmt(100 * bytes_mape, 1) + " % over " +
                                         std::to_string(bytes_n) + " launches"});
    Json body = Json::object();
    body["workload"] = {{"op_trace", wl_.op_trace}, {"launches", recs.size()}};
    body["validation"] = {{"points", mt.size()},           {"time_mape", mape},
                          {"time_correlation", corr},      {"dram_bytes_points", bytes_n},
                          {"dram_bytes_mape", bytes_mape}, {"launches", rows}};
    body["notes"] = Json::array(
        {"Each launch is generated from its op-trace record (workloads/gen/kernel_access.h) and "
         "replayed alone on cold caches, as the reference harness (L2 flushed between "
         "repetitions) and Nsight Compute (--cache-control all) measure them.",
         "The GPU model is a memory-system model: compute is not modelled, so compute-bound "
         "kernels are expected to run longer on the GPU than simulated."});
    return body;
  }

  hw::GpuSpec gpu_;
  hw::DramConfig dram_;
  hw::DramSpec dspec_;
  dram::ControllerConfig ctrl_;
  GpuWorkload wl_;
  std::vector<workloads::KernelLaunch> launches_;
  SourceLoc gpu_loc_, dram_loc_, ctrl_loc_, wl_loc_;
};

}  // namespace

ACCSIM_REGISTER(Target, "gpu",
                "GPU memory hierarchy (SMs, L1, L2 slices, HBM) replaying kernels' sector "
                "accesses",
                [] { return std::unique_ptr<Target>(new GpuTarget); });

}  // namespace accsim::run
