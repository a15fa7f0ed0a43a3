#include "workloads/trace/access_trace.h"

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#include "sim/core/output_path.h"
#include "workloads/trace/trace_io.h"

namespace accsim::workloads {

namespace {

constexpr std::size_t kNpos = std::string::npos;

std::string hex64(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
  return b;
}

// Printable rendering of bytes that should have been a magic string.
std::string show_bytes(const unsigned char* p, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
      s += static_cast<char>(p[i]);
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", p[i]);
      s += b;
    }
  }
  return s;
}

const std::vector<std::string>& unit_names() {
  static const std::vector<std::string> names = {"none", "ns", "ps", "sm_cycle", "mem_cycle"};
  return names;
}

}  // namespace

std::string_view timestamp_unit_name(TimestampUnit u) {
  return unit_names()[static_cast<std::size_t>(u)];
}

double AccessTraceMeta::ps_per_tick() const {
  switch (timestamp_unit) {
    case TimestampUnit::kNone:
      return 0;
    case TimestampUnit::kNs:
      return 1000;
    case TimestampUnit::kPs:
      return 1;
    case TimestampUnit::kSmCycle:
      return 1e6 / sm_clock_mhz;
    case TimestampUnit::kMemCycle:
      return 1e6 / mem_clock_mhz;
  }
  return 0;
}

std::string AccessTraceMeta::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["timestamp_unit"] = std::string(timestamp_unit_name(timestamp_unit));
  if (!tool.empty()) j["tool"] = tool;
  if (!gpu.empty()) j["gpu"] = gpu;
  if (sm_clock_mhz > 0) j["sm_clock_mhz"] = sm_clock_mhz;
  if (mem_clock_mhz > 0) j["mem_clock_mhz"] = mem_clock_mhz;
  if (time_origin) j["time_origin"] = *time_origin;
  if (!kernels.empty()) {
    auto& ks = j["kernels"] = nlohmann::json::array();
    for (std::size_t i = 0; i < kernels.size(); ++i) {
      const auto& k = kernels[i];
      nlohmann::json e = {
          {"id", i}, {"name", k.name}, {"grid", k.grid}, {"block", k.block}, {"smem", k.smem}};
      if (k.regs > 0) e["regs"] = k.regs;
      if (!k.params.is_null()) e["params"] = k.params;
      ks.push_back(std::move(e));
    }
  }
  if (!capture.is_null()) j["capture"] = capture;
  return j.dump();
}

