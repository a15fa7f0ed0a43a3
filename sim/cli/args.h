#pragma once
// A small, strict command-line parser: every option is declared with its help text; unknown
// options and missing values are usage errors (exit code 2) that name the option.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.h"

namespace accsim::cli {

class Args {
 public:
  Args(std::string command, std::string synopsis, std::string description)
      : command_(std::move(command)),
        synopsis_(std::move(synopsis)),
        description_(std::move(description)) {}

  // --name VALUE (repeatable options collect every value).
  Args& option(const std::string& name, const std::string& metavar, const std::string& help,
               bool repeatable = false, const std::string& short_name = "");
  Args& flag(const std::string& name, const std::string& help, const std::string& short_name = "");
  Args& positional(const std::string& name, const std::string& help, bool required = true);

  // Parses argv (after the command words). Returns false if --help was given (help printed).
  bool parse(const std::vector<std::string>& argv);

  std::string help() const;
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string get(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> all(const std::string& name) const;
  bool flag_set(const std::string& name) const { return has(name); }

 private:
  struct Opt {
    std::string name, short_name, metavar, help;
    bool takes_value = true, repeatable = false;
  };
  struct Pos {
    std::string name, help;
    bool required;
  };
  const Opt* find(const std::string& token) const;
  std::string command_, synopsis_, description_;
  std::vector<Opt> opts_;
  std::vector<Pos> pos_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace accsim::cli
