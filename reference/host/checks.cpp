#include "reference/host/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "reference/host/reference.h"

namespace accsim::ref {
namespace {

template <class F>
void parallel_for(std::size_t n, unsigned threads, F&& f) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, n));
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) f(i);
    });
  for (auto& th : pool) th.join();
}

// `want` indices out of [0, total): all of them when want >= total, otherwise the first, the last
// and the rest spread evenly with a seeded jitter inside each stretch. Sorted, unique.
std::vector<std::uint64_t> sample_indices(std::uint64_t total, std::uint64_t want,
                                          std::uint64_t seed) {
  std::vector<std::uint64_t> out;
  if (total == 0) return out;
  if (want >= total) {
    out.resize(total);
    for (std::uint64_t i = 0; i < total; ++i) out[i] = i;
    return out;
  }
  want = std::max<std::uint64_t>(want, 2);
  out.push_back(0);
  out.push_back(total - 1);
  for (std::uint64_t k = 0; k + 2 < want; ++k) {
    const std::uint64_t lo = total * k / (want - 2);
    const std::uint64_t hi = std::max(lo + 1, total * (k + 1) / (want - 2));
    out.push_back(lo + mix64(seed ^ (k * 0x2545F4914F6CDD1Dull)) % (hi - lo));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::uint64_t rows_for_budget(double budget, double cost_per_row, std::uint64_t total,
                              std::uint64_t min_rows = 2) {
  const double r = cost_per_row > 0 ? budget / cost_per_row : static_cast<double>(total);
  return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(r), std::min(min_rows, total), total);
}

std::vector<float> generate(const TensorSpec& t, DType dt, std::uint64_t begin,
                            std::uint64_t count) {
  std::vector<float> v(count);
  for (std::uint64_t i = 0; i < count; ++i) v[i] = random_value(t.random, dt, begin + i);
  return v;
}

std::vector<float> generate_all(const TensorSpec& t, DType dt, unsigned threads) {
  std::vector<float> v(t.elems);
  constexpr std::uint64_t kBlock = 1 << 16;
  const std::uint64_t blocks = (t.elems + kBlock - 1) / kBlock;
  parallel_for(blocks, threads, [&](std::size_t b) {
    const std::uint64_t end = std::min<std::uint64_t>(t.elems, (b + 1) * kBlock);
    for (std::uint64_t i = b * kBlock; i < end; ++i) v[i] = random_value(t.random, dt, i);
  });
  return v;
}

// Squared-error sums of one work item; merged in item order so the result is deterministic.
struct Partial {
  double err2 = 0, ref2 = 0, max_abs = 0;
  std::uint64_t n = 0;
  bool nonfinite = false;
  void add(double got, double want) {
    if (!std::isfinite(got)) nonfinite = true;
    const double e = got - want;
    err2 += e * e;
    ref2 += want * want;
    max_abs = std::max(max_abs, std::fabs(e));
    ++n;
  }
};

CheckResult finish(const Case& c, const void* out, const std::vector<Partial>& parts,
                   const std::string& how) {
  CheckResult r;
  r.tol = dtype_tolerance(c.dtype);
  r.total = c.output_elems();
  for (std::uint64_t i = 0; i < r.total; ++i) {
    if (!std::isfinite(load_elem(out, c.dtype, i))) {
      if (r.nonfinite == 0) r.first_nonfinite = static_cast<std::int64_t>(i);
      ++r.nonfinite;
    }
  }
  double err2 = 0, ref2 = 0, max_abs = 0;
  for (const auto& p : parts) {
    err2 += p.err2;
    ref2 += p.ref2;
    max_abs = std::max(max_abs, p.max_abs);
    r.compared += p.n;
  }
  r.rel_l2 = ref2 > 0 ? std::sqrt(err2 / ref2) : std::sqrt(err2);
  const double rms = r.compared ? std::sqrt(ref2 / static_cast<double>(r.compared)) : 0;
  r.max_err_rel = rms > 0 ? max_abs / rms : max_abs;
  const bool finite_ok = r.nonfinite == 0 && std::isfinite(r.rel_l2);
  r.pass =
      finite_ok && r.compared > 0 && r.rel_l2 <= r.tol && r.max_err_rel <= kMaxErrFactor * r.tol;
  if (!finite_ok) {
    r.detail = fmt::format(
        "{} of {} output elements are NaN/inf (first at index {}): unwritten or "
        "overflowed",
        r.nonfinite, r.total, r.first_nonfinite);
  } else {
    r.detail = fmt::format(
        "rel-L2 {:.3e} (tol {:.1e}), max err {:.3e} x rms (limit {:.1e}), "
        "{} of {} elements vs fp64 ({})",
        r.rel_l2, r.tol, r.max_err_rel, kMaxErrFactor * r.tol, r.compared, r.total, how);
  }
  return r;
}

std::string coverage(std::uint64_t sampled, std::uint64_t total, std::string_view unit) {
  return sampled >= total ? fmt::format("all {} {}", total, unit)
                          : fmt::format("{} of {} {} sampled", sampled, total, unit);
}

CheckResult check_sdpa(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                       const CheckOptions& opt, std::uint64_t seed) {
  const std::uint64_t heads = static_cast<std::uint64_t>(c.B * c.H);
  const int d = static_cast<int>(c.d);
  const int n = static_cast<int>(c.N);
  const auto head_ids = sample_indices(heads, 4, seed ^ 0x51);
  const double row_cost = 2.0 * n * d;
  const std::uint64_t rows_per_head =
      rows_for_budget(opt.mac_budget / static_cast<double>(head_ids.size()), row_cost,
                      static_cast<std::uint64_t>(n));
  const auto row_ids = sample_indices(static_cast<std::uint64_t>(n), rows_per_head, seed ^ 0x52);
  const std::uint64_t head_elems = static_cast<std::uint64_t>(n) * d;
  std::vector<std::vector<float>> ks(head_ids.size()), vs(head_ids.size());
  parallel_for(head_ids.size(), opt.threads, [&](std::size_t h) {
    ks[h] = generate(in[1], c.dtype, head_ids[h] * head_elems, head_elems);
    vs[h] = generate(in[2], c.dtype, head_ids[h] * head_elems, head_elems);
  });
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<Partial> parts(head_ids.size() * row_ids.size());
  parallel_for(parts.size(), opt.threads, [&](std::size_t item) {
    const std::size_t h = item / row_ids.size();
    const std::uint64_t i = row_ids[item % row_ids.size()];
    const std::uint64_t row = head_ids[h] * static_cast<std::uint64_t>(n) + i;
    const auto q = generate(in[0], c.dtype, row * d, static_cast<std::uint64_t>(d));
    std::vector<double> ref(static_cast<std::size_t>(d));
    const int keys = c.causal ? static_cast<int>(i) + 1 : n;
    ref_attention_row(q, ks[h], vs[h], d, keys, scale, ref);
    for (int x = 0; x < d; ++x) parts[item].add(load_elem(out, c.dtype, row * d + x), ref[x]);
  });
  return finish(c, out, parts,
                fmt::format("{}, {} per head", coverage(head_ids.size(), heads, "heads"),
                            coverage(row_ids.size(), static_cast<std::uint64_t>(n), "rows")));
}

CheckResult check_decode(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                         const CheckOptions& opt, std::uint64_t seed) {
  const std::uint64_t heads = static_cast<std::uint64_t>(c.B * c.H);
  const int d = static_cast<int>(c.d);
  const std::uint64_t len = static_cast<std::uint64_t>(c.L);
  const auto head_ids =
      sample_indices(heads, rows_for_budget(opt.mac_budget, 2.0 * len * d, heads), seed ^ 0x53);
  std::vector<Partial> parts(head_ids.size());
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  parallel_for(head_ids.size(), opt.threads, [&](std::size_t item) {
    const std::uint64_t h = head_ids[item];
    const auto q = generate(in[0], c.dtype, h * d, static_cast<std::uint64_t>(d));
    const auto k = generate(in[1], c.dtype, h * len * d, len * d);
    const auto v = generate(in[2], c.dtype, h * len * d, len * d);
    std::vector<double> ref(static_cast<std::size_t>(d));
    ref_attention_row(q, k, v, d, static_cast<int>(len), scale, ref);
    for (int x = 0; x < d; ++x) parts[item].add(load_elem(out, c.dtype, h * d + x), ref[x]);
  });
  return finish(c, out, parts, coverage(head_ids.size(), heads, "heads"));
}

CheckResult check_gemm(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                       const CheckOptions& opt, std::uint64_t seed) {
  const auto m_total = static_cast<std::uint64_t>(c.M);
  const auto nn = static_cast<std::uint64_t>(c.N);
  const auto kk = static_cast<std::uint64_t>(c.K);
  const auto rows = sample_indices(
      m_total, rows_for_budget(opt.mac_budget, double(nn) * kk, m_total), seed ^ 0x54);
  const auto w = generate_all(in[1], c.dtype, opt.threads);
  std::vector<Partial> parts(rows.size());
  parallel_for(rows.size(), opt.threads, [&](std::size_t item) {
    const std::uint64_t m = rows[item];
    const auto a = generate(in[0], c.dtype, m * kk, kk);
    std::vector<double> ref(nn);
    ref_linear_row(a, w, static_cast<int>(nn), 1.0, ref);
    for (std::uint64_t x = 0; x < nn; ++x)
      parts[item].add(load_elem(out, c.dtype, m * nn + x), ref[x]);
  });
  return finish(c, out, parts, coverage(rows.size(), m_total, "rows"));
}

CheckResult check_gemv(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                       const CheckOptions& opt, std::uint64_t seed) {
  const auto nn = static_cast<std::uint64_t>(c.N);
  const auto kk = static_cast<std::uint64_t>(c.K);
  const auto outs =
      sample_indices(nn, rows_for_budget(opt.mac_budget, double(kk), nn), seed ^ 0x55);
  const auto x = generate(in[1], c.dtype, 0, kk);
  std::vector<Partial> parts(outs.size());
  parallel_for(outs.size(), opt.threads, [&](std::size_t item) {
    const std::uint64_t r = outs[item];
    const auto w = generate(in[0], c.dtype, r * kk, kk);
    double ref = 0;
    ref_linear_row(x, w, 1, 1.0, std::span<double>(&ref, 1));
    parts[item].add(load_elem(out, c.dtype, r), ref);
  });
  return finish(c, out, parts, coverage(outs.size(), nn, "outputs"));
}

CheckResult check_rows(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                       const CheckOptions& opt, std::uint64_t seed) {
  const auto rows_total = static_cast<std::uint64_t>(c.rows);
  const auto cols = static_cast<std::uint64_t>(c.cols);
  const auto rows = sample_indices(
      rows_total, rows_for_budget(opt.mac_budget / 4, double(cols), rows_total), seed ^ 0x56);
  std::vector<float> gamma, beta;
  if (c.op == Op::kLayernorm) {
    gamma = generate(in[1], c.dtype, 0, cols);
    beta = generate(in[2], c.dtype, 0, cols);
  }
  std::vector<Partial> parts(rows.size());
  parallel_for(rows.size(), opt.threads, [&](std::size_t item) {
    const std::uint64_t r = rows[item];
    const auto x = generate(in[0], c.dtype, r * cols, cols);
    std::vector<double> ref(cols);
    if (c.op == Op::kSoftmax) {
      std::vector<double> xd(x.begin(), x.end());
      ref_softmax_row(xd, ref);
    } else {
      ref_layernorm_row(x, gamma, beta, 1e-5, ref);
    }
    for (std::uint64_t j = 0; j < cols; ++j)
      parts[item].add(load_elem(out, c.dtype, r * cols + j), ref[j]);
  });
  return finish(c, out, parts, coverage(rows.size(), rows_total, "rows"));
}

// The fp64 reference of element i of an elementwise op (gelu, add) from its inputs.
double ref_elementwise(const Case& c, const std::vector<TensorSpec>& in, std::uint64_t i) {
  if (c.op == Op::kAdd)
    return ref_add(random_value(in[0].random, c.dtype, i), random_value(in[1].random, c.dtype, i));
  return ref_gelu(random_value(in[0].random, c.dtype, i));
}

CheckResult check_elementwise(const Case& c, const std::vector<TensorSpec>& in, const void* out,
                              const CheckOptions& opt, std::uint64_t seed) {
  constexpr std::uint64_t kBlock = 4096;
  const auto n = static_cast<std::uint64_t>(c.n);
  const std::uint64_t blocks = (n + kBlock - 1) / kBlock;
  const auto ids = sample_indices(
      blocks, rows_for_budget(opt.mac_budget / 16, double(kBlock), blocks), seed ^ 0x57);
  std::vector<Partial> parts(ids.size());
  parallel_for(ids.size(), opt.threads, [&](std::size_t item) {
    const std::uint64_t begin = ids[item] * kBlock;
    const std::uint64_t end = std::min(n, begin + kBlock);
    for (std::uint64_t i = begin; i < end; ++i)
      parts[item].add(load_elem(out, c.dtype, i), ref_elementwise(c, in, i));
  });
  return finish(c, out, parts, coverage(ids.size(), blocks, "blocks of 4096"));
}

}  // namespace

