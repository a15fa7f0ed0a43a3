// The engine: DAM-style local times, no global clock. A unit runs as long as every element it
// must pop is in its input channels and every output it must push has a slot whose reuse time
// is known; then it computes the exact cycle of the firing (the max of its constraints) and
// moves on. When it lacks information it sleeps on that one channel and the other end wakes it.
// Firing times are max-plus functions of earlier events, so the order in which the engine runs
// the units does not change any cycle count (tests/unit/dataflow/reference_sim.h checks this
// against a cycle-stepped simulation).
//
// A shared memory (the DRAM) answers kPending: the element goes into its channel with its ready
// cycle unknown, and its consumer waits for it like for an empty channel. When no unit can make
// progress, the engine asks the memory to resolve (README.md "Memory"): every request still to
// come is then issued at or after the earliest pending read completes, so the memory, which
// orders requests by issue cycle, can run forward to that completion.
#include <algorithm>
#include <bit>
#include <deque>
#include <sstream>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

// ---- Graph ---------------------------------------------------------------------------------

Unit& Graph::add(std::unique_ptr<Unit> u) {
  if (unit_index(u->name()) >= 0)
    throw Error(ExitCode::kInternal, "graph '" + name_ + "': unit '" + u->name() + "' twice");
  units_.push_back(std::move(u));
  return *units_.back();
}

int Graph::unit_index(std::string_view name) const {
  for (std::size_t i = 0; i < units_.size(); ++i)
    if (units_[i]->name() == name) return static_cast<int>(i);
  return -1;
}

Unit& Graph::unit(std::string_view name) {
  int i = unit_index(name);
  if (i < 0)
    throw Error(ExitCode::kInternal, "graph '" + name_ + "': no unit '" + std::string(name) + "'");
  return *units_[static_cast<std::size_t>(i)];
}

Channel& Graph::connect(const std::string& from, const std::string& out_port, const std::string& to,
                        const std::string& in_port, ChannelParams p) {
  auto fail = [&](const std::string& why) {
    return Error(ExitCode::kInternal, "graph '" + name_ + "': channel " + from + "." + out_port +
                                          " -> " + to + "." + in_port + ": " + why);
  };
  int pu = unit_index(from), cu = unit_index(to);
  if (pu < 0 || cu < 0) throw fail("no such unit");
  Unit& P = *units_[static_cast<std::size_t>(pu)];
  Unit& C = *units_[static_cast<std::size_t>(cu)];
  int op = P.output_index(out_port), ip = C.input_index(in_port);
  if (op < 0 || ip < 0) throw fail("no such port");
  if (P.out_ch[static_cast<std::size_t>(op)] >= 0 || C.in_ch[static_cast<std::size_t>(ip)] >= 0)
    throw fail("port already connected");
  if (p.capacity < 1 || p.latency < 1 || p.credit_latency < 0 || p.width < 1)
    throw fail("capacity and latency must be >= 1, width >= 1, credit latency >= 0");
  auto ch = std::make_unique<Channel>();
  ch->p = std::move(p);
  if (ch->p.name.empty()) ch->p.name = from + "." + out_port + "->" + to + "." + in_port;
  ch->producer = pu;
  ch->out_port = op;
  ch->consumer = cu;
  ch->in_port = ip;
  ch->ready.assign(ch->p.capacity, 0);
  ch->sent_at.assign(ch->p.capacity, 0);
  ch->free_at.assign(ch->p.capacity, 0);
  ch->data.assign(static_cast<std::size_t>(ch->p.capacity) * static_cast<std::size_t>(ch->p.width),
                  0.0f);
  int idx = static_cast<int>(channels_.size());
  P.out_ch[static_cast<std::size_t>(op)] = idx;
  P.out_w_[static_cast<std::size_t>(op)] = ch->p.width;
  C.in_ch[static_cast<std::size_t>(ip)] = idx;
  C.in_w_[static_cast<std::size_t>(ip)] = ch->p.width;
  channels_.push_back(std::move(ch));
  return *channels_.back();
}

