// The binary access trace: round trips, the dependency-free raw writer, and every class of bad
// input the reader must reject with a message naming the file and the byte.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/trace/access_trace.h"
#include "workloads/trace/access_trace_format.h"
#include "workloads/trace/op_trace.h"

namespace accsim::workloads {
namespace {

using testing::expect_input_error;
using testing::read_bytes;
using testing::sample_meta;
using testing::sample_records;
using testing::write_bytes;

class AccessTrace : public testing::TraceTest {};

void expect_same(const std::vector<AccessRecord>& a, const std::vector<AccessRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "record " << i;
}

TEST(AccessTraceFormat, RecordEncodingIsLittleEndianAtDocumentedOffsets) {
  AccessRecord r;
  r.address = 0x0102030405060708ull;
  r.timestamp = 0x1112131415161718ull;
  r.cta = 0x21222324;
  r.size = 32;
  r.sm = 0x3132;
  r.warp = 0x4142;
  r.kernel = 0x5152;
  r.kind = 2;
  r.flags = 1;
  unsigned char b[kRecordBytes];
  encode_record(r, b);
  EXPECT_EQ(b[0], 0x08);
  EXPECT_EQ(b[7], 0x01);
  EXPECT_EQ(b[8], 0x18);
  EXPECT_EQ(b[16], 0x24);
  EXPECT_EQ(b[20], 32);
  EXPECT_EQ(b[24], 0x32);
  EXPECT_EQ(b[26], 0x42);
  EXPECT_EQ(b[28], 0x52);
  EXPECT_EQ(b[30], 2);
  EXPECT_EQ(b[31], 1);
  EXPECT_EQ(decode_record(b), r);
}

TEST(AccessTraceFormat, Fnv1aMatchesPublishedVectors) {
  // Test vectors of FNV-1a 64 (draft-eastlake-fnv): "" and "a".
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
}

TEST_F(AccessTrace, RoundTripCompressedManyChunks) {
  const auto recs = sample_records(10000, 3);
  AccessWriterOptions o;
  o.chunk_records = 1000;
  write_access_trace(path("a.atrace"), sample_meta(3), recs, o);
  AccessTraceReader rd(path("a.atrace"));
  EXPECT_EQ(rd.header().compression, Compression::kZstd);
  EXPECT_EQ(rd.header().chunk_count, 10u);
  EXPECT_EQ(rd.header().record_count, 10000u);
  EXPECT_EQ(rd.meta().to_json(), sample_meta(3).to_json());
  std::vector<AccessRecord> back;
  AccessRecord r;
  while (rd.next(r)) back.push_back(r);
  expect_same(recs, back);
  EXPECT_FALSE(rd.next(r));  // stays at the end
}

TEST_F(AccessTrace, RoundTripUncompressedWithPartialLastChunk) {
  const auto recs = sample_records(2500);
  AccessWriterOptions o;
  o.compression = Compression::kNone;
  o.chunk_records = 1000;
  write_access_trace(path("a.atrace"), sample_meta(), recs, o);
  AccessTraceMeta m;
  expect_same(recs, read_access_trace(path("a.atrace"), &m));
  EXPECT_EQ(m.kernels.at(0).name, "kernel_0");
  EXPECT_EQ(m.kernels.at(0).params["N"], 1024);
  // Uncompressed size is exactly header + metadata + chunk headers + records.
  const auto bytes = read_bytes(path("a.atrace"));
  EXPECT_EQ(bytes.size(), 40 + sample_meta().to_json().size() + 3 * 24 + 2500 * 32);
}

TEST_F(AccessTrace, CompressionShrinksAStructuredTrace) {
  std::vector<AccessRecord> recs;
  for (std::uint64_t i = 0; i < 50000; ++i) {
    AccessRecord r;
    r.address = i * 32;
    r.timestamp = i;
    recs.push_back(r);
  }
  AccessTraceMeta m;
  write_access_trace(path("z.atrace"), m, recs);
  AccessWriterOptions raw;
  raw.compression = Compression::kNone;
  write_access_trace(path("r.atrace"), m, recs, raw);
  EXPECT_LT(read_bytes(path("z.atrace")).size() * 10, read_bytes(path("r.atrace")).size());
  expect_same(read_access_trace(path("z.atrace")), recs);
}

TEST_F(AccessTrace, EmptyTraceRoundTrips) {
  for (auto c : {Compression::kNone, Compression::kZstd}) {
    AccessWriterOptions o;
    o.compression = c;
    write_access_trace(path("e.atrace"), sample_meta(), {}, o);
    AccessTraceReader rd(path("e.atrace"));
    EXPECT_EQ(rd.header().record_count, 0u);
    EXPECT_EQ(rd.header().chunk_count, 0u);
    AccessRecord r;
    EXPECT_FALSE(rd.next(r));
  }
}

TEST_F(AccessTrace, NextChunkStreamsChunkByChunk) {
  const auto recs = sample_records(2500);
  AccessWriterOptions o;
  o.chunk_records = 1000;
  write_access_trace(path("a.atrace"), sample_meta(), recs, o);
  AccessTraceReader rd(path("a.atrace"));
  std::vector<AccessRecord> chunk;
  std::vector<std::size_t> sizes;
  while (rd.next_chunk(chunk)) sizes.push_back(chunk.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1000, 1000, 500}));
}

