// The FPGA study (configs/fpga/jet_tagger_study.yaml, README.md "Validation"): the jet tagger
// over reuse factor and precision for both I/O styles, and a FIFO-depth sweep on an io_stream
// model that checks the model's minimum depths against simulation.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "models/fpga/fpga.h"

namespace accsim::fpga {
namespace {

struct StudyConfig {
  std::string model;  // path
  hw::FpgaSpec spec;
  std::int64_t events = 64;
  std::vector<std::int64_t> reuse;
  std::vector<std::int64_t> parallel;  // io_parallel parallelization factors (empty: no table)
  std::vector<std::int64_t> rows;      // input rows (constituents) to try (empty: no table)
  std::vector<std::string> precisions, io_types;
  std::string sweep_model, sweep_fifo;  // "" fifo = the one with the largest minimum depth
  std::vector<std::int64_t> sweep_depths;
  double latency_target_ns = 2000;
};

std::vector<std::string> strings(const YAML::Node& n, const config::Origin& o,
                                 const std::string& what) {
  if (!n || !n.IsSequence() || n.size() == 0)
    throw config_error(o.loc(n), "'" + what + "' must be a non-empty list");
  std::vector<std::string> v;
  for (const auto& e : n) v.push_back(config::value_text(e, o, what));
  return v;
}
std::vector<std::int64_t> integers(const YAML::Node& n, const config::Origin& o,
                                   const std::string& what) {
  if (!n || !n.IsSequence() || n.size() == 0)
    throw config_error(o.loc(n), "'" + what + "' must be a non-empty list");
  config::Provenance prov;
  std::vector<std::int64_t> v;
  for (const auto& e : n) {
    config::LoadCtx c{&o, &prov, what};
    std::int64_t x = config::read_integer(e, c);
    if (x < 1 || x > (1 << 24))
      throw config_error(o.loc(e), "'" + what + "' values must be in [1, 16777216]");
    v.push_back(x);
  }
  return v;
}

StudyConfig load(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path);
  config::Origin o(path);
  config::Provenance prov;
  StudyConfig sc;
  sc.spec = hw::fpga_preset("VU13P");
  if (!root.IsMap()) throw config_error(o.loc(root), "a study file must be a mapping");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string k = config::key_text(it->first, o);
    if (k != "fpga" && k != "study")
      throw config_error(o.loc(it->first), "unknown key '" + k + "'; valid keys: fpga, study");
  }
  if (root["fpga"]) {
    config::LoadCtx c{&o, &prov, "fpga"};
    hw::fpga_spec_schema().patch(root["fpga"], sc.spec, c);
    hw::fpga_spec_schema().validate(sc.spec, prov, "fpga", o.loc(root["fpga"]));
  }
  const YAML::Node s = root["study"];
  if (!s || !s.IsMap()) throw config_error(o.loc(root), "missing the 'study' mapping");
  const std::vector<std::string> keys = {
      "model",      "events",         "reuse_factors",           "precisions", "io_types",
      "fifo_sweep", "latency_target", "parallelization_factors", "input_rows"};
  for (auto it = s.begin(); it != s.end(); ++it) {
    std::string k = config::key_text(it->first, o);
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      throw config_error(o.loc(it->first),
                         "unknown key 'study." + k + "'; valid keys: " + config::join(keys, ", "));
  }
  const auto base = std::filesystem::path(path).parent_path();
  auto rel = [&](const std::string& p) { return (base / p).lexically_normal().string(); };
  if (!s["model"]) throw config_error(o.loc(s), "missing 'study.model' (a model file)");
  sc.model = rel(config::value_text(s["model"], o, "study.model"));
  if (s["events"]) {
    config::LoadCtx c{&o, &prov, "study.events"};
    sc.events = config::read_integer(s["events"], c);
    if (sc.events < 4 || sc.events > 100000)
      throw config_error(o.loc(s["events"]), "'study.events' must be in [4, 100000]");
  }
  if (s["latency_target"]) {
    config::LoadCtx c{&o, &prov, "study.latency_target"};
    sc.latency_target_ns = config::read_number(s["latency_target"], Unit::kTime, c) * 1e9;
  }
  sc.reuse = integers(s["reuse_factors"], o, "study.reuse_factors");
  if (s["input_rows"]) sc.rows = integers(s["input_rows"], o, "study.input_rows");
  if (s["parallelization_factors"])
    sc.parallel = integers(s["parallelization_factors"], o, "study.parallelization_factors");
  sc.precisions = strings(s["precisions"], o, "study.precisions");
  for (std::size_t i = 0; i < sc.precisions.size(); ++i) {
    std::string why;
    if (!parse_fixed(sc.precisions[i], &why))
      throw config_error(o.loc(s["precisions"][i]), "'study.precisions': " + why);
  }
  sc.io_types = strings(s["io_types"], o, "study.io_types");
  for (std::size_t i = 0; i < sc.io_types.size(); ++i)
    if (sc.io_types[i] != "io_parallel" && sc.io_types[i] != "io_stream")
      throw config_error(o.loc(s["io_types"][i]),
                         "'study.io_types': expected io_parallel or io_stream");
  const YAML::Node fs = s["fifo_sweep"];
  if (!fs || !fs.IsMap()) throw config_error(o.loc(s), "missing the 'study.fifo_sweep' mapping");
  for (auto it = fs.begin(); it != fs.end(); ++it) {
    std::string k = config::key_text(it->first, o);
    if (k != "model" && k != "fifo" && k != "depths")
      throw config_error(o.loc(it->first), "unknown key 'study.fifo_sweep." + k +
                                               "'; valid keys: model, fifo, depths");
  }
  if (!fs["model"]) throw config_error(o.loc(fs), "missing 'study.fifo_sweep.model'");
  sc.sweep_model = rel(config::value_text(fs["model"], o, "study.fifo_sweep.model"));
  if (fs["fifo"]) sc.sweep_fifo = config::value_text(fs["fifo"], o, "study.fifo_sweep.fifo");
  sc.sweep_depths = integers(fs["depths"], o, "study.fifo_sweep.depths");
  return sc;
}