float load_elem(const void* data, DType t, std::uint64_t i) {
  switch (t) {
    case DType::kF16:
      return half_bits_to_float(static_cast<const std::uint16_t*>(data)[i]);
    case DType::kBF16:
      return bf16_bits_to_float(static_cast<const std::uint16_t*>(data)[i]);
    case DType::kF32:
      return static_cast<const float*>(data)[i];
  }
  return 0;
}

std::vector<TensorSpec> input_specs(const Case& c, std::uint64_t seed) {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  const auto spec = [&](std::string name, std::uint32_t id, std::uint64_t elems, float scale,
                        float offset = 0.0f) {
    return TensorSpec{std::move(name), RandomSpec{seed, id, scale, offset}, elems};
  };
  const std::uint64_t bh = u(c.B) * u(c.H);
  switch (c.op) {
    case Op::kSdpa: {
      const std::uint64_t e = bh * u(c.N) * u(c.d);
      return {spec("Q", 0, e, 1), spec("K", 1, e, 1), spec("V", 2, e, 1)};
    }
    case Op::kDecode: {
      const std::uint64_t e = bh * u(c.L) * u(c.d);
      return {spec("q", 0, bh * u(c.d), 1), spec("K", 1, e, 1), spec("V", 2, e, 1)};
    }
    case Op::kGemm:
      return {spec("A", 0, u(c.M) * u(c.K), 1), spec("W", 1, u(c.N) * u(c.K), 1)};
    case Op::kGemv:
      return {spec("W", 0, u(c.N) * u(c.K), 1), spec("x", 1, u(c.K), 1)};
    // Scores spread over [-8, 8) so that the max subtraction matters (exp(8) vs exp(-8)).
    case Op::kSoftmax:
      return {spec("x", 0, u(c.rows) * u(c.cols), 8)};
    case Op::kLayernorm:
      return {spec("x", 0, u(c.rows) * u(c.cols), 2, 0.25f), spec("gamma", 1, u(c.cols), 0.5f, 1),
              spec("beta", 2, u(c.cols), 0.5f)};
    case Op::kGelu:
      return {spec("x", 0, u(c.n), 4)};
    case Op::kAdd:
      return {spec("a", 0, u(c.n), 4), spec("b", 1, u(c.n), 4)};
    case Op::kChase:
    case Op::kBandwidth:
      return {};
  }
  return {};
}