std::vector<std::string> Graph::problems() const {
  std::vector<std::string> out;
  for (const auto& u : units_) {
    bool complete = true;
    std::string head = "unit '" + u->name() + "' (" + std::string(kind_name(u->kind())) + ")";
    for (std::size_t i = 0; i < u->inputs().size(); ++i)
      if (u->in_ch[i] < 0 && !u->inputs()[i].optional) {
        out.push_back(head + ": input port '" + u->inputs()[i].name + "' is not connected");
        complete = false;
      }
    for (std::size_t o = 0; o < u->outputs().size(); ++o)
      if (u->out_ch[o] < 0) {
        out.push_back(head + ": output port '" + u->outputs()[o].name + "' is not connected");
        complete = false;
      }
    if (complete)
      if (std::string w = u->check_widths(); !w.empty()) out.push_back(head + ": " + w);
  }
  return out;
}

void Graph::finalize(const hw::DataflowSpec& spec) {
  auto p = problems();
  if (!p.empty()) {
    std::string msg = "graph '" + name_ + "' is not valid:";
    for (auto& s : p) msg += "\n  " + s;
    throw config_error(SourceLoc{"<graph " + name_ + ">"}, msg);
  }
  for (auto& u : units_)
    if (u->depth_ < 0) u->depth_ = u->derived_depth(spec);
}

// ---- results -------------------------------------------------------------------------------

const UnitReport& DataflowResult::unit(std::string_view name) const {
  for (const auto& u : units)
    if (u.name == name) return u;
  throw Error(ExitCode::kInternal, "result has no unit '" + std::string(name) + "'");
}

const ChannelReport& DataflowResult::channel(std::string_view name) const {
  for (const auto& c : channels)
    if (c.name == name) return c;
  throw Error(ExitCode::kInternal, "result has no channel '" + std::string(name) + "'");
}

std::string DeadlockReport::text() const {
  std::ostringstream os;
  os << "deadlock: no unit can make progress; " << blocked.size() << " unit(s) have not finished\n";
  for (const auto& b : blocked)
    os << "  " << b.unit << " (next firing not before cycle " << b.local_time << ") waits for "
       << (b.waits_for_data ? "data on input '" : "room on output '") << b.port << "', channel "
       << b.channel << "\n";
  os << "  full channels:";
  if (full_channels.empty()) os << " none";
  for (const auto& c : full_channels) os << "\n    " << c;
  os << "\n  empty channels:";
  if (empty_channels.empty()) os << " none";
  for (const auto& c : empty_channels) os << "\n    " << c;
  os << "\n";
  return os.str();
}

// ---- the engine ----------------------------------------------------------------------------

