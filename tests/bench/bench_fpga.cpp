// FPGA pipeline simulation speed: simulated events per wall-second for the bundled jet tagger
// (15 x 6 inputs, 3 encoder blocks, 28 layers), both I/O styles, timing only and with fixed-point
// values.
//   build-rel/tests/bench_fpga --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "models/fpga/fpga.h"

namespace {

using namespace accsim::fpga;

void BM_JetTagger(benchmark::State& state) {
  const bool stream = state.range(0) != 0, values = state.range(1) != 0;
  ModelDesc m = load_model_file(std::string(ACCSIM_SOURCE_DIR) + "/configs/fpga/jet_tagger.yaml");
  if (stream) m.io = IoType::kStream;
  const auto spec = accsim::hw::fpga_preset("VU13P");
  StreamParams p;
  p.events = values ? 200 : 5000;
  p.compute_values = values;
  p.fifo_depth = stream ? 128 : 8;  // deep enough not to stall (README.md "Validation")
  double events = 0, cycles = 0;
  for (auto _ : state) {
    FpgaResult r = simulate(m, spec, p);
    benchmark::DoNotOptimize(r.total_cycles);
    if (r.deadlocked() || r.events_done != p.events) state.SkipWithError("run did not complete");
    events += static_cast<double>(r.events_done);
    cycles += static_cast<double>(r.total_cycles);
  }
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["sim_cycles_per_s"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.SetLabel(std::string(stream ? "io_stream" : "io_parallel") +
                 (values ? " + fixed-point values" : " timing only"));
}

BENCHMARK(BM_JetTagger)
    ->ArgNames({"stream", "values"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
