#pragma once
// Internal to workloads/gen (kernel_access.cpp is its only user): the reference kernels' tiling
// as one program per warp, in the one copy both the streaming source and the sink-based
// generator run (kernel_access.h).
//
// A warp program is a C++20 coroutine: it appends the records of one program point (one loop
// trip of the kernel, or its prologue / epilogue) to the buffer its WarpOut points at, then
// suspends; resuming it produces the next program point. So a warp holds nothing but its loop
// counters between points, whatever the kernel's length.
#include <array>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "workloads/gen/kernel_access.h"
#include "workloads/trace/kernel_mix.h"

namespace accsim::workloads::detail {

using Dim3 = std::array<std::uint32_t, 3>;

// --- launch configuration: mirrors reference/kernels/*.cu host launchers ----------------------
// (the rest of it, grid, block and shared memory, is each kernel plan's: kernel_tiling.cpp)

inline std::uint64_t cdiv(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}
// gelu_kernel and add_kernel (rowwise.cu grid_stride_ctas): enough CTAs of 256 threads for 8 per
// SM (2048 threads), fewer when the tensor is small.
std::uint32_t grid_stride_grid(std::uint64_t n, std::uint64_t es, std::uint32_t sms);
// host/checks.cpp decode_splits(): about 8 CTAs of 4 warps per SM, at least 256 keys each.
std::uint64_t decode_splits(std::uint64_t heads, std::uint64_t L, std::uint64_t sms,
                            std::optional<std::uint64_t> given);

// --- one warp's output ----------------------------------------------------------------------

// What a warp program writes to: memory records (one per distinct 32-byte sector of the active
// lanes of one access instruction, in the order of the lowest lane of each sector: the capture's
// slot order) and, when the instruction mix is on, the compute / commit / wait / barrier records
// the capture build writes at the same points (reference/kernels/mem.cuh).
class WarpOut {
 public:
  WarpOut(std::uint32_t cta, std::uint32_t warp, std::uint16_t kernel, bool mix);
  void set_dst(std::vector<AccessRecord>* dst) { dst_ = dst; }

  void lane(std::uint64_t addr);  // one active lane's byte address for the next access
  void load() { issue(RecordKind::kLoad, 0); }
  // cp.async.cg: L2 only, into shared memory (format version 2; a memory-only trace keeps bit 0).
  void load_cg() { issue(RecordKind::kLoad, mix_ ? kFlagL1Bypass | kFlagToShared : kFlagL1Bypass); }
  void store() { issue(RecordKind::kStore, 0); }

  void mix(const mix::Body& body);  // one compute record per item
  void commit();
  void wait(std::uint32_t groups);
  void barrier();

 private:
  void issue(RecordKind kind, std::uint8_t flags);
  void put(RecordKind kind, std::uint64_t address, std::uint32_t size, std::uint8_t flags);

  std::vector<AccessRecord>* dst_ = nullptr;
  AccessRecord rec_;
  bool mix_;
  std::array<std::uint64_t, 32> lanes_{};
  int n_ = 0;
};

// --- the coroutine type -----------------------------------------------------------------------

// `co_yield kPointEnd;` ends a program point.
struct PointEnd {};
inline constexpr PointEnd kPointEnd{};

class WarpProgram {
 public:
  struct promise_type {
    std::exception_ptr error;
    WarpProgram get_return_object() {
      return WarpProgram(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(PointEnd) noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };

  WarpProgram() = default;
  WarpProgram(WarpProgram&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  WarpProgram& operator=(WarpProgram&& o) noexcept;
  WarpProgram(const WarpProgram&) = delete;
  WarpProgram& operator=(const WarpProgram&) = delete;
  ~WarpProgram();

  // Runs the next program point; false once the warp has exited (nothing was appended then).
  bool step();

 private:
  explicit WarpProgram(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

// --- one launch, checked ------------------------------------------------------------------------

// A launch whose shape, tensors and launch configuration have been checked: its launch
// configuration as the host launcher computes it, the number of CTAs (linear ids 0 .. ctas-1),
// the warps of each, and the program of each warp.
class KernelPlan {
 public:
  virtual ~KernelPlan() = default;
  const Dim3& grid() const { return grid_; }
  const Dim3& block() const { return block_; }
  std::uint32_t smem() const { return smem_; }  // static + dynamic shared memory, bytes
  std::uint32_t regs() const { return regs_; }  // registers per thread (kernel_mix.h)
  std::uint64_t ctas() const { return ctas_; }
  std::uint32_t warps() const { return warps_; }
  // `out` must outlive the program; the plan too.
  virtual WarpProgram warp(std::uint64_t cta, std::uint32_t w, WarpOut& out) const = 0;

 protected:
  // Checks the record's grid and block (when it has them) against the launcher's.
  void set_launch(const OpRecord& r, const Dim3& grid, const Dim3& block, std::uint32_t smem,
                  std::uint32_t regs);

 private:
  Dim3 grid_{}, block_{};
  std::uint32_t smem_ = 0, regs_ = 0, warps_ = 0;
  std::uint64_t ctas_ = 0;
};

// Checks the launch (known kernel, op kind, dtype, shape within the kernel's limits, tensors
// present and large enough, grid and block as the launcher computes them); bad input is an
// accsim::Error (kInput) naming the record.
std::unique_ptr<KernelPlan> make_kernel_plan(const KernelLaunch& launch);

}  // namespace accsim::workloads::detail
