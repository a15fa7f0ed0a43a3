// accsim_dataflow_study [study.yaml]     runs the streaming-SDPA study and prints its table;
// accsim_dataflow_study --graph FILE    runs a graph file and prints its summary or deadlock.
// Exit status: 0 when every claim of the study holds (or the graph ran to completion), 5 when a
// claim fails or the graph deadlocked, 3 for a bad file.
#include <cstdio>
#include <iostream>
#include <string>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

// The dataflow library reaches the DRAM model, which links libsystemc.so; that library defines
// main() and so refers to sc_main() even though this program has its own main() and never
// starts SystemC. A weak definition satisfies the linker (as sim/run/sc_main_weak.cpp does for
// the accsim programs).
extern "C" __attribute__((weak)) int sc_main(int, char*[]) {
  return 1;
}

namespace {

int run_graph(const std::string& path) {
  using namespace accsim::dataflow;
  accsim::StatsRegistry stats;
  accsim::EnergyLedger energy;
  DataflowResult r = run_graph_file(path, accsim::hw::dataflow_preset(""), stats, energy);
  std::printf("graph %s: %lld cycles (%.3f us), %llu element transfers, energy %.1f pJ\n",
              r.graph.c_str(), static_cast<long long>(r.total_cycles), r.time_s * 1e6,
              static_cast<unsigned long long>(r.element_transfers), r.energy_pj);
  for (const auto& u : r.units)
    std::printf("  unit %-10s firings %8llu  starved %8llu  blocked %8llu\n", u.name.c_str(),
                static_cast<unsigned long long>(u.firings),
                static_cast<unsigned long long>(u.starved_cycles),
                static_cast<unsigned long long>(u.blocked_cycles));
  for (const auto& w : r.warnings) std::printf("warning: %s\n", w.c_str());
  if (r.deadlocked()) {
    std::fputs(r.deadlock->text().c_str(), stdout);
    return static_cast<int>(accsim::ExitCode::kSimulation);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 2 && std::string(argv[1]) == "--graph") return run_graph(argv[2]);
    const std::string path = argc > 1 ? argv[1] : "configs/dataflow/sdpa_study.yaml";
    auto r = accsim::dataflow::run_sdpa_study(path);
    std::cout << r.table;
    return r.claims_hold ? 0 : static_cast<int>(accsim::ExitCode::kSimulation);
  } catch (const accsim::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
}
