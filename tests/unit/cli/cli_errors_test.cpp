// Bad input through the accsim program: every case gives a clear message naming the file and
// place, the documented exit code, and no crash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "tests/unit/cli/cli_test.h"

namespace accsim::test {
namespace {

constexpr int kUsage = 2, kConfig = 3, kInput = 4;

const char* kGoodSystem = R"(system:
  name: t
  target: dram
dram:
  preset: DDR4-3200
  channels: 1
workload:
  pattern: sequential
  count: 64
)";

void expect_error(const CliResult& r, int code, std::initializer_list<std::string> needles) {
  EXPECT_EQ(r.code, code) << r.out;
  EXPECT_NE(r.out.find("accsim: error:"), std::string::npos) << r.out;
  for (const auto& n : needles)
    EXPECT_NE(r.out.find(n), std::string::npos) << "missing '" << n << "' in:\n" << r.out;
}

TEST(CliErrors, HelpAndUsage) {
  EXPECT_EQ(run_accsim("--help").code, 0);
  EXPECT_EQ(run_accsim("run --help").code, 0);
  // Issue 17, case 10: every command answers --help, `config` with its one subcommand's help.
  for (const char* c : {"config --help", "config show --help", "study --help", "sweep --help",
                        "compare --help", "validate --help", "trace --help"}) {
    const CliResult r = run_accsim(c);
    EXPECT_EQ(r.code, 0) << c << ": " << r.out;
    EXPECT_NE(r.out.find("usage: accsim"), std::string::npos) << c << ": " << r.out;
  }
  EXPECT_EQ(run_accsim("").code, kUsage);
  expect_error(run_accsim("frobnicate"), kUsage, {"unknown command 'frobnicate'"});
  expect_error(run_accsim("run"), kUsage, {"missing argument <system.yaml>"});
  expect_error(run_accsim("run x.yaml --bogus"), kUsage, {"unknown option '--bogus'"});
  expect_error(run_accsim("run x.yaml --set novalue"), kUsage, {"--set expects key.path=value"});
}

TEST(CliErrors, MissingSystemFile) {
  expect_error(run_accsim("run /nonexistent/sys.yaml"), kInput,
               {"/nonexistent/sys.yaml", "cannot open"});
}

TEST(CliErrors, MalformedYamlNamesLine) {
  TempDir d;
  auto f = d.write("bad.yaml", "system:\n  name: t\n  target: [dram\n");
  expect_error(run_accsim("run " + f), kConfig, {f + ":", "YAML syntax error"});
}

TEST(CliErrors, UnknownKeyNamesLineAndColumn) {
  TempDir d;
  std::string y = kGoodSystem;
  y.replace(y.find("  channels: 1"), 13, "  chanels: 1");
  auto f = d.write("k.yaml", y);
  expect_error(run_accsim("run " + f), kConfig,
               {f + ":6:3", "unknown key 'dram.chanels'", "channels"});
}

TEST(CliErrors, UnknownSectionAndTarget) {
  TempDir d;
  auto f = d.write("s.yaml", std::string(kGoodSystem) + "contoller:\n  read_queue: 4\n");
  expect_error(run_accsim("run " + f), kConfig,
               {f + ":10:1", "unknown section 'contoller'", "controller"});
  std::string y = kGoodSystem;
  y.replace(y.find("target: dram"), 12, "target: dramm");
  auto g = d.write("t.yaml", y);
  expect_error(run_accsim("run " + g), kConfig, {"unknown target 'dramm'", "registered: "});
}

TEST(CliErrors, NegativeOrZeroTiming) {
  TempDir d;
  auto f = d.write("n.yaml", std::string(kGoodSystem)
                                 .replace(std::string(kGoodSystem).find("  channels: 1"), 13,
                                          "  timing:\n    nRCD: -3"));
  expect_error(run_accsim("run " + f), kConfig, {f + ":7:11", "nRCD"});
  auto g = d.write("z.yaml", std::string(kGoodSystem)
                                 .replace(std::string(kGoodSystem).find("  channels: 1"), 13,
                                          "  timing:\n    tRP: 0ns"));
  expect_error(run_accsim("run " + g), kConfig, {g + ":7:10", "tRP"});
}

TEST(CliErrors, BankCountThatDoesNotDivide) {
  TempDir d;
  auto f = d.write("b.yaml", std::string(kGoodSystem)
                                 .replace(std::string(kGoodSystem).find("  channels: 1"), 13,
                                          "  org:\n    banks: 10"));
  auto r = run_accsim("run " + f);
  expect_error(r, kConfig, {f, "banks"});
}

TEST(CliErrors, OverrideErrorsNameTheOverride) {
  TempDir d;
  auto f = d.write("g.yaml", kGoodSystem);
  expect_error(run_accsim("run " + f + " --set dram.chanels=2"), kConfig,
               {"--set dram.chanels=2", "unknown key 'dram.chanels'"});
  expect_error(run_accsim("run " + f + " --set controller.read_queue=0"), kConfig,
               {"--set controller.read_queue=0", "out of range"});
}

// Integers that do not fit the field they are read into are errors, not wrapped values (2^32 + 1
// channels used to run one channel; a 2^31-cycle timing used to mean "the preset's").
TEST(CliErrors, IntegersThatWouldWrapAreRefused) {
  TempDir d;
  auto f = d.write("g.yaml", kGoodSystem);
  for (const char* set :
       {"dram.channels=4294967297", "dram.timing.nRCD=2147483648", "dram.ranks=-4294967295"})
    expect_error(run_accsim("run " + f + " --set " + std::string(set)), kConfig,
                 {std::string("--set ") + set, "out of range"});
}

// Issue 17, case 2: every size has an upper bound, checked before anything is allocated (65536
// ranks used to run for minutes, 10^9 channels ended in "out of memory" naming nothing, and
// `trace gen --count 10^13` ran without end); numbers narrowed to 32 bits are checked first.
TEST(CliErrors, SizesHaveUpperBounds) {
  TempDir d;
  auto f = d.write("g.yaml", kGoodSystem);
  for (const auto& [set, range] : {std::pair{"dram.channels=1000000000", "[1, 4096]"},
                                   {"dram.channels=4097", "[1, 4096]"},
                                   {"dram.ranks=65536", "[1, 16]"},
                                   {"dram.pseudo_channels=9", "[1, 8]"}})
    expect_error(run_accsim("run " + f + " --set " + std::string(set)), kConfig,
                 {std::string("--set ") + set, "out of range", range});
  // The bound itself is accepted.
  EXPECT_EQ(run_accsim("run " + f + " --set dram.ranks=16 --set workload.count=64 -q -o " +
                       d.file("r.json"))
                .code,
            0);
  const std::string out = d.file("t.atrace");
  for (const auto& [args, what] :
       {std::pair{"sequential " + out + " --count 10000000000000", "--count 10000000000000"},
        {"sequential " + out + " --count 4294967297", "outside 1..4294967296"},
        {"sequential " + out + " --size 4294967360B", "--size 4294967360B is outside"},
        {"conflict " + out + " --rows 4294967297", "--rows 4294967297 is outside"},
        {"random " + out + " --span 16384TiB", "--span 16384TiB is outside"}}) {
    const auto r = run_accsim("trace gen " + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(what), std::string::npos) << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  const auto r = run_accsim("trace info " + out + " --request-bytes 0B");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--request-bytes 0B is outside 1..1048576 bytes"), std::string::npos)
      << r.out;
}

// Issue 17, case 2: a run whose estimated memory exceeds system.memory_budget (default 75 % of
// the machine) is refused before it starts, naming the file, the estimate and the override
// (was: minutes of work, then "out of memory" or the kernel's OOM killer).
TEST(CliErrors, RunsBeyondTheMemoryBudgetAreRefusedBeforeTheyStart) {
  TempDir d;
  const std::string gpu = src("configs/systems/gpu_h100.yaml");
  expect_error(run_accsim("run " + gpu + " --set gpu.l1.size=100GB -o " + d.file("g.json")),
               kConfig,
               {gpu + ": the run would take an estimated", "L1 and L2 tags", "75 % of this machine",
                "--set system.memory_budget=<size>"});
  const std::string sdpa = src("configs/systems/sdpa_dataflow.yaml");
  expect_error(run_accsim("run " + sdpa + " --set sdpa.N=16777216 --set sdpa.d=4096"), kConfig,
               {sdpa + ": the run would take an estimated", "Q, K, V, O tensors"});
  // The budget is a setting: 1 024 DDR4 channels (~45 MB) do not fit 16 MiB and do fit 1 GiB.
  const std::string ddr4 = src("configs/systems/ddr4.yaml") +
                           " --set dram.channels=1024 --set workload.count=256 -q -o " +
                           d.file("r.json");
  expect_error(run_accsim("run " + ddr4 + " --set system.memory_budget=16MiB"), kConfig,
               {"DRAM model: 1024 channels, 16384 banks",
                "(system.memory_budget, set by --set system.memory_budget=16MiB)"});
  EXPECT_FALSE(std::filesystem::exists(d.file("r.json")));
  EXPECT_EQ(run_accsim("run " + ddr4 + " --set system.memory_budget=1GiB").code, 0);
}

// An interrupted `trace gen` leaves neither its .part file nor an output behind, and dies by the
// signal as it would have (issue 17, case 2).
TEST(CliErrors, InterruptedTraceGenLeavesNothingBehind) {
  TempDir d;
  const std::string out = d.file("big.atrace");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A background job of a non-interactive shell (CI) starts with SIGINT ignored, which accsim
    // respects (as nohup users expect); this test is about the default disposition.
    ::signal(SIGINT, SIG_DFL);
    ::execl(accsim_exe().c_str(), "accsim", "trace", "gen", "random", out.c_str(), "--count",
            "4294967296", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait (at most 20 s) until the writer has its partial file, then interrupt it.
  for (int i = 0; i < 2000 && !std::filesystem::exists(out + ".part"); ++i) ::usleep(10000);
  ASSERT_TRUE(std::filesystem::exists(out + ".part"));
  ::kill(pid, SIGINT);
  int st = 0;
  pid_t done = 0;
  for (int i = 0; i < 2000 && done == 0; ++i, ::usleep(10000)) done = ::waitpid(pid, &st, WNOHANG);
  if (done == 0) {  // the signal did not end it: stop it rather than write 128 GiB
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    std::filesystem::remove(out + ".part");
    FAIL() << "trace gen kept running after SIGINT";
  }
  ASSERT_EQ(done, pid);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT) << st;
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Issue 17, case 9: every error names its place (file and line, the --set, or the path) and,
// for an output that cannot be written, the reason.
TEST(CliErrors, MessagesNameTheirPlace) {
  TempDir d;
  std::string y = kGoodSystem;
  y.replace(y.find("target: dram"), 12, "target: tpu");
  auto f = d.write("t.yaml", y);
  expect_error(run_accsim("run " + f), kConfig,
               {f + ":3:", "'system.target': unknown target 'tpu'", "registered: dataflow"});
  auto g = d.write("g.yaml", kGoodSystem);
  expect_error(run_accsim("run " + g + " --set system.target=fgpa"), kConfig,
               {"--set system.target=fgpa", "did you mean 'fpga'"});
  expect_error(run_accsim("run " + g + " --set dram.ranks=3"), kConfig,
               {"--set dram.ranks=3", "must be a power of two"});
  expect_error(run_accsim("run " + g + " -q -o ''"), kInput, {"the output path is empty"});
  std::filesystem::create_directories(d.file("folder"));
  expect_error(run_accsim("run " + g + " -q -o " + d.file("folder")), kInput,
               {d.file("folder") + ": is a folder, not a file"});
  // A file in a folder that cannot take new files: the reason is given.
  expect_error(run_accsim("run " + g + " -q -o /proc/version"), kInput,
               {"/proc/version: cannot write file", "/proc/version.tmp."});
}

// Study names and run labels become folder and file names inside the results folder: a name
// that would leave it ('..', a path) is refused before anything runs, naming the place.
TEST(CliErrors, StudyNamesCannotEscapeTheResultsFolder) {
  TempDir d;
  auto sys = d.write("g.yaml", kGoodSystem);
  for (const char* bad : {"study: {name: '../../x'}\nruns:\n  - {label: a, system: g.yaml}\n",
                          "runs:\n  - {label: '..', system: g.yaml}\n",
                          "runs:\n  - {label: 'a/b', system: g.yaml}\n"}) {
    auto f = d.write("s.yaml", bad);
    auto r = run_accsim("study " + f + " -o " + d.file("out"));
    expect_error(r, kConfig, {f + ":", "plain file name"});
    EXPECT_FALSE(std::filesystem::exists(d.file("out"))) << bad;
  }
}

TEST(CliErrors, TruncatedAndCorruptTraces) {
  TempDir d;
  std::string good = slurp(src("workloads/traces/seq_read_64k.atrace"));
  ASSERT_GT(good.size(), 200u);
  auto sys = d.write("g.yaml", kGoodSystem);
  auto trunc = d.write("trunc.atrace", good.substr(0, good.size() / 2));
  expect_error(run_accsim("run " + sys + " --workload " + trunc + " -o " + d.file("r.json")),
               kInput, {trunc});
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x5a;  // inside the compressed payload
  bad[bad.size() / 2 + 1] ^= 0xa5;
  auto corrupt = d.write("corrupt.atrace", bad);
  expect_error(run_accsim("run " + sys + " --workload " + corrupt + " -o " + d.file("r.json")),
               kInput, {corrupt});
  expect_error(run_accsim("trace info " + trunc), kInput, {trunc});
  expect_error(run_accsim("run " + sys + " --workload /nonexistent/t.atrace"), kInput,
               {"/nonexistent/t.atrace"});
  // Nothing half-written is left behind.
  EXPECT_FALSE(std::filesystem::exists(d.file("r.json")));
}

// Issue 17, case 6: a section given twice is an error naming both places, not the first copy.
TEST(CliErrors, DuplicateSectionsAndKeysNameBothPlaces) {
  TempDir d;
  auto f = d.write("dup.yaml", std::string(kGoodSystem) + "dram:\n  preset: HBM3\n");
  expect_error(run_accsim("run " + f), kConfig,
               {f + ":10:1", "duplicate key 'dram' (first given at line 4, column 1)"});
  std::string y = kGoodSystem;
  y.replace(y.find("  count: 64"), 11, "  count: 64\n  count: 65");
  f = d.write("dup2.yaml", y);
  expect_error(run_accsim("run " + f), kConfig,
               {f + ":10:3", "duplicate key 'count' (first given at line 9, column 3)"});
}

// Issue 17, case 7: output that cannot be written is a failure (exit 4), and what went to files
// is still there. /dev/full fails every write with ENOSPC.
TEST(CliErrors, StandardOutputThatCannotBeWrittenFails) {
  if (!std::filesystem::is_character_file("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  TempDir d;
  const std::string trace = src("workloads/traces/seq_read_64k.atrace");
  for (const std::string& args : {"trace info " + trace, "trace dump " + trace + " --head 5"}) {
    SCOPED_TRACE(args);
    expect_error(run_shell(accsim_exe() + " " + args + " 2>&1 >/dev/full"), kInput,
                 {"cannot write standard output", "No space left on device"});
  }
  auto f = d.write("sys.yaml", kGoodSystem);
  const CliResult r =
      run_shell(accsim_exe() + " run " + f + " -o " + d.file("r.json") + " 2>&1 >/dev/full");
  expect_error(r, kInput, {"cannot write standard output"});
  EXPECT_TRUE(std::filesystem::exists(d.file("r.json"))) << r.out;
}

}  // namespace
}  // namespace accsim::test
