#pragma once
// Outstanding misses by sector (an MSHR table): sector address -> the first request waiting for
// it. Open addressing with linear probing and backward-shift deletion, so lookups touch one or
// two cache lines and nothing is allocated per miss (the replay's hot path; a std::unordered_map
// of vectors was its largest cost). Plain C++.
#include <bit>
#include <cstdint>
#include <vector>

namespace accsim::gpu {

class SectorTable {
 public:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  SectorTable() : slots_(16) {}

  // The value stored for `sector`, or kNone.
  std::uint32_t find(std::uint64_t sector) const {
    for (std::size_t i = home(sector);; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.key == sector) return s.value;
      if (s.key == kEmpty) return kNone;
    }
  }
  // The stored value's slot for `sector` (present), to change it in place.
  std::uint32_t& at(std::uint64_t sector) {
    std::size_t i = home(sector);
    while (slots_[i].key != sector) i = (i + 1) & mask();
    return slots_[i].value;
  }
  // Stores `value` for `sector`, which must not be present.
  void insert(std::uint64_t sector, std::uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = home(sector);
    while (slots_[i].key != kEmpty) i = (i + 1) & mask();
    slots_[i] = Slot{sector, value};
    ++size_;
  }
  // Removes `sector` (present) and returns its value.
  std::uint32_t erase(std::uint64_t sector) {
    std::size_t i = home(sector);
    while (slots_[i].key != sector) i = (i + 1) & mask();
    const std::uint32_t v = slots_[i].value;
    // Backward shift: move later entries of the probe run into the hole when their home allows.
    for (std::size_t j = (i + 1) & mask(); slots_[j].key != kEmpty; j = (j + 1) & mask()) {
      const std::size_t h = home(slots_[j].key);
      if (((j - h) & mask()) >= ((j - i) & mask())) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    --size_;
    return v;
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // never a (32-byte aligned) sector
  struct Slot {
    std::uint64_t key = kEmpty;
    std::uint32_t value = kNone;
  };
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint64_t k) const {
    return static_cast<std::size_t>((k >> 5) * 0x9E3779B97F4A7C15ull >>
                                    (64 - std::countr_zero(slots_.size()))) &
           mask();
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) insert(s.key, s.value);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace accsim::gpu
