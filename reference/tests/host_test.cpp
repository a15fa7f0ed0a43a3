// Host-side tests of reference/: dtype conversions, counter-based inputs, fp64 references, the
// checks (they must accept a right output and reject wrong or unwritten ones), the study-list
// parser, statistics, the op-trace and access-trace-metadata writers, the launch plan of a
// transformer step and the command line. No GPU needed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "reference/host/capture_order.h"
#include "reference/host/cases.h"
#include "reference/host/checks.h"
#include "reference/host/cli.h"
#include "reference/host/half.h"
#include "reference/host/json.h"
#include "reference/host/launch_plan.h"
#include "reference/host/mix_table.h"
#include "reference/host/op_trace.h"
#include "reference/host/random.h"
#include "reference/host/reference.h"
#include "reference/host/stats.h"
#include "reference/host/step_plan.h"

namespace accsim::ref {
namespace {

// --- dtype conversions ---------------------------------------------------------------------------

TEST(Half, KnownValues) {
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7BFF);               // largest finite
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7C00);               // rounds up to infinity
  EXPECT_EQ(float_to_half_bits(65519.0f), 0x7BFF);               // rounds down
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -25)), 0x0000);  // tie to even (0)
  EXPECT_EQ(float_to_half_bits(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: tie to even (2)
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::infinity()), 0x7C00);
  const std::uint16_t nan = float_to_half_bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x03FF, 0);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0).
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(float_to_half_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
}

TEST(Half, EveryPatternRoundTrips) {
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const auto h = static_cast<std::uint16_t>(b);
    const float f = half_bits_to_float(h);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(half_bits_to_float(float_to_half_bits(f))));
      continue;
    }
    ASSERT_EQ(float_to_half_bits(f), h) << "pattern 0x" << std::hex << b;
  }
  EXPECT_EQ(half_bits_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_bits_to_float(0x3555), 0.333251953125f);
}

TEST(BFloat16, KnownValuesAndRoundTrip) {
  EXPECT_EQ(float_to_bf16_bits(1.0f), 0x3F80);
  float tie;  // halfway between 0x3F80 and 0x3F81: to even
  const std::uint32_t tie_bits = 0x3F808000u;
  std::memcpy(&tie, &tie_bits, 4);
  EXPECT_EQ(float_to_bf16_bits(tie), 0x3F80);
  const std::uint32_t tie_odd_bits = 0x3F818000u;
  std::memcpy(&tie, &tie_odd_bits, 4);
  EXPECT_EQ(float_to_bf16_bits(tie), 0x3F82);
  EXPECT_TRUE(std::isnan(bf16_bits_to_float(float_to_bf16_bits(std::nanf("")))));
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const float f = bf16_bits_to_float(static_cast<std::uint16_t>(b));
    if (!std::isnan(f)) {
      ASSERT_EQ(float_to_bf16_bits(f), b);
    }
  }
}

// --- counter-based inputs ------------------------------------------------------------------------

TEST(Random, DeterministicRangeAndSpread) {
  double sum = 0, sq = 0;
  constexpr int kN = 200000;
  float lo = 1, hi = -1;
  for (int i = 0; i < kN; ++i) {
    const float v = unit_value(42, 0, static_cast<std::uint64_t>(i));
    ASSERT_GE(v, -1.0f);
    ASSERT_LT(v, 1.0f);
    ASSERT_EQ(v, unit_value(42, 0, static_cast<std::uint64_t>(i)));
    lo = std::min(lo, v), hi = std::max(hi, v);
    sum += v, sq += static_cast<double>(v) * v;
  }
  // Uniform on [-1, 1): mean 0 (s.e. 0.0013 here), variance 1/3.
  EXPECT_NEAR(sum / kN, 0.0, 0.01);
  EXPECT_NEAR(sq / kN, 1.0 / 3.0, 0.01);
  EXPECT_LT(lo, -0.999f);
  EXPECT_GT(hi, 0.999f);
  EXPECT_NE(unit_value(42, 0, 7), unit_value(42, 1, 7));  // tensors differ
  EXPECT_NE(unit_value(42, 0, 7), unit_value(43, 0, 7));  // seeds differ
}

TEST(Random, ValuesAreRepresentableInTheirType) {
  const RandomSpec s{9, 2, 8.0f, 0.25f};
  for (DType t : {DType::kF16, DType::kBF16, DType::kF32}) {
    for (std::uint64_t i = 0; i < 1000; ++i) {
      const float v = random_value(s, t, i);
      EXPECT_EQ(round_to(t, v), v);
      EXPECT_LE(std::fabs(v - 0.25f), 8.0f * (1 + 1e-2f));
    }
  }
}

// --- fp64 references -----------------------------------------------------------------------------

TEST(Reference, SoftmaxSumsToOneAndMasks) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> in = {1.0, 2.0, -inf, 3.0}, out(4);
  ref_softmax_row(in, out);
  EXPECT_NEAR(out[0] + out[1] + out[3], 1.0, 1e-15);
  EXPECT_EQ(out[2], 0.0);
  EXPECT_NEAR(out[3] / out[1], std::exp(1.0), 1e-12);
  std::vector<double> all_masked = {-inf, -inf}, z(2);
  ref_softmax_row(all_masked, z);
  EXPECT_EQ(z[0], 0.0);
  EXPECT_EQ(z[1], 0.0);
}

TEST(Reference, AttentionRow) {
  const int d = 4;
  std::vector<float> q = {1, 0, 0, 0};
  std::vector<float> k = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0};
  std::vector<float> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<double> out(d);
  // One key: the output is its value row.
  ref_attention_row(q, k, v, d, 1, 0.5, out);
  for (int c = 0; c < d; ++c) EXPECT_DOUBLE_EQ(out[c], v[c]);
  // Three keys with scores 0.5, 0, 1 (scale 0.5): softmax weights by hand.
  ref_attention_row(q, k, v, d, 3, 0.5, out);
  const double w0 = std::exp(0.5), w1 = 1.0, w2 = std::exp(1.0), z = w0 + w1 + w2;
  for (int c = 0; c < d; ++c)
    EXPECT_NEAR(out[c], (w0 * v[c] + w1 * v[4 + c] + w2 * v[8 + c]) / z, 1e-12);
}

