#pragma once
// The study list: which kernels run at which shapes.
//
// Format (reference/shapes.txt), one case per line, '#' starts a comment:
//   <op> key=value key=value ...
// A value with commas ("N=128,256,512") expands into one case per value; several such keys
// expand into their cartesian product, in the order written. Integers take the binary suffixes
// K, M, G (L=128K is 131072). See reference/README.md for the keys of each op.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reference/host/dtype.h"

namespace accsim::ref {

// Any error about an input (study list, command line); the message names the file, line and
// column where they are known.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Op : std::uint8_t {
  kSdpa,       // prefill attention, impl flash | naive
  kDecode,     // one query token against a KV cache, split-KV
  kGemm,       // Y = X W^T
  kGemv,       // y = W x
  kSoftmax,    // row softmax
  kLayernorm,  // row layer normalisation
  kGelu,       // elementwise GELU
  kAdd,        // elementwise y = a + b (residual addition)
  kChase,      // pointer-chase latency, impl ca | cg
  kBandwidth,  // read bandwidth, impl ca | cg
};

std::string_view op_name(Op op);
// The op-trace kind ("sdpa", "gemm", ... "elementwise" for the microbenchmarks' fills).
std::string_view op_trace_kind(Op op);

struct Case {
  Op op = Op::kSdpa;
  std::string impl;  // sdpa: flash|naive; chase/bandwidth: ca|cg; otherwise empty
  DType dtype = DType::kF16;
  // Shape parameters; which ones apply depends on the op (see shapes.txt).
  std::int64_t B = 1, H = 1, N = 0, d = 0, L = 0, M = 0, K = 0, rows = 0, cols = 0, n = 0;
  std::int64_t bytes = 0, stride = 128, steps = 4096;
  std::int64_t splits = 0;  // decode: 0 = chosen from the SM count
  bool causal = false;
  std::vector<std::string> tags;  // "capture" marks the shapes whose traces are captured
  std::uint32_t sample = 1;       // capture only CTAs whose linear id % sample == 0
  std::string source;             // "file:line" it came from, for messages

  bool has_tag(std::string_view t) const;
  // Stable, file-name-safe identifier, e.g. "sdpa-flash_B4_H16_N1024_d64_f16".
  std::string id() const;
  // The shape as JSON object members, e.g. {"B":4,"H":16,"N":1024,"d":64}.
  std::string shapes_json() const;
  // Useful floating-point operations (multiply-add = 2) of the op as a user counts them; 0 for
  // ops that are not arithmetic (microbenchmarks).
  double flops() const;
  // Fewest device-memory bytes: each input read once, each output written once.
  double min_bytes() const;
  // Elements of the output, and how many of its "rows" (independent fp64 reference units).
  std::uint64_t output_elems() const;
};

// Parses one case line (without expansion of comma lists when `expand` is false this throws on a
// list). `where` is prefixed to every error ("shapes.txt:12").
std::vector<Case> parse_case_line(std::string_view line, const std::string& where);

// Reads a study-list file; errors name file:line:column.
std::vector<Case> load_cases(const std::string& path);

// Checks the constraints the kernels impose (head size 64/128, N a multiple of 128, ...); throws
// InputError naming `c.source`.
void validate_case(const Case& c);

// Parses "123", "16K", "2M", "1G" (binary multiples); nullopt on anything else.
bool parse_size(std::string_view s, std::int64_t& out);

}  // namespace accsim::ref
