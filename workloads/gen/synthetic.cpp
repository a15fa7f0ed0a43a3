#include "workloads/gen/synthetic.h"

#include <fmt/format.h>

#include <utility>

#include "sim/core/error.h"

namespace accsim::workloads {
namespace {

SourceLoc builtin(const char* what) {
  return SourceLoc{std::string("<builtin:") + what + ">"};
}

void check_common(const char* what, std::uint32_t size, double read_fraction) {
  if (size == 0) throw config_error(builtin(what), "request size must be positive");
  if (!(read_fraction >= 0.0 && read_fraction <= 1.0))
    throw config_error(builtin(what),
                       fmt::format("read fraction {} is outside [0, 1]", read_fraction));
}

// Bernoulli draw that is exact at 0 and 1 (no RNG call needed, but we draw anyway so the
// stream of addresses does not depend on the read fraction).
bool draw_read(std::mt19937_64& rng, double read_fraction) {
  std::uint64_t r = rng();
  if (read_fraction >= 1.0) return true;
  if (read_fraction <= 0.0) return false;
  // 53 random bits -> [0, 1)
  double u = static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0);
  return u < read_fraction;
}

// Unbiased draw in [0, n) by rejection. Written out rather than std::uniform_int_distribution,
// whose algorithm differs between standard libraries: streams must be identical everywhere.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    std::uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

}  // namespace

SequentialSource::SequentialSource(const SequentialParams& p) : p_(p), rng_(p.seed) {
  check_common("sequential", p.size, p.read_fraction);
}

bool SequentialSource::next(MemRequest& out) {
  if (i_ >= p_.count) return false;
  out = MemRequest{};
  out.id = i_;
  out.addr = p_.start + static_cast<std::uint64_t>(p_.stride) * i_;
  out.size = p_.size;
  out.is_write = !draw_read(rng_, p_.read_fraction);
  out.not_before_ps = p_.interval_ps * static_cast<std::int64_t>(i_);
  ++i_;
  return true;
}

std::string SequentialSource::describe() const {
  return fmt::format("sequential(start=0x{:x}, stride={}, count={}, size={}, reads={})", p_.start,
                     p_.stride, p_.count, p_.size, p_.read_fraction);
}

UniformRandomSource::UniformRandomSource(const UniformRandomParams& p) : p_(p), rng_(p.seed) {
  check_common("uniform_random", p.size, p.read_fraction);
  if (p.align == 0 || (p.align & (p.align - 1)) != 0)
    throw config_error(builtin("uniform_random"),
                       fmt::format("alignment {} is not a power of two", p.align));
  if (p.range < p.align)
    throw config_error(builtin("uniform_random"),
                       fmt::format("range {} is smaller than the alignment {}", p.range, p.align));
  slots_ = p.range / p.align;
}

bool UniformRandomSource::next(MemRequest& out) {
  if (i_ >= p_.count) return false;
  out = MemRequest{};
  out.id = i_;
  out.addr = p_.base + uniform_below(rng_, slots_) * p_.align;
  out.size = p_.size;
  out.is_write = !draw_read(rng_, p_.read_fraction);
  out.not_before_ps = p_.interval_ps * static_cast<std::int64_t>(i_);
  ++i_;
  return true;
}

std::string UniformRandomSource::describe() const {
  return fmt::format("uniform_random(base=0x{:x}, range={}, count={}, size={}, reads={}, seed={})",
                     p_.base, p_.range, p_.count, p_.size, p_.read_fraction, p_.seed);
}

VectorSource::VectorSource(std::vector<MemRequest> reqs, std::string name)
    : reqs_(std::move(reqs)), name_(std::move(name)) {
  for (std::size_t i = 0; i < reqs_.size(); ++i) reqs_[i].id = i;
}

bool VectorSource::next(MemRequest& out) {
  if (i_ >= reqs_.size()) return false;
  out = reqs_[i_++];
  return true;
}

std::string VectorSource::describe() const {
  return fmt::format("{}({} requests)", name_, reqs_.size());
}

}  // namespace accsim::workloads
