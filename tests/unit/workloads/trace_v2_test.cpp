// Access trace version 2: instruction-mix and structure records (write, read, text dump, version
// rules), and the kernel record sources that stream a kernel CTA by CTA and warp by warp (in
// memory, version-2 files streamed, version-1 files grouped), with their structural errors.
#include <gtest/gtest.h>

#include "trace_test_util.h"
#include "workloads/trace/kernel_source.h"
#include "workloads/trace/trace_file.h"

namespace accsim::workloads::testing {
namespace {

AccessRecord ld(std::uint32_t cta, std::uint16_t warp, std::uint64_t a, std::uint16_t kernel = 0) {
  return make_record(RecordKind::kLoad, cta, warp, a, 32, 0, kernel);
}
AccessRecord exec(std::uint32_t cta, std::uint16_t warp, InstrClass c, std::uint64_t n,
                  std::uint8_t flags = 0, std::uint16_t kernel = 0) {
  return make_record(RecordKind::kCompute, cta, warp, n, static_cast<std::uint32_t>(c), flags,
                     kernel);
}
AccessRecord begin(std::uint32_t cta, std::uint16_t kernel = 0) {
  return make_record(RecordKind::kCtaBegin, cta, 0, 0, 0, 0, kernel);
}
AccessRecord exit_(std::uint32_t cta, std::uint16_t warp, std::uint16_t kernel = 0) {
  return make_record(RecordKind::kWarpExit, cta, warp, 0, 0, 0, kernel);
}

// Two-warp blocks (64 threads), `kernels` kernels.
AccessTraceMeta meta2(std::uint16_t kernels = 1) {
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNone;
  for (std::uint16_t k = 0; k < kernels; ++k) {
    KernelInfo ki;
    ki.name = "k" + std::to_string(k);
    ki.block = {64, 1, 1};
    ki.regs = 40;
    m.kernels.push_back(ki);
  }
  return m;
}

// A well-formed version-2 kernel: CTAs 0 and 1 interleaved, as a capture would list them.
std::vector<AccessRecord> two_ctas(std::uint16_t kernel = 0) {
  return {begin(0, kernel),
          ld(0, 0, 0x1000, kernel),
          begin(1, kernel),
          make_record(RecordKind::kCommit, 0, 0, 0, 0, 0, kernel),
          ld(1, 1, 0x2000, kernel),
          make_record(RecordKind::kWait, 0, 0, 0, 0, 0, kernel),
          exec(0, 0, InstrClass::kFfma, 64, kFlagDep, kernel),
          exec(1, 0, InstrClass::kMmaF16F32M16N8K16, 8, 0, kernel),
          make_record(RecordKind::kBarrier, 0, 1, 0, 0, 0, kernel),
          exit_(1, 0, kernel),
          make_record(RecordKind::kBarrier, 0, 0, 0, 0, 0, kernel),
          exit_(0, 0, kernel),
          exit_(0, 1, kernel),
          exit_(1, 1, kernel)};
}

std::uint16_t file_version(const std::string& p) {
  const auto b = read_bytes(p);
  return static_cast<std::uint16_t>(b.at(8) | (b.at(9) << 8));
}

class TraceV2 : public TraceTest {};

TEST_F(TraceV2, WriterPicksTheVersionAndRecordsRoundTrip) {
  const auto recs = two_ctas();
  write_access_trace(path("v2.atrace"), meta2(), recs);
  EXPECT_EQ(file_version(path("v2.atrace")), 2);
  AccessTraceMeta m;
  EXPECT_EQ(read_access_trace(path("v2.atrace"), &m), recs);
  EXPECT_EQ(m.kernels.at(0).regs, 40u);
  // Memory records only: version 1, readable by builds that know only version 1.
  write_access_trace(path("v1.atrace"), meta2(), {ld(0, 0, 0x40)});
  EXPECT_EQ(file_version(path("v1.atrace")), 1);
}

TEST_F(TraceV2, Version1FilesHoldMemoryRecordsOnly) {
  AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path("t.atrace"), meta2().to_json(), kDefaultChunkRecords, 1));
  ASSERT_TRUE(w.append(ld(0, 0, 0x40)));
  ASSERT_TRUE(w.append(exec(0, 0, InstrClass::kFfma, 3)));
  ASSERT_TRUE(w.close());
  expect_input_error([&] { read_access_trace(path("t.atrace")); },
                     {path("t.atrace"), "trace record 1",
                      "kind 3 (compute) needs access trace "
                      "version 2"});
}

