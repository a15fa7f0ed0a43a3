// DramSystem: the TLM-2.0 face of DramBackend. One SystemC method wakes at the backend's next
// event cycle and runs it; BEGIN_REQ submits to the backend, END_REQ follows once every burst has
// a queue entry, and BEGIN_RESP goes out as soon as the last data beat's cycle is known.
#include <fmt/format.h>

#include <deque>
#include <utility>
#include <vector>

#include "models/dram/dram.h"
#include "sim/core/error.h"

namespace accsim::dram {

namespace {
constexpr Cycle kNever = DramBackend::kNever;
}

struct DramSystem::Impl {
  DramSystem* self;
  DramBackend backend;
  Ps tck;
  std::string name;
  sc_core::sc_event wake;
  Cycle scheduled = kNever;

  // Payloads in flight, by the id given to the backend (recycled once the response completes).
  std::vector<tlm::tlm_generic_payload*> gps;
  std::vector<std::uint32_t> free_ids;
  int pending = -1;  // request whose END_REQ is withheld (at most one: request exclusion rule)
  // Requests whose every burst has issued, with the cycle of their last data beat, waiting for
  // the response channel (only while an initiator holds it with TLM_ACCEPTED).
  std::deque<std::pair<std::uint32_t, Cycle>> responses;
  int resp_in_flight = -1;  // BEGIN_RESP sent, END_RESP not yet received
  sc_core::sc_event resp_wake;
  std::vector<DramBackend::Done> done;  // scratch
  std::uint64_t completed = 0;
  std::exception_ptr err;
  bool finalized = false;

  Impl(DramSystem* s, const hw::DramSpec& sp, const ControllerConfig& c, StatsRegistry& stats,
       const std::string& nm)
      : self(s), backend(sp, c, stats, nm), tck(sp.timing.tCK_ps), name(nm) {}

  Cycle now_cycle_floor() const {
    return static_cast<Cycle>(sc_core::sc_time_stamp().value() / tck);
  }

  // Wakes the method at cycle `c` (the backend's next event cycle) if that is earlier than
  // planned (an earlier timed notification replaces a later pending one).
  void schedule(Cycle c) {
    if (c >= scheduled) return;
    scheduled = c;
    const Ps now = sc_core::sc_time_stamp().value();
    const Ps at = static_cast<Ps>(c) * tck;
    wake.notify(sc_core::sc_time::from_value(at > now ? at - now : 0));
  }

  void fail(std::exception_ptr e) {
    if (!err) err = std::move(e);
    sc_core::sc_stop();
  }

  std::uint32_t alloc_id(tlm::tlm_generic_payload* gp) {
    if (free_ids.empty()) {
      gps.push_back(gp);
      return static_cast<std::uint32_t>(gps.size() - 1);
    }
    const std::uint32_t id = free_ids.back();
    free_ids.pop_back();
    gps[id] = gp;
    return id;
  }

  // BEGIN_RESP is sent as soon as the last data beat's cycle is known (the request's last
  // column command), annotated with the delay to that cycle (TLM-2.0 timing annotation): the
  // response takes effect at the last data beat without a wake-up of its own.
  void send_responses() {
    while (resp_in_flight < 0 && !responses.empty()) {
      const auto [id, at_cycle] = responses.front();
      responses.pop_front();
      tlm::tlm_generic_payload* gp = gps[id];
      gp->set_response_status(tlm::TLM_OK_RESPONSE);
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      const Ps now = sc_core::sc_time_stamp().value();
      const Ps at = static_cast<Ps>(at_cycle) * tck;
      sc_core::sc_time d = sc_core::sc_time::from_value(at > now ? at - now : 0);
      // Mark the slot before the call: the initiator may send its next request from inside it.
      resp_in_flight = static_cast<int>(id);
      const tlm::tlm_sync_enum s = self->socket->nb_transport_bw(*gp, ph, d);
      if (s == tlm::TLM_ACCEPTED && ph == tlm::BEGIN_RESP) break;  // END_RESP will follow
      resp_in_flight = -1;
      free_ids.push_back(id);
    }
  }

  // Runs the backend's cycle that is due, then END_REQ for a request that got its queue entries
  // and the responses of the requests that completed.
  void tick_method() {
    try {
      scheduled = kNever;
      done.clear();
      const Cycle next = backend.run_until(now_cycle_floor(), done);
      for (const DramBackend::Done& d : done) {
        responses.emplace_back(static_cast<std::uint32_t>(d.id), d.done);
        ++completed;
      }
      if (pending >= 0 && backend.waiting() == 0) {
        tlm::tlm_generic_payload* gp = gps[static_cast<std::size_t>(pending)];
        pending = -1;
        tlm::tlm_phase ph = tlm::END_REQ;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        self->socket->nb_transport_bw(*gp, ph, d);
      }
      send_responses();
      // END_REQ and the responses may have brought new requests (already scheduled for).
      schedule(next);
    } catch (...) {
      fail(std::current_exception());
    }
  }

