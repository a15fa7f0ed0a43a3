// The `pim` target: PIM-GPT style GPT decode on PIM DRAM channels plus an ASIC (models/pim).
// System YAML sections: system, dram (the memory: GDDR6 by default), pim (PIM timings, ASIC,
// energy), workload (the GPT model and the decode run).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "hw/dram_config.h"
#include "hw/pim_spec.h"
#include "models/pim/pim.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/system.h"
#include "sim/run/target.h"
#include "workloads/trace/op_trace.h"

namespace accsim::run {
namespace {

struct GptWorkload {
  std::string model = "gpt2-medium";
  std::int64_t layers = 0, d_model = 0, heads = 0, d_ff = 0, vocab = 0;
  std::int64_t prompt = 128;     // tokens in the KV cache before the first simulated step
  std::int64_t tokens = 4;       // decode steps simulated
  std::int64_t context_max = 0;  // KV-cache capacity; 0 = the model's maximum context
  bool lm_head = true;
  std::string op_trace;  // instead of the GPT model: the records of an op trace, `tokens` times
};

const config::Schema<GptWorkload>& gpt_workload_schema() {
  static const config::Schema<GptWorkload> s = [] {
    config::Schema<GptWorkload> s("workload");
    using config::Range;
    const auto dim = Range::between(0, 1 << 20);
    s.text("model", &GptWorkload::model, std::string("gpt2-medium"),
           "GPT model: gpt2-small|gpt2-medium|gpt2-large|gpt2-xl|gpt3-small|gpt3-medium|"
           "gpt3-large|gpt3-xl (GPT-2 / GPT-3 papers)")
        .integer<std::int64_t>("layers", &GptWorkload::layers, 0, Range::between(0, 1024), "",
                               "overrides the model's layer count; 0 = the model's")
        .integer<std::int64_t>("d_model", &GptWorkload::d_model, 0, dim, "",
                               "overrides the model's width; 0 = the model's")
        .integer<std::int64_t>("heads", &GptWorkload::heads, 0, Range::between(0, 4096), "",
                               "overrides the model's attention heads; 0 = the model's")
        .integer<std::int64_t>("d_ff", &GptWorkload::d_ff, 0, dim, "",
                               "overrides the feed-forward width; 0 = the model's (4 d_model)")
        .integer<std::int64_t>("vocab", &GptWorkload::vocab, 0, Range::between(0, 1 << 24), "",
                               "overrides the vocabulary (LM head rows); 0 = the model's")
        .integer<std::int64_t>("prompt", &GptWorkload::prompt, 128, Range::between(0, 1 << 24),
                               "tokens", "tokens already in the KV cache at the first step")
        .integer<std::int64_t>("tokens", &GptWorkload::tokens, 4, Range::between(1, 1 << 20),
                               "tokens", "decode steps simulated (one generated token each)")
        .integer<std::int64_t>("context_max", &GptWorkload::context_max, 0,
                               Range::between(0, 1 << 24), "tokens",
                               "KV-cache capacity placed in DRAM; 0 = the model's maximum context")
        .flag("lm_head", &GptWorkload::lm_head, true,
              "include the final vocabulary projection and argmax")
        .text("op_trace", &GptWorkload::op_trace, std::string(),
              "instead of the GPT model: an op trace (JSON lines) whose gemv, gemm, decode sdpa "
              "(N = 1), softmax, layernorm, gelu and elementwise records run in order, `tokens` "
              "times; relative to this file");
    return s;
  }();
  return s;
}

// The phases of a PIM run in words, largest share of the time first: the in-bank MACs (VMM:
// row activations and MACs in the banks), the ASIC's vector work, KV-cache appends.
std::string pim_bound(double vmm_ns, double asic_ns, double kv_ns) {
  std::vector<std::pair<std::string, double>> parts = {
      {"in-bank MACs (VMM)", vmm_ns}, {"ASIC vector work", asic_ns}, {"KV-cache appends", kv_ns}};
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const double total = vmm_ns + asic_ns + kv_ns;
  std::string out;
  for (const auto& [what, ns] : parts) {
    if (ns <= 0) continue;
    out += (out.empty() ? "" : ", ") + what + " " + report::fmt(100.0 * ns / total, 0) + " %" +
           (out.empty() ? " of the time" : "");
  }
  return out;
}

class PimTarget final : public Target {
 public:
  PimTarget() {
    config_.add("dram", hw::dram_config_schema(), dram_)
        .add("pim", hw::pim_spec_schema(), pim_)
        .add("workload", gpt_workload_schema(), wl_)
        .after_patch([this](const YAML::Node& n, const config::Origin& origin) {
          if (n.IsMap() && n["op_trace"] && !origin.is_override())
            wl_.op_trace = resolve_relative(origin.file(), wl_.op_trace);
          if (n.IsMap() && n["model"]) model_loc_ = origin.loc(n["model"]);
        });
    hw::load_dram_preset("GDDR6", dram_, SourceLoc{});
    // PIM-GPT (arXiv 2310.09385): 8 channels x 16 banks, from a second-hand summary of the paper,
    // not verified against it.
    dram_.channels = 8;
  }

