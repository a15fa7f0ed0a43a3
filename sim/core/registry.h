#pragma once
// Implementations register themselves by name with one macro; asking for an unknown name is an
// error that lists the registered ones.
//
//   ACCSIM_REGISTER(AddressMapper, "RoBaRaCoCh", "row:bank:rank:column:channel", make_robaracoch);
//
// The factory signature is chosen by the base class: Base::Factory.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "sim/core/error.h"

namespace accsim {

template <class Base>
class Registry {
 public:
  using Factory = typename Base::Factory;
  struct Entry {
    std::string name, description;
    Factory make;
  };
  static Registry& instance() {
    static Registry r;
    return r;
  }
  bool add(const std::string& name, const std::string& desc, Factory f) {
    entries_[name] = Entry{name, desc, std::move(f)};
    return true;
  }
  const Entry& get(const std::string& name, const std::string& what) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string known;
      for (auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
      throw Error(ExitCode::kConfig, "unknown " + what + " '" + name + "'; registered: " + known);
    }
    return it->second;
  }
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  std::vector<const Entry*> list() const {
    std::vector<const Entry*> v;
    for (auto& [n, e] : entries_) v.push_back(&e);
    return v;
  }

 private:
  std::map<std::string, Entry> entries_;
};

#define ACCSIM_CAT2(a, b) a##b
#define ACCSIM_CAT(a, b) ACCSIM_CAT2(a, b)
// Registers `factory` under `name` for `Base`. Place in a .cpp linked as a whole archive.
#define ACCSIM_REGISTER(Base, name, desc, factory)                                 \
  static const bool ACCSIM_CAT(accsim_registered_, __COUNTER__) [[maybe_unused]] = \
      ::accsim::Registry<Base>::instance().add(name, desc, factory)

}  // namespace accsim