TEST_F(AccessTrace, RawWriterFromTheFormatHeaderIsReadable) {
  const auto recs = sample_records(3000);
  AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path("raw.atrace"), sample_meta().to_json(), 1024)) << w.error();
  ASSERT_TRUE(w.append(recs.data(), 1000));
  for (std::size_t i = 1000; i < recs.size(); ++i) ASSERT_TRUE(w.append(recs[i]));
  ASSERT_TRUE(w.close()) << w.error();
  EXPECT_EQ(w.chunks(), 3u);
  AccessTraceReader rd(path("raw.atrace"));
  EXPECT_EQ(rd.header().compression, Compression::kNone);
  std::vector<AccessRecord> back;
  AccessRecord r;
  while (rd.next(r)) back.push_back(r);
  expect_same(recs, back);
}

TEST_F(AccessTrace, WriterRemovesItsPartialFileWhenNotClosed) {
  {
    AccessTraceWriter w(path("p.atrace"), sample_meta());
    w.append(sample_records(1)[0]);
  }
  EXPECT_FALSE(std::filesystem::exists(path("p.atrace")));
  EXPECT_FALSE(std::filesystem::exists(path("p.atrace.part")));
}

// Issue 17, case 3: a writer never replaces what is not a regular file (sim/core/output_path.h).
TEST_F(AccessTrace, WritersFollowLinksAndNeverReplaceWhatIsNotAFile) {
  namespace fs = std::filesystem;
  const auto recs = sample_records(3);
  const auto write_trace = [&](const std::string& p) {
    AccessTraceWriter w(p, sample_meta());
    for (const auto& r : recs) w.append(r);
    w.close();
  };
  // A link to a file: the target gets the trace, the link stays a link.
  testing::write_text(path("old.atrace"), "old");
  fs::create_symlink("old.atrace", dir_ / "link.atrace");
  write_trace(path("link.atrace"));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "link.atrace")));
  EXPECT_EQ(AccessTraceReader(path("old.atrace")).header().record_count, recs.size());
  EXPECT_FALSE(fs::exists(path("old.atrace.part")));
  // A dangling link creates its target.
  fs::create_symlink("sub/new.atrace", dir_ / "dangling.atrace");
  write_trace(path("dangling.atrace"));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "dangling.atrace")));
  EXPECT_EQ(AccessTraceReader(path("sub/new.atrace")).header().record_count, recs.size());
  // A FIFO or a folder is refused before anything is written.
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  expect_input_error([&] { write_trace(path("pipe")); }, {"pipe", "not a regular file"});
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(dir_ / "pipe")));
  fs::create_directories(dir_ / "folder");
  expect_input_error([&] { write_trace(path("folder")); }, {"folder", "is a folder"});
  // Op traces (text): a link is followed, a FIFO is written through and stays a FIFO.
  OpRecord rec;
  rec.kernel = "gelu_kernel";
  rec.op = OpKind::kGelu;
  rec.shape = {{"n", 64}};
  rec.tensors = {{"x", 0x1000, 128}, {"y", 0x2000, 128}};
  fs::create_symlink("ops.jsonl", dir_ / "ops_link.jsonl");
  write_op_trace(path("ops_link.jsonl"), OpTraceHeader{}, {rec});
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "ops_link.jsonl")));
  EXPECT_EQ(read_op_trace(path("ops.jsonl")).size(), 1u);
  std::string got;
  std::thread reader([&] { got = testing::read_text(path("pipe")); });
  write_op_trace(path("pipe"), OpTraceHeader{}, {rec});
  reader.join();
  EXPECT_NE(got.find("gelu_kernel"), std::string::npos);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(dir_ / "pipe")));
}

