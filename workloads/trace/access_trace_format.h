#pragma once
// accsim access trace, binary format version 2 (reads version 1 too): the on-disk layout, its
// constants, the record kinds and instruction classes of version 2, and a tiny uncompressed
// writer.
//
// This header is deliberately dependency-free C++17 (only <cstdint>, <cstring>, <cstdio>,
// <string>, <vector>): `reference/` includes it from CUDA host code compiled by nvcc alone, without
// SystemC, zstd, fmt or a JSON library. The full library (workloads/trace/access_trace.h) adds
// zstd compression, a validating streaming reader and the RequestSource adapter.
//
// Layout (all integers little-endian, no padding; full tables in workloads/README.md):
//
//   file header, 40 bytes
//     0  char[8] magic            "ACCSIMAT"
//     8  u16     version          2 (1: memory records only)
//    10  u16     header_bytes     40 in versions 1 and 2 (bytes from the file start to the
//    metadata) 12  u32     metadata_bytes   length of the UTF-8 JSON metadata that follows the
//    header 16  u64     record_count     total records in all chunks 24  u32     record_bytes 32 28
//    u32     compression      0 = none, 1 = zstd (one frame per chunk) 32  u64     chunk_count
//   metadata, metadata_bytes of UTF-8 JSON (schema below)
//   chunk_count chunks, each
//     0  u32     magic            "CHNK"
//     4  u32     records          records in this chunk (1 .. kMaxChunkRecords)
//     8  u32     stored_bytes     payload bytes that follow the chunk header
//    12  u32     raw_bytes        records * 32
//    16  u64     checksum         FNV-1a-64 of the raw (uncompressed) record bytes
//    24  payload                  raw records, or one zstd frame whose content is the raw records
//   nothing after the last chunk.
//
//   record, 32 bytes
//     0  u64 address    byte address (a 32-byte sector for captured GPU traces); see kinds below
//     8  u64 timestamp  in metadata.timestamp_unit ("ns", "ps", "sm_cycle", "mem_cycle", "none")
//    16  u32 cta        linear block id (blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * z))
//    20  u32 size       bytes accessed (32 for a sector); 1 .. kMaxRecordSize; see kinds below
//    24  u16 sm         SM id (%smid)
//    26  u16 warp       warp index inside the CTA
//    28  u16 kernel     index into metadata.kernels (0 when the list is empty)
//    30  u8  kind       RecordKind: 0 load, 1 store, 2 atomic (read-modify-write); 3..8 below
//    31  u8  flags      per kind (below); undefined bits must be 0
//
//   Record kinds. Version 1 files hold memory records (kinds 0..2) only. Version 2 adds, per warp
//   and in program order between its memory records, what the warp executes (one record stands
//   for n warp-instructions of one class), and the structure the replay needs to stream a kernel:
//     kind          address                 size               flags
//     0 load        byte address            bytes (1..2^20)    bit 0 L1 bypass (ld.cg, cp.async);
//                                                              bit 1 (version 2) into shared
//                                                              memory (cp.async): the data is
//                                                              written to shared memory
//     1 store       byte address            bytes              0
//     2 atomic      byte address            bytes              0
//     3 compute     n instructions (1..2^32) InstrClass id     bit 0 dep: its first instruction
//                                                              needs the result of the warp's
//                                                              previous compute record; bit 1
//                                                              chain: each of the n depends on
//                                                              the one before
//     4 barrier     barrier id (0: __syncthreads, bar.sync 0; 0..15)  0   0
//     5 commit      0                        0                  0
//       closes the warp's loads issued since its last commit into one group (cp.async.commit_group;
//       for plain loads, the loads whose values the following compute uses)
//     6 wait        N (0..2^16)              0                  0
//       the warp waits until all its committed groups but the newest N have returned
//       (cp.async.wait_group N; N = 0 before using plain loads)
//     7 cta_begin   0                        0                  0
//       the CTA starts (its `sm` is where it ran): the first record of its CTA in the file, once;
//       written with warp 0
//     8 warp_exit   0                        0                  0
//       the warp's last record: it issues nothing more (every warp of the block has one)
//   A version-2 kernel lists, per CTA, cta_begin before any other record of that CTA and one
//   warp_exit per warp of the block (ceil(threads / 32) warps) after that warp's other records.
//   Records of different CTAs and warps may interleave (captures are in time order). Barriers
//   count per warp: the k-th barrier record of every warp of a CTA is the same barrier.
//
// Metadata JSON (one object; unknown top-level or kernel keys are rejected by the reader):
//   {"timestamp_unit": "ns",                 required: "ns" | "ps" | "sm_cycle" | "mem_cycle" |
//                                            "none" (timestamps carry no timing)
//    "tool": "accsim-capture 0.1",           optional: what wrote the file
//    "gpu": "NVIDIA H100 80GB HBM3",         optional
//    "sm_clock_mhz": 1980,                   optional, > 0; required for "sm_cycle"
//    "mem_clock_mhz": 2619,                  optional, > 0; required for "mem_cycle"
//    "kernels": [{"id": 0, "name": "sdpa_fwd", "grid": [8,16,1], "block": [128,1,1],
//                 "smem": 49152, "regs": 128, "params": {...free-form...}}],
//                                            optional; id == position; "regs": registers per
//                                            thread (0 or absent = not known)
//    "capture": {...free-form: sampling, buffer size, overflow/dropped counts ...}}  optional
//
// A writer that dies before close() leaves record_count and chunk_count at kUnfinishedCount, so
// a reader can say "the writer did not finish" instead of guessing.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace accsim::workloads {

