#include "models/gpu/impl/cache.h"

#include <bit>

namespace accsim::gpu {

SectorCache::SectorCache(std::int64_t sets, int ways, int line_bytes, int sector_bytes)
    : sets_(sets),
      ways_(ways),
      line_bytes_(line_bytes),
      sector_bytes_(sector_bytes),
      lines_(static_cast<std::size_t>(sets * ways)) {}

SectorCache::Line* SectorCache::find(std::uint64_t line_addr, std::int64_t set) {
  Line* base = &lines_[static_cast<std::size_t>(set * ways_)];
  for (int w = 0; w < ways_; ++w)
    if (base[w].used && base[w].tag == line_addr) return &base[w];
  return nullptr;
}

SectorCache::Line* SectorCache::locate(std::uint64_t addr, std::uint32_t& bit) {
  const std::uint64_t line = addr / static_cast<std::uint64_t>(line_bytes_);
  const auto set = static_cast<std::int64_t>(line % static_cast<std::uint64_t>(sets_));
  bit = 1u << ((addr % static_cast<std::uint64_t>(line_bytes_)) /
               static_cast<std::uint64_t>(sector_bytes_));
  Line* l = find(line, set);
  return l != nullptr && (l->valid & bit) != 0 ? l : nullptr;
}

bool SectorCache::lookup(std::uint64_t addr) {
  std::uint32_t bit = 0;
  Line* l = locate(addr, bit);
  if (l == nullptr) return false;
  l->lru = ++clock_;
  return true;
}

bool SectorCache::mark_dirty(std::uint64_t addr) {
  std::uint32_t bit = 0;
  Line* l = locate(addr, bit);
  if (l == nullptr) return false;
  l->dirty |= bit;
  l->lru = ++clock_;
  return true;
}

void SectorCache::fill(std::uint64_t addr, bool dirty, std::vector<std::uint64_t>* writebacks) {
  const std::uint64_t line = addr / static_cast<std::uint64_t>(line_bytes_);
  const auto set = static_cast<std::int64_t>(line % static_cast<std::uint64_t>(sets_));
  const std::uint32_t bit = 1u << ((addr % static_cast<std::uint64_t>(line_bytes_)) /
                                   static_cast<std::uint64_t>(sector_bytes_));
  Line* l = find(line, set);
  if (l == nullptr) {
    Line* base = &lines_[static_cast<std::size_t>(set * ways_)];
    Line* victim = &base[0];
    for (int w = 0; w < ways_; ++w) {
      if (!base[w].used) {
        victim = &base[w];
        break;
      }
      if (base[w].lru < victim->lru) victim = &base[w];
    }
    if (victim->used) {
      ++evictions_;
      if (writebacks != nullptr)
        for (std::uint32_t d = victim->dirty; d != 0; d &= d - 1)
          writebacks->push_back(victim->tag * static_cast<std::uint64_t>(line_bytes_) +
                                static_cast<std::uint64_t>(std::countr_zero(d)) *
                                    static_cast<std::uint64_t>(sector_bytes_));
    }
    *victim = Line{line, 0, 0, 0, true};
    l = victim;
  }
  l->valid |= bit;
  if (dirty) l->dirty |= bit;
  l->lru = ++clock_;
}

std::uint64_t SectorCache::dirty_sectors() const {
  std::uint64_t n = 0;
  for (const auto& l : lines_)
    if (l.used) n += static_cast<std::uint64_t>(std::popcount(l.dirty));
  return n;
}

}  // namespace accsim::gpu
