// DramBackend: the DRAM system's channel logic without the SystemC kernel (DramSystem in
// dram_system.cpp is a TLM-2.0 face on top of it). A cycle runs every channel with an event at
// it, then retries the placement of waiting requests: room only grows during a cycle's ticks,
// so a waiting request gets arrival c + 1 when the room exists after cycle c.
#include "models/dram/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/dram/impl/energy.h"
#include "models/dram/impl/system_stats.h"
#include "sim/core/error.h"

namespace accsim::dram {

struct DramBackend::Impl {
  struct LinkEntry {
    Burst b;
    Cycle arrival;
  };
  struct Channel {
    std::unique_ptr<Controller> ctrl;
    std::deque<LinkEntry> link;
    int link_reads = 0, link_writes = 0;
    Cycle scheduled = 0;  // every channel runs at cycle 0 (refresh from time 0)
    StatsGroup* stats = nullptr;
  };
  struct Request {
    std::uint64_t id = 0;
    std::uint64_t first_burst = 0;
    std::uint32_t total = 0, placed = 0, issued = 0, bytes = 0;
    bool is_write = false;
    Cycle own_arrival = 0;
    Cycle arrival = 0;
    Cycle last_done = 0;
  };

  hw::DramSpec spec;
  ControllerConfig cfg;
  std::string name;
  std::unique_ptr<AddressMapper> mapper;
  std::vector<std::unique_ptr<Channel>> chans;
  DramEnergy energy;
  StatsGroup* total;
  std::vector<Request> reqs;
  std::vector<std::uint32_t> free_reqs;
  std::deque<std::uint32_t> waiting;  // requests not yet fully placed, in submission order
  std::size_t outstanding = 0;
  Cycle last = -1;
  bool finalized = false;
  Counter *req_reads, *req_writes, *req_bytes_read, *req_bytes_written;
  Distribution* req_latency;
  std::vector<Channel*> ran;  // scratch: channels that ran in the current cycle

  Impl(const hw::DramSpec& sp, const ControllerConfig& c, StatsRegistry& stats,
       const std::string& nm)
      : spec(sp), cfg(c), name(nm), energy(sp) {
    if (spec.timing.tCK_ps == 0)
      throw Error(ExitCode::kConfig, "dram '" + spec.name + "': tCK is zero");
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

  bool room(int ch, bool w) const {
    const Channel& k = *chans[static_cast<std::size_t>(ch)];
    return k.ctrl->queued(w) + (w ? k.link_writes : k.link_reads) < k.ctrl->capacity(w);
  }

  // Gives the request's remaining bursts queue entries in order while there is room; true when
  // every burst has one.
  bool place(std::uint32_t tag, Cycle arrival) {
    const auto bb = static_cast<std::uint64_t>(spec.org.burst_bytes());
    while (reqs[tag].placed < reqs[tag].total) {
      Request& r = reqs[tag];
      const DramAddr d = mapper->decode((r.first_burst + r.placed) * bb);
      if (!room(d.channel, r.is_write)) return false;
      Channel& k = *chans[static_cast<std::size_t>(d.channel)];
      k.link.push_back(LinkEntry{Burst{tag, d, r.is_write}, arrival});
      (r.is_write ? k.link_writes : k.link_reads)++;
      if (r.placed == 0) r.arrival = arrival;
      ++r.placed;
      k.scheduled = std::min(k.scheduled, arrival);
    }
    return true;
  }

  // Places waiting requests in order; a request that cannot be fully placed blocks the rest.
  void place_waiting(Cycle now) {
    while (!waiting.empty()) {
      const std::uint32_t tag = waiting.front();
      if (!place(tag, std::max(reqs[tag].own_arrival, now + 1))) return;
      waiting.pop_front();
    }
  }

  void request_done(std::uint32_t tag, std::vector<Done>& out) {
    Request& r = reqs[tag];
    req_latency->add(static_cast<std::uint64_t>(r.last_done - r.arrival));
    if (r.is_write) {
      req_writes->inc();
      req_bytes_written->inc(r.bytes);
    } else {
      req_reads->inc();
      req_bytes_read->inc(r.bytes);
    }
    out.push_back(Done{r.id, r.last_done, r.arrival, r.is_write});
    free_reqs.push_back(tag);
    --outstanding;
  }

  void step_channel(Channel& k, Cycle now, std::vector<Done>& out) {
    k.scheduled = kNever;
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
      if (++r.issued == r.total) request_done(static_cast<std::uint32_t>(c.tag), out);
    }
    k.ctrl->completions().clear();
  }

  Cycle next() const {
    Cycle c = kNever;
    for (const auto& k : chans) c = std::min(c, k->scheduled);
    return c;
  }