AccessTraceMeta AccessTraceMeta::from_json(std::string_view text, const Fail& fail) {
  const nlohmann::json j = detail::parse_json_text(
      text, [&](std::size_t pos, const std::string& msg) { return fail(pos, msg); });
  const auto pos_of = [text](const std::string& key) -> std::size_t {
    const int c = detail::key_column(text, key);
    return c > 0 ? static_cast<std::size_t>(c - 1) : kNpos;
  };
  AccessTraceMeta m;
  detail::JsonFields f(
      j, "the trace metadata",
      [&](const std::string& key, const std::string& msg) { return fail(pos_of(key), msg); });
  m.timestamp_unit = static_cast<TimestampUnit>(*f.choice("timestamp_unit", true, unit_names()));
  m.tool = f.text("tool", false).value_or("");
  m.gpu = f.text("gpu", false).value_or("");
  m.sm_clock_mhz = f.number("sm_clock_mhz", false, 1e-3, 1e6).value_or(0);
  m.mem_clock_mhz = f.number("mem_clock_mhz", false, 1e-3, 1e6).value_or(0);
  m.time_origin = f.u64("time_origin", false, 0, std::numeric_limits<std::uint64_t>::max());
  if (const auto* ks = f.raw("kernels")) {
    if (!ks->is_array())
      throw fail(pos_of("kernels"), "'kernels' in the trace metadata must be an array, not " +
                                        detail::json_type_phrase(*ks));
    if (ks->size() > 65536)
      throw fail(pos_of("kernels"), "'kernels' lists " + std::to_string(ks->size()) +
                                        " kernels; a record's u16 kernel index allows 65536");
    for (std::size_t i = 0; i < ks->size(); ++i) {
      const std::string what = "kernels[" + std::to_string(i) + "]";
      detail::JsonFields kf((*ks)[i], what, [&](const std::string& key, const std::string& msg) {
        return fail(pos_of(key), msg);
      });
      KernelInfo k;
      const auto id = *kf.u64("id", true, 0, 65535);
      if (id != i)
        throw fail(pos_of("id"), what + " has id " + std::to_string(id) +
                                     "; ids must equal the position in the list (" +
                                     std::to_string(i) + ")");
      k.name = *kf.text("name", true);
      if (k.name.empty()) throw fail(pos_of("name"), what + " has an empty name");
      k.grid = kf.dim3("grid", false).value_or(k.grid);
      k.block = kf.dim3("block", false).value_or(k.block);
      k.smem = static_cast<std::uint32_t>(
          kf.u64("smem", false, 0, std::numeric_limits<std::uint32_t>::max()).value_or(0));
      k.regs = static_cast<std::uint32_t>(kf.u64("regs", false, 0, 255).value_or(0));
      if (const auto* p = kf.raw("params")) k.params = *p;
      kf.done();
      m.kernels.push_back(std::move(k));
    }
  }
  if (const auto* c = f.raw("capture")) {
    if (!c->is_object())
      throw fail(pos_of("capture"), "'capture' in the trace metadata must be an object, not " +
                                        detail::json_type_phrase(*c));
    m.capture = *c;
  }
  f.done();
  if (m.timestamp_unit == TimestampUnit::kSmCycle && m.sm_clock_mhz <= 0)
    throw fail(pos_of("timestamp_unit"),
               "timestamp_unit \"sm_cycle\" needs sm_clock_mhz in the metadata");
  if (m.timestamp_unit == TimestampUnit::kMemCycle && m.mem_clock_mhz <= 0)
    throw fail(pos_of("timestamp_unit"),
               "timestamp_unit \"mem_cycle\" needs mem_clock_mhz in the metadata");
  return m;
}

std::string_view record_kind_name(std::uint8_t kind) {
  static constexpr std::string_view names[kRecordKindCount] = {
      "load", "store", "atomic", "compute", "barrier", "commit", "wait", "cta_begin", "warp_exit"};
  return kind < kRecordKindCount ? names[kind] : std::string_view("?");
}

std::optional<InstrClass> parse_instr_class(std::string_view name) {
  for (std::uint32_t c = 0; c < kInstrClassCount; ++c)
    if (name == kInstrClasses[c].name) return static_cast<InstrClass>(c);
  return std::nullopt;
}

bool record_ok(const AccessRecord& r, const AccessTraceMeta& meta, std::uint16_t version) {
  const std::size_t nk = meta.kernels.empty() ? 1 : meta.kernels.size();
  if (r.kernel >= nk) return false;
  if (is_memory_kind(r.kind)) {
    const std::uint8_t known = version < 2 ? kKnownFlags
                               : r.kind == static_cast<std::uint8_t>(RecordKind::kLoad)
                                   ? kKnownFlagsV2
                                   : kKnownFlags;
    return (r.flags & ~known) == 0 && r.size != 0 && r.size <= kMaxRecordSize &&
           r.address <= std::numeric_limits<std::uint64_t>::max() - r.size;
  }
  if (version < 2 || r.kind >= kRecordKindCount) return false;
  switch (static_cast<RecordKind>(r.kind)) {
    case RecordKind::kCompute:
      return r.size < kInstrClassCount && r.address >= 1 && r.address <= kMaxComputeCount &&
             (r.flags & ~(kFlagDep | kFlagChain)) == 0;
    case RecordKind::kBarrier:
      return r.address <= kMaxBarrierId && r.size == 0 && r.flags == 0;
    case RecordKind::kWait:
      return r.address <= kMaxWaitGroups && r.size == 0 && r.flags == 0;
    default:  // commit, cta_begin, warp_exit
      return r.address == 0 && r.size == 0 && r.flags == 0;
  }
}

