#pragma once
// One instance per study case: owns the case's device buffers, fills them with the counter-based
// random inputs, launches the case's kernels (timing or capture build) and checks the output
// against the fp64 references.
#include <cuda_runtime_api.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reference/harness/device.h"
#include "reference/host/cases.h"
#include "reference/host/checks.h"
#include "reference/host/launch_plan.h"
#include "reference/host/op_trace.h"
#include "reference/kernels/launch.h"

namespace accsim::ref {

enum class RunMode { kTiming, kCapture };

class OpInstance {
 public:
  // Allocates the case's buffers; throws CudaError when the device cannot hold them.
  static std::unique_ptr<OpInstance> create(const Case& c, const DeviceInfo& dev, RunMode mode);
  virtual ~OpInstance() = default;

  const Case& kase() const { return c_; }
  virtual int launch_count() const { return 1; }

  // Writes fresh inputs derived from `seed` (host/random.h); the microbenchmarks build their
  // pointer chain or data here.
  virtual void fill_inputs(std::uint64_t seed, cudaStream_t s);
  // Fills every output with 0xFF bytes: NaN in f16, bf16 and f32, so unwritten elements fail.
  virtual void poison(cudaStream_t s);
  // Enqueues the case's kernels. `mark(k)` is called before launch k and, with k ==
  // launch_count(), after the last one (the harness records CUDA events there). With a sink,
  // the capture build runs and launch k records kernel index sink->kernel + k.
  virtual std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                          const std::function<void(int)>& mark) = 0;
  // Copies the output back (stream synchronised by the caller) and compares it with fp64.
  virtual CheckResult check(std::uint64_t seed, const CheckOptions& opt);

  // Named device buffers, for the op trace.
  std::vector<OpTensor> tensors() const;
  // Whether repetitions start from a flushed L2 (the microbenchmarks warm their own caches).
  virtual bool flush_l2() const { return true; }
  // Bytes the timed launches move, for achieved GB/s (default: the case's minimum bytes).
  virtual double moved_bytes() const { return c_.min_bytes(); }
  // Settings chosen at run time (decode splits, sweep passes), as JSON object members or "".
  virtual std::string info_json() const { return ""; }
  // Readings a microbenchmark takes inside the kernel (the chase's cycles per load). When
  // has_readings(), the harness synchronises after every repetition and calls readings().
  virtual bool has_readings() const { return false; }
  virtual std::vector<std::pair<std::string, double>> readings() { return {}; }
  // Upper bound on timed repetitions (a chase through 512 MiB takes a fifth of a second).
  virtual int max_reps() const { return 1 << 20; }

 protected:
  OpInstance(const Case& c, const DeviceInfo& dev, RunMode mode) : c_(c), dev_(dev), mode_(mode) {}
  DeviceBuffer& add(const std::string& name, std::size_t bytes, bool output);
  DeviceBuffer& buf(const std::string& name);

  Case c_;
  DeviceInfo dev_;
  RunMode mode_;
  struct Named {
    std::string name;
    DeviceBuffer buf;
    bool output;
  };
  std::vector<Named> bufs_;
};

// A sink with kernel index `base + k` for launch k of an op.
CaptureSink sink_for(const CaptureSink* sink, int k);

}  // namespace accsim::ref
