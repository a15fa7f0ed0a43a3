// What reference/ writes must be what workloads/ reads: the op trace (hand-formatted JSON lines)
// and the access trace (raw writer + hand-formatted metadata) go through the readers that
// `accsim trace info` and the replay use. Built only inside the main build, where the readers
// exist.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "reference/host/cases.h"
#include "reference/host/op_trace.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/access_trace.h"
#include "workloads/trace/access_trace_format.h"
#include "workloads/trace/op_trace.h"

namespace accsim::ref {
namespace {

namespace wl = accsim::workloads;

Case one(const std::string& line) {
  auto cs = parse_case_line(line, "compat");
  validate_case(cs.at(0));
  return cs.at(0);
}

std::vector<OpTensor> fake_tensors(const std::vector<std::string>& names) {
  std::vector<OpTensor> ts;
  std::uint64_t addr = 0x7f0000000000;
  for (const auto& n : names) {
    ts.push_back({n, addr, 4096});
    addr += 4096;
  }
  return ts;
}

TEST(Compat, OpTraceReadsBack) {
  struct Item {
    const char* line;
    std::vector<std::string> tensors;
    int launches;
  };
  const std::vector<Item> items = {
      {"sdpa impl=flash N=256 d=64 B=2 H=4 causal=1", {"Q", "K", "V", "O"}, 1},
      {"sdpa impl=naive N=256 d=128 B=1 H=2 dtype=bf16", {"Q", "K", "V", "S", "O"}, 3},
      {"decode L=4K d=128 B=1 H=8", {"q", "K", "V", "partials", "out"}, 2},
      {"gemm M=512 N=768 K=768", {"A", "W", "C"}, 1},
      {"gemv N=768 K=3072 dtype=f32", {"W", "x", "y"}, 1},
      {"softmax rows=16 cols=1000", {"x", "y"}, 1},
      {"layernorm rows=16 cols=768", {"x", "gamma", "beta", "y"}, 1},
      {"gelu n=1000", {"x", "y"}, 1},
      {"add n=1000", {"a", "b", "y"}, 1},
  };
  const std::string path = ::testing::TempDir() + "/compat.optrace.jsonl";
  std::vector<OpTraceEntry> written;
  {
    std::ofstream f(path);
    f << op_trace_header("NVIDIA H100 80GB HBM3", "accsim-ref 0.1", 1980.0) << "\n";
    for (const auto& it : items) {
      std::vector<LaunchInfo> ls(static_cast<std::size_t>(it.launches));
      for (auto& l : ls)
        l.kernel = "k", l.grid = {3, 2, 1}, l.block = {256, 1, 1}, l.smem = 1024, l.regs = 64;
      auto es = op_trace_entries(one(it.line), ls, fake_tensors(it.tensors));
      for (std::size_t j = 0; j < es.size(); ++j) {
        es[j].time_ns = 1234.5;
        es[j].trace_file = "x.atrace";
        es[j].trace_kernel = static_cast<unsigned>(j);
        f << op_trace_line(es[j]) << "\n";
        written.push_back(es[j]);
      }
    }
  }
  wl::OpTraceHeader h;
  const auto recs = wl::read_op_trace(path, &h);
  EXPECT_EQ(h.gpu, "NVIDIA H100 80GB HBM3");
  EXPECT_DOUBLE_EQ(h.sm_clock_mhz, 1980.0);
  ASSERT_EQ(recs.size(), written.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const auto& w = written[i];
    EXPECT_EQ(std::string(wl::op_kind_name(r.op)), w.op);
    ASSERT_EQ(r.shape.size(), w.shape.size());
    for (std::size_t k = 0; k < w.shape.size(); ++k) EXPECT_EQ(r.shape[k], w.shape[k]);
    EXPECT_EQ(std::string(wl::dtype_name(r.dtype)), std::string(op_trace_dtype(w.dtype)));
    ASSERT_EQ(r.tensors.size(), w.tensors.size());
    EXPECT_EQ(r.tensors[0].addr, w.tensors[0].addr);
    EXPECT_EQ((*r.grid)[0], 3u);
    EXPECT_EQ(r.smem, 1024u);
    EXPECT_EQ(r.regs, 64u);
    ASSERT_TRUE(r.measured.has_value());
    EXPECT_DOUBLE_EQ(*r.measured->time_ns, 1234.5);
    ASSERT_TRUE(r.access_trace.has_value());
    EXPECT_EQ(r.access_trace->kernel, w.trace_kernel);
  }
  EXPECT_TRUE(recs[0].causal);
}

// An add case as the harness logs it (op_trace_entries: kernel add_kernel, op elementwise, shape
// n, tensors a, b, y) is a launch the CPU generator takes: the records it generates from it are
// those of its own add launch at the same addresses.
TEST(Compat, AddRecordIsALaunchTheGeneratorTakes) {
  const Case c = one("add n=1000003 dtype=bf16");
  wl::KernelBuildOptions o;
  o.dtype = wl::DType::kBf16;
  const auto built = wl::build_kernel_launches("add", {{"n", 1000003}}, o).at(0);
  std::vector<LaunchInfo> ls(1);
  ls[0].kernel = "add_kernel";
  ls[0].grid = {(*built.rec.grid)[0], 1, 1};
  ls[0].block = {256, 1, 1};
  ls[0].regs = static_cast<int>(built.rec.regs);
  std::vector<OpTensor> ts;
  for (const auto& t : built.rec.tensors) ts.push_back({t.name, t.addr, t.bytes});
  const auto es = op_trace_entries(c, ls, ts);
  ASSERT_EQ(es.size(), 1u);
  const std::string path = ::testing::TempDir() + "/compat_add.optrace.jsonl";
  {
    std::ofstream f(path);
    f << op_trace_header("gpu", "accsim-ref", 0) << "\n" << op_trace_line(es[0]) << "\n";
  }
  const auto recs = wl::read_op_trace(path);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].op, wl::OpKind::kElementwise);
  const auto l = wl::launch_from_op_trace(recs, 0);
  const auto got = wl::kernel_accesses(l);
  EXPECT_FALSE(got.empty());
  EXPECT_EQ(got, wl::kernel_accesses(built));
}