// --- constants ----------------------------------------------------------------------------------

inline constexpr char kAccessTraceMagic[8] = {'A', 'C', 'C', 'S', 'I', 'M', 'A', 'T'};
inline constexpr std::uint16_t kAccessTraceVersion = 2;     // what writers write
inline constexpr std::uint16_t kAccessTraceMinVersion = 1;  // the oldest readers accept
inline constexpr std::uint32_t kFileHeaderBytes = 40;
inline constexpr std::uint32_t kChunkHeaderBytes = 24;
inline constexpr std::uint32_t kRecordBytes = 32;
// "CHNK" read as a little-endian u32.
inline constexpr std::uint32_t kChunkMagic = 0x4B4E4843u;
inline constexpr std::uint64_t kUnfinishedCount = ~std::uint64_t{0};

// Limits a reader enforces before it allocates anything, so that a corrupt or hostile file cannot
// make it allocate gigabytes. Writers stay well inside them.
inline constexpr std::uint32_t kMaxMetadataBytes = 16u << 20;  // 16 MiB of JSON
inline constexpr std::uint32_t kMaxChunkRecords = 1u << 21;    // 64 MiB of raw records
inline constexpr std::uint32_t kMaxChunkRawBytes = kMaxChunkRecords * kRecordBytes;
inline constexpr std::uint32_t kMaxHeaderBytes = 4096;  // room for later minor additions
inline constexpr std::uint32_t kMaxRecordSize = 1u << 20;
// 64 K records = 2 MiB raw per chunk: large enough for zstd to find structure, small enough that
// streaming keeps memory flat.
inline constexpr std::uint32_t kDefaultChunkRecords = 1u << 16;

enum class AccessKind : std::uint8_t { kLoad = 0, kStore = 1, kAtomic = 2 };
// Every record kind (the memory kinds are AccessKind's values).
enum class RecordKind : std::uint8_t {
  kLoad = 0,
  kStore = 1,
  kAtomic = 2,
  kCompute = 3,
  kBarrier = 4,
  kCommit = 5,
  kWait = 6,
  kCtaBegin = 7,
  kWarpExit = 8,
};
inline constexpr std::uint8_t kRecordKindCount = 9;
inline constexpr bool is_memory_kind(std::uint8_t kind) {
  return kind <= static_cast<std::uint8_t>(RecordKind::kAtomic);
}
inline constexpr std::uint8_t kFlagL1Bypass = 0x01;  // memory records (loads)
inline constexpr std::uint8_t kFlagToShared =
    0x02;  // loads, version 2: cp.async into shared memory
