#include "sim/cli/args.h"

#include <iostream>
#include <sstream>

namespace accsim::cli {

Args& Args::option(const std::string& name, const std::string& metavar, const std::string& help,
                   bool repeatable, const std::string& short_name) {
  opts_.push_back(Opt{name, short_name, metavar, help, true, repeatable});
  return *this;
}
Args& Args::flag(const std::string& name, const std::string& help, const std::string& short_name) {
  opts_.push_back(Opt{name, short_name, "", help, false, false});
  return *this;
}
Args& Args::positional(const std::string& name, const std::string& help, bool required) {
  pos_.push_back(Pos{name, help, required});
  return *this;
}

const Args::Opt* Args::find(const std::string& token) const {
  for (const auto& o : opts_)
    if (token == "--" + o.name || (!o.short_name.empty() && token == "-" + o.short_name)) return &o;
  return nullptr;
}

bool Args::parse(const std::vector<std::string>& argv) {
  std::size_t npos = 0;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << help();
      return false;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string tok = a, inline_value;
      bool has_inline = false;
      if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
        tok = a.substr(0, eq);
        inline_value = a.substr(eq + 1);
        has_inline = true;
      } else if (a[1] != '-' && a.size() > 2 && !find(a)) {
        // Short option with its value attached, as in make's -j4: -j4 == -j 4.
        if (const Opt* s = find(a.substr(0, 2)); s && s->takes_value) {
          tok = a.substr(0, 2);
          inline_value = a.substr(2);
          has_inline = true;
        }
      }
      const Opt* o = find(tok);
      if (!o) throw usage_error(command_ + ": unknown option '" + tok + "' (see --help)");
      if (!o->takes_value) {
        if (has_inline) throw usage_error(command_ + ": option '" + tok + "' takes no value");
        values_[o->name].push_back("1");
        continue;
      }
      std::string v;
      if (has_inline) {
        v = inline_value;
      } else {
        if (i + 1 >= argv.size())
          throw usage_error(command_ + ": option '" + tok + "' needs a value " + o->metavar);
        v = argv[++i];
      }
      if (!o->repeatable && values_.count(o->name))
        throw usage_error(command_ + ": option '" + tok + "' given twice");
      values_[o->name].push_back(v);
      continue;
    }
    if (npos >= pos_.size())
      throw usage_error(command_ + ": unexpected argument '" + a + "' (see --help)");
    values_[pos_[npos++].name].push_back(a);
  }
  for (std::size_t k = npos; k < pos_.size(); ++k)
    if (pos_[k].required)
      throw usage_error(command_ + ": missing argument <" + pos_[k].name + "> (see --help)");
  return true;
}

std::string Args::get(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::help() const {
  std::ostringstream os;
  os << "usage: accsim " << command_ << " " << synopsis_ << "\n\n" << description_ << "\n";
  if (!pos_.empty()) {
    os << "\narguments:\n";
    for (const auto& p : pos_) os << "  <" << p.name << ">  " << p.help << "\n";
  }
  os << "\noptions:\n";
  for (const auto& o : opts_) {
    std::string left = "  ";
    if (!o.short_name.empty()) left += "-" + o.short_name + ", ";
    left += "--" + o.name + (o.takes_value ? " " + o.metavar : "");
    if (left.size() < 30) left += std::string(30 - left.size(), ' ');
    os << left << "  " << o.help << (o.repeatable ? " (repeatable)" : "") << "\n";
  }
  std::string left = "  -h, --help";
  os << left << std::string(30 - left.size(), ' ') << "  show this help\n";
  return os.str();
}

}  // namespace accsim::cli
