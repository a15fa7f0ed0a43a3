#pragma once
// The `controller:` section of a DRAM system config. Plain C++ (no SystemC), so the controller
// and its tests can use it without the kernel; models/dram/dram.h re-exports it.
#include <string>

#include "sim/core/config.h"

namespace accsim::dram {

enum class PagePolicy {
  kOpen,    // rows stay open until a request for another row (or refresh) needs the bank
  kClosed,  // column commands auto-precharge (RDA/WRA) unless another queued request hits the row
};

struct ControllerConfig {
  std::string scheduler = "FRFCFS";
  PagePolicy page_policy = PagePolicy::kOpen;
  int read_queue = 32;                // entries (bursts)
  int write_queue = 32;               // entries (bursts)
  double write_high_watermark = 0.8;  // fraction of write_queue that starts a write drain
  double write_low_watermark = 0.2;   // fraction at which a drain ends (if reads wait)
  bool refresh = true;
  bool per_bank_refresh = false;
  int refresh_postpone = 0;     // refreshes the controller may postpone while a rank is busy
  int row_hit_cap = 16;         // 0 = unlimited
  std::string mapping;          // "" = the standard's default (models/dram/impl/address_map.h)
  bool check_protocol = false;  // tests turn it on; optional in runs (costs ~2x speed)
};

// Keys, descriptions, defaults and ranges of ControllerConfig. The cross-field check also
// verifies that `scheduler` and `mapping` name registered implementations.
const config::Schema<ControllerConfig>& controller_schema();

}  // namespace accsim::dram
