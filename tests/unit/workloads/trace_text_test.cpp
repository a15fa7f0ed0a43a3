// Text forms of access traces (the dump, Ramulator LD/ST, DRAMSys .stl), format detection, the
// converters and `trace info`.
#include <gtest/gtest.h>

#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/trace/trace_file.h"

namespace accsim::workloads {
namespace {

using testing::expect_input_error;
using testing::read_text;
using testing::sample_meta;
using testing::sample_records;
using testing::write_text;

class TextTrace : public testing::TraceTest {
 protected:
  std::string make_binary(const std::vector<AccessRecord>& recs, const AccessTraceMeta& m,
                          const std::string& name = "in.atrace") {
    AccessWriterOptions o;
    o.chunk_records = 700;
    write_access_trace(path(name), m, recs, o);
    return path(name);
  }
  static std::vector<AccessRecord> all(AccessRecordReader& rd) {
    std::vector<AccessRecord> v;
    AccessRecord r;
    while (rd.next(r)) v.push_back(r);
    return v;
  }
  static std::vector<AccessRecord> all(const std::string& p, std::optional<TraceFormat> f = {},
                                       const PeerReadOptions& o = {}) {
    auto rd = open_access_records(p, f, o);
    return all(*rd);
  }
};

TEST_F(TextTrace, DumpRoundTripKeepsEveryFieldAndTheMetadata) {
  const auto recs = sample_records(2000, 2);
  const auto in = make_binary(recs, sample_meta(2));
  ConvertOptions c;
  c.to = TraceFormat::kAccessText;
  EXPECT_EQ(convert_trace(in, path("d.txt"), c), 2000u);
  EXPECT_EQ(detect_trace_format(path("d.txt")), TraceFormat::kAccessText);
  auto rd = open_access_records(path("d.txt"));
  EXPECT_EQ(rd->meta().to_json(), sample_meta(2).to_json());
  EXPECT_EQ(all(*rd), recs);
  // and back to binary, both compressions
  for (auto comp : {Compression::kNone, Compression::kZstd}) {
    ConvertOptions b;
    b.to = TraceFormat::kAccessBinary;
    b.binary.compression = comp;
    b.binary.chunk_records = 333;
    convert_trace(path("d.txt"), path("back.atrace"), b);
    AccessTraceMeta m;
    EXPECT_EQ(read_access_trace(path("back.atrace"), &m), recs);
    EXPECT_EQ(m.to_json(), sample_meta(2).to_json());
  }
}

TEST_F(TextTrace, DumpLooksAsDocumented) {
  AccessRecord r;
  r.address = 0x7f0000001000;
  r.timestamp = 1200;
  r.size = 32;
  r.sm = 3;
  r.cta = 17;
  r.warp = 2;
  r.flags = kFlagL1Bypass;
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  const auto in = make_binary({r}, m);
  std::string text;
  auto rd = open_access_records(in);
  write_text_dump(*rd, [&](std::string_view s) { text += s; });
  EXPECT_NE(text.find("# accsim access trace dump"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# metadata: {\"timestamp_unit\":\"ns\"}\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n1200 LD 0x7f0000001000 32 3 17 2 0 cg\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# end: 1 records"), std::string::npos) << text;
}

TEST_F(TextTrace, DumpHeadStopsEarly) {
  const auto in = make_binary(sample_records(100), sample_meta());
  auto rd = open_access_records(in);
  std::string text;
  EXPECT_EQ(write_text_dump(
                *rd, [&](std::string_view s) { text += s; }, 10),
            10u);
  EXPECT_NE(text.find("stopped after 10 records"), std::string::npos);
}

TEST_F(TextTrace, EmptyTracesConvertEverywhere) {
  const auto in = make_binary({}, sample_meta());
  for (auto to : {TraceFormat::kAccessText, TraceFormat::kRamulator, TraceFormat::kDramsysStl,
                  TraceFormat::kAccessBinary}) {
    ConvertOptions c;
    c.to = to;
    c.stl.clock_mhz = 1000;
    EXPECT_EQ(convert_trace(in, path("out"), c), 0u);
    EXPECT_TRUE(all(path("out"), to).empty());
  }
}

TEST_F(TextTrace, RamulatorRoundTrip) {
  std::vector<AccessRecord> recs;
  for (std::uint64_t i = 0; i < 500; ++i) {
    AccessRecord r;
    r.address = 0x40000000ull + i * 64 * 37;
    r.kind = i % 3 == 0 ? 1 : 0;
    r.size = 64;
    recs.push_back(r);
  }
  AccessTraceMeta m;
  const auto in = make_binary(recs, m);
  ConvertOptions c;
  c.to = TraceFormat::kRamulator;
  convert_trace(in, path("t.trace"), c);
  const auto text = read_text(path("t.trace"));
  EXPECT_EQ(text.substr(0, 14), "ST 0x40000000\n");  // record 0 is a store
  EXPECT_EQ(detect_trace_format(path("t.trace")), TraceFormat::kRamulator);
  // Ramulator holds address and direction only; those must survive exactly.
  EXPECT_EQ(all(path("t.trace")), recs);
  ConvertOptions b;
  b.to = TraceFormat::kAccessBinary;
  convert_trace(path("t.trace"), path("back.atrace"), b);
  EXPECT_EQ(read_access_trace(path("back.atrace")), recs);
}

TEST_F(TextTrace, RamulatorAtomicBecomesLoadThenStore) {
  AccessRecord r;
  r.address = 0x100;
  r.kind = 2;
  const auto in = make_binary({r}, AccessTraceMeta{});
  auto rd = open_access_records(in);
  std::string text;
  EXPECT_EQ(write_ramulator(*rd, [&](std::string_view s) { text += s; }), 2u);
  EXPECT_EQ(text, "LD 0x100\nST 0x100\n");
}

TEST_F(TextTrace, RamulatorReaderAcceptsDecimalAndRequestSize) {
  write_text(path("r.trace"), "LD 4096\nST 0X2000\n\n");
  PeerReadOptions o;
  o.request_bytes = 128;
  const auto v = all(path("r.trace"), TraceFormat::kRamulator, o);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].address, 4096u);
  EXPECT_EQ(v[1].address, 0x2000u);
  EXPECT_EQ(v[1].kind, 1);
  EXPECT_EQ(v[0].size, 128u);
}

TEST_F(TextTrace, StlRoundTripInMemoryCycles) {
  std::vector<AccessRecord> recs;
  for (std::uint64_t i = 0; i < 300; ++i) {
    AccessRecord r;
    r.address = 0x1000 + i * 64;
    r.timestamp = i * 3;
    r.kind = i % 2;
    r.size = 64;
    recs.push_back(r);
  }
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kMemCycle;
  m.mem_clock_mhz = 1600;
  const auto in = make_binary(recs, m);
  ConvertOptions c;
  c.to = TraceFormat::kDramsysStl;
  c.stl.clock_mhz = 1600;
  convert_trace(in, path("t.stl"), c);
  const auto text = read_text(path("t.stl"));
  EXPECT_NE(text.find("\n0:\tread\t0x1000\n3:\twrite\t0x1040\n"), std::string::npos) << text;
  EXPECT_EQ(detect_trace_format(path("t.stl")), TraceFormat::kDramsysStl);
  PeerReadOptions o;
  o.stl_clock_mhz = 1600;
  auto rd = open_access_records(path("t.stl"), {}, o);
  EXPECT_EQ(rd->meta().timestamp_unit, TimestampUnit::kMemCycle);
  EXPECT_EQ(rd->meta().mem_clock_mhz, 1600);
  EXPECT_EQ(all(*rd), recs);
}

TEST_F(TextTrace, StlCyclesFromNanosecondsRoundDownAndStartAtTheOrigin) {
  std::vector<AccessRecord> recs(4);
  const std::uint64_t t0 = 1'700'000'000'000'000'000ull;  // %globaltimer-like absolute ns
  const std::uint64_t dt[] = {0, 1, 10, 1001};
  for (int i = 0; i < 4; ++i) recs[i].timestamp = t0 + dt[i];
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  const auto in = make_binary(recs, m);
  ConvertOptions c;
  c.to = TraceFormat::kDramsysStl;
  c.stl.clock_mhz = 1600;  // 0.625 ns per cycle
  convert_trace(in, path("t.stl"), c);
  const auto v = all(path("t.stl"), TraceFormat::kDramsysStl);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].timestamp, 0u);
  EXPECT_EQ(v[1].timestamp, 1u);     // 1 ns = 1.6 cycles -> 1
  EXPECT_EQ(v[2].timestamp, 16u);    // 10 ns = 16 cycles
  EXPECT_EQ(v[3].timestamp, 1601u);  // 1001 ns = 1601.6 cycles -> 1601
}

