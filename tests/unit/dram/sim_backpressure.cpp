// TLM-2.0 back-pressure at the DRAM boundary and the issuer's outstanding limit. Each test
// elaborates once (own process under ctest).
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <vector>

#include "hw/dram_config.h"
#include "models/dram/dram.h"
#include "sim/run/issuer.h"
#include "workloads/gen/synthetic.h"

namespace accsim::dram {
namespace {

// Sends `n` reads to one bank as fast as END_REQ allows and records when each was accepted.
struct Prober : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Prober> socket{"socket"};
  std::size_t n;
  std::unique_ptr<tlm::tlm_generic_payload[]> gps;
  std::vector<Ps> accepted, responded;
  std::vector<bool> accepted_at_once;
  std::size_t next = 0;
  int waiting = -1;
  sc_core::sc_event ev;
  // hold_responses: answer BEGIN_RESP with TLM_ACCEPTED and send END_RESP one cycle later, so
  // the target must hold back further responses until then.
  bool hold_responses = false;
  Ps hold_ps = 0;
  int held = -1;
  std::size_t done_count = 0;
  bool overlapped = false;  // a BEGIN_RESP came while another was held
  sc_core::sc_event end_resp_ev;

  Prober(sc_core::sc_module_name nm, std::size_t count, const AddressMapper& m, bool hold = false,
         Ps hold_for = 0)
      : sc_module(nm),
        n(count),
        gps(new tlm::tlm_generic_payload[count]),
        hold_responses(hold),
        hold_ps(hold_for) {
    accepted.assign(n, 0);
    responded.assign(n, 0);
    accepted_at_once.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
      DramAddr a;
      a.row = 1;
      a.column = static_cast<int>(i % 64);
      gps[i].set_command(tlm::TLM_READ_COMMAND);
      gps[i].set_address(m.encode(a));
      gps[i].set_data_length(64);
      gps[i].set_streaming_width(64);
    }
    socket.register_nb_transport_bw(this, &Prober::bw);
    sc_core::sc_spawn_options o;
    o.spawn_method();
    o.set_sensitivity(&ev);
    sc_core::sc_spawn([this] { send(); }, "send", &o);
    sc_core::sc_spawn_options e;
    e.spawn_method();
    e.set_sensitivity(&end_resp_ev);
    e.dont_initialize();
    sc_core::sc_spawn([this] { end_resp(); }, "end_resp", &e);
  }
  void end_resp() {
    tlm::tlm_phase ph = tlm::END_RESP;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const int i = held;
    held = -1;
    EXPECT_EQ(socket->nb_transport_fw(gps[i], ph, d), tlm::TLM_COMPLETED);
    if (++done_count == n) sc_core::sc_stop();
  }
  void send() {
    while (waiting < 0 && next < n) {
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      const auto s = socket->nb_transport_fw(gps[next], ph, d);
      if (s == tlm::TLM_UPDATED && ph == tlm::END_REQ) {
        accepted[next] = sc_core::sc_time_stamp().value();
        accepted_at_once[next] = true;
        ++next;
      } else {
        ASSERT_EQ(s, tlm::TLM_ACCEPTED);
        waiting = static_cast<int>(next);
      }
    }
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) {
    const auto i = static_cast<std::size_t>(&gp - gps.get());
    if (ph == tlm::END_REQ) {
      EXPECT_EQ(static_cast<int>(i), waiting);
      accepted[i] = sc_core::sc_time_stamp().value();
      waiting = -1;
      ++next;
      ev.notify(sc_core::SC_ZERO_TIME);
      return tlm::TLM_ACCEPTED;
    }
    EXPECT_EQ(ph, tlm::BEGIN_RESP);
    // The response takes effect after the annotated delay (at the last data beat).
    responded[i] = sc_core::sc_time_stamp().value() + d.value();
    if (hold_responses) {
      overlapped |= held >= 0;
      held = static_cast<int>(i);
      end_resp_ev.notify(d + sc_core::sc_time::from_value(hold_ps));
      return tlm::TLM_ACCEPTED;
    }
    if (++done_count == n) sc_core::sc_stop();
    return tlm::TLM_COMPLETED;
  }
};

