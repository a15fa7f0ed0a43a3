#pragma once
// Counter-based random inputs: element i of a tensor is a pure function of (seed, tensor, i).
//
// The GPU fills its buffers with these values and the fp64 references regenerate any element
// they need on the host, so a check at N = 8192 needs neither a host copy of every input nor a
// transfer back. The float arithmetic below is exact (24-bit integers times powers of two), so
// host and device produce identical bits.
#include <cstdint>

#include "reference/host/dtype.h"
#include "reference/host/hd.h"

namespace accsim::ref {

// splitmix64 finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014): a bijection on 64 bits with good avalanche.
ACCSIM_HD std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct RandomSpec {
  std::uint64_t seed = 1;
  std::uint32_t tensor = 0;  // distinguishes the tensors of one op
  // Values are uniform on [-scale, scale) with 24-bit resolution; scale must be a power of two
  // so that the scaling stays exact.
  float scale = 1.0f;
  float offset = 0.0f;  // added after scaling; keep it a small power of two or zero
};

// Uniform on [-1, 1) with 24 bits, exact in float.
ACCSIM_HD float unit_value(std::uint64_t seed, std::uint32_t tensor, std::uint64_t i) {
  const std::uint64_t h =
      mix64(seed * 0x9E3779B97F4A7C15ull + (static_cast<std::uint64_t>(tensor) << 48) + i);
  const float u = static_cast<float>(static_cast<std::uint32_t>(h >> 40)) * (1.0f / 16777216.0f);
  return u * 2.0f - 1.0f;
}

// The value element i holds after rounding to the storage type.
ACCSIM_HD float random_value(const RandomSpec& s, DType t, std::uint64_t i) {
  return round_to(t, unit_value(s.seed, s.tensor, i) * s.scale + s.offset);
}

// 32-bit integer data for the bandwidth microbenchmark (checked by an exact wrapping sum).
ACCSIM_HD std::uint32_t random_word(std::uint64_t seed, std::uint64_t i) {
  return static_cast<std::uint32_t>(mix64(seed ^ (i * 0xD1B54A32D192ED03ull)) >> 16);
}

}  // namespace accsim::ref
