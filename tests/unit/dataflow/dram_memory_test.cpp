// The DRAM model (models/dram, through its plain-C++ DramBackend) as the shared memory of the
// memory units: requests from different ports reach the DRAM in issue order whatever order the
// units call their ports; completions equal a direct time-ordered replay through the DRAM; the
// engine equals the cycle-stepped reference with the DRAM attached; the protocol checker finds
// nothing; bad configs are clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <tuple>

#include "hw/dram_config.h"
#include "models/dram/backend.h"
#include "sim/core/error.h"
#include "sim/run/system.h"
#include "tests/unit/dataflow/helpers.h"
#include "tests/unit/dataflow/reference_sim.h"

namespace accsim::dataflow {
namespace {

using testing::test_spec;

dram::ControllerConfig checked() {
  dram::ControllerConfig c;
  c.check_protocol = true;
  return c;
}

struct Call {
  int port;
  Cycle issue;
  std::uint64_t addr;
  std::uint32_t bytes;
  bool is_write;
};

// Requests of two ports, each in its own issue order: port 0 streams from 0, port 1 from 1 MiB,
// with the issue cycles of the two interleaved and often equal.
std::vector<std::vector<Call>> two_streams(int n) {
  std::mt19937 rng(3);
  std::vector<std::vector<Call>> v(2);
  for (int p = 0; p < 2; ++p) {
    Cycle t = 0;
    for (int i = 0; i < n; ++i) {
      t += static_cast<Cycle>(rng() % 3);
      v[static_cast<std::size_t>(p)].push_back(Call{
          p, t, static_cast<std::uint64_t>(p) * (1u << 20) + static_cast<std::uint64_t>(i) * 64, 64,
          p == 1 && i % 4 == 3});
    }
  }
  return v;
}

// Feeds the calls to a DRAM memory in the given order of ports (all of port a's calls first,
// then b's, or alternating) and resolves everything; returns (port, ticket) -> done.
std::map<std::pair<int, std::uint64_t>, Cycle> via_memory(const hw::DramSpec& ds,
                                                          const std::vector<std::vector<Call>>& s,
                                                          int order, std::uint64_t* violations) {
  StatsRegistry st;
  auto mem = make_dram_memory(ds, checked(), test_spec(), st);
  std::vector<std::unique_ptr<MemoryPort>> ports;
  ports.push_back(mem->make_port("a"));
  ports.push_back(mem->make_port("b"));
  auto call = [&](const Call& c) {
    MemoryPort& p = *ports[static_cast<std::size_t>(c.port)];
    const Cycle r =
        c.is_write ? p.write(c.addr, c.bytes, c.issue) : p.read(c.addr, c.bytes, c.issue);
    EXPECT_EQ(r, MemoryPort::kPending);
  };
  if (order == 0) {
    for (const auto& c : s[1]) call(c);  // the later-created port runs far ahead
    for (const auto& c : s[0]) call(c);
  } else {
    for (std::size_t i = 0; i < s[0].size(); ++i) {
      call(s[0][i]);
      call(s[1][i]);
    }
  }
  std::map<std::pair<int, std::uint64_t>, Cycle> done;
  std::vector<SharedMemory::Resolved> out;
  while (mem->pending() > 0) {
    const std::size_t before = out.size();
    mem->resolve(out);
    EXPECT_GT(out.size(), before);
    if (out.size() == before) break;
  }
  for (const auto& r : out) done[{r.port, r.ticket}] = r.done;
  EnergyLedger e;
  Cycle end = 0;
  for (const auto& [k, d] : done) end = std::max(end, d);
  mem->finish(end, e);
  EXPECT_GT(e.component_pj("dram"), 0.0);
  *violations = static_cast<std::uint64_t>(st.group("dram").value("protocol_violations"));
  return done;
}

TEST(DramMemory, OrdersPortsByIssueCycleAndMatchesADirectReplay) {
  for (const char* preset : {"HBM3", "DDR4-3200"}) {
    SCOPED_TRACE(preset);
    const hw::DramSpec ds = hw::dram_preset_spec(preset);
    const auto s = two_streams(3000);
    std::uint64_t v0 = 1, v1 = 1;
    const auto a = via_memory(ds, s, 0, &v0);
    const auto b = via_memory(ds, s, 1, &v1);
    EXPECT_EQ(v0, 0u);
    EXPECT_EQ(v1, 0u);
    ASSERT_EQ(a.size(), 6000u);
    EXPECT_EQ(a, b);  // the order of the calls does not matter

    // The same requests in global issue order (ties: the port created first), straight into the
    // DRAM model: clocks converted the documented way, P = 1000 ps.
    const Ps P = test_spec().clock().period_ps, tck = ds.timing.tCK_ps;
    std::vector<std::tuple<Cycle, int, std::uint64_t, Call>> all;
    for (const auto& ps : s)
      for (std::size_t i = 0; i < ps.size(); ++i)
        all.emplace_back(ps[i].issue * P / tck + 1, ps[i].port, i, ps[i]);
    std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
      return std::tie(std::get<0>(x), std::get<1>(x), std::get<2>(x)) <
             std::tie(std::get<0>(y), std::get<1>(y), std::get<2>(y));
    });
    StatsRegistry st;
    dram::DramBackend be(ds, checked(), st);
    std::vector<dram::DramBackend::Done> dones;
    for (const auto& [arrival, port, ticket, c] : all) {
      be.run_until(arrival - 1, dones);
      be.submit((static_cast<std::uint64_t>(port) << 32) | ticket, c.addr, c.bytes, c.is_write,
                arrival);
    }
    while (be.outstanding() > 0) be.run_next(dones);
    ASSERT_EQ(dones.size(), 6000u);
    int bad = 0;
    for (const auto& d : dones) {
      const Cycle df = (d.done * tck + P - 1) / P;
      const auto key = std::make_pair(static_cast<int>(d.id >> 32), d.id & 0xffffffffu);
      if (a.at(key) != df && ++bad <= 3)
        ADD_FAILURE() << "port " << key.first << " request " << key.second << ": " << a.at(key)
                      << " vs direct " << df;
    }
    EXPECT_EQ(bad, 0);
    // The streams contend: some requests of the later port finish before earlier ones of the
    // first, i.e. the DRAM really interleaved them.
    EXPECT_NE(a.at({0, 2999}), a.at({1, 2999}));
  }
}