TEST_F(TextTrace, StlReaderAcceptsLengthsDataCommentsAndBareHex) {
  write_text(path("t.stl"),
             "# a comment\n"
             "10: read 0x400\n"
             "11:\t(32)\twrite\t0x440\t0x00112233445566778899aabbccddeeff00112233445566778899aabb"
             "ccddeeff\n"
             "12 read 480\n");
  const auto v = all(path("t.stl"), TraceFormat::kDramsysStl);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].size, 64u);
  EXPECT_EQ(v[1].size, 32u);
  EXPECT_EQ(v[1].kind, 1);
  EXPECT_EQ(v[2].address, 0x480u);
  EXPECT_EQ(v[2].timestamp, 12u);
}

TEST_F(TextTrace, StlNeedsAClock) {
  const auto in = make_binary(sample_records(3), sample_meta());
  ConvertOptions c;
  c.to = TraceFormat::kDramsysStl;
  try {
    convert_trace(in, path("t.stl"), c);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("MHz"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(path("t.stl")));
  EXPECT_FALSE(std::filesystem::exists(path("t.stl.part")));
}

TEST_F(TextTrace, OpTraceIsNotAnAccessTrace) {
  write_text(path("o.jsonl"), R"({"format":"accsim-op-trace","version":1})"
                              "\n");
  EXPECT_EQ(detect_trace_format(path("o.jsonl")), TraceFormat::kOpTrace);
  ConvertOptions c;
  c.to = TraceFormat::kRamulator;
  EXPECT_THROW(convert_trace(path("o.jsonl"), path("x"), c), Error);
}

TEST_F(TextTrace, DetectionFailsClearly) {
  write_text(path("x.txt"), "hello world\n");
  expect_input_error([&] { detect_trace_format(path("x.txt")); },
                     {path("x.txt") + ":1:1", "cannot tell the trace format", "hello world"});
  write_text(path("e.txt"), "");
  expect_input_error([&] { detect_trace_format(path("e.txt")); }, {path("e.txt"), "empty"});
  expect_input_error([&] { detect_trace_format(path("missing")); },
                     {path("missing"), "no such file"});
}

// --- bad lines name file:line:column ----------------------------------------------------------

TEST_F(TextTrace, BadDumpLines) {
  const std::string head = "# accsim access trace dump\n# metadata: {\"timestamp_unit\":\"ns\"}\n";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"5 LD 0x10 32 0 0 0 0 -\n5 XX 0x10 32 0 0 0 0 -\n", ":4:3", "kind is 'XX'"},
      {"5 LD 0x10 32 0 0 0 0\n", ":3:1", "expected 9 fields"},
      {"5 LD 16 32 0 0 0 0 -\n", ":3:6", "address is '16'"},
      {"5 LD 0x10 0 0 0 0 0 -\n", ":3:11", "size is '0'"},
      {"5 LD 0x10 32 70000 0 0 0 -\n", ":3:14", "sm is '70000'"},
      {"-5 LD 0x10 32 0 0 0 0 -\n", ":3:1", "timestamp is '-5'"},
      {"5 LD 0x10 32 0 0 0 1 -\n", ":3:20", "kernel index 1"},
      {"5 LD 0x10 32 0 0 0 0 xx\n", ":3:22", "flags are 'xx'"},
      {"5 LD 0x10 32 0 0 0 0 -\n# metadata: {\"timestamp_unit\":\"ns\"}\n", ":4:1",
       "before the first record"},
  };
  for (const auto& [body, where, msg] : cases) {
    SCOPED_TRACE(body);
    write_text(path("d.txt"), head + body);
    expect_input_error([&] { all(path("d.txt")); }, {path("d.txt") + where, msg});
  }
  write_text(path("m.txt"),
             "# accsim access trace dump\n# metadata: {\"timestamp_unit\":\"ns\",}\n");
  expect_input_error([&] { all(path("m.txt")); },
                     {path("m.txt") + ":2:", "metadata: invalid JSON"});
  write_text(path("k.txt"),
             "# accsim access trace dump\n# metadata: {\"timestamp_unit\":\"ns\","
             "\"gpu\":7}\n");
  expect_input_error([&] { all(path("k.txt")); }, {path("k.txt") + ":2:36", "'gpu'"});
}