namespace {

constexpr Cycle kPending = MemoryPort::kPending;

// A memory unit's firing whose completion a shared memory has not told yet.
struct PendingFire {
  int ch = -1;  // output channel of the element (-1: a write, no output)
  std::uint32_t slot = 0;
  Cycle floor = 0;  // firing + depth: the result is not computed earlier
  bool resolved = false;
};
struct PendingQueue {
  std::uint64_t base = 0;  // ticket of front()
  std::deque<PendingFire> q;
};

struct UnitRt {
  Cycle next = 0;  // earliest cycle of the next firing allowed by the II
  std::uint64_t firings = 0;
  Cycle first = -1, last = -1, last_result = 0;
  std::uint64_t starved = 0, blocked = 0;
  bool done = false, queued = false;
  int wait_ch = -1;
  bool wait_data = true;
};

// Peak occupancy: merges the channel's sends with its slot frees in time order. A send at s_k
// finds k + 1 - F(s_k) elements in the channel, F(t) = frees at or before t. F(s_k) is known
// once a free later than s_k is known, or when every earlier element has been freed.
inline void advance_occupancy(Channel& c, bool final) {
  const std::uint32_t cap = c.p.capacity;
  while (c.occ_eval < c.sent) {
    const Cycle s = c.sent_at[c.occ_eval_slot];
    while (c.occ_free < c.received && c.free_at[c.occ_free_slot] <= s) {
      ++c.occ_free;
      if (++c.occ_free_slot == cap) c.occ_free_slot = 0;
    }
    if (!final && c.occ_free == c.received && c.occ_free != c.occ_eval) break;
    c.peak = std::max(c.peak, c.occ_eval + 1 - c.occ_free);
    ++c.occ_eval;
    if (++c.occ_eval_slot == cap) c.occ_eval_slot = 0;
  }
}

class Engine {
 public:
  Engine(Graph& g, const RunOptions& opt)
      : g_(g), opt_(opt), rt_(g.units().size()), ins_(g.units().size()), outs_(g.units().size()) {
    if (opt_.record_firings && opt_.firings_out) opt_.firings_out->assign(g.units().size(), {});
    for (std::size_t u = 0; u < g.units().size(); ++u) {
      for (int ci : g.units()[u]->in_ch)
        ins_[u].push_back(ci < 0 ? nullptr : g.channels()[static_cast<std::size_t>(ci)].get());
      for (int ci : g.units()[u]->out_ch)
        outs_[u].push_back(ci < 0 ? nullptr : g.channels()[static_cast<std::size_t>(ci)].get());
      if (const MemoryPort* p = g.units()[u]->memory_port(); p && p->shared_id() >= 0) {
        const auto id = static_cast<std::size_t>(p->shared_id());
        if (port_unit_.size() <= id) port_unit_.resize(id + 1, -1);
        port_unit_[id] = static_cast<int>(u);
      }
    }
    pend_.resize(g.units().size());
  }

  void run() {
    for (std::size_t i = g_.units().size(); i-- > 0;) wake(static_cast<int>(i));
    std::vector<SharedMemory::Resolved> resolved;
    for (;;) {
      while (!work_.empty()) {
        int u = work_.back();
        work_.pop_back();
        rt_[static_cast<std::size_t>(u)].queued = false;
        step(u);
      }
      // No unit can make progress: only the shared memory's answers can change that.
      if (!g_.memory || g_.memory->pending() == 0) break;
      resolved.clear();
      g_.memory->resolve(resolved);
      if (resolved.empty())
        throw Error(ExitCode::kInternal, "graph '" + g_.name() + "': the shared memory (" +
                                             g_.memory->describe() +
                                             ") has pending requests but resolved none");
      for (const auto& r : resolved) apply(r);
    }
  }

