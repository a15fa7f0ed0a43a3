#pragma once
// The memory request that every issuer sends to every memory model. Plain C++, no SystemC.
#include <cstdint>

namespace accsim {

struct MemRequest {
  std::uint64_t id = 0;     // unique per run, in issue order
  std::uint64_t addr = 0;   // byte address
  std::uint32_t size = 64;  // bytes
  bool is_write = false;
  std::int64_t not_before_ps = 0;  // trace timestamp: the request may not be issued earlier
  // Origin in the captured kernel (for GPU traces; 0 otherwise).
  std::uint16_t sm = 0;
  std::uint32_t cta = 0;
  std::uint16_t warp = 0;
};

}  // namespace accsim
