#include "sim/core/stats.h"

#include <cmath>
#include <stdexcept>

#include "sim/core/error.h"

namespace accsim {

void Distribution::add(std::uint64_t v, std::uint64_t times) {
  if (times == 0) return;
  if (v < kDense) {
    if (dense_.size() <= v) dense_.resize(std::max<std::size_t>(v + 1, dense_.size() * 2), 0);
    dense_[v] += times;
  } else {
    sparse_[v] += times;
  }
  n_ += times;
  sum_ += v * times;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
}

std::uint64_t Distribution::percentile(double p) const {
  if (n_ == 0) return 0;
  // Nearest rank: the smallest value with at least ceil(p/100 * n) samples at or below it.
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(n_)));
  if (rank < 1) rank = 1;
  if (rank > n_) rank = n_;
  std::uint64_t seen = 0;
  for (std::size_t v = 0; v < dense_.size(); ++v) {
    seen += dense_[v];
    if (seen >= rank) return v;
  }
  for (const auto& [v, c] : sparse_) {
    seen += c;
    if (seen >= rank) return v;
  }
  return max_;
}

void Occupancy::set(Cycle now, std::int64_t level) {
  if (start_ < 0) {
    start_ = now;
    last_ = now;
  }
  if (now > last_) {
    area_ += static_cast<double>(level_) * static_cast<double>(now - last_);
    last_ = now;
  }
  level_ = level;
  if (level > peak_) peak_ = level;
}

void Occupancy::finish(Cycle end) {
  if (start_ < 0) {
    start_ = 0;
    last_ = 0;
  }
  if (end > last_) {
    area_ += static_cast<double>(level_) * static_cast<double>(end - last_);
    last_ = end;
  }
  end_ = end;
}

double Occupancy::mean() const {
  Cycle span = last_ - (start_ < 0 ? 0 : start_);
  return span > 0 ? area_ / static_cast<double>(span) : static_cast<double>(level_);
}

struct StatsGroup::Entry {
  std::string name, desc, unit;
  int kind = 0;  // 0 counter, 1 distribution, 2 occupancy, 3 scalar, 4 formula
  Counter counter;
  Distribution dist;
  Occupancy occ;
  double scalar = 0;
  std::function<double()> fn;
};

StatsGroup::StatsGroup(std::string name) : name_(std::move(name)) {}
StatsGroup::~StatsGroup() = default;

StatsGroup::Entry* StatsGroup::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e->name == name) return e.get();
  return nullptr;
}

StatsGroup::Entry& StatsGroup::add(const std::string& name, const std::string& desc,
                                   const std::string& unit, int kind) {
  if (find(name))
    throw Error(ExitCode::kInternal, "stat '" + name_ + "." + name + "' registered twice");
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->desc = desc;
  e->unit = unit;
  e->kind = kind;
  entries_.push_back(std::move(e));
  return *entries_.back();
}

Counter& StatsGroup::counter(const std::string& n, const std::string& d, const std::string& u) {
  return add(n, d, u, 0).counter;
}
Distribution& StatsGroup::distribution(const std::string& n, const std::string& d,
                                       const std::string& u) {
  return add(n, d, u, 1).dist;
}
Occupancy& StatsGroup::occupancy(const std::string& n, const std::string& d, const std::string& u) {
  return add(n, d, u, 2).occ;
}
void StatsGroup::scalar(const std::string& n, const std::string& d, const std::string& u,
                        double v) {
  if (Entry* e = find(n); e && e->kind == 3) {
    e->scalar = v;
    return;
  }
  add(n, d, u, 3).scalar = v;
}
void StatsGroup::formula(const std::string& n, const std::string& d, const std::string& u,
                         std::function<double()> fn) {
  add(n, d, u, 4).fn = std::move(fn);
}

namespace {
// Reports must be byte-identical across runs and readable: non-finite values become null.
Json num(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}
}  // namespace

Json StatsGroup::to_json() const {
  Json j = Json::object();
  for (const auto& e : entries_) {
    Json s = Json::object();
    switch (e->kind) {
      case 0:
        s["value"] = e->counter.value();
        break;
      case 1:
        s["count"] = e->dist.count();
        s["mean"] = num(e->dist.mean());
        s["min"] = e->dist.min();
        s["p50"] = e->dist.percentile(50);
        s["p99"] = e->dist.percentile(99);
        s["max"] = e->dist.max();
        break;
      case 2:
        s["mean"] = num(e->occ.mean());
        s["peak"] = e->occ.peak();
        break;
      case 3:
        s["value"] = num(e->scalar);
        break;
      case 4:
        s["value"] = num(e->fn());
        break;
    }
    s["unit"] = e->unit;
    s["desc"] = e->desc;
    j[e->name] = std::move(s);
  }
  return j;
}

void StatsGroup::freeze() {
  for (auto& e : entries_)
    if (e->kind == 4) {
      e->scalar = e->fn();
      e->fn = nullptr;
      e->kind = 3;
    }
}

void StatsRegistry::freeze() {
  for (auto& g : groups_) g->freeze();
}

bool StatsGroup::has(const std::string& name) const {
  return find(name) != nullptr;
}

double StatsGroup::value(const std::string& name) const {
  const Entry* e = find(name);
  if (!e) throw Error(ExitCode::kInternal, "no stat '" + name_ + "." + name + "'");
  switch (e->kind) {
    case 0:
      return static_cast<double>(e->counter.value());
    case 1:
      return e->dist.mean();
    case 2:
      return e->occ.mean();
    case 3:
      return e->scalar;
    default:
      return e->fn();
  }
}

StatsGroup& StatsRegistry::group(const std::string& component) {
  for (auto& g : groups_)
    if (g->name() == component) return *g;
  groups_.push_back(std::make_unique<StatsGroup>(component));
  return *groups_.back();
}

Json StatsRegistry::to_json() const {
  Json j = Json::object();
  for (const auto& g : groups_) j[g->name()] = g->to_json();
  return j;
}

}  // namespace accsim
