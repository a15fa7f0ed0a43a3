// Child `accsim run` processes (runner.h).
#include "sim/cli/runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "sim/cli/args.h"
#include "sim/core/error.h"

namespace accsim::cli {

pid_t start_run_process(const std::string& exe, const RunRequest& r) {
  std::vector<std::string> argv = {exe, "run", r.system, "-o", r.report, "--quiet"};
  if (!r.workload.empty()) {
    argv.push_back("--workload");
    argv.push_back(r.workload);
  }
  for (const auto& s : r.sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  // Everything the child needs is prepared before fork(): between fork and exec the child only
  // calls async-signal-safe functions (the parent may have other threads, e.g. MPI's).
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int fd = open_run_log(r.log);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    throw Error(ExitCode::kInternal, "fork failed: " + std::string(strerror(errno)));
  }
  if (pid == 0) {
    // The run ends with its coordinator (SIGTERM, so it removes its partial files), also when
    // the coordinator is killed with SIGKILL; a coordinator that died before this line is caught
    // by the parent check.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(exe.c_str(), cargv.data());
    static const char kMsg[] = "accsim: error: could not start the accsim executable (exec)\n";
    (void)!write(2, kMsg, sizeof kMsg - 1);
    _exit(127);
  }
  close(fd);  // the child's stdout and stderr keep the log, and its lock, open
  return pid;
}

int open_run_log(const std::string& log) {
  // O_NOFOLLOW: a log is a file in the results folder, never a link out of it.
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    throw Error(ExitCode::kInput, SourceLoc{log},
                errno == ELOOP ? std::string("is a symbolic link; a run's log is not followed out "
                                             "of the results folder")
                               : "cannot open the run's log: " + std::string(strerror(errno)));
  // The lock lives as long as the run's stdout does: a run still going from an earlier, killed
  // coordinator holds it, and its point is not started a second time beside it.
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "  waiting for an earlier run to end (its log " << log << " is in use)\n";
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  if (ftruncate(fd, 0) != 0) {
    const std::string why = strerror(errno);
    close(fd);
    throw Error(ExitCode::kInput, SourceLoc{log}, "cannot truncate the run's log: " + why);
  }
  return fd;
}

void run_local_pool(const std::vector<std::size_t>& pending, int jobs,
                    const std::function<pid_t(std::size_t)>& start,
                    const std::function<void(std::size_t, int)>& on_done) {
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, finished = 0;
  while (finished < pending.size()) {
    while (running.size() < static_cast<std::size_t>(jobs) && next < pending.size()) {
      const std::size_t i = pending[next++];
      running[start(i)] = i;
    }
    int ws = 0;
    const pid_t pid = wait(&ws);
    if (pid < 0) throw Error(ExitCode::kInternal, "wait failed");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t i = it->second;
    running.erase(it);
    ++finished;
    on_done(i, exit_code_of(ws));
  }
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(ExitCode::kInternal, "cannot locate the accsim executable: " + ec.message());
  return p.string();
}

int parse_jobs(const std::string& command, const std::string& text) {
  int jobs = 0;
  try {
    std::size_t used = 0;
    jobs = std::stoi(text, &used);
    if (used != text.size()) jobs = 0;
  } catch (...) {
    jobs = 0;
  }
  if (jobs < 1)
    throw usage_error(command + ": --jobs expects a positive integer, not '" + text + "'");
  return jobs;
}

void make_results_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ExitCode::kInput, SourceLoc{dir}, "cannot create: " + ec.message());
}

int exit_code_of(int ws) {
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace accsim::cli
