#pragma once
// The generic trace issuer (workloads produce requests; one generic issuer drives any model): an
// sc_module with a TLM-2.0 initiator socket that pulls MemRequests from a RequestSource, keeps at
// most `max_outstanding` in flight, optionally honours their timestamps, measures each request's
// latency and stops the simulation when the source is exhausted and every response is back.
//
// run_dram_replay() wires an issuer to a dram::DramSystem and runs it. It lives here rather than
// in models/dram/dram.h because models may not include sim/run (dependencies point one way:
// sim/core <- hw <- models <- sim/run <- sim/cli).
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/dram.h"
#include "sim/core/config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "sim/core/units.h"
#include "sim/run/target.h"
#include "workloads/request_source.h"

namespace accsim::run {

struct IssuerConfig {
  int max_outstanding = 64;
  bool use_timestamps = false;
  std::int64_t progress_every = 100000;  // completed requests between progress reports; 0 = off
};

// The `issuer:` section: max_outstanding, use_timestamps, progress_every.
const config::Schema<IssuerConfig>& issuer_schema();

// Called every `progress_every` completed requests with the count and the simulated time.
using IssuerProgressFn = std::function<void(std::uint64_t completed, Ps sim_time_ps)>;

class Issuer : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Issuer> socket;

  // `mem_clock_ps` converts latencies to cycles of the memory's clock. Statistics go to `stats`.
  Issuer(sc_core::sc_module_name name, const IssuerConfig& cfg, RequestSource& source,
         StatsGroup& stats, Ps mem_clock_ps, IssuerProgressFn progress = {});
  ~Issuer() override;

  bool done() const;  // source exhausted and every response received
  std::uint64_t issued() const;
  std::uint64_t completed() const;
  std::uint64_t bytes_read() const;
  std::uint64_t bytes_written() const;
  int peak_outstanding() const;
  Ps first_issue_ps() const;
  Ps last_response_ps() const;
  // An error raised while issuing (bad request from the source, protocol error of the target).
  std::exception_ptr error() const;
  // Registers the derived figures (latency in ns, throughput, bandwidth). Call once at the end.
  void finalize();

 private:
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct DramReplayResult {
  Ps end_ps = 0;               // time of the last response
  Cycle end_cycle = 0;         // the same in memory clock cycles (rounded up)
  double sim_time_s = 0;       // end_ps in seconds
  std::uint64_t requests = 0;  // completed
  std::uint64_t reads = 0, writes = 0;
  std::uint64_t bytes = 0, bytes_read = 0, bytes_written = 0;  // of the requests
  double latency_mean_ns = 0, latency_p50_ns = 0, latency_p99_ns = 0, latency_max_ns = 0;
  std::uint64_t protocol_violations = 0;
};

// Elaborates a dram::DramSystem ("dram" stats groups, energy component "dram") and an Issuer
// ("issuer" stats group), runs sc_start() until the source is exhausted and every response is
// back, finalizes stats and energy (EnergyLedger::finalize with the simulated time) and returns
// the totals. `progress` (may be empty) is called every issuer.progress_every completed requests
// with the fraction done (when the source knows its length, else 0) and a short text. SystemC can
// elaborate once per process: a second call throws an internal error. Errors: bad configs
// (kConfig), bad requests from the source (their error), protocol violations when
// controller.check_protocol is on, or a simulation that ends with requests outstanding
// (kSimulation).
DramReplayResult run_dram_replay(const hw::DramSpec& spec, const dram::ControllerConfig& ctrl,
                                 const IssuerConfig& issuer, RequestSource& source,
                                 StatsRegistry& stats, EnergyLedger& energy,
                                 const ProgressFn& progress = {});

}  // namespace accsim::run
