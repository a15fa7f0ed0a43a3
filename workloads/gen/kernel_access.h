#pragma once
// Synthetic record generator for the reference CUDA kernels (reference/kernels/).
//
// For one kernel launch (an op-trace record: kernel name, shape, dtype, tensor addresses, grid,
// block) it produces, on the CPU, the records the capture build of that kernel would write
// (reference/kernels/mem.cuh, CaptureMem): for every warp-level global load or store, one record
// per distinct 32-byte sector among the warp's active lanes, in the order of the leader lanes
// (lowest lane of each sector group); and, with the instruction mix (access-trace version 2),
// at the same program points as the capture build, the warp's compute records (the bodies of
// workloads/trace/kernel_mix.h), commit / wait records (cp.async groups, and before the first
// use of plain loads), barrier records (__syncthreads), cta_begin and warp_exit. The kernels'
// tiling (which lane loads which element, vector widths, predication at edges, causal tile
// skipping, split-KV partitioning) is re-derived from the kernel sources, once, as one program
// per warp (kernel_tiling.h); the launch configuration (grid, block, shared memory, decode
// splits) from their host launchers. Everything is documented, with closed-form counts per
// kernel, in workloads/README.md, "Kernel access generator".
//
// Exact by construction from the sources (not yet checked against a GPU capture): per CTA and per
// warp, the multiset of (sector address, kind, L1-bypass flag), each warp's program order as
// written in the source, and the program points' compute records. Not reproduced: timestamps (0,
// unit "none") and SM ids (0).
//
// Kernels covered: gemm_tc_kernel (also QK^T and P.V of naive attention), gemv_kernel,
// softmax_kernel, layernorm_kernel, gelu_kernel, add_kernel, flash_fwd_kernel,
// decode_split_kernel, decode_combine_kernel. Not covered: the microbenchmarks (chase_kernel,
// bandwidth_kernel), which have no op-trace records.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workloads/trace/access_trace.h"
#include "workloads/trace/kernel_source.h"
#include "workloads/trace/op_trace.h"

