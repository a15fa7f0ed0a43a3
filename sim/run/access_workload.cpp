#include "sim/run/access_workload.h"

#include <filesystem>

#include "workloads/trace/pattern_gen.h"
#include "workloads/trace/trace_file.h"

namespace accsim::run {

const config::Schema<AccessWorkloadConfig>& access_workload_schema() {
  using config::Range;
  using W = AccessWorkloadConfig;
  static const config::Schema<W> s = [] {
    config::Schema<W> s("workload");
    s.text("trace", &W::trace, std::string(),
           "access trace to replay (.atrace, text dump, Ramulator LD/ST, DRAMSys .stl); "
           "relative to this file")
        .text("format", &W::format, std::string(),
              "trace format; empty = detect from the content (atrace|dump|ramulator|stl)")
        .text("pattern", &W::pattern, std::string(),
              "synthetic pattern when no trace is given: sequential|random|conflict")
        .integer<std::int64_t>("count", &W::count, 100000, Range::between(1, 1e12), "requests",
                               "requests of the synthetic pattern")
        .quantity("base", &W::base, Unit::kSize, 0.0, Range::at_least(0), "first address")
        .quantity("size", &W::size, Unit::kSize, 64.0, Range::between(1, 1 << 20),
                  "bytes per request of the synthetic pattern")
        .quantity("write_fraction", &W::write_fraction, Unit::kNone, 0.0, Range::between(0, 1),
                  "probability that a synthetic request is a write")
        .quantity("span", &W::span, Unit::kSize, 1073741824.0, Range::positive(),
                  "random pattern: addresses fall in [base, base + span)")
        .quantity("row_stride", &W::row_stride, Unit::kSize, 8388608.0, Range::positive(),
                  "conflict pattern: bytes between consecutive rows (same bank, other row)")
        .integer<std::int64_t>("rows", &W::rows, 128, Range::between(2, 1 << 20), "rows",
                               "conflict pattern: rows cycled through")
        .integer<std::int64_t>("seed", &W::seed, 1, Range::at_least(0), "",
                               "seed of the random pattern and read/write choice")
        .quantity("request_bytes", &W::request_bytes, Unit::kSize, 64.0, Range::between(1, 1 << 20),
                  "bytes per request in Ramulator traces and .stl lines without a length")
        .quantity("stl_clock", &W::stl_clock, Unit::kFrequency, 0.0, Range::at_least(0),
                  "clock whose cycles a DRAMSys .stl counts (0 = cycles are not times)")
        .check([](const W& w, const SourceLoc& where) {
          if (w.trace.empty() && w.pattern.empty())
            throw config_error(where,
                               "workload: give a 'trace' file or a synthetic 'pattern' "
                               "(sequential, random or conflict)");
          if (!w.trace.empty() && !w.pattern.empty())
            throw config_error(where, "workload: 'trace' and 'pattern' exclude each other");
          if (!w.pattern.empty() && !workloads::parse_access_pattern(w.pattern))
            throw config_error(where, "workload.pattern: unknown pattern '" + w.pattern +
                                          "'; expected sequential, random or conflict");
          if (!w.format.empty() && !workloads::parse_trace_format(w.format))
            throw config_error(where, "workload.format: unknown format '" + w.format +
                                          "'; expected " + workloads::trace_format_names());
        });
    return s;
  }();
  return s;
}

std::unique_ptr<RequestSource> open_access_workload(const AccessWorkloadConfig& w,
                                                    std::string* description) {
  // Requests carry their timestamps; issuer.use_timestamps decides whether they are honoured.
  workloads::ReplayOptions replay;
  replay.use_timestamps = true;
  if (!w.trace.empty()) {
    workloads::PeerReadOptions read;
    read.request_bytes = static_cast<std::uint32_t>(w.request_bytes);
    read.stl_clock_mhz = static_cast<std::uint32_t>(w.stl_clock / 1e6);
    std::optional<workloads::TraceFormat> fmt;
    if (!w.format.empty()) fmt = workloads::parse_trace_format(w.format);
    auto src = workloads::open_trace_source(w.trace, fmt, read, replay);
    if (description) *description = std::filesystem::path(w.trace).filename().string();
    return src;
  }
  workloads::PatternParams p;
  p.pattern = *workloads::parse_access_pattern(w.pattern);
  p.count = static_cast<std::uint64_t>(w.count);
  p.base = static_cast<std::uint64_t>(w.base);
  p.size = static_cast<std::uint32_t>(w.size);
  p.write_fraction = w.write_fraction;
  p.span = static_cast<std::uint64_t>(w.span);
  p.row_stride = static_cast<std::uint64_t>(w.row_stride);
  p.rows = static_cast<std::uint32_t>(w.rows);
  p.seed = static_cast<std::uint64_t>(w.seed);
  try {
    workloads::check_pattern(p);
  } catch (const Error& e) {
    throw Error(ExitCode::kConfig, std::string("workload: ") + e.what());
  }
  if (description)
    *description = w.pattern + " pattern, " + std::to_string(p.count) + " requests of " +
                   std::to_string(p.size) + " B";
  return std::make_unique<workloads::AccessTraceSource>(workloads::make_pattern_reader(p), replay);
}

}  // namespace accsim::run
