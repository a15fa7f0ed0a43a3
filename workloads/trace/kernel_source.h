#pragma once
// A kernel's records, streamed to a GPU model CTA by CTA and warp by warp, so that a replay holds
// only the records of resident warps, whatever the length of the trace (models/gpu).
//
// Three implementations:
//  - generated on the fly from a reference kernel's tiling (workloads/gen/kernel_access.h,
//    make_generated_kernel_source): each warp's records are produced as it consumes them;
//  - read from an access trace (open_trace_kernels below): version-2 kernels stream (the reader
//    runs ahead only as far as the warps being replayed need, buffering the records of other
//    warps it passes); version-1 kernels, which have no cta_begin/warp_exit records, are read
//    whole into memory and grouped by CTA and warp;
//  - held in memory (make_vector_kernel_source: tests, small traces).
//
// What a warp yields: its records in program order, memory (kinds 0..2) and, in version 2,
// compute, barrier, commit and wait records (kinds 3..6). The structural records cta_begin and
// warp_exit (kinds 7, 8) are consumed by the source: next_cta() stands for cta_begin, fill()
// returning false for warp_exit.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workloads/trace/access_trace.h"

namespace accsim::workloads {

struct CtaStart {
  std::uint32_t handle = 0;  // the source's name for this CTA in fill() and release()
  std::uint32_t cta = 0;     // linear CTA id
  std::uint16_t sm = 0;      // SM it ran on (captures), 0 when unknown
  std::uint32_t warps = 0;   // warps of the CTA (each yields records until fill() says false)
};

class KernelRecordSource {
 public:
  virtual ~KernelRecordSource() = default;
  virtual const KernelInfo& info() const = 0;
  // True when the records carry the instruction mix (version-2 compute records); false for
  // memory-only sources (version-1 traces), which a GPU model replays as memory accesses only.
  virtual bool has_compute() const = 0;
  // The next CTA to launch, in launch order (the order of cta_begin records; ascending CTA id for
  // generated and version-1 sources). False when every CTA has been handed out.
  virtual bool next_cta(CtaStart& out) = 0;
  // Appends at least one of the next records of `warp` (0 .. warps-1) of CTA `handle` to `out`,
  // in program order, and returns true; returns false once the warp has exited (no more
  // records). A malformed input is an accsim::Error (kInput) naming the record.
  virtual bool fill(std::uint32_t handle, std::uint32_t warp, std::vector<AccessRecord>& out) = 0;
  // The CTA has finished: the source may drop what it keeps for it.
  virtual void release(std::uint32_t handle) = 0;
  // Records handed out so far (all kinds), for progress and statistics.
  virtual std::uint64_t records() const = 0;
  // The consumer needs no more of this kernel (a sampled replay): the source may skip the rest
  // without producing it. The default drains every remaining CTA and warp.
  virtual void skip_rest();
};

// Every CTA, warp and record of one kernel held in memory: records are grouped by CTA (ascending
// linear id) and warp, keeping each warp's order; cta_begin/warp_exit records are dropped. A CTA
// has max(ceil(block threads / 32), highest warp index + 1) warps. has_compute() is true when any
// record is not a memory record.
std::unique_ptr<KernelRecordSource> make_vector_kernel_source(KernelInfo info,
                                                              std::vector<AccessRecord> records);

// The kernels of an access trace file, one after another.
class TraceKernels {
 public:
  virtual ~TraceKernels() = default;
  virtual const AccessTraceMeta& meta() const = 0;
  virtual std::uint16_t version() const = 0;
  // The next kernel that has records (in file order), or null at the end of the file. The
  // previous source must not be used after this call.
  virtual KernelRecordSource* next_kernel() = 0;
};

std::unique_ptr<TraceKernels> open_trace_kernels(const std::string& path);
// The same from memory (fuzz targets); `name` stands for the file in messages.
std::unique_ptr<TraceKernels> open_trace_kernels_memory(const void* data, std::size_t n,
                                                        std::string name);

}  // namespace accsim::workloads
