#pragma once
// Lowering of a GPT decode step (or of op-trace records) to PIM channel programs and ASIC work,
// PIM-GPT style (models/pim/README.md "Mapping"). Plain C++.
//
// A matrix is stored in bank rows: its rows are dealt to "rounds" of `banks` rows (one per bank,
// all banks at the same DRAM row index, so that all-bank commands serve them together) and its
// columns are cut into chunks that fit one DRAM row and the global buffer. Each (round, chunk)
// is one DRAM row of every bank. A VMM visits each such row once: load the chunk of the input
// vector into the channel's global buffer (when it changes), activate, MAC column by column and
// read the accumulated result of every `segment` columns.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "hw/pim_spec.h"
#include "workloads/gen/transformer.h"
#include "workloads/trace/op_trace.h"

namespace accsim::pim {

// Numbers the lowering needs from the specs.
struct Geometry {
  int channels = 8;
  int banks = 16;             // banks per channel (all work in lockstep)
  std::int64_t rows = 32768;  // rows per bank
  std::int64_t row_elems = 1024;
  std::int64_t burst_elems = 16;  // elements per column access (per bank) and per bus burst
  std::int64_t gb_elems = 1024;   // global buffer capacity in elements
  int element_bytes = 2;
  static Geometry from(const hw::DramSpec& dram, const hw::PimSpec& pim);
};

// One DRAM-row visit of one channel.
struct Visit {
  std::int64_t row = 0;        // DRAM row index (the same in every bank)
  std::int32_t gb_bursts = 0;  // WRGB bursts before the visit (0: buffer already holds its chunk)
  std::int32_t pieces = 0;     // results read out (one RDMAC each)
  std::int32_t macs = 0;       // MACAB per piece
  std::int32_t macs_last = 0;  // MACAB of the last piece
  std::int32_t writes = 0;     // WR bursts (KV-cache append) instead of MACs
  std::int32_t active_banks = 0;  // banks whose row holds data in this visit
};
using ChannelProgram = std::vector<Visit>;

// Where a matrix lives and how it is cut.
struct MatrixLayout {
  std::string name;
  std::int64_t rows = 0, cols = 0;  // capacity (KV cache: the maximum context)
  std::int64_t segment = 0;         // columns accumulated into one result
  std::int64_t groups = 1;          // distinct input vectors (rows split evenly among them)
  std::int64_t chunk = 0;           // columns per DRAM row
  std::int64_t chunks = 0;
  std::int64_t row_base = 0;  // first DRAM row index
  std::int64_t rounds = 0;
  bool round_robin = true;  // rounds dealt round-robin over channels (else contiguous blocks)
  std::int64_t rows_per_bank() const { return rounds * chunks; }
  int channel_of_round(std::int64_t r, int channels) const;
  // Index of round r among its channel's rounds (its DRAM row = row_base + local * chunks + chunk).
  std::int64_t local_round(std::int64_t r, int channels) const;
};

// Allocates DRAM rows to matrices in order; throws a config error when they do not fit.
class RowAllocator {
 public:
  explicit RowAllocator(const Geometry& g) : g_(g) {}
  // round_robin: false for grouped matrices (V), whose rounds go to channels in contiguous blocks.
  MatrixLayout place(std::string name, std::int64_t rows, std::int64_t cols, std::int64_t segment,
                     std::int64_t groups);
  std::int64_t used_rows() const { return next_; }

 private:
  Geometry g_;
  std::int64_t next_ = 0;
};

enum class OpKind { kVmm, kKvAppend, kAsic };

struct Op {
  OpKind kind = OpKind::kVmm;
  std::string name;   // "qkv", "scores", "softmax" ...
  std::string layer;  // "L3", "head", "" ...
  // kVmm / kKvAppend: one program per channel.
  std::vector<ChannelProgram> programs;
  std::int64_t macs = 0;     // useful multiply-accumulates (rows x cols used)
  std::int64_t results = 0;  // values read back to the ASIC
  // kAsic: lane operations and buffer traffic.
  std::int64_t elements = 0;
  std::int64_t passes = 0;
};

// y = W x over `cols_used` columns of the first `rows_used` rows of `m`.
Op lower_vmm(const MatrixLayout& m, const Geometry& g, std::int64_t rows_used,
             std::int64_t cols_used, std::string name, std::string layer);
// Appends the key of token `t` (row t of K) and the value of token `t` (column t of V).
Op lower_kv_append(const MatrixLayout& k, const MatrixLayout& v, const Geometry& g, std::int64_t t,
                   std::string layer);
Op asic_op(std::string name, std::string layer, std::int64_t elements, std::int64_t passes);

// GPT-2 / GPT-3 family members (PIM-GPT's eight models): workloads/gen/transformer.h's table.
using GptModel = workloads::TransformerModel;

// The matrices of a GPT model, placed once (weights, KV caches of `context_max` tokens).
struct GptLayout {
  std::vector<MatrixLayout> qkv, wo, fc1, fc2, k, v;
  MatrixLayout lm_head;
  bool has_lm_head = false;
  std::int64_t rows_used = 0;  // DRAM rows per bank the model occupies
  std::int64_t weight_bytes = 0;
};
GptLayout place_gpt(const GptModel& m, const Geometry& g, std::int64_t context_max, bool lm_head,
                    const SourceLoc& where);

// The ops of one decode step for the token at position `pos` (0-based; pos tokens are already in
// the KV caches and this step appends one).
std::vector<Op> gpt_decode_step(const GptModel& m, const GptLayout& lay, const Geometry& g,
                                std::int64_t pos);

// The ops of op-trace records (one step replays them all, in order): gemv M,K[,batch] and
// gemm M,N,K[,batch] (B is the [N, K] weight; M x batch products) run as VMMs on a matrix placed
// once per record; sdpa with N = 1 (decode attention: H heads of d over N_kv cached tokens,
// per batch) runs as scores VMM, softmax and attention-V VMM on K and V caches placed for it;
// softmax, layernorm, gelu and elementwise run on the ASIC. The records' dtype is not used (the
// PIM spec's element size is). Throws a config error at `where` naming the record for what the
// PIM cannot run (prefill attention, more than `max_vmms` matrix-vector products) or what does not
// fit the DRAM rows.
std::vector<Op> lower_op_records(const std::vector<workloads::OpRecord>& recs, const Geometry& g,
                                 const SourceLoc& where, std::int64_t max_vmms = 1 << 16);

}  // namespace accsim::pim
