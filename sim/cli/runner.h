#pragma once
// Child `accsim run` processes for studies and sweeps: one simulation per process (SystemC
// elaborates once per process), stdout and stderr to a log file.
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace accsim::cli {

struct RunRequest {
  std::string system, workload;   // workload may be empty
  std::vector<std::string> sets;  // "key=value" overrides
  std::string report, log;        // paths
};

// Starts `exe run ...` and returns the child's pid (throws accsim::Error if fork fails). The
// child dies with the calling process (PR_SET_PDEATHSIG), also when that is killed with SIGKILL.
pid_t start_run_process(const std::string& exe, const RunRequest& r);

// Opens a run's log for the child's stdout and stderr: never through a symbolic link (an input
// error naming it), locked for the run's lifetime (flock) and emptied. A log still locked by a
// run of an earlier coordinator is waited for, so a resumed study or sweep never runs a point
// twice at once. Returns the descriptor (close-on-exec).
int open_run_log(const std::string& log);

// Runs the items `pending` (indices), up to `jobs` child processes at a time: start(index) starts
// one and returns its pid; on_done(index, exit code) is called as each ends.
void run_local_pool(const std::vector<std::size_t>& pending, int jobs,
                    const std::function<pid_t(std::size_t)>& start,
                    const std::function<void(std::size_t, int)>& on_done);

// Path of the running accsim executable (studies and sweeps start one process per run).
std::string self_exe();

// The exit code of a child from wait()'s status: its exit status, or 128 + signal.
int exit_code_of(int wait_status);

// --jobs N as a positive integer (default 2); a usage error names `command` otherwise.
int parse_jobs(const std::string& command, const std::string& text);

// Creates a results folder (and its parents); an input error names it if that fails.
void make_results_dir(const std::string& dir);

// The last non-empty line of a (log) file, "" if none.
std::string last_line(const std::string& path);

}  // namespace accsim::cli