TEST_F(TraceV2, RecordRulesPerKind) {
  const AccessTraceMeta m = meta2();
  EXPECT_EQ(check_record(exec(0, 0, InstrClass::kLdmatrixX4, 1u << 31, 3), m), "");
  EXPECT_NE(check_record(exec(0, 0, InstrClass::kFfma, (1ull << 32) + 1), m).find("1..2^32"),
            std::string::npos);
  AccessRecord bad = exec(0, 0, InstrClass::kFfma, 1, 4);
  EXPECT_NE(check_record(bad, m).find("dep (1) and chain (2)"), std::string::npos);
  bad = make_record(RecordKind::kBarrier, 0, 0, 16);
  EXPECT_NE(check_record(bad, m).find("barrier id 16"), std::string::npos);
  bad = make_record(RecordKind::kWait, 0, 0, 1, 4);
  EXPECT_NE(check_record(bad, m).find("wait record"), std::string::npos);
  bad = make_record(RecordKind::kCtaBegin, 0, 0, 7);
  EXPECT_NE(check_record(bad, m).find("cta_begin record with address 7"), std::string::npos);
  EXPECT_EQ(check_record(make_record(RecordKind::kWait, 0, 0, 65536), m), "");
  EXPECT_EQ(parse_instr_class("mma_bf16_f32_m16n8k16"), InstrClass::kMmaBf16F32M16N8K16);
  EXPECT_FALSE(parse_instr_class("mma_fp8"));
}

TEST_F(TraceV2, TextDumpRoundTripsEveryKind) {
  const auto recs = two_ctas();
  write_access_trace(path("t.atrace"), meta2(), recs);
  auto rd = open_access_records(path("t.atrace"));
  std::string text;
  write_text_dump(*rd, [&](std::string_view s) { text += s; });
  EXPECT_NE(text.find(" EXEC 64 ffma "), std::string::npos) << text;
  EXPECT_NE(text.find(" dep\n"), std::string::npos);
  EXPECT_NE(text.find(" CTA 0 0 "), std::string::npos);
  write_text(path("t.dump"), text);
  auto back = open_access_records(path("t.dump"));
  std::vector<AccessRecord> got;
  AccessRecord r;
  while (back->next(r)) got.push_back(r);
  EXPECT_EQ(got, recs);
  // An unknown class in a dump names the line and column.
  const std::size_t at = text.find("ffma");
  std::string broken = text;
  broken.replace(at, 4, "fmaa");
  write_text(path("b.dump"), broken);
  expect_input_error(
      [&] {
        auto b = open_access_records(path("b.dump"));
        while (b->next(r)) {
        }
      },
      {path("b.dump"), "instruction class 'fmaa' is unknown"});
}

TEST_F(TraceV2, MemoryModelsAndPeerFormatsSkipTheInstructionMix) {
  write_access_trace(path("t.atrace"), meta2(), two_ctas());
  auto rd = open_access_records(path("t.atrace"));
  std::string text;
  EXPECT_EQ(write_ramulator(*rd, [&](std::string_view s) { text += s; }), 2u);
  EXPECT_EQ(text, "LD 0x1000\nLD 0x2000\n");
  AccessTraceSource src(open_access_records(path("t.atrace")), ReplayOptions{});
  MemRequest q;
  int n = 0;
  while (src.next(q)) ++n;
  EXPECT_EQ(n, 2);
}

// Drains a source: per CTA (in next_cta order), per warp, its records.
struct Drained {
  std::vector<std::uint32_t> ctas;
  std::vector<std::vector<std::vector<AccessRecord>>> warps;
};
Drained drain(KernelRecordSource& s) {
  Drained d;
  CtaStart c;
  while (s.next_cta(c)) {
    d.ctas.push_back(c.cta);
    auto& ws = d.warps.emplace_back(c.warps);
    for (std::uint32_t w = 0; w < c.warps; ++w) {
      std::vector<AccessRecord> buf;
      while (s.fill(c.handle, w, buf)) {
      }
      ws[w] = buf;
    }
    s.release(c.handle);
  }
  return d;
}