  DataflowResult result(const hw::DataflowSpec& spec) {
    DataflowResult r;
    r.graph = g_.name();
    r.clock_hz = spec.clock_hz;
    Cycle end = 0;
    bool all_done = true;
    for (std::size_t i = 0; i < rt_.size(); ++i) {
      const UnitRt& s = rt_[i];
      const Unit& u = *g_.units()[i];
      end = std::max({end, s.last + 1, s.last_result});
      if (!pend_[i].q.empty())
        throw Error(ExitCode::kInternal, "unit '" + u.name() + "' has unresolved memory requests");
      if (const MemoryPort* p = u.memory_port()) end = std::max(end, p->stats().last_done);
      all_done = all_done && s.done;
      UnitReport ur;
      ur.name = u.name();
      ur.kind = u.kind();
      ur.ii = u.ii();
      ur.depth = u.depth();
      ur.firings = s.firings;
      ur.first_fire = s.first;
      ur.last_fire = s.last;
      ur.starved_cycles = s.starved;
      ur.blocked_cycles = s.blocked;
      ur.ops = u.ops();
      ur.finished = s.done;
      r.units.push_back(ur);
      if (const MemoryPort* p = u.memory_port()) {
        r.mem_bytes_read += p->stats().bytes_read;
        r.mem_bytes_written += p->stats().bytes_written;
      }
    }
    r.total_cycles = end;
    r.time_s = static_cast<double>(end) / spec.clock_hz;
    for (auto& cp : g_.channels()) {
      Channel& c = *cp;
      advance_occupancy(c, true);
      ChannelReport cr;
      cr.name = c.p.name;
      cr.capacity = c.p.capacity;
      cr.width = c.p.width;
      cr.latency = c.p.latency;
      cr.transfers = c.sent;
      cr.peak_occupancy = c.peak;
      cr.unreceived = c.sent - c.received;
      double area = c.area;
      for (std::uint64_t k = c.received; k < c.sent; ++k)
        area += static_cast<double>(end - c.sent_at[k % c.p.capacity]);
      cr.mean_occupancy = end > 0 ? area / static_cast<double>(end) : 0.0;
      r.element_transfers += c.sent;
      r.intermediate_bytes += cr.buffer_bytes();
      r.peak_intermediate_bytes += cr.peak_occupancy * c.bytes_per_element();
      if (cr.unreceived > 0 && all_done)
        r.warnings.push_back("channel " + cr.name + ": " + std::to_string(cr.unreceived) +
                             " element(s) were never received");
      r.channels.push_back(cr);
    }
    r.warnings.insert(r.warnings.end(), warnings_.begin(), warnings_.end());
    if (r.time_s > 0)
      r.mem_bandwidth_Bps = static_cast<double>(r.mem_bytes_read + r.mem_bytes_written) / r.time_s;

    // Work done = firings of the measuring units x work per firing (less than planned when the
    // run deadlocked; a graph without measuring units reports its planned work).
    r.work_unit = g_.work_unit;
    r.peak_per_cycle = g_.peak_work_per_cycle;
    std::uint64_t fired = 0;
    Cycle first = -1, last = -1;
    for (const auto& name : g_.throughput_units) {
      const UnitRt& s = rt_[static_cast<std::size_t>(g_.unit_index(name))];
      if (s.firings == 0) continue;
      fired += s.firings;
      first = first < 0 ? s.first : std::min(first, s.first);
      last = std::max(last, s.last);
    }
    r.work = g_.throughput_units.empty()
                 ? g_.work
                 : static_cast<std::uint64_t>(static_cast<double>(fired) * g_.work_per_firing);
    if (end > 0) r.overall_per_cycle = static_cast<double>(r.work) / static_cast<double>(end);
    if (fired > 0)
      r.sustained_per_cycle =
          static_cast<double>(fired) * g_.work_per_firing / static_cast<double>(last - first + 1);
    if (r.peak_per_cycle > 0) {
      r.overall_fraction = r.overall_per_cycle / r.peak_per_cycle;
      r.sustained_fraction = r.sustained_per_cycle / r.peak_per_cycle;
    }
    if (!all_done) r.deadlock = deadlock_report();
    return r;
  }

 private:
  void wake(int u) {
    UnitRt& s = rt_[static_cast<std::size_t>(u)];
    if (s.queued || s.done) return;
    s.queued = true;
    work_.push_back(u);
  }

