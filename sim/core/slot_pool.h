#pragma once
// Objects addressed by a stable 32-bit index whose slots are reused once released (a free list),
// so memory follows the most objects alive at once, not the number ever made: in-flight memory
// requests, MSHR waiters, resident CTAs. acquire() hands back a released slot as it was left (the
// caller sets it up) or a default-constructed new one.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace accsim {

template <class T>
class SlotPool {
 public:
  std::uint32_t acquire() {
    if (!free_.empty()) {
      const std::uint32_t i = free_.back();
      free_.pop_back();
      return i;
    }
    items_.emplace_back();
    return static_cast<std::uint32_t>(items_.size() - 1);
  }
  void release(std::uint32_t i) { free_.push_back(i); }
  void reserve(std::size_t n) { items_.reserve(n); }
  void clear() {
    items_.clear();
    free_.clear();
  }
  T& operator[](std::uint32_t i) { return items_[i]; }
  const T& operator[](std::uint32_t i) const { return items_[i]; }
  T& at(std::uint32_t i) { return items_.at(i); }
  // Every slot ever made, released or not (callers that scan them check their own state).
  const std::vector<T>& slots() const { return items_; }

 private:
  std::vector<T> items_;
  std::vector<std::uint32_t> free_;
};

}  // namespace accsim
