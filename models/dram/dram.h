#pragma once
// The DRAM model's SystemC header: a cycle-accurate, event-driven DRAM system (all channels
// of one spec) behind a TLM-2.0 target socket, its `controller:` configuration, and the address
// mapping other models use to place data. See models/dram/README.md.
//
// Protocol: TLM-2.0 base protocol, non-blocking. BEGIN_REQ is answered with END_REQ once every
// burst of the request has a queue entry; while a queue is full END_REQ is withheld and the
// initiator may not send another request (back-pressure). The response takes effect at the cycle
// of the request's last data beat (writes: when the last write burst's data is on the bus): the
// model sends BEGIN_RESP as soon as that cycle is known (when the last burst's column command
// issues) with the delay to it as a TLM-2.0 timing annotation, so the initiator must treat the
// response as happening at sc_time_stamp() + delay. The initiator may complete the response at
// once (TLM_COMPLETED) or later with END_RESP. Payloads carry timing only: the data pointer is
// not touched.
//
// Time: the command clock is spec.timing.tCK_ps; SystemC time resolution must be 1 ps (the
// default). A request that arrives at time t enters the controller's queue at the first clock
// edge strictly after t (links own their latency, at least one cycle).
//
// One SystemC elaboration per process: build the modules, sc_start(), finalize, and exit; use
// accsim::run::run_dram_replay (sim/run/issuer.h) for the usual replay of a request source.
//
// DramSystem is a face on DramBackend (models/dram/backend.h, included here), which holds the
// controllers and the channel logic in plain C++; models that keep their own time use the
// backend directly, without a SystemC kernel.
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/backend.h"
#include "models/dram/impl/address_map.h"
#include "models/dram/impl/controller.h"
#include "models/dram/impl/controller_config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"

namespace accsim::dram {

class DramSystem : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<DramSystem> socket;

  // Statistics go to groups "<stats_name>" (totals) and "<stats_name>.chN" (per channel).
  // Throws config errors for a bad controller config or a spec the mapping cannot handle.
  DramSystem(sc_core::sc_module_name name, const hw::DramSpec& spec, const ControllerConfig& cfg,
             StatsRegistry& stats, const std::string& stats_name = "dram");
  ~DramSystem() override;

  // Call once after sc_start() returns: closes time-weighted statistics at the current time,
  // registers derived figures and writes the energy breakdown into `ledger` under the stats name.
  void finalize(EnergyLedger& ledger);
  // A kSimulation error describing the first protocol violation and the total, if the checker
  // found any (call after finalize()).
  void throw_if_violations() const;
  // An error raised inside a SystemC process (bad request, initiator protocol error), if any;
  // the process stops the simulation when it happens.
  std::exception_ptr error() const;

  const hw::DramSpec& spec() const;
  const AddressMapper& mapper() const;
  int channels() const;
  const Controller& controller(int channel) const;
  // Sees every command of `channel` (tests, command logs). Call before sc_start().
  void add_observer(int channel, CommandObserver* o);
  std::uint64_t requests_completed() const;
  std::uint64_t protocol_violations() const;

 private:
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accsim::dram
