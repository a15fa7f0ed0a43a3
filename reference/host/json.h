#pragma once
// Hand-formatted JSON output (reference/ builds without a JSON library on the GPU machine).
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

namespace accsim::ref {

// A JSON string literal, quotes included.
inline std::string json_str(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += ch;
    }
  }
  return out + "\"";
}

// A JSON number; NaN and infinities (which JSON lacks) become null.
inline std::string json_num(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{}", v);
}

}  // namespace accsim::ref