  void process(Cycle now, std::vector<Done>& out) {
    ran.clear();
    for (auto& k : chans)
      if (k->scheduled == now) {
        step_channel(*k, now, out);
        ran.push_back(k.get());
      }
    last = now;
    place_waiting(now);
    for (Channel* k : ran) {
      Cycle n = k->ctrl->next_event_cycle();
      if (!k->link.empty()) n = std::min(n, k->link.front().arrival);
      k->scheduled = std::min(k->scheduled, n);
    }
  }
};

double estimated_model_bytes(const hw::DramSpec& spec) {
  constexpr double kPerChannel = 40.0 * 1024, kPerBank = 330;  // measured: backend.h
  const double channels = spec.org.independent_channels();
  const double banks = channels * spec.org.ranks * spec.org.banks_per_rank();
  return kPerChannel * channels + kPerBank * banks;
}

DramBackend::DramBackend(const hw::DramSpec& spec, const ControllerConfig& cfg,
                         StatsRegistry& stats, const std::string& stats_name)
    : impl_(std::make_unique<Impl>(spec, cfg, stats, stats_name)) {}

DramBackend::~DramBackend() = default;

bool DramBackend::submit(std::uint64_t id, std::uint64_t addr, std::uint32_t bytes, bool is_write,
                         Cycle arrival) {
  Impl& m = *impl_;
  if (m.finalized) throw Error(ExitCode::kInternal, "DramBackend::submit after finalize");
  if (bytes == 0)
    throw Error(ExitCode::kSimulation,
                fmt::format("DRAM '{}': request at 0x{:x} has length 0", m.name, addr));
  if (arrival <= m.last)
    throw Error(ExitCode::kInternal,
                fmt::format("DRAM '{}': request arriving at cycle {} submitted after cycle {} was "
                            "processed",
                            m.name, arrival, m.last));
  std::uint32_t tag;
  if (m.free_reqs.empty()) {
    m.reqs.emplace_back();
    tag = static_cast<std::uint32_t>(m.reqs.size() - 1);
  } else {
    tag = m.free_reqs.back();
    m.free_reqs.pop_back();
  }
  Impl::Request& r = m.reqs[tag];
  const auto bb = static_cast<std::uint64_t>(m.spec.org.burst_bytes());
  r = Impl::Request{};
  r.id = id;
  r.bytes = bytes;
  r.is_write = is_write;
  r.own_arrival = arrival;
  r.first_burst = addr / bb;
  r.total = static_cast<std::uint32_t>((addr + bytes - 1) / bb - r.first_burst + 1);
  ++m.outstanding;
  if (m.waiting.empty() && m.place(tag, arrival)) return true;
  m.waiting.push_back(tag);
  return false;
}

std::size_t DramBackend::waiting() const {
  return impl_->waiting.size();
}

Cycle DramBackend::next_cycle() const {
  return impl_->next();
}

Cycle DramBackend::run_until(Cycle until, std::vector<Done>& out) {
  Cycle c = impl_->next();
  for (; c <= until && c != kNever; c = impl_->next()) impl_->process(c, out);
  return c;
}

Cycle DramBackend::run_next(std::vector<Done>& out) {
  const Cycle c = impl_->next();
  if (c != kNever) impl_->process(c, out);
  return c;
}

Cycle DramBackend::last_cycle() const {
  return impl_->last;
}
std::size_t DramBackend::outstanding() const {
  return impl_->outstanding;
}

void DramBackend::finalize(Cycle end, EnergyLedger& ledger) {
  Impl& m = *impl_;
  if (m.finalized) throw Error(ExitCode::kInternal, "DramBackend::finalize called twice");
  std::vector<Done> ignored;
  run_until(end - 1, ignored);
  m.finalized = true;
  end = std::max(end, m.last + 1);
  std::vector<StatsGroup*> chs;
  std::vector<const Controller*> ctrls;
  for (auto& k : m.chans) {
    k->ctrl->finish(end);
    chs.push_back(k->stats);
    ctrls.push_back(k->ctrl.get());
  }
  m.energy.finish(end, ledger, m.name);
  register_dram_totals(*m.total, chs, ctrls, m.spec, m.energy, end);
}

std::uint64_t DramBackend::protocol_violations() const {
  std::uint64_t n = 0;
  for (auto& k : impl_->chans)
    if (const ProtocolChecker* c = k->ctrl->checker()) n += c->violations();
  return n;
}

void DramBackend::throw_if_violations() const {
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

const hw::DramSpec& DramBackend::spec() const {
  return impl_->spec;
}
const AddressMapper& DramBackend::mapper() const {
  return *impl_->mapper;
}
int DramBackend::channels() const {
  return static_cast<int>(impl_->chans.size());
}
const Controller& DramBackend::controller(int channel) const {
  return *impl_->chans.at(static_cast<std::size_t>(channel))->ctrl;
}
void DramBackend::add_observer(int channel, CommandObserver* o) {
  impl_->chans.at(static_cast<std::size_t>(channel))->ctrl->add_observer(o);
}

}  // namespace accsim::dram