inline constexpr std::uint8_t kKnownFlags = kFlagL1Bypass;  // version 1
inline constexpr std::uint8_t kKnownFlagsV2 = kFlagL1Bypass | kFlagToShared;
inline constexpr std::uint8_t kFlagDep = 0x01;    // compute records
inline constexpr std::uint8_t kFlagChain = 0x02;  // compute records
inline constexpr std::uint64_t kMaxComputeCount = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kMaxWaitGroups = 1u << 16;
inline constexpr std::uint64_t kMaxBarrierId = 15;

// Instruction classes of compute records (version 2). The ids are part of the file format: append
// only. `pipe` is the execution unit a GPU model charges; `smem_bytes` the shared-memory bytes one
// warp-instruction moves (32 lanes x width; ldmatrix .x1/.x2/.x4 move one/two/four 8x8 b16
// matrices = 128/256/512 bytes; .trans costs the same); `macs` the multiply-accumulates of one
// tensor-core instruction (m16n8k16: 16 x 8 x 16 = 2048). Names are the text dump's spelling.
enum class InstrClass : std::uint32_t {
  kMmaF16F32M16N8K16 = 0,   // mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
  kMmaBf16F32M16N8K16 = 1,  // mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
  kFfma = 2,                // fp32 fma / add / mul (FFMA, FADD, FMUL)
  kHfma2 = 3,               // half2 / bfloat162 fma / add / mul (HFMA2 ...)
  kSfuEx2 = 4,              // ex2.approx (MUFU.EX2)
  kSfuRcp = 5,              // rcp.approx (MUFU.RCP)
  kSfuRsqrt = 6,            // rsqrt.approx (MUFU.RSQ)
  kAlu = 7,                 // integer / logic / compare / select / fp32 min-max (IADD3, LOP3 ...)
  kCvt = 8,                 // conversions (F2F, F2FP pack, I2F ...)
  kShfl = 9,                // shfl.sync
  kLds32 = 10,              // ld.shared 4 bytes per lane
  kLds64 = 11,              // ld.shared 8 bytes per lane
  kLds128 = 12,             // ld.shared 16 bytes per lane
  kSts32 = 13,              // st.shared 4 bytes per lane
  kSts64 = 14,
  kSts128 = 15,
  kLdmatrixX1 = 16,  // ldmatrix.sync.aligned.m8n8.x1 (.trans too)
  kLdmatrixX2 = 17,
  kLdmatrixX4 = 18,
};
inline constexpr std::uint32_t kInstrClassCount = 19;

enum class Pipe : std::uint8_t { kTensor, kFma, kHalf, kSfu, kAlu, kCvt, kShfl, kSmem };
inline constexpr int kPipeCount = 8;

struct InstrClassInfo {
  const char* name;
  Pipe pipe;
  std::uint32_t smem_bytes;  // per warp-instruction (shared-memory classes), else 0
  std::uint32_t macs;        // per warp-instruction (tensor classes), else 0
};

inline constexpr InstrClassInfo kInstrClasses[kInstrClassCount] = {
    {"mma_f16_f32_m16n8k16", Pipe::kTensor, 0, 2048},
    {"mma_bf16_f32_m16n8k16", Pipe::kTensor, 0, 2048},
    {"ffma", Pipe::kFma, 0, 0},
    {"hfma2", Pipe::kHalf, 0, 0},
    {"ex2", Pipe::kSfu, 0, 0},
    {"rcp", Pipe::kSfu, 0, 0},
    {"rsqrt", Pipe::kSfu, 0, 0},
    {"alu", Pipe::kAlu, 0, 0},
    {"cvt", Pipe::kCvt, 0, 0},
    {"shfl", Pipe::kShfl, 0, 0},
    {"lds32", Pipe::kSmem, 128, 0},
    {"lds64", Pipe::kSmem, 256, 0},
    {"lds128", Pipe::kSmem, 512, 0},
    {"sts32", Pipe::kSmem, 128, 0},
    {"sts64", Pipe::kSmem, 256, 0},
    {"sts128", Pipe::kSmem, 512, 0},
    {"ldmatrix_x1", Pipe::kSmem, 128, 0},
    {"ldmatrix_x2", Pipe::kSmem, 256, 0},
    {"ldmatrix_x4", Pipe::kSmem, 512, 0},
};

