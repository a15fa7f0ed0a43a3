#pragma once
// Correctness checks: each kernel's output against the fp64 references on fresh random inputs.
//
// The inputs are counter-based (random.h): the GPU fills them and the checks regenerate the
// elements they need. Outputs are poisoned with NaN before the kernel runs, so every element is
// tested for "written and finite"; the fp64 comparison covers every output row when the
// reference work fits the budget and an even sample of rows (always the first and the last, so
// edge tiles are covered) when it does not.
#include <cstdint>
#include <string>
#include <vector>

#include "reference/host/cases.h"
#include "reference/host/random.h"

namespace accsim::ref {

struct TensorSpec {
  std::string name;
  RandomSpec random;
  std::uint64_t elems = 0;
};

// The random inputs of a case, in kernel-argument order. Empty for the microbenchmarks.
std::vector<TensorSpec> input_specs(const Case& c, std::uint64_t seed);

struct CheckOptions {
  // fp64 multiply-adds one check may spend; beyond it rows are sampled.
  double mac_budget = 4e8;
  unsigned threads = 0;  // 0 = hardware concurrency
};

struct CheckResult {
  bool pass = false;
  double rel_l2 = 0;       // ||out - ref|| / ||ref|| over the compared elements
  double max_err_rel = 0;  // max |out - ref| / rms(ref): catches a few wrong elements
  double tol = 0;
  std::uint64_t compared = 0;   // elements compared with fp64
  std::uint64_t total = 0;      // output elements (all tested for NaN)
  std::uint64_t nonfinite = 0;  // poisoned (unwritten) or overflowed elements
  std::int64_t first_nonfinite = -1;
  std::string detail;  // one line a person can read
};

// Bound on max_err_rel, as a multiple of the relative-L2 tolerance.
inline constexpr double kMaxErrFactor = 30.0;

// Compares `out` (the whole output tensor, in c.dtype, as copied from the device) with the fp64
// reference of case `c` on the inputs generated from `seed`.
CheckResult check_output(const Case& c, std::uint64_t seed, const void* out,
                         const CheckOptions& opt = {});

// Exact checks of the microbenchmarks (final node of a pointer chase, checksum of a read sweep).
CheckResult check_exact(std::uint64_t got, std::uint64_t want, const std::string& what);

// next[] of a pointer chase: a uniformly random visiting order of n nodes linked into one cycle,
// so that a chase from any node visits every node before it repeats and no stride is regular.
std::vector<std::uint32_t> random_cycle(std::uint32_t n, std::uint64_t seed);

// The splits the decode kernel uses: c.splits when set, otherwise enough CTAs for about
// `ctas_wanted` in flight, keeping at least 256 keys per split.
int decode_splits(const Case& c, int ctas_wanted);

// Reads element i of a tensor of type t as float.
float load_elem(const void* data, DType t, std::uint64_t i);

}  // namespace accsim::ref