ModelDesc load_with(const std::string& path, const std::string& io, std::int64_t rf,
                    const std::string& prec, std::int64_t pf = 0, std::int64_t rows = 0) {
  YAML::Node root = config::load_yaml_file(path);
  config::Origin o(path);
  if (root.IsMap() && root["model"] && root["model"].IsMap()) {
    if (!io.empty()) root["model"]["io_type"] = io;
    if (rf > 0) root["model"]["reuse_factor"] = rf;
    if (!prec.empty()) root["model"]["precision"] = prec;
    if (pf > 0) root["model"]["parallelization_factor"] = pf;
  }
  if (rows > 0 && root.IsMap() && root["layers"] && root["layers"].IsSequence() &&
      root["layers"].size() > 0 && root["layers"][0]["shape"] &&
      root["layers"][0]["shape"].IsSequence() && root["layers"][0]["shape"].size() == 2)
    root["layers"][0]["shape"][0] = rows;
  return load_model(root, o);
}

std::int64_t pipeline_ii(const ModelDesc& m, const hw::FpgaSpec& spec) {
  std::int64_t b = 1;
  for (const auto& l : m.layers) b = std::max(b, engine_timing(m, l, spec).layer_ii);
  return b;
}

// Minimum depths from an unbounded run at the sustainable rate.
std::map<std::string, std::int64_t> min_depths(const ModelDesc& m, const hw::FpgaSpec& spec,
                                               std::int64_t events) {
  StreamParams q;
  q.events = events;
  q.unbounded = true;
  q.compute_values = false;
  q.interval_cycles = static_cast<double>(pipeline_ii(m, spec));
  FpgaResult r = simulate(m, spec, q);
  std::map<std::string, std::int64_t> d;
  for (const auto& f : r.fifos)
    if (f.to != "out") d[f.name] = std::max<std::int64_t>(1, f.peak);
  return d;
}