TEST_F(AccessTrace, WriterRejectsInvalidRecords) {
  AccessTraceWriter w(path("w.atrace"), sample_meta(2));
  AccessRecord r;
  r.kind = 9;
  expect_input_error([&] { w.append(r); }, {path("w.atrace"), "record 0", "kind 9"});
  r.kind = 3;  // compute: class in `size` (32 is past the classes), count in `address` (0)
  expect_input_error([&] { w.append(r); }, {"unknown instruction class 32"});
  r.size = 2;
  expect_input_error([&] { w.append(r); }, {"counts 0 instructions"});
  r.kind = 0;
  r.size = 32;
  r.kernel = 2;
  expect_input_error([&] { w.append(r); }, {"kernel index 2"});
  r.kernel = 0;
  r.size = 0;
  expect_input_error([&] { w.append(r); }, {"size 0"});
}

// --- bad input -----------------------------------------------------------------------------------

class BadAccessTrace : public testing::TraceTest {
 protected:
  // A small uncompressed trace: 2 chunks of 4 and 2 records.
  std::string good(Compression c = Compression::kNone) {
    AccessWriterOptions o;
    o.compression = c;
    o.chunk_records = 4;
    const auto p = path(c == Compression::kNone ? "good_raw.atrace" : "good_zstd.atrace");
    write_access_trace(p, sample_meta(), sample_records(6), o);
    return p;
  }
  std::size_t first_chunk() const { return 40 + sample_meta().to_json().size(); }
  static void read_all(const std::string& p) {
    AccessTraceReader rd(p);
    AccessRecord r;
    while (rd.next(r)) {
    }
  }
};

TEST_F(BadAccessTrace, MissingFile) {
  expect_input_error([&] { read_all(path("nope.atrace")); }, {path("nope.atrace"), "no such file"});
}

TEST_F(BadAccessTrace, Directory) {
  expect_input_error([&] { read_all(path("")); }, {"directory"});
}

TEST_F(BadAccessTrace, WrongMagic) {
  auto b = read_bytes(good());
  b[3] = 'X';
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "not an accsim access trace", "ACCXIMAT"});
}

TEST_F(BadAccessTrace, TextFileIsNotATrace) {
  testing::write_text(path("t.atrace"), "LD 0x1000\n");
  expect_input_error([&] { read_all(path("t.atrace")); }, {"not an accsim access trace"});
}

TEST_F(BadAccessTrace, UnsupportedVersion) {
  auto b = read_bytes(good());
  b[8] = 3;
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "unsupported access trace version 3", "byte 8"});
  b[8] = 0;
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); }, {"unsupported access trace version 0"});
}

TEST_F(BadAccessTrace, TruncatedHeader) {
  auto b = read_bytes(good());
  b.resize(20);
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "truncated header", "20 bytes"});
}

TEST_F(BadAccessTrace, TruncatedMetadata) {
  auto b = read_bytes(good());
  b.resize(60);
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); }, {path("t.atrace"), "truncated metadata"});
}