inline constexpr const char* pipe_name(Pipe p) {
  switch (p) {
    case Pipe::kTensor:
      return "tensor";
    case Pipe::kFma:
      return "fma";
    case Pipe::kHalf:
      return "fp16";
    case Pipe::kSfu:
      return "sfu";
    case Pipe::kAlu:
      return "alu";
    case Pipe::kCvt:
      return "cvt";
    case Pipe::kShfl:
      return "shfl";
    case Pipe::kSmem:
      return "smem";
  }
  return "?";
}

enum class Compression : std::uint32_t { kNone = 0, kZstd = 1 };

// --- plain structs ------------------------------------------------------------------------------

struct AccessRecord {
  std::uint64_t address = 0;
  std::uint64_t timestamp = 0;
  std::uint32_t cta = 0;
  std::uint32_t size = 32;
  std::uint16_t sm = 0;
  std::uint16_t warp = 0;
  std::uint16_t kernel = 0;
  std::uint8_t kind = 0;  // AccessKind
  std::uint8_t flags = 0;

  bool operator==(const AccessRecord& o) const {
    return address == o.address && timestamp == o.timestamp && cta == o.cta && size == o.size &&
           sm == o.sm && warp == o.warp && kernel == o.kernel && kind == o.kind && flags == o.flags;
  }
  bool operator!=(const AccessRecord& o) const { return !(*this == o); }
};

// A record of kind `kind` with the fields given (the rest zero): for hand-written record lists
// (tests, fuzz seeds). For memory kinds `size` is the bytes accessed, for compute records the
// instruction class and `address` the instruction count.
inline AccessRecord make_record(RecordKind kind, std::uint32_t cta, std::uint16_t warp,
                                std::uint64_t address = 0, std::uint32_t size = 0,
                                std::uint8_t flags = 0, std::uint16_t kernel = 0) {
  AccessRecord r;
  r.kind = static_cast<std::uint8_t>(kind);
  r.cta = cta;
  r.warp = warp;
  r.address = address;
  r.size = size;
  r.flags = flags;
  r.kernel = kernel;
  return r;
}

struct AccessFileHeader {
  char magic[8] = {'A', 'C', 'C', 'S', 'I', 'M', 'A', 'T'};
  std::uint16_t version = kAccessTraceVersion;
  std::uint16_t header_bytes = kFileHeaderBytes;
  std::uint32_t metadata_bytes = 0;
  std::uint64_t record_count = 0;
  std::uint32_t record_bytes = kRecordBytes;
  std::uint32_t compression = 0;  // Compression
  std::uint64_t chunk_count = 0;
};

struct AccessChunkHeader {
  std::uint32_t magic = kChunkMagic;
  std::uint32_t records = 0;
  std::uint32_t stored_bytes = 0;
  std::uint32_t raw_bytes = 0;
  std::uint64_t checksum = 0;
};

// --- little-endian encoding (explicit, so the file is the same on any host) ---------------------

