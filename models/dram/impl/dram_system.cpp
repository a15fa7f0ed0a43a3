// The SystemC boundary of the DRAM model: one sc_module for all channels, one wake-up per
// channel at its controller's next event, TLM-2.0 base protocol with back-pressure.
#include <fmt/format.h>

#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "models/dram/dram.h"
#include "models/dram/impl/energy.h"
#include "models/dram/impl/system_stats.h"
#include "sim/core/error.h"

namespace accsim::dram {

namespace {
constexpr Cycle kNever = INT64_MAX;
}

struct DramSystem::Impl {
  struct LinkEntry {
    Burst b;
    Cycle arrival;
  };
  struct Channel {
    std::unique_ptr<Controller> ctrl;
    std::deque<LinkEntry> link;  // bursts on their way into the queues (>= 1 cycle)
    int link_reads = 0, link_writes = 0;
    sc_core::sc_event wake;
    Cycle scheduled = kNever;
    StatsGroup* stats = nullptr;
  };
  struct Request {
    tlm::tlm_generic_payload* gp = nullptr;
    std::uint64_t first_burst = 0;
    std::uint32_t total = 0, placed = 0, issued = 0;
    bool is_write = false;
    Cycle arrival = 0;    // cycle its first burst entered a queue
    Cycle last_done = 0;  // latest last-data-beat cycle of its bursts so far
  };

  DramSystem* self;
  hw::DramSpec spec;
  ControllerConfig cfg;
  Ps tck;
  std::string name;
  std::unique_ptr<AddressMapper> mapper;
  std::vector<std::unique_ptr<Channel>> chans;
  DramEnergy energy;
  StatsGroup* total;

  std::vector<Request> reqs;
  std::vector<std::uint32_t> free_reqs;
  int pending = -1;  // request whose END_REQ is withheld (at most one: request exclusion rule)
  // Requests whose every burst has issued, with the cycle of their last data beat, waiting for
  // the response channel (only while an initiator holds it with TLM_ACCEPTED).
  std::deque<std::pair<std::uint32_t, Cycle>> responses;
  int resp_in_flight = -1;  // BEGIN_RESP sent, END_RESP not yet received
  sc_core::sc_event resp_wake;
  std::exception_ptr err;
  bool finalized = false;

  Counter *req_reads, *req_writes, *req_bytes_read, *req_bytes_written;
  Distribution* req_latency;

  Impl(DramSystem* s, const hw::DramSpec& sp, const ControllerConfig& c, StatsRegistry& stats,
       const std::string& nm)
      : self(s), spec(sp), cfg(c), tck(sp.timing.tCK_ps), name(nm), energy(sp) {
    if (tck == 0) throw Error(ExitCode::kConfig, "dram '" + spec.name + "': tCK is zero");
    mapper = make_address_mapper(cfg.mapping, spec);
    total = &stats.group(name);
    req_reads = &total->counter("read_requests", "read requests completed", "requests");
    req_writes = &total->counter("write_requests", "write requests completed", "requests");
    req_bytes_read = &total->counter("request_bytes_read", "bytes asked for by read requests", "B");
    req_bytes_written =
        &total->counter("request_bytes_written", "bytes carried by write requests", "B");
    req_latency = &total->distribution(
        "request_latency",
        "request: its first burst entered a queue -> its last data beat (all bursts done)",
        "cycles");
    const int n = spec.org.independent_channels();
    for (int i = 0; i < n; ++i) {
      auto ch = std::make_unique<Channel>();
      ch->stats = &stats.group(fmt::format("{}.ch{}", name, i));
      ch->ctrl = std::make_unique<Controller>(spec, cfg, i, *ch->stats);
      ch->ctrl->add_observer(&energy);
      chans.push_back(std::move(ch));
    }
  }

  Cycle now_cycle_floor() const {
    return static_cast<Cycle>(sc_core::sc_time_stamp().value() / tck);
  }

  void schedule(int ch, Cycle c) {
    Channel& k = *chans[ch];
    if (c >= k.scheduled) return;
    k.scheduled = c;
    const Ps now = sc_core::sc_time_stamp().value();
    const Ps at = static_cast<Ps>(c) * tck;
    k.wake.notify(sc_core::sc_time::from_value(at > now ? at - now : 0));
  }

  void fail(std::exception_ptr e) {
    if (!err) err = std::move(e);
    sc_core::sc_stop();
  }

  bool room(int ch, bool w) const {
    const Channel& k = *chans[ch];
    return k.ctrl->queued(w) + (w ? k.link_writes : k.link_reads) < k.ctrl->capacity(w);
  }

