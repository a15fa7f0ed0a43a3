#pragma once
// Command line of accsim_ref (see reference/README.md, "Running").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/host/cases.h"

namespace accsim::ref {

// Exit codes of accsim_ref.
enum class Exit : int {
  kOk = 0,
  kFailed = 1,    // a check failed or a case could not run
  kUsage = 2,     // bad command line
  kInput = 4,     // bad study list
  kCuda = 6,      // the CUDA runtime failed in a way that stops the run
  kNoDevice = 7,  // the command needs a GPU and there is none
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string command;  // list | info | check | time | capture | profile | mix-table | plan
  std::string shapes;   // study list file; empty = none (then --case is required)
  std::vector<std::string> case_lines;
  std::string step;                  // plan: a transformer step line (host/step_plan.h)
  std::vector<std::string> filters;  // keep cases whose id contains any of these
  std::vector<std::string> tags;     // keep cases that have all of these tags
  std::optional<std::uint64_t> seed;
  std::string out;      // output file (check, time, info, profile)
  std::string out_dir;  // capture output folder
  std::string optrace;  // time: op trace with the measured times
  int reps = 20;
  int warmup = 3;
  bool flush = true;
  std::uint64_t max_records = std::uint64_t{4} << 20;  // 128 MiB of records
  std::optional<std::uint32_t> sample;
  bool all = false;  // capture: every selected case, not only those tagged "capture"
  double mac_budget = 4e8;
  unsigned threads = 0;
  double deadline_s = 0;  // 0 = none
  bool quiet = false;
};

// Throws UsageError with a message that names the bad argument.
Options parse_args(const std::vector<std::string>& args);
std::string usage();

// The cases a command works on: the study list, then the --case lines, then the filters.
std::vector<Case> select_cases(const Options& o);

}  // namespace accsim::ref