TEST(Reference, LayerNormGeluLinear) {
  std::vector<float> x = {1, 2, 3, 4}, g = {1, 1, 1, 1}, b = {0, 0, 0, 0};
  std::vector<double> y(4);
  ref_layernorm_row(x, g, b, 0.0, y);
  double mean = 0, var = 0;
  for (double v : y) mean += v / 4;
  for (double v : y) var += (v - mean) * (v - mean) / 4;
  EXPECT_NEAR(mean, 0.0, 1e-12);
  EXPECT_NEAR(var, 1.0, 1e-12);
  EXPECT_NEAR(y[0], -1.5 / std::sqrt(1.25), 1e-12);
  // tanh-approximation GELU values (Hendrycks & Gimpel 2016).
  EXPECT_EQ(ref_gelu(0.0), 0.0);
  EXPECT_NEAR(ref_gelu(1.0), 0.8411919906082768, 1e-12);
  EXPECT_NEAR(ref_gelu(-1.0), -0.15880800939172324, 1e-12);
  EXPECT_NEAR(ref_gelu(10.0), 10.0, 1e-9);
  std::vector<float> w = {1, 2, 3, 4, 5, 6};  // [N=2, K=3]
  std::vector<float> xr = {1, 0, -1};
  std::vector<double> o(2);
  ref_linear_row(xr, w, 2, 2.0, o);
  EXPECT_DOUBLE_EQ(o[0], 2 * (1 - 3));
  EXPECT_DOUBLE_EQ(o[1], 2 * (4 - 6));
  std::vector<float> bk = {1, 2, 3, 4, 5, 6};  // [K=3, N=2]
  ref_matmul_row(xr, bk, 2, 1.0, o);
  EXPECT_DOUBLE_EQ(o[0], 1 - 5);
  EXPECT_DOUBLE_EQ(o[1], 2 - 6);
}

TEST(Reference, ChaseCycleAndWordSum) {
  const auto next = random_cycle(1000, 5);
  std::set<std::uint32_t> seen;
  std::uint64_t i = 0;
  for (int s = 0; s < 1000; ++s) {
    EXPECT_TRUE(seen.insert(static_cast<std::uint32_t>(i)).second) << "revisited before the end";
    i = next[i];
  }
  EXPECT_EQ(i, 0u);  // one cycle through all 1000 nodes
  EXPECT_EQ(ref_chase(next, 0, 1000), 0u);
  EXPECT_EQ(ref_chase(next, 0, 3), next[next[next[0]]]);
  std::uint32_t s = 0;
  for (std::uint64_t w = 0; w < 777; ++w) s += random_word(3, w);
  EXPECT_EQ(ref_word_sum(3, 777, 5), static_cast<std::uint32_t>(s * 5u));
}

// --- checks
// ---------------------------------------------------------------------------------------

Case make_case(const std::string& line) {
  auto cs = parse_case_line(line, "test");
  EXPECT_EQ(cs.size(), 1u);
  validate_case(cs.at(0));
  return cs.at(0);
}

void store(std::vector<std::uint8_t>& out, DType t, std::uint64_t i, double v) {
  const float f = static_cast<float>(v);
  if (t == DType::kF32) {
    std::memcpy(out.data() + 4 * i, &f, 4);
  } else {
    const std::uint16_t b = t == DType::kF16 ? float_to_half_bits(f) : float_to_bf16_bits(f);
    std::memcpy(out.data() + 2 * i, &b, 2);
  }
}

// The output a correct kernel would produce: the fp64 result rounded to the storage type.
std::vector<std::uint8_t> host_output(const Case& c, std::uint64_t seed) {
  const auto in = input_specs(c, seed);
  std::vector<std::uint8_t> out(c.output_elems() * dtype_bytes(c.dtype));
  const auto gen = [&](int t, std::uint64_t b, std::uint64_t n) {
    std::vector<float> v(n);
    for (std::uint64_t i = 0; i < n; ++i) v[i] = random_value(in[t].random, c.dtype, b + i);
    return v;
  };
  switch (c.op) {
    case Op::kSdpa: {
      const std::uint64_t n = c.N, d = c.d;
      for (std::uint64_t h = 0; h < static_cast<std::uint64_t>(c.B * c.H); ++h) {
        const auto k = gen(1, h * n * d, n * d), v = gen(2, h * n * d, n * d);
        for (std::uint64_t i = 0; i < n; ++i) {
          std::vector<double> o(d);
          ref_attention_row(gen(0, (h * n + i) * d, d), k, v, static_cast<int>(d),
                            c.causal ? static_cast<int>(i) + 1 : static_cast<int>(n),
                            1.0 / std::sqrt(static_cast<double>(d)), o);
          for (std::uint64_t x = 0; x < d; ++x) store(out, c.dtype, (h * n + i) * d + x, o[x]);
        }
      }
      break;
    }
    case Op::kGemm: {
      const auto w = gen(1, 0, c.N * c.K);
      for (std::int64_t m = 0; m < c.M; ++m) {
        std::vector<double> o(c.N);
        ref_linear_row(gen(0, m * c.K, c.K), w, static_cast<int>(c.N), 1.0, o);
        for (std::int64_t x = 0; x < c.N; ++x) store(out, c.dtype, m * c.N + x, o[x]);
      }
      break;
    }
    case Op::kSoftmax: {
      for (std::int64_t r = 0; r < c.rows; ++r) {
        const auto x = gen(0, r * c.cols, c.cols);
        std::vector<double> xd(x.begin(), x.end()), o(c.cols);
        ref_softmax_row(xd, o);
        for (std::int64_t j = 0; j < c.cols; ++j) store(out, c.dtype, r * c.cols + j, o[j]);
      }
      break;
    }
    case Op::kGelu:
      for (std::int64_t i = 0; i < c.n; ++i)
        store(out, c.dtype, i, ref_gelu(random_value(in[0].random, c.dtype, i)));
      break;
    case Op::kAdd:
      for (std::int64_t i = 0; i < c.n; ++i)
        store(out, c.dtype, i,
              ref_add(random_value(in[0].random, c.dtype, i),
                      random_value(in[1].random, c.dtype, i)));
      break;
    default:
      ADD_FAILURE() << "no host output for this op";
  }
  return out;
}

TEST(Checks, AcceptCorrectOutputsOfEveryType) {
  for (const char* line :
       {"sdpa impl=flash N=128 d=64 B=1 H=2", "sdpa impl=naive N=128 d=128 causal=1 dtype=bf16",
        "gemm M=33 N=40 K=64", "gemm M=16 N=8 K=32 dtype=bf16", "softmax rows=7 cols=100 dtype=f32",
        "softmax rows=5 cols=64", "gelu n=5000 dtype=bf16", "gelu n=999 dtype=f32", "add n=768",
        "add n=5000 dtype=bf16", "add n=999 dtype=f32"}) {
    const Case c = make_case(line);
    const auto out = host_output(c, 77);
    const CheckResult r = check_output(c, 77, out.data());
    EXPECT_TRUE(r.pass) << line << ": " << r.detail;
    EXPECT_EQ(r.nonfinite, 0u);
    EXPECT_GT(r.compared, 0u);
  }
}