std::string check_record(const AccessRecord& r, const AccessTraceMeta& meta,
                         std::uint16_t version) {
  if (record_ok(r, meta, version)) return {};
  const auto hex8 = [](std::uint8_t v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v);
    return std::string(b);
  };
  const std::size_t nk = meta.kernels.empty() ? 1 : meta.kernels.size();
  if (r.kernel >= nk)
    return "kernel index " + std::to_string(r.kernel) + " is past the " + std::to_string(nk) +
           (meta.kernels.empty() ? " implicit kernel (the metadata lists none)"
                                 : " kernel(s) listed in the metadata");
  if (r.kind >= kRecordKindCount)
    return "kind " + std::to_string(r.kind) +
           " is not a record kind (0 load, 1 store, 2 atomic; version 2 adds 3 compute, 4 "
           "barrier, 5 commit, 6 wait, 7 cta_begin, 8 warp_exit)";
  const std::string kind = std::string(record_kind_name(r.kind));
  if (!is_memory_kind(r.kind) && version < 2)
    return "kind " + std::to_string(r.kind) + " (" + kind +
           ") needs access trace version 2; this file is version " + std::to_string(version) +
           ", which holds memory records only";
  switch (static_cast<RecordKind>(r.kind)) {
    case RecordKind::kLoad:
    case RecordKind::kStore:
    case RecordKind::kAtomic:
      if (r.flags & ~kKnownFlagsV2)
        return "flags " + hex8(r.flags) +
               " set reserved bits (bit 0 L1 bypass; bit 1, into shared memory, on loads of "
               "version 2)";
      if (r.flags & kFlagToShared)
        return "flag bit 1 (into shared memory) is defined for loads of version-2 traces only";
      if (r.size == 0 || r.size > kMaxRecordSize)
        return "size " + std::to_string(r.size) + " is outside 1.." +
               std::to_string(kMaxRecordSize);
      return "address " + hex64(r.address) + " + size wraps past 2^64";
    case RecordKind::kCompute:
      if (r.size >= kInstrClassCount)
        return "compute record with unknown instruction class " + std::to_string(r.size) +
               " (classes 0.." + std::to_string(kInstrClassCount - 1) + ", workloads/README.md)";
      if (r.address < 1 || r.address > kMaxComputeCount)
        return "compute record counts " + std::to_string(r.address) +
               " instructions; expected 1..2^32";
      return "compute record flags " + hex8(r.flags) + " set bits other than dep (1) and chain (2)";
    case RecordKind::kBarrier:
      if (r.address > kMaxBarrierId)
        return "barrier id " + std::to_string(r.address) + " is outside 0..15";
      return "barrier record with size " + std::to_string(r.size) + " or flags " + hex8(r.flags) +
             " (both must be 0)";
    case RecordKind::kWait:
      if (r.address > kMaxWaitGroups)
        return "wait record allows " + std::to_string(r.address) +
               " groups in flight; expected 0..65536";
      return "wait record with size " + std::to_string(r.size) + " or flags " + hex8(r.flags) +
             " (both must be 0)";
    default:
      return kind + " record with address " + std::to_string(r.address) + ", size " +
             std::to_string(r.size) + ", flags " + hex8(r.flags) + " (all must be 0)";
  }
}

// --- writer -------------------------------------------------------------------------------------

AccessTraceWriter::AccessTraceWriter(std::string path, const AccessTraceMeta& meta,
                                     const AccessWriterOptions& opts)
    : path_(std::move(path)), meta_(meta), opts_(opts) {
  const SourceLoc loc{path_, 0, 0};
  if (opts_.chunk_records == 0 || opts_.chunk_records > kMaxChunkRecords)
    throw usage_error("access trace writer: chunk_records must be 1.." +
                      std::to_string(kMaxChunkRecords) + ", got " +
                      std::to_string(opts_.chunk_records));
  if (opts_.compression == Compression::kZstd &&
      (opts_.zstd_level < ZSTD_minCLevel() || opts_.zstd_level > ZSTD_maxCLevel()))
    throw usage_error("access trace writer: zstd level must be " +
                      std::to_string(ZSTD_minCLevel()) + ".." + std::to_string(ZSTD_maxCLevel()));
  const std::string meta_json = meta_.to_json();
  if (meta_json.size() > kMaxMetadataBytes)
    throw input_error(loc, "metadata is larger than 16 MiB");
  // The header's counts are written last, by seeking back: the trace needs a regular file.
  const OutputPlace place = resolve_output(path_);
  if (!place.replace)
    throw input_error(loc,
                      "is not a regular file (a device or a FIFO): an access trace is finished "
                      "by seeking back to its header, so it can only be written to a file");
  target_ = place.file.string();
  part_ = target_ + ".part";
  partial_.emplace(part_);
  f_ = std::fopen(part_.c_str(), "wb");
  if (!f_)
    throw input_error(SourceLoc{part_, 0, 0},
                      std::string("cannot open for writing: ") + std::strerror(errno));
  if (opts_.compression == Compression::kZstd) {
    auto* c = ZSTD_createCCtx();
    cctx_ = c;
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, opts_.zstd_level);
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);  // the chunk header has its own
  }
  AccessFileHeader h;
  h.metadata_bytes = static_cast<std::uint32_t>(meta_json.size());
  h.record_count = kUnfinishedCount;
  h.chunk_count = kUnfinishedCount;
  h.compression = static_cast<std::uint32_t>(opts_.compression);
  unsigned char hb[kFileHeaderBytes];
  encode_file_header(h, hb);
  write(hb, sizeof hb);
  write(meta_json.data(), meta_json.size());
  raw_.reserve(static_cast<std::size_t>(opts_.chunk_records) * kRecordBytes);
}