  // Gives the pending request's remaining bursts queue entries, in order, while there is room.
  // Returns true when every burst has one.
  bool place(Cycle arrival) {
    const auto tag = static_cast<std::uint32_t>(pending);
    const auto bb = static_cast<std::uint64_t>(spec.org.burst_bytes());
    while (reqs[tag].placed < reqs[tag].total) {
      Request& r = reqs[tag];
      const DramAddr d = mapper->decode((r.first_burst + r.placed) * bb);
      if (!room(d.channel, r.is_write)) return false;
      Channel& k = *chans[d.channel];
      k.link.push_back(LinkEntry{Burst{tag, d, r.is_write}, arrival});
      (r.is_write ? k.link_writes : k.link_reads)++;
      if (r.placed == 0) r.arrival = arrival;
      ++r.placed;
      schedule(d.channel, arrival);
    }
    return true;
  }

  std::uint32_t alloc_request() {
    if (free_reqs.empty()) {
      reqs.emplace_back();
      return static_cast<std::uint32_t>(reqs.size() - 1);
    }
    const std::uint32_t t = free_reqs.back();
    free_reqs.pop_back();
    return t;
  }

  // The request's last column command has issued; its data is done at r.last_done.
  void request_done(std::uint32_t tag) {
    Request& r = reqs[tag];
    req_latency->add(static_cast<std::uint64_t>(r.last_done - r.arrival));
    if (r.is_write) {
      req_writes->inc();
      req_bytes_written->inc(r.gp->get_data_length());
    } else {
      req_reads->inc();
      req_bytes_read->inc(r.gp->get_data_length());
    }
    responses.emplace_back(tag, r.last_done);
  }

  // BEGIN_RESP is sent as soon as the last data beat's cycle is known (the request's last
  // column command), annotated with the delay to that cycle (TLM-2.0 timing annotation): the
  // response takes effect at the last data beat without a wake-up of its own.
  void send_responses() {
    while (resp_in_flight < 0 && !responses.empty()) {
      const auto [tag, done] = responses.front();
      responses.pop_front();
      tlm::tlm_generic_payload* gp = reqs[tag].gp;
      gp->set_response_status(tlm::TLM_OK_RESPONSE);
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      const Ps now = sc_core::sc_time_stamp().value();
      const Ps at = static_cast<Ps>(done) * tck;
      sc_core::sc_time d = sc_core::sc_time::from_value(at > now ? at - now : 0);
      // Mark the slot before the call: the initiator may send its next request from inside it.
      resp_in_flight = static_cast<int>(tag);
      const tlm::tlm_sync_enum s = self->socket->nb_transport_bw(*gp, ph, d);
      if (s == tlm::TLM_ACCEPTED && ph == tlm::BEGIN_RESP) break;  // END_RESP will follow
      resp_in_flight = -1;
      free_reqs.push_back(tag);
    }
  }

