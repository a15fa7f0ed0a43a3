// The `dram` target: a JEDEC DRAM system (models/dram) replaying an access workload through the
// generic issuer. System YAML sections: system, dram, controller, issuer, workload.
#include <sstream>

#include "hw/dram_config.h"
#include "models/dram/dram.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/access_workload.h"
#include "sim/run/issuer.h"
#include "sim/run/system.h"
#include "sim/run/target.h"

namespace accsim::run {
namespace {

struct DramSystemConfig {
  hw::DramConfig dram;
  dram::ControllerConfig controller;
  IssuerConfig issuer;
  AccessWorkloadConfig workload;
};

class DramTarget final : public Target {
 public:
  DramTarget() {
    config_.add("dram", hw::dram_config_schema(), cfg_.dram)
        .add("controller", dram::controller_schema(), cfg_.controller)
        .add("issuer", issuer_schema(), cfg_.issuer)
        .add("workload", access_workload_schema(), cfg_.workload)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          // A trace path in a file is relative to that file; from --set, to the working
          // directory. A trace and a pattern replace each other.
          if (n["trace"] && !origin.is_override())
            cfg_.workload.trace = resolve_relative(origin.file(), cfg_.workload.trace);
          if (n["trace"]) cfg_.workload.pattern.clear();
          if (n["pattern"]) cfg_.workload.trace.clear();
        });
  }