  // `--workload FILE` is an op trace (the GPT model is chosen with --set workload.model=...).
  void set_workload_path(const std::string& path) override { wl_.op_trace = path; }

  void validate(const SourceLoc& file, const config::Provenance& prov) override {
    const SourceLoc dram_at = config_.loc("dram", file), pim_at = config_.loc("pim", file),
                    wl_at = config_.loc("workload", file);
    config_.validate("dram", file, prov);
    spec_ = hw::resolve_dram_spec(dram_, dram_at);
    config_.validate("pim", file, prov);
    config_.validate("workload", file, prov);
    if (spec_.org.ranks != 1)
      throw config_error(dram_at,
                         "the pim target drives one rank per channel (dram.ranks "
                         "= " +
                             std::to_string(spec_.org.ranks) + ")");
    if (spec_.org.burst_bytes() % pim_.element_bytes != 0)
      throw config_error(pim_at, "pim.element_bytes = " + std::to_string(pim_.element_bytes) +
                                     " does not divide a burst of " +
                                     std::to_string(spec_.org.burst_bytes()) + " bytes");
    if (static_cast<std::int64_t>(pim_.gb_bytes) < spec_.org.burst_bytes())
      throw config_error(pim_at, "pim.global_buffer is smaller than one burst");
    model_ = workloads::transformer_model(wl_.model, model_loc_.file.empty() ? wl_at : model_loc_);
    if (wl_.layers > 0) model_.layers = wl_.layers;
    if (wl_.d_model > 0) {
      model_.d_model = wl_.d_model;
      if (wl_.d_ff == 0) model_.d_ff = 4 * wl_.d_model;
    }
    if (wl_.heads > 0) model_.heads = wl_.heads;
    if (wl_.d_ff > 0) model_.d_ff = wl_.d_ff;
    if (wl_.vocab > 0) model_.vocab = wl_.vocab;
    if (model_.d_model % model_.heads != 0)
      throw config_error(wl_at, "workload: d_model " + std::to_string(model_.d_model) +
                                    " is not a multiple of heads " + std::to_string(model_.heads));
    geo_ = pim::Geometry::from(spec_, pim_);
    if (!wl_.op_trace.empty()) {
      records_ = workloads::read_op_trace(wl_.op_trace);
      if (records_.empty())  // a run that does nothing is not a success
        throw input_error(SourceLoc{wl_.op_trace, 0, 0},
                          "the op trace has no launch records: nothing to simulate");
      trace_ops_ = pim::lower_op_records(records_, geo_, SourceLoc{wl_.op_trace, 0, 0});
      return;
    }
    ctx_max_ = wl_.context_max > 0 ? wl_.context_max : model_.max_context;
    if (wl_.prompt + wl_.tokens > ctx_max_)
      throw config_error(wl_at, "workload: prompt " + std::to_string(wl_.prompt) + " + tokens " +
                                    std::to_string(wl_.tokens) +
                                    " exceeds the KV-cache capacity of " +
                                    std::to_string(ctx_max_) + " tokens (workload.context_max)");
    layout_ = pim::place_gpt(model_, geo_, ctx_max_, wl_.lm_head, wl_at);
  }

  Json config_json() const override {
    Json j = config_.to_json();
    j["model_resolved"] = {{"name", model_.name},       {"layers", model_.layers},
                           {"d_model", model_.d_model}, {"heads", model_.heads},
                           {"d_ff", model_.d_ff},       {"vocab", model_.vocab},
                           {"context_max", ctx_max_}};
    return j;
  }

  void describe(std::ostream& os, const config::Provenance& prov) const override {
    config_.describe(os, prov);
    os << "# resolved: " << spec_.name << ", " << geo_.channels << " PIM channel(s) x "
       << geo_.banks << " banks, " << geo_.row_elems << "-element rows, ";
    if (!wl_.op_trace.empty()) {
      os << "op trace " << wl_.op_trace << " (" << records_.size() << " records, "
         << trace_ops_.size() << " ops per step)\n";
      return;
    }
    os << model_.name << " (" << model_.layers << " layers, d_model " << model_.d_model << ", "
       << model_.heads << " heads), KV cache " << ctx_max_ << " tokens, " << layout_.rows_used
       << " of " << geo_.rows << " rows per bank used\n";
  }

