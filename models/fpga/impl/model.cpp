// Fixed-point types and model files (README.md "Fixed point", "Model files").
#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "models/fpga/fpga.h"

namespace accsim::fpga {

// ---------------------------------------------------------------------------------------------
// Fixed point

namespace {
// Powers of two for the quantizer's scalings (std::ldexp is slow where types change often).
double pow2(int e) {
  static const auto table = [] {
    std::array<double, 257> t{};
    for (int i = 0; i < 257; ++i) t[static_cast<std::size_t>(i)] = std::ldexp(1.0, i - 128);
    return t;
  }();
  return e >= -128 && e <= 128 ? table[static_cast<std::size_t>(e + 128)] : std::ldexp(1.0, e);
}
}  // namespace

double FixedType::lsb() const {
  return pow2(-(width - integer));
}

double FixedType::quantize(double x) const {
  return Quantizer(*this)(x);
}

Quantizer::Quantizer(const FixedType& t)
    : scale_(pow2(t.width - t.integer)),  // scaling by a power of two is exact
      inv_(pow2(t.integer - t.width)),
      lo_(t.is_signed ? -pow2(t.width - 1) : 0.0),
      hi_(lo_ + pow2(t.width) - 1.0),
      span_(pow2(t.width)),
      trn_(t.rounding == Rounding::kTrn),
      sat_(t.overflow == Overflow::kSat) {}

std::string FixedType::str() const {
  std::string s = std::string(is_signed ? "ap_fixed<" : "ap_ufixed<") + std::to_string(width) +
                  "," + std::to_string(integer);
  if (rounding != Rounding::kTrn || overflow != Overflow::kWrap)
    s += std::string(rounding == Rounding::kRnd ? ",AP_RND" : ",AP_TRN") +
         (overflow == Overflow::kSat ? ",AP_SAT" : ",AP_WRAP");
  return s + ">";
}

std::optional<FixedType> parse_fixed(std::string_view text, std::string* why) {
  auto fail = [why](const std::string& w) -> std::optional<FixedType> {
    if (why) *why = w;
    return std::nullopt;
  };
  std::string t;
  for (char c : text)
    if (c != ' ') t += c;
  FixedType f;
  bool is_int = false;
  std::string rest;
  for (auto [prefix, sgn, integer_type] :
       {std::tuple{"ap_fixed<", true, false}, std::tuple{"ap_ufixed<", false, false},
        std::tuple{"ap_int<", true, true}, std::tuple{"ap_uint<", false, true}}) {
    std::string p = prefix;
    if (t.rfind(p, 0) == 0) {
      f.is_signed = sgn;
      is_int = integer_type;
      rest = t.substr(p.size());
      break;
    }
  }
  if (rest.empty() || rest.back() != '>')
    return fail("expected ap_fixed<W,I>, ap_ufixed<W,I>, ap_int<W> or ap_uint<W>");
  rest.pop_back();
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i)
    if (i == rest.size() || rest[i] == ',') {
      parts.push_back(rest.substr(start, i - start));
      start = i + 1;
    }
  auto to_int = [](const std::string& s, int& out) {
    if (s.empty() || s.size() > 4) return false;
    std::size_t k = s[0] == '-' ? 1 : 0;
    if (k == s.size()) return false;
    for (std::size_t i = k; i < s.size(); ++i)
      if (s[i] < '0' || s[i] > '9') return false;
    out = std::stoi(s);
    return true;
  };
  if (!to_int(parts[0], f.width) || f.width < 1 || f.width > 48)
    return fail("width must be a whole number in [1, 48]");
  if (is_int) {
    if (parts.size() != 1) return fail("ap_int takes one parameter");
    f.integer = f.width;
    return f;
  }
  if (parts.size() < 2 || parts.size() > 4) return fail("expected ap_fixed<W,I[,Q[,O]]>");
  if (!to_int(parts[1], f.integer) || f.integer < -48 || f.integer > 48)
    return fail("integer bits must be a whole number in [-48, 48]");
  if (parts.size() >= 3) {
    if (parts[2] == "AP_TRN")
      f.rounding = Rounding::kTrn;
    else if (parts[2] == "AP_RND")
      f.rounding = Rounding::kRnd;
    else
      return fail("rounding mode must be AP_TRN or AP_RND");
  }
  if (parts.size() == 4) {
    if (parts[3] == "AP_WRAP")
      f.overflow = Overflow::kWrap;
    else if (parts[3] == "AP_SAT")
      f.overflow = Overflow::kSat;
    else
      return fail("overflow mode must be AP_WRAP or AP_SAT");
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Names

namespace {
const std::vector<std::pair<std::string, LayerKind>>& kinds() {
  static const std::vector<std::pair<std::string, LayerKind>> k = {
      {"input", LayerKind::kInput},
      {"dense", LayerKind::kDense},
      {"mha", LayerKind::kMha},
      {"softmax", LayerKind::kSoftmax},
      {"layernorm", LayerKind::kLayerNorm},
      {"relu", LayerKind::kRelu},
      {"gelu", LayerKind::kGelu},
      {"add", LayerKind::kAdd},
      {"pool", LayerKind::kPool},
      {"flatten", LayerKind::kFlatten}};
  return k;
}
}  // namespace

std::string_view kind_name(LayerKind k) {
  for (const auto& [n, v] : kinds())
    if (v == k) return n;
  return "?";
}
std::vector<std::string> kind_names() {
  std::vector<std::string> v;
  for (const auto& [n, k] : kinds()) v.push_back(n);
  return v;
}
std::string_view io_name(IoType t) {
  return t == IoType::kParallel ? "io_parallel" : "io_stream";
}
std::string_view strategy_name(Strategy s) {
  return s == Strategy::kLatency ? "latency" : "resource";
}

int ModelDesc::index_of(std::string_view layer) const {
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == layer) return static_cast<int>(i);
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Model files

namespace {

struct Defaults {
  std::string name;
  IoType io = IoType::kParallel;
  Strategy strategy = Strategy::kLatency;
  std::int64_t reuse = 1;
  std::int64_t parallel = 1;
  std::string precision = "ap_fixed<16,6>";
  std::string weight = "";  // "" = precision
  std::string accum = "";   // "" = precision
  std::string table = "ap_fixed<18,8>";
  std::int64_t table_size = 1024;
  std::int64_t fifo_depth = 0;
  std::int64_t seed = 1;
};

const config::Schema<Defaults>& defaults_schema() {
  static const config::Schema<Defaults> s = [] {
    using config::Range;
    config::Schema<Defaults> s("model");
    s.text("name", &Defaults::name, std::nullopt, "name of the model, for reports")
        .choice<IoType>("io_type", &Defaults::io,
                        {{"io_parallel", IoType::kParallel}, {"io_stream", IoType::kStream}},
                        IoType::kParallel,
                        "io_parallel: whole tensors between layers; io_stream: rows through FIFOs")
        .choice<Strategy>("strategy", &Defaults::strategy,
                          {{"latency", Strategy::kLatency}, {"resource", Strategy::kResource}},
                          Strategy::kLatency,
                          "default strategy: latency (weights in fabric) or resource (in BRAM)")
        .integer<std::int64_t>("reuse_factor", &Defaults::reuse, 1, Range::between(1, 1 << 20), "",
                               "default reuse factor of every layer")
        .integer<std::int64_t>(
            "parallelization_factor", &Defaults::parallel, 1, Range::between(1, 1 << 16), "rows",
            "io_parallel: rows of a dense, softmax or layernorm layer computed at once "
            "(hls4ml ParallelizationFactor; lowered per layer to a divisor of its rows; "
            "ignored under io_stream)")
        .text("precision", &Defaults::precision, std::string("ap_fixed<16,6>"),
              "default result precision (hls4ml's default ap_fixed<16,6>)")
        .text("weight_precision", &Defaults::weight, std::string(),
              "default weight/bias precision (empty = precision)")
        .text("accum_precision", &Defaults::accum, std::string(),
              "default accumulator precision (empty = precision)")
        .text("table_precision", &Defaults::table, std::string("ap_fixed<18,8>"),
              "default precision of lookup tables (hls4ml softmax table_t ap_fixed<18,8>)")
        .integer<std::int64_t>("table_size", &Defaults::table_size, 1024,
                               Range::between(2, 1 << 20), "entries",
                               "default entries per lookup table (hls4ml default 1024)")
        .integer<std::int64_t>(
            "fifo_depth", &Defaults::fifo_depth, 0, Range::between(0, 1 << 24), "elements",
            "FIFO depth: io_stream rows (0 = the rows of the tensor, hls4ml's default); "
            "io_parallel tensor buffers (0 = 2, ping-pong)")
        .integer<std::int64_t>("seed", &Defaults::seed, 1, Range::between(0, 1e18), "",
                               "seed of the generated weights and input events");
    return s;
  }();
  return s;
}

FixedType fixed_at(const std::string& text, const SourceLoc& where, const std::string& what) {
  std::string why;
  auto f = parse_fixed(text, &why);
  if (!f) throw config_error(where, "'" + what + "' = '" + text + "': " + why);
  return *f;
}

const std::set<std::string>& keys_for(LayerKind k) {
  static const std::set<std::string> common = {"name",   "kind",      "input",
                                               "inputs", "precision", "fifo_depth"};
  static std::map<LayerKind, std::set<std::string>> m;
  if (m.empty()) {
    auto with = [](std::initializer_list<const char*> extra) {
      std::set<std::string> s = common;
      for (auto* e : extra) s.insert(e);
      return s;
    };
    m[LayerKind::kInput] = {"name", "kind", "shape", "precision", "fifo_depth"};
    m[LayerKind::kDense] = with({"units", "in_features", "reuse_factor", "parallelization_factor",
                                 "strategy", "weight_precision", "accum_precision"});
    m[LayerKind::kMha] = with({"heads", "head_dim", "reuse_factor", "strategy", "weight_precision",
                               "accum_precision", "table_precision", "table_size", "table_range"});
    m[LayerKind::kSoftmax] = with({"reuse_factor", "parallelization_factor", "accum_precision",
                                   "table_precision", "table_size", "table_range"});
    m[LayerKind::kLayerNorm] =
        with({"reuse_factor", "parallelization_factor", "weight_precision", "accum_precision",
              "table_precision", "table_size", "table_range"});
    m[LayerKind::kRelu] = with({});
    m[LayerKind::kGelu] = with({"table_precision", "table_size", "table_range"});
    m[LayerKind::kAdd] = with({});
    m[LayerKind::kPool] = with({"accum_precision"});
    // A reshape keeps its input's values and type: no precision of its own.
    m[LayerKind::kFlatten] = {"name", "kind", "input", "inputs", "fifo_depth"};
  }
  return m[k];
}

// Rows computed at once (LayerDesc::parallel). hls4ml's io_parallel dense on a sequence is a
// pointwise Conv1D whose PartitionLoop runs out_width / ParallelizationFactor partitions at
// II = reuse factor, n_pixels = ParallelizationFactor rows unrolled in each
// (nnet_conv1d_latency.h); its layernorm and softmax loop over rows the same way. Its io_parallel
// activations, merge and global pooling are one pipelined function over the whole array
// (nnet_activation.h: `#pragma HLS PIPELINE` over n_in elements), i.e. every row at once. A factor
// given on the layer must divide the rows; the model-wide one is lowered to the largest divisor,
// like the reuse factor.
void set_parallel(const ModelDesc& m, LayerDesc& l, std::int64_t rows, const YAML::Node& n,
                  const Defaults& d, const YAML::Node& root, const config::Origin& origin,
                  const std::string& path) {
  const bool row_engine = l.kind == LayerKind::kDense || l.kind == LayerKind::kSoftmax ||
                          l.kind == LayerKind::kLayerNorm;
  const bool on_layer = static_cast<bool>(n["parallelization_factor"]);
  if (on_layer)
    l.parallel_where = origin.loc(n["parallelization_factor"]);
  else if (root["model"]["parallelization_factor"])
    l.parallel_where = origin.loc(root["model"]["parallelization_factor"]);
  std::int64_t pf = d.parallel;
  if (on_layer) {
    config::Provenance prov;
    config::LoadCtx kc{&origin, &prov, path + ".parallelization_factor"};
    pf = config::read_integer(n["parallelization_factor"], kc);
    if (pf < 1 || pf > (1 << 16))
      throw config_error(l.parallel_where, "'" + kc.path + "' = " + std::to_string(pf) +
                                               " is out of range; expected [1, 65536]");
  }
  if (m.io == IoType::kStream) {
    // The model-wide default is ignored here (so one file serves both I/O styles); a factor
    // given on a layer is a mistake.
    if (pf > 1 && on_layer)
      throw config_error(l.parallel_where,
                         path + " (" + l.name +
                             "): parallelization_factor applies to io_parallel only (io_stream "
                             "computes one row per firing, as hls4ml does)");
    l.parallel = 1;
    return;
  }
  if (!row_engine) {
    // mha keeps its row loops (hls4ml's attention has no parallelization factor); activations,
    // add and pool take the whole tensor at once.
    l.parallel = l.kind == LayerKind::kMha ? 1 : rows;
    return;
  }
  if (on_layer) {
    if (rows % pf != 0)
      throw config_error(l.parallel_where, path + " (" + l.name + "): parallelization_factor " +
                                               std::to_string(pf) + " does not divide the " +
                                               std::to_string(rows) + " rows of its input");
    l.parallel = pf;
    return;
  }
  pf = std::min(pf, rows);
  while (rows % pf != 0) --pf;
  l.parallel = pf;
}

}  // namespace

ModelDesc load_model(const YAML::Node& root, const config::Origin& origin) {
  if (!root.IsMap())
    throw config_error(origin.loc(root),
                       "a model file must be a mapping with 'model' and 'layers'");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string k = config::key_text(it->first, origin);
    if (k != "model" && k != "layers")
      throw config_error(origin.loc(it->first),
                         "unknown key '" + k + "' in a model file; valid keys: model, layers");
  }
  config::Provenance prov;
  Defaults d;
  defaults_schema().set_defaults(d);
  if (!root["model"])
    throw config_error(SourceLoc{origin.file(), 1, 1}, "missing section 'model' (with 'name')");
  config::LoadCtx ctx{&origin, &prov, "model"};
  defaults_schema().patch(root["model"], d, ctx);
  defaults_schema().validate(d, prov, "model", origin.loc(root["model"]));

  ModelDesc m;
  m.name = d.name;
  m.file = origin.file();
  m.io = d.io;
  m.fifo_depth = d.fifo_depth;
  m.seed = static_cast<std::uint64_t>(d.seed);
  m.where = origin.loc(root["model"]);
  auto mloc = [&](const char* key) {
    return root["model"][key] ? origin.loc(root["model"][key]) : m.where;
  };
  const FixedType def_prec = fixed_at(d.precision, mloc("precision"), "model.precision");
  const FixedType def_w =
      d.weight.empty() ? def_prec
                       : fixed_at(d.weight, mloc("weight_precision"), "model.weight_precision");
  const FixedType def_acc =
      d.accum.empty() ? def_prec
                      : fixed_at(d.accum, mloc("accum_precision"), "model.accum_precision");
  const FixedType def_table = fixed_at(d.table, mloc("table_precision"), "model.table_precision");

  YAML::Node layers = root["layers"];
  if (!layers || !layers.IsSequence() || layers.size() == 0)
    throw config_error(origin.loc(layers ? layers : root),
                       "a model needs a non-empty list 'layers'");
  std::set<std::string> used_as_input;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const YAML::Node& n = layers[i];
    const std::string path = "layers[" + std::to_string(i) + "]";
    if (!n.IsMap()) throw config_error(origin.loc(n), path + " must be a mapping");
    LayerDesc l;
    l.where = origin.loc(n);
    l.reuse_where = l.where;
    l.parallel_where = l.where;
    if (!n["kind"])
      throw config_error(l.where,
                         path + ": missing 'kind'; one of " + config::join(kind_names(), ", "));
    std::string kind = config::value_text(n["kind"], origin, path + ".kind");
    bool found = false;
    for (const auto& [nm, k] : kinds())
      if (nm == kind) l.kind = k, found = true;
    if (!found) {
      std::string hint = config::closest_match(kind, kind_names());
      throw config_error(origin.loc(n["kind"]),
                         path + ": unknown layer kind '" + kind + "'; expected one of " +
                             config::join(kind_names(), ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    const auto& allowed = keys_for(l.kind);
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = config::key_text(it->first, origin);
      if (!allowed.count(k)) {
        std::vector<std::string> v(allowed.begin(), allowed.end());
        std::string hint = config::closest_match(k, v);
        throw config_error(origin.loc(it->first),
                           "unknown key '" + path + "." + k + "' for a " + kind +
                               " layer; valid keys: " + config::join(v, ", ") +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    config::LoadCtx c{&origin, &prov, path};
    auto integer = [&](const char* key, std::int64_t lo, std::int64_t hi) -> std::int64_t {
      config::LoadCtx kc = c;
      kc.path = path + "." + key;
      std::int64_t v = config::read_integer(n[key], kc);
      if (v < lo || v > hi)
        throw config_error(origin.loc(n[key]), "'" + kc.path + "' = " + std::to_string(v) +
                                                   " is out of range; expected [" +
                                                   std::to_string(lo) + ", " + std::to_string(hi) +
                                                   "]");
      return v;
    };
    auto text = [&](const char* key) {
      return config::value_text(n[key], origin, path + "." + key);
    };
    l.name = n["name"] ? text("name") : kind + std::to_string(i);
    if (m.index_of(l.name) >= 0)
      throw config_error(origin.loc(n["name"]), path + ": duplicate layer name '" + l.name + "'");
    if (l.name.find("->") != std::string::npos || l.name.empty())
      throw config_error(origin.loc(n["name"]),
                         path + ": layer names may not be empty or hold '->'");
    l.precision = n["precision"]
                      ? fixed_at(text("precision"), origin.loc(n["precision"]), path + ".precision")
                      : def_prec;
    l.weight = n["weight_precision"]
                   ? fixed_at(text("weight_precision"), origin.loc(n["weight_precision"]),
                              path + ".weight_precision")
                   : def_w;
    l.accum = n["accum_precision"]
                  ? fixed_at(text("accum_precision"), origin.loc(n["accum_precision"]),
                             path + ".accum_precision")
                  : def_acc;
    l.table = n["table_precision"]
                  ? fixed_at(text("table_precision"), origin.loc(n["table_precision"]),
                             path + ".table_precision")
                  : def_table;
    l.table_size = n["table_size"] ? integer("table_size", 2, 1 << 20) : d.table_size;
    if (n["table_range"]) {
      config::LoadCtx kc = c;
      kc.path = path + ".table_range";
      l.table_range = config::read_number(n["table_range"], Unit::kNone, kc);
      if (!(l.table_range > 0 && l.table_range < 1e6))
        throw config_error(origin.loc(n["table_range"]), "'" + kc.path + "' must be in (0, 1e6)");
    }
    l.fifo_depth = n["fifo_depth"] ? integer("fifo_depth", 1, 1 << 24) : 0;
    l.strategy = d.strategy;
    if (n["strategy"]) {
      std::string s = text("strategy");
      if (s == "latency")
        l.strategy = Strategy::kLatency;
      else if (s == "resource")
        l.strategy = Strategy::kResource;
      else
        throw config_error(origin.loc(n["strategy"]),
                           "'" + path + ".strategy' = '" + s + "'; expected latency or resource");
    }
    l.reuse = static_cast<int>(d.reuse);
    if (n["reuse_factor"]) {
      l.reuse = static_cast<int>(integer("reuse_factor", 1, 1 << 20));
      l.reuse_where = origin.loc(n["reuse_factor"]);
    } else if (root["model"]["reuse_factor"]) {
      l.reuse_where = mloc("reuse_factor");
    }

    // Inputs: `input: name`, `inputs: [a, b]`, or the previous layer.
    if (l.kind == LayerKind::kInput) {
      if (i != 0) throw config_error(l.where, path + ": the input layer must come first");
      if (!n["shape"] || !n["shape"].IsSequence() || n["shape"].size() != 2)
        throw config_error(n["shape"] ? origin.loc(n["shape"]) : l.where,
                           path + ": an input layer needs 'shape: [rows, cols]'");
      config::LoadCtx kc = c;
      kc.path = path + ".shape";
      l.rows = config::read_integer(n["shape"][0], kc);
      l.cols = config::read_integer(n["shape"][1], kc);
      if (l.rows < 1 || l.cols < 1 || l.rows > 1 << 16 || l.cols > 1 << 16)
        throw config_error(origin.loc(n["shape"]),
                           path + ".shape: rows and cols must be in [1, 65536]");
      m.layers.push_back(l);
      continue;
    }
    if (i == 0)
      throw config_error(l.where, path + ": the first layer must be the input (kind: input)");
    if (n["input"] && n["inputs"])
      throw config_error(origin.loc(n["inputs"]), path + ": give 'input' or 'inputs', not both");
    std::vector<std::pair<std::string, SourceLoc>> ins;
    if (n["input"]) {
      ins.push_back({text("input"), origin.loc(n["input"])});
    } else if (n["inputs"]) {
      if (!n["inputs"].IsSequence())
        throw config_error(origin.loc(n["inputs"]), path + ".inputs must be a list of layer names");
      for (const auto& e : n["inputs"])
        ins.push_back({config::value_text(e, origin, path + ".inputs"), origin.loc(e)});
    } else {
      ins.push_back({m.layers.back().name, l.where});
    }
    const std::size_t want = l.kind == LayerKind::kAdd ? 2 : 1;
    if (ins.size() != want)
      throw config_error(n["inputs"] ? origin.loc(n["inputs"]) : l.where,
                         path + ": a " + kind + " layer takes " + std::to_string(want) +
                             " input(s), got " + std::to_string(ins.size()));
    std::vector<const LayerDesc*> src;
    for (const auto& [nm, loc] : ins) {
      int k = m.index_of(nm);
      if (k < 0) {
        std::vector<std::string> names;
        for (const auto& p : m.layers) names.push_back(p.name);
        throw config_error(
            loc, path + ": unknown input layer '" + nm +
                     "' (inputs must be defined earlier: " + config::join(names, ", ") + ")");
      }
      src.push_back(&m.layers[static_cast<std::size_t>(k)]);
      l.inputs.push_back(nm);
      used_as_input.insert(nm);
    }
    const std::int64_t rows = src[0]->rows, cols = src[0]->cols;
    // A reuse factor given on the layer must divide its multiplications; the model-wide default
    // is lowered per layer to the largest factor that does (hls4ml also substitutes a valid
    // factor, with a warning).
    const bool strict = static_cast<bool>(n["reuse_factor"]);
    auto rf_error = [&](const std::string& what) {
      throw config_error(l.reuse_where, path + " (" + l.name + "): reuse factor " +
                                            std::to_string(l.reuse) + " does not divide " + what);
    };
    auto fit_rf = [&](std::initializer_list<std::int64_t> counts) {
      if (strict) return;
      for (int r = l.reuse; r >= 1; --r) {
        bool ok = true;
        for (std::int64_t c : counts) ok = ok && c % r == 0;
        if (ok) {
          l.reuse = r;
          return;
        }
      }
    };
    l.rows = rows;
    l.cols = cols;
    switch (l.kind) {
      case LayerKind::kDense: {
        if (!n["units"]) throw config_error(l.where, path + ": a dense layer needs 'units'");
        l.units = integer("units", 1, 1 << 16);
        if (n["in_features"]) {
          std::int64_t f = integer("in_features", 1, 1 << 16);
          if (f != cols)
            throw config_error(origin.loc(n["in_features"]),
                               path + " (" + l.name + "): shape mismatch: in_features " +
                                   std::to_string(f) + " but its input '" + src[0]->name +
                                   "' has " + std::to_string(cols) + " features per row (shape [" +
                                   std::to_string(rows) + ", " + std::to_string(cols) + "])");
        }
        fit_rf({cols * l.units});
        if ((cols * l.units) % l.reuse != 0)
          rf_error("the " + std::to_string(cols) + " x " + std::to_string(l.units) + " = " +
                   std::to_string(cols * l.units) + " multiplications per row");
        l.cols = l.units;
        break;
      }
      case LayerKind::kMha: {
        if (!n["heads"] || !n["head_dim"])
          throw config_error(l.where, path + ": an mha layer needs 'heads' and 'head_dim'");
        l.heads = integer("heads", 1, 1024);
        l.head_dim = integer("head_dim", 1, 1 << 14);
        const std::int64_t proj = cols * l.heads * l.head_dim, att = l.heads * rows * l.head_dim;
        fit_rf({proj, att});
        if (proj % l.reuse != 0)
          rf_error("the " + std::to_string(proj) + " multiplications per row of each projection");
        if (att % l.reuse != 0)
          rf_error("the " + std::to_string(att) + " multiplications per row of Q.K^T and P.V");
        break;
      }
      case LayerKind::kSoftmax:
      case LayerKind::kLayerNorm:
        fit_rf({cols});
        if (cols % l.reuse != 0) rf_error("the " + std::to_string(cols) + " elements per row");
        break;
      case LayerKind::kAdd: {
        if (src[1]->rows != rows || src[1]->cols != cols)
          throw config_error(n["inputs"] ? origin.loc(n["inputs"]) : l.where,
                             path + " (" + l.name + "): shape mismatch: input '" + src[0]->name +
                                 "' is [" + std::to_string(rows) + ", " + std::to_string(cols) +
                                 "] but '" + src[1]->name + "' is [" +
                                 std::to_string(src[1]->rows) + ", " +
                                 std::to_string(src[1]->cols) + "]");
        if (src[0] == src[1])
          throw config_error(origin.loc(n["inputs"]), path + ": an add needs two different inputs");
        l.reuse = 1;
        break;
      }
      case LayerKind::kPool:
        l.rows = 1;
        l.reuse = 1;
        break;
      case LayerKind::kFlatten:
        // [rows, cols] -> [1, rows x cols], values and type unchanged (Keras Flatten).
        l.rows = 1;
        l.cols = rows * cols;
        if (l.cols > 1 << 16)
          throw config_error(l.where, path + " (" + l.name + "): flattening [" +
                                          std::to_string(rows) + ", " + std::to_string(cols) +
                                          "] gives " + std::to_string(l.cols) +
                                          " features; at most 65536 are supported");
        l.precision = src[0]->precision;
        l.reuse = 1;
        break;
      default:
        l.reuse = 1;  // activations, add: fully parallel per row
        break;
    }
    set_parallel(m, l, rows, n, d, root, origin, path);
    m.layers.push_back(l);
  }
  for (std::size_t i = 0; i + 1 < m.layers.size(); ++i)
    if (!used_as_input.count(m.layers[i].name))
      throw config_error(m.layers[i].where, "layer '" + m.layers[i].name +
                                                "' is never used: only the last layer may be "
                                                "the model's output");
  return m;
}

ModelDesc load_model_file(const std::string& path) {
  YAML::Node root = config::load_yaml_file(path);
  config::Origin origin(path);
  return load_model(root, origin);
}

}  // namespace accsim::fpga