CheckResult check_output(const Case& c, std::uint64_t seed, const void* out,
                         const CheckOptions& opt) {
  const auto in = input_specs(c, seed);
  switch (c.op) {
    case Op::kSdpa:
      return check_sdpa(c, in, out, opt, seed);
    case Op::kDecode:
      return check_decode(c, in, out, opt, seed);
    case Op::kGemm:
      return check_gemm(c, in, out, opt, seed);
    case Op::kGemv:
      return check_gemv(c, in, out, opt, seed);
    case Op::kSoftmax:
    case Op::kLayernorm:
      return check_rows(c, in, out, opt, seed);
    case Op::kGelu:
    case Op::kAdd:
      return check_elementwise(c, in, out, opt, seed);
    case Op::kChase:
    case Op::kBandwidth:
      break;
  }
  throw std::logic_error("check_output: use check_exact for microbenchmarks");
}

CheckResult check_exact(std::uint64_t got, std::uint64_t want, const std::string& what) {
  CheckResult r;
  r.pass = got == want;
  r.compared = 1;
  r.total = 1;
  r.detail = r.pass ? fmt::format("{} matches the host reference ({})", what, want)
                    : fmt::format("{} is {} but the host reference says {}", what, got, want);
  return r;
}

std::vector<std::uint32_t> random_cycle(std::uint32_t n, std::uint64_t seed) {
  std::vector<std::uint32_t> perm(n);
  for (std::uint32_t i = 0; i < n; ++i) perm[i] = i;
  // Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) of the visiting order.
  std::uint64_t state = seed;
  for (std::uint32_t i = n - 1; i > 0; --i) {
    state = mix64(state + 0x9E3779B97F4A7C15ull);
    const auto j = static_cast<std::uint32_t>(state % (static_cast<std::uint64_t>(i) + 1));
    std::swap(perm[i], perm[j]);
  }
  // perm is a cyclic order of visits; next[perm[k]] = perm[k+1].
  std::vector<std::uint32_t> next(n);
  for (std::uint32_t k = 0; k < n; ++k) next[perm[k]] = perm[(k + 1) % n];
  return next;
}

int decode_splits(const Case& c, int ctas_wanted) {
  if (c.splits > 0) return static_cast<int>(std::min<std::int64_t>(c.splits, c.L));
  const std::int64_t heads = c.B * c.H;
  const std::int64_t by_occupancy = (ctas_wanted + heads - 1) / heads;
  const std::int64_t by_length = std::max<std::int64_t>(1, c.L / 256);
  return static_cast<int>(std::clamp<std::int64_t>(std::min(by_occupancy, by_length), 1, 4096));
}

}  // namespace accsim::ref
