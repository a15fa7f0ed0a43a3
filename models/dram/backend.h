#pragma once
// The DRAM model without SystemC: DramBackend drives the per-channel controllers of one spec from
// plain C++, for models that keep their own time (models/dataflow, models/gpu): the caller
// submits requests at their arrival cycle and advances the DRAM explicitly; it reports each
// request's completion cycle. It may be used any number of times per process. This header pulls
// in no SystemC or TLM header; models/dram/dram.h adds the SystemC face (DramSystem). See
// models/dram/README.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/address_map.h"
#include "models/dram/impl/controller.h"
#include "models/dram/impl/controller_config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"

namespace accsim::dram {

// An estimate of the host memory the DRAM model of `spec` takes (controllers, queues, bank
// state, energy observer, checker, statistics), checked against system.memory_budget before a run
// (sim/run). Not a model figure: the constants were measured on this implementation with
// /usr/bin/time's maximum resident size over 1 000 requests, DDR4 and HBM3 at 1 to 4 096
// channels and 1 to 16 ranks (Release build; models/dram/README.md "Memory"): about 40 KiB per
// independent channel and 330 bytes per bank, on a 15 MB process.
double estimated_model_bytes(const hw::DramSpec& spec);

// The DRAM system without SystemC: per-channel controllers, address mapping, energy observer,
// protocol checker and statistics, driven by explicit time. DramSystem (models/dram/dram.h) is
// its TLM-2.0 face: a request sent at time t arrives at floor(t / tCK) + 1
// (tests/unit/dram/backend_test.cpp checks that the two give the same timing):
//   * a request is split into bursts of the organisation's burst size; its bursts get queue
//     entries in order, each entering its controller's queue at `arrival` (the link's cycle);
//   * while a queue is full the request waits, and so does every later request (one initiator,
//     TLM-2.0 request exclusion); it is retried after every processed cycle c with arrival c + 1;
//   * every channel runs at cycle 0 and then at its controller's next event (refresh included).
// Usage: for every request, in non-decreasing arrival order, run_until(arrival - 1) and then
// submit(); run_until / run_next to find completions; finalize(end, ledger) once at the end.
class DramBackend {
 public:
  static constexpr Cycle kNever = INT64_MAX;
  struct Done {
    std::uint64_t id = 0;  // the caller's id given to submit()
    Cycle done = 0;        // last data beat (writes: last write burst on the bus), DRAM cycles
    Cycle arrival = 0;     // cycle its first burst entered a queue
    bool is_write = false;
  };

  // Statistics go to "<stats_name>" and "<stats_name>.chN" (as DramSystem). Throws config
  // errors for a bad controller config or a spec the mapping cannot handle.
  DramBackend(const hw::DramSpec& spec, const ControllerConfig& cfg, StatsRegistry& stats,
              const std::string& stats_name = "dram");
  ~DramBackend();
  DramBackend(const DramBackend&) = delete;
  DramBackend& operator=(const DramBackend&) = delete;

  // A request of `bytes` (> 0) at `addr` arriving at `arrival` (> last_cycle(); requests in
  // non-decreasing arrival order). `id` is returned in its Done. Returns true when every burst
  // got a queue entry at once; otherwise the request waits (waiting() > 0), and so do later ones.
  bool submit(std::uint64_t id, std::uint64_t addr, std::uint32_t bytes, bool is_write,
              Cycle arrival);
  // Submitted requests whose bursts do not all have a queue entry yet.
  std::size_t waiting() const;
  // The earliest cycle with an event (a channel's wake-up); kNever if none.
  Cycle next_cycle() const;
  // Processes every cycle with events up to and including `until`; completed requests (their
  // last column command issued) are appended to `out` in the order found. Returns next_cycle().
  Cycle run_until(Cycle until, std::vector<Done>& out);
  // Processes the next cycle with events; returns it (kNever if there was none).
  Cycle run_next(std::vector<Done>& out);
  Cycle last_cycle() const;         // the latest processed cycle (-1 before the first)
  std::size_t outstanding() const;  // submitted requests not yet completed

  // Closes statistics and energy at `end` (DRAM cycles, >= last_cycle()); processes the events
  // up to `end` first, so refresh and background energy cover the whole run. Call once.
  void finalize(Cycle end, EnergyLedger& ledger);
  // A kSimulation error naming the first protocol violation, if the checker found any.
  void throw_if_violations() const;
  std::uint64_t protocol_violations() const;

  const hw::DramSpec& spec() const;
  const AddressMapper& mapper() const;
  int channels() const;
  const Controller& controller(int channel) const;
  void add_observer(int channel, CommandObserver* o);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accsim::dram
