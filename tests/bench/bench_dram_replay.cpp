// Replays 1 M requests through the whole DRAM model (issuer -> TLM -> DRAM system) and reports
// requests per wall-second and peak memory. SystemC elaborates once per process, so every case
// runs in a forked child: the parent only times and collects (requests/s measured in the child
// around run_dram_replay, elaboration included; peak RSS of the child from wait4()).
//
//   build-rel/tests/bench_dram_replay [--benchmark_filter=DDR4] [--requests=N]
//
// The figures and the command used for models/dram/README.md ("Performance") come from here.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hw/dram_config.h"
#include "models/dram/dram.h"
#include "sim/run/issuer.h"
#include "workloads/gen/synthetic.h"

namespace {

std::uint64_t g_requests = 1'000'000;

double cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

struct ChildResult {
  double seconds = 0;
  double cpu_seconds = 0;
  std::uint64_t requests = 0;
  double sim_ns = 0;
  double utilization = 0;
  int ok = 0;
};

ChildResult run_case(const std::string& preset, bool sequential, bool check) {
  using namespace accsim;
  const auto spec = hw::dram_preset_spec(preset);
  dram::ControllerConfig cc;
  cc.check_protocol = check;
  run::IssuerConfig ic;
  // Enough requests in flight to keep every channel's queues busy.
  ic.max_outstanding = spec.org.independent_channels() > 1 ? 1024 : 64;
  ic.progress_every = 0;
  std::unique_ptr<RequestSource> src;
  if (sequential) {
    workloads::SequentialParams p;
    p.count = g_requests;
    p.size = 64;
    src = std::make_unique<workloads::SequentialSource>(p);
  } else {
    workloads::UniformRandomParams p;
    p.count = g_requests;
    p.size = 64;
    p.range = 1ull << 30;
    p.read_fraction = 0.7;
    src = std::make_unique<workloads::UniformRandomSource>(p);
  }
  StatsRegistry stats;
  EnergyLedger energy;
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run::run_dram_replay(spec, cc, ic, *src, stats, energy);
  const auto t1 = std::chrono::steady_clock::now();
  ChildResult out;
  out.seconds = std::chrono::duration<double>(t1 - t0).count();
  out.cpu_seconds = cpu_seconds() - c0;
  out.requests = r.requests;
  out.sim_ns = r.sim_time_s * 1e9;
  out.utilization = stats.group("dram").value("bandwidth_utilization");
  out.ok = 1;
  return out;
}

void BM_Replay(benchmark::State& state, const std::string& preset, bool sequential, bool check) {
  for (auto _ : state) {
    int fd[2];
    if (pipe(fd) != 0) {
      state.SkipWithError("pipe failed");
      return;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      close(fd[0]);
      ChildResult r;
      try {
        r = run_case(preset, sequential, check);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
      }
      const ssize_t n = write(fd[1], &r, sizeof r);
      _exit(n == static_cast<ssize_t>(sizeof r) && r.ok ? 0 : 1);
    }
    close(fd[1]);
    ChildResult r;
    const ssize_t n = read(fd[0], &r, sizeof r);
    close(fd[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    if (n != static_cast<ssize_t>(sizeof r) || !r.ok || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      state.SkipWithError("replay failed in the child process");
      return;
    }
    state.SetIterationTime(r.seconds);
    state.counters["requests_per_s"] = static_cast<double>(r.requests) / r.seconds;
    // On a shared machine the wall clock includes time other processes held the CPU.
    state.counters["requests_per_cpu_s"] = static_cast<double>(r.requests) / r.cpu_seconds;
    state.counters["peak_rss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
    state.counters["requests"] = static_cast<double>(r.requests);
    state.counters["sim_us"] = r.sim_ns / 1e3;
    state.counters["bw_util"] = r.utilization;
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--requests=", 11) == 0)
      g_requests = std::strtoull(argv[i] + 11, nullptr, 10);
  struct Case {
    const char* name;
    const char* preset;
    bool sequential, check;
  };
  const Case cases[] = {
      {"DDR4-3200/sequential", "DDR4-3200", true, false},
      {"DDR4-3200/random", "DDR4-3200", false, false},
      {"HBM3/sequential", "HBM3", true, false},
      {"HBM3/random", "HBM3", false, false},
      {"DDR4-3200/sequential/checked", "DDR4-3200", true, true},
      {"DDR4-3200/random/checked", "DDR4-3200", false, true},
  };
  for (const Case& c : cases) {
    benchmark::RegisterBenchmark(
        c.name, [c](benchmark::State& s) { BM_Replay(s, c.preset, c.sequential, c.check); })
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