struct Point {
  Cycle latency = 0;
  double ii = 0;
  Resources res;
  bool fits = true;
};

Point design_point(const ModelDesc& m, const hw::FpgaSpec& spec, std::int64_t events) {
  StreamParams p;
  p.events = events;
  p.compute_values = false;
  p.fifo_depths = min_depths(m, spec, events);  // the FIFOs a user would size by co-simulation
  FpgaResult r = simulate(m, spec, p);
  if (r.deadlocked()) throw sim_error("study: " + m.name + " deadlocked with its minimum depths");
  Point pt;
  pt.latency = r.first_latency;
  pt.ii = r.ii_cycles;
  pt.res = r.total;
  pt.fits = r.total.dsp <= static_cast<double>(spec.res.dsp) &&
            r.total.bram36 <= static_cast<double>(spec.res.bram36) &&
            r.total.uram <= static_cast<double>(spec.res.uram) &&
            r.total.lut <= static_cast<double>(spec.res.lut) &&
            r.total.ff <= static_cast<double>(spec.res.ff);
  return pt;
}

std::string f1(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
std::string f0(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.0f", std::ceil(v - 1e-9));
  return b;
}

}  // namespace

StudyResult run_study(const std::string& path) {
  const StudyConfig sc = load(path);
  const hw::FpgaSpec& spec = sc.spec;
  const double ns = 1e9 / spec.clock_hz;
  StudyResult out;
  std::ostringstream t;
  auto claim = [&](bool ok, const std::string& what) {
    if (!ok) out.failed_claims.push_back(what);
  };
  const std::string part = spec.part.empty() ? spec.device : spec.part;
  const std::string title = load_with(sc.model, sc.io_types.front(), 1, "").name;
  t << "### " << title << " vs reuse factor (" << part << ", " << f0(spec.clock_hz / 1e6)
    << " MHz, " << sc.events << " back-to-back events, FIFOs at their minimum depths)\n\n";
  t << "| io_type | reuse | latency (cycles) | latency (ns) | II (cycles) | events/s | DSP | "
       "BRAM36 | LUT | FF | fits |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::map<std::string, Point> rf1;
  for (const auto& io : sc.io_types) {
    Point prev;
    bool first = true;
    for (std::int64_t rf : sc.reuse) {
      ModelDesc m = load_with(sc.model, io, rf, "");
      Point p = design_point(m, spec, sc.events);
      t << "| " << io << " | " << rf << " | " << p.latency << " | " << f1(p.latency * ns) << " | "
        << f1(p.ii) << " | " << f0(spec.clock_hz / p.ii) << " | " << f0(p.res.dsp) << " | "
        << f0(p.res.bram36) << " | " << f0(p.res.lut) << " | " << f0(p.res.ff) << " | "
        << (p.fits ? "yes" : "no") << " |\n";
      if (rf == 1) rf1[io] = p;
      if (!first) {
        claim(
            p.latency >= prev.latency,
            io + ": latency does not fall as the reuse factor rises (" + std::to_string(rf) + ")");
        claim(p.ii >= prev.ii - 1e-9,
              io + ": II does not fall as the reuse factor rises (" + std::to_string(rf) + ")");
        claim(p.res.dsp <= prev.res.dsp,
              io + ": DSPs do not rise as the reuse factor rises (" + std::to_string(rf) + ")");
      }
      prev = p;
      first = false;
    }
  }
  t << "\n### " << title << " vs precision (reuse factor 1)\n\n";
  t << "| io_type | precision | latency (cycles) | latency (ns) | II (cycles) | DSP | LUT | FF | "
       "fits |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& io : sc.io_types)
    for (const auto& prec : sc.precisions) {
      ModelDesc m = load_with(sc.model, io, 1, prec);
      Point p = design_point(m, spec, sc.events);
      t << "| " << io << " | `" << prec << "` | " << p.latency << " | " << f1(p.latency * ns)
        << " | " << f1(p.ii) << " | " << f0(p.res.dsp) << " | " << f0(p.res.lut) << " | "
        << f0(p.res.ff) << " | " << (p.fits ? "yes" : "no") << " |\n";
    }
  // io_parallel rows computed at once (hls4ml ParallelizationFactor), reuse factor 1.
  std::optional<std::pair<std::int64_t, Point>> best_pf;
  if (!sc.parallel.empty()) {
    t << "\n### " << title << " vs parallelization factor (io_parallel, reuse factor 1)\n\n";
    t << "| parallelization factor | latency (cycles) | latency (ns) | II (cycles) | DSP | LUT | "
         "FF | fits |\n|---|---|---|---|---|---|---|---|\n";
    Point prev;
    bool first = true;
    for (std::int64_t pf : sc.parallel) {
      ModelDesc m = load_with(sc.model, "io_parallel", 1, "", pf);
      Point p = design_point(m, spec, sc.events);
      t << "| " << pf << " | " << p.latency << " | " << f1(p.latency * ns) << " | " << f1(p.ii)
        << " | " << f0(p.res.dsp) << " | " << f0(p.res.lut) << " | " << f0(p.res.ff) << " | "
        << (p.fits ? "yes" : "no") << " |\n";
      if (!first) {
        claim(p.latency <= prev.latency,
              "io_parallel: latency rises with the parallelization "
              "factor (" +
                  std::to_string(pf) + ")");
        claim(p.res.dsp >= prev.res.dsp,
              "io_parallel: DSPs fall as the parallelization factor "
              "rises (" +
                  std::to_string(pf) + ")");
      }
      if (p.fits && (!best_pf || p.latency < best_pf->second.latency)) best_pf = {pf, p};
      prev = p;
      first = false;
    }
  }
  // Sensitivity to the input size (sequence length): the same model with fewer or more rows.
  if (!sc.rows.empty()) {
    t << "\n### " << title
      << " vs input rows (sequence length; reuse factor 1)\n\n| rows | io_type | latency (cycles) "
         "| latency (ns) | II (cycles) "
         "| DSP | fits |\n|---|---|---|---|---|---|---|\n";
    for (std::int64_t rows : sc.rows)
      for (const auto& io : sc.io_types) {
        ModelDesc m = load_with(sc.model, io, 1, "", 0, rows);
        Point p = design_point(m, spec, sc.events);
        t << "| " << rows << " | " << io << " | " << p.latency << " | " << f1(p.latency * ns)
          << " | " << f1(p.ii) << " | " << f0(p.res.dsp) << " | " << (p.fits ? "yes" : "no")
          << " |\n";
      }
  }
  t << "\n### Paper comparison: latency under " << f0(sc.latency_target_ns)
    << " ns at reuse factor 1 (arXiv 2402.01047, 2409.05207)\n\n";
  auto verdict = [&](const Point& p) {
    return p.latency * ns < sc.latency_target_ns ? "under the target" : "NOT under the target";
  };
  for (const auto& [io, p] : rf1)
    t << "- " << io << ": " << f1(p.latency * ns) << " ns -> " << verdict(p) << "\n";
  if (best_pf)
    t << "- io_parallel, fastest design that fits the part (parallelization factor "
      << best_pf->first << "): " << f1(best_pf->second.latency * ns) << " ns -> "
      << verdict(best_pf->second) << "\n";

  // FIFO-depth sweep.
  ModelDesc sm = load_model_file(sc.sweep_model);
  if (sm.io != IoType::kStream)
    throw config_error(SourceLoc{path}, "study.fifo_sweep.model must be an io_stream model");
  auto mins = min_depths(sm, spec, sc.events);
  std::string fifo = sc.sweep_fifo;
  if (fifo.empty()) {
    std::int64_t best = -1;
    for (const auto& [n, d] : mins)
      if (d > best) best = d, fifo = n;
  }
  if (!mins.count(fifo)) {
    std::string names;
    for (const auto& [n, d] : mins) names += (names.empty() ? "" : ", ") + n;
    throw config_error(SourceLoc{path}, "study.fifo_sweep.fifo '" + fifo +
                                            "' is not a FIFO of the model; FIFOs: " + names);
  }
  const std::int64_t need = mins[fifo];
  const std::int64_t ii = pipeline_ii(sm, spec);
  StreamParams base;
  base.events = sc.events;
  base.compute_values = false;
  base.interval_cycles = static_cast<double>(ii);
  base.unbounded = true;
  const FpgaResult ref = simulate(sm, spec, base);
  t << "\n### FIFO-depth sweep: " << sm.name << " (io_stream), FIFO `" << fifo
    << "`, other FIFOs at their minimum depths, events every " << ii
    << " cycles\n\nModel's minimum depth for no stall: **" << need
    << "**. Unbounded FIFOs: latency " << ref.first_latency << " cycles.\n\n";
  t << "| depth | outcome | stall cycles | latency (cycles) | II (cycles) "
       "|\n|---|---|---|---|---|\n";
  std::int64_t max_deadlock = 0, min_stall_free = INT64_MAX, max_stall = 0;
  std::vector<std::int64_t> depths = sc.sweep_depths;
  for (std::int64_t extra : {need - 1, need}) {
    if (extra >= 1 && std::find(depths.begin(), depths.end(), extra) == depths.end())
      depths.push_back(extra);
  }
  std::sort(depths.begin(), depths.end());
  for (std::int64_t d : depths) {
    StreamParams p = base;
    p.unbounded = false;
    p.fifo_depths = mins;
    p.fifo_depths[fifo] = d;
    FpgaResult r = simulate(sm, spec, p);
    std::uint64_t stall = 0;
    for (const auto& l : r.layers) stall += l.stall_cycles;
    std::string outcome;
    if (r.deadlocked()) {
      // The engines that wait for room are the cause; the others wait for their data.
      outcome = "deadlock (waiting for room:";
      for (const auto& b : r.deadlock->blocked)
        if (!b.waits_for_data) outcome += " " + b.layer + " in " + b.fifo + ";";
      outcome += " full:";
      for (const auto& f : r.deadlock->full_fifos) outcome += " " + f;
      outcome += ")";
      max_deadlock = std::max(max_deadlock, d);
    } else if (stall > 0) {
      outcome = "stalls";
      max_stall = std::max(max_stall, d);
    } else {
      outcome = "no stall";
      min_stall_free = std::min(min_stall_free, d);
      claim(r.first_latency == ref.first_latency && r.done == ref.done,
            "depth " + std::to_string(d) + ": no stall but timing differs from unbounded FIFOs");
    }
    t << "| " << d << " | " << outcome << " | " << stall << " | "
      << (r.deadlocked() ? std::string("-") : std::to_string(r.first_latency)) << " | "
      << (r.deadlocked() ? std::string("-") : f1(r.ii_cycles)) << " |\n";
  }
  claim(min_stall_free == need, "the smallest stall-free depth in the sweep (" +
                                    std::to_string(min_stall_free) +
                                    ") is not the model's minimum depth " + std::to_string(need));
  claim(max_stall == need - 1 || need == 1,
        "depth " + std::to_string(need - 1) + " (one below the minimum) does not stall");
  claim(max_deadlock > 0, "no depth in the sweep deadlocks (add smaller depths)");
  t << "\nStalls below depth " << need << "; deadlocks at depth " << max_deadlock
    << " and below (in this sweep).\n";
  out.table = t.str();
  out.claims_hold = out.failed_claims.empty();
  return out;
}

}  // namespace accsim::fpga
