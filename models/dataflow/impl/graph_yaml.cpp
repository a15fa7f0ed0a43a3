// Graph files (README.md "Graph files"). Every mistake is reported at its file:line:col with
// what was expected; nothing reaches the engine unchecked.
#include <map>
#include <set>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

namespace {

using config::LoadCtx;
using config::Origin;

struct Ctx {
  const Origin& origin;
  config::Provenance prov;
  SourceLoc loc(const YAML::Node& n) const { return origin.loc(n); }
  LoadCtx at(const std::string& path) { return LoadCtx{&origin, &prov, path}; }
};

// Rejects keys not in `allowed`, naming the closest valid one.
void check_keys(Ctx& c, const YAML::Node& map, const std::vector<std::string>& allowed,
                const std::string& what) {
  if (!map.IsMap()) throw config_error(c.loc(map), what + " must be a mapping of keys to values");
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string k = it->first.as<std::string>();
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string hint = config::closest_match(k, allowed);
      throw config_error(c.loc(it->first),
                         "unknown key '" + k + "' in " + what +
                             "; valid keys: " + config::join(allowed, ", ") +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
}

YAML::Node require(Ctx& c, const YAML::Node& map, const char* key, const std::string& what,
                   const YAML::Node& holder) {
  YAML::Node n = map[key];
  if (!n) throw config_error(c.loc(holder), what + ": missing required key '" + key + "'");
  return n;
}

std::int64_t integer(Ctx& c, const YAML::Node& n, const std::string& path, std::int64_t min,
                     std::int64_t max, const std::string& expect) {
  std::int64_t v = config::read_integer(n, c.at(path));
  if (v < min || v > max)
    throw config_error(c.loc(n),
                       "'" + path + "' = " + std::to_string(v) + " is out of range; " + expect);
  return v;
}

std::string text(Ctx& c, const YAML::Node& n, const std::string& path) {
  return config::scalar_text(n, c.at(path));
}

template <class E>
E pick(Ctx& c, const YAML::Node& n, const std::string& path,
       const std::vector<std::pair<std::string, E>>& options, const std::string& what) {
  std::string s = text(c, n, path);
  std::vector<std::string> names;
  for (const auto& [k, v] : options) {
    if (k == s) return v;
    names.push_back(k);
  }
  std::string hint = config::closest_match(s, names);
  throw config_error(c.loc(n), "unknown " + what + " '" + s + "'; expected one of " +
                                   config::join(names, ", ") +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

const std::vector<std::pair<std::string, UnitKind>>& yaml_kinds() {
  static const std::vector<std::pair<std::string, UnitKind>> k = {
      {"map", UnitKind::kMap},
      {"reduce", UnitKind::kReduce},
      {"scan", UnitKind::kScan},
      {"dot", UnitKind::kDot},
      {"accumulate", UnitKind::kAccumulate},
      {"broadcast", UnitKind::kBroadcast},
      {"repeat", UnitKind::kRepeat},
      {"mem_read", UnitKind::kMemRead},
      {"mem_write", UnitKind::kMemWrite}};
  return k;
}

std::vector<std::string> keys_of(UnitKind k) {
  std::vector<std::string> v = {"name", "kind", "ii", "depth"};
  auto add = [&](std::initializer_list<const char*> ks) {
    for (auto s : ks) v.emplace_back(s);
  };
  switch (k) {
    case UnitKind::kMap:
      add({"op", "scale"});
      break;
    case UnitKind::kReduce:
    case UnitKind::kScan:
      add({"op", "length"});
      break;
    case UnitKind::kDot:
      add({"length", "scale"});
      break;
    case UnitKind::kAccumulate:
      add({"length"});
      break;
    case UnitKind::kBroadcast:
      add({"outputs"});
      break;
    case UnitKind::kRepeat:
      add({"times"});
      break;
    case UnitKind::kMemRead:
    case UnitKind::kMemWrite:
      add({"tensor", "rows_per_element", "repeat", "blocks"});
      break;
    default:
      break;
  }
  return v;
}

struct Endpoint {
  int unit = -1;
  int port = -1;
  std::string unit_name, port_name;
};

}  // namespace

std::unique_ptr<Graph> load_graph(const YAML::Node& root, const config::Origin& origin,
                                  const hw::DataflowSpec& spec) {
  Ctx c{origin, {}};
  if (!root || !root.IsMap())
    throw config_error(c.loc(root), "a graph file must be a mapping with a 'graph' section");
  check_keys(c, root, {"dataflow", "graph"}, "the graph file");
  const YAML::Node gn = root["graph"];
  if (!gn) throw config_error(c.loc(root), "missing the 'graph' section");
  check_keys(c, gn, {"name", "tensors", "units", "channels", "throughput"}, "'graph'");

  auto g = std::make_unique<Graph>(gn["name"] ? text(c, gn["name"], "graph.name") : "graph");

  // Tensors.
  if (const YAML::Node ts = gn["tensors"]) {
    if (!ts.IsSequence()) throw config_error(c.loc(ts), "'graph.tensors' must be a list");
    for (std::size_t i = 0; i < ts.size(); ++i) {
      const YAML::Node t = ts[i];
      const std::string path = "graph.tensors[" + std::to_string(i) + "]";
      check_keys(c, t, {"name", "blocks", "rows", "cols", "init", "seed"}, path);
      std::string name = text(c, require(c, t, "name", path, t), path + ".name");
      if (g->store().find(name))
        throw config_error(c.loc(t["name"]), "tensor '" + name + "' is defined twice");
      auto dim = [&](const char* k, bool req) -> std::int64_t {
        if (!t[k]) {
          if (req) throw config_error(c.loc(t), path + ": missing required key '" + k + "'");
          return 1;
        }
        return integer(c, t[k], path + "." + k, 1, 1 << 26, "expected 1 .. 67108864");
      };
      std::int64_t blocks = dim("blocks", false), rows = dim("rows", true),
                   cols = dim("cols", true);
      if (blocks * rows * cols > (std::int64_t{1} << 30))
        throw config_error(c.loc(t), "tensor '" + name + "' has more than 2^30 values");
      Tensor& tensor = g->store().add(name, blocks, rows, cols);
      enum class Init { kZero, kUniform, kIota };
      Init init =
          t["init"]
              ? pick<Init>(
                    c, t["init"], path + ".init",
                    {{"zero", Init::kZero}, {"uniform", Init::kUniform}, {"iota", Init::kIota}},
                    "tensor init")
              : Init::kZero;
      auto seed = t["seed"] ? static_cast<std::uint64_t>(integer(c, t["seed"], path + ".seed", 0,
                                                                 INT64_MAX, "expected >= 0"))
                            : 1u;
      if (init == Init::kUniform) fill_uniform(tensor, seed, -1.0f, 1.0f);
      if (init == Init::kIota)
        for (std::size_t k = 0; k < tensor.data.size(); ++k) tensor.data[k] = static_cast<float>(k);
    }
  }

  // Units.
  const YAML::Node us = gn["units"];
  if (!us || !us.IsSequence() || us.size() == 0)
    throw config_error(c.loc(us ? us : gn), "'graph.units' must be a non-empty list");
  std::map<std::string, YAML::Node> unit_node;
  for (std::size_t i = 0; i < us.size(); ++i) {
    const YAML::Node u = us[i];
    const std::string path = "graph.units[" + std::to_string(i) + "]";
    if (!u.IsMap()) throw config_error(c.loc(u), path + " must be a mapping");
    UnitParams p;
    p.name = text(c, require(c, u, "name", path, u), path + ".name");
    if (p.name.empty() || p.name.find_first_of(". \t") != std::string::npos)
      throw config_error(c.loc(u["name"]),
                         "unit name '" + p.name + "' must be non-empty without '.' or spaces");
    if (unit_node.count(p.name))
      throw config_error(c.loc(u["name"]), "unit '" + p.name + "' is defined twice (first at " +
                                               c.loc(unit_node[p.name]).str() + ")");
    const YAML::Node kn = require(c, u, "kind", path, u);
    p.kind = pick(c, kn, path + ".kind", yaml_kinds(), "unit kind");
    check_keys(c, u, keys_of(p.kind),
               "unit '" + p.name + "' (" + std::string(kind_name(p.kind)) + ")");
    const std::string up = "unit '" + p.name + "'";
    if (u["ii"])
      p.ii = static_cast<int>(
          integer(c, u["ii"], path + ".ii", 1, 1000000, "expected 1 .. 1000000 cycles"));
    if (u["depth"])
      p.depth = static_cast<int>(
          integer(c, u["depth"], path + ".depth", 0, 1000000, "expected 0 .. 1000000 cycles"));
    auto opt_int = [&](const char* k, std::int64_t& dst) {
      if (u[k]) dst = integer(c, u[k], path + "." + k, 1, INT64_MAX / 2, "expected >= 1");
    };
    opt_int("length", p.length);
    opt_int("times", p.times);
    opt_int("rows_per_element", p.rows_per_element);
    opt_int("repeat", p.repeat);
    if (u["outputs"])
      p.outputs =
          static_cast<int>(integer(c, u["outputs"], path + ".outputs", 1, 32, "expected 1 .. 32"));
    if (u["scale"])
      p.scale = config::read_number(u["scale"], accsim::Unit::kNone, c.at(path + ".scale"));
    switch (p.kind) {
      case UnitKind::kMap:
        p.op = pick<Op>(c, require(c, u, "op", up, u), path + ".op",
                        {{"add", Op::kAdd},
                         {"sub", Op::kSub},
                         {"mul", Op::kMul},
                         {"div", Op::kDiv},
                         {"max", Op::kMax},
                         {"exp", Op::kExp},
                         {"scale", Op::kScale},
                         {"copy", Op::kCopy}},
                        "map op");
        break;
      case UnitKind::kReduce:
        p.op = pick<Op>(c, require(c, u, "op", up, u), path + ".op",
                        {{"max", Op::kMax}, {"sum", Op::kSum}}, "reduce op");
        break;
      case UnitKind::kScan:
        p.op = pick<Op>(c, require(c, u, "op", up, u), path + ".op",
                        {{"max", Op::kMax}, {"sum", Op::kSum}, {"online_max", Op::kOnlineMax}},
                        "scan op");
        break;
      case UnitKind::kMemRead:
      case UnitKind::kMemWrite: {
        const YAML::Node tn = require(c, u, "tensor", up, u);
        p.tensor = text(c, tn, path + ".tensor");
        Tensor* t = g->store().find(p.tensor);
        if (!t) {
          std::vector<std::string> names;
          for (const auto& x : g->store().all()) names.push_back(x->name);
          throw config_error(c.loc(tn), "unknown tensor '" + p.tensor + "'; defined tensors: " +
                                            (names.empty() ? "none" : config::join(names, ", ")));
        }
        if (t->rows % p.rows_per_element != 0)
          throw config_error(c.loc(u["rows_per_element"]),
                             "rows_per_element = " + std::to_string(p.rows_per_element) +
                                 " must divide the " + std::to_string(t->rows) +
                                 " rows of tensor '" + p.tensor + "'");
        if (const YAML::Node bn = u["blocks"]) {
          if (!bn.IsSequence()) throw config_error(c.loc(bn), "'blocks' must be a list");
          for (std::size_t k = 0; k < bn.size(); ++k)
            p.blocks.push_back(integer(c, bn[k], path + ".blocks", 0, t->blocks - 1,
                                       "expected a block index of tensor '" + p.tensor + "'"));
        }
        break;
      }
      default:
        break;
    }
    unit_node[p.name] = u;
    g->add(make_unit(p, spec, &g->store(), nullptr));
  }

  // Channels.
  const YAML::Node cs = gn["channels"];
  if (!cs || !cs.IsSequence())
    throw config_error(c.loc(cs ? cs : gn), "'graph.channels' must be a list");
  std::map<std::pair<int, std::string>, YAML::Node> used;  // (unit, "in:p"/"out:p") -> channel
  auto endpoint = [&](const YAML::Node& n, const std::string& path, bool output) {
    std::string s = text(c, n, path);
    auto dot = s.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
      throw config_error(c.loc(n), "'" + s + "' is not '<unit>.<port>'");
    Endpoint e;
    e.unit_name = s.substr(0, dot);
    e.port_name = s.substr(dot + 1);
    e.unit = g->unit_index(e.unit_name);
    if (e.unit < 0) {
      std::vector<std::string> names;
      for (const auto& u : g->units()) names.push_back(u->name());
      std::string hint = config::closest_match(e.unit_name, names);
      throw config_error(c.loc(n), "channel " + std::string(output ? "from" : "to") +
                                       " unknown unit '" + e.unit_name +
                                       "'; units: " + config::join(names, ", ") +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    const Unit& u = *g->units()[static_cast<std::size_t>(e.unit)];
    e.port = output ? u.output_index(e.port_name) : u.input_index(e.port_name);
    if (e.port < 0) {
      std::vector<std::string> ports;
      for (const auto& p : output ? u.outputs() : u.inputs()) ports.push_back(p.name);
      throw config_error(c.loc(n), "unit '" + e.unit_name + "' (" +
                                       std::string(kind_name(u.kind())) + ") has no " +
                                       (output ? "output" : "input") + " port '" + e.port_name +
                                       "'; its " + (output ? "outputs" : "inputs") + ": " +
                                       (ports.empty() ? "none" : config::join(ports, ", ")));
    }
    auto key = std::make_pair(e.unit, std::string(output ? "out:" : "in:") + e.port_name);
    if (auto it = used.find(key); it != used.end())
      throw config_error(c.loc(n), "port " + s + " is already connected by the channel at " +
                                       c.loc(it->second).str());
    used[key] = n;
    return e;
  };
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const YAML::Node ch = cs[i];
    const std::string path = "graph.channels[" + std::to_string(i) + "]";
    check_keys(c, ch, {"name", "from", "to", "capacity", "latency", "credit_latency", "width"},
               path);
    Endpoint from = endpoint(require(c, ch, "from", path, ch), path + ".from", true);
    Endpoint to = endpoint(require(c, ch, "to", path, ch), path + ".to", false);
    ChannelParams p;
    if (ch["name"]) p.name = text(c, ch["name"], path + ".name");
    const YAML::Node capn = require(c, ch, "capacity", path, ch);
    if (config::read_integer(capn, c.at(path + ".capacity")) < 1)
      throw config_error(c.loc(capn),
                         "channel capacity must be >= 1 element (a channel with no "
                         "slot can never carry anything)");
    p.capacity = static_cast<std::uint32_t>(
        integer(c, capn, path + ".capacity", 1, 1 << 26, "expected 1 .. 67108864 elements"));
    p.latency = spec.channel_latency;
    if (const YAML::Node ln = ch["latency"]) {
      if (config::read_integer(ln, c.at(path + ".latency")) < 1)
        throw config_error(c.loc(ln),
                           "channel latency must be >= 1 cycle: an element sent at "
                           "cycle t is receivable at t + latency, never in cycle t");
      p.latency = integer(c, ln, path + ".latency", 1, 1 << 20, "expected 1 .. 1048576 cycles");
    }
    p.credit_latency = spec.credit_latency;
    if (const YAML::Node cn = ch["credit_latency"])
      p.credit_latency =
          integer(c, cn, path + ".credit_latency", 0, 1 << 20, "expected 0 .. 1048576 cycles");
    p.width = static_cast<int>(integer(c, require(c, ch, "width", path, ch), path + ".width", 1,
                                       1 << 20, "expected 1 .. 1048576 values"));
    g->connect(from.unit_name, from.port_name, to.unit_name, to.port_name, p);
  }

  // Every required port connected and widths consistent, reported at the unit.
  for (const auto& u : g->units()) {
    const YAML::Node un = unit_node[u->name()];
    const std::string head = "unit '" + u->name() + "' (" + std::string(kind_name(u->kind())) + ")";
    for (std::size_t i = 0; i < u->inputs().size(); ++i)
      if (u->in_ch[i] < 0 && !u->inputs()[i].optional)
        throw config_error(c.loc(un), head + ": input port '" + u->inputs()[i].name +
                                          "' is not connected to any channel");
    for (std::size_t o = 0; o < u->outputs().size(); ++o)
      if (u->out_ch[o] < 0)
        throw config_error(c.loc(un), head + ": output port '" + u->outputs()[o].name +
                                          "' is not connected to any channel");
    if (std::string w = u->check_widths(); !w.empty()) {
      std::string where;
      for (std::size_t i = 0; i < u->inputs().size(); ++i)
        if (u->in_ch[i] >= 0)
          where += " " + u->inputs()[i].name + "=" + std::to_string(u->in_widths()[i]) + " (" +
                   c.loc(used[{g->unit_index(u->name()), "in:" + u->inputs()[i].name}]).str() + ")";
      for (std::size_t o = 0; o < u->outputs().size(); ++o)
        where += " " + u->outputs()[o].name + "=" + std::to_string(u->out_widths()[o]) + " (" +
                 c.loc(used[{g->unit_index(u->name()), "out:" + u->outputs()[o].name}]).str() + ")";
      throw config_error(
          c.loc(un), head + ": mismatched channel widths: " + w + "; connected widths:" + where);
    }
  }

  // Throughput measurement.
  if (const YAML::Node tn = gn["throughput"]) {
    check_keys(c, tn, {"units", "per_firing", "peak"}, "'graph.throughput'");
    const YAML::Node un = require(c, tn, "units", "'graph.throughput'", tn);
    if (!un.IsSequence() || un.size() == 0)
      throw config_error(c.loc(un), "'graph.throughput.units' must be a non-empty list");
    for (std::size_t i = 0; i < un.size(); ++i) {
      std::string n = text(c, un[i], "graph.throughput.units");
      if (g->unit_index(n) < 0)
        throw config_error(c.loc(un[i]), "unknown unit '" + n + "' in graph.throughput.units");
      g->throughput_units.push_back(n);
    }
    g->work_per_firing = tn["per_firing"]
                             ? config::read_number(tn["per_firing"], accsim::Unit::kNone,
                                                   c.at("graph.throughput.per_firing"))
                             : 1.0;
    g->peak_work_per_cycle = tn["peak"] ? config::read_number(tn["peak"], accsim::Unit::kNone,
                                                              c.at("graph.throughput.peak"))
                                        : 1.0;
    if (!(g->work_per_firing > 0) || !(g->peak_work_per_cycle > 0))
      throw config_error(c.loc(tn), "graph.throughput: per_firing and peak must be > 0");
  }
  return g;
}

std::unique_ptr<Graph> load_graph_file(const std::string& path, const hw::DataflowSpec& spec) {
  YAML::Node root = config::load_yaml_file(path);
  Origin o(path);
  return load_graph(root, o, spec);
}

DataflowResult run_graph_file(const std::string& path, hw::DataflowSpec spec, StatsRegistry& stats,
                              EnergyLedger& energy) {
  const YAML::Node root = config::load_yaml_file(path);
  Origin o(path);
  config::Provenance prov;
  if (root && root.IsMap() && root["dataflow"]) {
    config::LoadCtx lc{&o, &prov, "dataflow"};
    hw::dataflow_spec_schema().patch(root["dataflow"], spec, lc);
    hw::dataflow_spec_schema().validate(spec, prov, "dataflow", o.loc(root["dataflow"]));
  }
  auto g = load_graph(root, o, spec);
  DataflowResult r = run(*g, spec);
  account(r, spec, stats, energy);
  return r;
}

}  // namespace accsim::dataflow