TEST(DramMemory, RequestsOutOfIssueOrderOnOnePortAreAnError) {
  StatsRegistry st;
  auto mem = make_dram_memory(hw::dram_preset_spec("HBM3"), checked(), test_spec(), st);
  auto p = mem->make_port("rd");
  p->read(0, 64, 10);
  EXPECT_THROW(p->read(64, 64, 9), Error);
}

hw::DataflowSpec dram_spec_df() {
  hw::DataflowSpec s = test_spec();
  s.memory.kind = hw::DataflowMemoryKind::kDram;
  return s;
}

// The engine (out of time order, resolving at quiescence) against the cycle-stepped reference
// (in time order, advancing the DRAM cycle by cycle), each with its own DRAM.
TEST(DramMemory, EngineEqualsCycleSteppedReference) {
  for (const char* preset : {"HBM3", "DDR4-3200"})
    for (SdpaGraph kind : {SdpaGraph::kNaive, SdpaGraph::kReordered})
      for (std::int64_t lanes : {1, 2}) {
        SCOPED_TRACE(std::string(preset) + " " + std::string(graph_name(kind)) + " lanes " +
                     std::to_string(lanes));
        const hw::DramSpec ds = hw::dram_preset_spec(preset);
        SdpaParams p;
        p.graph = kind;
        p.N = 16;
        p.M = 3;
        p.d = 8;
        p.lanes = lanes;
        p.capacity = 4;
        StatsRegistry sa, sb;
        auto ga = build_sdpa(dram_spec_df(), p, make_dram_memory(ds, checked(), test_spec(), sa));
        auto gb = build_sdpa(dram_spec_df(), p, make_dram_memory(ds, checked(), test_spec(), sb));
        std::vector<std::vector<Cycle>> fired;
        RunOptions o;
        o.record_firings = true;
        o.firings_out = &fired;
        DataflowResult r = run(*ga, dram_spec_df(), o);
        testing::RefResult ref = testing::reference_run(*gb, dram_spec_df());
        ASSERT_FALSE(r.deadlocked());
        ASSERT_FALSE(ref.deadlock);
        for (std::size_t u = 0; u < fired.size(); ++u) {
          EXPECT_EQ(fired[u], ref.firings[u]) << "unit " << ga->units()[u]->name();
          EXPECT_EQ(r.units[u].starved_cycles, ref.starved[u]) << ga->units()[u]->name();
          EXPECT_EQ(r.units[u].blocked_cycles, ref.blocked[u]) << ga->units()[u]->name();
        }
        for (std::size_t c = 0; c < r.channels.size(); ++c)
          EXPECT_EQ(r.channels[c].peak_occupancy, ref.peak[c]) << r.channels[c].name;
        EXPECT_EQ(r.total_cycles, ref.total_cycles);
        EXPECT_EQ(ga->store().get("O").data, gb->store().get("O").data);
        // DRAM latency is tens of cycles: far slower than the ideal memory's 2.
        EXPECT_GT(r.unit(kind == SdpaGraph::kNaive ? "pv" : "oacc").first_fire, 30);
        EnergyLedger ea, eb;
        ga->memory->finish(r.total_cycles, ea);
        gb->memory->finish(ref.total_cycles, eb);
        EXPECT_EQ(sa.group("dram").value("protocol_violations"), 0.0);
        EXPECT_EQ(ea.component_pj("dram"), eb.component_pj("dram"));
        EXPECT_EQ(sa.to_json().dump(), sb.to_json().dump());
      }
}