  void channel_method(int ch) {
    try {
      Channel& k = *chans[ch];
      k.scheduled = kNever;
      const Cycle now = now_cycle_floor();
      while (!k.link.empty() && k.link.front().arrival <= now) {
        const LinkEntry& e = k.link.front();
        (e.b.is_write ? k.link_writes : k.link_reads)--;
        k.ctrl->enqueue(e.b, now);
        k.link.pop_front();
      }
      k.ctrl->tick(now);
      for (const Completion& c : k.ctrl->completions()) {
        Request& r = reqs[c.tag];
        r.last_done = std::max(r.last_done, c.done);
        if (++r.issued == r.total) request_done(static_cast<std::uint32_t>(c.tag));
      }
      k.ctrl->completions().clear();
      if (pending >= 0 && place(now + 1)) {
        tlm::tlm_generic_payload* gp = reqs[pending].gp;
        pending = -1;
        tlm::tlm_phase ph = tlm::END_REQ;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        self->socket->nb_transport_bw(*gp, ph, d);
      }
      send_responses();
      Cycle next = k.ctrl->next_event_cycle();
      if (!k.link.empty()) next = std::min(next, k.link.front().arrival);
      if (next != kNever) schedule(ch, next);
    } catch (...) {
      fail(std::current_exception());
    }
  }

  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                        sc_core::sc_time& delay) {
    try {
      if (phase == tlm::BEGIN_REQ) {
        if (pending >= 0)
          throw Error(ExitCode::kSimulation,
                      "DRAM '" + name +
                          "': BEGIN_REQ while the previous request still waits for "
                          "END_REQ (TLM-2.0 request exclusion rule)");
        if (gp.get_command() != tlm::TLM_READ_COMMAND && gp.get_command() != tlm::TLM_WRITE_COMMAND)
          throw Error(ExitCode::kSimulation, fmt::format("DRAM '{}': request at 0x{:x} is neither "
                                                         "a read nor a write",
                                                         name, gp.get_address()));
        if (gp.get_data_length() == 0)
          throw Error(
              ExitCode::kSimulation,
              fmt::format("DRAM '{}': request at 0x{:x} has length 0", name, gp.get_address()));
        const std::uint32_t tag = alloc_request();
        Request& r = reqs[tag];
        const auto bb = static_cast<std::uint64_t>(spec.org.burst_bytes());
        r = Request{};
        r.gp = &gp;
        r.is_write = gp.get_command() == tlm::TLM_WRITE_COMMAND;
        r.first_burst = gp.get_address() / bb;
        r.total = static_cast<std::uint32_t>((gp.get_address() + gp.get_data_length() - 1) / bb -
                                             r.first_burst + 1);
        pending = static_cast<int>(tag);
        const Ps t = sc_core::sc_time_stamp().value() + delay.value();
        if (place(static_cast<Cycle>(t / tck) + 1)) {
          pending = -1;
          phase = tlm::END_REQ;
          return tlm::TLM_UPDATED;
        }
        return tlm::TLM_ACCEPTED;
      }
      if (phase == tlm::END_RESP) {
        if (resp_in_flight < 0)
          throw Error(ExitCode::kSimulation,
                      "DRAM '" + name + "': END_RESP without an outstanding BEGIN_RESP");
        free_reqs.push_back(static_cast<std::uint32_t>(resp_in_flight));
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
  impl_ = std::make_unique<Impl>(this, spec, cfg, stats, stats_name);
  socket.register_nb_transport_fw(this, &DramSystem::nb_transport_fw);
  for (int i = 0; i < channels(); ++i) {
    sc_core::sc_spawn_options opt;
    opt.spawn_method();
    opt.set_sensitivity(&impl_->chans[i]->wake);
    // No dont_initialize(): every channel runs once at time 0 and from then on wakes for its own
    // refresh deadlines, so a channel that never sees a request still refreshes (and spends
    // refresh energy), as the real device does.
    Impl* im = impl_.get();
    sc_core::sc_spawn([im, i] { im->channel_method(i); }, sc_core::sc_gen_unique_name("channel"),
                      &opt);
  }
  sc_core::sc_spawn_options ropt;
  ropt.spawn_method();
  ropt.set_sensitivity(&impl_->resp_wake);
  ropt.dont_initialize();
  Impl* im = impl_.get();
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
  const Cycle end = static_cast<Cycle>((now + m.tck - 1) / m.tck);
  for (auto& k : m.chans) k->ctrl->finish(end);
  m.energy.finish(end, ledger, m.name);

  std::vector<StatsGroup*> chs;
  std::vector<const Controller*> ctrls;
  for (auto& k : m.chans) {
    chs.push_back(k->stats);
    ctrls.push_back(k->ctrl.get());
  }
  register_dram_totals(*m.total, chs, ctrls, m.spec, m.energy, end);
}

void DramSystem::throw_if_violations() const {
  std::uint64_t total = 0;
  const Violation* first = nullptr;
  for (auto& k : impl_->chans) {
    const ProtocolChecker* c = k->ctrl->checker();
    if (!c || c->violations() == 0) continue;
    total += c->violations();
    if (!first && !c->list().empty()) first = &c->list().front();
  }
  if (total == 0) return;
  throw Error(ExitCode::kSimulation,
              fmt::format("DRAM '{}': the protocol checker found {} violation(s); first: {}",
                          impl_->name, total, first ? first->message : "(not listed)"));
}

std::exception_ptr DramSystem::error() const {
  return impl_->err;
}
const hw::DramSpec& DramSystem::spec() const {
  return impl_->spec;
}
const AddressMapper& DramSystem::mapper() const {
  return *impl_->mapper;
}
int DramSystem::channels() const {
  return static_cast<int>(impl_->chans.size());
}
const Controller& DramSystem::controller(int channel) const {
  return *impl_->chans.at(channel)->ctrl;
}
void DramSystem::add_observer(int channel, CommandObserver* o) {
  impl_->chans.at(channel)->ctrl->add_observer(o);
}
std::uint64_t DramSystem::requests_completed() const {
  return impl_->req_reads->value() + impl_->req_writes->value();
}
std::uint64_t DramSystem::protocol_violations() const {
  std::uint64_t n = 0;
  for (auto& k : impl_->chans)
    if (const ProtocolChecker* c = k->ctrl->checker()) n += c->violations();
  return n;
}

}  // namespace accsim::dram
