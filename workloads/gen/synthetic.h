#pragma once
// Synthetic request streams for tests, benchmarks and sanity studies. Deterministic: the same
// parameters always give the same stream (std::mt19937_64 with an explicit seed).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "workloads/request_source.h"

namespace accsim::workloads {

// addr_i = start + i * stride (wrapping modulo 2^64), i = 0 .. count-1.
struct SequentialParams {
  std::uint64_t start = 0;
  std::int64_t stride = 64;  // bytes; negative walks down
  std::uint64_t count = 0;
  double read_fraction = 1.0;    // probability that a request is a read, in [0, 1]
  std::uint32_t size = 64;       // bytes per request
  std::int64_t interval_ps = 0;  // not_before_ps = i * interval_ps (0: no timestamps)
  std::uint64_t seed = 1;        // for the read/write choice only
};

// addr uniform in [base, base + range), aligned down to `align`.
struct UniformRandomParams {
  std::uint64_t base = 0;
  std::uint64_t range = 1ULL << 30;  // bytes
  std::uint64_t count = 0;
  double read_fraction = 1.0;
  std::uint32_t size = 64;
  std::uint32_t align = 64;  // a power of two
  std::int64_t interval_ps = 0;
  std::uint64_t seed = 1;
};

class SequentialSource final : public RequestSource {
 public:
  // Throws a config error for a zero size or a read fraction outside [0, 1].
  explicit SequentialSource(const SequentialParams& p);
  bool next(MemRequest& out) override;
  std::string describe() const override;
  std::uint64_t total_hint() const override { return p_.count; }

 private:
  SequentialParams p_;
  std::uint64_t i_ = 0;
  std::mt19937_64 rng_;
};

class UniformRandomSource final : public RequestSource {
 public:
  // Throws a config error for a zero size or range, an alignment that is not a power of two or
  // larger than the range, or a read fraction outside [0, 1].
  explicit UniformRandomSource(const UniformRandomParams& p);
  bool next(MemRequest& out) override;
  std::string describe() const override;
  std::uint64_t total_hint() const override { return p_.count; }

 private:
  UniformRandomParams p_;
  std::uint64_t i_ = 0;
  std::uint64_t slots_ = 0;  // number of aligned addresses in the range
  std::mt19937_64 rng_;
};

// A fixed list of requests (tests, hand-built patterns). Ids are reassigned in list order.
class VectorSource final : public RequestSource {
 public:
  explicit VectorSource(std::vector<MemRequest> reqs, std::string name = "vector");
  bool next(MemRequest& out) override;
  std::string describe() const override;
  std::uint64_t total_hint() const override { return reqs_.size(); }

 private:
  std::vector<MemRequest> reqs_;
  std::string name_;
  std::size_t i_ = 0;
};

}  // namespace accsim::workloads
