// Fuzz target: bytes -> the text trace readers (access dump, Ramulator, DRAMSys .stl) and format
// detection. The first byte picks the reader. Records the dump reader accepts must come back
// unchanged from the dump writer (round-trip oracle).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/trace/trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim::workloads;
  if (size == 0) return 0;
  const TraceFormat formats[] = {TraceFormat::kAccessText, TraceFormat::kRamulator,
                                 TraceFormat::kDramsysStl};
  const TraceFormat fmt = formats[data[0] % 3];
  PeerReadOptions opts;
  opts.stl_clock_mhz = (data[0] & 4) ? 1600 : 0;
  ++data;
  --size;
  try {
    (void)detect_trace_format_memory(data, size, "<fuzz>");
  } catch (const accsim::Error&) {
  }
  try {
    auto rd = open_access_records_memory(data, size, "<fuzz>", fmt, opts);
    std::vector<AccessRecord> recs;
    AccessRecord r;
    while (rd->next(r) && recs.size() < 100000) recs.push_back(r);
    if (fmt == TraceFormat::kAccessText) {
      auto again = open_access_records_memory(data, size, "<fuzz>", fmt, opts);
      std::string text;
      write_text_dump(*again, [&](std::string_view s) { text += s; });
      auto back = open_access_records_memory(text.data(), text.size(), "<dump>", fmt, opts);
      for (const auto& want : recs) {
        if (!back->next(r) || r != want) throw std::logic_error("dump round trip changed a record");
      }
    }
  } catch (const accsim::Error&) {
  }
  return 0;
}
