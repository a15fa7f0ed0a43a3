// The op trace (JSON lines): round trip, canonical form, and rejected records naming
// file:line:column and the key.
#include <gtest/gtest.h>

#include "tests/unit/workloads/trace_test_util.h"
#include "workloads/trace/op_trace.h"
#include "workloads/trace/trace_file.h"

namespace accsim::workloads {
namespace {

using testing::expect_input_error;
using testing::read_text;
using testing::write_text;

class OpTrace : public testing::TraceTest {};

std::vector<OpRecord> sample_ops() {
  std::vector<OpRecord> v;
  OpRecord a;
  a.kernel = "sdpa_flash_fwd<64>";
  a.op = OpKind::kSdpa;
  a.shape = {{"B", 2}, {"H", 16}, {"N", 1024}, {"d", 64}};
  a.dtype = DType::kFp16;
  a.causal = true;
  a.tensors = {{"Q", 0x7f3a00000000ull, 4194304}, {"K", 0x7f3a00400000ull, 4194304}};
  a.grid = {{8, 32, 1}};
  a.block = {{128, 1, 1}};
  a.smem = 49152;
  a.measured = MeasuredFigures{48211.5, 8388608, 2097152, 0.0, 61.25};
  a.access_trace = AccessTraceLink{"sdpa_1024.atrace", 0};
  v.push_back(a);
  OpRecord b;
  b.kernel = "gemv_bf16";
  b.label = "L0.qkv";
  b.op = OpKind::kGemv;
  b.shape = {{"M", 3072}, {"K", 768}};
  b.dtype = DType::kBf16;
  v.push_back(b);
  OpRecord c;
  c.kernel = "decode_attn";
  c.op = OpKind::kSdpa;
  c.shape = {{"B", 1}, {"H", 12}, {"N", 1}, {"d", 64}, {"N_kv", 131072}};
  c.dtype = DType::kFp32;
  v.push_back(c);
  for (auto k :
       {OpKind::kGemm, OpKind::kSoftmax, OpKind::kLayernorm, OpKind::kGelu, OpKind::kElementwise}) {
    OpRecord r;
    r.kernel = std::string(op_kind_name(k)) + "_kernel";
    r.op = k;
    for (const auto& key : shape_keys(k).required) r.shape.emplace_back(key, 256);
    r.dtype = DType::kFp32;
    v.push_back(r);
  }
  return v;
}

TEST_F(OpTrace, RoundTripKeepsEveryField) {
  OpTraceHeader h;
  h.gpu = "NVIDIA H100 80GB HBM3";
  h.tool = "accsim tests";
  h.sm_clock_mhz = 1980;
  h.notes = {{"driver", "550.54"}};
  const auto ops = sample_ops();
  write_op_trace(path("o.jsonl"), h, ops);
  OpTraceHeader h2;
  const auto back = read_op_trace(path("o.jsonl"), &h2);
  ASSERT_EQ(back.size(), ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_TRUE(back[i] == ops[i]) << op_record_to_json(back[i]);
    EXPECT_EQ(back[i].line, static_cast<int>(i) + 2);
  }
  EXPECT_EQ(h2.gpu, h.gpu);
  EXPECT_EQ(h2.sm_clock_mhz, 1980);
  EXPECT_EQ(h2.notes["driver"], "550.54");
  EXPECT_EQ(back[2].dim("N_kv"), 131072u);
  EXPECT_FALSE(back[1].dim("N").has_value());
}

TEST_F(OpTrace, CanonicalLineLooksAsDocumented) {
  const auto ops = sample_ops();
  EXPECT_EQ(op_record_to_json(ops[1]),
            R"({"kernel":"gemv_bf16","label":"L0.qkv","op":"gemv","shape":{"M":3072,"K":768},)"
            R"("dtype":"bf16",)"
            R"("tensors":[],"smem":0})");
  const auto j = op_record_to_json(ops[0]);
  EXPECT_NE(j.find(R"("addr":"0x7f3a00000000")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("causal":true)"), std::string::npos) << j;
}

TEST_F(OpTrace, ConvertNormalisesAndInfoCounts) {
  write_text(path("o.jsonl"),
             "{\"format\":\"accsim-op-trace\",\"version\":1,\"gpu\":\"H100\"}\n"
             "\n"
             "{\"op\":\"gemm\",\"kernel\":\"g\",\"shape\":{\"K\":64,\"M\":128,\"N\":32},"
             "\"dtype\":\"fp16\",\"tensors\":[{\"name\":\"A\",\"addr\":4096,\"bytes\":16384}],"
             "\"measured\":{\"time_ns\":1500}}\n"
             "{\"op\":\"gelu\",\"kernel\":\"act\",\"shape\":{\"n\":4096},\"dtype\":\"fp32\","
             "\"measured\":{\"time_ns\":500}}\n");
  ConvertOptions c;
  c.to = TraceFormat::kOpTrace;
  EXPECT_EQ(convert_trace(path("o.jsonl"), path("n.jsonl"), c), 2u);
  const auto text = read_text(path("n.jsonl"));
  EXPECT_NE(text.find(R"("shape":{"M":128,"N":32,"K":64})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("addr":"0x1000")"), std::string::npos) << text;
  const auto info = trace_info(path("o.jsonl"));
  EXPECT_EQ(info.to_json()["launches"], 2);
  EXPECT_EQ(info.to_json()["by_op"]["gemm"], 1);
  EXPECT_EQ(info.to_json()["measured_time_ns"], 2000.0);
  EXPECT_NE(info.to_text().find("gelu 1, gemm 1"), std::string::npos) << info.to_text();
}

TEST_F(OpTrace, BadHeaders) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"", ": empty op trace", "expected a header line"},
      {"{\"kernel\":\"x\"}\n", ":1:1", "lacks the required key 'format'"},
      {"{\"format\":\"accsim-op-trace\",\"version\":2}\n", ":1:29",
       "unsupported op trace version 2"},
      {"{\"format\":\"other\",\"version\":1}\n", ":1:2", "must say \"accsim-op-trace\""},
      {"{\"format\":\"accsim-op-trace\",\"version\":1,\"gpus\":\"x\"}\n", ":1:41",
       "unknown key 'gpus'"},
      {"{\"format\":\"accsim-op-trace\" \"version\":1}\n", ":1:37", "invalid JSON"},
      {"{\"format\":\"accsim-op-trace\",\"version\":1,\"version\":1}\n", ":1:41",
       "duplicate key 'version' (first given at column 29)"},
  };
  for (const auto& [text, where, msg] : cases) {
    SCOPED_TRACE(text);
    write_text(path("o.jsonl"), text);
    expect_input_error([&] { read_op_trace(path("o.jsonl")); }, {path("o.jsonl"), where, msg});
  }
}

