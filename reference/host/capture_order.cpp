#include "reference/host/capture_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace accsim::ref {
namespace {

namespace wl = accsim::workloads;

constexpr std::uint8_t kCtaBegin = static_cast<std::uint8_t>(wl::RecordKind::kCtaBegin);
constexpr std::uint8_t kWarpExit = static_cast<std::uint8_t>(wl::RecordKind::kWarpExit);

using CtaKey = std::pair<std::uint16_t, std::uint32_t>;  // kernel, CTA

}  // namespace

void order_capture_records(std::vector<wl::AccessRecord>& records) {
  std::map<std::tuple<std::uint16_t, std::uint32_t, std::uint16_t>, std::uint64_t> last;
  std::map<CtaKey, std::uint64_t> first;
  for (auto& r : records) {
    auto [it, fresh] = last.try_emplace({r.kernel, r.cta, r.warp}, r.timestamp);
    if (!fresh) {
      r.timestamp = std::max(r.timestamp, it->second);
      it->second = r.timestamp;
    }
    auto [f, added] = first.try_emplace({r.kernel, r.cta}, r.timestamp);
    if (!added) f->second = std::min(f->second, r.timestamp);
  }
  for (auto& r : records)
    if (r.kind == kCtaBegin) r.timestamp = first.at({r.kernel, r.cta});
  std::stable_sort(records.begin(), records.end(),
                   [](const wl::AccessRecord& a, const wl::AccessRecord& b) {
                     if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
                     return a.kind == kCtaBegin && b.kind != kCtaBegin;
                   });
}

std::string capture_structure_errors(const std::vector<wl::AccessRecord>& records,
                                     const std::vector<std::uint32_t>& warps) {
  struct Cta {
    std::uint64_t begins = 0;
    bool other_before_begin = false;
    std::map<std::uint16_t, std::uint64_t> exits;  // warp -> warp_exit records
    std::map<std::uint16_t, bool> after_exit;      // warp -> a record after its warp_exit
  };
  std::map<CtaKey, Cta> ctas;
  std::string err;
  int shown = 0;
  const auto fail = [&](const std::string& m) {
    if (shown++ < 8) err += (err.empty() ? "" : "; ") + m;
  };
  for (const auto& r : records) {
    if (r.kernel >= warps.size()) {
      fail(fmt::format("record of kernel {} (only {} kernels)", r.kernel, warps.size()));
      continue;
    }
    if (r.warp >= warps[r.kernel])
      fail(fmt::format("kernel {} CTA {}: warp {} >= {} warps", r.kernel, r.cta, r.warp,
                       warps[r.kernel]));
    Cta& c = ctas[{r.kernel, r.cta}];
    if (r.kind == kCtaBegin) {
      ++c.begins;
      continue;
    }
    if (c.begins == 0) c.other_before_begin = true;
    if (c.exits[r.warp] > 0) c.after_exit[r.warp] = true;
    if (r.kind == kWarpExit) ++c.exits[r.warp];
  }
  for (const auto& [key, c] : ctas) {
    const std::string at = fmt::format("kernel {} CTA {}", key.first, key.second);
    if (c.begins != 1) fail(fmt::format("{}: {} cta_begin records", at, c.begins));
    if (c.other_before_begin) fail(at + ": a record before its cta_begin");
    for (std::uint32_t w = 0; w < warps[key.first]; ++w) {
      const auto it = c.exits.find(static_cast<std::uint16_t>(w));
      const std::uint64_t n = it == c.exits.end() ? 0 : it->second;
      if (n != 1) fail(fmt::format("{} warp {}: {} warp_exit records", at, w, n));
    }
    for (const auto& [w, after] : c.after_exit)
      if (after) fail(fmt::format("{} warp {}: records after its warp_exit", at, w));
  }
  if (shown > 8) err += fmt::format("; ... {} problems in all", shown);
  return err;
}

}  // namespace accsim::ref
