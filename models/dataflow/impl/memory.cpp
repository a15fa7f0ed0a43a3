// Tensors (the values) and the ideal memory port (the timing).
#include <algorithm>
#include <cmath>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"
#include "sim/core/random.h"

namespace accsim::dataflow {

Tensor& TensorStore::add(const std::string& name, std::int64_t blocks, std::int64_t rows,
                         std::int64_t cols) {
  if (find(name)) throw Error(ExitCode::kInternal, "tensor '" + name + "' defined twice");
  if (blocks < 1 || rows < 1 || cols < 1)
    throw Error(ExitCode::kInternal, "tensor '" + name + "' has an empty shape");
  auto t = std::make_unique<Tensor>();
  t->name = name;
  t->blocks = blocks;
  t->rows = rows;
  t->cols = cols;
  t->base_addr = next_addr_;
  t->data.assign(static_cast<std::size_t>(blocks * rows * cols), 0.0f);
  next_addr_ += (t->bytes() + 4095) / 4096 * 4096;
  tensors_.push_back(std::move(t));
  return *tensors_.back();
}

Tensor* TensorStore::find(const std::string& name) {
  for (auto& t : tensors_)
    if (t->name == name) return t.get();
  return nullptr;
}

Tensor& TensorStore::get(const std::string& name) {
  Tensor* t = find(name);
  if (!t) throw Error(ExitCode::kInternal, "no tensor '" + name + "'");
  return *t;
}

void fill_uniform(Tensor& t, std::uint64_t seed, float lo, float hi) {
  SplitMix64 rng{seed};
  for (float& x : t.data) {
    const std::uint64_t z = rng.next();
    double u = static_cast<double>(z >> 40) * 0x1.0p-24;  // [0, 1), 24 bits: exact in fp32
    x = lo + static_cast<float>(u) * (hi - lo);
  }
}

IdealMemoryPort::IdealMemoryPort(double bytes_per_cycle, int latency)
    : bytes_per_cycle_(bytes_per_cycle), latency_(latency) {
  if (!(bytes_per_cycle_ > 0) || latency_ < 1)
    throw Error(ExitCode::kInternal, "ideal memory port needs bandwidth > 0 and latency >= 1");
}

Cycle IdealMemoryPort::access(std::uint32_t bytes, Cycle issue) {
  double start = std::max(static_cast<double>(issue), busy_until_);
  busy_until_ = start + static_cast<double>(bytes) / bytes_per_cycle_;
  // The transfer ends during cycle ceil(end) - 1; the data is there `latency` cycles after the
  // cycle in which it ends, so an uncontended one-cycle request issued at t arrives at t+latency.
  Cycle done = static_cast<Cycle>(std::ceil(busy_until_)) - 1 + latency_;
  done = std::max(done, issue + latency_);
  stats_.last_done = std::max(stats_.last_done, done);
  return done;
}

Cycle IdealMemoryPort::read(std::uint64_t, std::uint32_t bytes, Cycle issue) {
  stats_.reads++;
  stats_.bytes_read += bytes;
  return access(bytes, issue);
}

Cycle IdealMemoryPort::write(std::uint64_t, std::uint32_t bytes, Cycle issue) {
  stats_.writes++;
  stats_.bytes_written += bytes;
  return access(bytes, issue);
}

}  // namespace accsim::dataflow
