#include "hw/dataflow_spec.h"

#include <cmath>
#include <map>

namespace accsim::hw {

// Default figures and where they come from.
//
// Energy (45 nm, 0.9 V; M. Horowitz, "Computing's energy problem", ISSCC 2014, as quoted in
// PMC8934428 Table 3):
//   32-bit float add 0.9 pJ, 32-bit float multiply 3.7 pJ. The fp16 FMA of the same table is
//   ~1.5 pJ (0.4 add + 1.1 mult); the simulator computes in fp32, so the fp32 rows are used as
//   they are instead of scaling the fp16 figure (fp32/fp16 = 3.1x for an FMA).
//   Compare = add: a compare is a subtraction (same assumption as PMC8934428).
//   exp and divide have no row in that table; they are priced as the fp32 operations of a
//   typical implementation (assumption, not a published figure):
//     exp: range reduction + degree-5 Horner polynomial ~ 6 multiply-adds = 6 * (3.7 + 0.9)
//          = 27.6 pJ;
//     div: Newton-Raphson reciprocal, 2 iterations (2 mul + 1 add each) + final multiply
//          = 5 * 3.7 + 2 * 0.9 = 20.3 pJ.
//   SRAM: 10 pJ per 64-bit access of an 8 KB array (0.16 pJ/bit) and 100 pJ per 64-bit access
//   of a 1 MB array (1.6 pJ/bit), same table. Between the two sizes the model interpolates
//   log-linearly (assumption); outside it clamps.
// Memory: the ideal memory stands for an on-chip scratchpad holding Q, K, V (MB-sized for
//   N = 4096, d = 64, fp32), so it is priced at the MB-sized SRAM figure, 1.6 pJ/bit.
//   Bandwidth 512 GB/s per port and 2 cycles latency are assumptions chosen so that a d = 64
//   fp32 row (256 B) streams at one element per cycle at 1 GHz; change them per study.
// Clock 1 GHz and the pipeline depths are assumptions (no published figures for the units of
//   arXiv 2404.16629); every study that depends on them says so.

ClockDomain DataflowSpec::clock() const {
  ClockDomain c;
  c.name = "dataflow";
  c.period_ps = static_cast<Ps>(std::llround(1e12 / clock_hz));
  return c;
}

std::vector<std::string> DataflowSpec::sources() {
  return {
      "fp32 add 0.9 pJ, mult 3.7 pJ, SRAM 0.16 pJ/bit (8 KB) and 1.6 pJ/bit (1 MB): M. Horowitz, "
      "ISSCC 2014, 45 nm",
      "compare priced as add; exp = 6 FMAs, div = 5 mul + 2 add: assumptions built from the "
      "Horowitz fp32 figures",
      "clock 1 GHz, pipeline depths, memory 512 GB/s per port and 2 cycles: assumptions",
  };
}

namespace {

// Builtin presets: YAML patched with the section's own schema, so every value in them is
// checked exactly like a user's.
const std::map<std::string, std::string>& presets() {
  static const std::map<std::string, std::string> p = {
      // The defaults above.
      {"default", "clock: 1GHz\n"},
      // Every operation completes in one cycle: the setting in which the minimum bypass capacity
      // of naive SDPA is closest to a row (N + small constant), for comparison with the DAM
      // paper's N+1 (arXiv 2404.16629).
      {"single-cycle",
       "depth: {add: 1, mul: 1, cmp: 1, exp: 1, div: 1}\n"
       "memory: {latency: 1}\n"},
  };
  return p;
}

struct SchemaHolder {
  config::Schema<DataflowDepths> depth{"dataflow.depth"};
  config::Schema<DataflowEnergy> energy{"dataflow.energy"};
  config::Schema<DataflowMemory> memory{"dataflow.memory"};
  config::Schema<DataflowSpec> spec{"dataflow"};

