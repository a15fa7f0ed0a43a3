// Streaming-SDPA simulation speed: simulated cycles and element transfers (channel sends) per
// wall-second, N = 4096, d = 64, both mappings, the full 4096 x 4096 score matrix of one head.
// Target (issue 4): >= 10 M element transfers per second in Release on the 2-core machine.
//   build/tests/bench_dataflow --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "models/dataflow/dataflow.h"

namespace {

using namespace accsim::dataflow;

void BM_Sdpa(benchmark::State& state) {
  const auto graph = state.range(0) == 0 ? SdpaGraph::kNaive : SdpaGraph::kReordered;
  const accsim::hw::DataflowSpec spec = accsim::hw::dataflow_preset("default");
  SdpaParams p;
  p.graph = graph;
  p.N = 4096;
  p.M = state.range(1);
  p.d = 64;
  p.check = false;  // the fp64 reference is not part of the simulator's speed
  double cycles = 0, transfers = 0, firings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = build_sdpa(spec, p);
    state.ResumeTiming();
    DataflowResult r = run(*g, spec);
    benchmark::DoNotOptimize(r.total_cycles);
    if (r.deadlocked() || r.sustained_fraction < 0.99) state.SkipWithError("not at full rate");
    cycles += static_cast<double>(r.total_cycles);
    transfers += static_cast<double>(r.element_transfers);
    for (const auto& u : r.units) firings += static_cast<double>(u.firings);
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.counters["transfers_per_s"] = benchmark::Counter(transfers, benchmark::Counter::kIsRate);
  state.counters["firings_per_s"] = benchmark::Counter(firings, benchmark::Counter::kIsRate);
  state.counters["transfers"] = benchmark::Counter(transfers, benchmark::Counter::kAvgIterations);
  state.SetLabel(std::string(graph_name(graph)) + " N=4096 M=" + std::to_string(p.M) + " d=64");
}

BENCHMARK(BM_Sdpa)
    ->ArgNames({"reordered", "M"})
    ->Args({0, 4096})
    ->Args({1, 4096})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