  // A shared memory's answer for a memory unit's firing.
  void apply(const SharedMemory::Resolved& r) {
    const int ui = r.port >= 0 && static_cast<std::size_t>(r.port) < port_unit_.size()
                       ? port_unit_[static_cast<std::size_t>(r.port)]
                       : -1;
    if (ui < 0)
      throw Error(ExitCode::kInternal, "shared memory resolved a request of an unknown port");
    PendingQueue& pq = pend_[static_cast<std::size_t>(ui)];
    if (r.ticket < pq.base || r.ticket - pq.base >= pq.q.size())
      throw Error(ExitCode::kInternal, "shared memory resolved an unknown request");
    PendingFire& pf = pq.q[static_cast<std::size_t>(r.ticket - pq.base)];
    const Cycle res = std::max(pf.floor, r.done);
    UnitRt& s = rt_[static_cast<std::size_t>(ui)];
    s.last_result = std::max(s.last_result, res);
    if (pf.ch >= 0) {
      Channel& c = *g_.channels()[static_cast<std::size_t>(pf.ch)];
      c.ready[pf.slot] = res + c.p.latency;
      if (c.consumer_waiting) {
        c.consumer_waiting = false;
        wake(c.consumer);
      }
    }
    pf.resolved = true;
    while (!pq.q.empty() && pq.q.front().resolved) {
      pq.q.pop_front();
      ++pq.base;
    }
  }

  void finish(int ui) {
    UnitRt& s = rt_[static_cast<std::size_t>(ui)];
    Unit& u = *g_.units()[static_cast<std::size_t>(ui)];
    s.done = true;
    s.wait_ch = -1;
    if (!u.at_boundary())
      warnings_.push_back("unit '" + u.name() + "': its input ended in the middle of a row");
    for (int ci : u.out_ch) {
      if (ci < 0) continue;
      Channel& c = *g_.channels()[static_cast<std::size_t>(ci)];
      c.closed = true;
      if (c.consumer_waiting) {
        c.consumer_waiting = false;
        wake(c.consumer);
      }
    }
  }

  void step(int ui) {
    UnitRt& s = rt_[static_cast<std::size_t>(ui)];
    if (s.done) return;
    Unit& u = *g_.units()[static_cast<std::size_t>(ui)];
    Channel* const* ins = ins_[static_cast<std::size_t>(ui)].data();
    Channel* const* outs = outs_[static_cast<std::size_t>(ui)].data();
    const float* in[32];
    float* out[32];
    for (;;) {
      const FirePlan p = u.plan();
      if (p.done) {
        finish(ui);
        return;
      }
      const Cycle t = s.next;
      Cycle tin = t;
      for (std::uint32_t m = p.pop; m; m &= m - 1) {
        const int i = std::countr_zero(m);
        Channel& c = *ins[i];
        if (c.received == c.sent) {
          if (c.closed) {
            finish(ui);
            return;
          }
          c.consumer_waiting = true;
          s.wait_ch = u.in_ch[static_cast<std::size_t>(i)];
          s.wait_data = true;
          return;
        }
        if (c.ready[c.head] == kPending) {  // a memory read the shared memory has not answered
          c.consumer_waiting = true;
          s.wait_ch = u.in_ch[static_cast<std::size_t>(i)];
          s.wait_data = true;
          return;
        }
        tin = std::max(tin, c.ready[c.head]);
        in[i] =
            c.data.data() + static_cast<std::size_t>(c.head) * static_cast<std::size_t>(c.p.width);
      }
      Cycle f = tin;
      for (std::uint32_t m = p.push; m; m &= m - 1) {
        const int o = std::countr_zero(m);
        Channel& c = *outs[o];
        if (c.sent - c.received >= c.p.capacity) {
          c.producer_waiting = true;
          s.wait_ch = u.out_ch[static_cast<std::size_t>(o)];
          s.wait_data = false;
          return;
        }
        f = std::max(f, c.free_at[c.tail]);
        out[o] =
            c.data.data() + static_cast<std::size_t>(c.tail) * static_cast<std::size_t>(c.p.width);
      }
      s.starved += static_cast<std::uint64_t>(tin - t);
      s.blocked += static_cast<std::uint64_t>(f - tin);
      const Cycle res = u.fire(f, in, out);

      for (std::uint32_t m = p.pop; m; m &= m - 1) {
        Channel& c = *ins[std::countr_zero(m)];
        const Cycle freed = f + c.p.credit_latency;
        c.free_at[c.head] = freed;
        c.area += static_cast<double>(freed - c.sent_at[c.head]);
        if (++c.head == c.p.capacity) c.head = 0;
        ++c.received;
        advance_occupancy(c, false);
        if (c.producer_waiting) {
          c.producer_waiting = false;
          wake(c.producer);
        }
      }
      if (res == kPending) {
        PendingQueue& pq = pend_[static_cast<std::size_t>(ui)];
        const MemoryPort* mp = u.memory_port();
        const MemPortStats& ps = mp->stats();
        if (pq.q.empty()) pq.base = ps.reads + ps.writes - 1;  // this request's ticket
        if (p.push == 0) pq.q.push_back(PendingFire{-1, 0, f + u.depth(), false});
        for (std::uint32_t m = p.push; m; m &= m - 1) {
          const int o = std::countr_zero(m);
          pq.q.push_back(PendingFire{u.out_ch[static_cast<std::size_t>(o)], outs[o]->tail,
                                     f + u.depth(), false});
        }
      }
      for (std::uint32_t m = p.push; m; m &= m - 1) {
        Channel& c = *outs[std::countr_zero(m)];
        c.ready[c.tail] = res == kPending ? kPending : res + c.p.latency;
        c.sent_at[c.tail] = f;
        if (++c.tail == c.p.capacity) c.tail = 0;
        ++c.sent;
        advance_occupancy(c, false);
        if (c.consumer_waiting) {
          c.consumer_waiting = false;
          wake(c.consumer);
        }
      }
      s.next = f + u.ii();
      if (s.firings++ == 0) s.first = f;
      s.last = f;
      if (res != kPending) s.last_result = std::max(s.last_result, res);
      s.wait_ch = -1;
      if (opt_.record_firings && opt_.firings_out)
        (*opt_.firings_out)[static_cast<std::size_t>(ui)].push_back(f);
    }
  }