TEST(Compat, AccessTraceMetadataReadsBack) {
  const Case c = one("sdpa impl=naive N=128 d=64 B=1 H=1");
  std::vector<LaunchInfo> ls(3);
  for (auto& l : ls)
    l.kernel = "gemm_tc_kernel", l.grid = {1, 1, 1}, l.block = {256, 1, 1}, l.regs = 126;
  ls[1].kernel = "softmax_kernel";
  CaptureStats st;
  st.records = 3;
  st.buffer_records = 1 << 20;
  st.seed = 42;
  st.check_pass = true;
  const std::string meta =
      access_trace_metadata(c, ls, "accsim-ref 0.1", "NVIDIA H100", 1755.5, 1000, st);
  std::vector<wl::AccessRecord> recs(3);
  for (int i = 0; i < 3; ++i) {
    recs[i].address = 0x7f0000000000 + 32 * i;
    recs[i].timestamp = 1000 + 32 * i;
    recs[i].cta = i;
    recs[i].sm = static_cast<std::uint16_t>(i);
    recs[i].kernel = static_cast<std::uint16_t>(i);
    recs[i].kind = i == 2 ? 1 : 0;
    recs[i].flags = i == 0 ? wl::kFlagL1Bypass : 0;
  }
  const std::string path = ::testing::TempDir() + "/compat.atrace";
  wl::AccessTraceRawWriter w;
  ASSERT_TRUE(w.open(path, meta)) << w.error();
  ASSERT_TRUE(w.append(recs.data(), recs.size())) << w.error();
  ASSERT_TRUE(w.close()) << w.error();
  wl::AccessTraceMeta m;
  const auto back = wl::read_access_trace(path, &m);
  EXPECT_EQ(back, recs);
  EXPECT_EQ(m.timestamp_unit, wl::TimestampUnit::kNs);
  ASSERT_EQ(m.kernels.size(), 3u);
  EXPECT_EQ(m.kernels[1].name, "softmax_kernel");
  EXPECT_EQ(m.kernels[0].regs, 126u);
  EXPECT_EQ(m.time_origin.value_or(0), 1000u);
  EXPECT_DOUBLE_EQ(m.sm_clock_mhz, 1755.5);
  EXPECT_EQ(m.capture["records"], 3);
  EXPECT_EQ(m.kernels[0].params["case"], "sdpa-naive_B1_H1_N128_d64_f16");
}

}  // namespace
}  // namespace accsim::ref