  SchemaHolder() {
    using config::Range;
    const auto depth_range = Range::between(0, 1000);
    depth
        .integer("add", &DataflowDepths::add, std::optional<int>(2), depth_range, "cycles",
                 "pipeline depth of an fp32 add/subtract (assumption)")
        .integer("mul", &DataflowDepths::mul, std::optional<int>(2), depth_range, "cycles",
                 "pipeline depth of an fp32 multiply (assumption)")
        .integer("cmp", &DataflowDepths::cmp, std::optional<int>(1), depth_range, "cycles",
                 "pipeline depth of an fp32 max/compare (assumption)")
        .integer("exp", &DataflowDepths::exp, std::optional<int>(6), depth_range, "cycles",
                 "pipeline depth of an fp32 exponential (assumption)")
        .integer("div", &DataflowDepths::div, std::optional<int>(6), depth_range, "cycles",
                 "pipeline depth of an fp32 divide (assumption)");

    const auto e_range = Range::between(0, 1e-6);
    energy
        .quantity("add", &DataflowEnergy::add_j, Unit::kEnergy, 0.9e-12, e_range,
                  "energy of an fp32 add (Horowitz ISSCC'14, 45 nm)")
        .quantity("mul", &DataflowEnergy::mul_j, Unit::kEnergy, 3.7e-12, e_range,
                  "energy of an fp32 multiply (Horowitz ISSCC'14, 45 nm)")
        .quantity("cmp", &DataflowEnergy::cmp_j, Unit::kEnergy, 0.9e-12, e_range,
                  "energy of an fp32 compare (priced as an add)")
        .quantity("exp", &DataflowEnergy::exp_j, Unit::kEnergy, 27.6e-12, e_range,
                  "energy of an fp32 exp (6 multiply-adds; assumption)")
        .quantity("div", &DataflowEnergy::div_j, Unit::kEnergy, 20.3e-12, e_range,
                  "energy of an fp32 divide (Newton-Raphson, 5 mul + 2 add; assumption)")
        .quantity("sram_small", &DataflowEnergy::sram_small_j_per_bit, Unit::kEnergyPerBit,
                  0.16e-12, e_range, "SRAM access energy of a small array (Horowitz, 8 KB)")
        .quantity("sram_large", &DataflowEnergy::sram_large_j_per_bit, Unit::kEnergyPerBit, 1.6e-12,
                  e_range, "SRAM access energy of a large array (Horowitz, 1 MB)")
        .quantity("sram_small_size", &DataflowEnergy::sram_small_bytes, Unit::kSize, 8 * 1024.0,
                  Range::positive(), "array size the small SRAM figure is for")
        .quantity("sram_large_size", &DataflowEnergy::sram_large_bytes, Unit::kSize, 1024 * 1024.0,
                  Range::positive(), "array size the large SRAM figure is for");

    memory
        .choice("kind", &DataflowMemory::kind,
                {{"ideal", DataflowMemoryKind::kIdeal}, {"dram", DataflowMemoryKind::kDram}},
                std::optional(DataflowMemoryKind::kIdeal),
                "ideal: an independent port per memory unit (bandwidth, latency, energy below); "
                "dram: one DRAM model shared by all memory units, configured by the system's "
                "dram: and controller: sections")
        .quantity("bandwidth", &DataflowMemory::bandwidth_Bps, Unit::kBandwidth, 512e9,
                  Range::positive(), "ideal memory: bandwidth of each memory port (assumption)")
        .integer(
            "latency", &DataflowMemory::latency, std::optional<int>(2), Range::between(1, 1000000),
            "cycles",
            "ideal memory: cycles from a request to its data for a one-cycle transfer (assumption)")
        .quantity("energy", &DataflowMemory::j_per_bit, Unit::kEnergyPerBit, 1.6e-12, e_range,
                  "ideal memory: energy per bit moved (MB-sized SRAM, Horowitz)");

    spec.preset(
            "preset", &DataflowSpec::preset,
            [this](const std::string& name, DataflowSpec& s, const config::LoadCtx& c,
                   const YAML::Node& where) {
              auto it = presets().find(name);
              if (it == presets().end()) {
                std::vector<std::string> names = dataflow_preset_names();
                std::string hint = config::closest_match(name, names);
                throw config_error(c.origin->loc(where),
                                   "unknown dataflow preset '" + name +
                                       "'; builtin presets: " + config::join(names, ", ") +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
              }
              config::Origin o("<builtin:" + name + ">");
              YAML::Node n = config::load_yaml_string(it->second, o.file());
              config::LoadCtx pc{&o, c.prov, c.path};
              spec.patch(n, s, pc);
            },
            "builtin preset applied before the other keys (default | single-cycle)")
        .quantity("clock", &DataflowSpec::clock_hz, Unit::kFrequency, 1e9,
                  Range::between(1e6, 1e11), "clock of every unit and channel (assumption)")
        .integer("ii", &DataflowSpec::ii, std::optional<int>(1), Range::between(1, 1000000),
                 "cycles", "default initiation interval of every unit")
        .integer("channel_latency", &DataflowSpec::channel_latency, std::optional<int>(1),
                 Range::between(1, 1000000), "cycles",
                 "default channel latency: sent at t, receivable at t + latency")
        .integer("credit_latency", &DataflowSpec::credit_latency, std::optional<int>(0),
                 Range::between(0, 1000000), "cycles",
                 "cycles from a receive until its slot is free for the producer")
        .section("depth", &DataflowSpec::depth, depth, "pipeline depth per operation class")
        .section("energy", &DataflowSpec::energy, energy, "energy per action")
        .section("memory", &DataflowSpec::memory, memory,
                 "memory behind the memory units (ideal or the DRAM model)")
        .check([](const DataflowSpec& s, const SourceLoc& where) {
          if (s.energy.sram_large_bytes <= s.energy.sram_small_bytes)
            throw config_error(where,
                               "dataflow.energy.sram_large_size must be larger than "
                               "dataflow.energy.sram_small_size");
          check_whole_ps_clock(s.clock_hz, "dataflow.clock", where);
        });
  }
};

const SchemaHolder& holder() {
  static const SchemaHolder h;
  return h;
}

}  // namespace

std::vector<std::string> dataflow_preset_names() {
  std::vector<std::string> v;
  for (const auto& [n, t] : presets()) v.push_back(n);
  return v;
}

const config::Schema<DataflowSpec>& dataflow_spec_schema() {
  return holder().spec;
}

DataflowSpec dataflow_preset(const std::string& preset) {
  DataflowSpec s;
  dataflow_spec_schema().set_defaults(s);
  if (preset.empty()) return s;
  config::Origin o("<builtin>");
  config::Provenance prov;
  YAML::Node n;
  n["preset"] = preset;
  config::LoadCtx c{&o, &prov, "dataflow"};
  dataflow_spec_schema().patch(n, s, c);
  return s;
}

}  // namespace accsim::hw
