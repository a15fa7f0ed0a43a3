#pragma once
// Any access-level trace file, whatever its format: the accsim binary access trace (.atrace), its
// text dump, Ramulator 2's LoadStoreTrace text and DRAMSys's .stl text. Readers yield
// AccessRecords; writers take them; converters connect the two; AccessTraceSource turns records
// into MemRequests for the issuer; trace_info() summarises a file (`accsim trace info`).
// Formats are documented in workloads/README.md.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "workloads/request_source.h"
#include "workloads/trace/access_trace.h"

namespace accsim::workloads {

enum class TraceFormat { kAccessBinary, kAccessText, kRamulator, kDramsysStl, kOpTrace };

// "atrace", "dump", "ramulator", "stl", "optrace" (the names `--from/--to` accept).
std::string_view trace_format_name(TraceFormat f);
std::optional<TraceFormat> parse_trace_format(std::string_view name);
std::string trace_format_names();  // for usage messages

// Detects a file's format from its content (the binary magic, the dump's first line, the op
// trace's header, else the shape of the first record line). Throws an input error naming the
// file when it cannot tell.
TraceFormat detect_trace_format(const std::string& path);
// True when `path` is a regular file whose contents are an op trace (a `--workload` argument
// that targets route to their op-trace input); false for anything else, including an unreadable
// file (the reader that opens it then names the problem).
bool is_op_trace_file(const std::string& path);
TraceFormat detect_trace_format_memory(const void* data, std::size_t n, const std::string& name);

// What the peer formats do not record.
struct PeerReadOptions {
  // Bytes per request in Ramulator traces and in .stl lines without a "(length)" field.
  // Ramulator's LoadStoreTrace requests one cache line; 64 B is its usual line.
  std::uint32_t request_bytes = 64;
  // Clock whose cycles an .stl file counts (DRAMSys's `clkMhz`); 0 = unknown, the cycle numbers
  // are then kept as timestamps without a time unit.
  std::uint32_t stl_clock_mhz = 0;
};

class AccessRecordReader {
 public:
  virtual ~AccessRecordReader() = default;
  // Next record, or false at the end. Bad input throws an input error naming file and place.
  virtual bool next(AccessRecord& r) = 0;
  virtual const AccessTraceMeta& meta() const = 0;
  virtual TraceFormat format() const = 0;
  virtual const std::string& name() const = 0;
  // The binary file header (binary files only).
  virtual const AccessTraceHeaderInfo* binary_header() const { return nullptr; }
  // How many records next() will return, where known before reading them (0: unknown): a
  // version-1 binary file's header count, a generated pattern's count. For progress only.
  virtual std::uint64_t record_hint() const;
};

// `fmt` empty: detect. Op traces are not access traces: asking for one is a usage error.
std::unique_ptr<AccessRecordReader> open_access_records(const std::string& path,
                                                        std::optional<TraceFormat> fmt = {},
                                                        const PeerReadOptions& opts = {});
// In-memory input (fuzz targets, tests); `name` stands for the file in messages.
std::unique_ptr<AccessRecordReader> open_access_records_memory(const void* data, std::size_t n,
                                                               std::string name, TraceFormat fmt,
                                                               const PeerReadOptions& opts = {});

// --- text writers -------------------------------------------------------------------------------

// Receives output text in pieces (a file, std::cout, a string).
using TextSink = std::function<void(std::string_view)>;

// The text dump: header comments (source, metadata as one JSON line, column names), one record
// per line, a closing comment with the count. `max_records` 0 = all (`trace dump --head N`).
// Returns the number of records written.
std::uint64_t write_text_dump(AccessRecordReader& in, const TextSink& out,
                              std::uint64_t max_records = 0);

// Ramulator 2 LoadStoreTrace: "LD 0x<addr>" / "ST 0x<addr>"; an atomic becomes LD then ST.
// Returns the number of lines written.
std::uint64_t write_ramulator(AccessRecordReader& in, const TextSink& out);

struct StlWriteOptions {
  std::uint32_t clock_mhz = 0;  // required: the DRAMSys trace player's clock (clkMhz)
  bool write_length = false;    // emit "(size)" before the command on every line
};
// DRAMSys .stl: "<cycle>:\tread\t0x<addr>", cycle = (timestamp - origin) in clock_mhz cycles,
// rounded down (origin: metadata.time_origin, else the first record's timestamp). An atomic
// becomes a read then a write at the same cycle. Returns the number of lines written.
std::uint64_t write_stl(AccessRecordReader& in, const TextSink& out, const StlWriteOptions& opts);

// --- conversion ---------------------------------------------------------------------------------

struct ConvertOptions {
  std::optional<TraceFormat> from;  // empty: detect from the content
  TraceFormat to = TraceFormat::kAccessBinary;
  AccessWriterOptions binary;  // compression and chunking of .atrace output
  PeerReadOptions read;
  StlWriteOptions stl;
};
// Streams `in` to `out` (written as out.part, renamed when complete). Converting binary to binary
// re-chunks and (de)compresses. Returns the number of records read.
std::uint64_t convert_trace(const std::string& in, const std::string& out,
                            const ConvertOptions& opts);

// --- replay -------------------------------------------------------------------------------------

struct ReplayOptions {
  // Use record timestamps as the earliest issue time (relative to the origin, see write_stl).
  // Off: every request may issue as soon as the issuer wants it.
  bool use_timestamps = true;
};

// MemRequests from any access-level trace. A load is a read, a store a write, an atomic a read
// followed by a write of the same bytes (a read-modify-write as DRAM sees it). Request ids count
// from 0 in issue order.
class AccessTraceSource final : public RequestSource {
 public:
  explicit AccessTraceSource(std::unique_ptr<AccessRecordReader> reader,
                             const ReplayOptions& opts = {});
  bool next(MemRequest& out) override;
  std::string describe() const override;
  // The reader's record count (an atomic is two requests, so this can be below the requests).
  std::uint64_t total_hint() const override { return reader_->record_hint(); }
  const AccessTraceMeta& meta() const { return reader_->meta(); }

