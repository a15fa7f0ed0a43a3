#pragma once
// Synthetic access patterns written as access traces: the bundled traces in workloads/traces/
// and `accsim trace gen`. Deterministic for given parameters on any platform (splitmix64, no
// std:: distributions, whose output differs between standard libraries).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/trace/trace_file.h"

namespace accsim::workloads {

enum class AccessPattern { kSequential, kRandom, kRowConflict };
std::string_view access_pattern_name(AccessPattern p);  // "sequential", "random", "conflict"
std::optional<AccessPattern> parse_access_pattern(std::string_view s);

struct PatternParams {
  AccessPattern pattern = AccessPattern::kSequential;
  std::uint64_t count = 1024;       // records
  std::uint64_t base = 0;           // first byte address
  std::uint32_t size = 64;          // bytes per access; also the address granule
  double write_fraction = 0.0;      // probability that an access is a store, in [0, 1]
  std::uint64_t span = 1ull << 30;  // random: addresses fall in [base, base + span)
  // conflict: access i goes to base + (i mod rows) * row_stride. With a stride that is a multiple
  // of (row size x banks x channels) every address maps to the same bank and a different row,
  // so no two requests within `rows` of each other can hit an open row (workloads/README.md).
  std::uint64_t row_stride = 8ull << 20;
  std::uint32_t rows = 128;
  std::uint64_t seed = 1;
  std::uint64_t interval_ns = 0;  // timestamp of access i = i * interval_ns; 0 = no timing
};

// Most records a pattern may have: 2^32 (128 GiB of raw records before compression), far beyond
// any DRAM study's need and a bound on an accidental `--count 1e13`.
inline constexpr std::uint64_t kMaxPatternRecords = std::uint64_t{1} << 32;

// Throws a usage error for inconsistent parameters (count 0 or above kMaxPatternRecords, zero
// size, span smaller than size, fraction outside [0, 1], addresses that would wrap past 2^64).
void check_pattern(const PatternParams& p);

// The pattern as a record stream (it can feed any writer or an AccessTraceSource).
std::unique_ptr<AccessRecordReader> make_pattern_reader(const PatternParams& p);

// Writes the pattern as a .atrace file; returns the number of records. `progress`, when given, is
// called with the records written so far every 2^20 records.
std::uint64_t write_pattern_trace(const std::string& path, const PatternParams& p,
                                  const AccessWriterOptions& opts = {},
                                  const std::function<void(std::uint64_t)>& progress = {});

// The traces bundled in workloads/traces/ and the parameters that make them.
struct BundledTrace {
  std::string file;     // name inside workloads/traces/
  std::string purpose;  // one line for the README and `accsim list`
  PatternParams params;
};
const std::vector<BundledTrace>& bundled_traces();
// (Re)writes every bundled trace into `dir`; zstd, default chunking.
void write_bundled_traces(const std::string& dir);

}  // namespace accsim::workloads
