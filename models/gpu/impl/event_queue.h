#pragma once
// The GPU replay's event queue: events at integer SM cycles, taken in time order and, within a
// cycle, in the order they were pushed (so runs are deterministic). A calendar queue: a ring of
// one bucket per cycle for the next `kSpan` cycles (push and pop O(1); almost every GPU event is
// a few hundred cycles ahead) and a heap for events further out. Equivalent to a binary heap
// ordered by (cycle, push sequence) — the unit test checks exactly that — at a fraction of the
// cost per event. Plain C++; no SystemC.
#include <cstdint>
#include <queue>
#include <vector>

#include "sim/core/error.h"

namespace accsim::gpu {

template <class Payload>
class CalendarQueue {
 public:
  static constexpr std::int64_t kSpan = 4096;  // cycles held in the ring (a power of two)

  CalendarQueue() : ring_(kSpan) {}

  bool empty() const { return in_ring_ == 0 && far_.empty(); }
  std::size_t size() const { return in_ring_ + far_.size(); }
  // The cycle of the latest pop (events may not be pushed before it).
  std::int64_t now() const { return cur_; }

  void push(std::int64_t t, const Payload& p) {
    if (t < cur_) throw Error(ExitCode::kInternal, "gpu event queue: an event in the past");
    if (t - cur_ < kSpan) {
      ring_[static_cast<std::size_t>(t & (kSpan - 1))].push_back(p);
      ++in_ring_;
    } else {
      far_.push(Far{t, seq_++, p});
    }
    if (next_ != kUnknown && t < next_) next_ = t;
  }

  // The cycle of the next event; the queue must not be empty. Does not advance time.
  std::int64_t next_time() {
    if (next_ != kUnknown) return next_;
    if (in_ring_ == 0) return next_ = far_.top().t;
    std::int64_t t = cur_;
    // A bucket whose events were all taken is empty, and events of a later cycle than the ring
    // covers are in the heap, so the first non-empty bucket from the current cycle is the next
    // time unless the heap holds an earlier one (pushed before the ring reached that cycle).
    while (bucket(t).size() <= (t == cur_ ? pos_ : 0)) ++t;
    if (!far_.empty() && far_.top().t < t) t = far_.top().t;
    return next_ = t;
  }

  // The event `ahead` places after the next one to be taken, if it is in the same cycle's bucket
  // (else null): lets the caller prefetch what that event will touch. Valid until the next push
  // or pop.
  const Payload* peek(std::size_t ahead) const {
    const std::vector<Payload>& b = ring_[static_cast<std::size_t>(cur_ & (kSpan - 1))];
    return pos_ + ahead < b.size() ? &b[pos_ + ahead] : nullptr;
  }

  // Takes the next event; `t` gets its cycle.
  Payload pop(std::int64_t& t) {
    const std::int64_t nt = next_time();
    advance_to(nt);
    std::vector<Payload>& b = bucket(cur_);
    Payload p = b[pos_++];
    --in_ring_;
    if (pos_ == b.size()) {
      b.clear();
      pos_ = 0;
      next_ = kUnknown;
    }
    t = cur_;
    return p;
  }

 private:
  static constexpr std::int64_t kUnknown = INT64_MAX;
  struct Far {
    std::int64_t t;
    std::uint64_t seq;
    Payload p;
    bool operator>(const Far& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };

  std::vector<Payload>& bucket(std::int64_t t) {
    return ring_[static_cast<std::size_t>(t & (kSpan - 1))];
  }

  // Moves the current cycle to `t` (>= cur_), bringing heap events that come within the ring's
  // span into their buckets. A heap event of cycle c was pushed before any ring event of c could
  // be (those need c - now < kSpan, and the move happens as soon as that holds), so appending it
  // keeps push order within the cycle.
  void advance_to(std::int64_t t) {
    if (t != cur_) {
      if (pos_ != 0) {  // the rest of the current bucket was taken
        bucket(cur_).clear();
        pos_ = 0;
      }
      cur_ = t;
    }
    while (!far_.empty() && far_.top().t - cur_ < kSpan) {
      bucket(far_.top().t).push_back(far_.top().p);
      ++in_ring_;
      far_.pop();
    }
  }

  std::vector<std::vector<Payload>> ring_;
  std::priority_queue<Far, std::vector<Far>, std::greater<>> far_;
  std::int64_t cur_ = 0;
  std::size_t pos_ = 0;  // next event to take in the current cycle's bucket
  std::size_t in_ring_ = 0;
  std::int64_t next_ = kUnknown;  // cached next_time()
  std::uint64_t seq_ = 0;
};

}  // namespace accsim::gpu
