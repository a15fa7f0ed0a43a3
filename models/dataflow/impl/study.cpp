// The SDPA study (configs/dataflow/sdpa_study.yaml, README.md "Study"): for every N, the
// reordered graph with small channels, and the naive graph at several bypass capacities around
// the minimum found by a search, which is checked against the closed form naive_min_bypass().
#include <cmath>
#include <cstdio>
#include <sstream>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

namespace {

struct StudyConfig {
  std::vector<std::int64_t> Ns;
  std::int64_t M = 64, search_M = 4, d = 64, lanes = 1, capacity = 16;
  std::uint64_t seed = 1;
  double reordered_min_fraction = 0.99;
  hw::DataflowSpec spec;
};

StudyConfig load_study(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path);
  config::Origin o(path);
  config::Provenance prov;
  StudyConfig sc;
  sc.spec = hw::dataflow_preset("");
  if (!root.IsMap()) throw config_error(o.loc(root), "a study file must be a mapping");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string k = it->first.as<std::string>();
    if (k != "dataflow" && k != "study")
      throw config_error(o.loc(it->first), "unknown key '" + k + "'; valid keys: dataflow, study");
  }
  if (root["dataflow"]) {
    config::LoadCtx lc{&o, &prov, "dataflow"};
    hw::dataflow_spec_schema().patch(root["dataflow"], sc.spec, lc);
    hw::dataflow_spec_schema().validate(sc.spec, prov, "dataflow", o.loc(root["dataflow"]));
  }
  const YAML::Node s = root["study"];
  if (!s || !s.IsMap()) throw config_error(o.loc(root), "missing the 'study' mapping");
  const std::vector<std::string> keys = {"N",     "M",        "search_M", "d",
                                         "lanes", "capacity", "seed",     "reordered_min_fraction"};
  for (auto it = s.begin(); it != s.end(); ++it) {
    std::string k = it->first.as<std::string>();
    bool ok = false;
    for (const auto& v : keys) ok = ok || v == k;
    if (!ok) {
      std::string hint = config::closest_match(k, keys);
      throw config_error(o.loc(it->first),
                         "unknown key 'study." + k + "'; valid keys: " + config::join(keys, ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  auto get = [&](const char* k, std::int64_t& dst, std::int64_t lo, std::int64_t hi) {
    if (!s[k]) return;
    config::LoadCtx lc{&o, &prov, std::string("study.") + k};
    std::int64_t v = config::read_integer(s[k], lc);
    if (v < lo || v > hi)
      throw config_error(o.loc(s[k]), "'study." + std::string(k) + "' = " + std::to_string(v) +
                                          " is out of range; expected " + std::to_string(lo) +
                                          " .. " + std::to_string(hi));
    dst = v;
  };
  get("M", sc.M, 1, 1 << 20);
  get("search_M", sc.search_M, 1, 1 << 20);
  get("d", sc.d, 1, 4096);
  get("lanes", sc.lanes, 1, 1024);
  get("capacity", sc.capacity, 1, 1 << 20);
  std::int64_t seed = 1;
  get("seed", seed, 0, INT64_MAX);
  sc.seed = static_cast<std::uint64_t>(seed);
  if (s["reordered_min_fraction"]) {
    config::LoadCtx lc{&o, &prov, "study.reordered_min_fraction"};
    sc.reordered_min_fraction =
        config::read_number(s["reordered_min_fraction"], accsim::Unit::kNone, lc);
  }
  const YAML::Node ns = s["N"];
  if (!ns || !ns.IsSequence() || ns.size() == 0)
    throw config_error(o.loc(ns ? ns : s),
                       "'study.N' must be a non-empty list of sequence lengths");
  for (std::size_t i = 0; i < ns.size(); ++i) {
    config::LoadCtx lc{&o, &prov, "study.N"};
    std::int64_t n = config::read_integer(ns[i], lc);
    if (n < 1 || n > (1 << 24) || n % sc.lanes != 0)
      throw config_error(o.loc(ns[i]), "study.N = " + std::to_string(n) +
                                           " must be in 1 .. 16777216 and a multiple of lanes (" +
                                           std::to_string(sc.lanes) + ")");
    sc.Ns.push_back(n);
  }
  return sc;
}

bool full(const DataflowResult& r) {
  return !r.deadlocked() && r.sustained_fraction >= 1.0 - 1e-12;
}

std::string outcome(const DataflowResult& r) {
  if (r.deadlocked()) {
    std::string s =
        "deadlock: " + std::to_string(r.deadlock->blocked.size()) + " units blocked; full:";
    for (const auto& c : r.deadlock->full_channels) s += " " + c;
    return s;
  }
  if (full(r)) return "full throughput";
  char buf[160];
  std::snprintf(buf, sizeof buf, "stalls: %.2f%% of peak", 100.0 * r.sustained_fraction);
  std::string s = buf;
  const UnitReport* worst = nullptr;
  // Memory readers block by design (they prefetch until their channel is full); name the
  // compute unit that waited longest for room.
  for (const auto& u : r.units)
    if (u.kind != UnitKind::kMemRead && (!worst || u.blocked_cycles > worst->blocked_cycles))
      worst = &u;
  if (worst && worst->blocked_cycles > 0)
    s +=
        "; " + worst->name + " output-blocked " + std::to_string(worst->blocked_cycles) + " cycles";
  return s;
}

}  // namespace

StudyResult run_sdpa_study(const std::string& path) {
  const StudyConfig sc = load_study(path);
  StudyResult out;
  auto params = [&](std::int64_t N, SdpaGraph g, std::int64_t M) {
    SdpaParams p;
    p.graph = g;
    p.N = N;
    p.M = M;
    p.d = sc.d;
    p.lanes = sc.lanes;
    p.capacity = sc.capacity;
    p.seed = sc.seed;
    return p;
  };
  auto simulate = [&](const SdpaParams& p) {
    StatsRegistry stats;
    EnergyLedger energy;
    return run_sdpa(sc.spec, p, stats, energy);
  };
  auto row = [&](const SdpaParams& p, const DataflowResult& r, const std::string& setting) {
    StudyRow w;
    w.N = p.N;
    w.M = p.queries();
    w.graph = std::string(graph_name(p.graph));
    w.setting = setting;
    w.bypass_capacity = p.graph == SdpaGraph::kNaive ? p.bypass_capacity : 0;
    for (const auto& c : r.channels)
      w.max_capacity = std::max<std::int64_t>(w.max_capacity, c.capacity);
    w.cycles = r.total_cycles;
    w.sustained_fraction = r.sustained_fraction;
    w.overall_fraction = r.overall_fraction;
    w.peak_intermediate_bytes = r.peak_intermediate_bytes;
    w.outcome = outcome(r);
    w.max_error = r.max_error;
    w.output_ok = r.checked ? r.output_ok : true;
    out.rows.push_back(w);
    return w;
  };
  auto fail = [&](const std::string& s) { out.failed_claims.push_back(s); };

  std::ostringstream summary;
  std::int64_t first_excess = -1;
  for (std::int64_t N : sc.Ns) {
    const std::string n = "N=" + std::to_string(N);
    // Reordered: every channel at the study's capacity.
    {
      SdpaParams p = params(N, SdpaGraph::kReordered, sc.M);
      DataflowResult r = simulate(p);
      StudyRow w = row(p, r, "all channels " + std::to_string(sc.capacity));
      if (r.deadlocked() || r.sustained_fraction < sc.reordered_min_fraction)
        fail(n + ": reordered below " + std::to_string(sc.reordered_min_fraction) + " of peak");
      if (w.max_capacity > 16) fail(n + ": reordered uses a channel deeper than 16");
      if (!w.output_ok) fail(n + ": reordered output differs from the fp64 reference");
    }
    // Naive: search the smallest bypass capacity with full throughput (monotone: more capacity
    // never delays an event in a max-plus system).
    const std::int64_t R = N / sc.lanes;
    SdpaParams probe = params(N, SdpaGraph::kNaive, std::min(sc.search_M, N));
    probe.check = false;
    const std::int64_t formula = naive_min_bypass(sc.spec, probe);
    auto full_at = [&](std::int64_t cap) {
      SdpaParams q = probe;
      q.bypass_capacity = cap;
      return full(simulate(q));
    };
    std::int64_t lo = 1, hi = 2 * formula + 64;
    std::int64_t found = -1;
    if (full_at(hi)) {
      while (lo < hi) {
        std::int64_t mid = lo + (hi - lo) / 2;
        if (full_at(mid))
          hi = mid;
        else
          lo = mid + 1;
      }
      found = lo;
    } else {
      fail(n + ": naive never reaches full throughput up to bypass " + std::to_string(hi));
    }
    summary << "| " << N << " | " << R << " | " << found << " | " << formula << " | " << (found - R)
            << " |\n";
    if (found != formula)
      fail(n + ": searched minimum bypass " + std::to_string(found) + " != formula " +
           std::to_string(formula));
    if (found >= 0 && found < R + 1) fail(n + ": naive reached full throughput below N+1");
    if (first_excess < 0)
      first_excess = found - R;
    else if (found - R != first_excess)
      fail(n + ": the bypass excess over a row is not constant (not linear in N)");

    std::vector<std::pair<std::int64_t, std::string>> settings = {
        {std::max<std::int64_t>(1, R / 2), "bypass = row/2"},
        {R, "bypass = row"},
        {found - 1, "bypass = min - 1"},
        {found, "bypass = min"}};
    for (const auto& [cap, label] : settings) {
      if (cap < 1) continue;
      SdpaParams p = params(N, SdpaGraph::kNaive, sc.M);
      p.bypass_capacity = cap;
      p.check = cap == found;
      DataflowResult r = simulate(p);
      StudyRow w = row(p, r, label);
      if (cap == found) {
        if (!full(r)) fail(n + ": naive at the minimum bypass is not at full throughput");
        if (!w.output_ok) fail(n + ": naive output differs from the fp64 reference");
      } else if (full(r)) {
        fail(n + ": naive at bypass " + std::to_string(cap) + " unexpectedly at full throughput");
      }
    }
  }

  std::ostringstream t;
  t << "Query rows simulated per point: M = " << sc.M << " (bypass search: " << sc.search_M
    << "), d = " << sc.d << ", lanes = " << sc.lanes << ", channel capacity " << sc.capacity
    << ", clock " << format_quantity(sc.spec.clock_hz, accsim::Unit::kFrequency) << ".\n\n";
  t << "| N | graph | setting | bypass | max channel | cycles | sustained | overall | "
       "peak intermediate B | max error | outcome |\n";
  t << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& w : out.rows) {
    char frac[64] = "-", ov[64] = "-", err[64];
    if (w.outcome.rfind("deadlock", 0) != 0) {
      std::snprintf(frac, sizeof frac, "%.2f%%", 100 * w.sustained_fraction);
      std::snprintf(ov, sizeof ov, "%.2f%%", 100 * w.overall_fraction);
    }
    if (w.max_error > 0)
      std::snprintf(err, sizeof err, "%.2e", w.max_error);
    else
      std::snprintf(err, sizeof err, "-");
    t << "| " << w.N << " | " << w.graph << " | " << w.setting << " | "
      << (w.graph == "naive" ? std::to_string(w.bypass_capacity) : "-") << " | " << w.max_capacity
      << " | " << w.cycles << " | " << frac << " | " << ov << " | " << w.peak_intermediate_bytes
      << " | " << err << (w.output_ok ? "" : " FAIL") << " | " << w.outcome << " |\n";
  }
  t << "\nNaive bypass capacity for full throughput (search vs closed form):\n\n";
  t << "| N | row elements R | min by search | closed form | excess over R |\n";
  t << "|---|---|---|---|---|\n" << summary.str();
  out.claims_hold = out.failed_claims.empty();
  t << "\nClaims: " << (out.claims_hold ? "all hold" : "FAILED") << "\n";
  for (const auto& f : out.failed_claims) t << "  - " << f << "\n";
  out.table = t.str();
  return out;
}

}  // namespace accsim::dataflow