  // The PIM channels keep per-bank state as the DRAM model does; its estimate stands for theirs.
  MemoryEstimate estimated_memory() const override { return dram_memory_estimate(spec_); }

  Json run(const RunContext& ctx, Summary& summary) override {
    const bool from_trace = !wl_.op_trace.empty();
    const pim::StepSource source = [this, from_trace](std::int64_t step,
                                                      std::vector<pim::Op>& ops) {
      if (from_trace)
        ops = trace_ops_;
      else
        ops = pim::gpt_decode_step(model_, layout_, geo_, wl_.prompt + step);
    };
    pim::PimRunResult r = pim::run_pim(spec_, pim_, source, wl_.tokens, pim_.check_protocol,
                                       *ctx.stats, *ctx.energy, ctx.progress, SourceLoc{});
    ctx.energy->finalize(r.sim_time_s);
    if (r.protocol_violations > 0)
      throw sim_error("pim: the protocol checker found " + std::to_string(r.protocol_violations) +
                      " violation(s); first: " + r.first_violation);
    const StatsGroup& g = ctx.stats->group("pim");
    const double n = static_cast<double>(wl_.tokens);
    double mean_ns = 0;
    for (double s : r.step_ns) mean_ns += s / n;
    std::vector<double> steps = r.step_ns;  // nearest-rank p99 and the max of the token times
    std::sort(steps.begin(), steps.end());
    const double max_ns = steps.empty() ? 0 : steps.back();
    const double p99_ns =
        steps.empty()
            ? 0
            : steps[static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(steps.size()))) -
                    1];
    // What a processor without PIM would read from memory: every matrix element each MAC uses
    // (the weights once per token and the KV caches the attention reads).
    const double offchip_without_pim =
        static_cast<double>(r.macs) * static_cast<double>(pim_.element_bytes);
    const double total_ns = r.sim_time_s * 1e9;
    summary.target = "pim";
    summary.workload = from_trace ? std::filesystem::path(wl_.op_trace).filename().string() + " (" +
                                        std::to_string(records_.size()) + " records) x " +
                                        std::to_string(wl_.tokens)
                                  : model_.name + " decode, " + std::to_string(wl_.tokens) +
                                        " token(s) after " + std::to_string(wl_.prompt);
    summary.sim_time_s = r.sim_time_s;
    summary.work = n;
    summary.work_unit = "tokens";
    const double bus_Bps = r.sim_time_s > 0 ? static_cast<double>(r.bus_bytes) / r.sim_time_s : 0;
    summary.bytes = static_cast<double>(r.bus_bytes);
    summary.bandwidth_Bps = bus_Bps;
    summary.peak_bandwidth_Bps = spec_.peak_bw_total();
    summary.energy_j = ctx.energy->total_pj() * 1e-12;
    summary.latency_mean_ns = mean_ns;
    summary.latency_p99_ns = p99_ns;
    summary.latency_max_ns = max_ns;
    auto pc = [](double x) { return report::fmt(100.0 * x, 2) + " %"; };
    summary.highlights.push_back({"per token", report::fmt(mean_ns / 1e3, 1) + " us (" +
                                                   report::fmt(mean_ns > 0 ? 1e9 / mean_ns : 0, 0) +
                                                   " tokens/s)"});
    summary.highlights.push_back({"time split", "VMM " + pc(r.vmm_ns / total_ns) + ", ASIC " +
                                                    pc(r.asic_ns / total_ns) + ", KV append " +
                                                    pc(r.kv_ns / total_ns)});
    summary.bound = pim_bound(r.vmm_ns, r.asic_ns, r.kv_ns);
    if (from_trace)
      summary.op_trace = Summary::OpTraceRun{records_.size(), records_.size(),
                                             static_cast<std::uint64_t>(wl_.tokens)};
    summary.highlights.push_back({"row-buffer hits", pc(g.value("row_hit_rate"))});
    summary.highlights.push_back({"MAC utilisation", pc(g.value("mac_utilisation"))});
    summary.highlights.push_back(
        {"off-chip traffic",
         report::fmt_si(static_cast<double>(r.bus_bytes), "B") + " (" +
             report::fmt(offchip_without_pim / std::max(1.0, static_cast<double>(r.bus_bytes)), 0) +
             "x less than reading weights + KV cache)"});
    if (pim_.check_protocol)
      summary.highlights.push_back(
          {"protocol check", report::fmt(static_cast<double>(r.protocol_violations), 0) +
                                 " violations in " +
                                 report::fmt(static_cast<double>(r.commands), 0) + " commands"});

