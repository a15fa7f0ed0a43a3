#pragma once
// A sectored set-associative cache (GPU L1 / L2 slice): lines of `line_bytes` made of 32-byte
// sectors, each sector valid and dirty on its own, LRU replacement. Plain C++; it keeps state
// only, the replay (replay.cpp) owns time.
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
  struct Line {
    std::uint64_t tag = 0;
    std::uint64_t lru = 0;
    std::uint32_t valid = 0;  // sector bitmasks
    std::uint32_t dirty = 0;
    bool used = false;
  };
  Line* find(std::uint64_t line_addr, std::int64_t set);
  // The line holding the sector of `addr` if that sector is valid (else null); `bit` = its mask.
  Line* locate(std::uint64_t addr, std::uint32_t& bit);
  std::int64_t sets_;
  int ways_, line_bytes_, sector_bytes_;
  std::vector<Line> lines_;
  std::uint64_t clock_ = 0, evictions_ = 0;
};

}  // namespace accsim::gpu