inline void put_le16(unsigned char* p, std::uint16_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
}
inline void put_le32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline void put_le64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline std::uint16_t get_le16(const unsigned char* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t get_le32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline std::uint64_t get_le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void encode_file_header(const AccessFileHeader& h, unsigned char out[kFileHeaderBytes]) {
  std::memcpy(out, h.magic, 8);
  put_le16(out + 8, h.version);
  put_le16(out + 10, h.header_bytes);
  put_le32(out + 12, h.metadata_bytes);
  put_le64(out + 16, h.record_count);
  put_le32(out + 24, h.record_bytes);
  put_le32(out + 28, h.compression);
  put_le64(out + 32, h.chunk_count);
}
inline AccessFileHeader decode_file_header(const unsigned char in[kFileHeaderBytes]) {
  AccessFileHeader h;
  std::memcpy(h.magic, in, 8);
  h.version = get_le16(in + 8);
  h.header_bytes = get_le16(in + 10);
  h.metadata_bytes = get_le32(in + 12);
  h.record_count = get_le64(in + 16);
  h.record_bytes = get_le32(in + 24);
  h.compression = get_le32(in + 28);
  h.chunk_count = get_le64(in + 32);
  return h;
}

inline void encode_chunk_header(const AccessChunkHeader& c, unsigned char out[kChunkHeaderBytes]) {
  put_le32(out + 0, c.magic);
  put_le32(out + 4, c.records);
  put_le32(out + 8, c.stored_bytes);
  put_le32(out + 12, c.raw_bytes);
  put_le64(out + 16, c.checksum);
}
inline AccessChunkHeader decode_chunk_header(const unsigned char in[kChunkHeaderBytes]) {
  AccessChunkHeader c;
  c.magic = get_le32(in + 0);
  c.records = get_le32(in + 4);
  c.stored_bytes = get_le32(in + 8);
  c.raw_bytes = get_le32(in + 12);
  c.checksum = get_le64(in + 16);
  return c;
}

inline void encode_record(const AccessRecord& r, unsigned char out[kRecordBytes]) {
  put_le64(out + 0, r.address);
  put_le64(out + 8, r.timestamp);
  put_le32(out + 16, r.cta);
  put_le32(out + 20, r.size);
  put_le16(out + 24, r.sm);
  put_le16(out + 26, r.warp);
  put_le16(out + 28, r.kernel);
  out[30] = r.kind;
  out[31] = r.flags;
}
inline AccessRecord decode_record(const unsigned char in[kRecordBytes]) {
  AccessRecord r;
  r.address = get_le64(in + 0);
  r.timestamp = get_le64(in + 8);
  r.cta = get_le32(in + 16);
  r.size = get_le32(in + 20);
  r.sm = get_le16(in + 24);
  r.warp = get_le16(in + 26);
  r.kernel = get_le16(in + 28);
  r.kind = in[30];
  r.flags = in[31];
  return r;
}

// FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211; Fowler, Noll, Vo,
// draft-eastlake-fnv). Chosen because it is a dozen lines and needs no library on the nvcc side.
inline constexpr std::uint64_t kFnv64Offset = 14695981039346656037ull;
inline constexpr std::uint64_t kFnv64Prime = 1099511628211ull;
inline std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t h = kFnv64Offset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= kFnv64Prime;
  }
  return h;
}

// --- tiny uncompressed writer -------------------------------------------------------------------
//
// For capture code that cannot link zstd: writes a valid version-2 file with compression = 0
// (`version` = 1 in open() writes a version-1 file, for memory records only).
// `accsim trace convert --compress` turns it into a zstd file later. No exceptions: each call
// returns false on failure and error() says why.
class AccessTraceRawWriter {
 public:
  AccessTraceRawWriter() = default;
  AccessTraceRawWriter(const AccessTraceRawWriter&) = delete;
  AccessTraceRawWriter& operator=(const AccessTraceRawWriter&) = delete;
  ~AccessTraceRawWriter() { close(); }

