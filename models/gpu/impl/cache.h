#pragma once
// A sectored set-associative cache (GPU L1 / L2 slice): lines of `line_bytes` made of 32-byte
// sectors, each sector valid and dirty on its own, LRU replacement. Plain C++; it keeps state
// only, the replay (replay.cpp) owns time. Tags, LRU stamps and sector bits are kept in separate
// arrays, so a lookup reads one set's tags (a cache line or two) and touches one way's state.
#include <cstdint>
#include <vector>

namespace accsim::gpu {

class SectorCache {
 public:
  SectorCache(std::int64_t sets, int ways, int line_bytes, int sector_bytes);
  // True if the sector holding `addr` is valid; a hit makes its line most recently used.
  bool lookup(std::uint64_t addr);
  // Makes the sector valid (and dirty if `dirty`), allocating its line if needed. A line evicted
  // to make room appends the addresses of its dirty sectors to `writebacks` (if not null).
  void fill(std::uint64_t addr, bool dirty, std::vector<std::uint64_t>* writebacks);
  // Marks the sector dirty if present (a store that hits); returns whether it was present.
  bool mark_dirty(std::uint64_t addr);
  std::int64_t sets() const { return sets_; }
  int ways() const { return ways_; }
  std::uint64_t dirty_sectors() const;  // dirty sectors currently held
  std::uint64_t evictions() const { return evictions_; }

 private:
  static constexpr std::uint64_t kNoTag = ~std::uint64_t{0};
  // The way holding the line of `addr` in its set, or -1; `base` = the set's first slot.
  int find(std::uint64_t line, std::size_t base) const;
  // The slot whose sector of `addr` is valid (else -1); `bit` = the sector's mask.
  std::int64_t locate(std::uint64_t addr, std::uint32_t& bit) const;
  std::size_t set_base(std::uint64_t line) const {
    return static_cast<std::size_t>(line % static_cast<std::uint64_t>(sets_)) *
           static_cast<std::size_t>(ways_);
  }
  std::uint32_t sector_bit(std::uint64_t addr) const {
    return 1u << ((addr % static_cast<std::uint64_t>(line_bytes_)) /
                  static_cast<std::uint64_t>(sector_bytes_));
  }
  std::int64_t sets_;
  int ways_, line_bytes_, sector_bytes_;
  std::vector<std::uint64_t> tags_;           // line address per slot, kNoTag when empty
  std::vector<std::uint64_t> lru_;            // last use stamp per slot
  std::vector<std::uint32_t> valid_, dirty_;  // sector bitmasks per slot
  std::uint64_t clock_ = 0, evictions_ = 0;
};

}  // namespace accsim::gpu
