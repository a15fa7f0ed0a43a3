// The event-driven pipeline simulator (README.md "Timing"). Every engine keeps its own time;
// elements carry the cycle they are written; a FIFO slot is free from the cycle its previous
// occupant was popped. The scheduler runs whichever engine can make progress, so the result does
// not depend on the order it visits them; nothing ticks per cycle.
#include <algorithm>
#include <deque>
#include <memory>
#include <sstream>

#include "models/fpga/fpga.h"
#include "models/fpga/impl/compute.h"

namespace accsim::fpga {
namespace {

struct Elem {
  Cycle ready = 0;
  std::int64_t event = 0;
  std::vector<double> v;
};

struct Fifo {
  FifoReport rep;
  std::int64_t cap = 0;  // 0 = unbounded
  std::deque<Elem> items;
  std::uint64_t written = 0, popped = 0;
  std::deque<Cycle> pop_times;  // pops of elements [popped - size, popped)
  // Occupancy peak: writes and pops merged in time order as they become known.
  std::deque<Cycle> pend_w, pend_p;
  std::uint64_t w_done = 0, p_seen = 0;

  // Cycle from which the slot for the next write is free; -1 if not yet known (the element that
  // holds it has not been popped yet).
  Cycle slot_free() const {
    if (cap == 0 || written < static_cast<std::uint64_t>(cap)) return 0;
    const std::uint64_t k = written - static_cast<std::uint64_t>(cap);  // must be popped
    if (popped <= k) return -1;
    return pop_times[static_cast<std::size_t>(k - (popped - pop_times.size()))];
  }
  void push(Elem e) {
    pend_w.push_back(e.ready);
    items.push_back(std::move(e));
    ++written;
    ++rep.transfers;
    settle(false);
  }
  Elem pop(Cycle at) {
    Elem e = std::move(items.front());
    items.pop_front();
    ++popped;
    pop_times.push_back(at);
    while (cap > 0 && pop_times.size() > static_cast<std::size_t>(cap)) pop_times.pop_front();
    if (cap == 0) pop_times.clear();
    pend_p.push_back(at);
    settle(false);
    return e;
  }
  // Occupancy at a write time w = writes <= w minus pops <= w; known once a later pop is known.
  void settle(bool final) {
    while (!pend_w.empty()) {
      const Cycle w = pend_w.front();
      while (!pend_p.empty() && pend_p.front() <= w) {
        pend_p.pop_front();
        ++p_seen;
      }
      if (pend_p.empty() && !final) return;
      const std::int64_t occ = static_cast<std::int64_t>(w_done + 1 - p_seen);
      rep.peak = std::max(rep.peak, occ);
      pend_w.pop_front();
      ++w_done;
    }
  }
};

struct Proc {
  int layer = -1;  // -1 = sink
  bool source = false;
  std::vector<int> in, out;  // FIFO indices
  EngineTiming t;
  bool parallel = false;                     // io_parallel: one element per event
  std::int64_t in_elems = 1, out_elems = 1;  // per event
  std::unique_ptr<detail::LayerCompute> compute;
  // State
  std::int64_t event = 0, idx = 0;
  bool loading = true;
  Cycle next_free = 0, load_free = 0, buffer_ready = 0;
  Cycle first_load = -1;  // start of the first load of the event being loaded (mha stages)
  std::deque<Cycle> last_out_start;  // start of the last output row of the last 2 events
  std::vector<double> buf, buf_out;  // buffered input / computed output of the event
  LayerReport* rep = nullptr;
  Blocked why;
};

class Sim {
 public:
  Sim(const ModelDesc& m, const hw::FpgaSpec& spec, const StreamParams& p)
      : m_(m), spec_(spec), p_(p) {
    build();
  }
  FpgaResult run();

 private:
  void build();
  bool step(Proc& pr);
  bool step_source(Proc& pr);
  bool step_sink(Proc& pr);
  bool fire(Proc& pr, const std::vector<int>& pops, bool push);
  bool done(const Proc& pr) const { return pr.event >= p_.events; }

