#pragma once
// DataflowSpec: the hardware of a streaming-dataflow accelerator (DAM style, see
// models/dataflow/README.md): clock, pipeline depth per arithmetic operation, initiation
// interval, channel timing, the ideal memory that streams tensors, and the energy of every
// action. Units and channels are built from these numbers by models/dataflow; nothing there
// hard-codes a latency or an energy.
//
// Loaded from a `dataflow:` section (config::Schema below): defaults -> `preset:` -> keys.
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace accsim::hw {

// Pipeline depth, in cycles, of one fp32 operation of each class. Units derive their depth
// from these (e.g. a d-wide dot product = mul + add * ceil(log2 d), an adder tree).
struct DataflowDepths {
  int add = 2;  // add / subtract
  int mul = 2;  // multiply (also "scale" by a constant)
  int cmp = 1;  // max / compare
  int exp = 6;  // exponential
  int div = 6;  // divide
};

// Energy per action in joules (the schema reads "0.9pJ"). Sources: see dataflow_spec.cpp.
struct DataflowEnergy {
  double add_j = 0.9e-12;
  double mul_j = 3.7e-12;
  double cmp_j = 0.9e-12;
  double exp_j = 27.6e-12;
  double div_j = 20.3e-12;
  // Channel buffers (FIFOs) are SRAM: per bit written or read, by buffer size.
  double sram_small_j_per_bit = 0.16e-12;
  double sram_large_j_per_bit = 1.6e-12;
  double sram_small_bytes = 8 * 1024;     // size the small figure was given for
  double sram_large_bytes = 1024 * 1024;  // size the large figure was given for
};

// What the memory read/write units stream from and to.
enum class DataflowMemoryKind {
  kIdeal,  // one independent IdealMemoryPort per unit (bandwidth, latency below)
  kDram,   // one DRAM model (models/dram) shared by all memory units: the `dram:` and
           // `controller:` sections of the system config
};

// The memory behind the memory read/write units. With kind ideal: one independent port per unit.
struct DataflowMemory {
  DataflowMemoryKind kind = DataflowMemoryKind::kIdeal;
  double bandwidth_Bps = 512e9;  // per port
  int latency = 2;               // cycles from issue to data for a one-cycle transfer
  double j_per_bit = 1.6e-12;    // per bit moved (ideal memory only; DRAM energy comes from
                                 // the DRAM model's energy observer)
};

struct DataflowSpec {
  std::string preset;
  double clock_hz = 1e9;
  int ii = 1;               // default initiation interval of every unit, cycles
  int channel_latency = 1;  // default channel latency, cycles (>= 1)
  int credit_latency = 0;   // cycles from a receive until the producer may reuse the slot
  DataflowDepths depth;
  DataflowEnergy energy;
  DataflowMemory memory;

  ClockDomain clock() const;
  // Bytes the memory moves per cycle of this clock, per port.
  double mem_bytes_per_cycle() const { return memory.bandwidth_Bps / clock_hz; }
  // Where each default figure comes from (for reports).
  static std::vector<std::string> sources();
};

// Names of the builtin presets, for `accsim list` and errors.
std::vector<std::string> dataflow_preset_names();

// The schema of the `dataflow:` section. Presets are builtin YAML texts applied with the same
// schema (origin "<builtin:NAME>").
const config::Schema<DataflowSpec>& dataflow_spec_schema();

// Convenience for tests and tools: defaults, then `preset` (if not empty).
DataflowSpec dataflow_preset(const std::string& preset);

}  // namespace accsim::hw
