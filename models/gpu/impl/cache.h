#pragma once
// A sectored set-associative cache (GPU L1 / L2 slice): lines of `line_bytes` made of 32-byte
// sectors, each sector valid and dirty on its own, LRU replacement. Plain C++; it keeps state
// only, the replay (replay.cpp) owns time. Tags are kept apart from the rest of a way's state
// (LRU stamp and sector bits, 16 bytes), so a lookup reads one set's tags (a cache line or two)
// and one cache line of the way it hits. No divisions on the lookup path: line and sector sizes
// are powers of two (shifts), the set index is a multiply-high modulo (sets need not be a power
// of two: the H100's L2 slice has 320).
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
  // Host memory per line slot (tag and state), for the run's memory estimate.
  static constexpr std::size_t slot_bytes();

 private:
  static constexpr std::uint64_t kNoTag = ~std::uint64_t{0};
  // The way holding the line of `addr` in its set, or -1; `base` = the set's first slot.
  int find(std::uint64_t line, std::size_t base) const;
  // The slot whose sector of `addr` is valid (else -1); `bit` = the sector's mask.
  std::int64_t locate(std::uint64_t addr, std::uint32_t& bit) const;
  // line mod sets: q = the high half of line x floor((2^64 - 1) / sets) is the quotient or at
  // most 2 below it (the reciprocal is short by less than one unit), so at most two corrections.
  std::size_t set_base(std::uint64_t line) const {
    const auto d = static_cast<std::uint64_t>(sets_);
    const auto q =
        static_cast<std::uint64_t>((static_cast<unsigned __int128>(line) * recip_) >> 64);
    std::uint64_t r = line - q * d;
    while (r >= d) r -= d;
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(ways_);
  }
  std::uint64_t line_of(std::uint64_t addr) const { return addr >> line_shift_; }
  std::uint32_t sector_bit(std::uint64_t addr) const {
    return 1u << ((addr & line_mask_) >> sector_shift_);
  }
  struct Way {
    std::uint64_t lru = 0;               // last use stamp
    std::uint32_t valid = 0, dirty = 0;  // sector bitmasks
  };
  std::int64_t sets_;
  int ways_, line_bytes_, sector_bytes_;
  int line_shift_, sector_shift_;
  std::uint64_t line_mask_, recip_;
  std::vector<std::uint64_t> tags_;  // line address per slot, kNoTag when empty
  std::vector<Way> way_;             // the rest of each slot's state
  std::uint64_t clock_ = 0, evictions_ = 0;
};

constexpr std::size_t SectorCache::slot_bytes() {
  return sizeof(std::uint64_t) + sizeof(Way);
}

}  // namespace accsim::gpu