  void set_workload_path(const std::string& path) override {
    cfg_.workload.trace = path;
    cfg_.workload.pattern.clear();
  }

  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    config_.validate("dram", file, prov);
    spec_ = hw::resolve_dram_spec(cfg_.dram, config_.loc("dram", file));
    for (const char* sec : {"controller", "issuer", "workload"}) config_.validate(sec, file, prov);
  }

  Json config_json() const override {
    Json j = config_.to_json();
    j["dram_resolved"] = spec_json();
    return j;
  }

  void describe(std::ostream& os, const config::Provenance& prov) const override {
    config_.describe(os, prov);
    os << "# resolved device: " << spec_.name << ", " << spec_.data_rate_mtps << " MT/s, tCK "
       << spec_.timing.tCK_ps << " ps, " << spec_.org.independent_channels()
       << " independent channel(s) of " << spec_.org.channel_width << " bits, peak "
       << spec_.peak_bw_total() / 1e9 << " GB/s\n";
  }

  MemoryEstimate estimated_memory() const override { return dram_memory_estimate(spec_); }

  Json run(const RunContext& ctx, Summary& summary) override {
    std::string wdesc;
    auto source = open_access_workload(cfg_.workload, &wdesc);
    DramReplayResult r = run_dram_replay(spec_, cfg_.controller, cfg_.issuer, *source, *ctx.stats,
                                         *ctx.energy, ctx.progress);
    summary.target = "dram";
    summary.workload = wdesc;
    summary.sim_time_s = r.sim_time_s;
    summary.work = static_cast<double>(r.requests);
    summary.work_unit = "requests";
    const double bytes = static_cast<double>(r.bytes), peak = spec_.peak_bw_total();
    const double bw = r.sim_time_s > 0 ? bytes / r.sim_time_s : 0;
    summary.bytes = bytes;
    summary.bandwidth_Bps = bw;
    summary.peak_bandwidth_Bps = peak;
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    summary.latency_mean_ns = r.latency_mean_ns;
    summary.latency_p99_ns = r.latency_p99_ns;
    summary.latency_max_ns = r.latency_max_ns;
    {
      const StatsGroup& g = ctx.stats->group("dram");
      const double hits = g.value("row_hits"), misses = g.value("row_misses"),
                   conflicts = g.value("row_conflicts"), all = hits + misses + conflicts;
      auto pc = [&](double x) { return report::fmt(all > 0 ? 100.0 * x / all : 0.0, 1) + " %"; };
      summary.highlights.push_back({"row-buffer hits", pc(hits) + " (misses " + pc(misses) +
                                                           ", conflicts " + pc(conflicts) + ")"});
      summary.highlights.push_back(
          {"commands", report::fmt(g.value("cmd_ACT"), 0) + " ACT, " +
                           report::fmt(g.value("cmd_RD") + g.value("cmd_RDA"), 0) + " RD, " +
                           report::fmt(g.value("cmd_WR") + g.value("cmd_WRA"), 0) + " WR, " +
                           report::fmt(g.value("refreshes"), 0) + " refreshes"});
      summary.highlights.push_back(
          {"unused ACTs", report::fmt(g.value("unused_acts_request"), 0) +
                              " closed for a request, " +
                              report::fmt(g.value("unused_acts_refresh"), 0) + " by refresh"});
      if (cfg_.controller.check_protocol)
        summary.highlights.push_back(
            {"protocol check", report::fmt(g.value("protocol_violations"), 0) + " violations"});
    }
    Json body = Json::object();
    Json w = Json::object();
    w["source"] = source->describe();
    w["requests"] = r.requests;
    w["bytes"] = r.bytes;
    body["workload"] = w;
    Json comp = Json::object();
    Json dramj = Json::object();
    dramj["latency"] = {{"mean_ns", r.latency_mean_ns}, {"p50_ns", r.latency_p50_ns},
                        {"p99_ns", r.latency_p99_ns},   {"max_ns", r.latency_max_ns},
                        {"total_cycles", r.end_cycle},  {"total_ns", r.sim_time_s * 1e9}};
    dramj["energy"] = {{"total_pj", ctx.energy->component_pj("dram")}};
    dramj["bandwidth"] = {{"bytes_read", r.bytes_read},
                          {"bytes_written", r.bytes_written},
                          {"achieved_Bps", bw},
                          {"peak_Bps", peak},
                          {"utilisation", peak > 0 ? bw / peak : 0.0}};
    comp["dram"] = dramj;
    body["components"] = comp;
    body["notes"] = Json::array(
        {"Each pseudo-channel is an independent controller; HBM's shared row/column command "
         "buses between pseudo-channels are not modelled.",
         "One command per cycle per channel on the command bus.",
         "Power-down and self-refresh states are not modelled: idle banks draw IDD2N/IDD3N."});
    return body;
  }

 private:
  Json spec_json() const {
    Json j = Json::object();
    j["name"] = spec_.name;
    j["standard"] = std::string(hw::standard_name(spec_.standard));
    j["data_rate_mtps"] = spec_.data_rate_mtps;
    j["tCK_ps"] = spec_.timing.tCK_ps;
    j["channels"] = spec_.org.channels;
    j["pseudo_channels"] = spec_.org.pseudo_channels;
    j["ranks"] = spec_.org.ranks;
    j["stack_ids"] = spec_.org.stack_ids;
    j["bank_groups"] = spec_.org.bank_groups;
    j["banks_per_group"] = spec_.org.banks_per_group;
    j["rows"] = spec_.org.rows;
    j["columns"] = spec_.org.columns;
    j["channel_width"] = spec_.org.channel_width;
    j["burst_length"] = spec_.org.burst_length;
    j["peak_Bps"] = spec_.peak_bw_total();
    const auto& t = spec_.timing;
    j["timing_nck"] = {
        {"nBL", t.nBL},       {"nCL", t.nCL},         {"nCWL", t.nCWL},     {"nRCDRD", t.nRCDRD},
        {"nRCDWR", t.nRCDWR}, {"nRP", t.nRP},         {"nRAS", t.nRAS},     {"nRC", t.nRC},
        {"nWR", t.nWR},       {"nRTP", t.nRTP},       {"nRRD_S", t.nRRD_S}, {"nRRD_L", t.nRRD_L},
        {"nCCD_S", t.nCCD_S}, {"nCCD_L", t.nCCD_L},   {"nWTR_S", t.nWTR_S}, {"nWTR_L", t.nWTR_L},
        {"nFAW", t.nFAW},     {"nRTRS", t.nRTRS},     {"nRFC", t.nRFC},     {"nRFCpb", t.nRFCpb},
        {"nREFI", t.nREFI},   {"nREFIpb", t.nREFIpb}, {"nCCDR", t.nCCDR}};
    j["sources"] = spec_.sources;
    return j;
  }

  DramSystemConfig cfg_;
  hw::DramSpec spec_;
};

}  // namespace

ACCSIM_REGISTER(Target, "dram",
                "JEDEC DRAM channels (DDR4/DDR5/LPDDR5/HBM2/HBM3/GDDR6) replaying access traces",
                [] { return std::unique_ptr<Target>(new DramTarget); });

}  // namespace accsim::run