TEST(SimBackpressure, FullReadQueueWithholdsEndReqUntilAReadIssues) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  const auto& t = spec.timing;
  ControllerConfig cc;
  cc.check_protocol = true;
  cc.read_queue = 4;
  cc.refresh = false;
  StatsRegistry stats;
  DramSystem dram("dram", spec, cc, stats);
  Prober p("prober", 12, dram.mapper());
  p.socket.bind(dram.socket);
  sc_core::sc_start();
  ASSERT_FALSE(dram.error());
  EXPECT_EQ(dram.protocol_violations(), 0u);
  const Ps tck = t.tCK_ps;
  // Four fit at once; the fifth waits for the first read command (ACT at cycle 1, RD at
  // 1 + nRCDRD): END_REQ comes in that cycle and the request enters the queue one cycle later.
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(p.accepted_at_once[i]) << i;
    EXPECT_EQ(p.accepted[i], 0u) << i;
  }
  EXPECT_FALSE(p.accepted_at_once[4]);
  EXPECT_EQ(p.accepted[4], (1 + static_cast<Ps>(t.nRCDRD)) * tck);
  // Every later one waits for the column command four places ahead of it (row hits, nCCD_L).
  for (int i = 5; i < 12; ++i) {
    EXPECT_FALSE(p.accepted_at_once[i]) << i;
    EXPECT_EQ(p.accepted[i] - p.accepted[i - 1], static_cast<Ps>(t.nCCD_L) * tck) << i;
  }
  // No request is ever answered before it could have been: its read + nCL + nBL.
  EXPECT_EQ(p.responded[0], (1 + static_cast<Ps>(t.nRCDRD + t.nCL + t.nBL)) * tck);
  EXPECT_EQ(stats.group("dram.ch0").to_json()["read_queue"]["peak"].get<int>(), 4);
}

TEST(SimBackpressure, InitiatorHoldingTheResponseChannelDelaysTheNextResponse) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  const Ps tck = spec.timing.tCK_ps;
  ControllerConfig cc;
  cc.check_protocol = true;
  cc.refresh = false;
  StatsRegistry stats;
  DramSystem dram("dram", spec, cc, stats);
  // Responses would come every nCCD_L cycles; holding each for 20 cycles spaces them out.
  Prober p("prober", 10, dram.mapper(), /*hold=*/true, 20 * tck);
  p.socket.bind(dram.socket);
  sc_core::sc_start();
  ASSERT_FALSE(dram.error());
  EXPECT_EQ(p.done_count, 10u);
  EXPECT_FALSE(p.overlapped);  // response exclusion rule kept
  for (int i = 1; i < 10; ++i) EXPECT_GE(p.responded[i] - p.responded[i - 1], 20 * tck) << i;
}

TEST(SimBackpressure, IssuerNeverExceedsMaxOutstanding) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  ControllerConfig cc;
  cc.check_protocol = true;
  cc.read_queue = 64;
  run::IssuerConfig ic;
  ic.max_outstanding = 8;
  workloads::UniformRandomParams up;
  up.count = 20000;
  up.read_fraction = 0.6;
  workloads::UniformRandomSource src(up);
  StatsRegistry stats;
  EnergyLedger energy;
  auto r = run::run_dram_replay(spec, cc, ic, src, stats, energy);
  EXPECT_EQ(r.requests, 20000u);
  const auto& is = stats.group("issuer");
  EXPECT_EQ(is.value("peak_outstanding"), 8);
  // The queues never held more than the issuer allowed in flight.
  auto j = stats.group("dram.ch0").to_json();
  EXPECT_LE(j["read_queue"]["peak"].get<int>(), 8);
  EXPECT_LE(j["write_queue"]["peak"].get<int>(), 8);
  EXPECT_EQ(is.value("end_req_wait_ns"), 0);  // the queues never filled
}

TEST(SimBackpressure, SmallQueueBackPressuresTheIssuer) {
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  ControllerConfig cc;
  cc.check_protocol = true;
  cc.read_queue = 4;
  cc.write_queue = 4;
  run::IssuerConfig ic;
  ic.max_outstanding = 64;
  workloads::UniformRandomParams up;
  up.count = 20000;
  up.read_fraction = 0.5;
  workloads::UniformRandomSource src(up);
  StatsRegistry stats;
  EnergyLedger energy;
  auto r = run::run_dram_replay(spec, cc, ic, src, stats, energy);
  EXPECT_EQ(r.requests, 20000u);
  EXPECT_EQ(r.protocol_violations, 0u);
  const auto& is = stats.group("issuer");
  EXPECT_GT(is.value("end_req_wait_ns"), 0);
  EXPECT_LE(is.value("peak_outstanding"), 64);
  auto j = stats.group("dram.ch0").to_json();
  EXPECT_EQ(j["read_queue"]["peak"].get<int>(), 4);
  EXPECT_EQ(j["write_queue"]["peak"].get<int>(), 4);
}

}  // namespace
}  // namespace accsim::dram
