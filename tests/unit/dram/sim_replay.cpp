// End-to-end replays through run_dram_replay: statistics that must agree with each other,
// energy, multi-burst and unaligned requests, timestamps, progress and errors. Each test
// elaborates once (own process under ctest).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "hw/dram_config.h"
#include "models/dram/dram.h"
#include "sim/core/error.h"
#include "sim/run/issuer.h"
#include "workloads/gen/synthetic.h"

namespace accsim::dram {
namespace {

// Random runs of sequential bursts at random places: a mix of row hits, misses and conflicts.
class RunsSource final : public RequestSource {
 public:
  RunsSource(std::uint64_t count, std::uint64_t range, double reads, std::uint32_t size,
             std::uint64_t seed)
      : count_(count), range_(range), reads_(reads), size_(size), rng_(seed) {}
  bool next(MemRequest& out) override {
    if (i_ >= count_) return false;
    if (left_ == 0) {
      addr_ = (rng_() % (range_ / size_)) * size_;
      left_ = 1 + static_cast<int>(rng_() % 16);
      write_ = static_cast<double>(rng_() % 1000) >= reads_ * 1000;
    }
    out = MemRequest{};
    out.id = i_++;
    out.addr = addr_;
    out.size = size_;
    out.is_write = write_;
    addr_ += size_;
    --left_;
    return true;
  }
  std::string describe() const override { return "random runs"; }
  std::uint64_t total_hint() const override { return count_; }

