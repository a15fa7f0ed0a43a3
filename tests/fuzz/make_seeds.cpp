// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/). Run it after a format
// change:  fuzz_make_seeds tests/fuzz/corpus
// Seeds are small on purpose: the driver mutates each one hundreds of times.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/trace/access_trace.h"
#include "workloads/trace/op_trace.h"
#include "workloads/trace/trace_file.h"

using namespace accsim::workloads;

namespace {

std::vector<AccessRecord> records(int n) {
  std::vector<AccessRecord> v;
  for (int i = 0; i < n; ++i) {
    AccessRecord r;
    r.address = 0x7f0000000000ull + static_cast<std::uint64_t>(i) * 96;
    r.timestamp = 1000 + static_cast<std::uint64_t>(i) * 13;
    r.cta = static_cast<std::uint32_t>(i / 3);
    r.size = 32;
    r.sm = static_cast<std::uint16_t>(i % 5);
    r.warp = static_cast<std::uint16_t>(i % 4);
    r.kernel = static_cast<std::uint16_t>(i % 2);
    r.kind = static_cast<std::uint8_t>(i % 3);
    r.flags = (i % 4 == 1 && r.kind == 0) ? kFlagL1Bypass : 0;
    v.push_back(r);
  }
  return v;
}

AccessTraceMeta meta() {
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  m.gpu = "H100";
  m.sm_clock_mhz = 1980;
  for (int k = 0; k < 2; ++k) {
    KernelInfo ki;
    ki.name = "k" + std::to_string(k);
    ki.grid = {4, 2, 1};
    ki.block = {64, 1, 1};
    ki.smem = 1024;
    m.kernels.push_back(ki);
  }
  m.capture = {{"sampling", 1}};
  return m;
}

void text_file(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
  const auto at = root / "fuzz_access_trace", op = root / "fuzz_op_trace",
             tx = root / "fuzz_text_trace";
  for (const auto& d : {at, op, tx}) std::filesystem::create_directories(d);
  try {
    AccessWriterOptions raw;
    raw.compression = Compression::kNone;
    raw.chunk_records = 4;
    write_access_trace((at / "raw_2chunks.atrace").string(), meta(), records(6), raw);
    AccessWriterOptions z;
    z.chunk_records = 4;
    write_access_trace((at / "zstd_2chunks.atrace").string(), meta(), records(7), z);
    write_access_trace((at / "empty.atrace").string(), AccessTraceMeta{}, {}, raw);
    AccessTraceMeta cyc;
    cyc.timestamp_unit = TimestampUnit::kSmCycle;
    cyc.sm_clock_mhz = 1755;
    cyc.time_origin = 900;
    write_access_trace((at / "cycles_1.atrace").string(), cyc, {records(1)[0]}, raw);

    OpTraceHeader h;
    h.gpu = "H100";
    OpRecord a;
    a.kernel = "sdpa";
    a.op = OpKind::kSdpa;
    a.shape = {{"B", 1}, {"H", 2}, {"N", 128}, {"d", 64}, {"N_kv", 256}};
    a.causal = true;
    a.tensors = {{"Q", 0x1000, 32768}, {"O", 0x9000, 32768}};
    a.grid = {{2, 2, 1}};
    a.block = {{128, 1, 1}};
    a.smem = 8192;
    a.measured = MeasuredFigures{1234.5, 65536, 32768, 10.0, 50.5};
    a.access_trace = AccessTraceLink{"x.atrace", 1};
    OpRecord b;
    b.kernel = "gemm";
    b.op = OpKind::kGemm;
    b.shape = {{"M", 64}, {"N", 64}, {"K", 32}, {"batch", 2}};
    b.dtype = DType::kBf16;
    write_op_trace((op / "ops.jsonl").string(), h, {a, b});
    text_file(op / "header_only.jsonl", "{\"format\":\"accsim-op-trace\",\"version\":1}\n");

    // GPU seeds: a version-2 kernel (structure, compute, load groups, a barrier) to stream.
    const auto gs = root / "fuzz_gpu_system";
    std::filesystem::create_directories(gs);
    {
      auto m = meta();
      m.kernels.resize(1);
      m.kernels[0].regs = 64;
      std::vector<AccessRecord> v;
      for (std::uint32_t c = 0; c < 3; ++c) {
        v.push_back(make_record(RecordKind::kCtaBegin, c, 0));
        for (std::uint16_t w = 0; w < 2; ++w) {
          v.push_back(make_record(RecordKind::kLoad, c, w, 0x4000 + 32 * w, 32, kFlagL1Bypass));
          v.push_back(make_record(RecordKind::kCommit, c, w));
          v.push_back(make_record(RecordKind::kWait, c, w, 0));
          v.push_back(make_record(RecordKind::kCompute, c, w, 4,
                                  static_cast<std::uint32_t>(InstrClass::kMmaF16F32M16N8K16),
                                  kFlagDep));
          v.push_back(make_record(RecordKind::kBarrier, c, w));
          v.push_back(make_record(RecordKind::kStore, c, w, 0x9000 + 64 * c, 32));
          v.push_back(make_record(RecordKind::kWarpExit, c, w));
        }
      }
      write_access_trace((gs / "v2_kernel.atrace").string(), m, v, raw);
    }
    // Text seeds: the first byte picks the reader (0 dump, 1 Ramulator, 14 stl with a clock).
    std::string dump = std::string(1, '\0');
    write_access_trace((tx / "tmp.atrace").string(), meta(), records(5), raw);
    auto rd = open_access_records((tx / "tmp.atrace").string());
    write_text_dump(*rd, [&](std::string_view s) { dump += s; });
    std::filesystem::remove(tx / "tmp.atrace");
    text_file(tx / "dump.txt", dump);
    text_file(tx / "ramulator.txt", std::string(1, '\x01') + "LD 0x1000\nST 0x1040\nLD 4096\n");
    text_file(tx / "stl.txt", std::string(1, '\x0e') +
                                  "# comment\n0:\tread\t0x0\n5:\t(32)\twrite\t0x40\t0x0123\n"
                                  "9 read 80\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
