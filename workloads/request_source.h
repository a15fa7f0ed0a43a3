#pragma once
// The interface every issuer pulls memory requests from: trace readers, synthetic generators and
// in-memory lists all implement it, so one generic issuer (sim/run/issuer.h) drives any model.
// Plain C++, no SystemC.
#include <cstdint>
#include <string>

#include "workloads/request.h"

namespace accsim {

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // Fills `out` with the next request and returns true, or returns false when the source is
  // exhausted (and keeps returning false). Sources report bad input by throwing accsim::Error
  // naming the file and record.
  virtual bool next(MemRequest& out) = 0;
  // One line for reports and error messages: what the source is and where it reads from.
  virtual std::string describe() const = 0;
  // Number of requests the source will deliver in all, if known without reading them (for
  // progress reports); 0 = unknown.
  virtual std::uint64_t total_hint() const { return 0; }
};

}  // namespace accsim