TEST(Checks, RejectUnwrittenElement) {
  const Case c = make_case("gemm M=64 N=64 K=32");
  auto out = host_output(c, 1);
  out[2 * 1234] = 0xFF, out[2 * 1234 + 1] = 0xFF;  // the poison pattern: NaN
  const CheckResult r = check_output(c, 1, out.data());
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.nonfinite, 1u);
  EXPECT_EQ(r.first_nonfinite, 1234);
  EXPECT_NE(r.detail.find("unwritten"), std::string::npos);
}

TEST(Checks, RejectWrongInputsAndWrongElements) {
  const Case c = make_case("softmax rows=16 cols=256");
  const auto out = host_output(c, 5);
  EXPECT_TRUE(check_output(c, 5, out.data()).pass);
  EXPECT_FALSE(check_output(c, 6, out.data()).pass);  // computed from other inputs
  // One wrong element among 4096: relative L2 alone would let it pass; the max-error bound not.
  auto bad = out;
  store(bad, c.dtype, 100, load_elem(out.data(), c.dtype, 100) + 0.05);
  const CheckResult r = check_output(c, 5, bad.data());
  EXPECT_FALSE(r.pass) << r.detail;
}

// add: a and b are distinct inputs (a + a, a - b are wrong); an unwritten element is caught.
TEST(Checks, AddNeedsBothInputs) {
  const Case c = make_case("add n=3000");
  const auto in = input_specs(c, 9);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].name, "a");
  EXPECT_EQ(in[1].name, "b");
  EXPECT_EQ(in[1].elems, 3000u);
  const auto out = host_output(c, 9);
  EXPECT_TRUE(check_output(c, 9, out.data()).pass);
  for (double sign : {1.0, -1.0}) {
    auto bad = out;
    for (std::int64_t i = 0; i < c.n; ++i)
      store(bad, c.dtype, i,
            random_value(in[0].random, c.dtype, i) +
                sign * random_value(in[sign > 0 ? 0 : 1].random, c.dtype, i));
    EXPECT_FALSE(check_output(c, 9, bad.data()).pass) << sign;
  }
  auto hole = out;
  hole[2 * 2999] = 0xFF, hole[2 * 2999 + 1] = 0xFF;
  const CheckResult r = check_output(c, 9, hole.data());
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.first_nonfinite, 2999);
}

TEST(Checks, SampledRowsIncludeTheLastRow) {
  // A tiny budget forces sampling; a wrong last row (an edge tile) must still be caught.
  const Case c = make_case("sdpa impl=flash N=256 d=64 B=2 H=1");
  auto out = host_output(c, 3);
  CheckOptions opt;
  opt.mac_budget = 2.0 * 256 * 64 * 6;  // about 3 rows per head
  const CheckResult good = check_output(c, 3, out.data(), opt);
  EXPECT_TRUE(good.pass) << good.detail;
  EXPECT_LT(good.compared, c.output_elems());
  EXPECT_NE(good.detail.find("sampled"), std::string::npos);
  const std::uint64_t last_row = (2 * 256 - 1) * 64;
  for (std::uint64_t x = 0; x < 64; ++x) store(out, c.dtype, last_row + x, 0.0);
  EXPECT_FALSE(check_output(c, 3, out.data(), opt).pass);
}

TEST(Checks, ExactAndDecodeSplits) {
  EXPECT_TRUE(check_exact(5, 5, "x").pass);
  EXPECT_FALSE(check_exact(5, 6, "x").pass);
  Case c = make_case("decode L=128K d=128 B=1 H=16");
  EXPECT_EQ(decode_splits(c, 1056), 66);  // ceil(1056 / 16)
  c.L = 1000;
  EXPECT_EQ(decode_splits(c, 1056), 3);  // at least 256 keys per split
  c.L = 100;
  EXPECT_EQ(decode_splits(c, 1056), 1);
  c.splits = 7;
  EXPECT_EQ(decode_splits(c, 1056), 7);
}

// --- study list
// -----------------------------------------------------------------------------------

TEST(Cases, ExpansionOrderAndIds) {
  const auto cs = parse_case_line("sdpa impl=flash,naive N=128,256 d=64 B=2 H=3", "f:1");
  ASSERT_EQ(cs.size(), 4u);
  EXPECT_EQ(cs[0].id(), "sdpa-flash_B2_H3_N128_d64_f16");
  EXPECT_EQ(cs[1].id(), "sdpa-flash_B2_H3_N256_d64_f16");
  EXPECT_EQ(cs[2].id(), "sdpa-naive_B2_H3_N128_d64_f16");
  EXPECT_EQ(cs[3].source, "f:1");
  const auto d = parse_case_line("decode L=128K d=128 dtype=bf16 tags=capture+ncu sample=4", "f:2");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].L, 131072);
  EXPECT_EQ(d[0].dtype, DType::kBF16);
  EXPECT_TRUE(d[0].has_tag("capture"));
  EXPECT_TRUE(d[0].has_tag("ncu"));
  EXPECT_EQ(d[0].sample, 4u);
  EXPECT_EQ(d[0].shapes_json(), R"({"B":1,"H":1,"L":131072,"d":128,"splits":0})");
  EXPECT_TRUE(parse_case_line("   ", "f:3").empty());
}