AccessTraceWriter::~AccessTraceWriter() {
  if (f_) {
    std::fclose(f_);
    std::remove(part_.c_str());
  }
  if (cctx_) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
}

void AccessTraceWriter::write(const void* p, std::size_t n) {
  if (n > 0 && std::fwrite(p, 1, n, f_) != n)
    throw input_error(SourceLoc{part_, 0, 0}, std::string("write failed: ") + std::strerror(errno));
}

void AccessTraceWriter::append(const AccessRecord& r) {
  if (!f_) throw usage_error("access trace writer for '" + path_ + "' is already closed");
  if (!record_ok(r, meta_))
    throw input_error(SourceLoc{path_, 0, 0}, "record " + std::to_string(records_) +
                                                  " cannot be written: " + check_record(r, meta_));
  v2_ |= !is_memory_kind(r.kind) || (r.flags & kFlagToShared) != 0;
  unsigned char b[kRecordBytes];
  encode_record(r, b);
  raw_.insert(raw_.end(), b, b + kRecordBytes);
  ++records_;
  if (raw_.size() == static_cast<std::size_t>(opts_.chunk_records) * kRecordBytes) flush_chunk();
}

void AccessTraceWriter::flush_chunk() {
  if (raw_.empty()) return;
  AccessChunkHeader c;
  c.records = static_cast<std::uint32_t>(raw_.size() / kRecordBytes);
  c.raw_bytes = static_cast<std::uint32_t>(raw_.size());
  c.checksum = fnv1a64(raw_.data(), raw_.size());
  const unsigned char* payload = raw_.data();
  if (opts_.compression == Compression::kZstd) {
    packed_.resize(ZSTD_compressBound(raw_.size()));
    const std::size_t n = ZSTD_compress2(static_cast<ZSTD_CCtx*>(cctx_), packed_.data(),
                                         packed_.size(), raw_.data(), raw_.size());
    if (ZSTD_isError(n))
      throw Error(ExitCode::kInternal,
                  std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    c.stored_bytes = static_cast<std::uint32_t>(n);
    payload = packed_.data();
  } else {
    c.stored_bytes = c.raw_bytes;
  }
  unsigned char cb[kChunkHeaderBytes];
  encode_chunk_header(c, cb);
  write(cb, sizeof cb);
  write(payload, c.stored_bytes);
  ++chunks_;
  raw_.clear();
}

void AccessTraceWriter::close() {
  if (!f_) return;
  flush_chunk();
  unsigned char b[8];
  bool ok = true;
  put_le16(b, v2_ ? kAccessTraceVersion : kAccessTraceMinVersion);
  ok = ok && std::fseek(f_, 8, SEEK_SET) == 0 && std::fwrite(b, 1, 2, f_) == 2;
  put_le64(b, records_);
  ok = ok && std::fseek(f_, 16, SEEK_SET) == 0 && std::fwrite(b, 1, 8, f_) == 8;
  put_le64(b, chunks_);
  ok = ok && std::fseek(f_, 32, SEEK_SET) == 0 && std::fwrite(b, 1, 8, f_) == 8;
  ok = (std::fclose(f_) == 0) && ok;
  f_ = nullptr;
  if (!ok) {
    std::remove(part_.c_str());
    throw input_error(SourceLoc{part_, 0, 0}, "finishing the file failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(part_, target_, ec);
  if (ec) {
    std::remove(part_.c_str());
    throw input_error(SourceLoc{path_, 0, 0},
                      "cannot move the finished file into place: " + ec.message());
  }
}

// --- reader -------------------------------------------------------------------------------------

AccessTraceReader::AccessTraceReader(const std::string& path)
    : in_(std::make_unique<detail::ByteInput>(detail::ByteInput::open_file(path))) {
  open();
}

AccessTraceReader::AccessTraceReader(const void* data, std::size_t n, std::string name)
    : in_(std::make_unique<detail::ByteInput>(
          detail::ByteInput::from_memory(data, n, std::move(name)))) {
  open();
}

AccessTraceReader::~AccessTraceReader() {
  if (dctx_) ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_));
}

AccessTraceReader::AccessTraceReader(AccessTraceReader&& o) noexcept
    : in_(std::move(o.in_)),
      meta_(std::move(o.meta_)),
      info_(o.info_),
      stored_(std::move(o.stored_)),
      raw_(std::move(o.raw_)),
      raw_pos_(o.raw_pos_),
      chunks_read_(o.chunks_read_),
      records_read_(o.records_read_),
      records_in_chunks_(o.records_in_chunks_),
      chunk_offset_(o.chunk_offset_),
      finished_(o.finished_),
      dctx_(o.dctx_) {
  o.dctx_ = nullptr;
}

const std::string& AccessTraceReader::name() const {
  return in_->name();
}

void AccessTraceReader::fail(const std::string& msg) const {
  throw input_error(in_->loc(), msg);
}

void AccessTraceReader::open() {
  auto& in = *in_;
  info_.file_bytes = in.size();
  unsigned char hb[kFileHeaderBytes] = {};
  const std::size_t got = in.read(hb, kFileHeaderBytes);
  const std::size_t magic_n = got < 8 ? got : 8;
  if (std::memcmp(hb, kAccessTraceMagic, magic_n) != 0 || got == 0)
    fail("not an accsim access trace: it starts with \"" + show_bytes(hb, magic_n) +
         "\", expected \"ACCSIMAT\"");
  if (got < kFileHeaderBytes)
    fail("truncated header: the file has " + std::to_string(got) +
         " bytes, an access trace header needs " + std::to_string(kFileHeaderBytes));
  const AccessFileHeader h = decode_file_header(hb);
  if (h.version < kAccessTraceMinVersion || h.version > kAccessTraceVersion)
    fail("unsupported access trace version " + std::to_string(h.version) +
         " at byte 8 (this build reads versions " + std::to_string(kAccessTraceMinVersion) +
         " to " + std::to_string(kAccessTraceVersion) + ")");
  if (h.header_bytes < kFileHeaderBytes || h.header_bytes > kMaxHeaderBytes)
    fail("header_bytes " + std::to_string(h.header_bytes) + " at byte 10 is outside " +
         std::to_string(kFileHeaderBytes) + ".." + std::to_string(kMaxHeaderBytes));
  if (h.record_bytes != kRecordBytes)
    fail("record_bytes " + std::to_string(h.record_bytes) + " at byte 24 is not " +
         std::to_string(kRecordBytes));
  if (h.compression > static_cast<std::uint32_t>(Compression::kZstd))
    fail("compression " + std::to_string(h.compression) +
         " at byte 28 is unknown (0 = none, 1 = zstd)");
  if (h.record_count == kUnfinishedCount || h.chunk_count == kUnfinishedCount)
    fail(
        "the writer did not finish this file (record and chunk counts were never filled in); "
        "the capture probably crashed");
  if (h.metadata_bytes > kMaxMetadataBytes)
    fail("metadata_bytes " + std::to_string(h.metadata_bytes) + " at byte 12 exceeds the " +
         std::to_string(kMaxMetadataBytes) + "-byte limit");
  const std::uint64_t meta_at = h.header_bytes;
  if (meta_at + h.metadata_bytes > in.size())
    fail("truncated metadata: " + std::to_string(h.metadata_bytes) + " bytes announced at byte " +
         std::to_string(meta_at) + ", the file ends at byte " + std::to_string(in.size()));
  in.skip(h.header_bytes - kFileHeaderBytes);
  std::string meta_text(h.metadata_bytes, '\0');
  in.read_exact(meta_text.data(), meta_text.size(), "metadata");
  const std::string& file = in.name();
  meta_ = AccessTraceMeta::from_json(meta_text, [&](std::size_t pos, const std::string& msg) {
    const std::string where = pos == kNpos ? "metadata at byte " + std::to_string(meta_at)
                                           : "metadata at byte " + std::to_string(meta_at + pos);
    return input_error(SourceLoc{file, 0, 0}, where + ": " + msg);
  });
  const std::uint64_t left = in.remaining();
  if (h.chunk_count > left / kChunkHeaderBytes)
    fail("chunk_count " + std::to_string(h.chunk_count) + " at byte 32 needs at least " +
         std::to_string(h.chunk_count) + " x 24 bytes of chunk headers, but only " +
         std::to_string(left) + " bytes follow the metadata (truncated file?)");
  if (h.record_count < h.chunk_count)
    fail("record_count " + std::to_string(h.record_count) +
         " at byte 16 is less than chunk_count " + std::to_string(h.chunk_count) +
         " (every chunk holds at least one record)");
  if (h.record_count > h.chunk_count * kMaxChunkRecords)
    fail("record_count " + std::to_string(h.record_count) + " at byte 16 cannot fit in " +
         std::to_string(h.chunk_count) + " chunks of at most " + std::to_string(kMaxChunkRecords) +
         " records");
  info_.version = h.version;
  info_.compression = static_cast<Compression>(h.compression);
  info_.record_count = h.record_count;
  info_.chunk_count = h.chunk_count;
  info_.metadata_bytes = h.metadata_bytes;
}

bool AccessTraceReader::load_chunk() {
  if (finished_) return false;
  auto& in = *in_;
  const std::uint64_t k = chunks_read_;
  if (k == info_.chunk_count) {
    finished_ = true;
    if (records_in_chunks_ != info_.record_count)
      fail("the header's record_count is " + std::to_string(info_.record_count) +
           " but the chunks hold " + std::to_string(records_in_chunks_) + " records");
    if (in.remaining() != 0)
      fail(std::to_string(in.remaining()) + " bytes of trailing data at byte " +
           std::to_string(in.pos()) + ", after the last of " + std::to_string(info_.chunk_count) +
           " chunks");
    return false;
  }
  chunk_offset_ = in.pos();
  const std::string where =
      "chunk " + std::to_string(k) + " at byte " + std::to_string(chunk_offset_);
  unsigned char cb[kChunkHeaderBytes];
  if (in.remaining() < kChunkHeaderBytes)
    fail(where + ": truncated chunk header (" + std::to_string(in.remaining()) +
         " bytes left, a chunk header needs 24; the file header announces " +
         std::to_string(info_.chunk_count) + " chunks)");
  in.read_exact(cb, kChunkHeaderBytes, where + " header");
  const AccessChunkHeader c = decode_chunk_header(cb);
  if (c.magic != kChunkMagic)
    fail(where + ": bad chunk magic \"" + show_bytes(cb, 4) + "\", expected \"CHNK\"");
  if (c.records == 0 || c.records > kMaxChunkRecords)
    fail(where + ": record count " + std::to_string(c.records) + " is outside 1.." +
         std::to_string(kMaxChunkRecords));
  if (static_cast<std::uint64_t>(c.raw_bytes) !=
      static_cast<std::uint64_t>(c.records) * kRecordBytes)
    fail(where + ": raw_bytes " + std::to_string(c.raw_bytes) + " is not records x 32 = " +
         std::to_string(static_cast<std::uint64_t>(c.records) * kRecordBytes));
  if (records_in_chunks_ + c.records > info_.record_count)
    fail(where + ": its " + std::to_string(c.records) + " records bring the total to " +
         std::to_string(records_in_chunks_ + c.records) + ", more than the header's record_count " +
         std::to_string(info_.record_count));
  if (info_.compression == Compression::kNone) {
    if (c.stored_bytes != c.raw_bytes)
      fail(where + ": stored_bytes " + std::to_string(c.stored_bytes) + " differs from raw_bytes " +
           std::to_string(c.raw_bytes) + " in an uncompressed file");
  } else if (c.stored_bytes == 0 || c.stored_bytes > ZSTD_compressBound(c.raw_bytes)) {
    fail(where + ": stored_bytes " + std::to_string(c.stored_bytes) +
         " is impossible for a zstd frame of " + std::to_string(c.raw_bytes) + " bytes");
  }
  if (c.stored_bytes > in.remaining())
    fail(where + ": its payload of " + std::to_string(c.stored_bytes) +
         " bytes runs past the end of the file (" + std::to_string(in.remaining()) +
         " bytes left; truncated file?)");
  stored_.resize(c.stored_bytes);
  in.read_exact(stored_.data(), stored_.size(), where + " payload");
  if (info_.compression == Compression::kNone) {
    raw_.swap(stored_);
  } else {
    const unsigned long long content = ZSTD_getFrameContentSize(stored_.data(), stored_.size());
    if (content == ZSTD_CONTENTSIZE_ERROR)
      fail(where + ": zstd frame is corrupt (not a zstd frame header)");
    if (content == ZSTD_CONTENTSIZE_UNKNOWN)
      fail(where + ": zstd frame does not record its content size");
    if (content != c.raw_bytes)
      fail(where + ": zstd frame holds " + std::to_string(content) +
           " bytes but the chunk header says raw_bytes " + std::to_string(c.raw_bytes));
    const std::size_t frame = ZSTD_findFrameCompressedSize(stored_.data(), stored_.size());
    if (ZSTD_isError(frame))
      fail(where + ": zstd frame is corrupt (" + ZSTD_getErrorName(frame) + ")");
    if (frame != stored_.size())
      fail(where + ": payload is not exactly one zstd frame (frame is " + std::to_string(frame) +
           " bytes, stored_bytes " + std::to_string(stored_.size()) + ")");
    if (!dctx_) dctx_ = ZSTD_createDCtx();
    raw_.resize(c.raw_bytes);
    const std::size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(dctx_), raw_.data(),
                                              raw_.size(), stored_.data(), stored_.size());
    if (ZSTD_isError(n)) fail(where + ": zstd frame is corrupt (" + ZSTD_getErrorName(n) + ")");
    if (n != c.raw_bytes)
      fail(where + ": zstd frame decompressed to " + std::to_string(n) + " bytes, expected " +
           std::to_string(c.raw_bytes));
  }
  const std::uint64_t sum = fnv1a64(raw_.data(), raw_.size());
  if (sum != c.checksum)
    fail(where + ": checksum mismatch (header " + hex64(c.checksum) + ", records hash to " +
         hex64(sum) + "): the chunk is corrupt");
  raw_pos_ = 0;
  records_in_chunks_ += c.records;
  ++chunks_read_;
  return true;
}

