// A roofline test of the GPU model: a synthetic streaming kernel whose arithmetic intensity is
// swept (n FFMA per 32-byte sector read from DRAM) is memory-bound at low intensity and
// compute-bound at high intensity, and the two regimes meet at the preset's peak FLOP/s divided
// by its peak DRAM bandwidth (within 10 %). The machine is a 16-SM slice of the default GPU with
// a 4-channel HBM3 memory, so that the sweep is quick; the ridge is computed from those figures.
#include <gtest/gtest.h>

#include <algorithm>

#include "hw/dram_config.h"
#include "models/gpu/gpu.h"

namespace accsim::test {
namespace {

using workloads::AccessRecord;
using workloads::RecordKind;

struct Roof {
  hw::GpuSpec g;
  hw::DramSpec d;
  Roof() {
    hw::gpu_spec_schema().set_defaults(g);
    g.sms = 16;
    hw::DramConfig c;
    hw::dram_config_schema().set_defaults(c);
    hw::load_dram_preset("HBM3", c, SourceLoc{});
    c.channels = 4;
    c.speed = "HBM3-6.4";
    d = hw::resolve_dram_spec(c, SourceLoc{});
  }
  double peak_flops() const {  // FFMA: 2 FLOP per lane
    return g.pipes.fma.rate * 2 * g.sms * static_cast<double>(g.sm_clock_hz);
  }
  double peak_bw() const { return d.peak_bw_total(); }
};

AccessRecord r(RecordKind k, std::uint32_t cta, std::uint16_t warp, std::uint64_t a = 0,
               std::uint32_t size = 0, std::uint8_t flags = 0) {
  return workloads::make_record(k, cta, warp, a, size, flags);
}

// Every warp streams `steps` lines of 4 sectors (grid-stride) with L1-bypassing loads, software-
// pipelined (the next step's loads go out before this step's compute: commit, wait 1), and
// issues `n` FFMA per sector it received. Returns the kernel's seconds and FLOPs and bytes.
struct Point {
  double seconds, flops, bytes;
};
Point run(const Roof& m, int n) {
  const std::uint32_t ctas = 4 * static_cast<std::uint32_t>(m.g.sms), warps = 8;
  const int steps = 96;
  std::vector<AccessRecord> v;
  for (std::uint32_t c = 0; c < ctas; ++c)
    for (std::uint16_t w = 0; w < warps; ++w) {
      // Grid-stride, as a streaming kernel reads: at step s the warps read consecutive lines.
      const std::uint64_t me = std::uint64_t{c} * warps + w, all = std::uint64_t{ctas} * warps;
      const auto loads = [&](int s) {
        for (int i = 0; i < 4; ++i)
          v.push_back(r(RecordKind::kLoad, c, w,
                        (static_cast<std::uint64_t>(s) * all + me) * 128 + 32 * i, 32,
                        workloads::kFlagL1Bypass));
        v.push_back(r(RecordKind::kCommit, c, w));
      };
      loads(0);
      for (int s = 0; s < steps; ++s) {
        if (s + 1 < steps) loads(s + 1);
        v.push_back(r(RecordKind::kWait, c, w, s + 1 < steps ? 1 : 0));
        if (n > 0)
          v.push_back(r(RecordKind::kCompute, c, w, static_cast<std::uint64_t>(4 * n),
                        static_cast<std::uint32_t>(workloads::InstrClass::kFfma)));
      }
    }
  workloads::KernelInfo k;
  k.name = "stream";
  k.block = {32 * warps, 1, 1};
  k.grid = {ctas, 1, 1};
  dram::ControllerConfig ctrl;
  dram::controller_schema().set_defaults(ctrl);
  ctrl.per_bank_refresh = true;  // as the gpu target's memory controllers (sim/run/gpu_target.cpp)
  ctrl.read_queue = ctrl.write_queue = 64;
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay rp(m.g, m.d, ctrl, stats, energy);
  const auto ks = rp.run_kernel(k, v);
  const double sectors = static_cast<double>(ctas) * warps * steps * 4;
  return {ks.time_ns * 1e-9, sectors * n * 64.0, static_cast<double>(ks.dram_read_bytes)};
}

TEST(GpuRoofline, MemoryAndComputeBoundsMeetAtTheRidge) {
  const Roof m;
  const double ridge = m.peak_flops() / m.peak_bw();  // FLOP per byte
  // Memory-bound plateau: the time of the stream alone.
  const Point mem = run(m, 0);
  EXPECT_GT(mem.bytes / mem.seconds, 0.85 * m.peak_bw()) << "the stream does not reach the DRAM's "
                                                            "peak, so no ridge can be found";
  // Compute-bound line through two points well past the ridge (n FFMA per sector: intensity
  // 2 n FLOP/B).
  const int n1 = static_cast<int>(ridge) * 2, n2 = n1 * 2;
  const Point a = run(m, n1), b = run(m, n2);
  const double slope = (b.seconds - a.seconds) / (b.flops - a.flops);  // s per FLOP
  const double icept = a.seconds - slope * a.flops;
  // Where the compute line reaches the plateau, in FLOP per byte.
  const double crossover = (mem.seconds - icept) / slope / mem.bytes;
  EXPECT_NEAR(crossover, ridge, 0.1 * ridge)
      << "stream at " << mem.bytes / mem.seconds / m.peak_bw()
      << " of peak; compute line: " << a.flops / a.seconds / m.peak_flops() << " and "
      << b.flops / b.seconds / m.peak_flops() << " of peak FLOP/s";
  // Below the ridge the time is the stream's; above it grows with the work.
  const Point low = run(m, std::max(1, static_cast<int>(ridge / 8)));
  EXPECT_NEAR(low.seconds, mem.seconds, 0.1 * mem.seconds);
  EXPECT_GT(b.seconds, 1.8 * a.seconds);
}

}  // namespace
}  // namespace accsim::test
