// Child `accsim run` processes (runner.h).
#include "sim/cli/runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
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
  pid_t pid = fork();
  if (pid < 0) throw Error(ExitCode::kInternal, "fork failed: " + std::string(strerror(errno)));
  if (pid == 0) {
    const int fd = open(r.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execv(exe.c_str(), cargv.data());
    static const char kMsg[] = "accsim: error: could not start the accsim executable (exec)\n";
    (void)!write(2, kMsg, sizeof kMsg - 1);
    _exit(127);
  }
  return pid;
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
