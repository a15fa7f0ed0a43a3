#include "reference/host/reference.h"

#include <cmath>
#include <limits>

#include "reference/host/random.h"

namespace accsim::ref {

void ref_linear_row(std::span<const float> x, std::span<const float> w, int n_out, double alpha,
                    std::span<double> y) {
  const std::size_t k = x.size();
  for (int n = 0; n < n_out; ++n) {
    const float* wr = w.data() + static_cast<std::size_t>(n) * k;
    double acc = 0;
    for (std::size_t i = 0; i < k; ++i) acc += static_cast<double>(x[i]) * wr[i];
    y[n] = alpha * acc;
  }
}

void ref_matmul_row(std::span<const float> x, std::span<const float> b, int n_out, double alpha,
                    std::span<double> y) {
  for (int n = 0; n < n_out; ++n) y[n] = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const float* br = b.data() + i * static_cast<std::size_t>(n_out);
    for (int n = 0; n < n_out; ++n) y[n] += xi * br[n];
  }
  for (int n = 0; n < n_out; ++n) y[n] *= alpha;
}

void ref_softmax_row(std::span<const double> in, std::span<double> out) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : in) m = std::max(m, v);
  if (std::isinf(m) && m < 0) {
    for (double& o : out) o = 0;
    return;
  }
  double s = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    out[i] = std::exp(in[i] - m);  // exp(-inf) == 0 for masked entries
    s += out[i];
  }
  for (double& o : out) o /= s;
}

void ref_layernorm_row(std::span<const float> x, std::span<const float> gamma,
                       std::span<const float> beta, double eps, std::span<double> out) {
  double mean = 0;
  for (float v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0;
  for (float v : x) var += (v - mean) * (v - mean);
  var /= static_cast<double>(x.size());
  const double inv = 1.0 / std::sqrt(var + eps);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = (x[i] - mean) * inv * gamma[i] + beta[i];
}

double ref_gelu(double x) {
  // sqrt(2/pi) and 0.044715 from Hendrycks & Gimpel, "Gaussian Error Linear Units", sec. 2.
  constexpr double kSqrt2OverPi = 0.79788456080286535588;
  return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
}

double ref_add(double a, double b) {
  return a + b;
}

void ref_attention_row(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                       int d, int n_keys, double scale, std::span<double> out) {
  std::vector<double> s(static_cast<std::size_t>(n_keys));
  for (int j = 0; j < n_keys; ++j) {
    const float* kr = k.data() + static_cast<std::size_t>(j) * d;
    double acc = 0;
    for (int c = 0; c < d; ++c) acc += static_cast<double>(q[c]) * kr[c];
    s[j] = acc * scale;
  }
  std::vector<double> p(s.size());
  ref_softmax_row(s, p);
  for (int c = 0; c < d; ++c) out[c] = 0;
  for (int j = 0; j < n_keys; ++j) {
    const float* vr = v.data() + static_cast<std::size_t>(j) * d;
    for (int c = 0; c < d; ++c) out[c] += p[j] * vr[c];
  }
}

std::uint64_t ref_chase(std::span<const std::uint32_t> next, std::uint64_t start,
                        std::uint64_t steps) {
  std::uint64_t i = start;
  for (std::uint64_t s = 0; s < steps; ++s) i = next[i];
  return i;
}

std::uint32_t ref_word_sum(std::uint64_t seed, std::uint64_t words, std::uint64_t passes) {
  std::uint32_t s = 0;
  for (std::uint64_t i = 0; i < words; ++i) s += random_word(seed, i);
  return static_cast<std::uint32_t>(s * passes);
}

}  // namespace accsim::ref