TEST_F(BadAccessTrace, TruncatedChunk) {
  for (auto c : {Compression::kNone, Compression::kZstd}) {
    auto b = read_bytes(good(c));
    b.resize(b.size() - 10);  // inside the last chunk's payload
    write_bytes(path("t.atrace"), b);
    expect_input_error([&] { read_all(path("t.atrace")); },
                       {path("t.atrace"), "chunk 1 at byte", "runs past the end of the file"});
  }
}

TEST_F(BadAccessTrace, TruncatedBetweenChunks) {
  auto b = read_bytes(good());
  b.resize(first_chunk() + 24 + 4 * 32 + 10);  // inside the second chunk header
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "chunk 1 at byte " + std::to_string(first_chunk() + 152),
                      "truncated chunk header"});
}

TEST_F(BadAccessTrace, ChunkCountLargerThanTheFile) {
  auto b = read_bytes(good());
  put_le64(b.data() + 32, 1000000);  // chunk_count
  put_le64(b.data() + 16, 5000000);  // record_count, consistent with it
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "chunk_count 1000000", "byte 32", "truncated"});
}

TEST_F(BadAccessTrace, ChunkRecordCountLargerThanTheFile) {
  // Header and chunk agree on 1 M records, but the bytes are not there: the reader must say so
  // before it allocates 32 MB.
  auto b = read_bytes(good());
  put_le64(b.data() + 16, 1000000 + 2);
  const std::size_t c0 = first_chunk();
  put_le32(b.data() + c0 + 4, 1000000);
  put_le32(b.data() + c0 + 8, 32000000);
  put_le32(b.data() + c0 + 12, 32000000);
  write_bytes(path("t.atrace"), b);
  expect_input_error(
      [&] { read_all(path("t.atrace")); },
      {path("t.atrace"), "chunk 0 at byte " + std::to_string(c0), "runs past the end of the file"});
}

TEST_F(BadAccessTrace, ChunkRecordsExceedTheHeaderCount) {
  auto b = read_bytes(good());
  const std::size_t c0 = first_chunk();
  put_le32(b.data() + c0 + 4, 100);
  put_le32(b.data() + c0 + 8, 3200);
  put_le32(b.data() + c0 + 12, 3200);
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {"chunk 0 at byte", "more than the header's record_count 6"});
}

TEST_F(BadAccessTrace, RawBytesNotRecordsTimes32) {
  auto b = read_bytes(good());
  put_le32(b.data() + first_chunk() + 12, 100);
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); }, {"chunk 0 at byte", "raw_bytes 100"});
}

TEST_F(BadAccessTrace, CorruptZstdFrameHeader) {
  auto b = read_bytes(good(Compression::kZstd));
  const std::size_t payload = first_chunk() + 24;
  b[payload] ^= 0xff;  // the zstd magic number
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "chunk 0 at byte " + std::to_string(first_chunk()),
                      "zstd frame is corrupt"});
}

TEST_F(BadAccessTrace, CorruptZstdFrameBody) {
  // Damage inside the compressed block: zstd either fails or decodes other bytes, which the
  // checksum catches. Either way: an input error at chunk 0.
  const auto g = read_bytes(good(Compression::kZstd));
  const std::size_t payload = first_chunk() + 24;
  const std::uint32_t stored = get_le32(g.data() + first_chunk() + 8);
  for (std::size_t off = 6; off < stored; ++off) {
    auto b = g;
    b[payload + off] ^= 0x5a;
    write_bytes(path("t.atrace"), b);
    expect_input_error([&] { read_all(path("t.atrace")); }, {path("t.atrace"), "chunk 0 at byte"});
  }
}

TEST_F(BadAccessTrace, ChecksumMismatch) {
  auto b = read_bytes(good());
  b[first_chunk() + 24 + 3] ^= 0x10;  // an address byte of record 0
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "chunk 0 at byte", "checksum mismatch"});
}

TEST_F(BadAccessTrace, RecordCountMismatch) {
  auto b = read_bytes(good());
  put_le64(b.data() + 16, 7);
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "record_count is 7 but the chunks hold 6"});
}

TEST_F(BadAccessTrace, TrailingGarbage) {
  auto b = read_bytes(good());
  const auto end = b.size();
  b.insert(b.end(), {1, 2, 3});
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "3 bytes of trailing data at byte " + std::to_string(end)});
}

