#pragma once
// Host-side interface of the reference kernels: plain C++ (compiled by the host compiler too),
// device pointers as void*, one launcher per kernel family.
//
// Every launcher takes an optional CaptureSink. Without one it launches the timing build of the
// kernel (plain global loads and stores); with one, the capture build, whose loads and stores
// also append 32-byte-sector records to the sink (kernels/mem.cuh).
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reference/host/dtype.h"
#include "reference/host/launch_info.h"
#include "reference/host/random.h"

namespace accsim::ref {

// Device memory the capture build writes to; all pointers are device pointers. The record array
// has the 32-byte layout of accsim::workloads::AccessRecord.
struct CaptureSink {
  void* records = nullptr;
  unsigned long long* cursor = nullptr;  // records claimed so far (may exceed capacity)
  unsigned long long capacity = 0;
  unsigned int* overflow = nullptr;  // set to 1 when a record did not fit
  unsigned int sample = 1;           // record only CTAs whose linear id % sample == 0
  unsigned short kernel = 0;         // the record's kernel field (index in the trace metadata)
};

// Fills n elements of type t with random_value(spec, t, i) (host/random.h).
void fill_random(void* dst, DType t, std::uint64_t n, const RandomSpec& spec, cudaStream_t s);
// Fills n 32-bit words with random_word(seed, i).
void fill_words(std::uint32_t* dst, std::uint64_t n, std::uint64_t seed, cudaStream_t s);

// C[b] = alpha * A[b] * op(B[b]) with fp32 accumulation on tensor cores (mma.sync m16n8k16).
// A is [M, K] row-major; B is [N, K] (b_nk, "X W^T") or [K, N] row-major; C is [M, N] in the
// same dtype. causal: C[m][n] = -inf where n > m (the score matrix of causal attention).
struct GemmArgs {
  DType dtype = DType::kF16;
  int M = 0, N = 0, K = 0, batch = 1;
  const void* A = nullptr;
  const void* B = nullptr;
  void* C = nullptr;
  bool b_nk = true;
  float alpha = 1.0f;
  bool causal = false;
};
LaunchInfo launch_gemm(const GemmArgs& a, cudaStream_t s, const CaptureSink* cap);

// FlashAttention-2-style fused forward: O = softmax(Q K^T / sqrt(d)) V per (batch, head), all
// tensors [B*H, N, d]. N must be a multiple of 128, d 64 or 128.
struct FlashArgs {
  DType dtype = DType::kF16;
  int BH = 1, N = 0, d = 64;
  bool causal = false;
  const void* Q = nullptr;
  const void* K = nullptr;
  const void* V = nullptr;
  void* O = nullptr;
};
LaunchInfo launch_flash_fwd(const FlashArgs& a, cudaStream_t s, const CaptureSink* cap);

// Split-KV decode attention (flash-decoding): q [B*H, d], K and V [B*H, L, d], out [B*H, d].
// The first kernel writes per-split partial results (fp32, unnormalised, with their running max
// and sum) to `workspace`; the second combines them. workspace must hold
// plan::decode_workspace_bytes(BH, splits, d) (host/launch_plan.h).
struct DecodeArgs {
  DType dtype = DType::kF16;
  int BH = 1, L = 0, d = 64, splits = 1;
  const void* q = nullptr;
  const void* K = nullptr;
  const void* V = nullptr;
  void* out = nullptr;
  void* workspace = nullptr;
};
// which = 0 launches the split kernel, which = 1 the combine kernel (run them in that order).
LaunchInfo launch_decode(int which, const DecodeArgs& a, cudaStream_t s, const CaptureSink* cap);

// y[n] = sum_k W[n, k] x[k], fp32 accumulation; W [N, K] row-major, K a multiple of 8.
LaunchInfo launch_gemv(DType t, int N, int K, const void* W, const void* x, void* y, cudaStream_t s,
                       const CaptureSink* cap);

// Row softmax of x [rows, cols] into y (may alias x). Entries equal to -inf get 0.
LaunchInfo launch_softmax(DType t, std::int64_t rows, std::int64_t cols, const void* x, void* y,
                          cudaStream_t s, const CaptureSink* cap);

// Row layer norm: y = (x - mean) / sqrt(var + eps) * gamma + beta (biased variance).
LaunchInfo launch_layernorm(DType t, std::int64_t rows, std::int64_t cols, const void* x,
                            const void* gamma, const void* beta, float eps, void* y, cudaStream_t s,
                            const CaptureSink* cap);

// Elementwise GELU (tanh approximation).
LaunchInfo launch_gelu(DType t, std::int64_t n, const void* x, void* y, cudaStream_t s,
                       const CaptureSink* cap);

// Elementwise y = a + b (residual additions), fp32 arithmetic; y may alias a or b.
LaunchInfo launch_add(DType t, std::int64_t n, const void* a, const void* b, void* y,
                      cudaStream_t s, const CaptureSink* cap);

// Pointer chase: writes node[i] = base + next[i] * stride (one 8-byte pointer per node).
void build_chase(void* base, const std::uint32_t* next_dev, std::uint64_t nodes,
                 std::uint64_t stride, cudaStream_t s);
// One thread follows `warm` then `steps` pointers from `base` with ld.global.ca (cg = false) or
// ld.global.cg (cg = true) loads. result[0] = final pointer, result[1] = clock64 cycles spent in
// the timed steps, result[2] = %globaltimer ns spent in them.
LaunchInfo launch_chase(const void* base, std::uint64_t warm, std::uint64_t steps, bool cg,
                        unsigned long long* result, cudaStream_t s, const CaptureSink* cap);

// Read sweep: the whole grid reads `words` 32-bit words `passes` times with 16-byte loads
// (ca or cg) and writes one wrapping sum per thread to partial[grid * block].
struct BandwidthLaunch {
  unsigned grid = 0, block = 0;
};
BandwidthLaunch bandwidth_shape(int sm_count);
LaunchInfo launch_bandwidth(const std::uint32_t* data, std::uint64_t words, std::uint64_t passes,
                            bool cg, std::uint32_t* partial, const BandwidthLaunch& shape,
                            cudaStream_t s, const CaptureSink* cap);

// Spins for about `ns` nanoseconds and reports clock64 cycles and %globaltimer ns elapsed, so
// the harness can state the SM clock the measurements ran at. out[0] = cycles, out[1] = ns.
void launch_clock_probe(std::uint64_t ns, unsigned long long* out, cudaStream_t s);

}  // namespace accsim::ref