  DeadlockReport deadlock_report() const {
    DeadlockReport d;
    for (std::size_t i = 0; i < rt_.size(); ++i) {
      const UnitRt& s = rt_[i];
      if (s.done) continue;
      const Unit& u = *g_.units()[i];
      BlockedUnit b;
      b.unit = u.name();
      b.local_time = s.next;
      b.waits_for_data = s.wait_data;
      if (s.wait_ch >= 0) {
        const Channel& c = *g_.channels()[static_cast<std::size_t>(s.wait_ch)];
        b.channel = c.p.name;
        b.port = s.wait_data ? u.inputs()[static_cast<std::size_t>(c.in_port)].name
                             : u.outputs()[static_cast<std::size_t>(c.out_port)].name;
      }
      d.blocked.push_back(b);
    }
    for (const auto& cp : g_.channels()) {
      const Channel& c = *cp;
      const std::uint64_t n = c.sent - c.received;
      std::string desc =
          c.p.name + " (" + std::to_string(n) + "/" + std::to_string(c.p.capacity) + ")";
      if (n == c.p.capacity)
        d.full_channels.push_back(desc);
      else if (n == 0 && !c.closed)
        d.empty_channels.push_back(desc);
    }
    return d;
  }

  Graph& g_;
  RunOptions opt_;
  std::vector<UnitRt> rt_;
  std::vector<std::vector<Channel*>> ins_, outs_;
  std::vector<int> work_;
  std::vector<std::string> warnings_;
  std::vector<int> port_unit_;      // shared port id -> unit
  std::vector<PendingQueue> pend_;  // per unit: firings waiting for the shared memory
};

}  // namespace

DataflowResult run(Graph& g, const hw::DataflowSpec& spec, const RunOptions& opt) {
  for (const auto& c : g.channels())
    if (c->sent != 0 || c->received != 0)
      throw Error(ExitCode::kInternal, "graph '" + g.name() + "' was already run");
  g.finalize(spec);
  Engine e(g, opt);
  e.run();
  return e.result(spec);
}

}  // namespace accsim::dataflow
