#pragma once
// PIM channel commands (AiM-style all-bank operation, models/pim/README.md). Plain C++.
#include <array>
#include <cstdint>
#include <string_view>

namespace accsim::pim {

enum class PimCmd : std::uint8_t {
  kACTAB,  // activate the same row in every bank of the channel
  kPREAB,  // precharge every bank
  kMACAB,  // every bank reads one column (32 B) of its open row and multiply-accumulates it with
           // the same column of the global buffer into its MAC register
  kWRGB,   // write one burst of input vector into the channel's global buffer (external bus)
  kRDMAC,  // read the MAC registers of every bank (one burst: banks x 2 B) and clear them
  kWR,     // write one burst into one bank's open row (KV-cache append; external bus)
  kREFab,  // all-bank refresh (every bank precharged)
  kCount
};
inline constexpr int kNumPimCmds = static_cast<int>(PimCmd::kCount);

constexpr std::string_view pim_cmd_name(PimCmd c) {
  constexpr std::array<std::string_view, kNumPimCmds> n = {"ACTAB", "PREAB", "MACAB", "WRGB",
                                                           "RDMAC", "WR",    "REFab"};
  return n[static_cast<int>(c)];
}

}  // namespace accsim::pim