void expect_error(const std::string& line, const std::string& what) {
  try {
    for (auto& c : parse_case_line(line, "s.txt:7")) validate_case(c);
    ADD_FAILURE() << "no error for: " << line;
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("s.txt:7"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

TEST(Cases, ErrorsNameFileLineAndColumn) {
  expect_error("sdpaa N=128", "unknown op 'sdpaa'");
  expect_error("gemm M=1 N=8 K=32 Q=3", "s.txt:7:19: unknown key 'Q'");
  expect_error("gemm M=1 N=8", "needs 'K='");
  expect_error("gemm M=1 N=8 K=x32", "s.txt:7:14: bad value 'x32'");
  expect_error("gemm M=1 N=8 K=32 M=2", "given twice");
  expect_error("gemm M=1 N=8 K=30", "K must be a multiple of 32");
  expect_error("sdpa impl=flash N=128 d=96", "head size d must be 64 or 128");
  expect_error("sdpa impl=flash N=100 d=64", "multiple of 128");
  expect_error("sdpa impl=fast N=128 d=64", "flash or naive");
  expect_error("sdpa impl=flash N=128 d=64 dtype=f32", "tensor cores");
  expect_error("gemv N=8 K=12", "multiple of 8");
  expect_error("chase impl=ca bytes=100", "two strides");
  expect_error("softmax rows=4 cols=8 causal=1", "unknown key 'causal'");
  expect_error("gelu n=-5", "bad value '-5'");
  expect_error("gelu n=5 dtype=f64", "f16, bf16 or f32");
  expect_error("gelu n=5 junk", "expected key=value");
  expect_error("add dtype=f32", "op 'add' needs 'n='");
  expect_error("add n=5 rows=2", "unknown key 'rows' for op 'add'");
  expect_error("add n=0", "bad value '0'");
  std::int64_t v = 0;
  EXPECT_TRUE(parse_size("2G", v));
  EXPECT_EQ(v, std::int64_t{2} << 30);
  EXPECT_FALSE(parse_size("K", v));
  EXPECT_FALSE(parse_size("99999999999999999999", v));
}

TEST(Cases, CommittedStudyListIsValid) {
  const auto cases = load_cases(std::string(ACCSIM_REF_DIR) + "/shapes.txt");
  std::set<std::string> ops;
  int capture = 0, torch = 0, flash_ncu_1k_up = 0;
  for (const auto& c : cases) {
    ops.insert(std::string(op_name(c.op)));
    capture += c.has_tag("capture");
    torch += c.has_tag("torch");
    flash_ncu_1k_up += c.op == Op::kSdpa && c.impl == "flash" && c.N >= 1024 && c.has_tag("ncu");
  }
  // Issue 3 item 4: prefill N 128..8192 with d 64 and 128, decode 1K..128K, GEMV, GEMM,
  // softmax, layernorm; plus the microbenchmarks.
  EXPECT_EQ(ops.size(), 10u);
  EXPECT_GT(capture, 10);
  EXPECT_GE(torch, 2);
  EXPECT_GE(flash_ncu_1k_up, 6);
  std::set<std::int64_t> ns, ls;
  for (const auto& c : cases) {
    if (c.op == Op::kSdpa) ns.insert(c.N);
    if (c.op == Op::kDecode) ls.insert(c.L);
  }
  EXPECT_EQ(*ns.begin(), 128);
  EXPECT_EQ(*ns.rbegin(), 8192);
  EXPECT_EQ(*ls.begin(), 1024);
  EXPECT_EQ(*ls.rbegin(), 131072);
  // Residual additions of GPT-2 small and medium (d_model 768, 1024), one decode token and a
  // 1024-token prefill.
  std::set<std::int64_t> adds;
  for (const auto& c : cases)
    if (c.op == Op::kAdd) adds.insert(c.n);
  for (std::int64_t n : {768, 1024, 1024 * 768, 1024 * 1024}) EXPECT_TRUE(adds.count(n)) << n;
}

TEST(Cases, DuplicateAcrossLinesAndMissingFileAreErrors) {
  const std::string path = ::testing::TempDir() + "/dup_shapes.txt";
  {
    std::ofstream f(path);
    f << "# comment\n gemm M=1 N=8 K=32   # trailing comment\n\ngemm M=1 N=8 K=32\n";
  }
  try {
    load_cases(path);
    ADD_FAILURE() << "duplicate accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_cases(path + ".missing"), InputError);
}

TEST(Cases, FlopsAndBytes) {
  const Case s = make_case("sdpa impl=flash N=1024 d=64 B=2 H=3");
  EXPECT_DOUBLE_EQ(s.flops(), 4.0 * 6 * 1024 * 1024 * 64);
  EXPECT_DOUBLE_EQ(s.min_bytes(), 4.0 * 6 * 1024 * 64 * 2);
  const Case sc = make_case("sdpa impl=flash N=1024 d=64 B=2 H=3 causal=1");
  EXPECT_DOUBLE_EQ(sc.flops(), 4.0 * 6 * (1024.0 * 1025 / 2) * 64);
  const Case g = make_case("gemv N=768 K=3072 dtype=f32");
  EXPECT_DOUBLE_EQ(g.flops(), 2.0 * 768 * 3072);
  EXPECT_DOUBLE_EQ(g.min_bytes(), (768.0 * 3072 + 3072 + 768) * 4);
  const Case a = make_case("add n=1000 dtype=bf16");
  EXPECT_DOUBLE_EQ(a.flops(), 1000.0);
  EXPECT_DOUBLE_EQ(a.min_bytes(), 3.0 * 1000 * 2);  // a and b read, y written
  EXPECT_EQ(a.id(), "add_n1000_bf16");
  EXPECT_EQ(a.shapes_json(), R"({"n":1000})");
  EXPECT_EQ(a.output_elems(), 1000u);
  EXPECT_EQ(op_trace_kind(Op::kAdd), "elementwise");
}

// --- statistics ----------------------------------------------------------------------------------

TEST(Stats, Summary) {
  const Summary s = summarize({5, 1, 4, 2, 3});
  EXPECT_EQ(s.n, 5u);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.p10, 1.4);  // numpy.percentile([1..5], 10)
  EXPECT_DOUBLE_EQ(s.p90, 4.6);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_NEAR(s.stdev, std::sqrt(2.5), 1e-12);
  EXPECT_DOUBLE_EQ(summarize({4, 1, 3, 2}).median, 2.5);
  EXPECT_EQ(summarize({}).n, 0u);
}

// --- op trace and access-trace metadata ----------------------------------------------------------

TEST(OpTrace, HeaderAndLine) {
  EXPECT_EQ(
      op_trace_header("H100 \"x\"", "t", 1980),
      R"({"format":"accsim-op-trace","version":1,"gpu":"H100 \"x\"","tool":"t","sm_clock_mhz":1980})");
  OpTraceEntry e;
  e.kernel = "flash_fwd_kernel";
  e.op = "sdpa";
  e.shape = {{"B", 1}, {"H", 2}, {"N", 128}, {"d", 64}};
  e.causal = true;
  e.tensors = {{"Q", 0x7f0000001000, 32768}};
  e.grid = {1, 2, 1};
  e.block = {256, 1, 1};
  e.smem = 55296;
  e.regs = 128;
  e.time_ns = 1500.5;
  e.trace_file = "a.atrace";
  e.trace_kernel = 0;
  EXPECT_EQ(
      op_trace_line(e),
      R"({"kernel":"flash_fwd_kernel","op":"sdpa","shape":{"B":1,"H":2,"N":128,"d":64},"dtype":"fp16","causal":true,"tensors":[{"name":"Q","addr":"0x7f0000001000","bytes":32768}],"grid":[1,2,1],"block":[256,1,1],"smem":55296,"regs":128,"measured":{"time_ns":1500.5},"access_trace":{"file":"a.atrace","kernel":0}})");
  e.op = "gemm";
  EXPECT_EQ(op_trace_line(e).find("causal"), std::string::npos);  // sdpa only
  e.regs = 0;
  EXPECT_EQ(op_trace_line(e).find("regs"), std::string::npos);  // 0 = not known: left out
}

TEST(OpTrace, EntriesPerOp) {
  const Case naive = make_case("sdpa impl=naive N=256 d=64 B=2 H=4 causal=1");
  std::vector<OpTensor> ts = {{"Q", 1, 10}, {"K", 2, 10}, {"V", 3, 10}, {"S", 4, 10}, {"O", 5, 10}};
  std::vector<LaunchInfo> ls(3);
  ls[0].kernel = "gemm_tc_kernel", ls[1].kernel = "softmax_kernel", ls[2].kernel = "gemm_tc_kernel";
  const auto e = op_trace_entries(naive, ls, ts);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].op, "gemm");
  EXPECT_EQ(e[0].shape, (std::vector<std::pair<std::string, std::uint64_t>>{
                            {"M", 256}, {"N", 256}, {"K", 64}, {"batch", 8}}));
  EXPECT_EQ(e[1].op, "softmax");
  EXPECT_EQ(e[1].shape[0].second, 8u * 256);
  EXPECT_EQ(e[2].shape[1].second, 64u);
  EXPECT_EQ(e[2].tensors[0].addr, 4u);  // P (= S, in place) is the A operand

  const Case dec = make_case("decode L=4K d=128 B=2 H=8");
  std::vector<OpTensor> dt = {
      {"q", 1, 1}, {"K", 2, 1}, {"V", 3, 1}, {"partials", 4, 1}, {"out", 5, 1}};
  const auto de = op_trace_entries(dec, std::vector<LaunchInfo>(2), dt);
  ASSERT_EQ(de.size(), 2u);
  EXPECT_EQ(de[0].shape.back(), (std::pair<std::string, std::uint64_t>{"N_kv", 4096}));
  EXPECT_EQ(de[1].op, "elementwise");
  EXPECT_TRUE(op_trace_entries(make_case("chase impl=cg bytes=1M"), {}, {}).empty());

  std::vector<LaunchInfo> al(1);
  al[0].kernel = "add_kernel";
  const auto ae =
      op_trace_entries(make_case("add n=786432"), al, {{"a", 1, 10}, {"b", 2, 10}, {"y", 3, 10}});
  ASSERT_EQ(ae.size(), 1u);
  EXPECT_EQ(ae[0].kernel, "add_kernel");
  EXPECT_EQ(ae[0].op, "elementwise");
  EXPECT_EQ(ae[0].shape, (std::vector<std::pair<std::string, std::uint64_t>>{{"n", 786432}}));
  ASSERT_EQ(ae[0].tensors.size(), 3u);
  EXPECT_EQ(ae[0].tensors[0].name, "a");
  EXPECT_EQ(ae[0].tensors[1].name, "b");
  EXPECT_EQ(ae[0].tensors[2].addr, 3u);
}

