#pragma once
// Writes accsim op traces (JSON lines; schema in workloads/trace/op_trace.h and
// workloads/README.md) by hand with fmt, because reference/ must build without a JSON library on
// the GPU machine. `accsim trace info` reads what this writes.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reference/host/cases.h"
#include "reference/host/launch_info.h"

namespace accsim::ref {

struct OpTensor {
  std::string name;
  std::uint64_t addr = 0;
  std::uint64_t bytes = 0;
};

struct OpTraceEntry {
  std::string kernel;
  std::string label;  // what the launch is in its workload ("L0.qkv"); written when not empty
  std::string op;     // gemm | gemv | sdpa | softmax | layernorm | gelu | elementwise
  std::vector<std::pair<std::string, std::uint64_t>> shape;  // canonical key order
  DType dtype = DType::kF16;
  bool causal = false;  // written for sdpa only
  std::vector<OpTensor> tensors;
  Dim3 grid, block;
  unsigned smem = 0;
  int regs = 0;                   // registers per thread; written when > 0
  std::optional<double> time_ns;  // measured: CUDA-event median of this launch
  std::string trace_file;         // access trace of this launch, relative path; empty = none
  unsigned trace_kernel = 0;      // index into that file's metadata.kernels
};

// "fp16", "bf16", "fp32": the op trace's dtype names.
std::string_view op_trace_dtype(DType t);

// {"format":"accsim-op-trace","version":1,"gpu":...,"tool":...,"sm_clock_mhz":...}
std::string op_trace_header(const std::string& gpu, const std::string& tool, double sm_clock_mhz);
std::string op_trace_line(const OpTraceEntry& e);

// The op-trace records of a case's launches (one per launch, in launch order). `tensors` are the
// case's device buffers by name (see OpInstance in harness/ops.h for the names). Microbenchmarks
// have no op-trace records.
std::vector<OpTraceEntry> op_trace_entries(const Case& c, const std::vector<LaunchInfo>& launches,
                                           const std::vector<OpTensor>& tensors);

// What a capture run records about itself in the access trace's metadata ("capture" object).
struct CaptureStats {
  std::uint32_t cta_sample = 1;
  std::uint64_t buffer_records = 0;  // capacity of the device buffer
  std::uint64_t records = 0;         // records written to the file
  std::uint64_t dropped = 0;         // records that did not fit (overflow)
  std::uint64_t seed = 0;
  bool check_pass = false;   // the capture build's output passed the fp64 check
  bool structure_ok = true;  // the version-2 structure holds (host/capture_order.h)
};

// The metadata JSON of a captured access trace (schema: workloads/trace/access_trace_format.h):
// timestamps in %globaltimer ns with `time_origin` as time zero, one kernels[] entry per launch
// of the case with the case's shape in "params".
std::string access_trace_metadata(const Case& c, const std::vector<LaunchInfo>& launches,
                                  const std::string& tool, const std::string& gpu,
                                  double sm_clock_mhz, std::uint64_t time_origin,
                                  const CaptureStats& st);

}  // namespace accsim::ref
