#pragma once
// The accsim subcommands. Each takes the arguments after its command words and returns the
// process exit code; errors are thrown as accsim::Error and turned into messages by main().
#include <string>
#include <vector>

namespace accsim::cli {

using Argv = std::vector<std::string>;

int cmd_run(const Argv& args);
int cmd_validate(const Argv& args);  // GPU model vs the measured figures of an op trace
int cmd_config_show(const Argv& args);
int cmd_list(const Argv& args);
int cmd_study(const Argv& args);
int cmd_compare(const Argv& args);  // the same workloads on several systems
int cmd_sweep(const Argv& args);
int cmd_trace(const Argv& args);  // info | dump | convert | gen

}  // namespace accsim::cli