 private:
  std::uint64_t count_, range_;
  double reads_;
  std::uint32_t size_;
  std::mt19937_64 rng_;
  std::uint64_t i_ = 0, addr_ = 0;
  int left_ = 0;
  bool write_ = false;
};

struct Replay {
  StatsRegistry stats;
  EnergyLedger energy;
  run::DramReplayResult r;
};

void replay(Replay& out, const std::string& preset, RequestSource& src, ControllerConfig cc = {},
            run::IssuerConfig ic = {}, const run::ProgressFn& progress = {}) {
  cc.check_protocol = true;
  out.r = run::run_dram_replay(hw::dram_preset_spec(preset), cc, ic, src, out.stats, out.energy,
                               progress);
}

TEST(SimReplay, StatisticsAgreeWithEachOther) {
  Replay run;
  RunsSource src(60000, 64 << 20, 0.7, 64, 3);
  run::IssuerConfig ic;
  ic.max_outstanding = 48;
  replay(run, "DDR4-3200", src, {}, ic);
  const auto& d = run.stats.group("dram");
  const auto& ch = run.stats.group("dram.ch0");
  const auto& is = run.stats.group("issuer");
  EXPECT_EQ(run.r.requests, 60000u);
  EXPECT_EQ(run.r.reads + run.r.writes, 60000u);
  EXPECT_EQ(is.value("requests"), 60000);
  EXPECT_EQ(d.value("read_requests"), run.r.reads);
  EXPECT_EQ(d.value("write_requests"), run.r.writes);
  // 64 B requests on a 64 B burst: one burst each.
  EXPECT_EQ(ch.value("reads"), run.r.reads);
  EXPECT_EQ(ch.value("writes"), run.r.writes);
  EXPECT_EQ(ch.value("cmd_RD") + ch.value("cmd_RDA"), run.r.reads);
  EXPECT_EQ(ch.value("cmd_WR") + ch.value("cmd_WRA"), run.r.writes);
  EXPECT_EQ(ch.value("read_bytes"), run.r.bytes_read);
  EXPECT_EQ(ch.value("row_hits") + ch.value("row_misses") + ch.value("row_conflicts"), 60000);
  EXPECT_GT(ch.value("row_hits"), 0);
  EXPECT_GT(ch.value("row_conflicts"), 0);
  // Every miss or conflict needed its own ACT; an ACT can also be undone by a forced refresh.
  EXPECT_GE(ch.value("cmd_ACT"), ch.value("row_misses") + ch.value("row_conflicts"));
  EXPECT_GT(ch.value("refreshes"), 0);
  EXPECT_EQ(d.value("protocol_violations"), 0);
  // Latencies: the issuer's include the link cycle and back-pressure waits.
  EXPECT_GE(is.value("latency"), ch.value("read_latency") * 0.5);
  EXPECT_GT(is.value("latency_p99_ns"), is.value("latency_p50_ns"));
  EXPECT_LE(d.value("bandwidth_utilization"), 1.0);
  EXPECT_GT(d.value("bus_utilization"), 0.0);
  // Energy: the ledger counts the same commands the stats do.
  auto e = run.energy.to_json();
  const auto& acts = e["components"]["dram"]["actions"];
  EXPECT_EQ(acts["ACT"]["count"].get<double>(), ch.value("cmd_ACT"));
  EXPECT_EQ(acts["RD"]["count"].get<double>(), run.r.reads);
  EXPECT_EQ(acts["WR"]["count"].get<double>(), run.r.writes);
  EXPECT_EQ(acts["REFab"]["count"].get<double>(), ch.value("refreshes"));
  EXPECT_GT(run.energy.component_pj("dram"), 0);
}

TEST(SimReplay, MultiBurstAndUnalignedRequestsRespondAfterTheirLastBurst) {
  Replay run;
  std::vector<MemRequest> reqs;
  for (int i = 0; i < 100; ++i) {
    MemRequest r;
    r.addr = static_cast<std::uint64_t>(i) * 4096 + (i % 2 ? 16 : 0);  // odd ones unaligned
    r.size = 256;
    r.is_write = i % 3 == 0;
    reqs.push_back(r);
  }
  workloads::VectorSource src(reqs);
  replay(run, "HBM3", src);
  const auto& d = run.stats.group("dram");
  // HBM3 bursts are 32 B: 8 bursts aligned, 9 unaligned.
  const double bursts = 50 * 8 + 50 * 9;
  EXPECT_EQ(d.value("reads") + d.value("writes"), bursts);
  EXPECT_EQ(run.r.bytes, 100u * 256);
  // A request cannot finish before its slowest burst: at least one row miss each.
  const auto& t = hw::dram_preset_spec("HBM3").timing;
  const double min_read = t.nRCDRD + t.nCL + t.nBL;
  EXPECT_GE(run.stats.group("issuer").to_json()["latency"]["min"].get<double>(), min_read);
}

TEST(SimReplay, TimestampsPaceTheIssuer) {
  Replay run;
  workloads::SequentialParams sp;
  sp.count = 1000;
  sp.interval_ps = 1'000'000;  // one request per microsecond
  workloads::SequentialSource src(sp);
  run::IssuerConfig ic;
  ic.use_timestamps = true;
  replay(run, "DDR4-3200", src, {}, ic);
  // The last request is issued at 999 us and answered a few ns later.
  EXPECT_GE(run.r.end_ps, 999'000'000u);
  EXPECT_LT(run.r.end_ps, 999'000'000u + 500'000u);
  // Alone in the memory a request waits at most for a refresh in progress, then a row miss.
  const auto& t = hw::dram_preset_spec("DDR4-3200").timing;
  const double worst = (t.nRFC + t.nRAS + t.nRP + t.nRCDRD + t.nCL + t.nBL + 2) * t.tCK_ps / 1e3;
  EXPECT_LE(run.stats.group("issuer").value("latency_max_ns"), worst);
  EXPECT_LT(run.stats.group("issuer").value("latency_p50_ns"), 50);
}

TEST(SimReplay, ProgressIsReported) {
  Replay run;
  workloads::SequentialParams sp;
  sp.count = 10000;
  workloads::SequentialSource src(sp);
  run::IssuerConfig ic;
  ic.progress_every = 2500;
  std::vector<double> fractions;
  replay(run, "DDR4-3200", src, {}, ic, [&](double f, const std::string& what) {
    fractions.push_back(f);
    EXPECT_NE(what.find("requests done"), std::string::npos) << what;
  });
  EXPECT_EQ(fractions, (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
}

TEST(SimReplay, ZeroSizeRequestIsAnInputErrorNamingTheSource) {
  Replay run;
  MemRequest bad;
  bad.size = 0;
  workloads::VectorSource src({MemRequest{}, bad}, "my-trace");
  try {
    replay(run, "DDR4-3200", src);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kInput);
    EXPECT_NE(std::string(e.what()).find("my-trace"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("size 0"), std::string::npos) << e.what();
  }
}

TEST(SimReplay, BadControllerConfigIsAConfigError) {
  Replay run;
  workloads::SequentialParams sp;
  sp.count = 10;
  workloads::SequentialSource src(sp);
  ControllerConfig cc;
  cc.per_bank_refresh = true;  // DDR4 has none
  try {
    replay(run, "DDR4-3200", src, cc);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
  }
}

// Every channel refreshes on its own schedule, also one that never sees a request: all traffic to
// one bank of one HBM3 pseudo-channel for 100 us, and every other pseudo-channel still issues one
// REFab per nREFI (the checker would flag a missed deadline).
TEST(SimReplay, IdleChannelsStillRefresh) {
  Replay run;
  const auto spec = hw::dram_preset_spec("HBM3");
  // One address every 2 us for 100 us: one channel and bank see all the traffic.
  workloads::SequentialParams sp;
  sp.stride = 0;
  sp.count = 50;
  sp.interval_ps = 2'000'000;
  sp.size = 32;  // one HBM3 burst: one pseudo-channel
  workloads::SequentialSource src(sp);
  run::IssuerConfig ic;
  ic.use_timestamps = true;
  replay(run, "HBM3", src, {}, ic);
  EXPECT_EQ(run.r.protocol_violations, 0u);
  const double cycles = run.stats.group("dram").value("elapsed_cycles");
  ASSERT_GT(cycles, 10.0 * spec.timing.nREFI) << "the run is too short to see refreshes";
  const int channels = spec.org.independent_channels();
  int idle = 0;
  for (int c = 0; c < channels; ++c) {
    const auto& g = run.stats.group("dram.ch" + std::to_string(c));
    if (g.value("reads") > 0) continue;
    ++idle;
    // Refresh k falls due at k * nREFI (ranks staggered earlier); postponement is off.
    EXPECT_GE(g.value("refreshes"), std::floor(cycles / spec.timing.nREFI)) << "channel " << c;
  }
  EXPECT_EQ(idle, channels - 1);
}

TEST(SimReplay, EmptySourceEndsAtTimeZero) {
  Replay run;
  workloads::VectorSource src({});
  replay(run, "DDR4-3200", src);
  EXPECT_EQ(run.r.requests, 0u);
  EXPECT_EQ(run.r.end_ps, 0u);
}

// >= 1 M randomized mixed read/write requests per preset with the protocol checker on: zero
// violations. ACCSIM_LONG_SCALE (e.g. 0.05) scales the count down for sanitizer builds only.
// The second variant of each preset uses the closed-page policy, FCFS and, where the standard
// has it, per-bank refresh with postponing.
struct LongCase {
  std::string preset;
  bool variant;
};

void PrintTo(const LongCase& c, std::ostream* os) {
  *os << c.preset << (c.variant ? " closed-page FCFS" : " open-page FR-FCFS");
}

class SimLongReplay : public ::testing::TestWithParam<LongCase> {};

TEST_P(SimLongReplay, MillionRandomRequestsWithoutProtocolViolations) {
  double scale = 1.0;
  if (const char* s = std::getenv("ACCSIM_LONG_SCALE")) scale = std::atof(s);
  const auto n = static_cast<std::uint64_t>(1'000'000 * scale);
  const auto spec = hw::dram_preset_spec(GetParam().preset);
  Replay run;
  RunsSource src(n, 256ull << 20, 0.65, 64, GetParam().variant ? 29 : 17);
  run::IssuerConfig ic;
  ic.max_outstanding = 128;
  ControllerConfig cc;
  if (GetParam().variant) {
    cc.page_policy = PagePolicy::kClosed;
    cc.scheduler = "FCFS";
    cc.per_bank_refresh = spec.per_bank_refresh != hw::PerBankRefresh::kNone;
    cc.refresh_postpone = 4;
  }
  replay(run, GetParam().preset, src, cc, ic);
  EXPECT_EQ(run.r.requests, n);
  EXPECT_EQ(run.r.protocol_violations, 0u);
  const auto& d = run.stats.group("dram");
  if (!GetParam().variant) {
    EXPECT_GT(d.value("row_conflicts"), 0);
  }
  EXPECT_GT(d.value("refreshes"), 0);
}

std::vector<LongCase> long_cases() {
  std::vector<LongCase> v;
  for (const auto& p : hw::dram_preset_names()) {
    v.push_back({p, false});
    v.push_back({p, true});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Presets, SimLongReplay, ::testing::ValuesIn(long_cases()),
                         [](const auto& i) {
                           std::string n = i.param.preset + (i.param.variant ? "_closed" : "_open");
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace accsim::dram
