// `accsim sweep` end to end: every point runs in its own process, a failed point is recorded and
// the others go on, the Pareto front is marked, and a second invocation resumes (points already
// done are not run again; their reports are untouched).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

TEST(CliSweep, RunsGridRecordsFailuresAndResumes) {
  TempDir d;
  const std::string sweep = d.file("s.yaml");
  {
    std::ofstream f(sweep);
    f << "sweep:\n  name: t\n  system: " << src("configs/systems/ddr4.yaml")
      << "\n  set: [workload.pattern=random, workload.count=3000]\n"
         "  grid:\n    controller.read_queue: [4, 32, 0]\n"
         "  objectives:\n"
         "    - {name: bw, path: summary.bandwidth_Bps, goal: max}\n"
         "    - {name: lat, path: summary.latency_mean_ns, goal: min}\n";
  }
  const std::string out = d.file("out");
  auto a = run_accsim("sweep " + sweep + " -o " + out);
  EXPECT_EQ(a.code, 5) << a.out;  // one point failed
  EXPECT_NE(a.out.find("3 points (0 done earlier)"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("FAILED: --set controller.read_queue=0"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(slurp(out + "/sweep.json"));
  EXPECT_EQ(j["schema"], "accsim-sweep");
  ASSERT_EQ(j["points"].size(), 3u);
  EXPECT_EQ(j["points"][0]["values"]["controller.read_queue"], "4");
  EXPECT_EQ(j["points"][0]["status"], "ok");
  EXPECT_EQ(j["points"][2]["status"], "failed");
  EXPECT_EQ(j["points"][2]["exit_code"], 3);
  // The objectives are the reports' figures; a deeper queue trades latency for bandwidth, and
  // whichever point is not dominated carries the mark.
  auto rep0 = nlohmann::json::parse(slurp(out + "/points/p0000.json"));
  EXPECT_EQ(j["points"][0]["objectives"]["bw"].get<double>(),
            rep0["summary"]["bandwidth_Bps"].get<double>());
  const double bw0 = j["points"][0]["objectives"]["bw"], bw1 = j["points"][1]["objectives"]["bw"];
  const double l0 = j["points"][0]["objectives"]["lat"], l1 = j["points"][1]["objectives"]["lat"];
  const bool one_dominates = (bw1 >= bw0 && l1 <= l0) || (bw0 >= bw1 && l0 <= l1);
  EXPECT_EQ(j["points"][0]["pareto"].get<bool>() && j["points"][1]["pareto"].get<bool>(),
            !one_dominates);
  EXPECT_NE(slurp(out + "/sweep.csv").find("point,controller.read_queue,bw (max),lat (min)"),
            std::string::npos);

  // Resume: the two good points are reused, the failed one runs again; reports unchanged.
  const std::string before = slurp(out + "/points/p0001.json");
  auto b = run_accsim("sweep " + sweep + " -o " + out);
  EXPECT_EQ(b.code, 5) << b.out;
  EXPECT_NE(b.out.find("3 points (2 done earlier)"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("[1/1] p0002 FAILED"), std::string::npos) << b.out;
  EXPECT_EQ(slurp(out + "/points/p0001.json"), before);
  auto jb = nlohmann::json::parse(slurp(out + "/sweep.json"));
  EXPECT_TRUE(jb["points"][1]["reused"].get<bool>());

  // --fresh runs everything again, with identical reports (determinism).
  // (-j1: a short option's value may be attached, as with make.)
  auto c = run_accsim("sweep " + sweep + " -o " + out + " --fresh -j1");
  EXPECT_NE(c.out.find("3 points (0 done earlier), 1 at a time"), std::string::npos) << c.out;
  EXPECT_EQ(slurp(out + "/points/p0001.json"), before);
}

// An objective path that names no figure of the report fails every point (exit 5), saying
// which objective and path; the reports themselves are kept.
TEST(CliSweep, ObjectiveThatNamesNoFigureFailsThePoints) {
  TempDir d;
  const std::string sweep = d.file("s.yaml");
  {
    std::ofstream f(sweep);
    f << "sweep:\n  name: t\n  system: " << src("configs/systems/ddr4.yaml")
      << "\n  set: [workload.count=500]\n"
         "  grid:\n    controller.read_queue: [4, 32]\n"
         "  objectives:\n"
         "    - {name: bw, path: summary.bandwidth_Bps, goal: max}\n"
         "    - {name: oops, path: summary.no_such_figure, goal: min}\n";
  }
  const std::string out = d.file("out");
  auto a = run_accsim("sweep " + sweep + " -o " + out);
  EXPECT_EQ(a.code, 5) << a.out;
  EXPECT_NE(a.out.find("0 of 2 points succeeded"), std::string::npos) << a.out;
  auto j = nlohmann::json::parse(slurp(out + "/sweep.json"));
  ASSERT_EQ(j["points"].size(), 2u);
  for (const auto& p : j["points"]) EXPECT_EQ(p["status"], "failed") << p.dump();
  EXPECT_NE(slurp(out + "/sweep.csv").find("summary.no_such_figure' names no number"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(out + "/points/p0000.json"));
}

TEST(CliSweep, ChangedOverridesInvalidateAPoint) {
  TempDir d;
  const std::string sweep = d.file("s.yaml");
  auto write = [&](int count) {
    std::ofstream f(sweep);
    f << "sweep:\n  system: " << src("configs/systems/ddr4.yaml")
      << "\n  set: [workload.pattern=random, workload.count=" << count
      << "]\n  grid:\n    controller.read_queue: [8]\n";
  };
  write(1000);
  ASSERT_EQ(run_accsim("sweep " + sweep + " -o " + d.file("o")).code, 0);
  write(1500);  // same grid, other fixed overrides: the point is not "done"
  auto b = run_accsim("sweep " + sweep + " -o " + d.file("o"));
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_NE(b.out.find("1 points (0 done earlier)"), std::string::npos) << b.out;
  auto rep = nlohmann::json::parse(slurp(d.file("o") + "/points/p0000.json"));
  EXPECT_EQ(rep["summary"]["work"].get<double>(), 1500.0);
}

TEST(CliSweep, EditedSystemFileInvalidatesAPoint) {
  TempDir d;
  const std::string sys = d.file("sys.yaml");
  {
    std::ofstream o(sys);
    o << slurp(src("configs/systems/ddr4.yaml"));
  }
  {
    std::ofstream f(d.file("s.yaml"));
    f << "sweep:\n  system: sys.yaml\n  set: [workload.pattern=random, workload.count=500]\n"
         "  grid:\n    controller.read_queue: [8]\n";
  }
  ASSERT_EQ(run_accsim("sweep " + d.file("s.yaml") + " -o " + d.file("o")).code, 0);
  auto same = run_accsim("sweep " + d.file("s.yaml") + " -o " + d.file("o"));
  EXPECT_NE(same.out.find("1 points (1 done earlier)"), std::string::npos) << same.out;
  {
    std::ofstream o(sys, std::ios::app);
    o << "# edited\n";  // same meaning, other bytes: rerun (the stamp is the file's bytes)
  }
  auto b = run_accsim("sweep " + d.file("s.yaml") + " -o " + d.file("o"));
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_NE(b.out.find("1 points (0 done earlier)"), std::string::npos) << b.out;
}

// Runs `mpirun -np <np> accsim <args>` (as root too, oversubscribing the 2-core CI machine).
CliResult run_mpi(int np, const std::string& args) {
  const std::string cmd =
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "OMPI_MCA_rmaps_base_oversubscribe=1 "
      "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 mpirun -np " +
      std::to_string(np) + " " + accsim_exe() + " " + args + " 2>&1";
  return run_shell(cmd);
}

TEST(CliSweep, MpiDriverGivesTheLocalPoolsResults) {
  if (run_accsim("version").out.find("mpi sweep driver: yes") == std::string::npos)
    GTEST_SKIP() << "accsim was built without MPI (libopenmpi-dev not found at configure time)";
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "mpirun is not installed";
  TempDir d;
  const std::string sweep =
      d.write("s.yaml", "sweep:\n  name: m\n  system: " + src("configs/systems/ddr4.yaml") +
                            "\n  set: [workload.pattern=random, workload.count=1500]\n"
                            "  grid:\n    controller.read_queue: [4, 0, 16]\n"
                            "    controller.page_policy: [open, closed]\n");
  auto local = run_accsim("sweep " + sweep + " -o " + d.file("local"));
  ASSERT_EQ(local.code, 5) << local.out;  // the two read_queue=0 points fail
  // Rank 0 coordinates; ranks 1 and 2 run two points at a time each.
  auto mpi = run_mpi(3, "sweep " + sweep + " -o " + d.file("mpi") + " -j2");
  ASSERT_EQ(mpi.code, 5) << mpi.out;
  EXPECT_NE(mpi.out.find("6 points (0 done earlier), 2 MPI workers x 2 at a time"),
            std::string::npos)
      << mpi.out;
  EXPECT_NE(mpi.out.find("4 of 6 points succeeded"), std::string::npos) << mpi.out;
  for (const char* p : {"p0000", "p0001", "p0004", "p0005"})
    EXPECT_EQ(slurp(d.file("local/points/") + p + ".json"),
              slurp(d.file("mpi/points/") + p + ".json"))
        << p;
  EXPECT_EQ(slurp(d.file("local/sweep.csv")), slurp(d.file("mpi/sweep.csv")));
  // Resumed under MPI: nothing done is run again.
  auto again = run_mpi(2, "sweep " + sweep + " -o " + d.file("mpi"));
  EXPECT_NE(again.out.find("6 points (4 done earlier)"), std::string::npos) << again.out;
}

// The live children of `pid` (state not Z), from /proc.
std::vector<pid_t> live_children(pid_t pid) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid && state != 'Z') out.push_back(std::stoi(name));
  }
  return out;
}

bool alive(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

// Issue 17, case 8: a coordinator killed with SIGKILL takes its runs with it (they used to run on
// as orphans, and a resumed sweep started the same points beside them).
TEST(CliSweep, RunsDieWithTheirCoordinator) {
  TempDir d;
  const std::string sweep =
      d.write("s.yaml", "sweep:\n  name: k\n  system: " + src("configs/systems/ddr4.yaml") +
                            "\n  set: [workload.pattern=random, workload.count=100000000]\n"
                            "  grid:\n    controller.read_queue: [8, 16]\n");
  const std::string out = d.file("out");
  const pid_t coord = ::fork();
  ASSERT_GE(coord, 0);
  if (coord == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::execl(accsim_exe().c_str(), "accsim", "sweep", sweep.c_str(), "-o", out.c_str(), "-j2",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::vector<pid_t> runs;
  for (int i = 0; i < 1000 && runs.size() < 2; ++i, ::usleep(10000)) runs = live_children(coord);
  ::kill(coord, SIGKILL);
  ::waitpid(coord, nullptr, 0);
  ASSERT_EQ(runs.size(), 2u) << "the sweep did not start its two runs";
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; ++i, ::usleep(10000))
    gone = !alive(runs[0]) && !alive(runs[1]);
  if (!gone)
    for (pid_t p : runs) ::kill(p, SIGKILL);
  EXPECT_TRUE(gone) << "the runs outlived their coordinator";
}

// A resumed sweep does not start a point whose earlier run still holds its log: it waits for it.
TEST(CliSweep, ResumeWaitsForARunStillHoldingItsPoint) {
  TempDir d;
  const std::string sweep =
      d.write("s.yaml", "sweep:\n  name: w\n  system: " + src("configs/systems/ddr4.yaml") +
                            "\n  set: [workload.count=200]\n"
                            "  grid:\n    controller.read_queue: [8]\n");
  const std::string out = d.file("out");
  std::filesystem::create_directories(out + "/points");
  const int fd = ::open((out + "/points/p0000.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a run of a killed coordinator would
  std::thread release([fd] {
    ::usleep(1500000);
    ::close(fd);
  });
  const auto r = run_accsim("sweep " + sweep + " -o " + out);
  release.join();
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("waiting for an earlier run to end"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 of 1 points succeeded"), std::string::npos) << r.out;
}

// A run's log is never written through a symbolic link out of the results folder.
TEST(CliSweep, RunLogsDoNotFollowLinks) {
  TempDir d;
  const std::string sweep =
      d.write("s.yaml", "sweep:\n  name: l\n  system: " + src("configs/systems/ddr4.yaml") +
                            "\n  set: [workload.count=200]\n"
                            "  grid:\n    controller.read_queue: [8]\n");
  const std::string out = d.file("out"), outside = d.write("outside.txt", "keep\n");
  std::filesystem::create_directories(out + "/points");
  std::filesystem::create_symlink(outside, out + "/points/p0000.log");
  const auto r = run_accsim("sweep " + sweep + " -o " + out);
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_NE(r.out.find("p0000.log: is a symbolic link"), std::string::npos) << r.out;
  EXPECT_EQ(slurp(outside), "keep\n");
}

TEST(CliSweep, BadSweepFileIsAConfigError) {
  TempDir d;
  {
    std::ofstream f(d.file("s.yaml"));
    f << "sweep:\n  system: x.yaml\n  grid: {}\n";
  }
  auto r = run_accsim("sweep " + d.file("s.yaml"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("s.yaml:3:"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::test
