#pragma once
// The PIM model's one public header: PIM-GPT style processing-in-memory (models/pim/README.md).
// Channels of DRAM banks with a MAC unit each (AiM-style all-bank commands, timed by a rule
// table over the DRAM spec plus the PIM spec) do the matrix-vector products of GPT decode; an
// ASIC sums partial results and runs layer norm, softmax, GELU, residuals and argmax.
//
// SystemC structure: one module per channel (a thread that runs its program whenever the
// controller starts it and signals when its last data has moved) and the ASIC/controller module
// that walks the op list in order: it starts every channel on a matrix op and waits for all of
// them, and runs vector ops in its own clock. Inside a channel, commands are scheduled by plain
// C++ at the earliest legal cycle (no per-cycle ticking).
//
// One SystemC elaboration per process: run_pim() builds the modules, runs and finalizes.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/pim_spec.h"
#include "models/pim/impl/channel.h"
#include "models/pim/impl/command.h"
#include "models/pim/impl/program.h"
#include "models/pim/impl/timing.h"
#include "sim/core/energy.h"
#include "sim/core/error.h"
#include "sim/core/stats.h"

namespace accsim::pim {

// Fills `ops` with the ops of step `step` (0-based).
using StepSource = std::function<void(std::int64_t step, std::vector<Op>& ops)>;
using PimProgressFn = std::function<void(double fraction, const std::string& what)>;

struct OpTotals {
  std::int64_t count = 0;
  double ns = 0;
};

struct PimRunResult {
  double sim_time_s = 0;
  std::vector<double> step_ns;  // latency of each step
  // Time by op name ("qkv", "softmax" ...) and by class (matrix ops on the PIM channels, KV-cache
  // writes, vector ops on the ASIC), in op order of first appearance.
  std::vector<std::pair<std::string, OpTotals>> by_op;
  double vmm_ns = 0, kv_ns = 0, asic_ns = 0;
  std::uint64_t macs = 0;          // useful MACs
  std::uint64_t bus_bytes = 0;     // bytes on the channels' external buses (WRGB, RDMAC, WR)
  std::uint64_t inbank_bytes = 0;  // bytes the banks' MAC units read from their rows
  std::uint64_t protocol_violations = 0;
  std::string first_violation;
  std::uint64_t commands = 0;
};

// Runs `steps` steps. Statistics go to groups "pim" (totals), "pim.chN" and "asic"; energy to
// components "pim" and "asic". Throws config errors (at `where`) for specs the model cannot run.
PimRunResult run_pim(const hw::DramSpec& dram, const hw::PimSpec& pim, const StepSource& source,
                     std::int64_t steps, bool check_protocol, StatsRegistry& stats,
                     EnergyLedger& energy, const PimProgressFn& progress, const SourceLoc& where);

// ASIC cycles of a vector op: passes x ceil(elements / lanes) + depth (0 for an empty op).
std::int64_t asic_cycles(const hw::PimSpec& pim, const Op& op);

}  // namespace accsim::pim
