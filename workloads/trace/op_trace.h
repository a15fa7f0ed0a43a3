#pragma once
// The op trace: JSON lines, one record per kernel launch (workloads/README.md, "Op trace"). PIM,
// dataflow and FPGA targets consume it; reference/ writes it beside each captured access trace.
//
//   line 1  {"format":"accsim-op-trace","version":1,"gpu":"NVIDIA H100 80GB HBM3",
//            "tool":"accsim-capture 0.1","sm_clock_mhz":1980}
//   line n  {"kernel":"sdpa_flash_fwd","op":"sdpa","shape":{"B":1,"H":16,"N":1024,"d":64},
//            "dtype":"fp16","causal":true,
//            "tensors":[{"name":"Q","addr":"0x7f3a00000000","bytes":2097152}, ...],
//            "grid":[16,16,1],"block":[128,1,1],"smem":49152,
//            "measured":{"time_ns":48211.5,"dram_read_bytes":8388608,"dram_write_bytes":2097152,
//                        "l1_hit_pct":0.0,"l2_hit_pct":61.2},
//            "access_trace":{"file":"sdpa_1024.atrace","kernel":0}}
//
// Shapes per op kind (positive integers; the full table is in workloads/README.md):
//   gemm M,N,K [batch] · gemv M,K [batch] · sdpa B,H,N,d [N_kv, H_kv] · softmax rows,cols ·
//   layernorm rows,cols · gelu n · elementwise n
// Unknown keys anywhere are errors; every error names file:line:column and the key.
#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/error.h"

namespace accsim::workloads {

namespace detail {
class LineReader;
}

enum class OpKind { kGemm, kGemv, kSdpa, kSoftmax, kLayernorm, kGelu, kElementwise };
enum class DType { kFp16, kBf16, kFp32, kFp64, kInt8 };

std::string_view op_kind_name(OpKind k);  // "gemm" ...
std::optional<OpKind> parse_op_kind(std::string_view s);
std::string_view dtype_name(DType d);  // "fp16" ...
std::optional<DType> parse_dtype(std::string_view s);
std::uint32_t dtype_bytes(DType d);

// The shape keys an op kind requires and allows, in their canonical order.
struct ShapeKeys {
  std::vector<std::string> required;
  std::vector<std::string> optional;
};
const ShapeKeys& shape_keys(OpKind k);

struct TensorRef {
  std::string name;
  std::uint64_t addr = 0;  // device address of the first byte
  std::uint64_t bytes = 0;
};

struct MeasuredFigures {                          // as captured on a GPU; each figure optional
  std::optional<double> time_ns;                  // CUDA-event median
  std::optional<std::uint64_t> dram_read_bytes;   // ncu dram__bytes_read.sum
  std::optional<std::uint64_t> dram_write_bytes;  // ncu dram__bytes_write.sum
  std::optional<double> l1_hit_pct;               // ncu l1tex__t_sector_hit_rate.pct, 0..100
  std::optional<double> l2_hit_pct;               // ncu lts__t_sector_hit_rate.pct, 0..100
};

struct AccessTraceLink {     // where this launch's access trace is
  std::string file;          // relative to the op trace's folder
  std::uint16_t kernel = 0;  // index into that trace's metadata.kernels
};

struct OpRecord {
  std::string kernel;
  std::string label;  // what the launch is in its workload ("L3.qkv"); empty = none
  OpKind op = OpKind::kGemm;
  std::vector<std::pair<std::string, std::uint64_t>> shape;  // canonical order of shape_keys()
  DType dtype = DType::kFp16;
  bool causal = false;  // sdpa only
  std::vector<TensorRef> tensors;
  std::optional<std::array<std::uint32_t, 3>> grid, block;
  std::uint32_t smem = 0;  // bytes of shared memory per block
  std::uint32_t regs = 0;  // registers per thread (0 = not known)
  std::optional<MeasuredFigures> measured;
  std::optional<AccessTraceLink> access_trace;
  int line = 0;  // 1-based line it was read from; 0 when built in code

  // The value of a shape key, or nullopt when the record does not have it.
  std::optional<std::uint64_t> dim(std::string_view key) const;
  bool operator==(const OpRecord& o) const;  // ignores `line`
};

struct OpTraceHeader {
  std::string gpu;
  std::string tool;
  double sm_clock_mhz = 0;  // 0 = not given
  nlohmann::json notes;     // free-form object; null when absent
};

// Canonical one-line JSON of a record / the header (what the writer writes).
std::string op_record_to_json(const OpRecord& r);
std::string op_header_to_json(const OpTraceHeader& h);
// Validates one record line; errors name loc.file:loc.line:column and the key.
OpRecord parse_op_record(std::string_view line, const SourceLoc& loc);
// Checks a record built in code (the writer calls this; the reader's checks are the same).
void check_op_record(const OpRecord& r, const SourceLoc& loc);

class OpTraceReader {
 public:
  explicit OpTraceReader(const std::string& path);
  OpTraceReader(const void* data, std::size_t n, std::string name);  // fuzzing, tests
  ~OpTraceReader();
  const OpTraceHeader& header() const { return header_; }
  bool next(OpRecord& r);
  const std::string& name() const;

 private:
  void read_header();
  std::unique_ptr<detail::LineReader> lines_;
  OpTraceHeader header_;
};

class OpTraceWriter {
 public:
  OpTraceWriter(const std::string& path, const OpTraceHeader& header);
  ~OpTraceWriter();
  void append(const OpRecord& r);
  void close();  // renames <path>.part to <path>

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<OpRecord> read_op_trace(const std::string& path, OpTraceHeader* header = nullptr);

// The sdpa record that a target running one attention (dataflow, fpga) takes from an op trace
// read from `path`: with `index` >= 0 the index-th sdpa record (0-based; the run is that record
// alone); with -1 the trace must hold exactly one record, an sdpa one. Anything else is a config
// error naming the record (index, line, kernel) and why `target` cannot run it, or the count;
// `index_key` is the option that picks a record ("workload.record").
const OpRecord& pick_sdpa_record(const std::vector<OpRecord>& recs, std::int64_t index,
                                 const std::string& path, std::string_view target,
                                 std::string_view index_key);
void write_op_trace(const std::string& path, const OpTraceHeader& header,
                    const std::vector<OpRecord>& records);

}  // namespace accsim::workloads