  const ModelDesc& m_;
  const hw::FpgaSpec& spec_;
  StreamParams p_;
  std::vector<Fifo> fifos_;
  std::vector<Proc> procs_;
  FpgaResult res_;
};

void Sim::build() {
  const bool par = m_.io == IoType::kParallel;
  res_.model = m_.name;
  res_.io = m_.io;
  res_.clock_hz = spec_.clock_hz;
  res_.arrival.assign(static_cast<std::size_t>(p_.events), -1);
  res_.done.assign(static_cast<std::size_t>(p_.events), -1);
  res_.layers.resize(m_.layers.size());
  procs_.resize(m_.layers.size() + 1);
  for (std::size_t i = 0; i < m_.layers.size(); ++i) {
    const LayerDesc& l = m_.layers[i];
    Proc& pr = procs_[i];
    pr.layer = static_cast<int>(i);
    pr.source = l.kind == LayerKind::kInput;
    pr.t = engine_timing(m_, l, spec_);
    pr.parallel = par;
    pr.out_elems = par ? 1 : l.rows;
    pr.in_elems =
        par || pr.source ? 1 : m_.layers[static_cast<std::size_t>(m_.index_of(l.inputs[0]))].rows;
    if (p_.compute_values && !pr.source)
      pr.compute = std::make_unique<detail::LayerCompute>(m_, static_cast<int>(i));
    LayerReport& r = res_.layers[i];
    r.name = l.name;
    r.kind = l.kind;
    r.rows = l.rows;
    r.cols = l.cols;
    r.reuse = l.reuse;
    r.parallel = l.parallel;
    r.timing = pr.t;
    r.res = layer_resources(m_, l, spec_);
    r.ops_per_event = layer_ops_per_event(m_, l, spec_);
    pr.rep = &r;
  }
  // FIFOs: one per (producer, consumer input); the last layer feeds the sink.
  auto make_fifo = [&](int from, int to, const std::string& to_name) {
    const LayerDesc& src = m_.layers[static_cast<std::size_t>(from)];
    Fifo f;
    f.rep.from = src.name;
    f.rep.to = to_name;
    f.rep.name = src.name + "->" + to_name;
    f.rep.elements_per_event = par ? 1 : src.rows;
    f.rep.element_bits = (par ? src.rows * src.cols : src.cols) * src.precision.width;
    if (to < 0) {
      f.cap = 0;  // the sink always accepts
    } else if (par) {
      // Tensor buffers between dataflow processes: ping-pong (2) unless the model says more.
      f.cap = src.fifo_depth > 0 ? src.fifo_depth : (m_.fifo_depth > 0 ? m_.fifo_depth : 2);
      if (p_.fifo_depth > 0) f.cap = p_.fifo_depth;
    } else {
      std::int64_t d =
          src.fifo_depth > 0 ? src.fifo_depth : (m_.fifo_depth > 0 ? m_.fifo_depth : src.rows);
      if (p_.fifo_depth > 0) d = p_.fifo_depth;
      f.cap = d;
    }
    auto it = p_.fifo_depths.find(f.rep.name);
    if (to >= 0 && it != p_.fifo_depths.end()) f.cap = it->second;
    if (p_.unbounded && to >= 0) f.cap = 0;
    f.rep.capacity = f.cap;
    fifos_.push_back(std::move(f));
    const int id = static_cast<int>(fifos_.size() - 1);
    procs_[static_cast<std::size_t>(from)].out.push_back(id);
    if (to >= 0) procs_[static_cast<std::size_t>(to)].in.push_back(id);
    return id;
  };
  for (std::size_t i = 1; i < m_.layers.size(); ++i)
    for (const auto& nm : m_.layers[i].inputs)
      make_fifo(m_.index_of(nm), static_cast<int>(i), m_.layers[i].name);
  Proc& sink = procs_.back();
  sink.layer = -1;
  sink.in.push_back(make_fifo(static_cast<int>(m_.layers.size() - 1), -1, "out"));
  sink.out_elems = 1;
  sink.in_elems = par ? 1 : m_.layers.back().rows;
}

// One element per input popped (or none), one element to every output pushed (if `push`).
bool Sim::fire(Proc& pr, const std::vector<int>& pops, bool push) {
  Cycle ready = 0;
  for (int f : pops) {
    Fifo& q = fifos_[static_cast<std::size_t>(f)];
    if (q.items.empty()) {
      pr.why = {m_.layers[static_cast<std::size_t>(pr.layer)].name, true, q.rep.name, pr.event};
      return false;
    }
    ready = std::max(ready, q.items.front().ready);
  }
  const bool load = pr.t.buffering && pr.loading && !pr.parallel;
  Cycle earliest = load ? pr.load_free : pr.next_free;
  if (load && pr.event >= 2 && pr.t.double_buffer)
    earliest = std::max(earliest, pr.last_out_start.front());
  if (load && pr.idx == 0 && pr.first_load >= 0)
    earliest = std::max(earliest, pr.first_load + pr.t.event_gap);
  if (!load && pr.t.buffering && !pr.parallel) {
    earliest = std::max(earliest, pr.buffer_ready);
    if (pr.idx == 0 && !pr.last_out_start.empty())
      earliest = std::max(earliest, pr.last_out_start.back() + pr.t.row_ii + pr.t.rows_gap);
  }
  Cycle start = std::max(earliest, ready);
  const int depth =
      pr.parallel ? static_cast<int>(pr.t.layer_latency) : (load ? 0 : pr.t.row_depth);
  Cycle w = start + depth;
  if (push) {
    for (int f : pr.out) {
      Cycle fr = fifos_[static_cast<std::size_t>(f)].slot_free();
      if (fr < 0) {
        pr.why = {m_.layers[static_cast<std::size_t>(pr.layer)].name, false,
                  fifos_[static_cast<std::size_t>(f)].rep.name, pr.event};
        return false;
      }
      if (fr > w) ++fifos_[static_cast<std::size_t>(f)].rep.delayed_writes;
      w = std::max(w, fr);
    }
  }
  // Commit.
  LayerReport& r = *pr.rep;
  if (ready > earliest) r.starve_cycles += static_cast<std::uint64_t>(ready - earliest);
  if (r.first_start < 0) r.first_start = start;
  ++r.firings;
  std::vector<Elem> got;
  for (int f : pops) got.push_back(fifos_[static_cast<std::size_t>(f)].pop(start));
  const Cycle stall = w - (start + depth);
  r.stall_cycles += static_cast<std::uint64_t>(stall);
  if (load) {
    if (pr.idx == 0) pr.first_load = start;
    pr.load_free = start + pr.t.load_ii;
    if (pr.compute) pr.buf.insert(pr.buf.end(), got[0].v.begin(), got[0].v.end());
    if (++pr.idx == pr.in_elems) {
      pr.buffer_ready = start + pr.t.load_depth;
      pr.loading = false;
      pr.idx = 0;
    }
    return true;
  }
  const std::int64_t ii = pr.parallel ? pr.t.layer_ii : pr.t.row_ii;
  pr.next_free = start + ii + stall;
  Elem out;
  out.ready = w;
  out.event = pr.event;
  if (pr.compute) {
    const LayerDesc& l = m_.layers[static_cast<std::size_t>(pr.layer)];
    if (pr.parallel) {
      pr.compute->tensor(got[0].v, got.size() > 1 ? &got[1].v : nullptr, out.v);
    } else if (pr.t.buffering) {
      if (pr.idx == 0) pr.compute->tensor(pr.buf, nullptr, pr.buf_out);
      out.v.assign(pr.buf_out.begin() + pr.idx * l.cols,
                   pr.buf_out.begin() + (pr.idx + 1) * l.cols);
    } else {
      out.v.resize(static_cast<std::size_t>(l.cols));
      pr.compute->row(got[0].v.data(), got.size() > 1 ? got[1].v.data() : nullptr, out.v.data());
    }
  }
  r.last_write = std::max(r.last_write, w);
  for (std::size_t k = 0; k < pr.out.size(); ++k)
    fifos_[static_cast<std::size_t>(pr.out[k])].push(k + 1 == pr.out.size() ? std::move(out) : out);
  if (++pr.idx == pr.out_elems) {
    pr.last_out_start.push_back(start);
    if (pr.last_out_start.size() > 2) pr.last_out_start.pop_front();
    pr.idx = 0;
    pr.loading = true;
    pr.buf.clear();
    ++pr.event;
  }
  return true;
}

bool Sim::step_source(Proc& pr) {
  const LayerDesc& l = m_.layers.front();
  const Cycle arrival =
      static_cast<Cycle>(std::llround(static_cast<double>(pr.event) * p_.interval_cycles));
  const Cycle want = std::max(pr.next_free, pr.idx == 0 ? arrival : Cycle{0});
  Cycle w = want;
  for (int f : pr.out) {
    Cycle fr = fifos_[static_cast<std::size_t>(f)].slot_free();
    if (fr < 0) {
      pr.why = {l.name, false, fifos_[static_cast<std::size_t>(f)].rep.name, pr.event};
      return false;
    }
    w = std::max(w, fr);
  }
  if (pr.idx == 0) {
    res_.arrival[static_cast<std::size_t>(pr.event)] = w;
    res_.source_wait_cycles += static_cast<std::uint64_t>(w - arrival);
    if (p_.compute_values) pr.buf = input_event(m_, pr.event);
  }
  Elem e;
  e.ready = w;
  e.event = pr.event;
  if (p_.compute_values) {
    if (pr.parallel)
      e.v = pr.buf;
    else
      e.v.assign(pr.buf.begin() + pr.idx * l.cols, pr.buf.begin() + (pr.idx + 1) * l.cols);
  }
  ++pr.rep->firings;
  pr.rep->stall_cycles += static_cast<std::uint64_t>(w - want);  // input back-pressure
  if (pr.rep->first_start < 0) pr.rep->first_start = w;
  pr.rep->last_write = w;
  for (int f : pr.out) fifos_[static_cast<std::size_t>(f)].push(e);
  pr.next_free = w + 1;  // one row (or tensor) per cycle
  if (++pr.idx == pr.out_elems) {
    pr.idx = 0;
    ++pr.event;
  }
  return true;
}

bool Sim::step_sink(Proc& pr) {
  Fifo& q = fifos_[static_cast<std::size_t>(pr.in[0])];
  if (q.items.empty()) {
    pr.why = {"out", true, q.rep.name, pr.event};
    return false;
  }
  const Cycle ready = q.items.front().ready;
  Elem e = q.pop(ready);
  if (++pr.idx == pr.in_elems) {
    res_.done[static_cast<std::size_t>(pr.event)] = ready;
    if (pr.event + 1 == p_.events)
      res_.last_output.insert(res_.last_output.end(), e.v.begin(), e.v.end());
    pr.idx = 0;
    ++pr.event;
  } else if (pr.event + 1 == p_.events) {
    res_.last_output.insert(res_.last_output.end(), e.v.begin(), e.v.end());
  }
  return true;
}

bool Sim::step(Proc& pr) {
  if (done(pr)) return false;
  if (pr.layer < 0) return step_sink(pr);
  if (pr.source) return step_source(pr);
  const bool load = pr.t.buffering && pr.loading && !pr.parallel;
  if (load) return fire(pr, pr.in, false);
  if (pr.t.buffering && !pr.parallel) return fire(pr, {}, true);
  return fire(pr, pr.in, true);
}

FpgaResult Sim::run() {
  for (;;) {
    bool progress = false, all_done = true;
    for (auto& pr : procs_) {
      while (step(pr)) progress = true;
      all_done = all_done && done(pr);
    }
    if (all_done) break;
    if (!progress) {
      DeadlockReport d;
      for (auto& pr : procs_)
        if (!done(pr)) d.blocked.push_back(pr.why);
      for (const auto& f : fifos_) {
        if (f.cap > 0 && static_cast<std::int64_t>(f.items.size()) >= f.cap)
          d.full_fifos.push_back(f.rep.name);
        if (f.items.empty()) d.empty_fifos.push_back(f.rep.name);
      }
      res_.deadlock = d;
      break;
    }
  }
  for (std::size_t i = 0; i < m_.layers.size(); ++i) res_.layers[i].finished = done(procs_[i]);
  for (auto& f : fifos_) {
    f.settle(true);
    f.rep.occupancy_at_end = static_cast<std::int64_t>(f.items.size());
    res_.fifos.push_back(f.rep);
  }
  res_.events_done = procs_.back().event;
  for (std::int64_t e = 0; e < res_.events_done; ++e) {
    const Cycle lat =
        res_.done[static_cast<std::size_t>(e)] - res_.arrival[static_cast<std::size_t>(e)];
    res_.latency.add(static_cast<std::uint64_t>(std::max<Cycle>(0, lat)));
    res_.total_cycles = std::max(res_.total_cycles, res_.done[static_cast<std::size_t>(e)]);
  }
  if (res_.events_done > 0) res_.first_latency = res_.done[0] - res_.arrival[0];
  // Sustained II: mean spacing of outputs over the second half of the events (fill excluded).
  const std::int64_t n = res_.events_done;
  if (n >= 2) {
    const std::int64_t a = std::min<std::int64_t>(n / 2, n - 2);
    res_.ii_cycles = static_cast<double>(res_.done[static_cast<std::size_t>(n - 1)] -
                                         res_.done[static_cast<std::size_t>(a)]) /
                     static_cast<double>(n - 1 - a);
  }
  if (res_.ii_cycles > 0) res_.events_per_s = spec_.clock_hz / res_.ii_cycles;
  for (const auto& l : res_.layers) res_.total += l.res.r;
  for (const auto& f : res_.fifos) {
    if (f.to == "out") continue;
    const std::int64_t depth = f.capacity > 0 ? f.capacity : std::max<std::int64_t>(f.peak, 1);
    if (m_.io == IoType::kParallel) {
      res_.total.ff += static_cast<double>(depth * f.element_bits);
    } else {
      res_.total += fifo_resources(depth, f.element_bits);
    }
  }
  return std::move(res_);
}

}  // namespace

std::string DeadlockReport::text() const {
  std::ostringstream os;
  os << "deadlock: no engine can make progress\n";
  for (const auto& b : blocked)
    os << "  " << b.layer << " (event " << b.event << ") waits for "
       << (b.waits_for_data ? "data on " : "room in ") << b.fifo << "\n";
  auto list = [&os](const char* what, const std::vector<std::string>& v) {
    os << "  " << what << ":";
    for (const auto& s : v) os << " " << s;
    os << (v.empty() ? " none\n" : "\n");
  };
  list("full FIFOs", full_fifos);
  list("empty FIFOs", empty_fifos);
  return os.str();
}

std::string FpgaResult::stall_summary() const {
  std::string s;
  for (const auto& l : layers)
    if (l.stall_cycles > 0)
      s += (s.empty() ? "" : ", ") + l.name + " " + std::to_string(l.stall_cycles) + " cycles";
  return s.empty() ? "no stall" : "stalls: " + s;
}

const LayerReport& FpgaResult::layer(std::string_view name) const {
  for (const auto& l : layers)
    if (l.name == name) return l;
  throw Error(ExitCode::kInternal, "no layer '" + std::string(name) + "' in the result");
}
const FifoReport& FpgaResult::fifo(std::string_view name) const {
  for (const auto& f : fifos)
    if (f.name == name) return f;
  throw Error(ExitCode::kInternal, "no FIFO '" + std::string(name) + "' in the result");
}

FpgaResult simulate(const ModelDesc& m, const hw::FpgaSpec& spec, const StreamParams& p) {
  if (p.events < 1) throw Error(ExitCode::kConfig, "stream.events must be at least 1");
  Sim s(m, spec, p);
  return s.run();
}

}  // namespace accsim::fpga
