// GPU presets (hw/gpu_spec.cpp): every built-in GPU loads and validates; its peak FLOP/s and its
// memory's bandwidth match the published figures within 2 %; occupancy limits per compute
// capability; derived latencies follow from their sources; bad values are errors naming the key.
#include "hw/gpu_spec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "hw/dram_config.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

namespace accsim::hw {
namespace {

const SourceLoc kWhere{"sys.yaml", 1, 1};

// Parses and validates a `gpu:` section the way a system file would.
GpuSpec load(const std::string& yaml) {
  config::Origin origin("sys.yaml");
  config::Provenance prov;
  config::LoadCtx ctx{&origin, &prov, "gpu"};
  GpuSpec g;
  gpu_spec_schema().set_defaults(g);
  gpu_spec_schema().patch(config::load_yaml_string(yaml, "sys.yaml"), g, ctx);
  gpu_spec_schema().validate(g, prov, "gpu", kWhere);
  return g;
}

GpuSpec preset(const std::string& name) {
  return load("preset: " + name + "\n");
}

// The text of the config error `fn` throws ("" if none).
template <class F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig) << e.what();
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The GPU's own memory as the DRAM model resolves it.
DramSpec memory_of(const GpuSpec& g) {
  DramConfig d;
  dram_config_schema().set_defaults(d);
  load_dram_preset(g.memory_preset, d, kWhere);
  d.speed = g.memory_speed;
  d.channels = g.memory_channels;
  return resolve_dram_spec(d, kWhere);
}

void expect_within_2pct(double got, double published, const std::string& what) {
  EXPECT_NEAR(got / published, 1.0, 0.02) << what << ": " << got << " vs published " << published;
}

// Published figures (sources in hw/gpu_spec.cpp): FP32 and dense FP16-with-FP32-accumulation
// tensor peaks with the clock the vendor computes them at, and device-memory bandwidth.
struct Published {
  const char* preset;
  double fp32_flops;
  double tensor_flops;
  double tensor_clock_hz;
  double bandwidth;  // bytes/s
};
const std::vector<Published>& published() {
  static const std::vector<Published> v = {
      {"H100", 67e12, 989.4e12, 1.83e9, 3.35e12},      // H100 whitepaper Table 3
      {"H200", 67e12, 1979e12 / 2, 1.83e9, 4.8e12},    // H200 datasheet (1979 with sparsity)
      {"A100-40GB", 19.5e12, 312e12, 1.41e9, 1555e9},  // A100 whitepaper
      {"A100-80GB", 19.5e12, 312e12, 1.41e9, 2039e9},  // A100 80GB datasheet (SXM)
      {"T4", 8.1e12, 65e12, 1.59e9, 320e9},            // T4 datasheet
  };
  return v;
}

TEST(GpuPresets, EveryPresetLoadsAndValidates) {
  EXPECT_EQ(gpu_preset_names(),
            (std::vector<std::string>{"A100-40GB", "A100-80GB", "H100", "H200", "T4"}));
  for (const auto& n : gpu_preset_names()) {
    SCOPED_TRACE(n);
    const GpuSpec g = preset(n);
    EXPECT_EQ(g.preset, n);
    EXPECT_FALSE(g.name.empty());
    for (const GpuPipeSpec* p : {&g.pipes.tensor, &g.pipes.fma, &g.pipes.fp16, &g.pipes.sfu,
                                 &g.pipes.alu, &g.pipes.cvt, &g.pipes.shfl, &g.pipes.smem}) {
      EXPECT_GT(p->rate, 0);
      EXPECT_GE(p->latency, 1);
    }
    EXPECT_GT(g.energy.static_w, 0);
    EXPECT_GT(g.energy.issue_j_per_instr, g.energy.fma_j_per_op);
    EXPECT_NO_THROW(memory_of(g));
  }
}

// The schema defaults are the H100 preset's figures (one place of truth for both).
TEST(GpuPresets, DefaultsAreTheH100Preset) {
  GpuSpec d;
  gpu_spec_schema().set_defaults(d);
  GpuSpec h = preset("H100");
  h.preset.clear();
  EXPECT_EQ(gpu_spec_schema().to_json(d), gpu_spec_schema().to_json(h));
}

TEST(GpuPresets, Fp32PeakMatchesThePublishedFigure) {
  for (const Published& p : published()) {
    const GpuSpec g = preset(p.preset);
    expect_within_2pct(2 * g.pipes.fma.rate * g.sms * g.sm_clock_hz, p.fp32_flops, p.preset);
  }
}

TEST(GpuPresets, TensorPeakMatchesThePublishedFigure) {
  for (const Published& p : published()) {
    SCOPED_TRACE(p.preset);
    const GpuSpec g = preset(p.preset);
    // Multiply-accumulates per SM per cycle behind the published dense figure.
    const double peak_per_clock = p.tensor_flops / (2.0 * g.sms * p.tensor_clock_hz);
    if (g.compute_capability == "9.0") {
      // The tensor pipe serves mma.sync, which reaches about 2/3 of Hopper's wgmma peak
      // (FlashAttention-3 blog, citing Luo et al.): 2048 MACs per SM per cycle at 1830 MHz.
      EXPECT_NEAR(peak_per_clock, 2048, 2048 * 0.02);
      EXPECT_NEAR(g.pipes.tensor.rate / peak_per_clock, 2.0 / 3.0, 2.0 / 3.0 * 0.02);
      EXPECT_LT(2 * g.pipes.tensor.rate * g.sms * g.sm_clock_hz, p.tensor_flops);
    } else {
      EXPECT_NEAR(g.sm_clock_hz, p.tensor_clock_hz, 1e3);
      expect_within_2pct(2 * g.pipes.tensor.rate * g.sms * g.sm_clock_hz, p.tensor_flops, p.preset);
    }
  }
}

TEST(GpuPresets, NonTensorFp16RatesFollowTheThroughputTable) {
  // A100 whitepaper: FP16 (non-tensor) 78 TFLOPS; Hopper's preliminary table: FP16 = 2 x FP32;
  // the guide's 7.x column: 128 vs 64.
  const GpuSpec a = preset("A100-40GB");
  expect_within_2pct(2 * a.pipes.fp16.rate * a.sms * a.sm_clock_hz, 78e12, "A100 fp16");
  for (const char* n : {"H100", "H200", "T4"}) {
    const GpuSpec g = preset(n);
    EXPECT_DOUBLE_EQ(g.pipes.fp16.rate, 2 * g.pipes.fma.rate) << n;
  }
}

TEST(GpuPresets, MemoryBandwidthMatchesThePublishedFigure) {
  for (const Published& p : published()) {
    SCOPED_TRACE(p.preset);
    const GpuSpec g = preset(p.preset);
    const DramSpec m = memory_of(g);
    // Channels x pseudo-channels x width x per-pin rate, written out.
    const double product = static_cast<double>(m.org.channels) * m.org.pseudo_channels *
                           m.org.channel_width / 8.0 * m.data_rate_mtps * 1e6;
    EXPECT_DOUBLE_EQ(product, m.peak_bw_total());
    expect_within_2pct(product, p.bandwidth, p.preset);
  }
  // The channel counts are the stacks' (16 per HBM3/HBM3E stack, 8 per HBM2/HBM2E stack) and the
  // T4's 8 GDDR6 devices x 2.
  EXPECT_EQ(preset("H100").memory_channels, 5 * 16);
  EXPECT_EQ(preset("H200").memory_channels, 6 * 16);
  EXPECT_EQ(preset("A100-40GB").memory_channels, 5 * 8);
  EXPECT_EQ(preset("A100-80GB").memory_channels, 5 * 8);
  EXPECT_EQ(preset("T4").memory_channels, 8 * 2);
}

TEST(GpuPresets, OccupancyLimitsPerComputeCapability) {
  struct Limits {
    const char* cc;
    int threads, ctas, warps;
    double smem, reserved;
  };
  // CUDA C++ Programming Guide, Technical Specifications per Compute Capability.
  const std::vector<Limits> table = {{"9.0", 2048, 32, 64, 228 * 1024.0, 1024},
                                     {"8.0", 2048, 32, 64, 164 * 1024.0, 1024},
                                     {"7.5", 1024, 16, 32, 64 * 1024.0, 0}};
  int checked = 0;
  for (const auto& n : gpu_preset_names()) {
    const GpuSpec g = preset(n);
    for (const Limits& l : table) {
      if (g.compute_capability != l.cc) continue;
      SCOPED_TRACE(n);
      EXPECT_EQ(g.max_threads_per_sm, l.threads);
      EXPECT_EQ(g.max_ctas_per_sm, l.ctas);
      EXPECT_EQ(g.max_warps_per_sm, l.warps);
      EXPECT_EQ(g.max_threads_per_sm, 32 * g.max_warps_per_sm);
      EXPECT_DOUBLE_EQ(g.smem_per_sm, l.smem);
      EXPECT_DOUBLE_EQ(g.smem_reserved_per_cta, l.reserved);
      EXPECT_EQ(g.regs_per_sm, 65536);
      EXPECT_EQ(g.max_regs_per_thread, 255);
      EXPECT_EQ(g.reg_alloc_unit, 256);
      EXPECT_EQ(g.sub_partitions, 4);
      EXPECT_EQ(g.issue_per_cycle, 1);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5);  // every preset has one of the three compute capabilities
}

// dram_latency is what is left of a measured unloaded DRAM load latency after the L2 hit and the
// DRAM's own closed-row read (nRCDRD + nCL + nBL): it has to move with the DRAM timings.
TEST(GpuPresets, DramLatencyIsDerivedFromTheMeasuredLoadLatency) {
  struct Chase {
    const char* preset;
    double dram_cycles;  // measured load-to-use latency from DRAM (sources in hw/gpu_spec.cpp)
  };
  for (const Chase& c : {Chase{"H100", 420}, Chase{"H200", 420}, Chase{"A100-40GB", 530},
                         Chase{"A100-80GB", 530}, Chase{"T4", 1000}}) {
    const GpuSpec g = preset(c.preset);
    const DramSpec m = memory_of(g);
    const double read_ns = (m.timing.nRCDRD + m.timing.nCL + m.timing.nBL) *
                           static_cast<double>(m.timing.tCK_ps) * 1e-3;
    const double read_cycles = read_ns * 1e-9 * g.sm_clock_hz;
    EXPECT_NEAR(g.dram_latency, c.dram_cycles - g.l2.hit_latency - read_cycles, 1.0) << c.preset;
  }
}

// `accsim config show` prints every key of the gpu section, nested pipes included, with its
// value, unit, range, default and origin.
TEST(GpuPresets, ConfigShowListsEveryKey) {
  config::Origin origin("sys.yaml");
  config::Provenance prov;
  config::LoadCtx ctx{&origin, &prov, "gpu"};
  GpuSpec g;
  gpu_spec_schema().set_defaults(g);
  gpu_spec_schema().patch(config::load_yaml_string("preset: A100-40GB\n", "sys.yaml"), g, ctx);
  std::ostringstream os;
  gpu_spec_schema().describe(g, os, 2, prov, "gpu");
  const std::string s = os.str();
  for (const char* want :
       {"preset: \"A100-40GB\"", "compute_capability: \"8.0\"", "max_warps_per_sm: 64",
        "smem_reserved_per_cta: 1KiB", "reg_alloc_unit: 256", "pipes:", "tensor:", "rate: 1024",
        "latency: 25 ", "[SM cycles]", "memory_speed: \"HBM2-2.4\"", "memory_channels: 40",
        "static: 62.87W", "set by <builtin:A100-40GB>"})
    EXPECT_TRUE(contains(s, want)) << want << "\n" << s;
}

TEST(GpuPresets, UserKeysOverrideThePreset) {
  const GpuSpec g = load("preset: T4\nsms: 20\npipes: {fma: {latency: 6}}\n");
  EXPECT_EQ(g.sms, 20);
  EXPECT_EQ(g.pipes.fma.latency, 6);
  EXPECT_DOUBLE_EQ(g.pipes.fma.rate, 64);
  EXPECT_EQ(g.max_warps_per_sm, 32);
  EXPECT_EQ(g.memory_preset, "GDDR6");
}

TEST(GpuPresetErrors, BadValuesNameTheirKey) {
  std::string e = error_of([] { load("pipes: {fma: {rate: 0}}\n"); });
  EXPECT_TRUE(contains(e, "gpu.pipes.fma.rate")) << e;
  EXPECT_TRUE(contains(e, "out of range")) << e;
  e = error_of([] { load("pipes: {tensor: {latency: 0}}\n"); });
  EXPECT_TRUE(contains(e, "gpu.pipes.tensor.latency")) << e;
  e = error_of([] { load("pipes: {fmaa: {rate: 1}}\n"); });
  EXPECT_TRUE(contains(e, "unknown key 'gpu.pipes.fmaa'")) << e;
  EXPECT_TRUE(contains(e, "did you mean 'fma'")) << e;
  e = error_of([] { load("sub_partitions: 0\n"); });
  EXPECT_TRUE(contains(e, "gpu.sub_partitions")) << e;
  e = error_of([] { load("energy: {static: -1W}\n"); });
  EXPECT_TRUE(contains(e, "gpu.energy.static")) << e;
  e = error_of([] { load("preset: H300\n"); });
  EXPECT_TRUE(contains(e, "unknown GPU preset 'H300'")) << e;
  EXPECT_TRUE(contains(e, "A100-40GB, A100-80GB, H100, H200, T4")) << e;
}

TEST(GpuPresetErrors, InconsistentLimitsAreErrors) {
  std::string e = error_of([] { load("preset: T4\nmax_threads_per_sm: 2048\n"); });
  EXPECT_TRUE(contains(e, "max_threads_per_sm = 2048 is more than 32 x gpu.max_warps_per_sm")) << e;
  e = error_of([] { load("max_regs_per_thread: 4096\n"); });
  EXPECT_TRUE(contains(e, "max_regs_per_thread = 4096")) << e;
  e = error_of([] { load("reg_alloc_unit: 100000\nregs_per_sm: 65536\n"); });
  EXPECT_TRUE(contains(e, "reg_alloc_unit")) << e;
  e = error_of([] { load("smem_per_sm: 64KiB\nsmem_reserved_per_cta: 64KiB\n"); });
  EXPECT_TRUE(contains(e, "smem_reserved_per_cta")) << e;
  e = error_of([] { load("l2_slices: 7\n"); });
  EXPECT_TRUE(contains(e, "whole number of sets")) << e;
}

TEST(GpuPresetErrors, MemoryThatDoesNotResolveIsAnError) {
  std::string e = error_of([] { load("memory_speed: HBM3-9.9\n"); });
  EXPECT_TRUE(contains(e, "gpu.memory_preset / memory_speed / memory_channels")) << e;
  EXPECT_TRUE(contains(e, "not a speed bin of preset 'HBM3'")) << e;
  e = error_of([] { load("memory_preset: HBM9\n"); });
  EXPECT_TRUE(contains(e, "unknown DRAM preset 'HBM9'")) << e;
  // The location is the gpu section's, once.
  EXPECT_EQ(e.find("sys.yaml:1:1"), e.rfind("sys.yaml:1:1")) << e;
}

// The bundled GPU systems give the DRAM model the preset's own memory (the gpu target will use
// gpu.memory_* when a system file has no dram section). gpu_h100.yaml is left out: it keeps its
// 64 channels x HBM3-6.4 (2 % below the H100's 3.35 TB/s) until the GPU model's partition hash
// spreads a non-power-of-two channel count evenly (see configs/systems/gpu_h100.yaml).
TEST(GpuPresets, BundledSystemFilesUseTheirPresetsMemory) {
  // No dram section: the gpu target takes the preset's memory (tests/unit/cli/cli_gpu_test.cpp
  // runs them and checks the resolved bandwidth).
  const std::filesystem::path dir = std::filesystem::path(ACCSIM_SOURCE_DIR) / "configs/systems";
  for (const char* f : {"gpu_h100.yaml", "gpu_h200.yaml", "gpu_a100.yaml", "gpu_t4.yaml"}) {
    SCOPED_TRACE(f);
    const YAML::Node root = config::load_yaml_file((dir / f).string());
    ASSERT_TRUE(root["gpu"]);
    EXPECT_FALSE(root["dram"]);
  }
}

}  // namespace
}  // namespace accsim::hw
