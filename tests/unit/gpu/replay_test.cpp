// The GPU memory-hierarchy replay: unloaded latencies of an L2 miss, an L1 hit and an L2 hit
// computed from the spec values (L1 starts empty in every kernel, L2 keeps its contents); every
// sector read from DRAM once for a stream; bandwidth never above the DRAM's peak; stores stay in L2
// until evicted; occupancy from block size and shared memory.
#include <gtest/gtest.h>

#include "hw/dram_config.h"
#include "models/gpu/gpu.h"

namespace accsim::test {
namespace {

using workloads::AccessRecord;

hw::GpuSpec h100() {
  hw::GpuSpec g;
  hw::gpu_spec_schema().set_defaults(g);
  return g;
}

hw::DramSpec hbm(int channels = 64) {
  hw::DramConfig c;
  hw::dram_config_schema().set_defaults(c);
  hw::load_dram_preset("HBM3", c, SourceLoc{});
  c.channels = channels;
  c.speed = "HBM3-6.4";
  return hw::resolve_dram_spec(c, SourceLoc{});
}

dram::ControllerConfig ctrl() {
  dram::ControllerConfig c;
  dram::controller_schema().set_defaults(c);
  return c;
}

workloads::KernelInfo kernel(std::uint32_t threads, std::uint32_t smem = 0) {
  workloads::KernelInfo k;
  k.name = "k";
  k.block = {threads, 1, 1};
  k.smem = smem;
  return k;
}

AccessRecord rec(std::uint64_t addr, std::uint32_t cta, std::uint16_t warp,
                 workloads::AccessKind kind = workloads::AccessKind::kLoad,
                 std::uint8_t flags = 0) {
  AccessRecord r;
  r.address = addr;
  r.cta = cta;
  r.warp = warp;
  r.kind = static_cast<std::uint8_t>(kind);
  r.flags = flags;
  return r;
}

// A sequence's bound: each kernel's bound weighted by its time, largest share first, in words.
TEST(GpuReplay, TimeWeightedBoundSharesTheTime) {
  std::vector<gpu::KernelStats> ks(3);
  ks[0].bound = "latency", ks[0].time_ns = 10;
  ks[1].bound = "dram", ks[1].time_ns = 60;
  ks[2].bound = "latency", ks[2].time_ns = 30;
  EXPECT_EQ(gpu::time_weighted_bound(ks), "DRAM bandwidth 60 % of the time, latency 40 %");
  EXPECT_EQ(gpu::time_weighted_bound({}), "");
  EXPECT_EQ(gpu::resource_words("smem"), "shared-memory bandwidth");
}

TEST(GpuReplay, UnloadedLatenciesFollowTheSpec) {
  const auto g = h100();
  const auto d = hbm();
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay r(g, d, ctrl(), stats, energy);
  const double P = 1e12 / g.sm_clock_hz;  // ps per SM cycle (505 after rounding)
  const double Pr = static_cast<double>(g.clock().period_ps);
  // A cold load: L1 miss, L2 miss, DRAM read of a closed row.
  auto k1 = r.run_kernel(kernel(32), {rec(0x10000, 0, 0)});
  const double dram_ps = static_cast<double>(d.timing.nRCDRD + d.timing.nCL + d.timing.nBL) *
                         static_cast<double>(d.timing.tCK_ps);
  const double want = (g.l2.hit_latency + g.dram_latency) * Pr + dram_ps;
  EXPECT_GE(k1.time_ns * 1e3, want);
  EXPECT_LE(k1.time_ns * 1e3, want + 3 * d.timing.tCK_ps + 2 * Pr);  // link cycle, clock edges
  EXPECT_EQ(k1.dram_read_bytes, 32u);
  EXPECT_EQ(k1.l1_misses, 1u);
  EXPECT_EQ(k1.l2_misses, 1u);
  // The same sector in the next kernel (L1 starts empty in every kernel): from L2 (its hit
  // latency), then, once the warp has waited for it, again, from L1 (the L1 hit latency).
  workloads::AccessRecord commit, wait0;
  commit.kind = static_cast<std::uint8_t>(workloads::RecordKind::kCommit);
  commit.size = 0;
  wait0.kind = static_cast<std::uint8_t>(workloads::RecordKind::kWait);
  wait0.size = 0;
  auto k2 = r.run_kernel(kernel(32), {rec(0x10000, 0, 0), commit, wait0, rec(0x10000, 0, 0)});
  EXPECT_EQ(k2.l1_misses, 1u);
  EXPECT_EQ(k2.l1_hits, 1u);
  EXPECT_EQ(k2.l2_hits, 1u);
  EXPECT_NEAR(k2.time_ns * 1e3, (g.l2.hit_latency + g.l1.hit_latency) * Pr, Pr);
  // An L1-bypassing load of it: an L2 hit.
  auto k3 = r.run_kernel(
      kernel(32), {rec(0x10000, 0, 0, workloads::AccessKind::kLoad, workloads::kFlagL1Bypass)});
  EXPECT_EQ(k3.l2_hits, 1u);
  EXPECT_NEAR(k3.time_ns * 1e3, g.l2.hit_latency * Pr, Pr);
  (void)P;
  r.finalize();
  EXPECT_EQ(stats.group("gpu").value("dram_read_bytes"), 32);
}

TEST(GpuReplay, StreamReadsEverySectorOnceAndStaysUnderPeak) {
  const auto g = h100();
  const auto d = hbm(16);
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay r(g, d, ctrl(), stats, energy);
  // 1 MiB read by 256 CTAs of 4 warps, each warp 8 consecutive sectors (some merged in L1:
  // two warps of a CTA read the same data).
  std::vector<AccessRecord> recs;
  const std::uint64_t bytes = 1 << 20;
  for (std::uint64_t a = 0; a < bytes; a += 32) {
    const auto cta = static_cast<std::uint32_t>(a / 4096);
    const auto warp = static_cast<std::uint16_t>((a / 256) % 16 / 4);
    recs.push_back(rec(0x40000000 + a, cta, warp));
    recs.push_back(rec(0x40000000 + a, cta, static_cast<std::uint16_t>(warp + 4)));
  }
  auto k = r.run_kernel(kernel(256), recs);
  EXPECT_EQ(k.dram_read_bytes, bytes);  // merged or hit, never fetched twice
  EXPECT_EQ(k.accesses, recs.size());
  EXPECT_GT(k.l1_hits + k.l1_misses, 0u);
  const double seconds = k.time_ns * 1e-9;
  EXPECT_LT(static_cast<double>(bytes) / seconds, d.peak_bw_total());
  EXPECT_GT(static_cast<double>(bytes) / seconds, 0.2 * d.peak_bw_total());
  r.finalize();
}

TEST(GpuReplay, StoresStayInL2UntilEvicted) {
  auto g = h100();
  g.l2.size_bytes = 80 * 16 * 128;  // one set of 16 ways per slice: 160 KiB in all
  const auto d = hbm(16);
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay r(g, d, ctrl(), stats, energy);
  std::vector<AccessRecord> recs;
  for (std::uint64_t a = 0; a < (64 << 10); a += 32)
    recs.push_back(rec(a, static_cast<std::uint32_t>(a / 8192), 0, workloads::AccessKind::kStore));
  auto k = r.run_kernel(kernel(32), recs);
  EXPECT_EQ(k.dram_read_bytes, 0u);   // whole-sector stores need no fetch
  EXPECT_EQ(k.dram_write_bytes, 0u);  // 64 KiB fit the 160 KiB L2
  recs.clear();
  for (std::uint64_t a = 0; a < (1 << 20); a += 32)
    recs.push_back(
        rec(a + (1 << 24), static_cast<std::uint32_t>(a / 8192), 0, workloads::AccessKind::kStore));
  auto k2 = r.run_kernel(kernel(32), recs);
  EXPECT_GT(k2.dram_write_bytes, (1u << 20) - (160u << 10) - 1);  // all but what still fits
  r.finalize();
  EXPECT_GT(stats.group("gpu").value("l2_dirty_bytes_at_end"), 0);
}

TEST(GpuReplay, OccupancyComesFromBlockSizeAndSharedMemory) {
  const auto g = h100();
  const auto d = hbm(16);
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay r(g, d, ctrl(), stats, energy);
  EXPECT_EQ(r.run_kernel(kernel(1024), {rec(0, 0, 0)}).ctas_per_sm, 2);
  EXPECT_EQ(r.run_kernel(kernel(32), {rec(0, 0, 0)}).ctas_per_sm, 32);
  EXPECT_EQ(r.run_kernel(kernel(128, 100 << 10), {rec(0, 0, 0)}).ctas_per_sm, 2);
  r.finalize();
}

}  // namespace
}  // namespace accsim::test