namespace accsim::workloads {

enum class RefKernel {
  kGemm,
  kGemv,
  kSoftmax,
  kLayernorm,
  kGelu,
  kAdd,
  kFlashFwd,
  kDecodeSplit,
  kDecodeCombine
};

std::string_view ref_kernel_name(RefKernel k);  // the CUDA kernel's name: "gemm_tc_kernel" ...
OpKind ref_kernel_op(RefKernel k);              // the op kind of its op-trace records
std::optional<RefKernel> parse_ref_kernel(std::string_view kernel_name);
std::string ref_kernel_names();  // "gemm_tc_kernel, gemv_kernel, ..." for messages

// The layout of gemm_tc_kernel's B operand: [N, K] (a weight, K^T of attention scores) or
// [K, N] (V in the P.V product of naive attention). The op trace does not record it.
enum class GemmBLayout { kNK, kKN };

// One launch to generate: its op-trace record plus what the record does not carry.
struct KernelLaunch {
  OpRecord rec;
  GemmBLayout b_layout = GemmBLayout::kNK;  // gemm_tc_kernel only
  // gemm_tc_kernel only: the epilogue masks above the diagonal (QK^T of causal naive attention;
  // kernel_mix.h gemm_epilogue). The op trace does not record it (its `causal` is sdpa only).
  bool gemm_causal = false;
  // decode_combine_kernel only: the KV length L of the split kernel that wrote the partials (a
  // split with no keys is skipped by the combine). 0 = unknown, which is an error for that kernel.
  std::uint64_t kv_len = 0;
};

struct KernelGenOptions {
  // Keep only CTAs whose linear id % cta_sample == 0: the capture build's sampling rule.
  std::uint32_t cta_sample = 1;
  std::uint16_t kernel_index = 0;  // the records' `kernel` field
  // With the instruction mix (version-2 records: compute, commit, wait, barrier, and from the
  // sink-based generator and the writer also cta_begin and warp_exit); false: memory records
  // only, as a version-1 trace holds them.
  bool instruction_mix = true;
};

// The launch's records as the GPU models consume them (workloads/trace/kernel_source.h): CTAs in
// ascending linear id (those cta_sample keeps), each warp's records produced as they are asked
// for, one program point (one loop trip) per fill(); kinds 0..6, cta_begin and warp_exit stand
// for next_cta() and fill() returning false. Memory is bounded by the CTAs handed out and not yet
// released, each warp holding only its loop counters; the largest batch fill() returns is one
// program point's records (at most a few hundred), whatever the shape. The launch is checked
// here (known kernel, op kind, dtype, shape within the kernel's limits, tensors present and
// large enough, grid and block as the launcher computes them); bad input is an accsim::Error
// (kInput) naming the record.
std::unique_ptr<KernelRecordSource> make_generated_kernel_source(const KernelLaunch& launch,
                                                                 const KernelGenOptions& opt = {});

using AccessSink = std::function<void(const AccessRecord&)>;

// Every record of the launch, CTA by CTA (ascending linear id), warp by warp, each warp in
// program order: with the instruction mix, cta_begin (warp 0) first in each CTA and warp_exit
// after each warp's records. Drains make_generated_kernel_source; returns how many.
std::uint64_t generate_kernel_accesses(const KernelLaunch& launch, const KernelGenOptions& opt,
                                       const AccessSink& sink);
std::vector<AccessRecord> kernel_accesses(const KernelLaunch& launch,
                                          const KernelGenOptions& opt = {});

// --- launch records for a shape, without a GPU ------------------------------------------------

// The same launch-configuration logic as reference/'s host launchers (grid, block, shared memory,
// decode splits, GELU and add grids), in one place (each kernel's plan in kernel_tiling.cpp). The
// records carry the registers per thread of kernel_mix.h's regs_* (OpRecord::regs).
struct KernelBuildOptions {
  DType dtype = DType::kFp16;
  bool causal = false;           // sdpa_flash, sdpa_naive
  std::uint32_t sm_count = 132;  // H100 SXM: the GELU and add grids, the default decode splits
  // Tensors are laid out one after another from here, each aligned to `align` bytes (cudaMalloc
  // returns at least 256-byte-aligned blocks).
  std::uint64_t base_address = 0x7f0000000000ull;
  std::uint64_t align = 4096;
};

// Tensors laid out one after another from `next`, each rounded up to `align` bytes.
struct TensorArena {
  std::uint64_t next, align;
  TensorRef add(std::string name, std::uint64_t bytes) {
    TensorRef t{std::move(name), next, bytes};
    next += (bytes + align - 1) / align * align;
    return t;
  }
};

// Ops and their shape keys: gemm M,N,K[,batch] · gemv M,K · softmax rows,cols ·
// layernorm rows,cols · gelu n · add n (y = a + b) · sdpa_flash B,H,N,d · sdpa_naive B,H,N,d
// (three launches) · decode B,H,L,d[,splits] (split + combine launches).
std::vector<KernelLaunch> build_kernel_launches(
    std::string_view op, const std::vector<std::pair<std::string, std::uint64_t>>& shape,
    const KernelBuildOptions& opt = {});
std::string kernel_op_names();  // "gemm, gemv, ..." for messages
// Parses "M=512,N=1024,K=64" (integers take K, M, G binary suffixes).
std::vector<std::pair<std::string, std::uint64_t>> parse_kernel_shape(std::string_view text);

// The launch of op-trace record `i`, with what the record lacks taken from its neighbours: a
// gemm that reads the output of the softmax record just before it is the P.V product of naive
// attention (B is [K, N]); a decode combine takes L from the split record just before it. A
// record without `regs` gets kernel_mix.h's (for a kernel the generator knows; a bad record of
// such a kernel is an error here already).
KernelLaunch launch_from_op_trace(const std::vector<OpRecord>& records, std::size_t i);

// --- writing ----------------------------------------------------------------------------------

struct KernelTraceOptions {
  std::uint32_t cta_sample = 1;
  // false: memory records only, written as a version-1 file.
  bool instruction_mix = true;
  // The file lists each kernel's records in waves: up to `wave_ctas` CTAs are resident at a
  // time (264 = 132 SMs x 2 CTAs, an H100 running two CTAs per SM), and their warps' records
  // are interleaved warp by warp and program point by program point, the way they would run
  // concurrently; a CTA that ends is replaced by the next. So a replay that streams the file
  // (open_trace_kernels) with R CTAs resident buffers at most max(R, wave_ctas) x the largest
  // CTA's records, and about one round when R = wave_ctas (README, "Wave order").
  std::uint32_t wave_ctas = 264;
  AccessWriterOptions writer;
};

// Metadata of a generated trace: timestamp unit "none", one kernels[] entry per launch (name,
// grid, block, smem, regs, params with op, shape, dtype, causal, gemm B layout), and a "capture"
// object saying it was generated, with which CTA sampling, mix and wave size.
AccessTraceMeta kernel_trace_meta(const std::vector<KernelLaunch>& launches,
                                  const KernelTraceOptions& opt = {});
// The same, with the other options at their defaults.
AccessTraceMeta kernel_trace_meta(const std::vector<KernelLaunch>& launches,
                                  std::uint32_t cta_sample);
// Checks every launch, then writes their records (launch j gets kernel index j) in wave order;
// returns the record count. Memory stays flat: one window of CTAs' current program points.
std::uint64_t write_kernel_trace(const std::string& path, const std::vector<KernelLaunch>& launches,
                                 const KernelTraceOptions& opt = {});

}  // namespace accsim::workloads
