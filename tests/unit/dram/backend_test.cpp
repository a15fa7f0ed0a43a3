// DramBackend (plain C++) against DramSystem (SystemC, TLM-2.0) on the same request streams:
// every request must complete at the same cycle. Generator -> both models -> compare; the
// protocol checker is on in both. Each test elaborates once (own process under ctest).
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <random>
#include <vector>

#include "hw/dram_config.h"
#include "models/dram/dram.h"

namespace accsim::dram {
namespace {

struct Req {
  Ps t = 0;  // issue time
  std::uint64_t addr = 0;
  std::uint32_t bytes = 0;
  bool is_write = false;
};

// One TLM initiator that sends each request at its time (or when END_REQ of the previous one
// allows, whichever is later) and records when each response takes effect.
struct Replayer : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Replayer> socket{"socket"};
  const std::vector<Req>& reqs;
  std::vector<tlm::tlm_generic_payload> gps;
  std::vector<Ps> done_ps;
  std::size_t next = 0, completed = 0;
  bool waiting = false;
  sc_core::sc_event ev;

  Replayer(sc_core::sc_module_name nm, const std::vector<Req>& r)
      : sc_module(nm), reqs(r), gps(r.size()), done_ps(r.size(), -1) {
    socket.register_nb_transport_bw(this, &Replayer::bw);
    sc_core::sc_spawn_options o;
    o.spawn_method();
    o.set_sensitivity(&ev);
    sc_core::sc_spawn([this] { send(); }, "send", &o);
  }
  std::size_t index(const tlm::tlm_generic_payload& gp) const {
    return static_cast<std::size_t>(&gp - gps.data());
  }
  void send() {
    while (!waiting && next < reqs.size()) {
      const Ps now = sc_core::sc_time_stamp().value();
      const Req& r = reqs[next];
      if (r.t > now) {
        ev.notify(sc_core::sc_time::from_value(r.t - now));
        return;
      }
      tlm::tlm_generic_payload& gp = gps[next];
      gp.set_command(r.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      gp.set_address(r.addr);
      gp.set_data_length(r.bytes);
      gp.set_streaming_width(r.bytes);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      ++next;
      const auto s = socket->nb_transport_fw(gp, ph, d);
      if (s == tlm::TLM_ACCEPTED) waiting = true;
    }
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) {
    if (ph == tlm::END_REQ) {
      waiting = false;
      ev.notify(sc_core::SC_ZERO_TIME);
      return tlm::TLM_ACCEPTED;
    }
    EXPECT_EQ(ph, tlm::BEGIN_RESP);
    if (waiting && index(gp) == next - 1) {
      waiting = false;
      ev.notify(sc_core::SC_ZERO_TIME);
    }
    done_ps[index(gp)] = sc_core::sc_time_stamp().value() + d.value();
    if (++completed == reqs.size()) sc_core::sc_stop();
    return tlm::TLM_COMPLETED;
  }
};

// Random runs of sequential requests and jumps, reads and writes, unaligned sizes, idle gaps and
// bursts that fill the queues. Issue times never fall on a DRAM clock edge: there DramSystem's
// answer would depend on SystemC's order of processes within one time step.
std::vector<Req> stream(const hw::DramSpec& spec, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Req> v;
  const Ps tck = spec.timing.tCK_ps;
  Cycle c = 3;
  std::uint64_t addr = 0;
  for (int i = 0; i < n; ++i) {
    const int mode = static_cast<int>(rng() % 10);
    if (mode == 0)
      c += static_cast<Cycle>(rng() % 400);  // idle stretch
    else if (mode < 4)
      c += static_cast<Cycle>(rng() % 3);
    if (rng() % 8 == 0) addr = (rng() % (1u << 26)) & ~std::uint64_t{3};
    Req r;
    r.t = c * tck + 1 + static_cast<Ps>(rng() % static_cast<std::uint64_t>(tck - 1));
    r.addr = addr;
    r.bytes = rng() % 4 == 0 ? 4u * (1u + static_cast<std::uint32_t>(rng() % 64)) : 64u;
    r.is_write = rng() % 3 == 0;
    addr += r.bytes;
    v.push_back(r);
  }
  return v;
}

void compare(const char* preset, ControllerConfig cc, int n) {
  const auto spec = hw::dram_preset_spec(preset);
  const Ps tck = spec.timing.tCK_ps;
  cc.check_protocol = true;
  const std::vector<Req> reqs = stream(spec, n, 7);

  StatsRegistry s1;
  DramSystem sys("dram", spec, cc, s1);
  Replayer rep("replayer", reqs);
  rep.socket.bind(sys.socket);
  sc_core::sc_start();
  ASSERT_FALSE(sys.error());
  ASSERT_EQ(rep.completed, reqs.size());
  EnergyLedger e1;
  sys.finalize(e1);
  EXPECT_EQ(sys.protocol_violations(), 0u);

  StatsRegistry s2;
  DramBackend be(spec, cc, s2);
  std::vector<DramBackend::Done> dones;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const Cycle arrival = static_cast<Cycle>(reqs[i].t / tck) + 1;
    be.run_until(arrival - 1, dones);
    be.submit(i, reqs[i].addr, reqs[i].bytes, reqs[i].is_write, arrival);
  }
  while (be.outstanding() > 0) ASSERT_NE(be.run_next(dones), DramBackend::kNever);
  ASSERT_EQ(dones.size(), reqs.size());
  std::vector<Cycle> done(reqs.size(), -1);
  for (const auto& d : dones) done[d.id] = d.done;
  int mismatches = 0;
  Cycle queued_late = 0;  // requests that waited for room: the stream did exercise back-pressure
  for (const auto& d : dones) queued_late += d.arrival > static_cast<Cycle>(reqs[d.id].t / tck) + 1;
  for (std::size_t i = 0; i < reqs.size(); ++i)
    if (done[i] * tck != rep.done_ps[i] && ++mismatches <= 5)
      ADD_FAILURE() << preset << " request " << i << ": backend done at cycle " << done[i]
                    << ", DramSystem at " << rep.done_ps[i] << " ps (" << rep.done_ps[i] / tck
                    << " cycles)";
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(queued_late, 0) << "the stream never filled a queue";
  EnergyLedger e2;
  be.finalize(be.last_cycle() + 1, e2);
  EXPECT_EQ(be.protocol_violations(), 0u);
  EXPECT_EQ(s2.group("dram").value("reads"), s1.group("dram").value("reads"));
  EXPECT_EQ(s2.group("dram").value("row_hits"), s1.group("dram").value("row_hits"));
  EXPECT_GT(e2.component_pj("dram"), 0.0);
}

TEST(DramBackend, SameCompletionsAsDramSystemDDR4) {
  ControllerConfig cc;
  cc.read_queue = 8;
  cc.write_queue = 8;
  compare("DDR4-3200", cc, 20000);
}

TEST(DramBackend, SameCompletionsAsDramSystemHBM3) {
  ControllerConfig cc;
  cc.read_queue = 4;
  cc.write_queue = 4;
  compare("HBM3", cc, 20000);
}

TEST(DramBackend, SameCompletionsAsDramSystemClosedPageFCFS) {
  ControllerConfig cc;
  cc.scheduler = "FCFS";
  cc.page_policy = PagePolicy::kClosed;
  cc.read_queue = 6;
  cc.write_queue = 6;
  compare("DDR4-3200", cc, 10000);
}

TEST(DramBackend, RejectsALateSubmission) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  StatsRegistry st;
  DramBackend be(spec, ControllerConfig{}, st);
  std::vector<DramBackend::Done> d;
  be.submit(0, 0, 64, false, 5);
  be.run_until(20000, d);  // past the first refresh
  ASSERT_GT(be.last_cycle(), 50);
  EXPECT_THROW(be.submit(1, 64, 64, false, 50), Error);
  EXPECT_THROW(be.submit(1, 64, 0, false, 200), Error);
}

}  // namespace
}  // namespace accsim::dram
