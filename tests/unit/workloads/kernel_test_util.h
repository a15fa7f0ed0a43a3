#pragma once
// Helpers shared by the kernel record generator's tests (kernel_access_test.cpp,
// kernel_mix_test.cpp): records grouped per warp, the instruction mix per warp.
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "workloads/gen/kernel_access.h"

namespace accsim::workloads::testing {

inline bool is_structure(const AccessRecord& r) {
  return r.kind == static_cast<std::uint8_t>(RecordKind::kCtaBegin) ||
         r.kind == static_cast<std::uint8_t>(RecordKind::kWarpExit);
}
inline bool is_kind(const AccessRecord& r, RecordKind k) {
  return r.kind == static_cast<std::uint8_t>(k);
}

// (kernel, cta, warp) -> that warp's records in the order given, cta_begin and warp_exit left
// out (a kernel source never yields them).
using WarpKey = std::tuple<std::uint16_t, std::uint32_t, std::uint16_t>;
using PerWarp = std::map<WarpKey, std::vector<AccessRecord>>;
inline PerWarp per_warp(const std::vector<AccessRecord>& recs) {
  PerWarp out;
  for (const auto& r : recs)
    if (!is_structure(r)) out[{r.kernel, r.cta, r.warp}].push_back(r);
  return out;
}

// What the capture comparison checks of a warp's instruction mix: the multiset of (class, n) of
// its compute records and its barrier count.
struct WarpMix {
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> items;
  std::uint64_t barriers = 0;
  bool operator==(const WarpMix& o) const { return items == o.items && barriers == o.barriers; }
};
// Per (cta, warp) of kernel `kernel`.
inline std::map<std::pair<std::uint32_t, std::uint16_t>, WarpMix> mix_per_warp(
    const std::vector<AccessRecord>& recs, std::uint16_t kernel) {
  std::map<std::pair<std::uint32_t, std::uint16_t>, WarpMix> out;
  for (const auto& r : recs) {
    if (r.kernel != kernel) continue;
    if (is_kind(r, RecordKind::kCompute)) ++out[{r.cta, r.warp}].items[{r.size, r.address}];
    if (is_kind(r, RecordKind::kBarrier)) ++out[{r.cta, r.warp}].barriers;
  }
  return out;
}

}  // namespace accsim::workloads::testing
