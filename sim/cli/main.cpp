// accsim: the command-line front end. See sim/README.md for the commands, the exit codes and the
// report schema.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/mpi_pool.h"
#include "sim/core/error.h"

namespace {

const char* kUsage = R"(accsim — cycle-accurate, trace-driven accelerator simulator

usage: accsim <command> [arguments] [--help]

commands:
  run <system.yaml>          run one simulation and write its JSON report
  validate <system.yaml> <optrace.jsonl>
                             GPU model vs the figures measured on a GPU (MAPE, correlation)
  study <study.yaml>         run several simulations (one process each) and compare them
  compare <compare.yaml>     the same workloads on several systems: per token, energy, bound
  sweep <sweep.yaml>         run a parameter grid (one process per point), Pareto front
  config show <system.yaml>  print the effective configuration with defaults and descriptions
  list                       list targets, presets and registered implementations
  trace info <file>          summarise a trace file
  trace dump <file>          print a trace as text
  trace convert <in> <out>   convert between trace formats (accsim binary/text, Ramulator, DRAMSys)
  trace gen <kind> <out>     generate a trace: synthetic accesses, a reference kernel's, or a
                             transformer step as an op trace (kind: model)
  version                    print the version

Run 'accsim <command> --help' for the options of a command.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 configuration, 4 input file, 5 simulation.
)";

}  // namespace

namespace {

// What a command printed must have reached standard output: a full disk or a closed descriptor
// turns a success into exit 4 (a reader that exits early ends accsim by SIGPIPE, as usual).
int checked_stdout(int rc) {
  errno = 0;
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return rc;
  const int err = errno;
  std::cerr << "accsim: error: cannot write standard output"
            << (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) << "\n";
  return rc != 0 ? rc : static_cast<int>(accsim::ExitCode::kInput);
}

int dispatch(const std::string& cmd, const std::vector<std::string>& rest) {
  if (cmd == "run") return accsim::cli::cmd_run(rest);
  if (cmd == "validate") return accsim::cli::cmd_validate(rest);
  if (cmd == "study") return accsim::cli::cmd_study(rest);
  if (cmd == "compare") return accsim::cli::cmd_compare(rest);
  if (cmd == "sweep") return accsim::cli::cmd_sweep(rest);
  if (cmd == "list") return accsim::cli::cmd_list(rest);
  if (cmd == "trace") return accsim::cli::cmd_trace(rest);
  if (cmd == "config") {
    // `config --help` is the help of its one subcommand.
    if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h"))
      return accsim::cli::cmd_config_show({"--help"});
    if (rest.empty() || rest[0] != "show")
      throw accsim::usage_error("config: expected 'config show <system.yaml>'");
    return accsim::cli::cmd_config_show({rest.begin() + 1, rest.end()});
  }
  if (cmd == "version" || cmd == "--version") {
    std::cout << "accsim 0.1.0\n"
              << "mpi sweep driver: " << (accsim::cli::mpi_available() ? "yes" : "no") << "\n";
    return 0;
  }
  throw accsim::usage_error("unknown command '" + cmd + "' (run 'accsim --help')");
}

}  // namespace

int main(int argc, char** argv) {
  using accsim::Error;
  using accsim::ExitCode;
  // SystemC prints its copyright banner to stdout when the kernel starts; the report tables are
  // on stdout too, so keep it quiet unless the user set the variable.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return checked_stdout(args.empty() ? 2 : 0);
  }
  const std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return checked_stdout(dispatch(cmd, rest));
  } catch (const Error& e) {
    std::cerr << "accsim: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    // Name what was being run: the command and its first argument (the system or trace file).
    std::cerr << "accsim: error: " << (rest.empty() ? cmd : cmd + " " + rest[0])
              << ": out of memory (the model or its workload does not fit this machine's "
                 "memory)\n";
    return static_cast<int>(ExitCode::kInternal);
  } catch (const std::exception& e) {
    std::cerr << "accsim: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kInternal);
  }
}
