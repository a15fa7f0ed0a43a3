#include "sim/run/issuer.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <queue>
#include <utility>

#include "sim/core/error.h"

namespace accsim::run {

const config::Schema<IssuerConfig>& issuer_schema() {
  using C = IssuerConfig;
  using config::Range;
  static const config::Schema<C> schema = [] {
    config::Schema<C> s("issuer");
    s.integer<int>("max_outstanding", &C::max_outstanding, 64, Range::between(1, 1 << 20),
                   "requests",
                   "requests in flight at most (issued, response not yet received); models the "
                   "initiator's miss-status registers");
    s.flag("use_timestamps", &C::use_timestamps, false,
           "do not issue a request before its trace timestamp (not_before); off = as fast as "
           "the memory accepts");
    s.integer<std::int64_t>("progress_every", &C::progress_every, 100000, Range::between(0, 1e15),
                            "requests",
                            "report progress every this many completed requests (0 = never)");
    return s;
  }();
  return schema;
}

struct Issuer::Impl {
  struct Slot {
    tlm::tlm_generic_payload gp;
    Ps issue_ps = 0;
    std::uint64_t id = 0;
  };

  Issuer* self;
  IssuerConfig cfg;
  RequestSource& src;
  StatsGroup& stats;
  Ps clock_ps;
  IssuerProgressFn progress;

  std::vector<Slot> slots;
  std::vector<int> free_slots;
  MemRequest next{};
  bool have_next = false;
  bool exhausted = false;
  int waiting_slot = -1;  // BEGIN_REQ sent, END_REQ not yet received
  Ps waiting_since = 0;
  int outstanding = 0;
  int peak = 0;
  bool stopped = false;
  bool finalized = false;
  std::uint64_t issued = 0, completed = 0, rd_bytes = 0, wr_bytes = 0;
  Ps first_issue = 0, last_response = 0;
  Ps end_req_wait = 0;
  std::exception_ptr err;
  sc_core::sc_event wake;

  // Responses annotated with a delay (TLM-2.0 timing annotation) take effect later: their slots
  // are freed when simulated time reaches them.
  std::priority_queue<std::pair<Ps, int>, std::vector<std::pair<Ps, int>>, std::greater<>> retiring;
  long double latency_ps_sum = 0;

  Counter *c_requests, *c_reads, *c_writes, *c_bytes_read, *c_bytes_written;
  Distribution* lat_cycles;

  Impl(Issuer* s, const IssuerConfig& c, RequestSource& source, StatsGroup& g, Ps clk,
       IssuerProgressFn p)
      : self(s), cfg(c), src(source), stats(g), clock_ps(clk), progress(std::move(p)) {
    if (cfg.max_outstanding < 1)
      throw Error(ExitCode::kConfig, "issuer.max_outstanding must be at least 1");
    if (clock_ps == 0) throw Error(ExitCode::kInternal, "issuer: memory clock period is zero");
    slots = std::vector<Slot>(static_cast<std::size_t>(cfg.max_outstanding));
    for (int i = cfg.max_outstanding - 1; i >= 0; --i) free_slots.push_back(i);
    c_requests = &stats.counter("requests", "requests completed", "requests");
    c_reads = &stats.counter("reads", "read requests completed", "requests");
    c_writes = &stats.counter("writes", "write requests completed", "requests");
    c_bytes_read = &stats.counter("bytes_read", "bytes of completed read requests", "B");
    c_bytes_written = &stats.counter("bytes_written", "bytes of completed write requests", "B");
    lat_cycles = &stats.distribution(
        "latency", "request issued -> response received, in memory clock cycles (rounded up)",
        "cycles");
  }

  void fail(std::exception_ptr e) {
    if (!err) err = std::move(e);
    stop();
  }
  void stop() {
    if (stopped) return;
    stopped = true;
    sc_core::sc_stop();
  }
  static Ps now_ps() { return sc_core::sc_time_stamp().value(); }

  void check_done() {
    if (exhausted && !have_next && outstanding == 0 && waiting_slot < 0) stop();
  }

  // Frees the slots of responses whose time has come.
  void retire(Ps now) {
    while (!retiring.empty() && retiring.top().first <= now) {
      free_slots.push_back(retiring.top().second);
      retiring.pop();
      --outstanding;
    }
  }