bool AccessTraceReader::next(AccessRecord& r) {
  while (raw_pos_ >= raw_.size()) {
    if (!load_chunk()) return false;
  }
  r = decode_record(raw_.data() + raw_pos_);
  if (!record_ok(r, meta_, info_.version))
    fail("chunk " + std::to_string(chunks_read_ - 1) + " at byte " + std::to_string(chunk_offset_) +
         ", record " + std::to_string(raw_pos_ / kRecordBytes) + " (trace record " +
         std::to_string(records_read_) + "): " + check_record(r, meta_, info_.version));
  raw_pos_ += kRecordBytes;
  ++records_read_;
  return true;
}

bool AccessTraceReader::next_chunk(std::vector<AccessRecord>& out) {
  out.clear();
  AccessRecord r;
  if (!next(r)) return false;
  out.push_back(r);
  while (raw_pos_ < raw_.size() && next(r)) out.push_back(r);
  return true;
}

std::vector<AccessRecord> read_access_trace(const std::string& path, AccessTraceMeta* meta) {
  AccessTraceReader rd(path);
  std::vector<AccessRecord> v;
  AccessRecord r;
  while (rd.next(r)) v.push_back(r);
  if (meta) *meta = rd.meta();
  return v;
}

void write_access_trace(const std::string& path, const AccessTraceMeta& meta,
                        const std::vector<AccessRecord>& records, const AccessWriterOptions& opts) {
  AccessTraceWriter w(path, meta, opts);
  for (const auto& r : records) w.append(r);
  w.close();
}

}  // namespace accsim::workloads