TEST_F(TextTrace, BadRamulatorLines) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"LD 0x10\nRD 0x20\n", ":2:1", "operation is 'RD'"},
      {"LD 0x10\nLD\n", ":2:1", "found 1 fields"},
      {"LD 0xZZ\n", ":1:4", "address is '0xZZ'"},
      {"LD 99999999999999999999999\n", ":1:4", "below 2^64"},
      {"LD 0x10 extra\n", ":1:1", "found 3 fields"},
  };
  for (const auto& [body, where, msg] : cases) {
    SCOPED_TRACE(body);
    write_text(path("r.trace"), body);
    expect_input_error([&] { all(path("r.trace"), TraceFormat::kRamulator); },
                       {path("r.trace") + where, msg});
  }
}

TEST_F(TextTrace, BadStlLines) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"1: read 0x10\nx: read 0x10\n", ":2:1", "cycle is 'x:'"},
      {"1: fetch 0x10\n", ":1:4", "command is 'fetch'"},
      {"1: read 0xg\n", ":1:9", "address is '0xg'"},
      {"1: (0) read 0x10\n", ":1:4", "length is '(0)'"},
      {"1: read 0x10 0xff\n", ":1:14", "only a write may carry"},
      {"1: read\n", ":1:1", "found 2 fields"},
  };
  for (const auto& [body, where, msg] : cases) {
    SCOPED_TRACE(body);
    write_text(path("t.stl"), body);
    expect_input_error([&] { all(path("t.stl"), TraceFormat::kDramsysStl); },
                       {path("t.stl") + where, msg});
  }
}