TEST(OpTrace, AccessTraceMetadata) {
  const Case c = make_case("gemv N=768 K=768");
  std::vector<LaunchInfo> ls(1);
  ls[0].kernel = "gemv_kernel";
  ls[0].grid = {96, 1, 1};
  ls[0].block = {256, 1, 1};
  ls[0].regs = 34;
  CaptureStats st;
  st.records = 10, st.buffer_records = 100, st.cta_sample = 2, st.seed = 9, st.check_pass = true;
  const std::string m = access_trace_metadata(c, ls, "tool", "gpu", 1980, 123, st);
  EXPECT_EQ(
      m.rfind(
          R"({"timestamp_unit":"ns","tool":"tool","gpu":"gpu","sm_clock_mhz":1980,"time_origin":123,"kernels":[{"id":0,"name":"gemv_kernel","grid":[96,1,1],"block":[256,1,1],"smem":0,"regs":34,"params":{"case":"gemv_N768_K768_f16")",
          0),
      0u)
      << m;
  EXPECT_NE(
      m.find(
          R"("cta_sample":2,"buffer_records":100,"records":10,"dropped":0,"overflow":false,"structure_ok":true)"),
      std::string::npos)
      << m;
  ls[0].regs = 0;
  EXPECT_EQ(access_trace_metadata(c, ls, "tool", "gpu", 1980, 123, st).find("regs"),
            std::string::npos);
}

// --- version-2 capture order and structure -------------------------------------------------------

namespace wl = accsim::workloads;

wl::AccessRecord rec(std::uint32_t cta, std::uint16_t warp, wl::RecordKind k, std::uint64_t t,
                     std::uint64_t addr = 0) {
  wl::AccessRecord r;
  r.cta = cta, r.warp = warp, r.kind = static_cast<std::uint8_t>(k), r.timestamp = t;
  r.address = addr, r.size = wl::is_memory_kind(r.kind) ? 32 : 0;
  return r;
}

TEST(CaptureOrder, CtaBeginFirstAndWarpsKeepProgramOrder) {
  using K = wl::RecordKind;
  // Buffer order: warp 1 of CTA 0 starts before warp 0 writes cta_begin; warp 1's timer steps
  // back once (t 90 after t 100); CTA 1 interleaves.
  std::vector<wl::AccessRecord> b = {
      rec(0, 1, K::kLoad, 100, 0x40), rec(0, 1, K::kCompute, 90, 7),  rec(1, 0, K::kCtaBegin, 95),
      rec(0, 0, K::kCtaBegin, 120),   rec(0, 0, K::kLoad, 120, 0x80), rec(0, 1, K::kWarpExit, 130),
      rec(0, 0, K::kWarpExit, 140),   rec(1, 0, K::kWarpExit, 96),    rec(1, 1, K::kWarpExit, 95),
  };
  order_capture_records(b);
  ASSERT_EQ(b.size(), 9u);
  // CTA 0's cta_begin takes the CTA's first time (100) and comes before warp 1's load.
  EXPECT_EQ(b[0].kind, static_cast<std::uint8_t>(K::kCtaBegin));
  EXPECT_EQ(b[0].cta, 1u);
  std::vector<std::string> order;
  for (const auto& r : b)
    order.push_back(std::to_string(r.cta) + "." + std::to_string(r.warp) + ":" +
                    std::to_string(r.kind) + "@" + std::to_string(r.timestamp));
  EXPECT_EQ(order,
            (std::vector<std::string>{"1.0:7@95", "1.1:8@95", "1.0:8@96", "0.0:7@100", "0.1:0@100",
                                      "0.1:3@100", "0.0:0@120", "0.1:8@130", "0.0:8@140"}));
  EXPECT_EQ(capture_structure_errors(b, {2}), "");
}

