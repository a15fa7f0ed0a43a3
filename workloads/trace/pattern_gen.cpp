#include "workloads/trace/pattern_gen.h"

#include <limits>

#include "sim/core/random.h"

namespace accsim::workloads {

namespace {

const std::vector<std::string>& pattern_names() {
  static const std::vector<std::string> v = {"sequential", "random", "conflict"};
  return v;
}

class PatternReader final : public AccessRecordReader {
 public:
  std::uint64_t record_hint() const override { return p_.count; }
  explicit PatternReader(const PatternParams& p) : p_(p), rng_{p.seed} {
    check_pattern(p_);
    name_ = "<generated " + std::string(access_pattern_name(p_.pattern)) + ">";
    meta_.tool = "accsim trace gen";
    meta_.timestamp_unit = p_.interval_ns > 0 ? TimestampUnit::kNs : TimestampUnit::kNone;
    meta_.time_origin = 0;
    KernelInfo k;
    k.name = "synthetic-" + std::string(access_pattern_name(p_.pattern));
    k.params = {{"pattern", std::string(access_pattern_name(p_.pattern))},
                {"count", p_.count},
                {"base", p_.base},
                {"size", p_.size},
                {"write_fraction", p_.write_fraction},
                {"seed", p_.seed},
                {"interval_ns", p_.interval_ns}};
    if (p_.pattern == AccessPattern::kRandom) k.params["span"] = p_.span;
    if (p_.pattern == AccessPattern::kRowConflict) {
      k.params["row_stride"] = p_.row_stride;
      k.params["rows"] = p_.rows;
    }
    meta_.kernels.push_back(std::move(k));
    slots_ = p_.span / p_.size;
  }

  bool next(AccessRecord& r) override {
    if (i_ == p_.count) return false;
    r = AccessRecord{};
    r.size = p_.size;
    r.timestamp = i_ * p_.interval_ns;
    switch (p_.pattern) {
      case AccessPattern::kSequential:
        r.address = p_.base + i_ * p_.size;
        break;
      case AccessPattern::kRandom:
        r.address = p_.base + (rng_.next() % slots_) * p_.size;
        break;
      case AccessPattern::kRowConflict:
        r.address = p_.base + (i_ % p_.rows) * p_.row_stride;
        break;
    }
    // Drawn after the address so the address stream does not depend on write_fraction.
    if (p_.write_fraction > 0 && rng_.unit() < p_.write_fraction)
      r.kind = static_cast<std::uint8_t>(AccessKind::kStore);
    ++i_;
    return true;
  }
  const AccessTraceMeta& meta() const override { return meta_; }
  TraceFormat format() const override { return TraceFormat::kAccessBinary; }
  const std::string& name() const override { return name_; }

 private:
  PatternParams p_;
  SplitMix64 rng_;
  AccessTraceMeta meta_;
  std::string name_;
  std::uint64_t i_ = 0, slots_ = 0;
};

}  // namespace

std::string_view access_pattern_name(AccessPattern p) {
  return pattern_names()[static_cast<std::size_t>(p)];
}

std::optional<AccessPattern> parse_access_pattern(std::string_view s) {
  for (std::size_t i = 0; i < pattern_names().size(); ++i)
    if (pattern_names()[i] == s) return static_cast<AccessPattern>(i);
  return std::nullopt;
}

void check_pattern(const PatternParams& p) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  auto bad = [](const std::string& m) { return usage_error("trace pattern: " + m); };
  if (p.count == 0 || p.count > kMaxPatternRecords)
    throw bad("count must be 1.." + std::to_string(kMaxPatternRecords) + " (2^32 records)");
  if (p.size == 0 || p.size > kMaxRecordSize)
    throw bad("size must be 1.." + std::to_string(kMaxRecordSize) + " bytes");
  if (!(p.write_fraction >= 0 && p.write_fraction <= 1))
    throw bad("write_fraction must be in [0, 1]");
  if (p.interval_ns > 0 && p.count - 1 > kMax / p.interval_ns)
    throw bad("count x interval_ns overflows 64 bits");
  std::uint64_t reach = 0;  // highest byte offset from base
  switch (p.pattern) {
    case AccessPattern::kSequential:
      if (p.count > kMax / p.size) throw bad("count x size overflows 64 bits");
      reach = p.count * p.size;
      break;
    case AccessPattern::kRandom:
      if (p.span < p.size) throw bad("span must hold at least one access of `size` bytes");
      reach = p.span;
      break;
    case AccessPattern::kRowConflict:
      if (p.rows == 0) throw bad("rows must be at least 1");
      if (p.row_stride < p.size) throw bad("row_stride must be at least `size`");
      if (p.rows - 1 > (kMax - p.size) / p.row_stride) throw bad("rows x row_stride overflows");
      reach = (p.rows - 1) * p.row_stride + p.size;
      break;
  }
  if (p.base > kMax - reach) throw bad("the addresses would wrap past 2^64");
}

std::unique_ptr<AccessRecordReader> make_pattern_reader(const PatternParams& p) {
  return std::make_unique<PatternReader>(p);
}

std::uint64_t write_pattern_trace(const std::string& path, const PatternParams& p,
                                  const AccessWriterOptions& opts,
                                  const std::function<void(std::uint64_t)>& progress) {
  PatternReader rd(p);
  AccessTraceWriter w(path, rd.meta(), opts);
  AccessRecord r;
  while (rd.next(r)) {
    w.append(r);
    if (progress && (w.records() & ((1u << 20) - 1)) == 0) progress(w.records());
  }
  w.close();
  return w.records();
}

const std::vector<BundledTrace>& bundled_traces() {
  static const std::vector<BundledTrace> v = [] {
    std::vector<BundledTrace> t;
    PatternParams seq;
    seq.pattern = AccessPattern::kSequential;
    seq.count = 65536;  // 4 MiB of 64 B reads: long enough to span several refresh intervals
    t.push_back({"seq_read_64k.atrace", "sequential 64 B reads over 4 MiB (peak bandwidth)", seq});
    PatternParams rnd;
    rnd.pattern = AccessPattern::kRandom;
    rnd.count = 32768;
    rnd.span = 1ull << 30;
    rnd.write_fraction = 0.3;
    rnd.seed = 42;
    t.push_back({"random_rw_32k.atrace",
                 "uniform random 64 B accesses over 1 GiB, 70% reads / 30% writes", rnd});
    PatternParams rc;
    rc.pattern = AccessPattern::kRowConflict;
    rc.count = 8192;
    // 16 MiB apart: above the row's lowest bit plus the bank bits an XOR mapping folds in, on
    // every preset (tests/unit/workloads/bundled_mapping_test.cpp); 64 rows span 1 GiB, the
    // smallest preset capacity, and outnumber the controller's read queue entries, so FR-FCFS
    // never finds two requests for one row.
    rc.row_stride = 16ull << 20;
    rc.rows = 64;
    t.push_back({"row_conflict_8k.atrace",
                 "64 B reads cycling over 64 addresses 16 MiB apart (one bank, a new row each)",
                 rc});
    return t;
  }();
  return v;
}

void write_bundled_traces(const std::string& dir) {
  for (const auto& b : bundled_traces()) write_pattern_trace(dir + "/" + b.file, b.params);
}

}  // namespace accsim::workloads
