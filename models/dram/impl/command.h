#pragma once
// DRAM commands and addresses, shared by the timing engine, the controller, the protocol checker
// and the energy observer. Plain C++, no SystemC.
#include <array>
#include <cstdint>
#include <string_view>

#include "hw/dram_spec.h"

namespace accsim::dram {

enum class Cmd : std::uint8_t {
  kACT,    // activate a row in one bank
  kPRE,    // precharge one bank
  kPREA,   // precharge all banks of a rank
  kRD,     // column read
  kWR,     // column write
  kRDA,    // read with auto-precharge
  kWRA,    // write with auto-precharge
  kREFab,  // all-bank refresh of a rank (all banks must be precharged)
  kREFpb,  // per-bank refresh (DDR5: same-bank refresh REFsb, bank index in every bank group)
  kCount
};
inline constexpr int kNumCmds = static_cast<int>(Cmd::kCount);

constexpr std::string_view cmd_name(Cmd c) {
  constexpr std::array<std::string_view, kNumCmds> n = {"ACT", "PRE", "PREA",  "RD",   "WR",
                                                        "RDA", "WRA", "REFab", "REFpb"};
  return n[static_cast<int>(c)];
}
constexpr bool is_read(Cmd c) {
  return c == Cmd::kRD || c == Cmd::kRDA;
}
constexpr bool is_write(Cmd c) {
  return c == Cmd::kWR || c == Cmd::kWRA;
}
constexpr bool is_column(Cmd c) {
  return is_read(c) || is_write(c);
}
constexpr bool is_refresh(Cmd c) {
  return c == Cmd::kREFab || c == Cmd::kREFpb;
}
// Commands that address a whole rank (bank fields are ignored).
constexpr bool is_rank_cmd(Cmd c) {
  return c == Cmd::kPREA || c == Cmd::kREFab;
}

// A bank inside one independent (pseudo-)channel. `sid` is the stack ID (HBM3 SID; 0 where the
// standard has none); it comes last so that {rank, bank_group, bank} still reads as before.
struct BankAddr {
  int rank = 0;
  int bank_group = 0;
  int bank = 0;  // index inside its bank group
  int sid = 0;   // stack ID inside its rank
  bool operator==(const BankAddr&) const = default;
};

// Flat bank index inside a channel: ((rank * stack_ids + sid) * bank_groups + bank_group) *
// banks_per_group + bank. The one definition every part of the DRAM model uses.
constexpr int flat_bank(const hw::DramOrg& o, const BankAddr& b) {
  return ((b.rank * o.stack_ids + b.sid) * o.bank_groups + b.bank_group) * o.banks_per_group +
         b.bank;
}
constexpr BankAddr bank_at(const hw::DramOrg& o, int flat) {
  const int bpg = o.banks_per_group, g = flat / bpg;  // g: flat bank group
  const int s = g / o.bank_groups;                    // s: flat stack ID
  return BankAddr{s / o.stack_ids, g % o.bank_groups, flat % bpg, s % o.stack_ids};
}

// A fully decoded address. `channel` is the flat index of the independent channel that owns it
// (for HBM: channel * pseudo_channels + pseudo_channel).
struct DramAddr {
  int channel = 0;
  int pseudo_channel = 0;
  BankAddr bank;
  std::int64_t row = 0;
  int column = 0;  // in units of one burst (access granularity), not device columns
  bool operator==(const DramAddr&) const = default;
};

}  // namespace accsim::dram