TEST_F(TextTrace, OverlongLineIsRejectedWithoutBufferingTheFile) {
  write_text(path("r.trace"), "LD 0x10\n" + std::string(3u << 20, 'A'));
  expect_input_error([&] { all(path("r.trace"), TraceFormat::kRamulator); },
                     {path("r.trace") + ":2", "longer than"});
}

// --- info ---------------------------------------------------------------------------------------

TEST_F(TextTrace, InfoSummarisesABinaryTrace) {
  std::vector<AccessRecord> recs;
  for (std::uint64_t i = 0; i < 10; ++i) {
    AccessRecord r;
    r.address = 0x1000 + i * 32;
    r.timestamp = 5000 + i * 100;
    r.kind = i < 6 ? 0 : (i < 9 ? 1 : 2);
    r.sm = static_cast<std::uint16_t>(i % 3);
    r.cta = static_cast<std::uint32_t>(i);
    r.flags = i == 0 ? kFlagL1Bypass : 0;
    recs.push_back(r);
  }
  auto m = sample_meta();
  const auto in = make_binary(recs, m);
  const auto info = trace_info(in);
  const auto& j = info.to_json();
  EXPECT_EQ(j["format"], "atrace");
  EXPECT_EQ(j["compression"], "zstd");
  EXPECT_EQ(j["records"], 10);
  EXPECT_EQ(j["loads"], 6);
  EXPECT_EQ(j["stores"], 3);
  EXPECT_EQ(j["atomics"], 1);
  EXPECT_EQ(j["l1_bypass"], 1);
  EXPECT_EQ(j["bytes_read"], 7 * 32);
  EXPECT_EQ(j["bytes_written"], 4 * 32);
  EXPECT_EQ(j["address_min"], "0x1000");
  EXPECT_EQ(j["address_end"], "0x1140");
  EXPECT_EQ(j["sms"], 3);
  EXPECT_EQ(j["time_span_ns"], 900.0);
  EXPECT_EQ(j["kernels"][0]["records"], 10);
  EXPECT_EQ(info.file_bytes, std::filesystem::file_size(in));
  const auto text = info.to_text();
  EXPECT_NE(text.find("6 loads, 3 stores, 1 atomics (1 bypass L1)"), std::string::npos) << text;
  EXPECT_NE(text.find("kernel_0, grid 8x4x1, block 128x1x1"), std::string::npos) << text;
}

TEST_F(TextTrace, InfoReadsTextFormatsToo) {
  write_text(path("r.trace"), "LD 0x10\nST 0x20\nLD 0x30\n");
  const auto j = trace_info(path("r.trace")).to_json();
  EXPECT_EQ(j["format"], "ramulator");
  EXPECT_EQ(j["records"], 3);
  EXPECT_EQ(j["stores"], 1);
  EXPECT_FALSE(j.contains("time_span_ns"));
}

TEST_F(TextTrace, InfoOnACorruptTraceIsAnInputError) {
  const auto in = make_binary(sample_records(100), sample_meta());
  auto b = testing::read_bytes(in);
  b.resize(b.size() - 1);
  testing::write_bytes(in, b);
  expect_input_error([&] { trace_info(in); }, {in, "chunk 0"});
}

}  // namespace
}  // namespace accsim::workloads
