#pragma once
// fp64 host references, one output row at a time.
//
// Every kernel's check compares its output with these on fresh random inputs. They work row by
// row so that a check at a large shape can verify a sample of rows exactly (and every element for
// "was it written at all") without an O(N^2 d) host computation per head.
#include <cstdint>
#include <span>
#include <vector>

namespace accsim::ref {

// y[n] = alpha * sum_k x[k] * W[n*K + k]   (one row of X * W^T; W is [N, K] row-major).
void ref_linear_row(std::span<const float> x, std::span<const float> w, int n_out, double alpha,
                    std::span<double> y);

// y[n] = alpha * sum_k x[k] * B[k*N + n]   (one row of X * B; B is [K, N] row-major).
void ref_matmul_row(std::span<const float> x, std::span<const float> b, int n_out, double alpha,
                    std::span<double> y);

// Softmax of one row; entries equal to -inf get probability 0 (a causal mask).
void ref_softmax_row(std::span<const double> in, std::span<double> out);

// Layer normalisation of one row with the biased variance, as torch.nn.LayerNorm.
void ref_layernorm_row(std::span<const float> x, std::span<const float> gamma,
                       std::span<const float> beta, double eps, std::span<double> out);

// GELU, tanh approximation (Hendrycks & Gimpel 2016, eq. for "GELU(x) ~ 0.5x(1 + tanh(...))"),
// the form GPT-2 and GPT-3 use.
double ref_gelu(double x);

// Elementwise addition, a transformer block's residual connection (Vaswani et al. 2017, sec. 3.1:
// LayerNorm(x + Sublayer(x)); GPT-2 adds before its next layer norm, Radford et al. 2019).
double ref_add(double a, double b);

// One query row of attention: out = softmax(scale * q K^T) V over keys [0, n_keys), where K and V
// are [n, d] row-major and only the first n_keys rows take part (a causal row passes i + 1).
void ref_attention_row(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                       int d, int n_keys, double scale, std::span<double> out);

// The node a pointer chase reaches after `steps` hops from `start` (next[] holds node indices).
std::uint64_t ref_chase(std::span<const std::uint32_t> next, std::uint64_t start,
                        std::uint64_t steps);

// Wrapping 32-bit sum of random_word(seed, i) for i in [0, words), times `passes`.
std::uint32_t ref_word_sum(std::uint64_t seed, std::uint64_t words, std::uint64_t passes);

}  // namespace accsim::ref