TEST(CaptureOrder, StructureErrorsAreNamed) {
  using K = wl::RecordKind;
  const std::vector<wl::AccessRecord> missing_exit = {rec(3, 0, K::kCtaBegin, 1),
                                                      rec(3, 0, K::kWarpExit, 2)};
  EXPECT_NE(capture_structure_errors(missing_exit, {2}).find("CTA 3 warp 1: 0 warp_exit"),
            std::string::npos);
  const std::vector<wl::AccessRecord> late_begin = {
      rec(3, 0, K::kLoad, 1, 0x20), rec(3, 0, K::kCtaBegin, 1), rec(3, 0, K::kWarpExit, 2)};
  EXPECT_NE(capture_structure_errors(late_begin, {1}).find("a record before its cta_begin"),
            std::string::npos);
  const std::vector<wl::AccessRecord> after_exit = {
      rec(3, 0, K::kCtaBegin, 1), rec(3, 0, K::kWarpExit, 2), rec(3, 0, K::kLoad, 3, 0x20)};
  EXPECT_NE(capture_structure_errors(after_exit, {1}).find("records after its warp_exit"),
            std::string::npos);
  const std::vector<wl::AccessRecord> big_warp = {
      rec(3, 0, K::kCtaBegin, 1), rec(3, 0, K::kWarpExit, 2), rec(3, 4, K::kWarpExit, 2)};
  EXPECT_NE(capture_structure_errors(big_warp, {1}).find("warp 4 >= 1 warps"), std::string::npos);
}

// --- instruction mix (workloads/trace/kernel_mix.h) ----------------------------------------------

namespace mx = accsim::workloads::mix;
using IC = wl::InstrClass;

// The bodies are constant expressions (the capture build evaluates them at compile time).
static_assert(mx::total(mx::gemm_ktile(false), IC::kMmaF16F32M16N8K16) == 32);
static_assert(mx::total(mx::flash_tile(true, 128, false), IC::kLdmatrixX4) == 72);

TEST(KernelMix, EveryBodyFitsAndIsNamedAfterItsPoint) {
  const auto table = mix_table();
  std::size_t regions = 0;
  for (const auto& k : table) {
    for (const auto& r : k.regions) {
      ++regions;
      // The mark's name (before "/variant") is the body's name, the function's name.
      EXPECT_EQ(r.region.substr(0, r.region.find('/')), r.body.name) << k.kernel;
      ASSERT_LE(r.body.count, mx::kMaxItems);
      // add() stops at kMaxItems: a body that reaches it may have lost items.
      EXPECT_LT(r.body.count, mx::kMaxItems) << r.region;
      for (std::uint32_t i = 0; i < r.body.count; ++i) {
        EXPECT_GT(r.body.items[i].n, 0u);
        EXPECT_LT(static_cast<std::uint32_t>(r.body.items[i].cls), wl::kInstrClassCount);
        EXPECT_EQ(r.body.items[i].flags & ~(wl::kFlagDep | wl::kFlagChain), 0);
      }
    }
    if (k.kernel != "chase_kernel" && k.kernel != "bandwidth_kernel") {
      EXPECT_GT(k.regs, 0) << k.kernel;
      EXPECT_LE(k.regs, 255) << k.kernel;
    }
  }
  EXPECT_EQ(table.size(), 34u);  // every timing-build instantiation
  EXPECT_GT(regions, 150u);
}

TEST(KernelMix, CountsFollowTheSource) {
  // gemm: 2 kk x (4 + 2) ldmatrix.x4 and 16 mma per k-tile; 32 stores' packs per warp.
  EXPECT_EQ(mx::total(mx::gemm_ktile(true), IC::kLdmatrixX4), 12u);
  EXPECT_EQ(mx::total(mx::gemm_ktile(true), IC::kMmaBf16F32M16N8K16), 32u);
  EXPECT_EQ(mx::total(mx::gemm_ktile(true), IC::kMmaF16F32M16N8K16), 0u);
  EXPECT_EQ(mx::total(mx::gemm_epilogue(false, false), IC::kCvt), 32u);
  EXPECT_EQ(mx::total(mx::gemm_epilogue(false, true), IC::kAlu) -
                mx::total(mx::gemm_epilogue(false, false), IC::kAlu),
            128u);
  // flash: S = QK^T and O += PV are d/16 x 8 mma each; 2 rows x 17 ex2; the mask is alu only.
  for (int d : {64, 128}) {
    const auto m = mx::flash_tile(false, d, true), u = mx::flash_tile(false, d, false);
    EXPECT_EQ(mx::total(u, IC::kMmaF16F32M16N8K16), static_cast<std::uint32_t>(d));
    EXPECT_EQ(mx::total(u, IC::kSfuEx2), 34u);
    EXPECT_EQ(mx::total(m, IC::kAlu) - mx::total(u, IC::kAlu), 70u);
    EXPECT_EQ(mx::total(m, IC::kFfma), mx::total(u, IC::kFfma));
    EXPECT_EQ(mx::total(mx::flash_epilogue(false, d), IC::kCvt), static_cast<std::uint32_t>(d / 4));
  }
  // decode: log2(d/8) shuffles per key and 4 keys per step; 2 ex2 per key.
  EXPECT_EQ(mx::total(mx::decode_split_step(false, 64), IC::kShfl), 12u);
  EXPECT_EQ(mx::total(mx::decode_split_step(false, 128), IC::kShfl), 16u);
  EXPECT_EQ(mx::total(mx::decode_split_step(true, 128), IC::kSfuEx2), 8u);
  EXPECT_EQ(mx::total(mx::decode_split_combine(64), IC::kLds32), 48u);  // 3 x 16 groups
  // row kernels: f32 has no conversions; 8 (16-bit) or 4 (f32) elements per vector trip.
  EXPECT_EQ(mx::total(mx::gemv_step(mx::Elem::kF32), IC::kCvt), 0u);
  EXPECT_EQ(mx::total(mx::gemv_step(mx::Elem::kBF16), IC::kCvt), 64u);
  EXPECT_EQ(mx::total(mx::gemv_step(mx::Elem::kF16), IC::kFfma), 32u);
  EXPECT_EQ(mx::total(mx::softmax_pass1(mx::Elem::kF32, true), IC::kSfuEx2), 8u);
  EXPECT_EQ(mx::total(mx::softmax_pass2(mx::Elem::kF16, false), IC::kCvt), 2u);
  EXPECT_EQ(mx::total(mx::layernorm_pass3(mx::Elem::kF16, true), IC::kCvt), 28u);
  EXPECT_EQ(mx::total(mx::gelu_step(mx::Elem::kBF16, true), IC::kSfuRcp), 8u);
  // add: one add.f32 per element, the unpacks of a and b, the packs of y (none for f32).
  EXPECT_EQ(mx::total(mx::add_step(mx::Elem::kF16, true), IC::kFfma), 8u);
  EXPECT_EQ(mx::total(mx::add_step(mx::Elem::kF16, true), IC::kCvt), 16u + 4u);
  EXPECT_EQ(mx::total(mx::add_step(mx::Elem::kBF16, false), IC::kCvt), 2u + 1u);
  EXPECT_EQ(mx::total(mx::add_step(mx::Elem::kF32, true), IC::kFfma), 4u);
  EXPECT_EQ(mx::total(mx::add_step(mx::Elem::kF32, true), IC::kCvt), 0u);
  EXPECT_EQ(mx::regs_gemm(false, true), 126);
  EXPECT_EQ(mx::regs_flash(true, 128), 128);
}

