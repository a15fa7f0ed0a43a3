#pragma once
// The access trace (binary format in access_trace_format.h): typed metadata, a zstd-capable
// writer, and a streaming reader that treats its input as untrusted. Every check happens before
// the bytes it guards are used or any buffer is sized from them; every failure is an
// accsim::Error (ExitCode::kInput) whose message names the file and the byte offset.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/output_path.h"
#include "workloads/trace/access_trace_format.h"

namespace accsim::workloads {

namespace detail {
class ByteInput;
}

enum class TimestampUnit { kNone, kNs, kPs, kSmCycle, kMemCycle };
std::string_view timestamp_unit_name(TimestampUnit u);  // "ns", "sm_cycle" ...

struct KernelInfo {
  std::string name;
  std::array<std::uint32_t, 3> grid{1, 1, 1};
  std::array<std::uint32_t, 3> block{1, 1, 1};
  std::uint32_t smem = 0;  // dynamic + static shared memory, bytes
  std::uint32_t regs = 0;  // registers per thread; 0 = not known
  nlohmann::json params;   // free-form (shapes, dtype ...); null when absent
};

struct AccessTraceMeta {
  TimestampUnit timestamp_unit = TimestampUnit::kNone;
  std::string tool;
  std::string gpu;
  double sm_clock_mhz = 0;   // 0 = not given
  double mem_clock_mhz = 0;  // 0 = not given
  // Timestamp that counts as time zero on replay; absent = the first record's timestamp.
  std::optional<std::uint64_t> time_origin;
  std::vector<KernelInfo> kernels;  // record.kernel indexes this list
  nlohmann::json capture;           // free-form capture settings; null when absent

  // Canonical compact JSON (keys sorted), as stored in the file.
  std::string to_json() const;
  // Parses and validates. `fail(pos, msg)` builds the error; `pos` is the 0-based byte in `text`
  // the problem is at, or npos when unknown (the caller turns it into a file offset or a column).
  using Fail = std::function<Error(std::size_t pos, const std::string& msg)>;
  static AccessTraceMeta from_json(std::string_view text, const Fail& fail);
  // Picoseconds per timestamp unit, or 0 when timestamps carry no time ("none").
  double ps_per_tick() const;
};

// Checks one record against the format's rules for `version` and the metadata (kind, flags,
// size or class, kernel index); returns an empty string when it is valid, else what is wrong.
// Version 1 allows memory records only. The rules a record cannot show alone (cta_begin first,
// one warp_exit per warp) are checked by the kernel sources (kernel_source.h).
std::string check_record(const AccessRecord& r, const AccessTraceMeta& meta,
                         std::uint16_t version = kAccessTraceVersion);
bool record_ok(const AccessRecord& r, const AccessTraceMeta& meta,
               std::uint16_t version = kAccessTraceVersion);  // the fast yes/no of it
std::string_view record_kind_name(std::uint8_t kind);         // "load", "compute", "cta_begin" ...
std::optional<InstrClass> parse_instr_class(std::string_view name);  // kInstrClasses[].name

struct AccessWriterOptions {
  Compression compression = Compression::kZstd;
  std::uint32_t chunk_records = kDefaultChunkRecords;  // 1 .. kMaxChunkRecords
  int zstd_level = 3;  // zstd's default: fast, and the ratio barely improves above it for traces
};

// Writes `<file>.part` and renames it onto the file in close(), so a crash never leaves a file that
// looks finished (the file is `path`, or the target of the link `path` is: sim/core/output_path.h;
// a folder, a device or a FIFO is refused). Destroying an open writer without close() removes the
// partial file. The file is
// version 1 when every record is a memory record (readable by older builds), else version 2
// (patched into the header by close()).
class AccessTraceWriter {
 public:
  AccessTraceWriter(std::string path, const AccessTraceMeta& meta,
                    const AccessWriterOptions& opts = {});
  ~AccessTraceWriter();
  AccessTraceWriter(const AccessTraceWriter&) = delete;
  AccessTraceWriter& operator=(const AccessTraceWriter&) = delete;

  void append(const AccessRecord& r);  // throws if the record breaks the format's rules
  void close();
  std::uint64_t records() const { return records_; }

 private:
  void flush_chunk();
  void write(const void* p, std::size_t n);

  // The path as given, the file it names (sim/core/output_path.h) and `<target>.part`.
  std::string path_, target_, part_;
  std::optional<PartialFile> partial_;  // removes part_ on SIGINT/SIGTERM before close()
  AccessTraceMeta meta_;
  AccessWriterOptions opts_;
  std::FILE* f_ = nullptr;
  std::vector<unsigned char> raw_, packed_;
  std::uint64_t records_ = 0, chunks_ = 0;
  bool v2_ = false;       // a non-memory record was appended
  void* cctx_ = nullptr;  // ZSTD_CCtx, kept across chunks
};

// Summary of a file's header, available right after open().
struct AccessTraceHeaderInfo {
  std::uint16_t version = 0;
  Compression compression = Compression::kNone;
  std::uint64_t record_count = 0;
  std::uint64_t chunk_count = 0;
  std::uint32_t metadata_bytes = 0;
  std::uint64_t file_bytes = 0;
};

// Streams records chunk by chunk: memory use is one chunk (≤ 64 MiB raw, 2 MiB by default),
// whatever the file size. The end-of-file checks (trailing bytes, record_count) run when next()
// first returns false.
class AccessTraceReader {
 public:
  explicit AccessTraceReader(const std::string& path);
  // Reads from memory (used by the fuzz target); `name` stands for the file in messages.
  AccessTraceReader(const void* data, std::size_t n, std::string name);
  ~AccessTraceReader();
  AccessTraceReader(AccessTraceReader&&) noexcept;

  const AccessTraceMeta& meta() const { return meta_; }
  const AccessTraceHeaderInfo& header() const { return info_; }
  const std::string& name() const;

  bool next(AccessRecord& r);
  // The records of the next chunk; false at the end.
  bool next_chunk(std::vector<AccessRecord>& out);
  std::uint64_t records_read() const { return records_read_; }

 private:
  void open();
  bool load_chunk();
  [[noreturn]] void fail(const std::string& msg) const;

  std::unique_ptr<detail::ByteInput> in_;
  AccessTraceMeta meta_;
  AccessTraceHeaderInfo info_;
  std::vector<unsigned char> stored_, raw_;
  std::size_t raw_pos_ = 0;  // next record's offset in raw_
  std::uint64_t chunks_read_ = 0, records_read_ = 0, records_in_chunks_ = 0;
  std::uint64_t chunk_offset_ = 0;  // file offset of the current chunk header
  bool finished_ = false;
  void* dctx_ = nullptr;  // ZSTD_DCtx
};

// Reads a whole file into memory (tests and small traces only).
std::vector<AccessRecord> read_access_trace(const std::string& path,
                                            AccessTraceMeta* meta = nullptr);
void write_access_trace(const std::string& path, const AccessTraceMeta& meta,
                        const std::vector<AccessRecord>& records,
                        const AccessWriterOptions& opts = {});

}  // namespace accsim::workloads