  // A response for `slot` that takes effect at `at` (>= now).
  void complete(int slot, Ps at) {
    Slot& s = slots[slot];
    const Ps lat = at - s.issue_ps;
    latency_ps_sum += static_cast<long double>(lat);
    lat_cycles->add((lat + clock_ps - 1) / clock_ps);
    const bool w = s.gp.get_command() == tlm::TLM_WRITE_COMMAND;
    const std::uint64_t n = s.gp.get_data_length();
    c_requests->inc();
    (w ? c_writes : c_reads)->inc();
    (w ? c_bytes_written : c_bytes_read)->inc(n);
    (w ? wr_bytes : rd_bytes) += n;
    if (s.gp.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw Error(ExitCode::kSimulation,
                  fmt::format("request #{} (0x{:x}, {} B) failed: {}", s.id, s.gp.get_address(), n,
                              s.gp.get_response_string()));
    retiring.emplace(at, slot);
    ++completed;
    last_response = std::max(last_response, at);
    if (progress && cfg.progress_every > 0 &&
        completed % static_cast<std::uint64_t>(cfg.progress_every) == 0)
      progress(completed, at);
  }

  int slot_of(const tlm::tlm_generic_payload& gp) const {
    const auto* base = &slots.front().gp;
    // Slots are laid out contiguously; the payload is the first member.
    const auto off = reinterpret_cast<const char*>(&gp) - reinterpret_cast<const char*>(base);
    const auto i = static_cast<int>(off / static_cast<std::ptrdiff_t>(sizeof(Slot)));
    if (off < 0 || i >= static_cast<int>(slots.size()) || &slots[i].gp != &gp)
      throw Error(ExitCode::kSimulation, "issuer: response for a payload it did not send");
    return i;
  }

  void send(const MemRequest& r) {
    const int slot = free_slots.back();
    free_slots.pop_back();
    Slot& s = slots[slot];
    tlm::tlm_generic_payload& gp = s.gp;
    gp.set_command(r.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(r.addr);
    gp.set_data_ptr(nullptr);  // timing only: no data is modelled
    gp.set_data_length(r.size);
    gp.set_streaming_width(r.size);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const Ps now = now_ps();
    s.issue_ps = now;
    s.id = r.id;
    if (issued == 0) first_issue = now;
    ++issued;
    ++outstanding;
    peak = std::max(peak, outstanding);
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum st = self->socket->nb_transport_fw(gp, ph, d);
    if (st == tlm::TLM_ACCEPTED) {
      waiting_slot = slot;
      waiting_since = now;
    } else if (st == tlm::TLM_UPDATED && ph == tlm::BEGIN_RESP) {
      // The target skipped END_REQ and answered at once; finish the response phase.
      complete(slot, now + d.value());
      tlm::tlm_phase e = tlm::END_RESP;
      sc_core::sc_time z = sc_core::SC_ZERO_TIME;
      self->socket->nb_transport_fw(gp, e, z);
    } else if (st == tlm::TLM_COMPLETED) {
      complete(slot, now + d.value());
    }
    // TLM_UPDATED with END_REQ: accepted, the response follows on the backward path.
  }

  void issue_method() {
    try {
      retire(now_ps());
      while (!stopped && waiting_slot < 0 && outstanding < cfg.max_outstanding) {
        if (!have_next) {
          if (exhausted || !src.next(next)) {
            exhausted = true;
            break;
          }
          have_next = true;
          if (next.size == 0)
            throw input_error(SourceLoc{src.describe()},
                              fmt::format("request #{} at 0x{:x} has size 0", next.id, next.addr));
        }
        if (cfg.use_timestamps && next.not_before_ps > 0 &&
            static_cast<Ps>(next.not_before_ps) > now_ps()) {
          wake.notify(sc_core::sc_time::from_value(static_cast<Ps>(next.not_before_ps) - now_ps()));
          return;
        }
        have_next = false;
        send(next);
        retire(now_ps());  // a target may answer at once
      }
      // Wake when a slot frees if that is what we wait for (or to finish).
      if (!retiring.empty() && (outstanding >= cfg.max_outstanding || exhausted))
        wake.notify(sc_core::sc_time::from_value(retiring.top().first - now_ps()));
      check_done();
    } catch (...) {
      fail(std::current_exception());
    }
  }

  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                        sc_core::sc_time& delay) {
    try {
      const int slot = slot_of(gp);
      if (phase == tlm::END_REQ) {
        if (slot != waiting_slot)
          throw Error(ExitCode::kSimulation, "issuer: END_REQ for a request not waiting for it");
        end_req_wait += now_ps() - waiting_since;
        waiting_slot = -1;
        wake.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_ACCEPTED;
      }
      if (phase == tlm::BEGIN_RESP) {
        if (slot == waiting_slot) {  // BEGIN_RESP implies END_REQ
          end_req_wait += now_ps() - waiting_since;
          waiting_slot = -1;
        }
        complete(slot, now_ps() + delay.value());
        // While a request waits for END_REQ, that END_REQ wakes the issuer anyway.
        if (waiting_slot < 0) wake.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_COMPLETED;
      }
      throw Error(
          ExitCode::kSimulation,
          "issuer: unexpected phase " + std::string(phase.get_name()) + " on the backward path");
    } catch (...) {
      fail(std::current_exception());
      return tlm::TLM_COMPLETED;
    }
  }
};

// sc_module_name is taken by value: SystemC's naming stack relies on it.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
Issuer::Issuer(sc_core::sc_module_name name, const IssuerConfig& cfg, RequestSource& source,
               StatsGroup& stats, Ps mem_clock_ps, IssuerProgressFn progress)
    : sc_core::sc_module(name), socket("socket") {
  impl_ = std::make_unique<Impl>(this, cfg, source, stats, mem_clock_ps, std::move(progress));
  socket.register_nb_transport_bw(this, &Issuer::nb_transport_bw);
  sc_core::sc_spawn_options opt;
  opt.spawn_method();
  opt.set_sensitivity(&impl_->wake);  // and runs once at time 0
  Impl* im = impl_.get();
  sc_core::sc_spawn([im] { im->issue_method(); }, sc_core::sc_gen_unique_name("issue"), &opt);
}

Issuer::~Issuer() = default;

tlm::tlm_sync_enum Issuer::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                           sc_core::sc_time& delay) {
  return impl_->bw(gp, phase, delay);
}

bool Issuer::done() const {
  const Impl& m = *impl_;
  return m.exhausted && !m.have_next && m.outstanding == 0 && m.waiting_slot < 0 && !m.err;
}
std::uint64_t Issuer::issued() const {
  return impl_->issued;
}
std::uint64_t Issuer::completed() const {
  return impl_->completed;
}
std::uint64_t Issuer::bytes_read() const {
  return impl_->rd_bytes;
}
std::uint64_t Issuer::bytes_written() const {
  return impl_->wr_bytes;
}
int Issuer::peak_outstanding() const {
  return impl_->peak;
}
Ps Issuer::first_issue_ps() const {
  return impl_->first_issue;
}
Ps Issuer::last_response_ps() const {
  return impl_->last_response;
}
std::exception_ptr Issuer::error() const {
  return impl_->err;
}

void Issuer::finalize() {
  Impl& m = *impl_;
  if (m.finalized) throw Error(ExitCode::kInternal, "Issuer::finalize called twice");
  m.finalized = true;
  StatsGroup& g = m.stats;
  const Distribution& d = *m.lat_cycles;
  // The mean is exact (sum of picoseconds); percentiles come from the cycle distribution, exact
  // for requests issued on a memory clock edge and at most one cycle high otherwise.
  const double tck_ns = static_cast<double>(m.clock_ps) / 1e3;
  g.scalar("latency_mean_ns", "mean request latency (exact)", "ns",
           m.completed ? static_cast<double>(m.latency_ps_sum / m.completed) / 1e3 : 0.0);
  g.scalar("latency_p50_ns", "median request latency (cycles x tCK)", "ns",
           static_cast<double>(d.percentile(50)) * tck_ns);
  g.scalar("latency_p99_ns", "99th-percentile request latency (cycles x tCK)", "ns",
           static_cast<double>(d.percentile(99)) * tck_ns);
  g.scalar("latency_max_ns", "largest request latency (cycles x tCK)", "ns",
           static_cast<double>(d.max()) * tck_ns);
  const double span_s = static_cast<double>(m.last_response - m.first_issue) * 1e-12;
  g.scalar("elapsed_ns", "first request issued -> last response received", "ns", span_s * 1e9);
  g.scalar("throughput", "completed requests / elapsed time", "requests/s",
           span_s > 0 ? static_cast<double>(m.completed) / span_s : 0.0);
  g.scalar("achieved_bandwidth", "bytes of completed requests / elapsed time", "B/s",
           span_s > 0 ? static_cast<double>(m.rd_bytes + m.wr_bytes) / span_s : 0.0);
  g.scalar("peak_outstanding", "most requests in flight at once", "requests", m.peak);
  g.scalar("max_outstanding", "configured limit on requests in flight", "requests",
           m.cfg.max_outstanding);
  g.scalar("end_req_wait_ns", "total time requests waited for END_REQ (target back-pressure)", "ns",
           static_cast<double>(m.end_req_wait) / 1e3);
}

DramReplayResult run_dram_replay(const hw::DramSpec& spec, const dram::ControllerConfig& ctrl,
                                 const IssuerConfig& issuer, RequestSource& source,
                                 StatsRegistry& stats, EnergyLedger& energy,
                                 const ProgressFn& progress) {
  static std::atomic<bool> elaborated{false};
  if (elaborated.exchange(true))
    throw Error(ExitCode::kInternal,
                "run_dram_replay: SystemC can elaborate one simulation per process; run each "
                "replay in its own process");
  // The SystemC banner and the "stopped by user" note would clutter the CLI's output.
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);

