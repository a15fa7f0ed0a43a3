// Fuzz target: bytes -> binary access trace reader -> MemRequests. Any input must either read
// cleanly or fail with accsim::Error; nothing else may escape, crash or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/trace/access_trace_format.h"
#include "workloads/trace/trace_file.h"

namespace {

using namespace accsim::workloads;

void replay(const std::uint8_t* data, std::size_t size) {
  try {
    AccessTraceSource src(
        open_access_records_memory(data, size, "<fuzz>", TraceFormat::kAccessBinary));
    accsim::MemRequest q;
    while (src.next(q)) {
    }
  } catch (const accsim::Error&) {
  }
}

// Most random edits are caught by the chunk checksums. To reach the checks behind them, replay a
// copy whose uncompressed chunks carry correct checksums again (best effort, bounds-checked).
std::vector<std::uint8_t> fix_checksums(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> b(data, data + size);
  if (size < kFileHeaderBytes) return b;
  const AccessFileHeader h = decode_file_header(b.data());
  if (h.compression != 0) return b;
  std::size_t at = static_cast<std::size_t>(h.header_bytes) + h.metadata_bytes;
  while (at + kChunkHeaderBytes <= size) {
    const AccessChunkHeader c = decode_chunk_header(b.data() + at);
    const std::size_t payload = at + kChunkHeaderBytes;
    if (c.stored_bytes > size - payload) break;
    put_le64(b.data() + at + 16, fnv1a64(b.data() + payload, c.stored_bytes));
    at = payload + c.stored_bytes;
  }
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  replay(data, size);
  const auto fixed = fix_checksums(data, size);
  replay(fixed.data(), fixed.size());
  return 0;
}
