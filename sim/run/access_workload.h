#pragma once
// The `workload:` section of targets that replay memory accesses (dram; later gpu): either a
// trace file (any access-level format, detected from its content) or a synthetic pattern.
#include <memory>
#include <string>

#include "sim/core/config.h"
#include "workloads/request_source.h"

namespace accsim::run {

struct AccessWorkloadConfig {
  std::string trace;    // path; relative paths are relative to the YAML file that set them
  std::string format;   // "" = detect; atrace | dump | ramulator | stl
  std::string pattern;  // used when `trace` is empty: sequential | random | conflict
  std::int64_t count = 100000;
  double base = 0;   // bytes
  double size = 64;  // bytes per request
  double write_fraction = 0;
  double span = 1073741824.0;     // random: address span, bytes
  double row_stride = 2097152.0;  // conflict: bytes between rows
  std::int64_t rows = 256;        // conflict: rows cycled through
  std::int64_t seed = 1;
  double request_bytes = 64;  // bytes per request in Ramulator / DRAMSys traces
  double stl_clock = 0;       // clock of DRAMSys .stl cycles, Hz (0 = none)
};

const config::Schema<AccessWorkloadConfig>& access_workload_schema();

// Opens the configured source; errors name the trace file or the config place.
std::unique_ptr<RequestSource> open_access_workload(const AccessWorkloadConfig& w,
                                                    std::string* description);

}  // namespace accsim::run