TEST_F(OpTrace, BadRecordsNameLineColumnAndKey) {
  const std::string head = "{\"format\":\"accsim-op-trace\",\"version\":1}\n";
  const std::string ok =
      "{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\"}\n";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1},\"dtype\":\"fp16\"}\n", ":3:1",
       "lacks the required key 'K'"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2,\"N\":3},\"dtype\":\"fp16\"}"
       "\n",
       ":3:48", "unknown key 'N' in the shape of a gemv record"},
      {"{\"kernel\":\"k\",\"op\":\"gemmm\",\"shape\":{},\"dtype\":\"fp16\"}\n", ":3:15",
       "did you mean \"gemm\""},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":0,\"K\":2},\"dtype\":\"fp16\"}\n",
       ":3:36", "'M' in the shape of a gemv record is 0"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp8\"}\n",
       ":3:49", "'dtype'"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"causal\":true}\n",
       ":3:64", "'causal' applies to sdpa records only"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"tensors\":[{\"name\":\"A\",\"addr\":\"12\",\"bytes\":4}]}\n",
       ":3:", "expected a hex address"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"tensors\":[{\"name\":\"A\",\"addr\":1,\"bytes\":4},{\"name\":\"A\",\"addr\":9,"
       "\"bytes\":4}]}\n",
       ":3:1", "tensor name 'A' appears twice"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"measured\":{\"l2_hit_pct\":140}}\n",
       ":3:", "'l2_hit_pct' in 'measured' is 140"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"grid\":[1,2,3,4]}\n",
       ":3:", "'grid'"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"blocks\":[1]}\n",
       ":3:", "unknown key 'blocks' in an op record"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\"\n",
       ":3:", "invalid JSON"},
      {"[1,2]\n", ":3:1", "must be a JSON object"},
      {"{\"kernel\":\"k\",\"label\":7,\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},"
       "\"dtype\":\"fp16\"}\n",
       ":3:", "'label'"},
      {"{\"kernel\":\"k\",\"label\":\"" + std::string(129, 'x') +
           "\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\"}\n",
       ":3:1", "label is longer than 128 characters"},
      // Issue 17, case 6: a key given twice is an error naming both columns, also when the
      // same key appears legitimately in another object of the line.
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2,\"M\":3},\"dtype\":\"fp16\"}"
       "\n",
       ":3:48", "duplicate key 'M' (first given at column 36)"},
      {"{\"kernel\":\"k\",\"op\":\"gemv\",\"shape\":{\"M\":1,\"K\":2},\"dtype\":\"fp16\","
       "\"tensors\":[{\"name\":\"A\",\"addr\":1,\"bytes\":4},{\"name\":\"B\",\"addr\":9,"
       "\"bytes\":4,\"name\":\"C\"}]}\n",
       ":3:138", "duplicate key 'name' (first given at column 108)"},
  };
  for (const auto& [rec, where, msg] : cases) {
    SCOPED_TRACE(rec);
    write_text(path("o.jsonl"), head + ok + rec);
    expect_input_error([&] { read_op_trace(path("o.jsonl")); }, {path("o.jsonl") + where, msg});
  }
}

TEST_F(OpTrace, WriterRejectsWhatTheReaderWould) {
  OpTraceWriter w(path("o.jsonl"), OpTraceHeader{});
  OpRecord r;
  r.kernel = "x";
  r.op = OpKind::kGemm;
  r.shape = {{"M", 1}, {"N", 1}};
  expect_input_error([&] { w.append(r); }, {path("o.jsonl"), "lacks shape key 'K'"});
  r.shape.emplace_back("K", 1);
  r.causal = true;
  expect_input_error([&] { w.append(r); }, {"'causal' applies to sdpa"});
}

}  // namespace
}  // namespace accsim::workloads