  // `metadata_json` must be one JSON object following the schema above.
  bool open(const std::string& path, const std::string& metadata_json,
            std::uint32_t chunk_records = kDefaultChunkRecords,
            std::uint16_t version = kAccessTraceVersion) {
    if (f_) return fail("writer already open");
    if (version < kAccessTraceMinVersion || version > kAccessTraceVersion)
      return fail("version must be " + std::to_string(kAccessTraceMinVersion) + ".." +
                  std::to_string(kAccessTraceVersion));
    if (chunk_records == 0 || chunk_records > kMaxChunkRecords)
      return fail("chunk_records must be 1.." + std::to_string(kMaxChunkRecords));
    if (metadata_json.size() > kMaxMetadataBytes) return fail("metadata larger than 16 MiB");
    path_ = path;
    chunk_records_ = chunk_records;
    records_ = 0;
    chunks_ = 0;
    buf_.clear();
    buf_.reserve(static_cast<std::size_t>(chunk_records) * kRecordBytes);
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) return fail("cannot open '" + path + "' for writing");
    AccessFileHeader h;
    h.version = version;
    h.metadata_bytes = static_cast<std::uint32_t>(metadata_json.size());
    h.record_count = kUnfinishedCount;
    h.chunk_count = kUnfinishedCount;
    unsigned char hb[kFileHeaderBytes];
    encode_file_header(h, hb);
    if (std::fwrite(hb, 1, sizeof hb, f_) != sizeof hb ||
        std::fwrite(metadata_json.data(), 1, metadata_json.size(), f_) != metadata_json.size())
      return fail_io("write header");
    return true;
  }

  bool append(const AccessRecord* records, std::size_t n) {
    if (!f_) return fail("writer not open");
    for (std::size_t i = 0; i < n; ++i) {
      unsigned char rb[kRecordBytes];
      encode_record(records[i], rb);
      buf_.insert(buf_.end(), rb, rb + kRecordBytes);
      if (buf_.size() == static_cast<std::size_t>(chunk_records_) * kRecordBytes && !flush())
        return false;
    }
    return true;
  }
  bool append(const AccessRecord& r) { return append(&r, 1); }

  // Writes the last chunk and patches the counts into the header. Safe to call twice.
  bool close() {
    if (!f_) return error_.empty();
    if (!flush()) return false;
    unsigned char b[8];
    put_le64(b, records_);
    bool ok = std::fseek(f_, 16, SEEK_SET) == 0 && std::fwrite(b, 1, 8, f_) == 8;
    put_le64(b, chunks_);
    ok = ok && std::fseek(f_, 32, SEEK_SET) == 0 && std::fwrite(b, 1, 8, f_) == 8;
    ok = (std::fclose(f_) == 0) && ok;
    f_ = nullptr;
    return ok ? true : fail("cannot finish '" + path_ + "' (patching the header failed)");
  }

  std::uint64_t records() const { return records_; }
  std::uint64_t chunks() const { return chunks_; }
  const std::string& error() const { return error_; }

 private:
  bool flush() {
    if (buf_.empty()) return true;
    AccessChunkHeader c;
    c.records = static_cast<std::uint32_t>(buf_.size() / kRecordBytes);
    c.raw_bytes = static_cast<std::uint32_t>(buf_.size());
    c.stored_bytes = c.raw_bytes;
    c.checksum = fnv1a64(buf_.data(), buf_.size());
    unsigned char cb[kChunkHeaderBytes];
    encode_chunk_header(c, cb);
    if (std::fwrite(cb, 1, sizeof cb, f_) != sizeof cb ||
        std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return fail_io("write chunk");
    records_ += c.records;
    ++chunks_;
    buf_.clear();
    return true;
  }
  bool fail(const std::string& m) {
    error_ = "access trace writer: " + m;
    return false;
  }
  bool fail_io(const char* what) {
    std::fclose(f_);
    f_ = nullptr;
    return fail(std::string(what) + " to '" + path_ + "' failed (disk full?)");
  }

  std::FILE* f_ = nullptr;
  std::string path_;
  std::string error_;
  std::uint32_t chunk_records_ = kDefaultChunkRecords;
  std::uint64_t records_ = 0;
  std::uint64_t chunks_ = 0;
  std::vector<unsigned char> buf_;
};

}  // namespace accsim::workloads
