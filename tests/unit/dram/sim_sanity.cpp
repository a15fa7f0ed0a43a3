// Sanity figures a reviewer can recompute by hand, through the whole SystemC model (issuer ->
// TLM -> DRAM system). Each test elaborates once and therefore runs in its own process
// (gtest_discover_tests); run them one at a time when calling the binary directly.
#include <gtest/gtest.h>

#include "hw/dram_config.h"
#include "models/dram/dram.h"
#include "sim/run/issuer.h"
#include "workloads/gen/synthetic.h"

namespace accsim::dram {
namespace {

struct Replay {
  StatsRegistry stats;
  EnergyLedger energy;
  run::DramReplayResult r;
  const StatsGroup& dram() { return stats.group("dram"); }
  const StatsGroup& issuer() { return stats.group("issuer"); }
};

void sequential_reads(Replay& out, const std::string& preset, const std::string& mapping,
                      std::uint64_t count, int outstanding) {
  const auto spec = hw::dram_preset_spec(preset);
  ControllerConfig cc;
  cc.mapping = mapping;
  cc.check_protocol = true;
  run::IssuerConfig ic;
  ic.max_outstanding = outstanding;
  workloads::SequentialParams sp;
  sp.count = count;
  sp.stride = 64;
  sp.size = 64;
  workloads::SequentialSource src(sp);
  out.r = run::run_dram_replay(spec, cc, ic, src, out.stats, out.energy);
}

TEST(SimSanity, SequentialReadsReachNinetyPercentOfPeakOnDdr4) {
  Replay run;
  sequential_reads(run, "DDR4-3200", "", 200000, 64);
  const double util = run.dram().value("bandwidth_utilization");
  RecordProperty("utilization", std::to_string(util));
  EXPECT_GE(util, 0.90);
  EXPECT_EQ(run.r.protocol_violations, 0u);
  EXPECT_EQ(run.r.requests, 200000u);
  // Every burst is a row hit except one activation per row of each bank group.
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  EXPECT_GT(run.dram().value("row_hit_rate"), 0.98);
  std::printf("DDR4-3200 sequential reads, RoBaRaCoBgCh: %.2f%% of peak\n", util * 100);
}

TEST(SimSanity, SequentialReadsWithRoBaRaCoChAreBoundByCcdL) {
  Replay run;
  sequential_reads(run, "DDR4-3200", "RoBaRaCoCh", 100000, 64);
  const auto spec = hw::dram_preset_spec("DDR4-3200");
  const double util = run.dram().value("bandwidth_utilization");
  // All bursts of a row go to one bank group: one burst per nCCD_L instead of per nBL, except
  // while the queue straddles the end of a row and the next row (in another bank group).
  const double bound = static_cast<double>(spec.timing.nBL) / spec.timing.nCCD_L;
  RecordProperty("utilization", std::to_string(util));
  EXPECT_GE(util, bound * 0.95);
  EXPECT_LE(util, 0.75);
  std::printf("DDR4-3200 sequential reads, RoBaRaCoCh: %.2f%% of peak (nBL/nCCD_L = %.1f%%)\n",
              util * 100, bound * 100);
}

TEST(SimSanity, SequentialReadsReachNinetyPercentOfPeakOnHbm3) {
  Replay run;
  sequential_reads(run, "HBM3", "", 200000, 1024);
  const double util = run.dram().value("bandwidth_utilization");
  RecordProperty("utilization", std::to_string(util));
  EXPECT_GE(util, 0.90);
  EXPECT_EQ(run.r.protocol_violations, 0u);
  std::printf("HBM3 sequential reads, RoBaRaCoBgCh: %.2f%% of peak\n", util * 100);
}

TEST(SimSanity, SequentialReadsWithRoBaRaCoChOnHbm3) {
  Replay run;
  sequential_reads(run, "HBM3", "RoBaRaCoCh", 100000, 1024);
  const auto spec = hw::dram_preset_spec("HBM3");
  const double util = run.dram().value("bandwidth_utilization");
  const double bound = static_cast<double>(spec.timing.nBL) / spec.timing.nCCD_L;
  RecordProperty("utilization", std::to_string(util));
  EXPECT_GE(util, bound * 0.95);
  std::printf("HBM3 sequential reads, RoBaRaCoCh: %.2f%% of peak (nBL/nCCD_L = %.1f%%)\n",
              util * 100, bound * 100);
}

// Requests to one bank, alternating between two rows, far enough apart that nothing else waits:
// each finds the other row open and pays PRE -> ACT -> RD -> data.
void row_conflicts(Replay& out, const std::string& preset, bool spaced) {
  const auto spec = hw::dram_preset_spec(preset);
  auto m = make_address_mapper("", spec);
  std::vector<MemRequest> reqs;
  const Ps gap = 400 * spec.timing.tCK_ps;  // > nRAS + nRP + nRCD + nCL + nBL
  for (int i = 0; i < 200; ++i) {
    DramAddr a;
    a.row = i % 2 ? 7 : 3;
    a.column = i % 16;
    MemRequest r;
    r.addr = m->encode(a);
    r.size = static_cast<std::uint32_t>(spec.org.burst_bytes());
    r.not_before_ps = spaced ? static_cast<std::int64_t>(gap) * i : 0;
    reqs.push_back(r);
  }
  ControllerConfig cc;
  cc.check_protocol = true;
  cc.refresh = false;  // a refresh would close the row and turn a conflict into a miss
  run::IssuerConfig ic;
  ic.max_outstanding = 1;
  ic.use_timestamps = spaced;
  workloads::VectorSource src(reqs, "row-conflict");
  out.r = run::run_dram_replay(spec, cc, ic, src, out.stats, out.energy);
}

TEST(SimSanity, RowConflictLatencyIsPrechargeActivateReadBurstOnDdr4) {
  Replay run;
  row_conflicts(run, "DDR4-3200", /*spaced=*/true);
  const auto& t = hw::dram_preset_spec("DDR4-3200").timing;
  const double expect = t.nRP + t.nRCDRD + t.nCL + t.nBL;
  // 199 conflicts and the first access, a miss (no PRE).
  EXPECT_EQ(run.stats.group("dram").value("row_conflicts"), 199);
  const auto& ch = run.stats.group("dram.ch0");
  const double miss = t.nRCDRD + t.nCL + t.nBL;
  EXPECT_DOUBLE_EQ(ch.value("read_latency"), (expect * 199 + miss) / 200);
  // The issuer also sees the one-cycle link into the controller.
  const auto& is = run.stats.group("issuer");
  EXPECT_NEAR(is.value("latency"), (expect * 199 + miss) / 200 + 1, 1e-9);
  EXPECT_LE(std::abs(is.value("latency") - expect), t.nBL);
}

TEST(SimSanity, RowConflictLatencyBackToBackIsWithinOneBurstOnDdr4) {
  Replay run;
  row_conflicts(run, "DDR4-3200", /*spaced=*/false);
  const auto& t = hw::dram_preset_spec("DDR4-3200").timing;
  const double expect = t.nRP + t.nRCDRD + t.nCL + t.nBL;
  const auto& is = run.stats.group("issuer");
  // Back to back the PRE may also wait for nRAS of the previous ACT; on DDR4 that costs less
  // than one burst.
  EXPECT_LE(std::abs(is.value("latency") - expect), t.nBL) << is.value("latency");
}

TEST(SimSanity, RowConflictLatencyIsPrechargeActivateReadBurstOnHbm3) {
  Replay run;
  row_conflicts(run, "HBM3", /*spaced=*/true);
  const auto& t = hw::dram_preset_spec("HBM3").timing;
  const double expect = t.nRP + t.nRCDRD + t.nCL + t.nBL;
  const double miss = t.nRCDRD + t.nCL + t.nBL;
  const auto& ch = run.stats.group("dram.ch0");
  EXPECT_DOUBLE_EQ(ch.value("read_latency"), (expect * 199 + miss) / 200);
  EXPECT_LE(std::abs(run.stats.group("issuer").value("latency") - expect), t.nBL);
}

}  // namespace
}  // namespace accsim::dram