  dram::DramSystem dram("dram", spec, ctrl, stats, "dram");
  IssuerProgressFn report;
  if (progress) {
    const std::uint64_t total = source.total_hint();
    report = [&progress, total](std::uint64_t done, Ps now) {
      // More requests than the hint (an atomic is two requests of one record): not yet done.
      const double frac = total == 0     ? 0.0
                          : done > total ? 0.999
                                         : static_cast<double>(done) / static_cast<double>(total);
      progress(frac, fmt::format("{} requests done, {:.3f} us simulated", done,
                                 static_cast<double>(now) * 1e-6));
    };
  }
  Issuer iss("issuer", issuer, source, stats.group("issuer"), spec.timing.tCK_ps,
             std::move(report));
  iss.socket.bind(dram.socket);
  sc_core::sc_start();
  if (auto e = iss.error()) std::rethrow_exception(e);
  if (auto e = dram.error()) std::rethrow_exception(e);
  if (!iss.done())
    throw Error(ExitCode::kSimulation,
                fmt::format("the simulation ended at {} ps with {} of {} requests unanswered "
                            "(deadlock?)",
                            sc_core::sc_time_stamp().value(), iss.issued() - iss.completed(),
                            iss.issued()));
  dram.finalize(energy);
  iss.finalize();
  const Ps end = sc_core::sc_time_stamp().value();
  energy.finalize(static_cast<double>(end) * 1e-12);
  dram.throw_if_violations();

  DramReplayResult r;
  r.end_ps = iss.last_response_ps();
  r.end_cycle = static_cast<Cycle>((r.end_ps + spec.timing.tCK_ps - 1) / spec.timing.tCK_ps);
  r.requests = iss.completed();
  r.sim_time_s = static_cast<double>(r.end_ps) * 1e-12;
  r.bytes_read = iss.bytes_read();
  r.bytes_written = iss.bytes_written();
  r.bytes = r.bytes_read + r.bytes_written;
  const StatsGroup& ig = stats.group("issuer");
  r.reads = static_cast<std::uint64_t>(ig.value("reads"));
  r.writes = static_cast<std::uint64_t>(ig.value("writes"));
  r.latency_mean_ns = ig.value("latency_mean_ns");
  r.latency_p50_ns = ig.value("latency_p50_ns");
  r.latency_p99_ns = ig.value("latency_p99_ns");
  r.latency_max_ns = ig.value("latency_max_ns");
  r.protocol_violations = dram.protocol_violations();
  // The modules die with this scope; keep the values of formulas that read them.
  stats.freeze();
  return r;
}

}  // namespace accsim::run
