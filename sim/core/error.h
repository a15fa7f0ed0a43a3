#pragma once
// Errors that reach the user. Every error about an input names the file and, where known,
// the line and column (1-based), so that a user can find the mistake without a debugger.
#include <stdexcept>
#include <string>

namespace accsim {

struct SourceLoc {
  std::string file;         // path as given by the user, or "<command line>" / "<builtin:NAME>"
  int line = 0;             // 1-based; 0 = unknown
  int column = 0;           // 1-based; 0 = unknown
  std::string str() const;  // "file:line:col" (parts that are unknown are left out)
};

// Exit codes of the accsim program (documented in sim/README.md).
enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,    // a bug: an invariant of the simulator broke
  kUsage = 2,       // bad command line
  kConfig = 3,      // bad configuration (YAML syntax, unknown key, bad unit, out of range)
  kInput = 4,       // bad input file (trace truncated, corrupt, missing)
  kSimulation = 5,  // the simulation itself failed (deadlock, protocol violation)
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Error(ExitCode code, const SourceLoc& loc, const std::string& message)
      : std::runtime_error(loc.str() + ": " + message), code_(code), loc_(loc) {}
  ExitCode code() const { return code_; }
  const SourceLoc& loc() const { return loc_; }

 private:
  ExitCode code_;
  SourceLoc loc_;
};

// Convenience constructors.
inline Error config_error(const SourceLoc& loc, const std::string& msg) {
  return Error(ExitCode::kConfig, loc, msg);
}
inline Error input_error(const SourceLoc& loc, const std::string& msg) {
  return Error(ExitCode::kInput, loc, msg);
}
inline Error usage_error(const std::string& msg) {
  return Error(ExitCode::kUsage, msg);
}
inline Error sim_error(const std::string& msg) {
  return Error(ExitCode::kSimulation, msg);
}

}  // namespace accsim