 private:
  std::unique_ptr<AccessRecordReader> reader_;
  ReplayOptions opts_;
  std::uint64_t next_id_ = 0, record_index_ = 0;
  std::optional<std::uint64_t> origin_;
  bool pending_write_ = false;  // second half of an atomic
  MemRequest pending_;
};

std::unique_ptr<AccessTraceSource> open_trace_source(const std::string& path,
                                                     std::optional<TraceFormat> fmt = {},
                                                     const PeerReadOptions& read = {},
                                                     const ReplayOptions& replay = {});

// Timestamp → picoseconds after the origin, exactly for "ns"/"ps", rounded to the nearest ps for
// cycle units; 0 for unit "none" or timestamps before the origin. Throws when the result does not
// fit an int64 (≈ 106 days).
std::int64_t timestamp_to_ps(std::uint64_t ts, std::uint64_t origin, const AccessTraceMeta& meta,
                             const std::string& where);

// --- info ---------------------------------------------------------------------------------------

struct TraceInfo {
  std::string path;
  TraceFormat format = TraceFormat::kAccessBinary;
  std::uint64_t file_bytes = 0;
  nlohmann::ordered_json summary;  // the JSON form (`trace info --json`)
  const nlohmann::ordered_json& to_json() const { return summary; }
  std::string to_text() const;
};

// Reads the whole file (streaming) and summarises it: for access-level traces the format,
// version, compression, records, chunks, kernels, address range, loads/stores/atomics, bytes,
// SMs, time span; for op traces the launches per op kind and the measured time.
TraceInfo trace_info(const std::string& path, std::optional<TraceFormat> fmt = {},
                     const PeerReadOptions& read = {});

}  // namespace accsim::workloads
