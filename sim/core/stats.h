#pragma once
// Statistics registered by name, with a description and a unit. Derived figures are formulas
// evaluated when the report is written. Components own a StatsGroup each; the run collects them.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/units.h"

namespace accsim {

using Json = nlohmann::ordered_json;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_ += n; }
  std::uint64_t value() const { return v_; }

 private:
  std::uint64_t v_ = 0;
};

// Exact distribution of non-negative integer samples (latencies in cycles, sizes ...).
// Percentiles are exact (nearest-rank); memory is bounded by the number of distinct values.
class Distribution {
 public:
  void add(std::uint64_t v, std::uint64_t times = 1);  // `times` samples of value v
  std::uint64_t count() const { return n_; }
  double mean() const { return n_ ? static_cast<double>(sum_) / static_cast<double>(n_) : 0.0; }
  std::uint64_t min() const { return n_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  // Nearest-rank percentile, p in [0, 100]. 0 if empty.
  std::uint64_t percentile(double p) const;

 private:
  static constexpr std::uint64_t kDense = 1 << 16;
  std::vector<std::uint64_t> dense_;               // counts for values < kDense
  std::map<std::uint64_t, std::uint64_t> sparse_;  // counts for larger values
  std::uint64_t n_ = 0, sum_ = 0, min_ = ~0ULL, max_ = 0;
};

// A level that changes over time (queue occupancy): time-weighted mean and peak.
class Occupancy {
 public:
  void set(Cycle now, std::int64_t level);
  void finish(Cycle end);  // closes the last interval
  std::int64_t peak() const { return peak_; }
  double mean() const;

 private:
  Cycle start_ = -1, last_ = 0, end_ = 0;
  std::int64_t level_ = 0, peak_ = 0;
  double area_ = 0;
};

class StatsGroup {
 public:
  explicit StatsGroup(std::string name);
  ~StatsGroup();
  StatsGroup(const StatsGroup&) = delete;
  StatsGroup& operator=(const StatsGroup&) = delete;
  const std::string& name() const { return name_; }
  Counter& counter(const std::string& name, const std::string& desc, const std::string& unit);
  Distribution& distribution(const std::string& name, const std::string& desc,
                             const std::string& unit);
  Occupancy& occupancy(const std::string& name, const std::string& desc, const std::string& unit);
  // A value known at the end of the run (set before the report is written).
  void scalar(const std::string& name, const std::string& desc, const std::string& unit,
              double value);
  // A derived figure, evaluated at dump time.
  void formula(const std::string& name, const std::string& desc, const std::string& unit,
               std::function<double()> fn);
  // {"name": {"value": ..., "unit": ..., "desc": ...}, ...} in registration order.
  // Distributions give {count, mean, p50, p99, max, min}; occupancies {mean, peak}.
  Json to_json() const;
  // Evaluates every formula once and keeps the value, so the group no longer refers to the
  // model objects the formulas read (call before those objects are destroyed).
  void freeze();
  // Looks up a value by name for tests and tables (counters, scalars, formulas); throws if absent.
  double value(const std::string& name) const;
  bool has(const std::string& name) const;

 private:
  struct Entry;
  std::string name_;
  std::vector<std::unique_ptr<Entry>> entries_;
  Entry* find(const std::string& name) const;
  Entry& add(const std::string& name, const std::string& desc, const std::string& unit, int kind);
};

class StatsRegistry {
 public:
  StatsGroup& group(const std::string& component);
  Json to_json() const;
  void freeze();  // StatsGroup::freeze on every group
  const std::vector<std::unique_ptr<StatsGroup>>& groups() const { return groups_; }

 private:
  std::vector<std::unique_ptr<StatsGroup>> groups_;
};

}  // namespace accsim
