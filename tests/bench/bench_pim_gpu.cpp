// Simulation speed of the pim and gpu models, plain C++ parts (no SystemC kernel):
//  - BM_PimChannel: one PIM channel running GPT-2 medium's FC1 slice (its visits of one decode
//    step), with and without the protocol checker: PIM commands per wall-second.
//  - BM_GpuReplay: the H100 preset (SMs and memory hierarchy, 80-channel HBM3-5.2) replaying the
//    generated records of gemv 4096 x 1024 with its instruction mix (528 K sectors): sector
//    accesses and records per wall-second.
//   build-rel/tests/bench_pim_gpu --benchmark_counters_tabular=true
// Measured figures and the command: models/pim/README.md and models/gpu/README.md "Performance".
#include <benchmark/benchmark.h>

#include "hw/dram_config.h"
#include "hw/gpu_spec.h"
#include "hw/pim_spec.h"
#include "models/gpu/gpu.h"
#include "models/pim/pim.h"
#include "workloads/gen/kernel_access.h"

namespace {

using namespace accsim;

hw::DramSpec dram_spec(const char* preset, int channels, const char* speed = "") {
  hw::DramConfig c;
  hw::dram_config_schema().set_defaults(c);
  hw::load_dram_preset(preset, c, SourceLoc{});
  c.channels = channels;
  if (*speed != 0) c.speed = speed;
  return hw::resolve_dram_spec(c, SourceLoc{});
}

void BM_PimChannel(benchmark::State& state) {
  const auto dram = dram_spec("GDDR6", 8);
  hw::PimSpec pim;
  hw::pim_spec_schema().set_defaults(pim);
  const auto g = pim::Geometry::from(dram, pim);
  const auto model = workloads::transformer_model("gpt2-medium", SourceLoc{});
  const auto lay = pim::place_gpt(model, g, 1024, true, SourceLoc{});
  const pim::Op op = pim::lower_vmm(lay.fc1[0], g, model.d_ff, model.d_model, "fc1", "L0");
  double commands = 0;
  for (auto _ : state) {
    pim::PimChannel ch(dram, pim, 0, SourceLoc{});
    pim::PimProtocolChecker chk(dram, pim, true);
    if (state.range(0) != 0) ch.add_observer(&chk);
    Cycle t = 0;
    for (int rep = 0; rep < 20; ++rep) t = ch.run(op.programs[0], t);
    benchmark::DoNotOptimize(t);
    for (auto n : ch.counters().cmds) commands += static_cast<double>(n);
  }
  state.counters["commands_per_s"] = benchmark::Counter(commands, benchmark::Counter::kIsRate);
  state.SetLabel(state.range(0) != 0 ? "with protocol checker" : "without checker");
}
BENCHMARK(BM_PimChannel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_GpuReplay(benchmark::State& state) {
  hw::GpuSpec gpu;
  hw::gpu_spec_schema().set_defaults(gpu);
  const auto dram =
      dram_spec(gpu.memory_preset.c_str(), gpu.memory_channels, gpu.memory_speed.c_str());
  dram::ControllerConfig ctrl;
  dram::controller_schema().set_defaults(ctrl);
  const auto launches =
      workloads::build_kernel_launches("gemv", workloads::parse_kernel_shape("M=4096,K=1024"));
  const auto meta = workloads::kernel_trace_meta(launches, 1);
  const auto recs = workloads::kernel_accesses(launches[0]);
  double sectors = 0, records = 0;
  for (auto _ : state) {
    StatsRegistry stats;
    EnergyLedger energy;
    gpu::GpuReplay r(gpu, dram, ctrl, stats, energy);
    auto k = r.run_kernel(meta.kernels[0], recs);
    benchmark::DoNotOptimize(k.time_ns);
    sectors += static_cast<double>(k.accesses);
    records += static_cast<double>(k.records);
  }
  state.counters["sectors_per_s"] = benchmark::Counter(sectors, benchmark::Counter::kIsRate);
  state.counters["records_per_s"] = benchmark::Counter(records, benchmark::Counter::kIsRate);
  state.SetLabel("gemv 4096 x 1024 with its instruction mix, H100 preset");
}
BENCHMARK(BM_GpuReplay)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