// Two memory units reading into one adder and a writer: the same firing cycles whichever order
// the units are added in (the engine runs them in a different order).
TEST(DramMemory, ResultsIndependentOfUnitOrder) {
  const hw::DramSpec ds = hw::dram_preset_spec("HBM3");
  auto build = [&](bool reversed, StatsRegistry& st) {
    auto g = std::make_unique<Graph>("pair");
    g->memory = make_dram_memory(ds, checked(), test_spec(), st);
    TensorStore& ts = g->store();
    fill_uniform(ts.add("X", 1, 256, 16), 1, -1, 1);
    fill_uniform(ts.add("Y", 1, 256, 16), 2, -1, 1);
    ts.add("Z", 1, 256, 16);
    std::vector<std::unique_ptr<Unit>> us;
    auto mem = [&](const char* n, UnitKind k, const char* t) {
      UnitParams u = testing::params(n, k);
      u.tensor = t;
      us.push_back(make_unit(u, dram_spec_df(), &ts, g->memory_port_for(n)));
    };
    mem("rx", UnitKind::kMemRead, "X");
    mem("ry", UnitKind::kMemRead, "Y");
    us.push_back(
        make_unit(testing::params("add", UnitKind::kMap, Op::kAdd), dram_spec_df(), &ts, nullptr));
    mem("wz", UnitKind::kMemWrite, "Z");
    if (reversed) std::reverse(us.begin(), us.end());
    for (auto& u : us) g->add(std::move(u));
    g->connect("rx", "out", "add", "a", testing::chan(16, 8));
    g->connect("ry", "out", "add", "b", testing::chan(16, 3, 2));
    g->connect("add", "out", "wz", "in", testing::chan(16, 4));
    return g;
  };
  StatsRegistry s1, s2;
  auto g1 = build(false, s1), g2 = build(true, s2);
  DataflowResult r1 = run(*g1, dram_spec_df()), r2 = run(*g2, dram_spec_df());
  for (const char* u : {"rx", "ry", "add", "wz"}) {
    EXPECT_EQ(r1.unit(u).first_fire, r2.unit(u).first_fire) << u;
    EXPECT_EQ(r1.unit(u).last_fire, r2.unit(u).last_fire) << u;
    EXPECT_EQ(r1.unit(u).starved_cycles, r2.unit(u).starved_cycles) << u;
    EXPECT_EQ(r1.unit(u).blocked_cycles, r2.unit(u).blocked_cycles) << u;
  }
  EXPECT_EQ(r1.total_cycles, r2.total_cycles);
  EXPECT_EQ(g1->store().get("Z").data, g2->store().get("Z").data);
  EXPECT_GT(r1.unit("add").starved_cycles, 0u);  // the DRAM, not the II, sets the pace
}

