#pragma once
// Small builders for generator -> unit -> checker tests.
#include <memory>
#include <string>
#include <vector>

#include "models/dataflow/dataflow.h"

namespace accsim::dataflow::testing {

inline hw::DataflowSpec test_spec() {
  return hw::dataflow_preset("default");
}

inline ChannelParams chan(int width, std::uint32_t capacity = 16, Cycle latency = 1,
                          Cycle credit = 0) {
  ChannelParams p;
  p.width = width;
  p.capacity = capacity;
  p.latency = latency;
  p.credit_latency = credit;
  return p;
}

// A source emitting `values` in elements of `width` (values.size() must be a multiple).
inline std::unique_ptr<Unit> vector_source(const std::string& name, std::vector<float> values,
                                           int width, int ii = 1) {
  auto shared = std::make_shared<std::vector<float>>(std::move(values));
  const std::uint64_t n = shared->size() / static_cast<std::size_t>(width);
  return make_source(
      name, n, width,
      [shared, width](std::uint64_t i, float* out) {
        for (int k = 0; k < width; ++k)
          out[k] = (*shared)[i * static_cast<std::uint64_t>(width) + static_cast<std::uint64_t>(k)];
      },
      ii);
}

inline UnitParams params(const std::string& name, UnitKind kind, Op op = Op::kCopy,
                         std::int64_t length = 1) {
  UnitParams p;
  p.name = name;
  p.kind = kind;
  p.op = op;
  p.length = length;
  return p;
}

}  // namespace accsim::dataflow::testing