TEST_F(BadAccessTrace, UnfinishedWriter) {
  AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path("t.atrace"), R"({"timestamp_unit":"ns"})"));
  ASSERT_TRUE(w.append(sample_records(1)[0]));
  // Simulate a crash: copy the file as it is before close() patches the counts.
  std::fflush(nullptr);
  std::filesystem::copy_file(path("t.atrace"), path("crashed.atrace"));
  ASSERT_TRUE(w.close());
  expect_input_error([&] { read_all(path("crashed.atrace")); },
                     {path("crashed.atrace"), "the writer did not finish"});
}

TEST_F(BadAccessTrace, InvalidRecordFieldsNameTheRecord) {
  auto b = read_bytes(good());
  const std::size_t rec = first_chunk() + 24 + 2 * 32;  // record 2 of chunk 0
  b[rec + 30] = 9;                                      // kind
  // Keep the checksum right so that the record check, not the checksum, must catch it.
  put_le64(b.data() + first_chunk() + 16, fnv1a64(b.data() + first_chunk() + 24, 4 * 32));
  write_bytes(path("t.atrace"), b);
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "chunk 0 at byte", "record 2", "kind 9"});
}

TEST_F(BadAccessTrace, BadMetadataJson) {
  AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path("t.atrace"), R"({"timestamp_unit": "ns", "gpu": })"));
  ASSERT_TRUE(w.close());
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {path("t.atrace"), "metadata at byte 72", "invalid JSON"});
}

TEST_F(BadAccessTrace, MetadataUnknownKeySuggestsTheRightOne) {
  AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path("t.atrace"), R"({"timestamp_unit":"ns","gpuu":"H100"})"));
  ASSERT_TRUE(w.close());
  expect_input_error([&] { read_all(path("t.atrace")); },
                     {"metadata at byte 63", "unknown key 'gpuu'", "did you mean 'gpu'"});
}

TEST_F(BadAccessTrace, MetadataSemanticErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"gpu":"x"})", "lacks the required key 'timestamp_unit'"},
      {R"({"timestamp_unit":"seconds"})", "expected one of none, ns, ps, sm_cycle, mem_cycle"},
      {R"({"timestamp_unit":"sm_cycle"})", "needs sm_clock_mhz"},
      {R"({"timestamp_unit":"ns","sm_clock_mhz":-5})", "outside the valid range"},
      {R"({"timestamp_unit":"ns","kernels":[{"id":1,"name":"k"}]})", "ids must equal"},
      {R"({"timestamp_unit":"ns","kernels":[{"id":0,"name":"k","grid":[0]}]})", "'grid'"},
      {R"({"timestamp_unit":"ns","kernels":[{"id":0,"name":"k","registers":32}]})",
       "unknown key 'registers' in kernels[0]"},
      {R"({"timestamp_unit":"ns","kernels":[{"id":0,"name":"k","regs":256}]})", "regs"},
      {R"({"timestamp_unit":"ns","capture":[1]})", "'capture' in the trace metadata must be"},
      {R"([1,2])", "must be a JSON object"},
      {std::string(100, '[') + std::string(100, ']'), "nests deeper than 64"},
  };
  for (const auto& [json, msg] : cases) {
    AccessTraceRawWriter w;
    ASSERT_TRUE(w.open(path("t.atrace"), json));
    ASSERT_TRUE(w.close());
    SCOPED_TRACE(json);
    expect_input_error([&] { read_all(path("t.atrace")); }, {path("t.atrace"), "metadata", msg});
  }
}

TEST_F(BadAccessTrace, MemoryInputNamesItsSource) {
  const auto b = read_bytes(good());
  const std::vector<unsigned char> cut(b.begin(), b.begin() + 30);
  expect_input_error([&] { AccessTraceReader rd(cut.data(), cut.size(), "<fuzz input>"); },
                     {"<fuzz input>", "truncated header"});
}

}  // namespace
}  // namespace accsim::workloads
