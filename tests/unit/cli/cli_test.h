#pragma once
// Runs the accsim program as a user would and captures its exit code and output.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace accsim::test {

struct CliResult {
  int code = -1;
  std::string out;  // stdout and stderr together
};

inline std::string accsim_exe() {
  return std::string(ACCSIM_BINARY_DIR) + "/sim/cli/accsim";
}
inline std::string src(const std::string& rel) {
  return std::string(ACCSIM_SOURCE_DIR) + "/" + rel;
}

// Runs a shell command line, capturing stdout and stderr together.
inline CliResult run_shell(const std::string& cmd) {
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

// Runs `accsim args` in `cwd` (empty: the test's working directory).
inline CliResult run_accsim_in(const std::string& cwd, const std::string& args) {
  std::string cmd = accsim_exe() + " " + args + " 2>&1";
  if (!cwd.empty()) cmd = "cd '" + cwd + "' && " + cmd;
  return run_shell(cmd);
}

inline CliResult run_accsim(const std::string& args) {
  return run_accsim_in("", args);
}

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("accsim_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace accsim::test
