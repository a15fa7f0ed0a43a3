#pragma once
// Storage types of the reference kernels and the tolerances their checks use.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "reference/host/half.h"

namespace accsim::ref {

enum class DType : std::uint8_t { kF16, kBF16, kF32 };

inline constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::kF16:
      return "f16";
    case DType::kBF16:
      return "bf16";
    case DType::kF32:
      return "f32";
  }
  return "?";
}

inline std::optional<DType> parse_dtype(std::string_view s) {
  if (s == "f16" || s == "fp16" || s == "half") return DType::kF16;
  if (s == "bf16") return DType::kBF16;
  if (s == "f32" || s == "fp32" || s == "float") return DType::kF32;
  return std::nullopt;
}

inline constexpr std::size_t dtype_bytes(DType t) {
  return t == DType::kF32 ? 4 : 2;
}

// Relative-L2 tolerance of a check against the fp64 reference. The kernels accumulate in fp32,
// so the error is dominated by rounding the output (and, in attention, the probabilities) to
// the storage type: unit roundoff 2^-11 for f16 and 2^-8 for bf16 gives typical relative errors
// of 1e-4 and 1e-3. The limits leave about a decade of margin and stay within the usual bands
// for such checks (fp32 far under 1e-3, bf16 operands 1e-3 to 1e-2).
inline constexpr double dtype_tolerance(DType t) {
  switch (t) {
    case DType::kF16:
      return 3e-3;
    case DType::kBF16:
      return 1.5e-2;
    case DType::kF32:
      return 1e-5;
  }
  return 0;
}

// Rounds a float to the storage type and back, as the kernels see it.
ACCSIM_HD float round_to(DType t, float v) {
  switch (t) {
    case DType::kF16:
      return half_bits_to_float(float_to_half_bits(v));
    case DType::kBF16:
      return bf16_bits_to_float(float_to_bf16_bits(v));
    case DType::kF32:
      return v;
  }
  return v;
}

}  // namespace accsim::ref