  tlm::tlm_sync_enum begin_req(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                               const sc_core::sc_time& delay) {
    if (pending >= 0)
      throw Error(ExitCode::kSimulation, "DRAM '" + name +
                                             "': BEGIN_REQ while the previous request still waits "
                                             "for END_REQ (TLM-2.0 request exclusion rule)");
    if (gp.get_command() != tlm::TLM_READ_COMMAND && gp.get_command() != tlm::TLM_WRITE_COMMAND)
      throw Error(ExitCode::kSimulation,
                  fmt::format("DRAM '{}': request at 0x{:x} is neither a read nor a write", name,
                              gp.get_address()));
    const std::uint32_t id = alloc_id(&gp);
    const Ps t = sc_core::sc_time_stamp().value() + delay.value();
    const bool placed =
        backend.submit(id, gp.get_address(), gp.get_data_length(),
                       gp.get_command() == tlm::TLM_WRITE_COMMAND, static_cast<Cycle>(t / tck) + 1);
    schedule(backend.next_cycle());
    if (placed) {
      phase = tlm::END_REQ;
      return tlm::TLM_UPDATED;
    }
    pending = static_cast<int>(id);
    return tlm::TLM_ACCEPTED;
  }

  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                        const sc_core::sc_time& delay) {
    try {
      if (phase == tlm::BEGIN_REQ) return begin_req(gp, phase, delay);
      if (phase == tlm::END_RESP) {
        if (resp_in_flight < 0)
          throw Error(ExitCode::kSimulation,
                      "DRAM '" + name + "': END_RESP without an outstanding BEGIN_RESP");
        free_ids.push_back(static_cast<std::uint32_t>(resp_in_flight));
        resp_in_flight = -1;
        resp_wake.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_COMPLETED;
      }
      throw Error(ExitCode::kSimulation, "DRAM '" + name + "': unexpected phase " +
                                             std::string(phase.get_name()) +
                                             " on the forward path");
    } catch (...) {
      fail(std::current_exception());
      gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return tlm::TLM_COMPLETED;
    }
  }
};

// sc_module_name is taken by value: SystemC's naming stack relies on it.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
DramSystem::DramSystem(sc_core::sc_module_name name, const hw::DramSpec& spec,
                       const ControllerConfig& cfg, StatsRegistry& stats,
                       const std::string& stats_name)
    : sc_core::sc_module(name), socket("socket") {
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw Error(ExitCode::kInternal, "the DRAM model needs a SystemC time resolution of 1 ps");
  if (spec.timing.tCK_ps == 0)
    throw Error(ExitCode::kConfig, "dram '" + spec.name + "': tCK is zero");
  impl_ = std::make_unique<Impl>(this, spec, cfg, stats, stats_name);
  socket.register_nb_transport_fw(this, &DramSystem::nb_transport_fw);
  Impl* im = impl_.get();
  sc_core::sc_spawn_options opt;
  opt.spawn_method();
  opt.set_sensitivity(&impl_->wake);
  // No dont_initialize(): the method runs at time 0, where every channel has its first event, and
  // from then on at the channels' own refresh deadlines, so a channel that never sees a request
  // still refreshes (and spends refresh energy), as the real device does.
  sc_core::sc_spawn([im] { im->tick_method(); }, sc_core::sc_gen_unique_name("channels"), &opt);
  sc_core::sc_spawn_options ropt;
  ropt.spawn_method();
  ropt.set_sensitivity(&impl_->resp_wake);
  ropt.dont_initialize();
  sc_core::sc_spawn(
      [im] {
        try {
          im->send_responses();
        } catch (...) {
          im->fail(std::current_exception());
        }
      },
      sc_core::sc_gen_unique_name("responses"), &ropt);
}

DramSystem::~DramSystem() = default;

tlm::tlm_sync_enum DramSystem::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                               sc_core::sc_time& delay) {
  return impl_->fw(gp, phase, delay);
}

void DramSystem::finalize(EnergyLedger& ledger) {
  Impl& m = *impl_;
  if (m.finalized) throw Error(ExitCode::kInternal, "DramSystem::finalize called twice");
  m.finalized = true;
  const Ps now = sc_core::sc_time_stamp().value();
  m.backend.finalize(static_cast<Cycle>((now + m.tck - 1) / m.tck), ledger);
}

void DramSystem::throw_if_violations() const {
  impl_->backend.throw_if_violations();
}
std::exception_ptr DramSystem::error() const {
  return impl_->err;
}
const hw::DramSpec& DramSystem::spec() const {
  return impl_->backend.spec();
}
const AddressMapper& DramSystem::mapper() const {
  return impl_->backend.mapper();
}
int DramSystem::channels() const {
  return impl_->backend.channels();
}
const Controller& DramSystem::controller(int channel) const {
  return impl_->backend.controller(channel);
}
void DramSystem::add_observer(int channel, CommandObserver* o) {
  impl_->backend.add_observer(channel, o);
}
std::uint64_t DramSystem::requests_completed() const {
  return impl_->completed;
}
std::uint64_t DramSystem::protocol_violations() const {
  return impl_->backend.protocol_violations();
}

}  // namespace accsim::dram