TEST(KernelMix, TableJson) {
  const std::string j = mix_table_json(mix_table());
  EXPECT_EQ(j.rfind(R"({"format":"accsim-mix-table","version":1,"kernels":[)", 0), 0u);
  EXPECT_NE(j.find(R"("match":"flash_fwd_kernelI13__nv_bfloat16Li128E")"), std::string::npos);
  EXPECT_NE(j.find(R"({"region":"flash_tile","exclude_parts":["flash_tile_mask"],)"),
            std::string::npos);
  EXPECT_EQ(
      mix_body_json(mx::decode_combine_sum()),
      R"({"name":"decode_combine_sum","items":[{"class":"ffma","n":1,"flags":0},{"class":"ex2","n":1,"flags":1},{"class":"ffma","n":2,"flags":1}]})");
}

TEST(Json, Escapes) {
  EXPECT_EQ(json_str("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(json_num(std::nan("")), "null");
  EXPECT_EQ(json_num(2.5), "2.5");
}

// --- command line --------------------------------------------------------------------------------

// --- launch plan of a transformer step -----------------------------------------------------------

TEST(LaunchPlan, GridsBlocksAndSharedMemoryByHand) {
  // GEMM 1000 x 2304 over 4 batch items: ceil(2304 / 128) x ceil(1000 / 128) x 4 CTAs; two stages
  // of a 128 x 40 A tile and a 128 x 40 ([N, K]) or 32 x 136 ([K, N]) B tile, 2 bytes each.
  const LaunchInfo g = plan::gemm(DType::kF16, 1000, 2304, 4, true);
  EXPECT_EQ(g.grid.x, 18u);
  EXPECT_EQ(g.grid.y, 8u);
  EXPECT_EQ(g.grid.z, 4u);
  EXPECT_EQ(g.block.x, 256u);
  EXPECT_EQ(g.smem, 2u * (2 * 128 * 40 + 2 * 128 * 40));
  EXPECT_EQ(plan::gemm(DType::kBF16, 1, 8, 1, false).smem, 2u * (2 * 128 * 40 + 2 * 32 * 136));
  EXPECT_EQ(plan::flash(24, 1024, 128).grid.x, 8u);
  EXPECT_EQ(plan::flash(24, 1024, 128).smem, (128u + 4 * 64) * (128 + 8) * 2);
  // Decode: one CTA per split and head; groups of d/8 lanes, 4 warps.
  EXPECT_EQ(plan::decode(0, 12, 64, 3).grid.x, 3u);
  EXPECT_EQ(plan::decode(0, 12, 64, 3).smem, 16u * 66 * 4);
  EXPECT_EQ(plan::decode(1, 12, 128, 3).block.x, 128u);
  EXPECT_EQ(plan::decode_workspace_bytes(12, 3, 64), 12u * 3 * 66 * 4);
  EXPECT_EQ(plan::gemv(50257).grid.x, 6283u);
  // Row kernels: 768 halves are 96 vectors -> 128 threads; 770 is not a multiple of 8 -> scalar.
  EXPECT_EQ(plan::layernorm(DType::kF16, 5, 768).block.x, 128u);
  EXPECT_EQ(plan::layernorm(DType::kF16, 5, 770).block.x, 512u);
  EXPECT_EQ(plan::softmax(DType::kF32, 5, 20).block.x, 32u);
  // Grid-stride: 8 CTAs per SM at most, one for a small tensor.
  EXPECT_EQ(plan::gelu(DType::kF16, std::int64_t{1} << 30, 132).grid.x, 1056u);
  EXPECT_EQ(plan::add(DType::kF16, 768, 132).grid.x, 1u);
  EXPECT_EQ(plan::add(DType::kF32, 4096 * 256, 108).grid.x, 864u);
}

TEST(LaunchPlan, CaseLaunchesCarryTheRegisterTable) {
  Case c = parse_case_line("sdpa B=1 H=2 N=256 d=64 impl=naive causal=1", "t")[0];
  const auto ls = plan::case_launches(c, 132);
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0].kernel, "gemm_tc_kernel");
  EXPECT_EQ(ls[0].regs, 126);  // B as [N, K]
  EXPECT_EQ(ls[1].kernel, "softmax_kernel");
  EXPECT_EQ(ls[2].regs, 128);   // B as [K, N]
  EXPECT_EQ(ls[2].grid.x, 1u);  // N = d = 64 columns
  EXPECT_TRUE(plan::case_launches(parse_case_line("chase bytes=4K impl=ca", "t")[0], 132).empty());
}

struct GoldenStep {
  std::string file, step_line;
};

std::vector<GoldenStep> golden_steps() {
  std::ifstream in(std::string(ACCSIM_REF_DIR) + "/tests/data/steps.txt");
  std::vector<GoldenStep> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find(" | "), b = line.find(" | ", a + 3);
    if (a == std::string::npos || b == std::string::npos) {
      ADD_FAILURE() << "steps.txt: bad line " << line;
      continue;
    }
    out.push_back({line.substr(0, a), line.substr(a + 3, b - a - 3)});
  }
  return out;
}