TEST(DramMemory, SdpaThroughHbm3IsCorrectAndCountsDramEnergy) {
  SdpaParams p;
  p.graph = SdpaGraph::kReordered;
  p.N = 64;
  p.M = 4;
  p.d = 16;
  StatsRegistry st, st_ideal;
  EnergyLedger e, e_ideal;
  const hw::DramSpec ds = hw::dram_preset_spec("HBM3");
  DataflowResult r =
      run_sdpa(dram_spec_df(), p, st, e, make_dram_memory(ds, checked(), test_spec(), st));
  DataflowResult ideal = run_sdpa(test_spec(), p, st_ideal, e_ideal);
  ASSERT_FALSE(r.deadlocked());
  EXPECT_TRUE(r.output_ok);
  EXPECT_GT(r.total_cycles, ideal.total_cycles);
  EXPECT_EQ(r.mem_bytes_read, ideal.mem_bytes_read);
  EXPECT_GT(r.memory_energy_pj, 0.0);
  EXPECT_DOUBLE_EQ(r.memory_energy_pj, e.component_pj("dram"));
  EXPECT_EQ(e.component_pj("dataflow.memory"), 0.0);  // no ideal-memory charge with a DRAM
  EXPECT_GT(e_ideal.component_pj("dataflow.memory"), 0.0);
  EXPECT_EQ(st.group("dram").value("protocol_violations"), 0.0);
  // Every byte the units asked for went over the DRAM's data bus (sizes are whole bursts here).
  EXPECT_EQ(st.group("dram").value("read_bytes"), static_cast<double>(r.mem_bytes_read));
  EXPECT_EQ(st.group("dram").value("write_bytes"), static_cast<double>(r.mem_bytes_written));
}

TEST(DramMemory, KindAndMemoryMustAgree) {
  SdpaParams p;
  p.N = 16;
  p.M = 2;
  p.d = 8;
  StatsRegistry st;
  EnergyLedger e;
  EXPECT_THROW(run_sdpa(dram_spec_df(), p, st, e), Error);
  EXPECT_THROW(run_sdpa(test_spec(), p, st, e,
                        make_dram_memory(hw::dram_preset_spec("HBM3"), checked(), test_spec(), st)),
               Error);
}

std::string config_error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("accsim_dfdram_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << yaml;
  try {
    run::load_system(path.string(), sets, "");
  } catch (const Error& e) {
    std::filesystem::remove(path);
    return e.what();
  }
  std::filesystem::remove(path);
  return "";
}

const char* kHead =
    "system: {name: t, target: dataflow}\n"
    "sdpa: {N: 16, M: 2, d: 8}\n";

TEST(DramMemoryConfig, DramKindWithoutDramSection) {
  const std::string e = config_error_of(std::string(kHead) + "dataflow:\n  memory: {kind: dram}\n");
  EXPECT_NE(e.find("no dram: section"), std::string::npos) << e;
  EXPECT_NE(e.find("accsim_dfdram_"), std::string::npos) << e;
}

TEST(DramMemoryConfig, DramSectionWithIdealKind) {
  const std::string e = config_error_of(std::string(kHead) + "dram: {preset: HBM3}\n");
  EXPECT_NE(e.find("dataflow.memory.kind is ideal"), std::string::npos) << e;
  EXPECT_NE(e.find(":3:"), std::string::npos) << e;  // the dram section's line
}

TEST(DramMemoryConfig, UnknownKindAndBadDramPreset) {
  std::string e = config_error_of(std::string(kHead) + "dataflow:\n  memory: {kind: dramm}\n");
  EXPECT_NE(e.find("expected one of ideal, dram"), std::string::npos) << e;
  e = config_error_of(std::string(kHead) +
                      "dataflow:\n  memory: {kind: dram}\ndram: {preset: HBM9}\n");
  EXPECT_NE(e.find("HBM9"), std::string::npos) << e;
  e = config_error_of(std::string(kHead) +
                      "dataflow:\n  memory: {kind: dram}\ndram: {preset: HBM3}\n"
                      "controller: {read_queue: 0}\n");
  EXPECT_NE(e.find("read_queue"), std::string::npos) << e;
}

TEST(DramMemoryConfig, BundledHbm3SystemLoads) {
  EXPECT_EQ(config_error_of(std::string(kHead) +
                            "dataflow:\n  memory: {kind: dram}\ndram: {preset: HBM3}\n"),
            "");
  auto sys = run::load_system(ACCSIM_SOURCE_DIR "/configs/systems/sdpa_dataflow_hbm3.yaml",
                              {"sdpa.N=32", "sdpa.M=2"}, "");
  ASSERT_TRUE(sys.target);
}

}  // namespace
}  // namespace accsim::dataflow