TEST_F(TraceV2, StreamedKernelsYieldEachWarpInProgramOrder) {
  auto recs = two_ctas(0);
  for (const auto& r : two_ctas(1)) recs.push_back(r);
  write_access_trace(path("t.atrace"), meta2(2), recs);
  auto tk = open_trace_kernels(path("t.atrace"));
  EXPECT_EQ(tk->version(), 2);
  for (std::uint16_t k = 0; k < 2; ++k) {
    KernelRecordSource* s = tk->next_kernel();
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->has_compute());
    EXPECT_EQ(s->info().name, "k" + std::to_string(k));
    const Drained d = drain(*s);
    ASSERT_EQ(d.ctas, (std::vector<std::uint32_t>{0, 1}));
    ASSERT_EQ(d.warps[0][0].size(), 5u);  // ld, commit, wait, exec, barrier
    EXPECT_EQ(d.warps[0][0][3].address, 64u);
    ASSERT_EQ(d.warps[0][1].size(), 1u);  // warp 1 of CTA 0: the barrier
    EXPECT_EQ(d.warps[0][1][0].kind, static_cast<std::uint8_t>(RecordKind::kBarrier));
    ASSERT_EQ(d.warps[1][1].size(), 1u);
    EXPECT_EQ(d.warps[1][1][0].address, 0x2000u);
    EXPECT_EQ(s->records(), 8u);
  }
  EXPECT_EQ(tk->next_kernel(), nullptr);
}

TEST_F(TraceV2, Version1FilesAreGroupedPerKernelInMemory) {
  write_access_trace(
      path("v1.atrace"), meta2(2),
      {ld(5, 1, 0x100, 1), ld(2, 0, 0x200, 0), ld(5, 0, 0x300, 1), ld(5, 1, 0x400, 1)});
  auto tk = open_trace_kernels(path("v1.atrace"));
  EXPECT_EQ(tk->version(), 1);
  KernelRecordSource* s0 = tk->next_kernel();
  ASSERT_NE(s0, nullptr);
  EXPECT_FALSE(s0->has_compute());
  EXPECT_EQ(drain(*s0).ctas, (std::vector<std::uint32_t>{2}));
  KernelRecordSource* s1 = tk->next_kernel();
  ASSERT_NE(s1, nullptr);
  const Drained d = drain(*s1);
  ASSERT_EQ(d.ctas, (std::vector<std::uint32_t>{5}));
  ASSERT_EQ(d.warps[0][1].size(), 2u);
  EXPECT_EQ(d.warps[0][1][1].address, 0x400u);
  EXPECT_EQ(tk->next_kernel(), nullptr);
}

TEST_F(TraceV2, VectorSourceCountsTheBlocksWarps) {
  KernelInfo k;
  k.block = {256, 1, 1};
  auto s = make_vector_kernel_source(k, {ld(3, 2, 0x40), exec(3, 2, InstrClass::kAlu, 2)});
  EXPECT_TRUE(s->has_compute());
  const Drained d = drain(*s);
  ASSERT_EQ(d.warps.size(), 1u);
  EXPECT_EQ(d.warps[0].size(), 8u);
  EXPECT_EQ(d.warps[0][2].size(), 2u);
}

// Streams the whole file, expecting an input error that contains `parts`.
void expect_stream_error(const std::string& p, std::initializer_list<std::string> parts) {
  expect_input_error(
      [&] {
        auto tk = open_trace_kernels(p);
        while (KernelRecordSource* s = tk->next_kernel()) drain(*s);
      },
      parts);
}

TEST_F(TraceV2, StructuralErrorsNameTheRecord) {
  const auto write = [&](const std::vector<AccessRecord>& v, std::uint16_t kernels = 1) {
    write_access_trace(path("t.atrace"), meta2(kernels), v);
  };
  write({exec(0, 0, InstrClass::kFfma, 1), begin(0), exit_(0, 0), exit_(0, 1)});
  expect_stream_error(path("t.atrace"), {path("t.atrace"), "trace record 0",
                                         "compute record of CTA 0 before its "
                                         "cta_begin"});
  write({begin(0), exit_(0, 0), exec(0, 0, InstrClass::kFfma, 1), exit_(0, 1)});
  expect_stream_error(path("t.atrace"), {"trace record 2", "after its warp_exit"});
  write({begin(0), exit_(0, 0), ld(0, 1, 0x40)});
  expect_stream_error(path("t.atrace"), {"warp 1 of CTA 0", "has no warp_exit"});
  write({begin(0), ld(0, 2, 0x40)});
  expect_stream_error(path("t.atrace"), {"trace record 1",
                                         "warp 2 of CTA 0 is outside the "
                                         "block's 2 warps"});
  write({begin(0), begin(0)});
  expect_stream_error(path("t.atrace"), {"trace record 1", "a second cta_begin for CTA 0"});
  write({begin(0, 1), exit_(0, 0, 1), exit_(0, 1, 1), begin(0, 0)}, 2);
  expect_stream_error(path("t.atrace"), {"kernel 0 after kernel 1"});
  write({begin(0), exit_(0, 0), exit_(0, 1), ld(0, 0, 0x40)});
  expect_stream_error(path("t.atrace"), {"trace record 3", "after all its warps exited"});
}

}  // namespace
}  // namespace accsim::workloads::testing