TEST(StepPlan, MatchesCommittedGoldens) {
  const auto steps = golden_steps();
  ASSERT_GE(steps.size(), 4u);
  const bool update = std::getenv("ACCSIM_UPDATE_GOLDEN") != nullptr;
  for (const auto& g : steps) {
    SCOPED_TRACE(g.file);
    const std::string path = std::string(ACCSIM_REF_DIR) + "/tests/data/" + g.file;
    const std::string got = step_op_trace(parse_step_line(g.step_line, g.file));
    if (update) std::ofstream(path, std::ios::trunc) << got;
    std::ifstream in(path);
    ASSERT_TRUE(in) << "missing golden " << path << " (ACCSIM_UPDATE_GOLDEN=1 writes it)";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(got, want.str());
  }
}

TEST(StepPlan, Gpt2SmallDecodeLayerByHand) {
  const auto es = plan_step(
      parse_step_line("decode d_model=768 heads=12 d_ff=3072 vocab=50257 context=127", "t"));
  std::vector<std::string> labels;
  for (const auto& e : es) labels.push_back(e.label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"L0.ln1", "L0.qkv", "L0.attn.split", "L0.attn.combine",
                                      "L0.proj", "L0.res1", "L0.ln2", "L0.fc1", "L0.gelu", "L0.fc2",
                                      "L0.res2", "ln_f", "lm_head"}));
  // QKV: a GEMV of 3 x 768 rows, 8 rows per CTA; its weights 2304 x 768 halves.
  EXPECT_EQ(es[1].kernel, "gemv_kernel");
  EXPECT_EQ(es[1].grid.x, 288u);
  EXPECT_EQ(es[1].tensors[0].bytes, 2304u * 768 * 2);
  // Attention reads 128 keys of 12 heads x 64 (context + this token), one split (L / 256 < 1).
  EXPECT_EQ(es[2].tensors[1].bytes, 128u * 12 * 64 * 2);
  EXPECT_EQ(es[2].grid.x, 1u);
  EXPECT_EQ(es[2].tensors[0].addr, es[1].tensors[2].addr);  // q is the first third of qkv
  EXPECT_EQ(es[5].tensors[0].addr, es[5].tensors[2].addr);  // the residual adds in place
  EXPECT_EQ(es[12].tensors[0].bytes, 50257u * 768 * 2);
}

TEST(StepPlan, BadStepsNameTheProblem) {
  const auto err = [](const std::string& line) {
    try {
      plan_step(parse_step_line(line, "--step"));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string m = "d_model=768 heads=12 d_ff=3072 vocab=50257";
  EXPECT_NE(err("train " + m).find("prefill or decode"), std::string::npos);
  EXPECT_NE(err("decode heads=12 d_ff=3072 vocab=50257").find("'d_model' is required"),
            std::string::npos);
  EXPECT_NE(err("decode " + m + " heads=4").find("given twice"), std::string::npos);
  EXPECT_NE(err("decode " + m + " colour=red").find("unknown key 'colour'"), std::string::npos);
  EXPECT_NE(err("decode " + m + " context=x").find("--step:"), std::string::npos);
  EXPECT_NE(err("decode d_model=768 heads=7 d_ff=3072 vocab=50257").find("not a multiple"),
            std::string::npos);
  EXPECT_NE(err("decode d_model=1024 heads=32 d_ff=3072 vocab=50257").find("head size"),
            std::string::npos);  // d_head 32: the kernels take 64 or 128
  EXPECT_NE(err("prefill " + m + " tokens=100").find("multiple of 128"), std::string::npos);
  EXPECT_NE(err("prefill " + m).find("tokens"), std::string::npos);
  EXPECT_NE(err("decode " + m + " tokens=128").find("goes with prefill"), std::string::npos);
  EXPECT_NE(err("decode " + m + " attention=naive").find("applies to prefill"), std::string::npos);
  EXPECT_NE(err("decode " + m + " batch=0").find("batch = 0"), std::string::npos);
  EXPECT_NE(err("decode " + m + " batch=99999999999999999999").find("bad value"),
            std::string::npos);
  EXPECT_NE(err("decode " + m + " dtype=f32").find("f16 or bf16"), std::string::npos);
  EXPECT_NE(err("").find("empty step"), std::string::npos);
}

TEST(Cli, ParsesAndRejects) {
  const Options o = parse_args({"time", "--case", "gelu n=5", "--reps", "30", "--no-flush",
                                "--filter", "gelu", "--seed", "12"});
  EXPECT_EQ(o.command, "time");
  EXPECT_EQ(o.reps, 30);
  EXPECT_FALSE(o.flush);
  EXPECT_EQ(o.seed.value_or(0), 12u);
  EXPECT_EQ(select_cases(o).size(), 1u);
  EXPECT_THROW(parse_args({}), UsageError);
  EXPECT_THROW(parse_args({"run", "--case", "gelu n=5"}), UsageError);
  EXPECT_THROW(parse_args({"time"}), UsageError);  // no cases
  EXPECT_TRUE(select_cases(parse_args({"info", "--out", "g.json"})).empty());
  EXPECT_TRUE(select_cases(parse_args({"mix-table"})).empty());  // needs no cases
  EXPECT_THROW(parse_args({"time", "--case", "gelu n=5", "--reps"}), UsageError);
  EXPECT_THROW(parse_args({"time", "--case", "gelu n=5", "--reps", "0"}), UsageError);
  EXPECT_THROW(parse_args({"time", "--case", "gelu n=5", "--bogus"}), UsageError);
  EXPECT_THROW(parse_args({"capture", "--case", "gelu n=5"}), UsageError);  // needs --out-dir
  const Options f =
      parse_args({"list", "--case", "gelu n=5 tags=a", "--case", "gelu n=6", "--tag", "a"});
  EXPECT_EQ(select_cases(f).size(), 1u);
  EXPECT_THROW(select_cases(parse_args({"list", "--case", "gelu n=0"})), InputError);
  const Options p = parse_args({"plan", "--step", "decode d_model=64", "--out", "p.jsonl"});
  EXPECT_EQ(p.step, "decode d_model=64");
  EXPECT_THROW(parse_args({"plan", "--out", "p.jsonl"}), UsageError);  // no --step
  EXPECT_THROW(parse_args({"plan", "--step", "decode"}), UsageError);  // no --out
  EXPECT_THROW(parse_args({"list", "--case", "gelu n=5", "--step", "decode"}), UsageError);
  EXPECT_THROW(parse_args({"plan", "--step", "decode", "--out", "p", "--case", "gelu n=5"}),
               UsageError);
}

}  // namespace
}  // namespace accsim::ref
