// Fuzz target: bytes -> op-trace reader. Every record it accepts must survive a round trip
// through its canonical JSON unchanged (a cheap oracle for reader/writer disagreements).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "workloads/trace/op_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim::workloads;
  try {
    OpTraceReader rd(data, size, "<fuzz>");
    OpRecord r;
    while (rd.next(r)) {
      const auto again = parse_op_record(op_record_to_json(r), accsim::SourceLoc{"<again>", 1, 0});
      if (!(again == r)) throw std::logic_error("op record changed in a round trip");
    }
    (void)op_header_to_json(rd.header());
  } catch (const accsim::Error&) {
  }
  return 0;
}