    Json body = Json::object();
    if (from_trace)
      body["workload"] = {{"op_trace", wl_.op_trace},
                          {"records", records_.size()},
                          {"steps", wl_.tokens},
                          {"ops_per_step", trace_ops_.size()}};
    else
      body["workload"] = {{"model", model_.name},
                          {"layers", model_.layers},
                          {"d_model", model_.d_model},
                          {"heads", model_.heads},
                          {"d_ff", model_.d_ff},
                          {"vocab", model_.vocab},
                          {"lm_head", wl_.lm_head},
                          {"prompt", wl_.prompt},
                          {"tokens", wl_.tokens},
                          {"context_max", ctx_max_},
                          {"weight_bytes", layout_.weight_bytes},
                          {"rows_per_bank_used", layout_.rows_used},
                          {"rows_per_bank", geo_.rows}};
    Json ops = Json::array();
    for (const auto& [name, t] : r.by_op)
      ops.push_back({{"op", name},
                     {"count", t.count},
                     {"total_ns", t.ns},
                     {"share", total_ns > 0 ? t.ns / total_ns : 0.0}});
    Json comp = Json::object();
    comp["pim"] = {{"latency",
                    {{"total_ns", total_ns},
                     {"per_token_mean_ns", mean_ns},
                     {"per_token_max_ns", max_ns},
                     {"step_ns", r.step_ns},
                     {"vmm_ns", r.vmm_ns},
                     {"asic_ns", r.asic_ns},
                     {"kv_append_ns", r.kv_ns},
                     {"by_op", ops}}},
                   {"energy",
                    {{"total_pj", ctx.energy->total_pj()},
                     {"pim_pj", ctx.energy->component_pj("pim")},
                     {"asic_pj", ctx.energy->component_pj("asic")},
                     {"per_token_pj", ctx.energy->total_pj() / n}}},
                   {"bandwidth",
                    {{"bus_bytes", r.bus_bytes},
                     {"inbank_bytes", r.inbank_bytes},
                     {"achieved_bus_Bps", bus_Bps},
                     {"peak_bus_Bps", spec_.peak_bw_total()},
                     {"inbank_Bps",
                      r.sim_time_s > 0 ? static_cast<double>(r.inbank_bytes) / r.sim_time_s : 0.0},
                     {"offchip_bytes_without_pim", offchip_without_pim}}},
                   {"macs", {{"useful", r.macs}, {"utilisation", g.value("mac_utilisation")}}}};
    body["components"] = comp;
    body["notes"] = Json::array(
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): long notes are split literals
        {"Matrix-vector products run in the banks (all-bank ACTAB/MACAB/RDMAC commands, AiM "
         "style); the ASIC sums partial results and runs layer norm, softmax, GELU, residuals "
         "and argmax. Ops run one after another (each depends on the previous), as in a "
         "single-token decode step.",
         "Refresh is all-bank (REFab) every tREFI, never postponed; it costs time but no energy "
         "(the PIM energy model does not yet use the GDDR6 preset's IDD5).",
         "ACT/PRE energy is inside the in-bank 0.55 pJ/bit figure; there is no background or "
         "static DRAM power.",
         "The token embedding lookup (2 x d_model elements per token) is not modelled.",
         "GPT-3's alternating sparse attention layers are modelled as dense attention.",
         "PIM timings beyond JEDEC (nRCDRDMAC, nCLREG, nCWLGB) follow SK hynix AiM as modelled in "
         "aim_simulator; nMAClat, the global-buffer size and the ASIC's lanes and depth are "
         "assumptions (models/pim/README.md)."});
    return body;
  }

 private:
  hw::DramConfig dram_;
  hw::DramSpec spec_;
  hw::PimSpec pim_;
  GptWorkload wl_;
  pim::GptModel model_;
  pim::Geometry geo_;
  pim::GptLayout layout_;
  std::int64_t ctx_max_ = 0;
  std::vector<workloads::OpRecord> records_;
  std::vector<pim::Op> trace_ops_;
  SourceLoc model_loc_;
};

}  // namespace

ACCSIM_REGISTER(Target, "pim",
                "PIM-GPT style GPT decode: MACs in GDDR6-AiM-like DRAM banks, vector ops on an "
                "ASIC",
                [] { return std::unique_ptr<Target>(new PimTarget); });

}  // namespace accsim::run
