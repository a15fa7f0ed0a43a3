#include "models/gpu/impl/cache.h"

#include <algorithm>
#include <bit>

#include "sim/core/error.h"

namespace accsim::gpu {

SectorCache::SectorCache(std::int64_t sets, int ways, int line_bytes, int sector_bytes)
    : sets_(sets),
      ways_(ways),
      line_bytes_(line_bytes),
      sector_bytes_(sector_bytes),
      line_shift_(std::countr_zero(static_cast<unsigned>(line_bytes))),
      sector_shift_(std::countr_zero(static_cast<unsigned>(sector_bytes))),
      line_mask_(static_cast<std::uint64_t>(line_bytes) - 1),
      recip_(~std::uint64_t{0} / static_cast<std::uint64_t>(std::max<std::int64_t>(sets, 1))),
      tags_(static_cast<std::size_t>(sets * ways), kNoTag),
      way_(tags_.size()) {
  // The spec checks these (hw/gpu_spec.cpp); shifts need them.
  if (sets < 1 || std::popcount(static_cast<unsigned>(line_bytes)) != 1 ||
      std::popcount(static_cast<unsigned>(sector_bytes)) != 1 || line_bytes / sector_bytes > 32)
    throw Error(ExitCode::kInternal,
                "gpu: a cache needs >= 1 set, power-of-two line and sector sizes and at most 32 "
                "sectors per line");
}

int SectorCache::find(std::uint64_t line, std::size_t base) const {
  const std::uint64_t* t = &tags_[base];
  for (int w = 0; w < ways_; ++w)
    if (t[w] == line) return w;
  return -1;
}

std::int64_t SectorCache::locate(std::uint64_t addr, std::uint32_t& bit) const {
  const std::uint64_t line = line_of(addr);
  const std::size_t base = set_base(line);
  bit = sector_bit(addr);
  const int w = find(line, base);
  if (w < 0) return -1;
  const std::size_t slot = base + static_cast<std::size_t>(w);
  return (way_[slot].valid & bit) != 0 ? static_cast<std::int64_t>(slot) : -1;
}

bool SectorCache::lookup(std::uint64_t addr) {
  std::uint32_t bit = 0;
  const std::int64_t s = locate(addr, bit);
  if (s < 0) return false;
  way_[static_cast<std::size_t>(s)].lru = ++clock_;
  return true;
}

bool SectorCache::mark_dirty(std::uint64_t addr) {
  std::uint32_t bit = 0;
  const std::int64_t s = locate(addr, bit);
  if (s < 0) return false;
  way_[static_cast<std::size_t>(s)].dirty |= bit;
  way_[static_cast<std::size_t>(s)].lru = ++clock_;
  return true;
}

void SectorCache::fill(std::uint64_t addr, bool dirty, std::vector<std::uint64_t>* writebacks) {
  const std::uint64_t line = line_of(addr);
  const std::size_t base = set_base(line);
  const std::uint32_t bit = sector_bit(addr);
  int w = find(line, base);
  if (w < 0) {
    // An empty way, else the least recently used one.
    w = 0;
    for (int k = 0; k < ways_; ++k) {
      if (tags_[base + static_cast<std::size_t>(k)] == kNoTag) {
        w = k;
        break;
      }
      if (way_[base + static_cast<std::size_t>(k)].lru <
          way_[base + static_cast<std::size_t>(w)].lru)
        w = k;
    }
    const std::size_t v = base + static_cast<std::size_t>(w);
    if (tags_[v] != kNoTag) {
      ++evictions_;
      if (writebacks != nullptr)
        for (std::uint32_t d = way_[v].dirty; d != 0; d &= d - 1)
          writebacks->push_back(tags_[v] * static_cast<std::uint64_t>(line_bytes_) +
                                static_cast<std::uint64_t>(std::countr_zero(d)) *
                                    static_cast<std::uint64_t>(sector_bytes_));
    }
    tags_[v] = line;
    way_[v].valid = way_[v].dirty = 0;
  }
  const std::size_t s = base + static_cast<std::size_t>(w);
  Way& x = way_[s];
  x.valid |= bit;
  if (dirty) x.dirty |= bit;
  x.lru = ++clock_;
}

std::uint64_t SectorCache::dirty_sectors() const {
  std::uint64_t n = 0;
  for (std::size_t s = 0; s < tags_.size(); ++s)
    if (tags_[s] != kNoTag) n += static_cast<std::uint64_t>(std::popcount(way_[s].dirty));
  return n;
}

}  // namespace accsim::gpu
