// The GPU model's SM side, one tight test per timing rule (the cycle a record issues, and that it
// could not issue a cycle earlier): a compute record takes its pipe for n x ii cycles; warps of
// one sub-partition share its pipe and scheduler; dependent records wait for the result; chains
// take n x latency; wait records block until their load group returned; barriers release at the
// last arrival; a warp's results drain before it ends. Also occupancy (registers, shared memory,
// warps), latency hiding with more resident warps, and bad records.
#include <gtest/gtest.h>

#include "hw/dram_config.h"
#include "models/gpu/gpu.h"
#include "models/gpu/impl/occupancy.h"

namespace accsim::test {
namespace {

using workloads::AccessRecord;
using workloads::InstrClass;
using workloads::RecordKind;

// One SM with pipes whose cycles per warp-instruction are easy to compute: fma 128 lanes/SM (1
// cycle per instruction on a sub-partition), tensor 1024 MAC/SM (an m16n8k16 takes 8 cycles), sfu
// 16 lanes/SM (8 cycles). Tests that depend on the issue batch set it.
hw::GpuSpec gpu1() {
  hw::GpuSpec g;
  hw::gpu_spec_schema().set_defaults(g);
  g.sms = 1;
  g.sub_partitions = 4;
  g.issue_per_cycle = 1;
  g.pipes.fma = {128, 4};
  g.pipes.tensor = {1024, 32};
  g.pipes.sfu = {16, 20};
  g.pipes.alu = {64, 4};
  g.pipes.fp16 = {256, 6};
  g.pipes.cvt = {16, 8};
  g.pipes.shfl = {32, 24};
  g.pipes.smem = {128, 30};
  return g;
}

hw::DramSpec hbm() {
  hw::DramConfig c;
  hw::dram_config_schema().set_defaults(c);
  hw::load_dram_preset("HBM3", c, SourceLoc{});
  c.channels = 16;
  c.speed = "HBM3-6.4";
  return hw::resolve_dram_spec(c, SourceLoc{});
}

dram::ControllerConfig ctrl() {
  dram::ControllerConfig c;
  dram::controller_schema().set_defaults(c);
  return c;
}

workloads::KernelInfo kernel(std::uint32_t threads, std::uint32_t ctas = 1,
                             std::uint32_t regs = 0) {
  workloads::KernelInfo k;
  k.name = "k";
  k.block = {threads, 1, 1};
  k.grid = {ctas, 1, 1};
  k.regs = regs;
  return k;
}

AccessRecord op(std::uint16_t warp, InstrClass c, std::uint64_t n, std::uint8_t flags = 0,
                std::uint32_t cta = 0) {
  AccessRecord r;
  r.kind = static_cast<std::uint8_t>(RecordKind::kCompute);
  r.address = n;
  r.size = static_cast<std::uint32_t>(c);
  r.flags = flags;
  r.warp = warp;
  r.cta = cta;
  return r;
}
AccessRecord rec(RecordKind k, std::uint16_t warp, std::uint64_t value = 0, std::uint32_t cta = 0) {
  AccessRecord r;
  r.kind = static_cast<std::uint8_t>(k);
  r.address = value;
  r.size = 0;
  r.warp = warp;
  r.cta = cta;
  return r;
}
AccessRecord load(std::uint16_t warp, std::uint64_t addr, bool bypass = false,
                  std::uint32_t cta = 0) {
  AccessRecord r;
  r.kind = static_cast<std::uint8_t>(RecordKind::kLoad);
  r.address = addr;
  r.size = 32;
  r.warp = warp;
  r.cta = cta;
  r.flags = bypass ? workloads::kFlagL1Bypass : 0;
  return r;
}

struct Machine {
  hw::GpuSpec g = gpu1();
  hw::DramSpec d = hbm();
  StatsRegistry stats;
  EnergyLedger energy;
  std::unique_ptr<gpu::GpuReplay> r;
  Machine() = default;
  explicit Machine(const hw::GpuSpec& gs) : g(gs) {}
  gpu::GpuReplay& get() {
    if (!r) r = std::make_unique<gpu::GpuReplay>(g, d, ctrl(), stats, energy);
    return *r;
  }
  gpu::KernelStats run(const workloads::KernelInfo& k, std::vector<AccessRecord> v) {
    return get().run_kernel(k, std::move(v));
  }
};

constexpr auto kFfma = InstrClass::kFfma;
constexpr auto kMma = InstrClass::kMmaF16F32M16N8K16;
constexpr auto kEx2 = InstrClass::kSfuEx2;

TEST(GpuSm, ComputeRecordTakesItsPipeForNTimesIiThenItsLatency) {
  Machine m;
  // 100 FFMA at 1 cycle each: the last issues at cycle 99, its result is ready at 99 + 4.
  auto k = m.run(kernel(32), {op(0, kFfma, 100)});
  EXPECT_EQ(k.cycles, 103);
  EXPECT_EQ(k.instructions[static_cast<std::size_t>(kFfma)], 100u);
  EXPECT_FALSE(k.memory_only);
  // 10 m16n8k16 at 2048 MAC / (1024 / 4 sub-partitions) = 8 cycles each: last at 72, + 32.
  k = m.run(kernel(32), {op(0, kMma, 10)});
  EXPECT_EQ(k.cycles, 72 + 32);
  EXPECT_DOUBLE_EQ(k.pipe_busy[static_cast<std::size_t>(workloads::Pipe::kTensor)], 80.0);
}

// A pipe is a rate: with a fractional ii an instruction issues in cycle floor(the pipe's next free
// time), so n instructions take n x ii cycles, not n x ceil(ii). 1200 MAC/SM = 300 per
// sub-partition: an m16n8k16 every 2048 / 300 = 6.8267 cycles; instruction k issues at
// floor(k x 6.8267): the 100th (k = 99) at 675 (675.84), not at 99 x 7 = 693.
TEST(GpuSm, AFractionalIiKeepsItsRate) {
  Machine m;
  m.g.pipes.tensor = {1200, 32};
  m.g.issue_batch = 1000;
  auto k = m.run(kernel(32), {op(0, kMma, 100)});
  EXPECT_EQ(k.cycles, 675 + 32);
  // One more instruction moves the last issue to floor(100 x 6.8267) = 682.
  k = m.run(kernel(32), {op(0, kMma, 101)});
  EXPECT_EQ(k.cycles, 682 + 32);
}

TEST(GpuSm, WarpsOfOneSubPartitionShareItsPipe) {
  Machine m;
  // Four warps: one per sub-partition, all in parallel.
  std::vector<AccessRecord> v;
  for (std::uint16_t w = 0; w < 4; ++w) v.push_back(op(w, kFfma, 100));
  EXPECT_EQ(m.run(kernel(128), v).cycles, 103);
  // Eight: two per sub-partition, which take turns: 200 FFMA at one per cycle.
  v.clear();
  for (std::uint16_t w = 0; w < 8; ++w) v.push_back(op(w, kFfma, 100));
  EXPECT_EQ(m.run(kernel(256), v).cycles, 203);
}

TEST(GpuSm, WarpsOfOneSubPartitionTakeTurnsBatchByBatch) {
  Machine m;
  m.g.issue_batch = 8;
  // Warps 0 and 4 on sub-partition 0, 16 FFMA each, in batches of 8: warp 0 issues at 0..7,
  // warp 4 at 8..15 (not 7: the scheduler is warp 0's), warp 0 again at 16..23, warp 4 at 24..31.
  auto k = m.run(kernel(160), {op(0, kFfma, 16), op(4, kFfma, 16)});
  EXPECT_EQ(k.cycles, 31 + 4);
  EXPECT_EQ(k.stall_pipe, 8u + 8u + 8u);  // warp 4 twice, warp 0's second batch once
  // One batch as large as the record: the records go one after the other.
  m.g.issue_batch = 1000;
  Machine big(m.g);
  k = big.run(kernel(160), {op(0, kFfma, 16), op(4, kFfma, 16)});
  EXPECT_EQ(k.cycles, 31 + 4);
  EXPECT_EQ(k.stall_pipe, 16u);
}

TEST(GpuSm, TheSchedulerIssuesOneInstructionPerCycle) {
  Machine m;
  m.g.issue_batch = 8;
  // Warps 0 and 4 share sub-partition 0. Warp 0's ex2 issue every 8 cycles (the SFU's rate):
  // 0, 8, ..., 56, then (second batch, SFU free at 64) 64, 72. Warp 4's FFMA take the cycles in
  // between: cycle 0 is warp 0's, so its first issues at 1 (not 0): 1..7 and 9 (not 8), then 10,
  // 11 (result 15); its dependent FFMA waits from 12 to 15 and issues at 17 (16 is warp 0's).
  auto k =
      m.run(kernel(160), {op(0, kEx2, 10), op(4, kFfma, 10), op(4, kFfma, 1, workloads::kFlagDep)});
  EXPECT_EQ(k.cycles, 72 + 20);      // warp 0's last ex2 result
  EXPECT_EQ(k.stall_pipe, 1u + 7u);  // warp 4 for cycle 0, warp 0 for the SFU (57 -> 64)
  EXPECT_EQ(k.stall_dependency, 15u - 12u);
}

TEST(GpuSm, OtherWarpsIssueInTheCyclesASlowPipeLeaves) {
  Machine m;
  m.g.pipes.sfu.latency = 1;
  Machine fast(m.g);
  // Warp 0's 8 ex2 take cycles 0, 8, ..., 56. Warp 4's 56 FFMA need 56 of the other cycles:
  // 1..63 but 8, 16, ..., 56; the last at 63 (not later), result at 67.
  const auto k = fast.run(kernel(160), {op(0, kEx2, 8), op(4, kFfma, 56)});
  EXPECT_EQ(k.cycles, 63 + 4);
}

TEST(GpuSm, ASchedulerThatIssuesTwoPerCycleServesTwoPipesAtOnce) {
  Machine one;
  // Warps 0 and 4 on sub-partition 0: 16 FFMA and 16 HFMA2, each pipe one per cycle. One issue
  // slot per cycle: warp 0 takes 0..15, warp 4 16..31 (HFMA2 latency 6).
  EXPECT_EQ(one.run(kernel(160), {op(0, kFfma, 16), op(4, InstrClass::kHfma2, 16)}).cycles, 31 + 6);
  Machine two;
  two.g.issue_per_cycle = 2;
  EXPECT_EQ(two.run(kernel(160), {op(0, kFfma, 16), op(4, InstrClass::kHfma2, 16)}).cycles, 15 + 6);
}

TEST(GpuSm, ADependentRecordWaitsForTheEarlierResult) {
  Machine m;
  // ex2 issues at 0 (result 20); a dependent FFMA issues at 20, not 19: result 24.
  EXPECT_EQ(m.run(kernel(32), {op(0, kEx2, 1), op(0, kFfma, 1, workloads::kFlagDep)}).cycles, 24);
  // Independent: the FFMA issues at 1; the warp still drains the ex2 result at 20.
  EXPECT_EQ(m.run(kernel(32), {op(0, kEx2, 1), op(0, kFfma, 1)}).cycles, 20);
}

TEST(GpuSm, AChainTakesNTimesTheLatency) {
  Machine m;
  // 5 dependent FFMA: issues at 0, 4, 8, 12, 16; result at 20.
  EXPECT_EQ(m.run(kernel(32), {op(0, kFfma, 5, workloads::kFlagChain)}).cycles, 20);
}

TEST(GpuSm, AWaitBlocksUntilItsLoadGroupsReturned) {
  Machine m;
  const int l1 = m.g.l1.hit_latency, l2 = m.g.l2.hit_latency;
  m.run(kernel(32), {load(0, 0x1000), load(0, 0x8000, true)});  // both sectors into L2
  // An L2 hit returns at 290: the FFMA after commit + wait 0 issues at 290 (not 289).
  auto k = m.run(kernel(32), {load(0, 0x1000), rec(RecordKind::kCommit, 0),
                              rec(RecordKind::kWait, 0, 0), op(0, kFfma, 1)});
  EXPECT_EQ(k.cycles, l2 + 4);
  EXPECT_EQ(k.stall_memory, static_cast<std::uint64_t>(l2));
  // Without the wait the FFMA issues at once; the warp ends when the load returns.
  k = m.run(kernel(32), {load(0, 0x1000), op(0, kFfma, 1)});
  EXPECT_EQ(k.cycles, l2);
  // The same sector again after the wait: an L1 hit (39 more).
  const std::vector<AccessRecord> warm = {load(0, 0x1000), rec(RecordKind::kCommit, 0),
                                          rec(RecordKind::kWait, 0, 0)};
  auto v = warm;
  for (const auto& x : {load(0, 0x1000), rec(RecordKind::kCommit, 0), rec(RecordKind::kWait, 0, 0),
                        op(0, kFfma, 1)})
    v.push_back(x);
  k = m.run(kernel(32), v);
  EXPECT_EQ(k.l1_hits, 1u);
  EXPECT_EQ(k.cycles, l2 + l1 + 4);
  // wait 1: all groups but the newest returned: the L1 hit (39), not the next L2 hit (290).
  v = warm;
  for (const auto& x : {load(0, 0x1000), rec(RecordKind::kCommit, 0), load(0, 0x8000, true),
                        rec(RecordKind::kCommit, 0), rec(RecordKind::kWait, 0, 1), op(0, kFfma, 1)})
    v.push_back(x);
  k = m.run(kernel(32), v);
  EXPECT_EQ(k.stall_memory, static_cast<std::uint64_t>(l2 + l1));
  EXPECT_EQ(k.cycles, l2 + l2);
  // wait 0 waits for both.
  v = warm;
  for (const auto& x : {load(0, 0x1000), rec(RecordKind::kCommit, 0), load(0, 0x8000, true),
                        rec(RecordKind::kCommit, 0), rec(RecordKind::kWait, 0, 0), op(0, kFfma, 1)})
    v.push_back(x);
  k = m.run(kernel(32), v);
  EXPECT_EQ(k.cycles, l2 + l2 + 4);
  // Loads not yet committed are not waited for (cp.async.wait_group semantics).
  k = m.run(kernel(32), {load(0, 0x8000, true), rec(RecordKind::kWait, 0, 0), op(0, kFfma, 1)});
  EXPECT_EQ(k.stall_memory, 0u);
  EXPECT_EQ(k.cycles, l2);
}

TEST(GpuSm, ABarrierReleasesEveryWarpWhenTheLastArrives) {
  Machine m;
  // Warp 0 computes 100 cycles before the barrier; warp 1 waits there 100 cycles, then both
  // issue one FFMA at cycle 100 (result 104).
  auto k = m.run(kernel(64), {op(0, kFfma, 100), rec(RecordKind::kBarrier, 0), op(0, kFfma, 1),
                              rec(RecordKind::kBarrier, 1), op(1, kFfma, 1)});
  EXPECT_EQ(k.cycles, 104);
  EXPECT_EQ(k.stall_barrier, 100u);
}

TEST(GpuSm, ABarrierThatAWarpNeverReachesIsAnError) {
  Machine m;
  try {
    m.run(kernel(64), {op(0, kFfma, 10), rec(RecordKind::kBarrier, 0), op(1, kFfma, 1)});
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ExitCode::kInput) << msg;
    EXPECT_NE(msg.find("CTA 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("barrier record #1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("warp 1 never reaches"), std::string::npos) << msg;
  }
}

TEST(GpuSm, OccupancyComesFromRegistersSharedMemoryWarpsAndThreads) {
  const hw::GpuSpec g = gpu1();  // 64 K registers, 64 warps, 2048 threads, 32 CTAs per SM
  auto o = gpu::compute_occupancy(g, 256, 64, 0);  // 8 warps x 2048 registers = 16 K per CTA
  EXPECT_EQ(o.ctas_per_sm, 4);
  EXPECT_EQ(o.limiter, "registers");
  EXPECT_EQ(o.regs_per_warp, 2048);
  o = gpu::compute_occupancy(g, 256, 0, 0);  // registers unknown: 64 warps / 8
  EXPECT_EQ(o.ctas_per_sm, 8);
  EXPECT_EQ(o.limiter, "warps");
  o = gpu::compute_occupancy(g, 32, 255, 0);  // 255 x 32 rounds up to 8192 per warp
  EXPECT_EQ(o.regs_per_warp, 8192);
  EXPECT_EQ(o.ctas_per_sm, 8);
  o = gpu::compute_occupancy(g, 32, 0, 0);
  EXPECT_EQ(o.ctas_per_sm, 32);
  EXPECT_EQ(o.limiter, "ctas");
  o = gpu::compute_occupancy(g, 128, 0, 100 << 10);  // 100 KiB + 1 KiB reserved, 228 KiB per SM
  EXPECT_EQ(o.ctas_per_sm, 2);
  EXPECT_EQ(o.limiter, "shared memory");
  o = gpu::compute_occupancy(g, 1024, 128, 0);  // 32 warps x 4096 = 128 K registers
  EXPECT_EQ(o.ctas_per_sm, 0);
  EXPECT_NE(o.why_zero.find("131072 registers"), std::string::npos) << o.why_zero;
  o = gpu::compute_occupancy(g, 32, 256, 0);
  EXPECT_EQ(o.ctas_per_sm, 0);
  EXPECT_NE(o.why_zero.find("exceed"), std::string::npos) << o.why_zero;
}

TEST(GpuSm, AKernelThatCannotFitAnSmIsAnError) {
  Machine m;
  try {
    m.run(kernel(1024, 1, 128), {op(0, kFfma, 1)});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kInput);
    EXPECT_NE(std::string(e.what()).find("occupancy 0"), std::string::npos) << e.what();
  }
}

TEST(GpuSm, RegistersLimitTheResidentWarps) {
  Machine m;
  // 8 CTAs of one warp each; at 255 registers per thread a warp takes 8192 registers, so all 8
  // fit (64 K); at 0 (unknown) too. With 4 K registers per SM only 1 fits at a time.
  std::vector<AccessRecord> v;
  for (std::uint32_t c = 0; c < 8; ++c) v.push_back(op(0, kFfma, 100, 0, c));
  EXPECT_EQ(m.run(kernel(32, 8, 255), v).cycles, 203);  // 2 warps per sub-partition
  Machine small;
  small.g.regs_per_sm = 8192;
  const auto k = small.run(kernel(32, 8, 255), v);
  EXPECT_EQ(k.ctas_per_sm, 1);
  EXPECT_EQ(k.occupancy_limiter, "registers");
  EXPECT_EQ(k.cycles, 8 * 103);  // one CTA after another, each draining its results
}

// SM cycles per access when every warp loads, waits for the load and uses it, with 1, 4 and 32
// resident warps: the L1 hit latency is paid once per access with one warp and hidden by the
// others' accesses with more.
double cycles_per_access(int resident) {
  Machine m;
  m.g.max_ctas_per_sm = resident;
  m.run(kernel(32), {load(0, 0x1000)});  // into L2; the first access of the kernel fills L1
  std::vector<AccessRecord> v;
  const int ctas = 64, per_warp = 16;
  for (int c = 0; c < ctas; ++c)
    for (int i = 0; i < per_warp; ++i) {
      v.push_back(load(0, 0x1000, false, static_cast<std::uint32_t>(c)));
      v.push_back(rec(RecordKind::kCommit, 0, 0, static_cast<std::uint32_t>(c)));
      v.push_back(rec(RecordKind::kWait, 0, 0, static_cast<std::uint32_t>(c)));
      v.push_back(op(0, kFfma, 1, 0, static_cast<std::uint32_t>(c)));
    }
  const auto k = m.run(kernel(32, ctas), v);
  return static_cast<double>(k.cycles) / static_cast<double>(k.accesses);
}

TEST(GpuSm, MoreResidentWarpsHideLatency) {
  const int l1 = gpu1().l1.hit_latency;
  const double one = cycles_per_access(1), four = cycles_per_access(4),
               many = cycles_per_access(32);
  // One warp: the whole latency per access (plus the FFMA's issue cycle).
  EXPECT_NEAR(one, l1 + 1, 1.0);
  EXPECT_NEAR(four, one / 4, 0.15 * one / 4);
  EXPECT_NEAR(many, one / 32, 0.25 * one / 32);
}

}  // namespace
}  // namespace accsim::test
